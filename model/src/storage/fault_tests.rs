//! Fault-injection tests of the book store and the book on top of it (issue 15): every
//! test is named `fault_*`, so `cargo test -p rukun-model fault_` runs them as a group.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::{Book, Device, GroupInit, ImportKind, ReceiptDraft, import_csv};

const PW: &str = "kata sandi rahasia";

fn fast() -> KdfParams {
    KdfParams::insecure_fast()
}

fn new_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("book");
    (tmp, dir)
}

fn init() -> GroupInit {
    GroupInit {
        name: "Warga Rukun".into(),
        kelurahan: "Sorosutan".into(),
        kode_wilayah: "34.71.13.1006".into(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: "Bu Sri".into(),
    }
}

fn faulty() -> Arc<FaultFs> {
    Arc::new(FaultFs::new())
}

fn household(kk: &str) -> crate::Household {
    crate::Household {
        no_kk: kk.into(),
        alamat: format!("Gg. Mawar {kk}"),
        rt: 27,
        rw: 8,
        ..Default::default()
    }
}

/// A donor in `book` (committed); returns its id.
fn donor(book: &mut Book) -> String {
    let (id, _) = book
        .add_new_donor(crate::Donor {
            nama: "Hartono".into(),
            rt: 27,
            ..Default::default()
        })
        .unwrap();
    book.commit("donor").unwrap();
    id
}

fn drafts(donor_id: &str, n: usize) -> Vec<ReceiptDraft> {
    (0..n)
        .map(|i| ReceiptDraft {
            donor_id: donor_id.to_string(),
            jumlah: crate::rules::Rupiah::from_whole(5000 + i as i64).unwrap(),
            untuk: format!("Iuran {i}"),
            diterima_pada: chrono::Utc::now(),
            penerima: "Ketua RT 27".into(),
            salinan_buku: false,
        })
        .collect()
}

/// Issues `n` receipts and commits; returns their numbers.
fn issue(book: &mut Book, donor_id: &str, n: usize) -> Vec<String> {
    let issued = book.issue_receipts(&drafts(donor_id, n)).unwrap();
    book.commit("kuitansi").unwrap();
    issued.into_iter().map(|(_, r)| r.nomor).collect()
}

fn all_numbers(book: &Book) -> Vec<String> {
    book.receipts().into_iter().map(|(_, r)| r.nomor).collect()
}

fn assert_unique(numbers: &[String]) {
    let set: BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(set.len(), numbers.len(), "a receipt number was used twice: {numbers:?}");
}

// ----- hole 1: a failed folder fsync never deletes the file renamed into place ----------

#[test]
fn fault_folder_fsync_keeps_header() {
    let (_tmp, dir) = new_dir();
    let fs = faulty();
    let key = NewBookKey::derive(PW, fast()).unwrap();
    let mut store = BookStore::create_with_io(&dir, key, fs.clone()).unwrap();
    store.append_chunk(b"one edit").unwrap();
    fs.at_next(Op::SyncDir, 0, FaultKind::Fail);
    let err = store.change_passphrase(PW, "sandi baru", fast()).unwrap_err();
    assert!(err.to_string().contains("header.json"), "{err}");
    drop(store);
    // The header is still there, and one of the two passphrases opens the book.
    assert!(dir.join(HEADER_FILE).is_file(), "header.json was deleted");
    let opened = BookStore::open(&dir, "sandi baru").or_else(|_| BookStore::open(&dir, PW));
    let (_, loaded) = opened.expect("the book can no longer be opened");
    assert_eq!(loaded.chunks, vec![b"one edit".to_vec()]);
}

#[test]
fn fault_folder_fsync_keeps_device_blob() {
    let (_tmp, dir) = new_dir();
    let fs = faulty();
    let key = NewBookKey::derive(PW, fast()).unwrap();
    let mut store = BookStore::create_with_io(&dir, key, fs.clone()).unwrap();
    store.write_device("receipt_seq", b"5").unwrap();
    fs.at_next(Op::SyncDir, 0, FaultKind::Fail);
    assert!(store.write_device("receipt_seq", b"9").is_err());
    // Old or new value, never none.
    let now = store.read_device("receipt_seq").unwrap();
    assert!(
        now.as_deref() == Some(b"9") || now.as_deref() == Some(b"5"),
        "{now:?}"
    );
    // A chunk whose folder fsync failed is kept and opens.
    fs.at_next(Op::SyncDir, 0, FaultKind::Fail);
    assert!(store.append_chunk(b"maybe").is_err());
    assert_eq!(store.append_chunk(b"next").unwrap(), 2);
    drop(store);
    let (_, loaded) = BookStore::open(&dir, PW).unwrap();
    assert_eq!(loaded.chunks, vec![b"maybe".to_vec(), b"next".to_vec()]);
}

// ----- hole 3: the receipt sequence is recovered from the document ----------------------

#[test]
fn fault_receipt_seq_recovered_when_missing_damaged_or_behind() {
    let (_tmp, dir) = new_dir();
    let mut book = Book::create(&dir, PW, fast(), &init()).unwrap();
    let d = donor(&mut book);
    let mut numbers = issue(&mut book, &d, 3);
    let seq_file = dir.join(DEVICE_DIR).join("receipt_seq.rkn");
    let behind = std::fs::read(&seq_file).unwrap();
    numbers.extend(issue(&mut book, &d, 2));
    drop(book);

    // Missing.
    std::fs::remove_file(&seq_file).unwrap();
    let mut book = Book::open(&dir, PW).unwrap();
    numbers.extend(issue(&mut book, &d, 2));
    drop(book);
    // Damaged.
    let mut bytes = std::fs::read(&seq_file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&seq_file, bytes).unwrap();
    let mut book = Book::open(&dir, PW).unwrap();
    numbers.extend(issue(&mut book, &d, 2));
    drop(book);
    // Behind (an older copy put back).
    std::fs::write(&seq_file, &behind).unwrap();
    let mut book = Book::open(&dir, PW).unwrap();
    numbers.extend(issue(&mut book, &d, 2));
    assert_eq!(numbers.len(), 11);
    assert_unique(&numbers);
    assert_unique(&all_numbers(&book));
    // In memory too.
    let mut mem = Book::new_in_memory(Device::from_seed(7), &init()).unwrap();
    let d = donor(&mut mem);
    let mut numbers = issue(&mut mem, &d, 2);
    mem.mem_blobs.clear();
    mem.mem_seq = 1;
    numbers.extend(issue(&mut mem, &d, 2));
    assert_unique(&numbers);
}

// ----- hole 5: any load failure of a snapshot falls back to the previous one ------------

#[test]
fn fault_unloadable_snapshot_falls_back() {
    let (_tmp, dir) = new_dir();
    let mut book = Book::create(&dir, PW, fast(), &init()).unwrap();
    let a = book.add_household(household("3471131804080001")).unwrap();
    book.commit("a").unwrap();
    book.compact().unwrap();
    let b = book.add_household(household("3471131804080002")).unwrap();
    book.commit("b").unwrap();
    drop(book);
    // An authenticated snapshot that Automerge cannot load becomes the newest.
    let (mut store, _) = BookStore::open(&dir, PW).unwrap();
    store.compact(b"authenticated, but not an automerge document").unwrap();
    drop(store);
    let book = Book::open(&dir, PW).expect("the book must open from the previous snapshot");
    assert!(book.household(&a).unwrap().is_some());
    assert!(book.household(&b).unwrap().is_some());
    assert!(
        book.warnings().iter().any(|w| w.contains("snapshot-")),
        "{:?}",
        book.warnings()
    );
}

// ----- hole 4: a device blob rolled back to an older copy is detected -------------------

#[test]
fn fault_device_blob_rollback_detected() {
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    store.write_device("sync-peer", b"state 1").unwrap();
    let path = dir.join(DEVICE_DIR).join("sync-peer.rkn");
    let old = std::fs::read(&path).unwrap();
    store.write_device("sync-peer", b"state 2").unwrap();
    std::fs::write(&path, &old).unwrap();
    let err = store.read_device("sync-peer").unwrap_err();
    assert!(err.to_string().contains("sync-peer.rkn"), "{err}");
    assert!(err.to_string().contains("older copy"), "{err}");
    drop(store);
    // Also after a reopen; and a newer write clears it.
    let (mut store, _) = BookStore::open(&dir, PW).unwrap();
    assert!(store.read_device("sync-peer").is_err());
    store.write_device("sync-peer", b"state 3").unwrap();
    assert_eq!(store.read_device("sync-peer").unwrap().unwrap(), b"state 3");
}

// ----- hole 2: missing and unusable chunks are named, with the edits they hold back -----

#[test]
fn fault_missing_middle_chunk_is_reported() {
    let (_tmp, dir) = new_dir();
    let mut book = Book::create(&dir, PW, fast(), &init()).unwrap();
    let a = book.add_household(household("3471131804080001")).unwrap();
    book.commit("a").unwrap();
    let b = book.add_household(household("3471131804080002")).unwrap();
    book.commit("b").unwrap();
    let c = book.add_household(household("3471131804080003")).unwrap();
    book.commit("c").unwrap();
    drop(book);
    let mut chunks: Vec<String> = fsio::list_names(&RealFs, &dir.join(DOC_DIR))
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with(CHUNK_PREFIX))
        .collect();
    chunks.sort();
    assert_eq!(chunks.len(), 3, "{chunks:?}");
    let middle = dir.join(DOC_DIR).join(&chunks[1]);
    let saved = std::fs::read(&middle).unwrap();
    std::fs::remove_file(&middle).unwrap();

    let mut book = Book::open(&dir, PW).unwrap();
    let w = book.warnings().join("\n");
    assert!(w.contains(&chunks[1]) && w.contains("missing"), "{w}");
    assert!(w.contains(&chunks[2]) && w.contains("unavailable"), "{w}");
    assert!(book.household(&a).unwrap().is_some());
    assert!(book.household(&b).unwrap().is_none());
    // A compaction now must not drop the edits that wait for the missing ones.
    book.compact().unwrap();
    drop(book);
    std::fs::write(&middle, saved).unwrap();
    let book = Book::open(&dir, PW).unwrap();
    assert!(book.warnings().is_empty(), "{:?}", book.warnings());
    for id in [&a, &b, &c] {
        assert!(book.household(id).unwrap().is_some());
    }
}

#[test]
fn fault_damaged_middle_chunk_names_the_edits_it_holds_back() {
    let (_tmp, dir) = new_dir();
    let mut book = Book::create(&dir, PW, fast(), &init()).unwrap();
    for i in 1..=3 {
        book.add_household(household(&format!("347113180408000{i}"))).unwrap();
        book.commit("h").unwrap();
    }
    drop(book);
    let mut chunks: Vec<String> = fsio::list_names(&RealFs, &dir.join(DOC_DIR))
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with(CHUNK_PREFIX))
        .collect();
    chunks.sort();
    let middle = dir.join(DOC_DIR).join(&chunks[1]);
    let mut bytes = std::fs::read(&middle).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&middle, bytes).unwrap();
    let book = Book::open(&dir, PW).unwrap();
    let w = book.warnings().join("\n");
    assert!(w.contains(&chunks[1]), "{w}");
    assert!(w.contains(&chunks[2]) && w.contains("unavailable"), "{w}");
    assert_eq!(book.households().len(), 1);
}
