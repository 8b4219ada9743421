//! `rukun generate` is deterministic: the same size and seed give the same records.
//!
//! Checked on 1,000 households (the generator does the same per household at any size);
//! the 5,000-household kelurahan book itself is built in release by the benchmarks
//! (`BENCHMARKS.md`) and in memory, once, by `ui_search`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[test]
fn generating_the_kelurahan_book_twice_gives_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut exports = Vec::new();
    for name in ["a", "b"] {
        let book = dir.path().join(name);
        init(&book);
        let report: serde_json::Value = serde_json::from_str(&ok(
            &book,
            &["generate", "--households", "1000", "--seed", "7"],
        ))
        .unwrap();
        assert_eq!(report["households"], 1000);
        assert_eq!(report["pmks"], 400);
        assert_eq!(report["receipts"], 10000);
        let s = stats(&book);
        assert_eq!(s["households"], 1000);
        assert_eq!(s["receipts"], 10000);
        let persons = s["persons"].as_u64().unwrap();
        assert!(
            (3_000..5_000).contains(&persons),
            "about 4 people per household: {persons}"
        );
        let out = dir.path().join(format!("{name}-json"));
        ok(
            &book,
            &["export", "--format", "json", "--out", out.to_str().unwrap()],
        );
        exports.push(out);
    }
    for file in [
        "households.json",
        "pmks.json",
        "donors.json",
        "receipts.json",
        "disbursements.json",
        "meetings.json",
    ] {
        let a = std::fs::read(exports[0].join(file)).unwrap();
        let b = std::fs::read(exports[1].join(file)).unwrap();
        assert!(a == b, "{file} differs between the two generated books");
    }
}
