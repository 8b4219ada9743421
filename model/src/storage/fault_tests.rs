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

/// The header and the rows of the first `households` households of the population list.
fn penduduk_slice(households: usize) -> Vec<u8> {
    let text = String::from_utf8(reference("rw08-penduduk.csv")).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    let mut kks = BTreeSet::new();
    for line in lines {
        let kk = line.split(',').next().unwrap_or_default().to_string();
        if !kks.contains(&kk) && kks.len() == households {
            break;
        }
        kks.insert(kk);
        out.push_str(line);
        out.push('\n');
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

/// What a book holds, as the strings an import reports saved ("person <nik>", "donor
/// <kode>") and receipt numbers.
fn contents(book: &Book) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, h) in book.households() {
        for p in h.anggota.values() {
            out.insert(format!("person {}", crate::rules::or_blank(&p.nik)));
        }
    }
    for (_, d) in book.donors() {
        out.insert(format!("donor {}", d.kode));
    }
    for (_, r) in book.receipts() {
        out.insert(r.nomor);
    }
    out
}

/// One step of the scenario.
#[derive(Debug, Clone)]
enum Step {
    Import(ImportKind, Vec<u8>),
    Receipts(usize),
    Compact,
    Reopen,
}

/// The scenario of the matrix: ~10 households and 10 donors of the reference data, 50
/// receipts in five forms of ten, a compaction, a reopen, five more receipts, a compaction.
fn small_scenario() -> Vec<Step> {
    let mut steps = vec![
        Step::Import(ImportKind::Penduduk, penduduk_slice(10)),
        Step::Import(ImportKind::Donatur, head(&reference("donatur.csv"), 10)),
    ];
    steps.extend(std::iter::repeat_n(Step::Receipts(10), 5));
    steps.extend([
        Step::Compact,
        Step::Reopen,
        Step::Receipts(5),
        Step::Compact,
    ]);
    steps
}

/// How a run went.
#[derive(Debug, Default)]
struct Run {
    /// Everything reported saved (import callbacks, committed receipts).
    saved: BTreeSet<String>,
    /// Every receipt number handed out as issued and saved.
    numbers: Vec<String>,
    /// The error the run stopped with, if any.
    error: Option<String>,
    /// Whether the book folder was created (header and device key written).
    created: bool,
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
            let donor_id = match book.donors().into_iter().next() {
                Some((id, _)) => id,
                None => {
                    let (id, kode) = book
                        .add_new_donor(crate::Donor {
                            nama: "Hartono".into(),
                            rt: 27,
                            ..Default::default()
                        })
                        .map_err(|e| e.to_string())?;
                    book.commit("donor").map_err(|e| e.to_string())?;
                    run.saved.insert(format!("donor {kode}"));
                    id
                }
            };
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
        Step::Compact => book.compact().map_err(|e| e.to_string()),
        Step::Reopen => {
            // The old book (and its lock) goes first, as when the app restarts.
            let placeholder = Book::new_in_memory(Device::from_seed(0), &init()).unwrap();
            drop(std::mem::replace(book, placeholder));
            let reopened = Book::open_with_io(dir, PW, io.clone()).map_err(|e| e.to_string());
            *book = reopened?;
            Ok(())
        }
    }
}

/// Runs `steps` on a new book in `dir` through `io`, stopping at the first error.
fn run_scenario(dir: &Path, io: &Arc<FaultFs>, steps: &[Step]) -> Run {
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
    }
    run
}

/// After a run: the error (if any) names a file of the book; the book opens with the real
/// file system and holds everything reported saved; five more receipts can be issued and
/// no receipt number is used twice.
fn check_after(dir: &Path, run: &Run, what: &str) {
    if let Some(e) = &run.error {
        let d = dir.display().to_string();
        assert!(
            e.contains(&d) || e.contains("injected"),
            "{what}: unclear error: {e}"
        );
    }
    if !run.created {
        assert!(run.saved.is_empty(), "{what}");
        return;
    }
    // A fresh injector with no fault planned: the real files, without the real fsyncs.
    let mut book = Book::open_with_io(dir, PW, faulty())
        .unwrap_or_else(|e| panic!("{what}: the book does not open: {e}"));
    let present = contents(&book);
    let lost: Vec<&String> = run.saved.difference(&present).collect();
    assert!(
        lost.is_empty(),
        "{what}: reported saved but lost: {lost:?} (error {:?})",
        run.error
    );
    assert_unique(&run.numbers);
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
fn clean_calls(steps: &[Step]) -> Vec<Op> {
    let (_tmp, dir) = new_dir();
    let io = faulty();
    let clean = run_scenario(&dir, &io, steps);
    assert_eq!(clean.error, None);
    assert_eq!(clean.numbers.len(), 55);
    check_after(&dir, &clean, "no fault");
    io.log()
}

/// The matrix, for the calls whose index is `part` modulo `parts` (split so that no test
/// runs long; together the parts cover every call with every fault kind).
fn matrix_part(part: usize, parts: usize) {
    let steps = small_scenario();
    let calls = clean_calls(&steps);
    let mut per_op: BTreeMap<Op, usize> = BTreeMap::new();
    for op in &calls {
        *per_op.entry(*op).or_default() += 1;
    }
    let mut runs = 0;
    let mut stopped = 0;
    let mut by_kind: BTreeMap<FaultKind, usize> = BTreeMap::new();
    for (index, op) in calls.iter().enumerate().skip(part).step_by(parts) {
        for &kind in FaultKind::for_op(*op) {
            let (_tmp, dir) = new_dir();
            let io = faulty();
            io.at_call(index, kind);
            let run = run_scenario(&dir, &io, &steps);
            let fired = io.fired();
            assert_eq!(fired.len(), 1, "call {index} {op:?} {kind:?}: {fired:?}");
            assert_eq!(
                fired[0].1, *op,
                "call {index}: the scenario's calls changed"
            );
            check_after(&dir, &run, &format!("call {index} {op:?} {kind:?}"));
            runs += 1;
            stopped += usize::from(run.error.is_some());
            *by_kind.entry(kind).or_default() += 1;
        }
    }
    println!(
        "fault matrix part {part}/{parts}: the scenario makes {} I/O calls ({per_op:?}); this part injected one fault in each of {runs} runs ({by_kind:?}): {stopped} stopped with a clear error, {} completed; every book reopened with all it reported saved and no receipt number twice",
        calls.len(),
        runs - stopped
    );
    assert!(runs >= calls.len() / parts);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_0() {
    matrix_part(0, 6);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_1() {
    matrix_part(1, 6);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_2() {
    matrix_part(2, 6);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_3() {
    matrix_part(3, 6);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_4() {
    matrix_part(4, 6);
}

#[test]
fn fault_matrix_each_fault_at_each_call_part_5() {
    matrix_part(5, 6);
}

/// Runs `steps` through `io` as a person would: after an error the app restarts (the book
/// is reopened, again through `io`) and goes on with the next step.
fn run_restarting(dir: &Path, io: &Arc<FaultFs>, steps: &[Step]) -> (Run, usize) {
    let mut run = Run::default();
    let mut errors = 0;
    let mut book = None;
    for _ in 0..10 {
        let attempt = if BookStore::exists(dir) {
            Book::open_with_io(dir, PW, io.clone())
        } else {
            Book::create_with_io(dir, PW, fast(), &init(), io.clone())
        };
        match attempt {
            Ok(b) => {
                book = Some(b);
                break;
            }
            Err(e) => {
                errors += 1;
                run.error = Some(e.to_string());
            }
        }
    }
    let Some(mut book) = book else {
        return (run, errors);
    };
    run.created = true;
    for step in steps {
        if let Err(e) = run_step(&mut book, step, &mut run, dir, io) {
            errors += 1;
            run.error = Some(e);
            let mut restarted = false;
            for _ in 0..10 {
                if run_step(&mut book, &Step::Reopen, &mut run, dir, io).is_ok() {
                    restarted = true;
                    break;
                }
                errors += 1;
            }
            assert!(restarted, "the book did not reopen after {:?}", run.error);
        }
    }
    (run, errors)
}

#[test]
fn fault_random_200_seeded() {
    let steps = small_scenario();
    let calls = clean_calls(&steps);
    let mut rng = fastrand::Rng::with_seed(15);
    let (mut runs, mut faults, mut errors) = (0, 0, 0);
    while faults < 200 {
        let (_tmp, dir) = new_dir();
        let io = faulty();
        for _ in 0..8 {
            let index = rng.usize(..calls.len() * 11 / 10);
            let op = calls.get(index).copied().unwrap_or(Op::Write);
            let kinds = FaultKind::for_op(op);
            io.at_call(index, kinds[rng.usize(..kinds.len())]);
        }
        let (run, e) = run_restarting(&dir, &io, &steps);
        check_after(&dir, &run, &format!("seeded run {runs}"));
        faults += io.fired().len();
        errors += e;
        runs += 1;
    }
    println!(
        "seeded random faults (seed 15): {faults} faults fired in {runs} runs of the scenario with restarts, {errors} errors reported; every book reopened with all it reported saved and no receipt number twice"
    );
}

// ----- a device that runs out of space while syncing ----------------------------------------

/// Storage fills up in the middle of a sync: the receiving device is told how much it
/// needs (a typed `Full` error the screens turn into "penyimpanan penuh"), its book on disk
/// and its saved sync state stay as they were, and once space is free the next sync brings
/// everything.
#[test]
fn fault_disk_full_during_sync_keeps_the_book_and_its_sync_state() {
    use crate::replica::PeerSyncStates;
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

const NEW_PW: &str = "kata sandi yang baru";

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
        Book::rotate_key_until(&dir, PW, NEW_PW, fast(), &mut |_, _, _| {}, stop).unwrap();
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
