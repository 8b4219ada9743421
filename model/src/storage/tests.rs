//! Tests of the book store (run on real temporary folders).

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

const PW: &str = "kata sandi rahasia";

fn fast() -> KdfParams {
    KdfParams::insecure_fast()
}

/// A temporary parent and a (not yet existing) book folder inside it.
fn new_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("nested").join("book");
    (tmp, dir)
}

fn open(dir: &Path) -> (BookStore, Loaded) {
    BookStore::open(dir, PW).unwrap()
}

fn chunk_path(dir: &Path, seq: u64) -> PathBuf {
    dir.join(DOC_DIR).join(chunk_name(seq))
}

fn snapshot_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(DOC_DIR).join(snapshot_name(generation))
}

fn flip_byte(path: &Path, index: usize) {
    let mut bytes = fs::read(path).unwrap();
    bytes[index] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

fn doc_listing(dir: &Path) -> Vec<String> {
    let mut names = fsio::list_names(&RealFs, &dir.join(DOC_DIR)).unwrap();
    names.sort();
    names
}

/// Chunks c1..=cn with distinct contents.
fn sample_chunks(n: usize) -> Vec<Vec<u8>> {
    (1..=n)
        .map(|i| format!("change number {i} of the book").into_bytes())
        .collect()
}

/// A book with the given chunks appended, closed again.
fn book_with(chunks: &[Vec<u8>]) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(store.append_chunk(c).unwrap(), i as u64 + 1);
    }
    (tmp, dir)
}

#[test]
fn create_append_open_round_trip() {
    let (_tmp, dir) = new_dir();
    assert!(!BookStore::exists(&dir));
    let chunks = sample_chunks(3);
    {
        let mut store = BookStore::create(&dir, PW, fast()).unwrap();
        assert!(BookStore::exists(&dir));
        assert_eq!(store.dir(), dir.as_path());
        for (i, c) in chunks.iter().enumerate() {
            assert_eq!(store.append_chunk(c).unwrap(), i as u64 + 1);
        }
        assert_eq!(store.chunk_count(), 3);
    }
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot, None);
    assert_eq!(loaded.chunks, chunks);
    assert!(loaded.warnings.is_empty());
    assert_eq!(store.chunk_count(), 3);
    // The sequence continues after a reopen.
    assert_eq!(store.append_chunk(b"fourth").unwrap(), 4);
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.chunks.len(), 4);
    assert_eq!(loaded.chunks[3], b"fourth");
}

#[test]
fn empty_book_opens_empty_and_empty_chunk_round_trips() {
    let (_tmp, dir) = new_dir();
    drop(BookStore::create(&dir, PW, fast()).unwrap());
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded, Loaded::default());
    store.append_chunk(b"").unwrap();
    drop(store);
    assert_eq!(open(&dir).1.chunks, vec![Vec::<u8>::new()]);
}

#[test]
fn create_refuses_an_existing_book_and_open_needs_one() {
    let (_tmp, dir) = new_dir();
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::NotFound { .. })
    ));
    drop(BookStore::create(&dir, PW, fast()).unwrap());
    let err = BookStore::create(&dir, PW, fast()).unwrap_err();
    assert!(
        matches!(&err, StorageError::AlreadyExists { path } if path.ends_with(HEADER_FILE)),
        "{err:?}"
    );
}

#[test]
fn invalid_kdf_params_are_refused() {
    let (_tmp, dir) = new_dir();
    for kdf in [
        KdfParams {
            m_kib: 0,
            t: 1,
            p: 1,
        },
        KdfParams {
            m_kib: 8,
            t: 0,
            p: 1,
        },
        KdfParams {
            m_kib: 8,
            t: 1,
            p: 0,
        },
        KdfParams {
            m_kib: 4 * 1024 * 1024,
            t: 1,
            p: 1,
        },
    ] {
        assert!(
            matches!(
                BookStore::create(&dir, PW, kdf),
                Err(StorageError::Kdf { .. })
            ),
            "{kdf:?}"
        );
    }
    assert!(!BookStore::exists(&dir));
    assert_eq!(
        KdfParams::default(),
        KdfParams {
            m_kib: 65536,
            t: 3,
            p: 1
        }
    );
}

#[test]
fn wrong_passphrase_is_refused() {
    let (_tmp, dir) = book_with(&sample_chunks(1));
    let err = BookStore::open(&dir, "kata sandi salah").unwrap_err();
    assert!(
        matches!(err, StorageError::WrongPassphrase { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("wrong passphrase"), "{err}");
    // The right one still works.
    assert_eq!(open(&dir).1.chunks.len(), 1);
}

#[test]
fn header_holds_params_and_no_clear_key_and_tampering_fails() {
    let (_tmp, dir) = book_with(&sample_chunks(1));
    let header_path = dir.join(HEADER_FILE);
    let original = fs::read_to_string(&header_path).unwrap();
    let json: serde_json::Value = serde_json::from_str(&original).unwrap();
    assert_eq!(json["format"], 2);
    assert_eq!(json["kdf"]["algorithm"], "argon2id");
    assert_eq!(json["kdf"]["m_kib"], 8);
    assert_eq!(json["kdf"]["t"], 1);
    assert_eq!(json["kdf"]["p"], 1);
    assert_eq!(json["kdf"]["salt_hex"].as_str().unwrap().len(), 32);
    assert_eq!(json["wrapped_key"]["nonce_hex"].as_str().unwrap().len(), 48);
    // 32-byte key + 16-byte tag.
    assert_eq!(
        json["wrapped_key"]["ciphertext_hex"]
            .as_str()
            .unwrap()
            .len(),
        96
    );
    assert!(json["created_unix_s"].as_u64().unwrap() > 1_600_000_000);

    // Flip every byte of the wrapped key, its nonce and the salt in turn.
    for (section, field) in [
        ("wrapped_key", "ciphertext_hex"),
        ("wrapped_key", "nonce_hex"),
        ("kdf", "salt_hex"),
    ] {
        let bytes = hex::decode(json[section][field].as_str().unwrap()).unwrap();
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0x80;
            let mut j = json.clone();
            j[section][field] = serde_json::Value::String(hex::encode(&damaged));
            fs::write(&header_path, serde_json::to_vec(&j).unwrap()).unwrap();
            let err = BookStore::open(&dir, PW).unwrap_err();
            assert!(
                matches!(err, StorageError::WrongPassphrase { .. }),
                "{section}.{field}[{i}]: {err:?}"
            );
        }
    }
    // Changed KDF params derive another key: refused too.
    let mut j = json.clone();
    j["kdf"]["t"] = 2.into();
    fs::write(&header_path, serde_json::to_vec(&j).unwrap()).unwrap();
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::WrongPassphrase { .. })
    ));
    // Garbage and unknown versions.
    fs::write(&header_path, b"{ not json").unwrap();
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::BadHeader { .. })
    ));
    let mut j = json.clone();
    j["format"] = 3.into();
    fs::write(&header_path, serde_json::to_vec(&j).unwrap()).unwrap();
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::UnsupportedFormat { found: 3, .. })
    ));
    let mut j = json.clone();
    j["kdf"]["m_kib"] = (64u64 * 1024 * 1024).into();
    fs::write(&header_path, serde_json::to_vec(&j).unwrap()).unwrap();
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::BadHeader { .. })
    ));
    // Restored, it opens again.
    fs::write(&header_path, original).unwrap();
    assert_eq!(open(&dir).1.chunks.len(), 1);
}

#[test]
fn truncated_last_chunk_is_skipped_with_a_warning() {
    let chunks = sample_chunks(3);
    let (_tmp, dir) = book_with(&chunks);
    let last = chunk_path(&dir, 3);
    let full = fs::read(&last).unwrap();
    for len in [0, 1, 4, 5, 29, 44, 45, full.len() - 1] {
        fs::write(&last, &full[..len]).unwrap();
        let (_store, loaded) = open(&dir);
        assert_eq!(loaded.chunks, chunks[..2], "truncated to {len}");
        assert_eq!(loaded.warnings.len(), 1, "truncated to {len}");
        assert!(
            matches!(&loaded.warnings[0], StorageWarning::DamagedChunk { file, .. } if *file == last),
            "{:?}",
            loaded.warnings
        );
    }
}

#[test]
fn one_garbled_byte_anywhere_in_a_chunk_is_detected() {
    let chunks = sample_chunks(3);
    let (_tmp, dir) = book_with(&chunks);
    for seq in [2u64, 3] {
        let path = chunk_path(&dir, seq);
        let len = fs::read(&path).unwrap().len();
        for i in 0..len {
            flip_byte(&path, i);
            let (_store, loaded) = open(&dir);
            let expected: Vec<Vec<u8>> = chunks
                .iter()
                .enumerate()
                .filter(|(k, _)| *k as u64 + 1 != seq)
                .map(|(_, c)| c.clone())
                .collect();
            assert_eq!(loaded.chunks, expected, "chunk {seq} byte {i}");
            assert!(
                matches!(loaded.warnings.as_slice(), [StorageWarning::DamagedChunk { file, .. }] if *file == path),
                "chunk {seq} byte {i}: {:?}",
                loaded.warnings
            );
            flip_byte(&path, i);
        }
    }
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.chunks, chunks);
    assert!(loaded.warnings.is_empty());
}

#[test]
fn renamed_or_moved_files_are_detected() {
    let chunks = sample_chunks(3);
    let (_tmp, dir) = book_with(&chunks);
    {
        let (mut store, _) = open(&dir);
        store.write_device("secret_key", b"device secret").unwrap();
    }
    // Chunk 2 renamed over chunk 3.
    fs::rename(chunk_path(&dir, 2), chunk_path(&dir, 3)).unwrap();
    let (store, loaded) = open(&dir);
    assert_eq!(loaded.chunks, chunks[..1]);
    assert!(
        matches!(loaded.warnings.as_slice(), [StorageWarning::DamagedChunk { file, reason }]
            if *file == chunk_path(&dir, 3) && reason.contains("authentication")),
        "{:?}",
        loaded.warnings
    );
    // A chunk passed off as a device blob, and a device blob renamed.
    let device = dir.join(DEVICE_DIR);
    fs::copy(chunk_path(&dir, 1), device.join("sync-peer1.rkn")).unwrap();
    assert!(matches!(
        store.read_device("sync-peer1"),
        Err(StorageError::Tampered { .. })
    ));
    fs::copy(
        device.join("secret_key.rkn"),
        device.join("secret_key2.rkn"),
    )
    .unwrap();
    assert!(matches!(
        store.read_device("secret_key2"),
        Err(StorageError::Tampered { .. })
    ));
    assert_eq!(
        store.read_device("secret_key").unwrap().unwrap(),
        b"device secret"
    );
    drop(store);
    // A device blob passed off as a chunk.
    fs::copy(device.join("secret_key.rkn"), chunk_path(&dir, 4)).unwrap();
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.chunks, chunks[..1]);
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    assert!(
        matches!(&loaded.warnings[1], StorageWarning::DamagedChunk { file, .. } if *file == chunk_path(&dir, 4))
    );
}

#[test]
fn compaction_keeps_data_and_removes_old_files() {
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    for c in sample_chunks(5) {
        store.append_chunk(&c).unwrap();
    }
    store.compact(b"state after 5").unwrap();
    assert_eq!(store.chunk_count(), 0);
    drop(store);
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"state after 5"[..]));
    assert!(loaded.chunks.is_empty());
    assert!(loaded.warnings.is_empty());

    assert_eq!(store.append_chunk(b"c6").unwrap(), 6);
    assert_eq!(store.append_chunk(b"c7").unwrap(), 7);
    assert_eq!(store.chunk_count(), 2);
    store.compact(b"state after 7").unwrap();
    // Chunks covered by the previous snapshot are gone; those after it stay
    // for a lossless fallback.
    assert_eq!(
        doc_listing(&dir),
        vec![
            chunk_name(6),
            chunk_name(7),
            snapshot_name(5),
            snapshot_name(7)
        ]
    );
    assert_eq!(store.append_chunk(b"c8").unwrap(), 8);
    store.compact(b"state after 8").unwrap();
    assert_eq!(
        doc_listing(&dir),
        vec![chunk_name(8), snapshot_name(7), snapshot_name(8)]
    );
    assert_eq!(store.append_chunk(b"c9").unwrap(), 9);
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"state after 8"[..]));
    assert_eq!(loaded.chunks, vec![b"c9".to_vec()]);
    assert!(loaded.warnings.is_empty());
}

#[test]
fn compaction_without_new_chunks_takes_a_fresh_generation() {
    let (_tmp, dir) = book_with(&sample_chunks(2));
    let (mut store, _) = open(&dir);
    store.compact(b"s1").unwrap();
    store.compact(b"s2").unwrap();
    store.compact(b"s3").unwrap();
    let listing = doc_listing(&dir);
    assert_eq!(listing, vec![snapshot_name(3), snapshot_name(4)]);
    assert_eq!(store.append_chunk(b"next").unwrap(), 5);
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"s3"[..]));
    assert_eq!(loaded.chunks, vec![b"next".to_vec()]);
}

#[test]
fn compaction_of_an_empty_book() {
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    store.compact(b"empty").unwrap();
    assert_eq!(store.append_chunk(b"a").unwrap(), 1);
    drop(store);
    let (_s, loaded) = open(&dir);
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"empty"[..]));
    assert_eq!(loaded.chunks, vec![b"a".to_vec()]);
}

#[test]
fn garbled_newest_snapshot_falls_back_to_the_previous_one() {
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    store.append_chunk(b"c1").unwrap();
    store.append_chunk(b"c2").unwrap();
    store.compact(b"s2").unwrap();
    store.append_chunk(b"c3").unwrap();
    store.append_chunk(b"c4").unwrap();
    store.compact(b"s4").unwrap();
    store.append_chunk(b"c5").unwrap();
    drop(store);

    let newest = snapshot_path(&dir, 4);
    let len = fs::read(&newest).unwrap().len();
    for i in [0, 4, 5, 20, 29, len / 2, len - 1] {
        flip_byte(&newest, i);
        let (_store, loaded) = open(&dir);
        assert_eq!(loaded.snapshot.as_deref(), Some(&b"s2"[..]), "byte {i}");
        assert_eq!(
            loaded.chunks,
            vec![b"c3".to_vec(), b"c4".to_vec(), b"c5".to_vec()],
            "byte {i}"
        );
        assert!(
            matches!(loaded.warnings.as_slice(), [StorageWarning::DamagedSnapshot { file, .. }] if *file == newest),
            "{:?}",
            loaded.warnings
        );
        flip_byte(&newest, i);
    }

    // With both snapshots damaged, what remains still opens.
    flip_byte(&newest, len - 1);
    flip_byte(&snapshot_path(&dir, 2), 40);
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot, None);
    assert_eq!(
        loaded.chunks,
        vec![b"c3".to_vec(), b"c4".to_vec(), b"c5".to_vec()]
    );
    // Chunks 1 and 2 went with the compaction into snapshot 2: the chain names chunk 2
    // as missing before chunk 3.
    assert_eq!(loaded.warnings.len(), 3, "{:?}", loaded.warnings);
    assert!(loaded.warnings.iter().any(|w| matches!(w,
        StorageWarning::MissingChunk { file, needed_by }
            if *file == chunk_path(&dir, 2) && *needed_by == chunk_path(&dir, 3))));
    // Appending never reuses a number held by a damaged file.
    assert_eq!(store.append_chunk(b"c6").unwrap(), 6);
}

#[test]
fn only_snapshot_damaged_falls_back_to_all_chunks() {
    let chunks = sample_chunks(3);
    let (_tmp, dir) = book_with(&chunks);
    {
        let (mut store, _) = open(&dir);
        store.compact(b"s3").unwrap();
    }
    flip_byte(&snapshot_path(&dir, 3), 33);
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot, None);
    assert_eq!(loaded.chunks, chunks);
    assert_eq!(loaded.warnings.len(), 1);
    assert_eq!(store.chunk_count(), 3);
    // A new compaction from this state replaces the damaged snapshot.
    store.compact(b"s-new").unwrap();
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"s-new"[..]));
    assert!(loaded.chunks.is_empty());
    assert!(loaded.warnings.is_empty());
}

/// Every file under `dir`, recursively, with its bytes.
fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out
}

#[test]
fn known_plaintext_appears_in_no_file() {
    let nik = b"3471131206619606";
    let name = b"Bambang";
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    store
        .append_chunk(b"member NIK 3471131206619606 name Bambang")
        .unwrap();
    store.append_chunk(b"Bambang").unwrap();
    store.append_chunk(nik).unwrap();
    store
        .compact(b"snapshot: Bambang 3471131206619606")
        .unwrap();
    store.append_chunk(b"after: Bambang").unwrap();
    store
        .write_device("receipt-seq", b"Bambang 3471131206619606")
        .unwrap();
    store.write_device("secret_key", nik).unwrap();
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.chunks, vec![b"after: Bambang".to_vec()]);

    let files = all_files(&dir);
    assert!(files.len() >= 7, "{files:?}");
    for (path, bytes) in &files {
        for needle in [&nik[..], &name[..], PW.as_bytes(), b"member"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{} contains {:?}",
                path.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
}

#[test]
fn second_open_fails_while_held_and_succeeds_after_drop() {
    let (_tmp, dir) = new_dir();
    let first = BookStore::create(&dir, PW, fast()).unwrap();
    let err = BookStore::open(&dir, PW).unwrap_err();
    assert!(
        matches!(&err, StorageError::Locked { path } if path.ends_with(LOCK_FILE)),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("the book is open in another rukun process"),
        "{err}"
    );
    assert!(matches!(
        BookStore::create(&dir, PW, fast()),
        Err(StorageError::Locked { .. })
    ));
    drop(first);
    let (second, _) = open(&dir);
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::Locked { .. })
    ));
    drop(second);
    drop(open(&dir));
}

const LOCK_CHILD_ENV: &str = "RUKUN_STORAGE_TEST_LOCK_CHILD_DIR";
const LOCK_CHILD_READY: &str = "RUKUN-STORAGE-LOCK-HELD";

/// Helper run in a child process by
/// `lock_is_released_when_the_holder_is_killed`: opens the book, reports,
/// and sleeps until killed.
#[test]
#[ignore = "helper run as a child process by lock_is_released_when_the_holder_is_killed"]
fn lock_holder_child() {
    let dir = std::env::var(LOCK_CHILD_ENV).unwrap();
    let (_store, _) = open(Path::new(&dir));
    println!("{LOCK_CHILD_READY}");
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(120));
}

/// Kills the child on drop, so a failing assertion leaves no process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn lock_is_released_when_the_holder_is_killed() {
    let (_tmp, dir) = new_dir();
    drop(BookStore::create(&dir, PW, fast()).unwrap());
    let (_, module) = module_path!().split_once("::").unwrap();
    let test_name = format!("{module}::lock_holder_child");
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                test_name.as_str(),
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(LOCK_CHILD_ENV, &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let ready = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains(LOCK_CHILD_READY));
    assert!(ready, "the child process did not open the book");
    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::Locked { .. })
    ));
    // SIGKILL: no destructor runs in the child; the kernel drops the lock.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let (_store, loaded) = open(&dir);
    assert!(loaded.warnings.is_empty());
}

#[test]
fn stray_tmp_files_are_removed_on_open() {
    let (_tmp, dir) = book_with(&sample_chunks(1));
    let strays = [
        dir.join(DOC_DIR).join(format!("{}.tmp", chunk_name(2))),
        dir.join(DOC_DIR).join(format!("{}.tmp", snapshot_name(1))),
        dir.join(DEVICE_DIR).join("secret_key.rkn.tmp"),
        dir.join("header.json.tmp"),
    ];
    for s in &strays {
        fs::write(s, b"half-written garbage from a crash").unwrap();
    }
    let (mut store, loaded) = open(&dir);
    assert_eq!(loaded.chunks, sample_chunks(1));
    assert_eq!(loaded.snapshot, None);
    assert!(loaded.warnings.is_empty());
    for s in &strays {
        assert!(!s.exists(), "{} was left", s.display());
    }
    assert_eq!(store.append_chunk(b"two").unwrap(), 2);
    assert_eq!(store.read_device("secret_key").unwrap(), None);
}

#[cfg(target_os = "linux")]
#[test]
fn disk_full_leaves_the_book_unchanged() {
    let chunks = sample_chunks(2);
    let (_tmp, dir) = book_with(&chunks);
    let (mut store, _) = open(&dir);
    // The temporary file of the next chunk is made to point at /dev/full,
    // whose writes fail with ENOSPC.
    let tmp = dir.join(DOC_DIR).join(format!("{}.tmp", chunk_name(3)));
    std::os::unix::fs::symlink("/dev/full", &tmp).unwrap();
    let before = doc_listing(&dir);
    let err = store.append_chunk(b"lost edit").unwrap_err();
    // A typed error (the screens say "penyimpanan penuh" and how much is needed).
    match &err {
        StorageError::Full { path, needed } => {
            assert_eq!(*path, chunk_path(&dir, 3));
            assert!(*needed >= b"lost edit".len() as u64, "{needed}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("storage is full"), "{err}");
    assert!(fs::symlink_metadata(&tmp).is_err(), "temporary file left");
    assert_eq!(doc_listing(&dir), before[..before.len() - 1]);
    assert_eq!(store.chunk_count(), 2);
    // Same for a device blob and a snapshot.
    let dev_tmp = dir.join(DEVICE_DIR).join("peer.rkn.tmp");
    std::os::unix::fs::symlink("/dev/full", &dev_tmp).unwrap();
    assert!(matches!(
        store.write_device("peer", b"state"),
        Err(StorageError::Full { .. })
    ));
    assert_eq!(store.read_device("peer").unwrap(), None);
    let snap_tmp = dir.join(DOC_DIR).join(format!("{}.tmp", snapshot_name(2)));
    std::os::unix::fs::symlink("/dev/full", &snap_tmp).unwrap();
    assert!(matches!(
        store.compact(b"snapshot"),
        Err(StorageError::Full { .. })
    ));
    assert_eq!(doc_listing(&dir), vec![chunk_name(1), chunk_name(2)]);
    // Once space is back, the same sequence number is used.
    assert_eq!(store.append_chunk(b"kept edit").unwrap(), 3);
    drop(store);
    let (_store, loaded) = open(&dir);
    assert_eq!(loaded.snapshot, None);
    assert_eq!(loaded.chunks.len(), 3);
    assert_eq!(loaded.chunks[2], b"kept edit");
    assert!(loaded.warnings.is_empty());
}

#[test]
fn device_blobs_round_trip_and_are_checked() {
    let (_tmp, dir) = new_dir();
    let mut store = BookStore::create(&dir, PW, fast()).unwrap();
    assert_eq!(store.read_device("secret_key").unwrap(), None);
    store.write_device("secret_key", b"k1").unwrap();
    store.write_device("secret_key", b"k2").unwrap();
    store.write_device("sync-peer-a", b"a").unwrap();
    store.write_device("sync-peer-b.v1", b"b").unwrap();
    store.write_device("receipt_seq", b"7").unwrap();
    assert_eq!(store.read_device("secret_key").unwrap().unwrap(), b"k2");
    assert_eq!(
        store.list_device("sync-").unwrap(),
        vec!["sync-peer-a".to_owned(), "sync-peer-b.v1".to_owned()]
    );
    assert_eq!(store.list_device("").unwrap().len(), 4);
    assert!(store.remove_device("sync-peer-a").unwrap());
    assert!(!store.remove_device("sync-peer-a").unwrap());
    assert_eq!(store.list_device("sync-").unwrap(), vec!["sync-peer-b.v1"]);
    for bad in [
        "",
        "../x",
        "a/b",
        "Secret",
        ".hidden",
        "a b",
        "é",
        &"x".repeat(101),
    ] {
        assert!(
            matches!(
                store.write_device(bad, b"x"),
                Err(StorageError::InvalidName { .. })
            ),
            "{bad:?}"
        );
        assert!(matches!(
            store.read_device(bad),
            Err(StorageError::InvalidName { .. })
        ));
    }
    store.write_device(&"x".repeat(100), b"long name").unwrap();
    drop(store);
    // Reopen: blobs persist; a garbled one is an error, not a silent read.
    let (store, _) = open(&dir);
    assert_eq!(store.read_device("receipt_seq").unwrap().unwrap(), b"7");
    let path = dir.join(DEVICE_DIR).join("receipt_seq.rkn");
    let len = fs::read(&path).unwrap().len();
    for i in 0..len {
        flip_byte(&path, i);
        assert!(
            matches!(store.read_device("receipt_seq"), Err(StorageError::Tampered { path: p, .. }) if p == path),
            "byte {i}"
        );
        flip_byte(&path, i);
    }
    assert_eq!(store.read_device("receipt_seq").unwrap().unwrap(), b"7");
}

#[test]
fn change_passphrase_rewraps_only_the_header() {
    let chunks = sample_chunks(2);
    let (_tmp, dir) = book_with(&chunks);
    let (mut store, _) = open(&dir);
    store.compact(b"snap").unwrap();
    store.append_chunk(b"c3").unwrap();
    store.write_device("secret_key", b"key").unwrap();
    let files_before: Vec<_> = all_files(&dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(HEADER_FILE))
        .collect();

    assert!(matches!(
        store.change_passphrase("not the passphrase", "baru", fast()),
        Err(StorageError::WrongPassphrase { .. })
    ));
    let started = Instant::now();
    store.change_passphrase(PW, "sandi baru", fast()).unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Writes still work with the store in hand.
    store.append_chunk(b"c4").unwrap();
    drop(store);

    let files_after: Vec<_> = all_files(&dir)
        .into_iter()
        .filter(|(p, _)| !p.ends_with(HEADER_FILE) && !p.ends_with(chunk_name(4)))
        .collect();
    let mut a = files_before.clone();
    let mut b = files_after;
    a.sort();
    b.sort();
    assert_eq!(a, b, "book files were rewritten");

    assert!(matches!(
        BookStore::open(&dir, PW),
        Err(StorageError::WrongPassphrase { .. })
    ));
    let (mut store, loaded) = BookStore::open(&dir, "sandi baru").unwrap();
    assert_eq!(loaded.snapshot.as_deref(), Some(&b"snap"[..]));
    assert_eq!(loaded.chunks, vec![b"c3".to_vec(), b"c4".to_vec()]);
    assert_eq!(store.read_device("secret_key").unwrap().unwrap(), b"key");
    // And it can be changed again, with other KDF parameters.
    let stronger = KdfParams {
        m_kib: 64,
        t: 2,
        p: 2,
    };
    store
        .change_passphrase("sandi baru", "ketiga", stronger)
        .unwrap();
    drop(store);
    let header: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join(HEADER_FILE)).unwrap()).unwrap();
    assert_eq!(header["kdf"]["m_kib"], 64);
    assert_eq!(header["kdf"]["p"], 2);
    assert!(BookStore::open(&dir, "sandi baru").is_err());
    assert_eq!(BookStore::open(&dir, "ketiga").unwrap().1.chunks.len(), 2);
}

/// An operation of the property test.
#[derive(Debug, Clone)]
enum Op {
    Append(Vec<u8>),
    Compact,
    Reopen,
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::collection::vec(any::<u8>(), 0..48).prop_map(Op::Append),
        1 => Just(Op::Compact),
        1 => Just(Op::Reopen),
    ]
}

/// The test's "document": the list of all chunks ever written, as JSON.
fn encode(written: &[Vec<u8>]) -> Vec<u8> {
    serde_json::to_vec(written).unwrap()
}

/// Rebuilds the list of chunks from what `open` returned.
fn reconstruct(loaded: &Loaded) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = match &loaded.snapshot {
        Some(s) => serde_json::from_slice(s).unwrap(),
        None => Vec::new(),
    };
    all.extend(loaded.chunks.iter().cloned());
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_history_reopens_to_what_was_written(
        ops in proptest::collection::vec(op_strategy(), 0..24)
    ) {
        let (_tmp, dir) = new_dir();
        let mut store = BookStore::create(&dir, PW, fast()).unwrap();
        let mut written: Vec<Vec<u8>> = Vec::new();
        let mut since_compaction = 0usize;
        let mut last_seq = 0u64;
        for op in ops {
            match op {
                Op::Append(bytes) => {
                    let seq = store.append_chunk(&bytes).unwrap();
                    prop_assert!(seq > last_seq);
                    last_seq = seq;
                    written.push(bytes);
                    since_compaction += 1;
                }
                Op::Compact => {
                    store.compact(&encode(&written)).unwrap();
                    since_compaction = 0;
                }
                Op::Reopen => {
                    drop(store);
                    let (s, loaded) = open(&dir);
                    store = s;
                    prop_assert!(loaded.warnings.is_empty());
                    prop_assert_eq!(loaded.chunks.len(), since_compaction);
                    prop_assert_eq!(reconstruct(&loaded), written.clone());
                }
            }
            prop_assert_eq!(store.chunk_count(), since_compaction);
        }
        drop(store);
        let (_store, loaded) = open(&dir);
        prop_assert!(loaded.warnings.is_empty());
        prop_assert_eq!(reconstruct(&loaded), written);
        // At most two snapshots are kept.
        let snapshots = doc_listing(&dir).iter().filter(|n| n.starts_with(SNAPSHOT_PREFIX)).count();
        prop_assert!(snapshots <= 2);
    }
}

/// A book in the layout of format 1 (plain chunks, kind 2; device blobs without a
/// generation, kind 3; header format 1) opens with everything in it, and its header says
/// format 2 before anything of format 2 is written into it.
#[test]
fn format_1_book_opens_and_is_upgraded_to_2() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("book");
    let store = BookStore::create(&dir, PW, fast()).unwrap();
    let key = store.data_key.clone();
    drop(store);
    for seq in 1..=2u64 {
        let name = chunk_name(seq);
        let sealed = crypto::seal_file(
            &key,
            Kind::Chunk,
            &doc_logical(&name),
            format!("old edit {seq}").as_bytes(),
        )
        .unwrap();
        fs::write(dir.join(DOC_DIR).join(&name), sealed).unwrap();
    }
    let blob = crypto::seal_file(&key, Kind::Device, "device/receipt_seq.rkn", b"7").unwrap();
    fs::write(dir.join(DEVICE_DIR).join("receipt_seq.rkn"), blob).unwrap();
    let header_path = dir.join(HEADER_FILE);
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs::read(&header_path).unwrap()).unwrap();
    json["format"] = 1.into();
    fs::write(&header_path, serde_json::to_vec(&json).unwrap()).unwrap();

    let (mut store, loaded) = BookStore::open(&dir, PW).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(
        loaded.chunks,
        vec![b"old edit 1".to_vec(), b"old edit 2".to_vec()]
    );
    assert_eq!(store.read_device("receipt_seq").unwrap().unwrap(), b"7");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&header_path).unwrap()).unwrap();
    assert_eq!(json["format"], 2, "upgraded on open");
    store.append_chunk(b"new edit").unwrap();
    store.write_device("receipt_seq", b"8").unwrap();
    drop(store);
    let (store, loaded) = BookStore::open(&dir, PW).unwrap();
    assert_eq!(loaded.chunks.len(), 3);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    assert_eq!(store.read_device("receipt_seq").unwrap().unwrap(), b"8");
    // The wrong passphrase upgrades nothing.
    drop(store);
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs::read(&header_path).unwrap()).unwrap();
    json["format"] = 1.into();
    fs::write(&header_path, serde_json::to_vec(&json).unwrap()).unwrap();
    assert!(BookStore::open(&dir, "salah sekali").is_err());
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&header_path).unwrap()).unwrap();
    assert_eq!(json["format"], 1);
}
