//! Fault-injection tests of the book store and the book on top of it (issue 15): every
//! test is named `fault_*`, so `cargo test -p rukun-model fault_` runs them as a group.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::replica::PeerSyncStates;
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
        no_kk: crate::rules::NoKk::from_stored(kk),
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
    assert_eq!(
        set.len(),
        numbers.len(),
        "a receipt number was used twice: {numbers:?}"
    );
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
    let err = store
        .change_passphrase(PW, "sandi baru", fast())
        .unwrap_err();
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
    store
        .compact(b"authenticated, but not an automerge document")
        .unwrap();
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
        book.add_household(household(&format!("347113180408000{i}")))
            .unwrap();
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

// ----- the crash-and-fault matrix ---------------------------------------------------------

/// A file of the reference data (`data/rw08` of the repository).
fn reference(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../data/rw08")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The header and the rows of households `skip..skip + households` (in file order) of the
/// population list.
fn penduduk_slice(skip: usize, households: usize) -> Vec<u8> {
    let text = String::from_utf8(reference("rw08-penduduk.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let mut kks: Vec<String> = Vec::new();
    for line in lines {
        let kk = line.split(',').next().unwrap_or_default().to_string();
        if kks.last() != Some(&kk) {
            kks.push(kk);
        }
        if kks.len() > skip + households {
            break;
        }
        if kks.len() > skip {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// The header and the first `n` rows of a CSV file.
fn head(bytes: &[u8], n: usize) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut out = String::new();
    for line in text.lines().take(n + 1) {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// What a book holds, as the strings an import reports saved ("person <nik>", "household
/// <kk>" for a surveyed household, "donor <kode>", "receipt <nomor>", "pmks <nik> <kode>",
/// "santunan <nik>") and receipt numbers.
fn contents(book: &Book) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut nik_of = BTreeMap::new();
    for (_, h) in book.households() {
        for (pid, p) in &h.anggota {
            let nik = crate::rules::or_blank(&p.nik).to_string();
            out.insert(format!("person {nik}"));
            nik_of.insert(pid.clone(), nik);
        }
        if !h.lantai.is_empty() {
            out.insert(format!("household {}", crate::rules::or_blank(&h.no_kk)));
        }
    }
    for (_, d) in book.donors() {
        out.insert(format!("donor {}", d.kode));
    }
    for (_, r) in book.receipts() {
        out.insert(format!("receipt {}", r.nomor));
        out.insert(r.nomor);
    }
    for (_, p) in book.pmks() {
        if let Some(nik) = p.person_id.as_ref().and_then(|id| nik_of.get(id)) {
            out.insert(format!("pmks {nik} {}", p.kode.code()));
        }
    }
    for (_, d) in book.disbursements() {
        out.insert(format!(
            "santunan {}",
            crate::rules::or_blank(&d.nik_penerima)
        ));
    }
    out
}

/// One step of a scenario.
#[derive(Debug, Clone)]
enum Step {
    /// Imports a CSV file (the rows reported saved are recorded).
    Import(ImportKind, Vec<u8>),
    /// Issues receipts in one form and commits.
    Receipts(usize),
    /// A peer takes a copy of the book (in memory, another device) and writes records of
    /// its own: the population rows given and three receipts. No I/O on this device.
    Fork(Vec<u8>),
    /// A whole sync session with the peer, as the Sinkron screen runs it.
    Sync,
    /// A compaction.
    Compact,
    /// `rukun passphrase --rotate` (the book closed first), then the book is opened with
    /// the passphrase that is now current.
    Rotate,
}

/// The scenario of the matrix: about 10 households and 10 donors of the reference data,
/// 50 receipts in five forms of ten, a sync with a peer that wrote two households and three
/// receipts of its own, a compaction, a key rotation, five more receipts, a compaction.
fn small_scenario() -> Vec<Step> {
    let mut steps = vec![
        Step::Import(ImportKind::Penduduk, penduduk_slice(0, 10)),
        Step::Import(ImportKind::Donatur, head(&reference("donatur.csv"), 10)),
        Step::Fork(penduduk_slice(10, 2)),
    ];
    steps.extend(std::iter::repeat_n(Step::Receipts(10), 5));
    steps.extend([
        Step::Sync,
        Step::Compact,
        Step::Rotate,
        Step::Receipts(5),
        Step::Compact,
    ]);
    steps
}

/// The passphrase a rotation switches to.
const NEW_PW: &str = "kata sandi yang baru";

/// The peer of a scenario: another device's book in memory, and both sides' sync states.
#[derive(Debug)]
struct Peer {
    book: Book,
    /// The peer's sync states (with this device).
    states: PeerSyncStates,
    /// This device's sync states (with the peer).
    ours: PeerSyncStates,
}

/// How a key rotation of a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rotation {
    /// Not attempted (the run stopped before).
    NotTried,
    /// Completed: the new passphrase opens the book.
    Done,
    /// Failed with an error that leaves the old book (the old passphrase opens it).
    FailedOld,
    /// Failed after the book was set aside: the next open finishes it (new passphrase).
    Pending,
}

/// How a run went.
#[derive(Debug)]
struct Run {
    /// Everything reported saved (import callbacks, committed receipts, what a sync
    /// brought in before it acknowledged).
    saved: BTreeSet<String>,
    /// Every receipt number handed out as issued and saved.
    numbers: Vec<String>,
    /// The error the run stopped with, if any.
    error: Option<String>,
    /// Whether the book folder was created (header and device key written).
    created: bool,
    /// The passphrase that opens the book as far as the run got.
    pw: &'static str,
    /// What the key rotation did.
    rotation: Rotation,
    /// The peer, once forked.
    peer: Option<Peer>,
    /// Whether a sync with the peer completed.
    synced: bool,
}

impl Default for Run {
    fn default() -> Self {
        Run {
            saved: BTreeSet::new(),
            numbers: Vec::new(),
            error: None,
            created: false,
            pw: PW,
            rotation: Rotation::NotTried,
            peer: None,
            synced: false,
        }
    }
}

/// The peer's device.
fn peer_device() -> Device {
    Device::from_seed(9)
}

/// A book's first donor, or a new one (committed and recorded as saved).
fn some_donor(book: &mut Book, run: &mut Run) -> Result<String, String> {
    if let Some((id, _)) = book.donors().into_iter().next() {
        return Ok(id);
    }
    let (id, kode) = book
        .add_new_donor(crate::Donor {
            nama: "Hartono".into(),
            rt: 27,
            ..Default::default()
        })
        .map_err(|e| e.to_string())?;
    book.commit("donor").map_err(|e| e.to_string())?;
    run.saved.insert(format!("donor {kode}"));
    Ok(id)
}

/// One sync session between `book` and `peer`, messages both ways until neither has
/// anything to send, then both end the session. After each message this device applied
/// (written before it returns), everything in its book counts as saved. The first error
/// on this device's side ends it.
fn sync_session(
    book: &mut Book,
    peer: &mut Peer,
    mut saved: Option<&mut BTreeSet<String>>,
) -> Result<(), String> {
    let (a_id, b_id) = (book.member_id().clone(), peer.book.member_id().clone());
    let mut exchange = || -> Result<(), String> {
        for _ in 0..30 {
            let to_a = peer
                .book
                .generate_sync_message(&mut peer.states, &a_id)
                .unwrap();
            if let Some(m) = &to_a {
                book.receive_sync_message(&mut peer.ours, &b_id, m)
                    .map_err(|e| e.to_string())?;
                if let Some(saved) = saved.as_deref_mut() {
                    saved.extend(contents(book));
                }
            }
            let to_b = book
                .generate_sync_message(&mut peer.ours, &b_id)
                .map_err(|e| e.to_string())?;
            if let Some(m) = &to_b {
                peer.book
                    .receive_sync_message(&mut peer.states, &a_id, m)
                    .unwrap();
            }
            if to_a.is_none() && to_b.is_none() {
                return book
                    .end_sync_session(&mut peer.ours, &b_id)
                    .map_err(|e| e.to_string());
            }
        }
        Err("the sync did not finish in 30 rounds".to_string())
    };
    let result = exchange();
    // The peer ends its side whatever happened here (a cut session is resent in full by
    // the next one); after an error this device's in-flight state is gone with the app.
    peer.book.end_sync_session(&mut peer.states, &a_id).unwrap();
    if result.is_err() {
        peer.ours = PeerSyncStates::new();
    }
    result?;
    if let Some(saved) = saved {
        saved.extend(contents(book));
    }
    Ok(())
}

/// Closes `book` (its lock goes, as when the app stops), leaving an in-memory placeholder.
fn close(book: &mut Book) {
    let placeholder = Book::new_in_memory(Device::from_seed(0), &init()).unwrap();
    drop(std::mem::replace(book, placeholder));
}

/// Runs one step; the first error ends it.
fn run_step(
    book: &mut Book,
    step: &Step,
    run: &mut Run,
    dir: &Path,
    io: &Arc<FaultFs>,
) -> Result<(), String> {
    match step {
        Step::Import(kind, bytes) => {
            let mut reported = Vec::new();
            let result = import_csv(book, *kind, bytes, &mut |s| reported.push(s.what.clone()));
            run.saved.extend(reported);
            result.map(|_| ()).map_err(|e| e.to_string())
        }
        Step::Receipts(n) => {
            // A donor import stopped by an earlier fault: the receipts go to a new donor.
            let donor_id = some_donor(book, run)?;
            let issued = book
                .issue_receipts(&drafts(&donor_id, *n))
                .map_err(|e| e.to_string())?;
            book.commit("kuitansi").map_err(|e| e.to_string())?;
            for (_, r) in issued {
                run.saved.insert(r.nomor.clone());
                run.numbers.push(r.nomor);
            }
            Ok(())
        }
        Step::Fork(rows) => {
            let mut other = book.replica_for(peer_device());
            import_csv(&mut other, ImportKind::Penduduk, rows, &mut |_| {}).unwrap();
            let donor_id = match other.donors().into_iter().next() {
                Some((id, _)) => id,
                None => donor(&mut other),
            };
            issue(&mut other, &donor_id, 3);
            run.peer = Some(Peer {
                book: other,
                states: PeerSyncStates::new(),
                ours: PeerSyncStates::new(),
            });
            Ok(())
        }
        Step::Sync => {
            let mut peer = run.peer.take().expect("the scenario forks before it syncs");
            let result = sync_session(book, &mut peer, Some(&mut run.saved));
            run.peer = Some(peer);
            result?;
            run.synced = true;
            Ok(())
        }
        Step::Compact => book.compact().map_err(|e| e.to_string()),
        Step::Rotate => {
            close(book);
            let rotated = Book::rotate_key_until(
                dir,
                run.pw,
                NEW_PW,
                fast(),
                &mut |_, _, _| {},
                RotateStop::Never,
                io.clone(),
            );
            run.rotation = match &rotated {
                Ok(()) => Rotation::Done,
                Err(crate::BookError::Storage(StorageError::RotationPending { .. })) => {
                    Rotation::Pending
                }
                Err(_) => Rotation::FailedOld,
            };
            if matches!(run.rotation, Rotation::Done | Rotation::Pending) {
                run.pw = NEW_PW;
            }
            rotated.map_err(|e| e.to_string())?;
            *book = Book::open_with_io(dir, run.pw, io.clone()).map_err(|e| e.to_string())?;
            Ok(())
        }
    }
}

/// Runs `steps` on a new book in `dir` through `io`, stopping at the first error (or, with
/// `stop_at_fault`, after the step in which a fault fired, as a crash there would).
fn run_scenario(dir: &Path, io: &Arc<FaultFs>, steps: &[Step], stop_at_fault: bool) -> Run {
    let mut run = Run::default();
    let mut book = match Book::create_with_io(dir, PW, fast(), &init(), io.clone()) {
        Ok(b) => b,
        Err(e) => {
            run.error = Some(e.to_string());
            return run;
        }
    };
    run.created = true;
    for step in steps {
        if let Err(e) = run_step(&mut book, step, &mut run, dir, io) {
            run.error = Some(e);
            return run;
        }
        if stop_at_fault && !io.fired().is_empty() {
            return run;
        }
    }
    run
}

/// What the checks after the runs saw, for the test output.
#[derive(Debug, Default)]
struct Tally {
    runs: usize,
    stopped: usize,
    opened_with_old: usize,
    opened_with_new: usize,
    rotation_failed: usize,
    rotation_pending: usize,
    synced_again: usize,
}

/// After a run: the error (if any) names a file of the book or the injected fault; the
/// book opens with the passphrase current as far as the run got (the old one unless the
/// rotation completed, or failed after setting the book aside) and not with the other;
/// nothing a rotation left stays beside it; it holds everything reported saved; a new sync
/// with the peer converges; five more receipts can be issued and no receipt number is used
/// twice.
fn check_after(dir: &Path, run: &mut Run, what: &str, tally: &mut Tally) {
    tally.runs += 1;
    if let Some(e) = &run.error {
        tally.stopped += 1;
        let d = dir.display().to_string();
        assert!(
            e.contains(&d) || e.contains("injected"),
            "{what}: unclear error: {e}"
        );
    }
    match run.rotation {
        Rotation::FailedOld => tally.rotation_failed += 1,
        Rotation::Pending => tally.rotation_pending += 1,
        _ => {}
    }
    if !run.created {
        assert!(run.saved.is_empty(), "{what}");
        return;
    }
    // A fresh injector with no fault planned: the real files, without the real fsyncs.
    let other = if run.pw == PW { NEW_PW } else { PW };
    match Book::open_with_io(dir, other, faulty()) {
        Err(crate::BookError::Storage(StorageError::WrongPassphrase { .. })) => {}
        Err(e) => panic!("{what}: opening with the other passphrase: {e}"),
        Ok(_) => panic!(
            "{what}: both passphrases open the book (rotation {:?})",
            run.rotation
        ),
    }
    let mut book = Book::open_with_io(dir, run.pw, faulty()).unwrap_or_else(|e| {
        panic!(
            "{what}: the book does not open with the {} passphrase (rotation {:?}): {e}",
            if run.pw == PW { "old" } else { "new" },
            run.rotation
        )
    });
    if run.pw == PW {
        tally.opened_with_old += 1;
    } else {
        tally.opened_with_new += 1;
    }
    let (staging, old) = rotation_dirs(dir);
    assert!(
        !staging.exists() && !old.exists(),
        "{what}: a rotation's folders were left"
    );
    let present = contents(&book);
    let lost: Vec<&String> = run.saved.difference(&present).collect();
    assert!(
        lost.is_empty(),
        "{what}: reported saved but lost: {lost:?} (error {:?})",
        run.error
    );
    assert_unique(&run.numbers);
    if let Some(peer) = run.peer.as_mut() {
        // The next sync (from this device's saved sync state) brings both books together.
        sync_session(&mut book, peer, None)
            .unwrap_or_else(|e| panic!("{what}: the next sync fails: {e}"));
        let mut mine = book.doc.get_heads();
        let mut theirs = peer.book.doc.get_heads();
        mine.sort();
        theirs.sort();
        assert_eq!(mine, theirs, "{what}: the next sync did not converge");
        tally.synced_again += 1;
    }
    let donor_id = match book.donors().into_iter().next() {
        Some((id, _)) => id,
        None => donor(&mut book),
    };
    issue(&mut book, &donor_id, 5);
    assert_unique(&all_numbers(&book));
    let mine: Vec<String> = all_numbers(&book);
    for n in &run.numbers {
        assert!(mine.contains(n), "{what}: receipt {n} lost");
    }
}

/// The calls of a clean run of `steps`, checked.
fn clean_calls(steps: &[Step], receipts: usize) -> Vec<Op> {
    let (_tmp, dir) = new_dir();
    let io = faulty();
    let mut clean = run_scenario(&dir, &io, steps, false);
    assert_eq!(clean.error, None);
    assert_eq!(clean.numbers.len(), receipts);
    assert_eq!(clean.rotation, Rotation::Done);
    assert!(clean.synced);
    let calls = io.log();
    check_after(&dir, &mut clean, "no fault", &mut Tally::default());
    calls
}

/// The calls of the matrix scenario, counted once per test process.
fn matrix_calls() -> &'static (Vec<Step>, Vec<Op>) {
    static CALLS: std::sync::OnceLock<(Vec<Step>, Vec<Op>)> = std::sync::OnceLock::new();
    CALLS.get_or_init(|| {
        let steps = small_scenario();
        let calls = clean_calls(&steps, 55);
        (steps, calls)
    })
}

/// The matrix, for the calls whose index is `part` modulo `parts` (split so that no test
/// runs long; together the parts cover every call with every fault kind).
fn matrix_part(part: usize, parts: usize) {
    let (steps, calls) = matrix_calls();
    let mut per_op: BTreeMap<Op, usize> = BTreeMap::new();
    for op in calls {
        *per_op.entry(*op).or_default() += 1;
    }
    let mut tally = Tally::default();
    let mut by_kind: BTreeMap<FaultKind, usize> = BTreeMap::new();
    for (index, op) in calls.iter().enumerate().skip(part).step_by(parts) {
        for &kind in FaultKind::for_op(*op) {
            let (_tmp, dir) = new_dir();
            let io = faulty();
            io.at_call(index, kind);
            let mut run = run_scenario(&dir, &io, steps, false);
            let fired = io.fired();
            assert_eq!(fired.len(), 1, "call {index} {op:?} {kind:?}: {fired:?}");
            assert_eq!(
                fired[0].1, *op,
                "call {index}: the scenario's calls changed"
            );
            check_after(
                &dir,
                &mut run,
                &format!("call {index} {op:?} {kind:?}"),
                &mut tally,
            );
            *by_kind.entry(kind).or_default() += 1;
        }
    }
    println!(
        "fault matrix part {part}/{parts}: the scenario (import ~10 households and 10 donors, 50 receipts, sync with a peer, compact, rotate the key, 5 receipts, compact) makes {} I/O calls ({per_op:?}); this part injected one fault in each of {} runs ({by_kind:?}): {} stopped with a clear error, {} completed; the book then opened with the old passphrase after {} runs and with the new one after {} (only that one; rotation failed and left the old book {} times, finished at the next open {} times); every book held all it reported saved, synced again with the peer ({}), and no receipt number was used twice",
        calls.len(),
        tally.runs,
        tally.stopped,
        tally.runs - tally.stopped,
        tally.opened_with_old,
        tally.opened_with_new,
        tally.rotation_failed,
        tally.rotation_pending,
        tally.synced_again,
    );
    assert!(tally.runs >= calls.len() / parts);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_0() {
    matrix_part(0, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_1() {
    matrix_part(1, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_2() {
    matrix_part(2, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_3() {
    matrix_part(3, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_4() {
    matrix_part(4, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_5() {
    matrix_part(5, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_6() {
    matrix_part(6, 8);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_7() {
    matrix_part(7, 8);
}

/// Rows `skip..skip + n` of a CSV file, with its header.
fn rows(bytes: &[u8], skip: usize, n: usize) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines.skip(skip).take(n) {
        out.push_str(line);
        out.push('\n');
    }
    out.into_bytes()
}

/// The scenario over the full reference data: the six files of `data/rw08` (858 people in
/// 238 households, their survey, 70 donors, 795 iuran receipts, 61 PMKS, 132 santunan),
/// each imported in pieces of about 100 rows (40 households) as separate imports, each
/// compacted after it as `rukun import` does (so that a run can start from the book as any
/// piece left it, and open it quickly), then as the matrix: 50 receipts, a sync with a peer that wrote
/// three receipts, a compaction, a key rotation, five more receipts, a compaction.
fn full_scenario() -> Vec<Step> {
    let mut steps = Vec::new();
    for skip in (0..238).step_by(40) {
        steps.push(Step::Import(ImportKind::Penduduk, penduduk_slice(skip, 40)));
        steps.push(Step::Compact);
    }
    for (kind, file, count) in [
        (ImportKind::Survei, "rw08-survei-rumah.csv", 238),
        (ImportKind::Donatur, "donatur.csv", 70),
        (ImportKind::Iuran, "iuran-2025.csv", 795),
        (ImportKind::Pmks, "pmks-2025.csv", 61),
        (ImportKind::Santunan, "santunan-2025.csv", 132),
    ] {
        let bytes = reference(file);
        for skip in (0..count).step_by(100) {
            steps.push(Step::Import(kind, rows(&bytes, skip, 100)));
            steps.push(Step::Compact);
        }
    }
    steps.push(Step::Fork(penduduk_slice(238, 0)));
    steps.extend(std::iter::repeat_n(Step::Receipts(10), 5));
    steps.extend([
        Step::Sync,
        Step::Compact,
        Step::Rotate,
        Step::Receipts(5),
        Step::Compact,
    ]);
    steps
}

/// A book folder's files (all but the lock), to put back in another folder.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// Reads every file of the book folder `dir` but its lock.
fn capture(dir: &Path) -> Files {
    let mut out = Vec::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(rel) = folders.pop() {
        for entry in std::fs::read_dir(dir.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let name = rel.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                folders.push(name);
            } else if entry.file_name() != LOCK_FILE {
                out.push((name, std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    out
}

/// Writes `files` into the new book folder `dir`.
fn restore(files: &Files, dir: &Path) {
    for sub in [DOC_DIR, DEVICE_DIR] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for (rel, bytes) in files {
        std::fs::write(dir.join(rel), bytes).unwrap();
    }
}

/// The clean run of the full scenario just before one of its steps.
struct Checkpoint {
    /// The number of I/O calls made before the step.
    first_call: usize,
    /// The book folder.
    files: Files,
    /// What the run had reported saved, and the receipt numbers it had issued.
    saved: BTreeSet<String>,
    numbers: Vec<String>,
    /// The current passphrase and how far the rotation went.
    pw: &'static str,
    rotation: Rotation,
    synced: bool,
    /// The peer's document, once forked.
    peer_doc: Option<Vec<u8>>,
}

/// The full scenario, run once without a fault (checked), with the state before each step
/// kept so that a run with a fault at call N starts at the step that makes call N instead
/// of importing everything before it again.
struct FullPlan {
    steps: Vec<Step>,
    checkpoints: Vec<Checkpoint>,
    /// The I/O calls of the clean run.
    calls: usize,
    /// How long the clean run (with its checks) took.
    clean: std::time::Duration,
}

/// The plan of the full scenario, made once per test process (the parts share it).
fn full_plan() -> &'static FullPlan {
    static PLAN: std::sync::OnceLock<FullPlan> = std::sync::OnceLock::new();
    PLAN.get_or_init(|| {
        let started = std::time::Instant::now();
        let steps = full_scenario();
        let (_tmp, dir) = new_dir();
        let io = faulty();
        let mut run = Run {
            created: true,
            ..Run::default()
        };
        let mut book = Book::create_with_io(&dir, PW, fast(), &init(), io.clone()).unwrap();
        let mut checkpoints = Vec::with_capacity(steps.len());
        for step in &steps {
            checkpoints.push(Checkpoint {
                first_call: io.log().len(),
                files: capture(&dir),
                saved: run.saved.clone(),
                numbers: run.numbers.clone(),
                pw: run.pw,
                rotation: run.rotation,
                synced: run.synced,
                peer_doc: run.peer.as_mut().map(|p| p.book.save_document()),
            });
            run_step(&mut book, step, &mut run, &dir, &io).unwrap();
        }
        drop(book);
        assert_eq!(run.numbers.len(), 55);
        assert_eq!(run.rotation, Rotation::Done);
        assert!(run.synced);
        assert!(run.saved.len() > 2900, "{}", run.saved.len());
        let calls = io.log().len();
        check_after(&dir, &mut run, "full data, no fault", &mut Tally::default());
        FullPlan {
            steps,
            checkpoints,
            calls,
            clean: started.elapsed(),
        }
    })
}

/// One run of the full scenario with a fault at the clean run's call `call`, of the kind
/// `pick` selects: from the checkpoint before the step that makes that call, the book is
/// opened (without fault), the fault is planned at the same place within the step, and
/// the run stops after the step in which it fired (or at the first error). A call of the
/// book's creation runs from the start.
fn resumed_run(plan: &FullPlan, call: usize, pick: usize, dir: &Path) -> (Run, Arc<FaultFs>) {
    let Some(at) = plan.checkpoints.iter().rposition(|c| c.first_call <= call) else {
        // A call made while the book is created: a run from the start.
        let io = faulty();
        io.at_call_pick(call, pick);
        return (run_scenario(dir, &io, &plan.steps, true), io);
    };
    let cp = &plan.checkpoints[at];
    restore(&cp.files, dir);
    let mut run = Run {
        saved: cp.saved.clone(),
        numbers: cp.numbers.clone(),
        created: true,
        pw: cp.pw,
        rotation: cp.rotation,
        synced: cp.synced,
        peer: cp.peer_doc.as_ref().map(|d| Peer {
            book: Book::from_document_bytes(peer_device(), d).unwrap(),
            states: PeerSyncStates::new(),
            ours: PeerSyncStates::new(),
        }),
        ..Run::default()
    };
    let io = faulty();
    let mut book = Book::open_with_io(dir, run.pw, io.clone()).unwrap();
    io.at_call_pick(io.log().len() + (call - cp.first_call), pick);
    for step in &plan.steps[at..] {
        if let Err(e) = run_step(&mut book, step, &mut run, dir, &io) {
            run.error = Some(e);
            break;
        }
        if !io.fired().is_empty() {
            break;
        }
    }
    drop(book);
    (run, io)
}

/// A quarter of the 200 seeded random faults over the full reference data (the parts run
/// in parallel; each draws from its own seed until 50 faults have fired).
fn random_full_part(part: u64) {
    let started = std::time::Instant::now();
    let plan = full_plan();
    let waited = started.elapsed();
    let mut rng = fastrand::Rng::with_seed(15 + part);
    let mut tally = Tally::default();
    let mut by_fault: BTreeMap<(Op, FaultKind), usize> = BTreeMap::new();
    let mut faults = 0;
    while faults < 50 {
        let call = rng.usize(..plan.calls);
        let pick = rng.usize(..6);
        let (_tmp, dir) = new_dir();
        let (mut run, io) = resumed_run(plan, call, pick, &dir);
        let fired = io.fired();
        assert!(fired.len() <= 1, "{fired:?}");
        check_after(
            &dir,
            &mut run,
            &format!("part {part}, clean call {call} ({fired:?})"),
            &mut tally,
        );
        for (_, op, kind) in fired {
            *by_fault.entry((op, kind)).or_default() += 1;
            faults += 1;
        }
    }
    println!(
        "seeded random faults over the full reference data, part {part}/4 (seed {}): the scenario (data/rw08: 858 people, 238 surveyed households, 70 donors, 795 iuran, 61 PMKS, 132 santunan, in {} imports; 50 receipts, sync, compact, rotate, 5 receipts, compact) makes {} I/O calls (clean run and checks {:.1?}); {faults} faults fired ({by_fault:?}) in {} runs, each from the checkpoint before the step of its call and stopped after that step: {} stopped with a clear error, {} completed; the book then opened with the old passphrase {} times and with the new one {} times (only that one), held all it reported saved, synced again with the peer {} times, and no receipt number was used twice; {:.1?} (of which {:.1?} waiting for the clean run)",
        15 + part,
        plan.steps
            .iter()
            .filter(|s| matches!(s, Step::Import(..)))
            .count(),
        plan.calls,
        plan.clean,
        tally.runs,
        tally.stopped,
        tally.runs - tally.stopped,
        tally.opened_with_old,
        tally.opened_with_new,
        tally.synced_again,
        started.elapsed(),
        waited,
    );
    assert_eq!(faults, 50);
}

#[test]
fn fault_random_200_seeded_full_data_part_0() {
    random_full_part(0);
}

#[test]
fn fault_random_200_seeded_full_data_part_1() {
    random_full_part(1);
}

#[test]
fn fault_random_200_seeded_full_data_part_2() {
    random_full_part(2);
}

#[test]
fn fault_random_200_seeded_full_data_part_3() {
    random_full_part(3);
}

// ----- a device that runs out of space while syncing ----------------------------------------

/// Storage fills up in the middle of a sync: the receiving device is told how much it
/// needs (a typed `Full` error the screens turn into "penyimpanan penuh"), its book on disk
/// and its saved sync state stay as they were, and once space is free the next sync brings
/// everything.
#[test]
fn fault_disk_full_during_sync_keeps_the_book_and_its_sync_state() {
    let (_tmp, dir) = new_dir();
    let fs = faulty();
    let mut a = Book::create_with_io(&dir, PW, fast(), &init(), fs.clone()).unwrap();
    let mut b = a.replica_for(Device::from_seed(9));
    let (a_id, b_id) = (a.member_id().clone(), b.member_id().clone());
    for i in 0..20 {
        b.add_household(household(&format!("34711318040800{i:02}")))
            .unwrap();
    }
    b.commit("survey").unwrap();
    let (mut sa, mut sb) = (PeerSyncStates::new(), PeerSyncStates::new());
    // A first sync that completes, so A has a saved sync state with B.
    let exchange =
        |a: &mut Book, b: &mut Book, sa: &mut PeerSyncStates, sb: &mut PeerSyncStates| {
            let mut first_err = None;
            for _ in 0..10 {
                let to_a = b.generate_sync_message(sb, &a_id).unwrap();
                if let Some(m) = &to_a
                    && let Err(e) = a.receive_sync_message(sa, &b_id, m)
                {
                    first_err.get_or_insert(e);
                    break;
                }
                let to_b = a.generate_sync_message(sa, &b_id).unwrap();
                if let Some(m) = &to_b {
                    b.receive_sync_message(sb, &a_id, m).unwrap();
                }
                if to_a.is_none() && to_b.is_none() {
                    break;
                }
            }
            if first_err.is_none()
                && let Err(e) = a.end_sync_session(sa, &b_id)
            {
                first_err = Some(e);
            }
            b.end_sync_session(sb, &a_id).unwrap();
            first_err
        };
    assert!(exchange(&mut a, &mut b, &mut sa, &mut sb).is_none());
    let saved_state = a
        .read_device_blob(&format!("sync-{}", b_id.as_str()))
        .unwrap();
    assert!(saved_state.is_some());
    let households_before = a.households().len();
    assert_eq!(households_before, 20);

    // B writes more; A's storage is full for every write from now on.
    for i in 20..40 {
        b.add_household(household(&format!("34711318040800{i:02}")))
            .unwrap();
    }
    b.commit("more").unwrap();
    for n in 0..50 {
        fs.at_next(Op::Write, n, FaultKind::Short);
    }
    let err = exchange(&mut a, &mut b, &mut sa, &mut sb).expect("the full disk is reported");
    match &err {
        crate::BookError::Storage(StorageError::Full { needed, .. }) => assert!(*needed > 0),
        other => panic!("expected a typed Full error, got {other:?}"),
    }
    drop(a);

    // On disk: the book opens as before the failed sync, with the same sync state.
    let mut a = Book::open(&dir, PW).unwrap();
    assert_eq!(a.households().len(), households_before);
    assert_eq!(
        a.read_device_blob(&format!("sync-{}", b_id.as_str()))
            .unwrap(),
        saved_state,
        "the saved sync state is the one before the failed sync"
    );
    // Space is free again: the next sync brings everything.
    let mut sa = PeerSyncStates::new();
    assert!(exchange(&mut a, &mut b, &mut sa, &mut sb).is_none());
    assert_eq!(a.households().len(), 40);
    drop(a);
    assert_eq!(Book::open(&dir, PW).unwrap().households().len(), 40);
}

// ----- hole 6: a passphrase change that rotates the key -------------------------------------

/// A book with a household and a receipt; returns its member id and receipt numbers.
fn rotation_book(dir: &Path) -> (crate::MemberId, Vec<String>) {
    let mut book = Book::create(dir, PW, fast(), &init()).unwrap();
    book.add_household(household("3471131804080001")).unwrap();
    book.commit("survey").unwrap();
    let d = donor(&mut book);
    let numbers = issue(&mut book, &d, 3);
    (book.member_id().clone(), numbers)
}

/// After `rukun passphrase --rotate` the new passphrase opens the same book (same device,
/// records, receipt sequence), the old one does not, and an old copy of `header.json` put
/// back with the old passphrase opens nothing: every file is under the new key.
#[test]
fn fault_rotated_key_leaves_an_old_header_useless() {
    let (_tmp, dir) = new_dir();
    let (member, numbers) = rotation_book(&dir);
    let old_header = std::fs::read(dir.join("header.json")).unwrap();
    let mut steps = Vec::new();
    Book::rotate_key(&dir, PW, NEW_PW, fast(), &mut |done, total, what| {
        steps.push((done, total, what.to_string()))
    })
    .unwrap();
    assert!(steps.len() >= 4, "{steps:?}");
    let mut book = Book::open(&dir, NEW_PW).unwrap();
    assert_eq!(book.member_id(), &member, "the same device");
    assert_eq!(book.households().len(), 1);
    let d = book.donors()[0].0.clone();
    let mut all = numbers.clone();
    all.extend(issue(&mut book, &d, 2));
    assert_unique(&all);
    drop(book);
    assert!(
        Book::open(&dir, PW).is_err(),
        "the old passphrase no longer opens it"
    );
    std::fs::write(dir.join("header.json"), &old_header).unwrap();
    let err = Book::open(&dir, PW).expect_err("an old header opens nothing");
    assert!(!err.to_string().is_empty());
    let (staging, old) = rotation_dirs(&dir);
    assert!(!staging.exists() && !old.exists());
    assert!(
        !dir.join(ROTATION_COMPLETE).exists(),
        "the marker is not left in the book"
    );
}

/// A crash at each step of the switch leaves exactly one book, opened by the old
/// passphrase before the switch and by the new one after it; the next open clears what
/// the rotation left.
#[test]
fn fault_rotation_interrupted_at_each_step_leaves_one_book() {
    for (stop, opens_with) in [
        (RotateStop::BeforeSwitch, PW),
        (RotateStop::BetweenRenames, NEW_PW),
        (RotateStop::BeforeCleanup, NEW_PW),
    ] {
        let (_tmp, dir) = new_dir();
        let (member, numbers) = rotation_book(&dir);
        Book::rotate_key_until(
            &dir,
            PW,
            NEW_PW,
            fast(),
            &mut |_, _, _| {},
            stop,
            Arc::new(RealFs),
        )
        .unwrap();
        let wrong = if opens_with == PW { NEW_PW } else { PW };
        assert!(
            Book::open(&dir, wrong).is_err(),
            "{stop:?}: {wrong} opened it"
        );
        let book = Book::open(&dir, opens_with).unwrap();
        assert_eq!(book.member_id(), &member, "{stop:?}");
        assert_eq!(all_numbers(&book).len(), numbers.len(), "{stop:?}");
        let (staging, old) = rotation_dirs(&dir);
        assert!(!staging.exists() && !old.exists(), "{stop:?}: leftovers");
        assert!(
            !dir.join(ROTATION_COMPLETE).exists(),
            "{stop:?}: marker left"
        );
    }
}
