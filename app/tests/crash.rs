//! Crash safety: an import killed with SIGKILL at random moments loses at most the rows it
//! had not reported as saved, never stores one twice, and the book always opens.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use rukun_model::Book;

#[test]
fn an_import_killed_at_20_random_moments_keeps_every_reported_receipt_once() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let data = data_dir();
    ok(
        &book,
        &[
            "import",
            "donatur",
            data.join("donatur.csv").to_str().unwrap(),
        ],
    );
    let iuran = data.join("iuran-2025.csv");
    let mut rng = fastrand::Rng::with_seed(20251129);
    let mut reported: HashSet<String> = HashSet::new();
    let mut kills = 0;
    let mut finished = false;
    while kills < 20 {
        let mut child = rukun(&book)
            .args(["import", "iuran", iuran.to_str().unwrap()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.split("receipt ").nth(1).map(str::to_string))
                .collect::<Vec<_>>()
        });
        // Kill after a random delay: during opening, mid-batch, or while compacting.
        let delay = Duration::from_millis(rng.u64(20..1500));
        let start = Instant::now();
        let mut exited = false;
        while start.elapsed() < delay {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if !exited {
            // SIGKILL: no destructor, no flush, the lock is released by the kernel.
            child.kill().unwrap();
            kills += 1;
        } else {
            finished = true;
        }
        let _ = child.wait();
        reported.extend(reader.join().unwrap());

        let opened = Book::open(&book, PASS).expect("the book opens after a kill");
        let receipts = opened.receipts();
        let numbers: Vec<&str> = receipts.iter().map(|(_, r)| r.nomor.as_str()).collect();
        let unique: HashSet<&str> = numbers.iter().copied().collect();
        assert_eq!(
            unique.len(),
            numbers.len(),
            "a receipt number appears twice"
        );
        let keys: HashSet<(chrono::DateTime<chrono::Utc>, &str)> = receipts
            .iter()
            .map(|(_, r)| (r.diterima_pada, r.kode_donatur.as_str()))
            .collect();
        assert_eq!(
            keys.len(),
            receipts.len(),
            "a paper receipt was stored twice"
        );
        for n in &reported {
            assert!(
                unique.contains(n.as_str()),
                "receipt {n} was reported saved but is gone"
            );
        }
        drop(opened);
        if finished {
            // Start again from an import that did not finish: the rest must still arrive.
            finished = false;
        }
    }
    // One last uninterrupted run completes the import.
    ok(&book, &["import", "iuran", iuran.to_str().unwrap()]);
    assert_eq!(stats(&book)["receipts"], 795);
}
