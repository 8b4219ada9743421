//! Durable file operations: write to a temporary file, fsync, rename over the
//! final name, fsync the folder.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use super::error::StorageError;

/// Suffix of temporary files; any left over by a crash are removed on open.
pub(super) const TMP_SUFFIX: &str = ".tmp";

/// Flushes a folder's entries (new, renamed, removed files) to disk.
#[cfg(unix)]
pub(super) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Flushes a folder's entries to disk (not possible on this platform; the
/// file contents themselves are still synced before the rename).
#[cfg(not(unix))]
pub(super) fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Writes `bytes` durably and atomically as `dir/file_name`: the data goes to
/// `file_name.tmp`, is fsynced, renamed over the final name, and the folder is
/// fsynced. On any failure the temporary file is removed and, if the rename
/// already happened, the new file too, so the folder is as before the call
/// (unless that removal also fails, which is logged).
///
/// Errors are `StorageError::Write` naming the final path and the step.
pub(super) fn write_durable(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<(), StorageError> {
    let final_path = dir.join(file_name);
    let tmp_path = dir.join(format!("{file_name}{TMP_SUFFIX}"));
    let fail = |op: &'static str, source: io::Error| StorageError::Write {
        path: final_path.clone(),
        op,
        source,
    };

    let staged = (|| -> Result<(), (&'static str, io::Error)> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp_path)
            .map_err(|e| ("create temporary file for", e))?;
        f.write_all(bytes).map_err(|e| ("write", e))?;
        f.sync_all().map_err(|e| ("fsync", e))?;
        drop(f);
        fs::rename(&tmp_path, &final_path).map_err(|e| ("rename into place", e))
    })();
    if let Err((op, e)) = staged {
        if let Err(rm) = fs::remove_file(&tmp_path)
            && rm.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %tmp_path.display(), error = %rm, "could not remove temporary file");
        }
        return Err(fail(op, e));
    }
    if let Err(e) = sync_dir(dir) {
        // The new name may not survive a crash: undo so the caller's view
        // (the write failed) matches the disk.
        if let Err(rm) = fs::remove_file(&final_path) {
            tracing::warn!(path = %final_path.display(), error = %rm, "could not undo a write whose folder sync failed");
        }
        return Err(fail("fsync the folder of", e));
    }
    Ok(())
}

/// Removes a file; a file already gone is not an error.
pub(super) fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reads a whole file; `Ok(None)` when it does not exist.
pub(super) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StorageError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(StorageError::Read {
            path: path.to_path_buf(),
            op: "read",
            source,
        }),
    }
}

/// Lists the file names (UTF-8 only; others are ignored) of a folder.
pub(super) fn list_names(dir: &Path) -> Result<Vec<String>, StorageError> {
    let read_err = |source| StorageError::Read {
        path: dir.to_path_buf(),
        op: "list",
        source,
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        match entry.file_name().into_string() {
            Ok(name) => names.push(name),
            Err(other) => {
                tracing::warn!(dir = %dir.display(), name = ?other, "ignoring a file with a non-UTF-8 name");
            }
        }
    }
    Ok(names)
}

/// Removes leftover `*.tmp` files of a crashed write in `dir`, given its
/// listing; returns the names that remain.
pub(super) fn sweep_tmp(dir: &Path, names: Vec<String>) -> Vec<String> {
    let mut kept = Vec::with_capacity(names.len());
    let mut removed_any = false;
    for name in names {
        if name.ends_with(TMP_SUFFIX) {
            let path = dir.join(&name);
            match remove_if_exists(&path) {
                Ok(()) => {
                    removed_any = true;
                    tracing::info!(path = %path.display(), "removed a temporary file left by an interrupted write");
                }
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "could not remove a leftover temporary file");
                }
            }
        } else {
            kept.push(name);
        }
    }
    if removed_any && let Err(e) = sync_dir(dir) {
        tracing::warn!(dir = %dir.display(), error = %e, "could not sync folder after cleanup");
    }
    kept
}
