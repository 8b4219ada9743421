//! Crash-safe, encrypted, embedded storage of one book on one device.
//!
//! A [`BookStore`] owns one folder. It stores **bytes** only (the caller puts
//! Automerge snapshots and incremental changes in them):
//!
//! ```text
//! <book>/rukun.lock                 OS advisory lock (flock), held while open
//! <book>/header.json                plaintext: format, Argon2id params, salt,
//!                                   wrapped data key, creation time
//! <book>/doc/snapshot-<gen:020>.rkn a full document, covering chunks 1..=gen
//! <book>/doc/chunk-<seq:020>.rkn    one incremental change set
//! <book>/device/<name>.rkn          this device's own blobs, never synced
//! ```
//!
//! Every `.rkn` file is `"RKN1" || kind (1 byte) || nonce (24 bytes) ||
//! XChaCha20-Poly1305 ciphertext+tag` under the random 32-byte data key, with
//! associated data `"RKN1" || kind || logical name` (e.g.
//! `doc/chunk-00000000000000000007.rkn`), so a file renamed or moved to another
//! role fails authentication. The data key is wrapped in `header.json` by a
//! key derived from the passphrase with Argon2id.
//!
//! Every write goes to `<name>.tmp`, is fsynced, renamed over the final name,
//! and the folder is fsynced; leftover `.tmp` files are removed on open.
//! Compaction keeps the two newest snapshots and the chunks after the older
//! of them, so a damaged newest snapshot falls back without losing changes.

mod crypto;
mod error;
#[cfg(test)]
mod fault_tests;
mod fsio;
mod header;
#[cfg(test)]
mod tests;
mod vfs;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use fs4::fs_std::FileExt;
use zeroize::Zeroizing;

pub use crypto::KdfParams;
pub use error::{StorageError, StorageWarning};

use crypto::{DataKey, KEY_LEN, Kind, SealFailure};
use header::{FORMAT_VERSION, HEADER_FILE, Header, HeaderFailure, OLDEST_FORMAT};
#[cfg(test)]
pub(crate) use vfs::{FaultFs, FaultKind, Op};
pub(crate) use vfs::{RealFs, Vfs};

/// Name of the lock file in the book folder.
const LOCK_FILE: &str = "rukun.lock";
/// Folder of the shared document.
const DOC_DIR: &str = "doc";
/// Folder of this device's own blobs.
const DEVICE_DIR: &str = "device";
/// Extension of encrypted files.
const EXT: &str = ".rkn";
/// File-name prefix of snapshots.
const SNAPSHOT_PREFIX: &str = "snapshot-";
/// File-name prefix of chunks.
const CHUNK_PREFIX: &str = "chunk-";
/// File in `device/` recording the generation of each device blob's last write (its
/// leading dot keeps it apart from every valid blob name).
const GENERATIONS_FILE: &str = ".generations.rkn";
/// Longest device blob name, in characters.
const MAX_DEVICE_NAME: usize = 100;

/// What [`BookStore::open`] read from disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loaded {
    /// The newest readable snapshot (a full saved document), if any.
    pub snapshot: Option<Vec<u8>>,
    /// The incremental chunks written after that snapshot, in sequence order
    /// (damaged ones left out and reported in `warnings`).
    pub chunks: Vec<Vec<u8>>,
    /// The file of each chunk in `chunks` (same order), to name it in messages.
    pub chunk_files: Vec<PathBuf>,
    /// Damaged files that were skipped; empty for a healthy book.
    pub warnings: Vec<StorageWarning>,
}

/// One book folder on this device, open and locked.
///
/// Holds the exclusive advisory lock on `rukun.lock` for its whole life; the
/// lock is released when the store is dropped (or the process dies). Keeps the
/// data key in memory (wiped on drop) and the next chunk sequence number, so
/// appends do not list the folder.
pub struct BookStore {
    /// The book folder.
    dir: PathBuf,
    /// The 32-byte data key.
    data_key: DataKey,
    /// The header as on disk.
    header: Header,
    /// The open lock file; dropping it releases the lock.
    _lock: File,
    /// Sequence number of the next chunk (1 + highest seq/gen on disk).
    next_seq: u64,
    /// Sequence numbers of the chunk files on disk.
    chunks: BTreeSet<u64>,
    /// Generations of the snapshot files on disk.
    snapshots: BTreeSet<u64>,
    /// The newest snapshot known to be readable (loaded or verified).
    good_snapshot: Option<u64>,
    /// Snapshots the caller could not use ([`BookStore::reject_snapshot`]), with why.
    rejected: BTreeMap<u64, String>,
    /// The generation of the last write of each device blob (`device/.generations.rkn`).
    device_gens: BTreeMap<String, u64>,
    /// The file operations (the real file system, or a fault injector in tests).
    io: Arc<dyn Vfs>,
}

impl std::fmt::Debug for BookStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookStore")
            .field("dir", &self.dir)
            .field("next_seq", &self.next_seq)
            .field("chunks", &self.chunks.len())
            .field("snapshots", &self.snapshots)
            .finish_non_exhaustive()
    }
}

/// File name of chunk `seq`.
fn chunk_name(seq: u64) -> String {
    format!("{CHUNK_PREFIX}{seq:020}{EXT}")
}

/// File name of snapshot `generation`.
fn snapshot_name(generation: u64) -> String {
    format!("{SNAPSHOT_PREFIX}{generation:020}{EXT}")
}

/// Parses `<prefix><20 digits>.rkn`.
fn parse_numbered(name: &str, prefix: &str) -> Option<u64> {
    let digits = name.strip_prefix(prefix)?.strip_suffix(EXT)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The authenticated logical name of a file in `doc/`.
fn doc_logical(file_name: &str) -> String {
    format!("{DOC_DIR}/{file_name}")
}

/// Checks a device blob name: 1..=100 characters of `[a-z0-9_.-]`, not
/// starting with a dot.
fn check_device_name(name: &str) -> Result<(), StorageError> {
    let ok = !name.is_empty()
        && name.len() <= MAX_DEVICE_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StorageError::InvalidName {
            name: name.to_owned(),
            max: MAX_DEVICE_NAME,
        })
    }
}

/// Opens (creating if needed) `rukun.lock` and takes the exclusive lock,
/// waiting at most [`LOCK_GRACE`].
fn take_lock(dir: &Path) -> Result<File, StorageError> {
    let path = dir.join(LOCK_FILE);
    let file = match OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
    {
        Ok(f) => f,
        Err(source) => {
            return Err(StorageError::Write {
                path,
                op: "open the lock file",
                source,
            });
        }
    };
    // A lock that was just released can still look held for a moment: a child process
    // forked by another thread of this process (between fork and exec) holds a copy of
    // the lock's file descriptor. So a busy lock is tried again for a short grace time
    // before the book is reported as open elsewhere.
    let deadline = std::time::Instant::now() + LOCK_GRACE;
    loop {
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => return Ok(file),
            Ok(false) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(source) => {
                return Err(StorageError::Read {
                    path,
                    op: "lock",
                    source,
                });
            }
        }
        if std::time::Instant::now() >= deadline {
            return Err(StorageError::Locked { path });
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
}

/// How long a busy lock is tried again before the book counts as open elsewhere.
const LOCK_GRACE: std::time::Duration = std::time::Duration::from_millis(750);

/// Maps a header failure to a storage error.
fn header_error(dir: &Path, failure: HeaderFailure) -> StorageError {
    let path = dir.join(HEADER_FILE);
    match failure {
        HeaderFailure::Kdf(reason) => StorageError::Kdf { reason },
        HeaderFailure::Random(reason) => StorageError::Random { reason },
        HeaderFailure::Malformed(reason) => StorageError::BadHeader { path, reason },
        HeaderFailure::WrongPassphrase => StorageError::WrongPassphrase {
            path: dir.to_path_buf(),
        },
    }
}

/// Creates a folder and its parents.
fn make_dir(io: &dyn Vfs, path: &Path) -> Result<(), StorageError> {
    io.create_dir_all(path)
        .map_err(|source| StorageError::Write {
            path: path.to_path_buf(),
            op: "create the folder",
            source,
        })
}

/// Reads and decrypts one file of `doc/` for `open` (of either chunk kind, or a
/// snapshot); any failure is a reason string. A failed read or decryption is tried once
/// more before it counts, so one transient I/O error or torn read does not drop a file.
fn read_sealed_retry(
    io: &dyn Vfs,
    key: &DataKey,
    dir: &Path,
    file_name: &str,
) -> Result<(Kind, Vec<u8>), String> {
    let once = || -> Result<(Kind, Vec<u8>), String> {
        let bytes = io
            .read(&dir.join(file_name))
            .map_err(|e| format!("cannot read: {e}"))?;
        let kind = match bytes.get(crypto::MAGIC.len()).copied() {
            Some(k) if k == Kind::Snapshot as u8 => Kind::Snapshot,
            Some(k) if k == Kind::LinkedChunk as u8 => Kind::LinkedChunk,
            _ if file_name.starts_with(SNAPSHOT_PREFIX) => Kind::Snapshot,
            _ => Kind::Chunk,
        };
        let plain = crypto::open_file(key, kind, &doc_logical(file_name), &bytes)
            .map_err(|e| e.to_string())?;
        Ok((kind, plain))
    };
    once().or_else(|first| {
        let again = once();
        if again.is_ok() {
            tracing::info!(file = file_name, error = %first, "a read failed once and succeeded when tried again");
        }
        again.map_err(|_| first)
    })
}

/// Length of the predecessor number that opens a linked chunk's plaintext.
const LINK_LEN: usize = 8;

/// Splits a chunk read by [`read_sealed_retry`] into its predecessor (linked chunks only)
/// and its bytes.
fn split_chunk((kind, plain): (Kind, Vec<u8>)) -> Result<(Option<u64>, Vec<u8>), String> {
    match kind {
        Kind::Chunk => Ok((None, plain)),
        Kind::LinkedChunk => {
            let (link, _) = plain
                .split_first_chunk::<LINK_LEN>()
                .ok_or_else(|| "a linked chunk shorter than its link".to_string())?;
            let prev = u64::from_le_bytes(*link);
            Ok((Some(prev), plain[LINK_LEN..].to_vec()))
        }
        other => Err(format!("wrong file kind byte {}", other as u8)),
    }
}

/// A new book's random data key and its header, wrapped under the passphrase: the slow
/// Argon2id step of creating a book, done before (or beside) anything is written.
pub struct NewBookKey {
    data_key: DataKey,
    header: Header,
}

impl std::fmt::Debug for NewBookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewBookKey").finish_non_exhaustive()
    }
}

/// A new book's key could not be made.
#[derive(Debug, thiserror::Error)]
pub enum NewKeyError {
    /// The passphrase is shorter than [`MIN_PASSPHRASE_CHARS`].
    #[error("the passphrase is too short: at least {min} characters")]
    TooShort {
        /// The minimum.
        min: usize,
    },
    /// The key-derivation parameters are invalid.
    #[error("invalid key-derivation parameters: {reason}")]
    Kdf {
        /// What is wrong with them.
        reason: String,
    },
    /// The OS random generator failed.
    #[error("the random generator failed: {reason}")]
    Random {
        /// What it reported.
        reason: String,
    },
}

impl From<HeaderFailure> for NewKeyError {
    fn from(f: HeaderFailure) -> Self {
        match f {
            HeaderFailure::Random(reason) => NewKeyError::Random { reason },
            // Sealing fails only in the KDF (or its cipher) or the random generator.
            HeaderFailure::Kdf(reason) | HeaderFailure::Malformed(reason) => {
                NewKeyError::Kdf { reason }
            }
            HeaderFailure::WrongPassphrase => NewKeyError::Kdf {
                reason: "the key wrap was refused".into(),
            },
        }
    }
}

impl From<NewKeyError> for StorageError {
    fn from(e: NewKeyError) -> Self {
        match e {
            NewKeyError::TooShort { min } => StorageError::PassphraseTooShort { min },
            NewKeyError::Kdf { reason } => StorageError::Kdf { reason },
            NewKeyError::Random { reason } => StorageError::Random { reason },
        }
    }
}

/// Marker written last into the staging folder of a key rotation: the new copy is complete.
const ROTATION_COMPLETE: &str = "rotation-complete";

/// Where a key rotation stops as a crash would (tests of `Book::rotate_key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RotateStop {
    /// Runs to the end.
    Never,
    /// The new copy is complete, the switch has not started.
    BeforeSwitch,
    /// The book was set aside, the new copy not yet renamed into place.
    BetweenRenames,
    /// Switched, the old copy not yet removed.
    BeforeCleanup,
}

/// The sibling folders of a key rotation of `dir`: the new copy being written
/// (`<dir>.rotating`) and the old book set aside during the switch (`<dir>.old`).
fn rotation_dirs(dir: &Path) -> (PathBuf, PathBuf) {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "book".to_owned());
    let sibling = |suffix: &str| dir.with_file_name(format!("{name}.{suffix}"));
    (sibling("rotating"), sibling("old"))
}

/// Removes a folder a rotation left, if it is there.
fn remove_left_dir(io: &dyn Vfs, p: &Path) -> Result<(), StorageError> {
    if !p.exists() {
        return Ok(());
    }
    tracing::info!(path = %p.display(), "removing what a key rotation left");
    match io.remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StorageError::Write {
            path: p.to_path_buf(),
            op: "remove",
            source,
        }),
    }
}

/// Removes what a finished (or undone) rotation left beside `dir` and the completion
/// marker inside it. Nothing of it is needed any more, so a failure is only logged (the
/// next open tries again).
fn clean_after_rotation(io: &dyn Vfs, dir: &Path) {
    let (staging, old) = rotation_dirs(dir);
    for p in [&staging, &old] {
        if let Err(e) = remove_left_dir(io, p) {
            tracing::warn!(error = %e, "could not remove what a key rotation left; the next open tries again");
        }
    }
    let marker = dir.join(ROTATION_COMPLETE);
    if marker.exists()
        && let Err(e) = fsio::remove_if_exists(io, &marker)
    {
        tracing::warn!(path = %marker.display(), error = %e, "could not remove a key rotation's marker");
    }
}

/// Renames a whole book folder and makes the rename durable (its parent fsynced; a failed
/// fsync of the parent is logged: the rename is done and the next open copes with either
/// state).
fn rename_dir(io: &dyn Vfs, from: &Path, to: &Path) -> Result<(), StorageError> {
    io.rename(from, to).map_err(|source| StorageError::Write {
        path: to.to_path_buf(),
        op: "rename into place",
        source,
    })?;
    if let Some(parent) = to.parent()
        && let Err(e) = io.sync_dir(parent)
    {
        tracing::warn!(dir = %parent.display(), error = %e, "could not sync the folder after a key rotation's rename");
    }
    Ok(())
}

/// The empty folder a key rotation of `dir` writes the new copy into. What an earlier,
/// unfinished rotation left is removed first: its staging copy, and an old copy set aside
/// (the caller has opened `dir`, so an interrupted switch has already been finished).
pub(crate) fn rotation_staging(io: &dyn Vfs, dir: &Path) -> Result<PathBuf, StorageError> {
    let (staging, old) = rotation_dirs(dir);
    remove_left_dir(io, &staging)?;
    remove_left_dir(io, &old)?;
    Ok(staging)
}

/// Takes away the staging folder of a rotation that failed before its switch (logged if
/// that fails too: the next open or rotation removes it).
pub(crate) fn drop_rotation_staging(io: &dyn Vfs, dir: &Path) {
    let (staging, _) = rotation_dirs(dir);
    if let Err(e) = remove_left_dir(io, &staging) {
        tracing::warn!(error = %e, "could not remove an unfinished key rotation's copy; the next open tries again");
    }
}

/// Marks the staging folder of a rotation complete (durably), then switches it in: the
/// book is set aside, the new copy takes its name, the old one is removed. `stop` ends it
/// early as a crash would; [`finish_rotation`] completes any such state at the next open.
///
/// If the new copy cannot take the name, the book is put back and stays as it was (the
/// error is returned; the old passphrase opens it). If it cannot be put back either, the
/// new copy is tried once more; when that works the rotation is done, otherwise
/// [`StorageError::RotationPending`] says that the next open finishes it (with the new
/// passphrase). After the switch, a failure to remove the old copy is only logged.
pub(crate) fn switch_rotation(
    io: &dyn Vfs,
    dir: &Path,
    stop: RotateStop,
) -> Result<(), StorageError> {
    let (staging, old) = rotation_dirs(dir);
    fsio::write_durable(io, &staging, ROTATION_COMPLETE, b"")?;
    if stop == RotateStop::BeforeSwitch {
        return Ok(());
    }
    rename_dir(io, dir, &old)?;
    if stop == RotateStop::BetweenRenames {
        return Ok(());
    }
    if let Err(e) = rename_dir(io, &staging, dir) {
        match rename_dir(io, &old, dir) {
            Ok(()) => {
                drop_rotation_staging(io, dir);
                return Err(e);
            }
            Err(back) => {
                tracing::warn!(error = %back, "could not put the book back after a failed key rotation switch; trying the new copy again");
                if rename_dir(io, &staging, dir).is_err() {
                    return Err(StorageError::RotationPending {
                        path: dir.to_path_buf(),
                    });
                }
            }
        }
    }
    if stop == RotateStop::BeforeCleanup {
        return Ok(());
    }
    clean_after_rotation(io, dir);
    Ok(())
}

/// Finishes or undoes a key rotation that a crash interrupted, so exactly one book is
/// left in `dir`:
/// - `dir` has no header but a complete staging copy exists: the switch had started, so it
///   is finished (the new passphrase opens the book);
/// - `dir` has its header: a staging copy is dropped (the switch never started, the old
///   passphrase still opens the book), and an old copy set aside is removed (the switch
///   was done). These removals are only logged when they fail: the book opens anyway.
///
/// # Errors
/// `Write` when the complete staging copy cannot be renamed into place (the book cannot
/// open until it is).
pub(crate) fn finish_rotation(io: &dyn Vfs, dir: &Path) -> Result<(), StorageError> {
    let (staging, old) = rotation_dirs(dir);
    if !dir.join(HEADER_FILE).is_file() && staging.join(ROTATION_COMPLETE).is_file() {
        tracing::info!(dir = %dir.display(), "finishing an interrupted key rotation");
        rename_dir(io, &staging, dir)?;
    }
    let leftovers = staging.exists() || old.exists() || dir.join(ROTATION_COMPLETE).exists();
    if leftovers && dir.join(HEADER_FILE).is_file() {
        clean_after_rotation(io, dir);
    }
    Ok(())
}

/// The fewest characters a new passphrase may have. On a lost phone the passphrase is all
/// that protects the book against offline guessing (Argon2id, 64 MiB, 3 passes: about a
/// quarter of a second per guess per core); 8 characters make that cost years, where a
/// 6-digit PIN falls in about a core-day (docs/design.md#passphrase-strength). Books made
/// earlier with a shorter one still open.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// Checks a new passphrase (a new book, a joined book, a changed passphrase).
///
/// # Errors
/// [`StorageError::PassphraseTooShort`] below [`MIN_PASSPHRASE_CHARS`] characters.
pub fn check_new_passphrase(passphrase: &str) -> Result<(), StorageError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StorageError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

impl NewBookKey {
    /// Draws a random 32-byte data key and a 16-byte salt and wraps the key under
    /// `passphrase` with Argon2id `kdf` (slow by design: ~0.3 s with the default parameters).
    ///
    /// # Errors
    /// [`NewKeyError`] for a passphrase shorter than [`MIN_PASSPHRASE_CHARS`], invalid
    /// parameters or a failing random generator.
    pub fn derive(passphrase: &str, kdf: KdfParams) -> Result<NewBookKey, NewKeyError> {
        check_new_passphrase(passphrase).map_err(|_| NewKeyError::TooShort {
            min: MIN_PASSPHRASE_CHARS,
        })?;
        kdf.to_argon2()
            .map_err(|reason| NewKeyError::Kdf { reason })?;
        let mut data_key: DataKey = Zeroizing::new([0u8; KEY_LEN]);
        crypto::random_fill(&mut data_key[..]).map_err(|reason| NewKeyError::Random { reason })?;
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = Header::seal(&data_key, passphrase, kdf, created)?;
        Ok(NewBookKey { data_key, header })
    }
}

impl BookStore {
    /// Whether `dir` holds a book: its `header.json` exists, or a key rotation was
    /// interrupted during its switch (the complete new copy waits beside it, and the next
    /// open puts it in place).
    pub fn exists(dir: &Path) -> bool {
        let (staging, _) = rotation_dirs(dir);
        dir.join(HEADER_FILE).is_file() || staging.join(ROTATION_COMPLETE).is_file()
    }

    /// Creates a new, empty book in `dir` (created with its parents if
    /// needed) protected by `passphrase`, and returns it open and locked.
    ///
    /// Draws a random 32-byte data key and a 16-byte salt, runs Argon2id with
    /// `kdf` once, and writes `header.json` durably.
    ///
    /// # Errors
    /// `AlreadyExists` if a header (or leftover document files) is present,
    /// `Locked` if another process holds the folder, `Kdf` for invalid
    /// parameters, `Write` if the folder or header cannot be written,
    /// `Random` if the OS random generator fails.
    pub fn create(dir: &Path, passphrase: &str, kdf: KdfParams) -> Result<BookStore, StorageError> {
        BookStore::create_with_key(dir, NewBookKey::derive(passphrase, kdf)?)
    }

    /// Like [`BookStore::create`], with the key already derived by [`NewBookKey::derive`]
    /// (which may run on another thread while the book's content is still on its way).
    ///
    /// # Errors
    /// As [`BookStore::create`], without the key's errors.
    pub fn create_with_key(dir: &Path, key: NewBookKey) -> Result<BookStore, StorageError> {
        BookStore::create_with_io(dir, key, Arc::new(RealFs))
    }

    /// Like [`BookStore::create_with_key`], with every file operation going through `io`.
    pub(crate) fn create_with_io(
        dir: &Path,
        key: NewBookKey,
        io: Arc<dyn Vfs>,
    ) -> Result<BookStore, StorageError> {
        make_dir(&*io, dir)?;
        let lock = take_lock(dir)?;
        let header_path = dir.join(HEADER_FILE);
        if header_path.exists() {
            return Err(StorageError::AlreadyExists { path: header_path });
        }
        fsio::sweep_tmp(&*io, dir, fsio::list_names(&*io, dir)?);
        let doc_dir = dir.join(DOC_DIR);
        make_dir(&*io, &doc_dir)?;
        if fsio::list_names(&*io, &doc_dir)?
            .iter()
            .any(|n| n.ends_with(EXT))
        {
            return Err(StorageError::AlreadyExists { path: doc_dir });
        }
        make_dir(&*io, &dir.join(DEVICE_DIR))?;
        let NewBookKey { data_key, header } = key;
        if let Err(e) = write_header(&*io, dir, &header) {
            // A header whose folder sync failed is in place, but no book file was written
            // with its key yet: taken away, so the folder is as before and create can be
            // tried again.
            if let Err(rm) = fsio::remove_if_exists(&*io, &header_path) {
                tracing::warn!(path = %header_path.display(), error = %rm, "could not remove the header of a book whose creation failed");
            }
            return Err(e);
        }
        if let Some(parent) = dir.parent()
            && let Err(e) = io.sync_dir(parent)
        {
            tracing::debug!(dir = %parent.display(), error = %e, "could not sync the parent folder");
        }
        tracing::info!(dir = %dir.display(), "created a new book");
        Ok(BookStore {
            dir: dir.to_path_buf(),
            data_key,
            header,
            _lock: lock,
            next_seq: 1,
            chunks: BTreeSet::new(),
            snapshots: BTreeSet::new(),
            good_snapshot: None,
            rejected: BTreeMap::new(),
            device_gens: BTreeMap::new(),
            io,
        })
    }

    /// Opens the book in `dir` with `passphrase`, locks it, and reads it: the
    /// newest readable snapshot and the chunks after it, in order.
    ///
    /// Damaged files do not fail the open: a torn or tampered chunk is left
    /// out with [`StorageWarning::DamagedChunk`]; a damaged snapshot is
    /// skipped with [`StorageWarning::DamagedSnapshot`] and the previous one
    /// (if kept) plus all chunks after it are returned. Leftover `*.tmp`
    /// files of interrupted writes are removed. Runs Argon2 once with the
    /// parameters stored in the header; reads each needed file once.
    ///
    /// # Errors
    /// `NotFound` without a header, `Locked` if another process holds the
    /// book, `WrongPassphrase` if the key unwrap fails authentication,
    /// `BadHeader`/`UnsupportedFormat` for an unusable header, `Read`/`Write`
    /// for I/O failures on the header, lock or folders.
    pub fn open(dir: &Path, passphrase: &str) -> Result<(BookStore, Loaded), StorageError> {
        BookStore::open_with_io(dir, passphrase, Arc::new(RealFs))
    }

    /// Like [`BookStore::open`], with every file operation going through `io`.
    pub(crate) fn open_with_io(
        dir: &Path,
        passphrase: &str,
        io: Arc<dyn Vfs>,
    ) -> Result<(BookStore, Loaded), StorageError> {
        finish_rotation(&*io, dir)?;
        let header_path = dir.join(HEADER_FILE);
        if !header_path.is_file() {
            return Err(StorageError::NotFound {
                path: dir.to_path_buf(),
            });
        }
        let lock = take_lock(dir)?;
        fsio::sweep_tmp(&*io, dir, fsio::list_names(&*io, dir)?);
        let raw = io.read(&header_path).map_err(|source| StorageError::Read {
            path: header_path.clone(),
            op: "read",
            source,
        })?;
        let header: Header = serde_json::from_slice(&raw).map_err(|e| StorageError::BadHeader {
            path: header_path.clone(),
            reason: e.to_string(),
        })?;
        if !(OLDEST_FORMAT..=FORMAT_VERSION).contains(&header.format) {
            return Err(StorageError::UnsupportedFormat {
                path: header_path,
                found: header.format,
                supported: FORMAT_VERSION,
            });
        }
        let data_key = header
            .unlock(passphrase)
            .map_err(|f| header_error(dir, f))?;
        let header = if header.format < FORMAT_VERSION {
            // A book of format 1 (plain chunks and device blobs, which this code still
            // reads): its header says format 2 before this code writes a linked chunk or a
            // blob with a generation into it, so an older rukun refuses the book with a
            // clear error instead of skipping those files as damaged.
            let upgraded = Header {
                format: FORMAT_VERSION,
                ..header
            };
            write_header(&*io, dir, &upgraded)?;
            tracing::info!(dir = %dir.display(), "upgraded the book folder to format {FORMAT_VERSION}");
            upgraded
        } else {
            header
        };

        let doc_dir = dir.join(DOC_DIR);
        let device_dir = dir.join(DEVICE_DIR);
        make_dir(&*io, &doc_dir)?;
        make_dir(&*io, &device_dir)?;
        fsio::sweep_tmp(&*io, &device_dir, fsio::list_names(&*io, &device_dir)?);

        let mut chunks = BTreeSet::new();
        let mut snapshots = BTreeSet::new();
        for name in fsio::sweep_tmp(&*io, &doc_dir, fsio::list_names(&*io, &doc_dir)?) {
            if let Some(seq) = parse_numbered(&name, CHUNK_PREFIX) {
                chunks.insert(seq);
            } else if let Some(generation) = parse_numbered(&name, SNAPSHOT_PREFIX) {
                snapshots.insert(generation);
            } else {
                tracing::warn!(dir = %doc_dir.display(), file = %name, "ignoring an unknown file");
            }
        }
        let highest = chunks
            .last()
            .copied()
            .max(snapshots.last().copied())
            .unwrap_or(0);

        let mut store = BookStore {
            dir: dir.to_path_buf(),
            data_key,
            header,
            _lock: lock,
            next_seq: highest.saturating_add(1),
            chunks,
            snapshots,
            good_snapshot: None,
            rejected: BTreeMap::new(),
            device_gens: BTreeMap::new(),
            io,
        };
        store.device_gens = store.read_generations();
        let loaded = store.load();
        Ok((store, loaded))
    }

    /// Reads the newest usable snapshot (skipping damaged ones and those the caller
    /// rejected) and the chunks after it, and sets `good_snapshot`.
    fn load(&mut self) -> Loaded {
        let doc_dir = self.dir.join(DOC_DIR);
        let io = &*self.io;
        let mut loaded = Loaded::default();
        let mut good_snapshot = None;
        for &generation in self.snapshots.iter().rev() {
            let name = snapshot_name(generation);
            let read = match self.rejected.get(&generation) {
                Some(reason) => Err(reason.clone()),
                None => read_sealed_retry(io, &self.data_key, &doc_dir, &name).and_then(
                    |(kind, bytes)| match kind {
                        Kind::Snapshot => Ok(bytes),
                        _ => Err(format!("wrong file kind byte {}", kind as u8)),
                    },
                ),
            };
            match read {
                Ok(bytes) => {
                    loaded.snapshot = Some(bytes);
                    good_snapshot = Some(generation);
                    break;
                }
                Err(reason) => {
                    let warning = StorageWarning::DamagedSnapshot {
                        file: doc_dir.join(&name),
                        reason,
                    };
                    tracing::warn!(%warning);
                    loaded.warnings.push(warning);
                }
            }
        }
        let floor = good_snapshot.unwrap_or(0);
        let mut usable = BTreeSet::new();
        // (the chunk that names a predecessor, the predecessor's sequence number)
        let mut links = Vec::new();
        for &seq in self.chunks.range(floor.saturating_add(1)..) {
            let name = chunk_name(seq);
            match read_sealed_retry(io, &self.data_key, &doc_dir, &name).and_then(split_chunk) {
                Ok((prev, bytes)) => {
                    usable.insert(seq);
                    if let Some(prev) = prev {
                        links.push((seq, prev));
                    }
                    loaded.chunks.push(bytes);
                    loaded.chunk_files.push(doc_dir.join(&name));
                }
                Err(reason) => {
                    let warning = StorageWarning::DamagedChunk {
                        file: doc_dir.join(&name),
                        reason,
                    };
                    tracing::warn!(%warning);
                    loaded.warnings.push(warning);
                }
            }
        }
        // A chunk names the chunk written before it: one after the snapshot that is not on
        // disk at all is a missing chunk (one on disk but unusable is already reported).
        for (seq, prev) in links {
            if prev > floor && !usable.contains(&prev) && !self.chunks.contains(&prev) {
                let warning = StorageWarning::MissingChunk {
                    file: doc_dir.join(chunk_name(prev)),
                    needed_by: doc_dir.join(chunk_name(seq)),
                };
                tracing::warn!(%warning);
                loaded.warnings.push(warning);
            }
        }
        tracing::debug!(
            dir = %self.dir.display(),
            snapshot = ?good_snapshot,
            chunks = loaded.chunks.len(),
            warnings = loaded.warnings.len(),
            "read a book"
        );
        self.good_snapshot = good_snapshot;
        loaded
    }

    /// Takes away a book whose creation failed before it held its first document (no
    /// record was ever saved in it): removes `header.json` first (so the folder no longer
    /// counts as a book), then the files of `doc/` and `device/`, so that creating it again
    /// works. Failures are logged (each removal is tried twice).
    pub(crate) fn abandon_creation(self) {
        let io = &*self.io;
        let remove = |path: &Path| {
            let removed =
                fsio::remove_if_exists(io, path).or_else(|_| fsio::remove_if_exists(io, path));
            if let Err(e) = &removed {
                tracing::warn!(path = %path.display(), error = %e, "could not remove a file of a book whose creation failed");
            }
            removed.is_ok()
        };
        if !remove(&self.dir.join(HEADER_FILE)) {
            // Still a book: its device key stays, so it opens (empty) and can be used.
            return;
        }
        for sub in [DOC_DIR, DEVICE_DIR] {
            let folder = self.dir.join(sub);
            match fsio::list_names(io, &folder) {
                Ok(names) => names.iter().for_each(|n| {
                    remove(&folder.join(n));
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "could not list a folder of a book whose creation failed")
                }
            }
        }
        if let Err(e) = io.sync_dir(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), error = %e, "could not sync the folder of a book whose creation failed");
        }
    }

    /// Reads `device/.generations.rkn`; empty (no rollback check) when it is missing or
    /// unusable, which is logged.
    fn read_generations(&self) -> BTreeMap<String, u64> {
        let path = self.dir.join(DEVICE_DIR).join(GENERATIONS_FILE);
        let logical = format!("{DEVICE_DIR}/{GENERATIONS_FILE}");
        let read = fsio::read_optional(&*self.io, &path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| match bytes {
                None => Ok(BTreeMap::new()),
                Some(b) => crypto::open_file(&self.data_key, Kind::Device, &logical, &b)
                    .map_err(|e| e.to_string())
                    .and_then(|json| serde_json::from_slice(&json).map_err(|e| e.to_string())),
            });
        read.unwrap_or_else(|reason| {
            tracing::warn!(path = %path.display(), %reason, "device blob generations unreadable; rollback of device blobs is not checked this session");
            BTreeMap::new()
        })
    }

    /// The caller could not use the snapshot last returned (by [`BookStore::open`] or by
    /// this method), e.g. Automerge failed to load it: reads the book again from the next
    /// older snapshot (or from the chunks alone) plus all chunks after it, with a
    /// [`StorageWarning::DamagedSnapshot`] naming the rejected file and `reason`. The
    /// rejected snapshot is removed by the next compaction. Returns an empty `Loaded`
    /// snapshot when there was no snapshot to reject.
    pub fn reject_snapshot(&mut self, reason: &str) -> Loaded {
        if let Some(generation) = self.good_snapshot {
            self.rejected.insert(generation, reason.to_owned());
        }
        self.load()
    }

    /// The book folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of chunk files after the newest readable snapshot, i.e. the
    /// chunks the next open would replay. The caller compacts when this
    /// grows (e.g. at 64, or on close).
    pub fn chunk_count(&self) -> usize {
        let first = self.good_snapshot.map_or(0, |g| g.saturating_add(1));
        self.chunks.range(first..).count()
    }

    /// Durably appends one chunk (an incremental change set) and returns its
    /// sequence number (one more than the highest chunk or snapshot number).
    ///
    /// The encrypted chunk is written to `doc/chunk-<seq>.rkn.tmp`, fsynced,
    /// renamed, and `doc/` is fsynced before this returns. Does not list the
    /// folder.
    ///
    /// # Errors
    /// `Write` (with "disk full" for ENOSPC) naming the chunk file and the
    /// failed step; the temporary file is removed and the book on disk is
    /// unchanged. `Random`/`Encrypt` if encryption cannot run.
    pub fn append_chunk(&mut self, bytes: &[u8]) -> Result<u64, StorageError> {
        let seq = self.next_seq;
        let name = chunk_name(seq);
        let doc_dir = self.dir.join(DOC_DIR);
        // Each chunk names the one written before it, so a chunk missing from the middle
        // is found and named on open.
        let prev = self.chunks.last().copied().unwrap_or(0);
        let mut plain = Vec::with_capacity(LINK_LEN + bytes.len());
        plain.extend_from_slice(&prev.to_le_bytes());
        plain.extend_from_slice(bytes);
        let sealed = self.seal(Kind::LinkedChunk, &doc_dir, &name, &plain)?;
        match fsio::write_durable(&*self.io, &doc_dir, &name, &sealed) {
            Ok(()) => {
                self.chunks.insert(seq);
                self.next_seq = seq.saturating_add(1);
                Ok(seq)
            }
            Err(e) => {
                if doc_dir.join(&name).exists() {
                    // The undo failed: the chunk is there and complete.
                    self.chunks.insert(seq);
                    self.next_seq = seq.saturating_add(1);
                }
                Err(e)
            }
        }
    }

    /// Replaces the chunks with a snapshot: `snapshot` must hold everything
    /// in the current snapshot and chunks (the caller's saved document).
    ///
    /// Writes `doc/snapshot-<gen>.rkn` durably, where `gen` is the highest
    /// chunk number (or a fresh number if a snapshot already has it), then
    /// reads it back from disk, decrypts it and compares it with `snapshot`.
    /// Only after that check does it delete old files: it keeps the new
    /// snapshot and the previous readable one, plus the chunks after the
    /// previous one (so a later-damaged new snapshot can fall back without
    /// loss); older snapshots and chunks are removed.
    ///
    /// # Errors
    /// `Write` if the snapshot cannot be written (book unchanged),
    /// `VerifyFailed` or `Read`/`Tampered` if it does not read back
    /// identically (the new file is removed, book unchanged). Failures to
    /// delete old files are only logged: the book stays consistent.
    pub fn compact(&mut self, snapshot: &[u8]) -> Result<(), StorageError> {
        let highest = self.next_seq.saturating_sub(1);
        let generation = if self.snapshots.contains(&highest) {
            self.next_seq
        } else {
            highest
        };
        let name = snapshot_name(generation);
        let doc_dir = self.dir.join(DOC_DIR);
        let path = doc_dir.join(&name);
        let sealed = self.seal(Kind::Snapshot, &doc_dir, &name, snapshot)?;
        let written = fsio::write_durable(&*self.io, &doc_dir, &name, &sealed);
        if written.is_ok() || path.exists() {
            self.snapshots.insert(generation);
            self.next_seq = self.next_seq.max(generation.saturating_add(1));
        }
        written?;

        // Verify from disk before deleting anything.
        let verified = match self.io.read(&path) {
            Ok(back) => {
                match crypto::open_file(&self.data_key, Kind::Snapshot, &doc_logical(&name), &back)
                {
                    Ok(plain) if plain == snapshot => Ok(()),
                    Ok(_) => Err(StorageError::VerifyFailed { path: path.clone() }),
                    Err(e) => Err(StorageError::Tampered {
                        path: path.clone(),
                        reason: format!("snapshot read back after writing: {e}"),
                    }),
                }
            }
            Err(source) => Err(StorageError::Read {
                path: path.clone(),
                op: "read back the new snapshot",
                source,
            }),
        };
        if let Err(e) = verified {
            match fsio::remove_if_exists(&*self.io, &path).and_then(|()| self.io.sync_dir(&doc_dir))
            {
                Ok(()) => {
                    self.snapshots.remove(&generation);
                }
                Err(rm) => {
                    tracing::warn!(path = %path.display(), error = %rm, "could not remove an unverified snapshot");
                }
            }
            return Err(e);
        }

        // Cleanup: keep the new snapshot and the previous one; chunks after
        // the previous readable snapshot stay for a lossless fallback.
        let previous = self
            .good_snapshot
            .or_else(|| self.snapshots.range(..generation).next_back().copied());
        let chunks_covered = self.good_snapshot.unwrap_or(0);
        let old_snapshots: Vec<u64> = self
            .snapshots
            .iter()
            .copied()
            .filter(|&g| g != generation && Some(g) != previous)
            .collect();
        let old_chunks: Vec<u64> = self.chunks.range(..=chunks_covered).copied().collect();
        let mut removed = false;
        for g in old_snapshots {
            let p = doc_dir.join(snapshot_name(g));
            match fsio::remove_if_exists(&*self.io, &p) {
                Ok(()) => {
                    self.snapshots.remove(&g);
                    removed = true;
                }
                Err(e) => {
                    tracing::warn!(path = %p.display(), error = %e, "could not remove an old snapshot")
                }
            }
        }
        for seq in old_chunks {
            let p = doc_dir.join(chunk_name(seq));
            match fsio::remove_if_exists(&*self.io, &p) {
                Ok(()) => {
                    self.chunks.remove(&seq);
                    removed = true;
                }
                Err(e) => {
                    tracing::warn!(path = %p.display(), error = %e, "could not remove a compacted chunk")
                }
            }
        }
        if removed && let Err(e) = self.io.sync_dir(&doc_dir) {
            tracing::warn!(dir = %doc_dir.display(), error = %e, "could not sync the folder after compaction");
        }
        self.good_snapshot = Some(generation);
        tracing::debug!(generation, "compacted the book");
        Ok(())
    }

    /// Durably writes (atomically replacing) the device blob `name`, stored
    /// encrypted as `device/<name>.rkn`. Never synced to other devices.
    ///
    /// # Errors
    /// `InvalidName` unless `name` is 1 to 100 characters of `[a-z0-9_.-]`
    /// not starting with a dot; `Write` if the file cannot be written (the
    /// previous value is then kept).
    pub fn write_device(&mut self, name: &str, bytes: &[u8]) -> Result<(), StorageError> {
        check_device_name(name)?;
        let device_dir = self.dir.join(DEVICE_DIR);
        let file_name = format!("{name}{EXT}");
        // Each write carries the next generation of the blob, bound into the authenticated
        // plaintext and recorded in `.generations.rkn` after the blob is durable: an older
        // copy put back in its place then reads as `RolledBack`.
        let generation = self
            .device_gens
            .get(name)
            .copied()
            .unwrap_or(0)
            .saturating_add(1);
        let mut plain = Vec::with_capacity(LINK_LEN + bytes.len());
        plain.extend_from_slice(&generation.to_le_bytes());
        plain.extend_from_slice(bytes);
        let sealed = self.seal(Kind::DeviceGen, &device_dir, &file_name, &plain)?;
        fsio::write_durable(&*self.io, &device_dir, &file_name, &sealed)?;
        self.device_gens.insert(name.to_owned(), generation);
        self.save_generations();
        Ok(())
    }

    /// Writes `device/.generations.rkn`; a failure only weakens the rollback check of a
    /// later session (this one keeps the generations in memory), so it is logged.
    fn save_generations(&mut self) {
        let device_dir = self.dir.join(DEVICE_DIR);
        let result = match serde_json::to_vec(&self.device_gens) {
            Ok(json) => self
                .seal(Kind::Device, &device_dir, GENERATIONS_FILE, &json)
                .and_then(|sealed| {
                    fsio::write_durable(&*self.io, &device_dir, GENERATIONS_FILE, &sealed)
                }),
            Err(e) => Err(StorageError::BadHeader {
                path: device_dir.join(GENERATIONS_FILE),
                reason: format!("cannot serialize: {e}"),
            }),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not record the device blob generations");
        }
    }

    /// Reads the device blob `name`; `Ok(None)` if it was never written.
    ///
    /// # Errors
    /// `InvalidName` for a bad name, `Tampered` if the file fails
    /// authentication (damaged, renamed or modified), `RolledBack` if it is an
    /// older copy of the blob than the last one written, `Read` on I/O errors.
    pub fn read_device(&self, name: &str) -> Result<Option<Vec<u8>>, StorageError> {
        check_device_name(name)?;
        let file_name = format!("{name}{EXT}");
        let path = self.dir.join(DEVICE_DIR).join(&file_name);
        let Some(bytes) = fsio::read_optional(&*self.io, &path)? else {
            return Ok(None);
        };
        let logical = format!("{DEVICE_DIR}/{file_name}");
        let tampered = |reason: String| StorageError::Tampered {
            path: path.clone(),
            reason,
        };
        let (found, plain) = if bytes.get(crypto::MAGIC.len()) == Some(&(Kind::DeviceGen as u8)) {
            let plain = crypto::open_file(&self.data_key, Kind::DeviceGen, &logical, &bytes)
                .map_err(|e| tampered(e.to_string()))?;
            let (generation, _) = plain
                .split_first_chunk::<LINK_LEN>()
                .ok_or_else(|| tampered("shorter than its generation number".into()))?;
            (u64::from_le_bytes(*generation), plain[LINK_LEN..].to_vec())
        } else {
            // Written before generations were recorded: generation 0.
            let plain = crypto::open_file(&self.data_key, Kind::Device, &logical, &bytes)
                .map_err(|e| tampered(e.to_string()))?;
            (0, plain)
        };
        let expected = self.device_gens.get(name).copied().unwrap_or(0);
        if found < expected {
            return Err(StorageError::RolledBack {
                path,
                found,
                expected,
            });
        }
        Ok(Some(plain))
    }

    /// Removes the device blob `name`; returns whether it existed.
    ///
    /// # Errors
    /// `InvalidName` for a bad name, `Write` if it cannot be removed.
    pub fn remove_device(&mut self, name: &str) -> Result<bool, StorageError> {
        check_device_name(name)?;
        let device_dir = self.dir.join(DEVICE_DIR);
        let path = device_dir.join(format!("{name}{EXT}"));
        let write_err = |op, source| StorageError::Write {
            path: path.clone(),
            op,
            source,
        };
        match self.io.remove(&path) {
            Ok(()) => {
                self.io
                    .sync_dir(&device_dir)
                    .map_err(|e| write_err("fsync the folder of", e))?;
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(write_err("remove", e)),
        }
    }

    /// Names of the device blobs starting with `prefix` (`""` for all),
    /// sorted. Lists the `device/` folder.
    ///
    /// # Errors
    /// `Read` if the folder cannot be listed.
    pub fn list_device(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let mut names: Vec<String> = fsio::list_names(&*self.io, &self.dir.join(DEVICE_DIR))?
            .into_iter()
            .filter_map(|n| n.strip_suffix(EXT).map(str::to_owned))
            .filter(|n| n.starts_with(prefix) && check_device_name(n).is_ok())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Changes the passphrase: checks `old`, re-wraps the same data key under
    /// a key derived from `new` with `kdf` and a fresh salt, and atomically
    /// rewrites `header.json` only (no book file is touched). Costs two runs
    /// of Argon2 plus one small durable write.
    ///
    /// # Errors
    /// `WrongPassphrase` if `old` does not unlock the book, `Kdf` for bad
    /// parameters, `Write` if the header cannot be written (the old header,
    /// and so the old passphrase, then stays valid; except when only the
    /// folder fsync failed: the new header is then in place, and either
    /// passphrase may be the one that opens the book after a power cut).
    pub fn change_passphrase(
        &mut self,
        old: &str,
        new: &str,
        kdf: KdfParams,
    ) -> Result<(), StorageError> {
        kdf.to_argon2()
            .map_err(|reason| StorageError::Kdf { reason })?;
        let current = self
            .header
            .unlock(old)
            .map_err(|f| header_error(&self.dir, f))?;
        if current[..] != self.data_key[..] {
            return Err(StorageError::WrongPassphrase {
                path: self.dir.clone(),
            });
        }
        let header = Header::seal(&self.data_key, new, kdf, self.header.created_unix_s)
            .map_err(|f| header_error(&self.dir, f))?;
        match write_header(&*self.io, &self.dir, &header) {
            Ok(()) => {}
            Err(
                e @ StorageError::Write {
                    op: fsio::SYNC_DIR_OP,
                    ..
                },
            ) => {
                // The new header is in place (only its folder sync failed): it is the one
                // the next open reads, unless a power cut undoes the rename.
                self.header = header;
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        self.header = header;
        tracing::info!(dir = %self.dir.display(), "changed the book passphrase");
        Ok(())
    }

    /// Encrypts `plaintext` as the file `dir/file_name` of `kind`.
    fn seal(
        &self,
        kind: Kind,
        dir: &Path,
        file_name: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, StorageError> {
        let top = if matches!(kind, Kind::Device | Kind::DeviceGen) {
            DEVICE_DIR
        } else {
            DOC_DIR
        };
        let logical = format!("{top}/{file_name}");
        crypto::seal_file(&self.data_key, kind, &logical, plaintext).map_err(|e| match e {
            SealFailure::Random(reason) => StorageError::Random { reason },
            SealFailure::Cipher => StorageError::Encrypt {
                path: dir.join(file_name),
            },
        })
    }
}

/// Writes `header.json` durably and atomically.
fn write_header(io: &dyn Vfs, dir: &Path, header: &Header) -> Result<(), StorageError> {
    let json = serde_json::to_vec_pretty(header).map_err(|e| StorageError::BadHeader {
        path: dir.join(HEADER_FILE),
        reason: format!("cannot serialize: {e}"),
    })?;
    fsio::write_durable(io, dir, HEADER_FILE, &json)
}
