//! Durable file operations: write to a temporary file, fsync, rename over the
//! final name, fsync the folder. Every file operation goes through a [`Vfs`].

use std::io;
use std::path::Path;

use super::error::StorageError;
use super::vfs::Vfs;

/// Suffix of temporary files; any left over by a crash are removed on open.
pub(super) const TMP_SUFFIX: &str = ".tmp";

/// The `op` of a [`StorageError::Write`] whose file was renamed into place but whose
/// folder could not be fsynced afterwards.
pub(super) const SYNC_DIR_OP: &str = "fsync the folder of";

/// Writes `bytes` durably and atomically as `dir/file_name`: the data goes to
/// `file_name.tmp`, is fsynced, renamed over the final name, and the folder is
/// fsynced. On a failure before the rename the temporary file is removed and the
/// folder is as before the call (unless that removal also fails, which is logged).
/// When only the final folder fsync fails, the new file stays in place (it is
/// complete; only its rename may not survive a power cut) and the error's `op` is
/// [`SYNC_DIR_OP`].
///
/// Errors are `StorageError::Write` naming the final path and the step, or
/// `StorageError::Full` when the device has no room for the file (nothing was changed).
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
        if e.kind() == io::ErrorKind::StorageFull {
            return Err(StorageError::Full {
                path: final_path.clone(),
                needed: bytes.len() as u64,
            });
        }
        return Err(fail(op, e));
    }
    if let Err(e) = io.sync_dir(dir) {
        // The new file is complete and in place; only its name may not survive a power
        // cut. It is never removed: it may hold the only copy of a key (a header written
        // by a passphrase change) or the newest value of a blob, and a removal would make
        // the loss certain instead of possible. The caller is told, and may write again.
        return Err(fail(SYNC_DIR_OP, e));
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
