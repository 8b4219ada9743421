//! The repository stands alone: no file reads or cites anything outside it (CI clones the
//! repository by itself), the reference data is inside it (`data/rw08`), and every section
//! of `docs/domain.md` or `docs/design.md` that a file cites exists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the workspace folder above this crate).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace folder")
        .to_path_buf()
}

/// The repository's files, relative to the root: what git tracks plus new files not ignored
/// (so a file not yet committed is checked too). Without git (a source tarball), every file
/// under the root except `.git` and `target`.
fn repo_files() -> Vec<PathBuf> {
    let root = root();
    let listed = Command::new("git")
        .arg("-C")
        .arg(&root)
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .output();
    if let Ok(out) = listed
        && out.status.success()
    {
        let files: Vec<PathBuf> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| PathBuf::from(String::from_utf8_lossy(p).into_owned()))
            .filter(|p| root.join(p).is_file())
            .collect();
        if !files.is_empty() {
            return files;
        }
    }
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap_or_default();
        if name == ".git" || name == "target" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out);
        } else if path.is_file() {
            out.push(path.strip_prefix(root).unwrap().to_path_buf());
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_file_reaches_outside_the_repository() {
    // Spelled in two pieces so that this file does not match itself.
    let outside = [
        concat!("..", "/shared"),
        concat!("shared", "/data"),
        concat!("shared", "/DOMAIN"),
        concat!("shared", "/DESIGN"),
    ];
    let root = root();
    let files = repo_files();
    assert!(
        files.iter().any(|f| f == Path::new("Cargo.toml")),
        "listing the repository found no Cargo.toml in {}",
        root.display()
    );
    let mut found = Vec::new();
    for file in &files {
        let bytes = std::fs::read(root.join(file)).unwrap();
        for needle in outside {
            if contains(&bytes, needle.as_bytes()) {
                found.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "files that read or cite something outside the repository (the reference data is \
         data/rw08, the domain facts docs/domain.md):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_reference_data_is_in_the_repository() {
    let dir = rukun_tests::data_dir().unwrap().canonicalize().unwrap();
    let root = root().canonicalize().unwrap();
    assert!(
        dir.starts_with(&root),
        "{} is outside the repository",
        dir.display()
    );
    for file in [
        "README.md",
        "rw08-penduduk.csv",
        "rw08-survei-rumah.csv",
        "donatur.csv",
        "iuran-2025.csv",
        "santunan-2025.csv",
        "pmks-2025.csv",
        "expected-2025.json",
        "anggota-2025.csv",
        "musyawarah-2025.csv",
        "keputusan-santunan-2025.csv",
        "sumber-dana-2025.csv",
        "natura-2025.csv",
        "pengeluaran-2025.csv",
        "pinjaman-2025.csv",
        "angsuran-2025.csv",
        "expected-2025-lengkap.json",
    ] {
        assert!(dir.join(file).is_file(), "data/rw08/{file} is missing");
    }
}

/// The anchors GitHub gives the headings of a Markdown file: lower case, punctuation
/// dropped, spaces turned into hyphens.
fn anchors(markdown: &str) -> BTreeSet<String> {
    markdown
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| l.trim_start_matches('#'))
        .filter(|l| l.starts_with(' '))
        .map(|heading| {
            heading
                .trim()
                .to_lowercase()
                .chars()
                .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                .map(|c| if c == ' ' { '-' } else { c })
                .collect()
        })
        .collect()
}

#[test]
fn every_cited_section_of_the_docs_exists() {
    let root = root();
    let docs = ["docs/domain.md", "docs/design.md"];
    let known: Vec<BTreeSet<String>> = docs
        .iter()
        .map(|d| anchors(&std::fs::read_to_string(root.join(d)).unwrap()))
        .collect();
    let mut missing = Vec::new();
    let mut cited = 0;
    for file in repo_files() {
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (doc, known) in docs.iter().zip(&known) {
            let needle = format!("{doc}#");
            for (at, _) in text.match_indices(&needle) {
                let anchor: String = text[at + needle.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                cited += 1;
                if !known.contains(&anchor) {
                    missing.push(format!("{}: {doc}#{anchor}", file.display()));
                }
            }
        }
    }
    assert!(cited > 0, "no file cites a section of the docs");
    assert!(
        missing.is_empty(),
        "cited sections that do not exist:\n{}",
        missing.join("\n")
    );
}
