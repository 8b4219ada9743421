//! Errors and warnings of the book store.

use std::io;
use std::path::PathBuf;

/// An error of the book store. Every variant names the file or folder involved.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A new passphrase is shorter than [`super::MIN_PASSPHRASE_CHARS`].
    #[error("the passphrase is too short: at least {min} characters")]
    PassphraseTooShort {
        /// The minimum.
        min: usize,
    },

    /// Another process (or another `BookStore` in this process) holds the
    /// advisory lock `rukun.lock` of this book folder.
    #[error("the book is open in another rukun process (lock held on {path})")]
    Locked {
        /// The lock file.
        path: PathBuf,
    },

    /// The folder holds no book (`header.json` is missing).
    #[error("no book found at {path} (header.json is missing)")]
    NotFound {
        /// The book folder.
        path: PathBuf,
    },

    /// `create` was asked to make a book where one already exists.
    #[error("a book already exists at {path}; refusing to overwrite it")]
    AlreadyExists {
        /// The existing header file.
        path: PathBuf,
    },

    /// The passphrase does not unlock the data key. Detected by the
    /// authentication failure of the key unwrap, so a damaged wrapped key or
    /// salt in the header gives the same error.
    #[error(
        "wrong passphrase for the book at {path} (or the key stored in its header.json is damaged)"
    )]
    WrongPassphrase {
        /// The book folder.
        path: PathBuf,
    },

    /// `header.json` cannot be parsed or holds values out of range.
    #[error("the book header {path} is unreadable: {reason}")]
    BadHeader {
        /// The header file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The header declares a format version this code does not read.
    #[error(
        "the book at {path} has format version {found}; this version of rukun reads format {supported}"
    )]
    UnsupportedFormat {
        /// The header file.
        path: PathBuf,
        /// The version found in the header.
        found: u32,
        /// The version this code reads and writes.
        supported: u32,
    },

    /// Key-derivation parameters given to `create`/`change_passphrase` are
    /// invalid or out of the accepted range.
    #[error("invalid key-derivation parameters: {reason}")]
    Kdf {
        /// Why they were refused.
        reason: String,
    },

    /// An encrypted file failed authentication (damaged, truncated, renamed
    /// or tampered with).
    #[error("{path} is damaged or was tampered with ({reason})")]
    Tampered {
        /// The file.
        path: PathBuf,
        /// What check failed.
        reason: String,
    },

    /// A device blob is an older copy than the last one this book wrote (its
    /// generation is below the one recorded in `device/.generations.rkn`): the file
    /// was replaced by an earlier version of itself.
    #[error(
        "{path} is an older copy (generation {found}, the last written was {expected}): it was rolled back to an earlier version"
    )]
    RolledBack {
        /// The device blob file.
        path: PathBuf,
        /// The generation found in the file.
        found: u64,
        /// The generation last written.
        expected: u64,
    },

    /// A device blob name outside `[a-z0-9_.-]`, empty, too long or starting
    /// with a dot.
    #[error(
        "invalid device blob name {name:?}: use 1 to {max} characters from a-z 0-9 _ - . (not starting with a dot)"
    )]
    InvalidName {
        /// The refused name.
        name: String,
        /// Longest accepted name, in characters.
        max: usize,
    },

    /// Writing, syncing, renaming or removing a file failed. Any temporary
    /// file was removed, and the book on disk is as before the call, except
    /// when only the final folder fsync failed (`op` "fsync the folder of"):
    /// the new file is then complete and in place (never removed, as it may
    /// hold the only copy of a key) but may not survive a power cut.
    #[error("could not {op} {path}: {}", io_reason(source))]
    Write {
        /// The file (final name) or folder being written.
        path: PathBuf,
        /// The operation that failed, e.g. "write", "fsync", "rename".
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },

    /// The device's storage is full: the file could not be written, and nothing on disk
    /// changed (the temporary file was removed). Free about `needed` bytes and try again.
    #[error("the device's storage is full: {path} needs about {needed} bytes")]
    Full {
        /// The file that could not be written.
        path: PathBuf,
        /// Its size: about what must be freed.
        needed: u64,
    },

    /// A key rotation set the book aside but could neither put its new copy in place nor
    /// put the book back. Both are complete on disk; the next open puts the new copy in
    /// place, and from then on the new passphrase opens the book.
    #[error(
        "the key rotation of {path} was interrupted during its switch; the next open finishes it, and then the new passphrase opens the book"
    )]
    RotationPending {
        /// The book folder.
        path: PathBuf,
    },

    /// Reading a file or listing a folder failed.
    #[error("could not {op} {path}: {}", io_reason(source))]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The operation that failed, e.g. "read", "list", "lock".
        op: &'static str,
        /// The OS error.
        source: io::Error,
    },

    /// A snapshot just written did not read back to the same bytes. It was
    /// removed again; the previous snapshot and all chunks are untouched.
    #[error(
        "the snapshot written to {path} did not read back identically; it was discarded and the book kept as it was"
    )]
    VerifyFailed {
        /// The snapshot file.
        path: PathBuf,
    },

    /// The operating system's random number generator failed.
    #[error("the system random generator failed: {reason}")]
    Random {
        /// The error reported by the OS.
        reason: String,
    },

    /// Encryption refused the input (only possible for absurdly large data).
    #[error("could not encrypt the data for {path}")]
    Encrypt {
        /// The file being written.
        path: PathBuf,
    },
}

/// A human-readable reason for an I/O error, "disk full" for ENOSPC.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::StorageFull => format!("disk full ({e})"),
        io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        io::ErrorKind::ReadOnlyFilesystem => format!("read-only file system ({e})"),
        _ => e.to_string(),
    }
}

/// Something damaged that `BookStore::open` skipped while still opening the
/// book from what remained readable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageWarning {
    /// A chunk file could not be used (torn by a crash, damaged, renamed or
    /// tampered with). Its changes are missing from the loaded book unless
    /// another device still has them.
    #[error("skipped damaged chunk {file}: {reason}")]
    DamagedChunk {
        /// The chunk file.
        file: PathBuf,
        /// Why it was skipped.
        reason: String,
    },

    /// A chunk file is missing from the middle of the book: a later chunk names it as
    /// the one written before it. Its changes, and later ones that build on them, are
    /// missing from the loaded book unless another device still has them.
    #[error(
        "chunk {file} is missing (the next chunk {needed_by} was written after it); the edits it held are unavailable unless another device still has them"
    )]
    MissingChunk {
        /// The missing chunk file.
        file: PathBuf,
        /// The chunk that names it as its predecessor.
        needed_by: PathBuf,
    },

    /// A snapshot file could not be used; the book was loaded from an older
    /// snapshot (if any) plus the chunks after it.
    #[error("skipped damaged snapshot {file} and fell back to an older state: {reason}")]
    DamagedSnapshot {
        /// The snapshot file.
        file: PathBuf,
        /// Why it was skipped.
        reason: String,
    },
}
