//! The file operations under the book store, behind a small trait so that tests can make
//! any write, fsync, rename, folder fsync, read, removal, listing or folder creation or
//! removal fail (or a read return short or garbled data, or a folder removal stop half way)
//! at the N-th call.
//!
//! Why a trait of our own rather than a failpoint crate (`fail`, `fail-parallel`): the
//! store does only eight kinds of file operation, all in `fsio.rs` and `mod.rs`, so one
//! trait with eight methods covers every call site (a key rotation's folders included); a test gets its own injector per book
//! (no process-global failpoint registry, so tests run in parallel without a lock and
//! without a `failpoints` cargo feature that would change what is compiled); the faulty
//! implementation can count calls and do what a failing disk really does (write half a
//! file before ENOSPC, return the bytes of a torn read) instead of only returning an error
//! at a named point; and the release build carries no extra dependency. The real path
//! costs one virtual call per file operation, next to a system call and usually an fsync.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// The file operations the book store performs (all of them except taking the lock; a
/// check whether a path exists is a look at metadata, not counted as an operation).
pub(crate) trait Vfs: Send + Sync + std::fmt::Debug {
    /// Creates or truncates `path`, writes all of `bytes` and fsyncs the file. On failure,
    /// the step that failed ("create temporary file for", "write" or "fsync").
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> Result<(), (&'static str, io::Error)>;
    /// Renames the file or folder `from` to `to` (a file over an existing file).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Flushes a folder's entries (new, renamed, removed files) to disk.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Reads a whole file.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Removes a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// The entry names of a folder.
    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>>;
    /// Creates a folder and any missing parents (an existing folder is not an error).
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Removes a folder with everything in it.
    fn remove_dir_all(&self, dir: &Path) -> io::Result<()>;
}

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RealFs;

impl Vfs for RealFs {
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> Result<(), (&'static str, io::Error)> {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .map_err(|e| ("create temporary file for", e))?;
        f.write_all(bytes).map_err(|e| ("write", e))?;
        f.sync_all().map_err(|e| ("fsync", e))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    #[cfg(unix)]
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    /// Not possible on this platform; the file contents themselves are still synced
    /// before the rename.
    #[cfg(not(unix))]
    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        Ok(())
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(dir)? {
            names.push(entry?.file_name());
        }
        Ok(names)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::remove_dir_all(dir)
    }
}

#[cfg(test)]
pub(crate) use fault::{FaultFs, FaultKind, Op};

/// A file system that injects faults, for tests.
#[cfg(test)]
mod fault {
    #![allow(clippy::unwrap_used)]

    use std::ffi::OsString;
    use std::fs;
    use std::io;
    use std::path::Path;
    use std::sync::Mutex;

    use super::{RealFs, Vfs};

    /// One kind of I/O call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub(crate) enum Op {
        /// Writing a (temporary) file's bytes.
        Write,
        /// Fsyncing a written file.
        Fsync,
        /// Renaming a temporary file into place.
        Rename,
        /// Fsyncing a folder.
        SyncDir,
        /// Reading a file.
        Read,
        /// Removing a file.
        Remove,
        /// Listing a folder.
        List,
        /// Creating a folder (and its parents).
        CreateDir,
        /// Removing a folder with its contents.
        RemoveDir,
    }

    /// What an injected fault does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub(crate) enum FaultKind {
        /// The call fails (EIO; for a write nothing is written).
        Fail,
        /// A write stores only the first half and fails with ENOSPC; a read returns only
        /// the first half of the file; a folder removal removes half of the entries and
        /// fails.
        Short,
        /// A read returns the file with one byte flipped (in the middle); a write stores it
        /// so and reports success (a disk that lies).
        Garble,
    }

    impl FaultKind {
        /// The kinds that make sense for `op`, excluding a silently garbled write (no
        /// store can keep a record that the disk garbles after reporting it written).
        pub(crate) fn for_op(op: Op) -> &'static [FaultKind] {
            match op {
                Op::Write => &[FaultKind::Fail, FaultKind::Short],
                Op::Read => &[FaultKind::Fail, FaultKind::Short, FaultKind::Garble],
                Op::RemoveDir => &[FaultKind::Fail, FaultKind::Short],
                _ => &[FaultKind::Fail],
            }
        }
    }

    #[derive(Debug, Default)]
    struct State {
        /// Every call so far, in order.
        log: Vec<Op>,
        /// Faults to inject: (global call index counted from 0, kind).
        at_call: Vec<(usize, FaultKind)>,
        /// Faults to inject: (op, index among the calls of that op from 0, kind).
        at_op: Vec<(Op, usize, FaultKind)>,
        /// Faults to inject: (global call index, a number that picks the kind among those
        /// that make sense for whatever call that is).
        at_pick: Vec<(usize, usize)>,
        /// Faults injected: (call index, op, kind).
        fired: Vec<(usize, Op, FaultKind)>,
    }

    /// Real files, with faults injected at planned calls; fsyncs are skipped (their
    /// success or failure is simulated) so the many runs of a matrix stay fast.
    #[derive(Debug, Default)]
    pub(crate) struct FaultFs {
        state: Mutex<State>,
    }

    fn injected(kind: io::ErrorKind) -> io::Error {
        io::Error::new(kind, "injected fault")
    }

    fn garble(bytes: &mut [u8]) {
        if !bytes.is_empty() {
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x40;
        }
    }

    impl FaultFs {
        /// No fault planned.
        pub(crate) fn new() -> FaultFs {
            FaultFs::default()
        }

        /// Injects `kind` at the global call number `n` (counted from 0 since creation).
        pub(crate) fn at_call(&self, n: usize, kind: FaultKind) {
            self.state.lock().unwrap().at_call.push((n, kind));
        }

        /// Injects a fault at the global call number `n`, of the kind that `pick` selects
        /// (modulo their number) among those that make sense for that call.
        pub(crate) fn at_call_pick(&self, n: usize, pick: usize) {
            self.state.lock().unwrap().at_pick.push((n, pick));
        }

        /// Injects `kind` at the `n`-th (from 0) call of `op` made from now on.
        pub(crate) fn at_next(&self, op: Op, n: usize, kind: FaultKind) {
            let mut s = self.state.lock().unwrap();
            let done = s.log.iter().filter(|o| **o == op).count();
            s.at_op.push((op, done + n, kind));
        }

        /// The calls made so far.
        pub(crate) fn log(&self) -> Vec<Op> {
            self.state.lock().unwrap().log.clone()
        }

        /// The faults injected so far.
        pub(crate) fn fired(&self) -> Vec<(usize, Op, FaultKind)> {
            self.state.lock().unwrap().fired.clone()
        }

        /// Records a call and returns the fault to inject into it, if any.
        fn hit(&self, op: Op) -> Option<FaultKind> {
            let mut s = self.state.lock().unwrap();
            let index = s.log.len();
            let nth = s.log.iter().filter(|o| **o == op).count();
            s.log.push(op);
            let planned = s
                .at_call
                .iter()
                .find(|(n, k)| *n == index && FaultKind::for_op(op).contains(k))
                .map(|(_, k)| *k)
                .or_else(|| {
                    s.at_op
                        .iter()
                        .find(|(o, n, _)| *o == op && *n == nth)
                        .map(|(_, _, k)| *k)
                })
                .or_else(|| {
                    let kinds = FaultKind::for_op(op);
                    s.at_pick
                        .iter()
                        .find(|(n, _)| *n == index)
                        .map(|(_, pick)| kinds[pick % kinds.len()])
                });
            if let Some(k) = planned {
                s.fired.push((index, op, k));
            }
            planned
        }
    }

    impl Vfs for FaultFs {
        fn write_synced(&self, path: &Path, bytes: &[u8]) -> Result<(), (&'static str, io::Error)> {
            match self.hit(Op::Write) {
                Some(FaultKind::Fail) => {
                    return Err(("write", injected(io::ErrorKind::Other)));
                }
                Some(FaultKind::Short) => {
                    let _ = fs::write(path, &bytes[..bytes.len() / 2]);
                    return Err(("write", injected(io::ErrorKind::StorageFull)));
                }
                Some(FaultKind::Garble) => {
                    let mut b = bytes.to_vec();
                    garble(&mut b);
                    fs::write(path, b).map_err(|e| ("write", e))?;
                }
                None => fs::write(path, bytes).map_err(|e| ("write", e))?,
            }
            match self.hit(Op::Fsync) {
                Some(_) => Err(("fsync", injected(io::ErrorKind::Other))),
                None => Ok(()),
            }
        }

        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            match self.hit(Op::Rename) {
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => RealFs.rename(from, to),
            }
        }

        fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
            match self.hit(Op::SyncDir) {
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => Ok(()),
            }
        }

        fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
            let fault = self.hit(Op::Read);
            if fault == Some(FaultKind::Fail) {
                return Err(injected(io::ErrorKind::Other));
            }
            let mut bytes = RealFs.read(path)?;
            match fault {
                Some(FaultKind::Short) => bytes.truncate(bytes.len() / 2),
                Some(FaultKind::Garble) => garble(&mut bytes),
                _ => {}
            }
            Ok(bytes)
        }

        fn remove(&self, path: &Path) -> io::Result<()> {
            match self.hit(Op::Remove) {
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => RealFs.remove(path),
            }
        }

        fn list(&self, dir: &Path) -> io::Result<Vec<OsString>> {
            match self.hit(Op::List) {
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => RealFs.list(dir),
            }
        }

        fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
            match self.hit(Op::CreateDir) {
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => RealFs.create_dir_all(dir),
            }
        }

        fn remove_dir_all(&self, dir: &Path) -> io::Result<()> {
            match self.hit(Op::RemoveDir) {
                Some(FaultKind::Short) => {
                    // Stops half way, as a removal interrupted by a crash or an error would.
                    let mut names = RealFs.list(dir)?;
                    names.sort();
                    for name in names.iter().take(names.len() / 2) {
                        let path = dir.join(name);
                        if path.is_dir() {
                            fs::remove_dir_all(&path)?;
                        } else {
                            fs::remove_file(&path)?;
                        }
                    }
                    Err(injected(io::ErrorKind::Other))
                }
                Some(_) => Err(injected(io::ErrorKind::Other)),
                None => RealFs.remove_dir_all(dir),
            }
        }
    }
}
