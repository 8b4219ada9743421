//! The meeting's review with real `rukun` processes: two devices set a household's floor
//! differently offline; after they sync, `rukun review conflicts --json` lists it on both,
//! and after `rukun resolve` and another sync neither does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rukun_tests::process::{init, join, ok, rukun, serve_loopback, show};

fn conflicts(book: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&ok(rukun(book).args(["review", "conflicts", "--json"]))).unwrap()
}

#[test]
fn a_floor_set_differently_offline_is_listed_on_both_devices_until_resolved() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    init(&a, "Warga Rukun");
    let id = ok(rukun(&a).args([
        "household",
        "add",
        "--kk",
        "3471131804080001",
        "--rt",
        "27",
        "--alamat",
        "Gg. Mawar No. 1",
        "--kepala",
        "Bambang",
    ]))
    .trim()
    .to_owned();
    // B joins (receives the book), then both work offline.
    let (serve, _, invite) = serve_loopback(&a, Some("relawan"));
    let out = join(&b, &invite.unwrap(), "Relawan B");
    assert!(out.status.success(), "{}", show(&out));
    serve.stop();
    ok(rukun(&a).args(["household", "edit", &id, "--set", "lantai=Tanah"]));
    ok(rukun(&b).args(["household", "edit", &id, "--set", "lantai=Keramik"]));
    assert_eq!(conflicts(&a).as_array().unwrap().len(), 0);

    let (serve, ticket, _) = serve_loopback(&a, None);
    ok(rukun(&b).args(["sync", &ticket, "--bind", "127.0.0.1:0"]));
    serve.stop();
    for book in [&a, &b] {
        let list = conflicts(book);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1, "{list:#?}");
        assert_eq!(list[0]["record"], id.as_str());
        assert_eq!(list[0]["field"], "lantai");
        let mut values: Vec<&str> = list[0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_str().unwrap())
            .collect();
        values.sort();
        assert_eq!(values, ["Keramik", "Tanah"]);
        let authors: Vec<&str> = list[0]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["author_name"].as_str().unwrap())
            .collect();
        assert!(
            authors.contains(&"Bu Sri") && authors.contains(&"Relawan B"),
            "{authors:?}"
        );
    }

    // B decides at the meeting; after the next sync neither device lists it.
    ok(rukun(&b).args(["resolve", &id, "lantai", "--value", "Keramik"]));
    let (serve, ticket, _) = serve_loopback(&a, None);
    ok(rukun(&b).args(["sync", &ticket, "--bind", "127.0.0.1:0"]));
    serve.stop();
    for book in [&a, &b] {
        assert_eq!(conflicts(book).as_array().unwrap().len(), 0);
        let shown: serde_json::Value =
            serde_json::from_str(&ok(rukun(book).args(["household", "show", &id, "--json"])))
                .unwrap();
        assert_eq!(shown["household"]["lantai"], "Keramik");
    }
}

#[test]
fn duplicates_are_listed_and_merged_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a");
    init(&a, "Warga Rukun");
    let keep = ok(rukun(&a).args([
        "household",
        "add",
        "--kk",
        "3471131208250001",
        "--rt",
        "28",
        "--alamat",
        "Jl. Sidokabul 12",
        "--kepala",
        "Soedjono",
    ]))
    .trim()
    .to_owned();
    let other = ok(rukun(&a).args([
        "household",
        "add",
        "--kk",
        "3471130101250002",
        "--rt",
        "28",
        "--alamat",
        "Jl Sidokabul No.12",
        "--kepala",
        "Sujono",
    ]))
    .trim()
    .to_owned();
    let dups: serde_json::Value =
        serde_json::from_str(&ok(rukun(&a).args(["review", "duplicates", "--json"]))).unwrap();
    assert_eq!(dups.as_array().unwrap().len(), 1, "{dups:#}");
    assert_eq!(dups[0]["evidence"][0]["kind"], "same_head_similar_address");
    let merge_id = ok(rukun(&a).args(["merge-households", &keep, &other]))
        .trim()
        .to_owned();
    let stats: serde_json::Value =
        serde_json::from_str(&ok(rukun(&a).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["households"], 1);
    ok(rukun(&a).args(["unmerge", &merge_id]));
    let stats: serde_json::Value =
        serde_json::from_str(&ok(rukun(&a).args(["stats", "--json"]))).unwrap();
    assert_eq!(stats["households"], 2);
}
