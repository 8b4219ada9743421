//! The sample book: the reference RW of `data/rw08` (RW 08 Sorosutan, Kota Yogyakarta, year
//! 2025, invented people), built into the binary so that `rukun demo` and the app's "Coba
//! dengan data contoh" show a full book in one step, with no file to find on a phone.
//!
//! It goes through the one write path: [`Book::create`] and [`import_csv`] of the fourteen
//! files of the paper book, exactly as a person importing them would.

use std::path::Path;

use crate::storage::KdfParams;
use crate::{Book, BookError, GroupInit, ImportError, ImportKind, ImportReport, import_csv};

/// The files of the sample, in import order (people before surveys, donors before iuran,
/// meetings before what they decided, loans before their repayments).
const FILES: [(ImportKind, &str, &[u8]); 14] = [
    (
        ImportKind::Penduduk,
        "rw08-penduduk.csv",
        include_bytes!("../../data/rw08/rw08-penduduk.csv"),
    ),
    (
        ImportKind::Survei,
        "rw08-survei-rumah.csv",
        include_bytes!("../../data/rw08/rw08-survei-rumah.csv"),
    ),
    (
        ImportKind::Donatur,
        "donatur.csv",
        include_bytes!("../../data/rw08/donatur.csv"),
    ),
    (
        ImportKind::Iuran,
        "iuran-2025.csv",
        include_bytes!("../../data/rw08/iuran-2025.csv"),
    ),
    (
        ImportKind::Pmks,
        "pmks-2025.csv",
        include_bytes!("../../data/rw08/pmks-2025.csv"),
    ),
    (
        ImportKind::Anggota,
        "anggota-2025.csv",
        include_bytes!("../../data/rw08/anggota-2025.csv"),
    ),
    (
        ImportKind::Musyawarah,
        "musyawarah-2025.csv",
        include_bytes!("../../data/rw08/musyawarah-2025.csv"),
    ),
    (
        ImportKind::Keputusan,
        "keputusan-santunan-2025.csv",
        include_bytes!("../../data/rw08/keputusan-santunan-2025.csv"),
    ),
    (
        ImportKind::Santunan,
        "santunan-2025.csv",
        include_bytes!("../../data/rw08/santunan-2025.csv"),
    ),
    (
        ImportKind::SumberDana,
        "sumber-dana-2025.csv",
        include_bytes!("../../data/rw08/sumber-dana-2025.csv"),
    ),
    (
        ImportKind::Natura,
        "natura-2025.csv",
        include_bytes!("../../data/rw08/natura-2025.csv"),
    ),
    (
        ImportKind::Pengeluaran,
        "pengeluaran-2025.csv",
        include_bytes!("../../data/rw08/pengeluaran-2025.csv"),
    ),
    (
        ImportKind::Pinjaman,
        "pinjaman-2025.csv",
        include_bytes!("../../data/rw08/pinjaman-2025.csv"),
    ),
    (
        ImportKind::Angsuran,
        "angsuran-2025.csv",
        include_bytes!("../../data/rw08/angsuran-2025.csv"),
    ),
];

/// The group of the sample: Warga Rukun, RW 08 of Sorosutan (34.71.13.1006), RT 27–31.
pub fn demo_group(member_name: &str) -> GroupInit {
    GroupInit {
        name: "Warga Rukun (contoh)".to_owned(),
        kelurahan: "Sorosutan".to_owned(),
        kode_wilayah: "34.71.13.1006".to_owned(),
        rw: 8,
        rts: vec![27, 28, 29, 30, 31],
        member_name: member_name.to_owned(),
    }
}

/// Why the sample book could not be made.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The book could not be created (folder holds a book, storage, passphrase…).
    #[error("creating the sample book: {0}")]
    Create(#[source] BookError),
    /// One of the sample files could not be imported.
    #[error("importing {file} of the sample: {source}")]
    Import {
        /// The sample file.
        file: &'static str,
        /// What went wrong.
        #[source]
        source: Box<ImportError>,
    },
    /// The filled book could not be compacted.
    #[error("compacting the sample book: {0}")]
    Compact(#[source] BookError),
}

/// What [`create_demo`] imported, file by file.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Each sample file with its import report.
    pub files: Vec<(&'static str, ImportReport)>,
}

/// Fills `book` with the sample's six files through [`import_csv`]; `progress(done, total,
/// file)` is called before each file and once at the end (with an empty file name).
///
/// # Errors
/// [`DemoError::Import`] when a file cannot be read (rows refused are in the report).
pub fn fill_demo(
    book: &mut Book,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<DemoReport, DemoError> {
    let mut files = Vec::new();
    for (i, (kind, file, bytes)) in FILES.iter().enumerate() {
        progress(i, FILES.len(), file);
        let report =
            import_csv(book, *kind, bytes, &mut |_| {}).map_err(|source| DemoError::Import {
                file,
                source: Box::new(source),
            })?;
        files.push((*file, report));
    }
    progress(FILES.len(), FILES.len(), "");
    Ok(DemoReport { files })
}

/// Creates a new book in `dir` (which must not hold one) filled with the sample RW, with
/// `member_name` as its founding admin, and compacts it as `rukun import` does.
///
/// # Errors
/// [`DemoError::Create`] when the book cannot be created, [`DemoError::Import`] when a
/// file cannot be read, [`DemoError::Compact`] when the compaction fails.
pub fn create_demo(
    dir: &Path,
    passphrase: &str,
    kdf: KdfParams,
    member_name: &str,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<(Book, DemoReport), DemoError> {
    let mut book =
        Book::create(dir, passphrase, kdf, &demo_group(member_name)).map_err(DemoError::Create)?;
    let report = fill_demo(&mut book, progress)?;
    book.compact().map_err(DemoError::Compact)?;
    Ok((book, report))
}
