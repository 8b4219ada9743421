//! Helpers for running the `rukun` binary in tests.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) const PASS: &str = "rahasia-uji";

/// The reference data folder `data/rw08` of the repository (see its README.md).
pub(crate) fn data_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08"));
    assert!(
        dir.join("expected-2025.json").is_file(),
        "reference data not found in {}",
        dir.display()
    );
    dir
}

/// `rukun` with the book folder, passphrase and cheap KDF set.
pub(crate) fn rukun(book: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rukun"));
    c.arg("--book")
        .arg(book)
        .env("RUKUN_PASSPHRASE", PASS)
        .env("RUKUN_INSECURE_FAST_KDF", "1")
        .env_remove("RUKUN_BOOK");
    c
}

pub(crate) fn run(book: &Path, args: &[&str]) -> Output {
    rukun(book).args(args).output().expect("run rukun")
}

pub(crate) fn ok(book: &Path, args: &[&str]) -> String {
    let out = run(book, args);
    assert!(
        out.status.success(),
        "rukun {args:?} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn init(book: &Path) {
    ok(
        book,
        &[
            "init",
            "--name",
            "Warga Rukun",
            "--kelurahan",
            "Sorosutan",
            "--kode-wilayah",
            "34.71.13.1006",
            "--rw",
            "8",
            "--rt",
            "27,28,29,30,31",
            "--member",
            "Bu Sri",
        ],
    );
}

pub(crate) const FILES: [(&str, &str); 6] = [
    ("penduduk", "rw08-penduduk.csv"),
    ("survei", "rw08-survei-rumah.csv"),
    ("donatur", "donatur.csv"),
    ("iuran", "iuran-2025.csv"),
    ("pmks", "pmks-2025.csv"),
    ("santunan", "santunan-2025.csv"),
];

pub(crate) fn import_all(book: &Path) {
    let data = data_dir();
    for (kind, file) in FILES {
        let out = run(book, &["import", kind, data.join(file).to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "import {kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

pub(crate) fn stats(book: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(book, &["stats", "--json"])).expect("stats json")
}

pub(crate) fn expected() -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(data_dir().join("expected-2025.json")).unwrap()).unwrap()
}
