//! Durable file operations: write to a temporary file, fsync, rename over the
//! final name, fsync the folder. Every file operation goes through a [`Vfs`].

use std::io;
use std::path::Path;

use super::error::StorageError;
use super::vfs::Vfs;

/// Suffix of temporary files; any left over by a crash are removed on open.
pub(super) const TMP_SUFFIX: &str = ".tmp";

/// Writes `bytes` durably and atomically as `dir/file_name`: the data goes to
/// `file_name.tmp`, is fsynced, renamed over the final name, and the folder is
/// fsynced. On any failure the temporary file is removed and, if the rename
/// already happened, the new file too, so the folder is as before the call
/// (unless that removal also fails, which is logged).
///
/// Errors are `StorageError::Write` naming the final path and the step.
pub(super) fn write_durable(
    io: &dyn Vfs,
    dir: &Path,
    file_name: &str,
    bytes: &[u8],
) -> Result<(), StorageError> {
    let final_path = dir.join(file_name);
    let tmp_path = dir.join(format!("{file_name}{TMP_SUFFIX}"));
    let fail = |op: &'static str, source: io::Error| StorageError::Write {
        path: final_path.clone(),
        op,
        source,
    };

    let staged = io.write_synced(&tmp_path, bytes).and_then(|()| {
        io.rename(&tmp_path, &final_path)
            .map_err(|e| ("rename into place", e))
    });
    if let Err((op, e)) = staged {
        if let Err(rm) = io.remove(&tmp_path)
            && rm.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %tmp_path.display(), error = %rm, "could not remove temporary file");
        }
        return Err(fail(op, e));
    }
    if let Err(e) = io.sync_dir(dir) {
        // The new name may not survive a crash: undo so the caller's view
        // (the write failed) matches the disk.
        if let Err(rm) = io.remove(&final_path) {
            tracing::warn!(path = %final_path.display(), error = %rm, "could not undo a write whose folder sync failed");
        }
        return Err(fail("fsync the folder of", e));
    }
    Ok(())
}

/// Removes a file; a file already gone is not an error.
pub(super) fn remove_if_exists(io: &dyn Vfs, path: &Path) -> io::Result<()> {
    match io.remove(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reads a whole file; `Ok(None)` when it does not exist.
pub(super) fn read_optional(io: &dyn Vfs, path: &Path) -> Result<Option<Vec<u8>>, StorageError> {
    match io.read(path) {
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
pub(super) fn list_names(io: &dyn Vfs, dir: &Path) -> Result<Vec<String>, StorageError> {
    let names = io.list(dir).map_err(|source| StorageError::Read {
        path: dir.to_path_buf(),
        op: "list",
        source,
    })?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        match name.into_string() {
            Ok(name) => out.push(name),
            Err(other) => {
                tracing::warn!(dir = %dir.display(), name = ?other, "ignoring a file with a non-UTF-8 name");
            }
        }
    }
    Ok(out)
}

/// Removes leftover `*.tmp` files of a crashed write in `dir`, given its
/// listing; returns the names that remain.
pub(super) fn sweep_tmp(io: &dyn Vfs, dir: &Path, names: Vec<String>) -> Vec<String> {
    let mut kept = Vec::with_capacity(names.len());
    let mut removed_any = false;
    for name in names {
        if name.ends_with(TMP_SUFFIX) {
            let path = dir.join(&name);
            match remove_if_exists(io, &path) {
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
    if removed_any && let Err(e) = io.sync_dir(dir) {
        tracing::warn!(dir = %dir.display(), error = %e, "could not sync folder after cleanup");
    }
    kept
}
