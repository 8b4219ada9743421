//! The yearly report over the reference data (data/rw08, imported into an in-memory
//! book): target under 100 ms on a 2-core machine (issue 4, acceptance). Measures the
//! report from records already read (as the app's in-memory index will feed it) and the
//! whole path from the book (reading every record, then the report).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use rukun_model::{Book, Device, GroupInit, ImportKind, Period, import_csv, period_report};

/// The reference data folder `data/rw08` of the repository (see its README.md).
fn data_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08"));
    assert!(
        dir.join("expected-2025.json").is_file(),
        "reference data not found in {}",
        dir.display()
    );
    dir
}

fn reference_book() -> Book {
    let mut book = Book::new_in_memory(
        Device::from_seed(1),
        &GroupInit {
            name: "Warga Rukun".into(),
            kelurahan: "Sorosutan".into(),
            kode_wilayah: "34.71.13.1006".into(),
            rw: 8,
            rts: vec![27, 28, 29, 30, 31],
            member_name: "Bu Sri".into(),
        },
    )
    .unwrap();
    let data = data_dir();
    for (kind, file) in [
        (ImportKind::Penduduk, "rw08-penduduk.csv"),
        (ImportKind::Survei, "rw08-survei-rumah.csv"),
        (ImportKind::Donatur, "donatur.csv"),
        (ImportKind::Iuran, "iuran-2025.csv"),
        (ImportKind::Pmks, "pmks-2025.csv"),
        (ImportKind::Santunan, "santunan-2025.csv"),
    ] {
        let bytes = std::fs::read(data.join(file)).unwrap();
        import_csv(&mut book, kind, &bytes, &mut |_| {}).unwrap();
    }
    book
}

fn bench(c: &mut Criterion) {
    let book = reference_book();
    let period = Period::year(2025).unwrap();
    let records = book.money_records();
    assert_eq!(records.receipts.len(), 795);
    c.bench_function("report 2025 from records", |b| {
        b.iter(|| period_report(&records.input(), "Warga Rukun", &period))
    });
    c.bench_function("report 2025 from the book (read + report)", |b| {
        b.iter(|| {
            let records = book.money_records();
            period_report(&records.input(), "Warga Rukun", &period)
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
