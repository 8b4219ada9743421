//! The group's whole year (issue 12): all fourteen files of data/rw08 give the figures of
//! expected-2025-lengkap.json (computed independently of Rukun), to the rupiah; importing
//! again adds nothing; the same figures come out when the files are split between three
//! devices that sync in any order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use rukun_model::{Book, Device, GroupInit, ImportKind, Period, import_csv, period_report};
use serde_json::Value;

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

fn data_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/rw08"))
}

fn file_of(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Penduduk => "rw08-penduduk.csv",
        ImportKind::Survei => "rw08-survei-rumah.csv",
        ImportKind::Donatur => "donatur.csv",
        ImportKind::Iuran => "iuran-2025.csv",
        ImportKind::Santunan => "santunan-2025.csv",
        ImportKind::Pmks => "pmks-2025.csv",
        ImportKind::Anggota => "anggota-2025.csv",
        ImportKind::Musyawarah => "musyawarah-2025.csv",
        ImportKind::Keputusan => "keputusan-santunan-2025.csv",
        ImportKind::SumberDana => "sumber-dana-2025.csv",
        ImportKind::Natura => "natura-2025.csv",
        ImportKind::Pengeluaran => "pengeluaran-2025.csv",
        ImportKind::Pinjaman => "pinjaman-2025.csv",
        ImportKind::Angsuran => "angsuran-2025.csv",
    }
}

fn import(book: &mut Book, kind: ImportKind) -> rukun_model::ImportReport {
    let bytes = std::fs::read(data_dir().join(file_of(kind))).unwrap();
    let report = import_csv(book, kind, &bytes, &mut |_| {}).unwrap();
    assert!(
        report.rejected.is_empty(),
        "{}: {:?}",
        file_of(kind),
        report.rejected
    );
    report
}

fn expected() -> &'static Value {
    static E: OnceLock<Value> = OnceLock::new();
    E.get_or_init(|| {
        serde_json::from_slice(
            &std::fs::read(data_dir().join("expected-2025-lengkap.json")).unwrap(),
        )
        .unwrap()
    })
}

/// The year's report of a book, as `rukun report --year 2025 --json` prints it.
fn report_json(book: &Book) -> Value {
    let records = book.money_records();
    period_report(
        &records.input(),
        "Warga Rukun",
        &Period::year(2025).unwrap(),
    )
    .to_json()
}

/// Asserts `actual` carries everything of `want` (objects: every key of `want`, recursively;
/// arrays: element by element, same length; scalars equal).
fn assert_carries(actual: &Value, want: &Value, path: &str) {
    match (actual, want) {
        (Value::Object(a), Value::Object(w)) => {
            for (k, wv) in w {
                let av = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} is missing from the report"));
                assert_carries(av, wv, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(w)) => {
            assert_eq!(a.len(), w.len(), "{path}: length");
            for (i, (av, wv)) in a.iter().zip(w).enumerate() {
                assert_carries(av, wv, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(actual, want, "{path}"),
    }
}

/// Every figure of expected-2025-lengkap.json the report carries (all but `rows`, the
/// files' row counts).
fn assert_year(actual: &Value) {
    for (key, want) in expected().as_object().unwrap() {
        if key == "rows" {
            continue;
        }
        let got = actual
            .get(key)
            .unwrap_or_else(|| panic!("{key} is missing from the report"));
        assert_carries(got, want, key);
    }
}

fn whole_year_book() -> Book {
    let mut book = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
    for kind in ImportKind::ALL {
        import(&mut book, kind);
    }
    book
}

#[test]
fn the_whole_year_gives_the_reference_figures_to_the_rupiah() {
    let mut book = whole_year_book();
    let actual = report_json(&book);
    assert_year(&actual);
    // Amounts are JSON integers, never floats; kinds spelled as in the files.
    assert!(actual["cash_in_by_kind"]["hibah"].is_i64());
    assert!(actual["months"][0]["closing"].is_i64());
    assert_eq!(actual["months"][11]["month"], 12);
    assert_eq!(actual["quarters"][3]["quarter"], 4);
    // Importing every file again adds nothing.
    for kind in ImportKind::ALL {
        let again = import(&mut book, kind);
        assert_eq!(again.imported, 0, "{} imported again", file_of(kind));
    }
    assert_eq!(report_json(&book), actual);
}

#[test]
fn the_year_split_between_three_devices_syncs_to_the_same_figures() {
    // Files split so that each device's files import on their own; what one names of
    // another (a meeting, a person, a loan) is linked after the sync.
    let split: [&[ImportKind]; 3] = [
        &[
            ImportKind::Penduduk,
            ImportKind::Survei,
            ImportKind::Pmks,
            ImportKind::Anggota,
            ImportKind::Angsuran,
        ],
        &[
            ImportKind::Donatur,
            ImportKind::Iuran,
            ImportKind::SumberDana,
            ImportKind::Natura,
            ImportKind::Pinjaman,
        ],
        &[
            ImportKind::Santunan,
            ImportKind::Keputusan,
            ImportKind::Musyawarah,
            ImportKind::Pengeluaran,
        ],
    ];
    for seed in 0..3u64 {
        // The admin's device and two treasurers' devices, all members.
        let mut a = Book::new_in_memory(Device::from_seed(10), &init()).unwrap();
        for (s, name) in [(11, "Bendahara I"), (12, "Bendahara II")] {
            a.add_member(
                Device::from_seed(s).member_id(),
                name,
                rukun_model::Role::Bendahara,
                None,
            )
            .unwrap();
        }
        a.commit("members").unwrap();
        let mut b = a.replica_for(Device::from_seed(11));
        let mut c = a.replica_for(Device::from_seed(12));
        for (book, kinds) in [(&mut a, split[0]), (&mut b, split[1]), (&mut c, split[2])] {
            for kind in kinds {
                import(book, *kind);
            }
        }
        // Sync in an order given by the seed, pairwise, until all three agree.
        let order: [(usize, usize); 3] = match seed {
            0 => [(0, 1), (1, 2), (0, 2)],
            1 => [(2, 0), (0, 1), (2, 1)],
            _ => [(1, 2), (2, 0), (1, 0)],
        };
        let mut books = [a, b, c];
        for _ in 0..2 {
            for (x, y) in order {
                let [p, q] = books.get_disjoint_mut([x, y]).unwrap();
                p.merge(q).unwrap();
                q.merge(p).unwrap();
            }
        }
        let first = report_json(&books[0]);
        assert_year(&first);
        for b in &books[1..] {
            assert_eq!(report_json(b), first, "seed {seed}: the devices agree");
        }
    }
}

#[test]
fn the_csv_export_of_the_year_imports_back_to_the_same_figures() {
    let book = whole_year_book();
    let files = rukun_model::export_csv(&book).unwrap();
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} is not in the export"))
            .bytes
            .clone()
    };
    let mut copy = Book::new_in_memory(Device::from_seed(2), &init()).unwrap();
    for (kind, name) in [
        (ImportKind::Penduduk, "penduduk.csv"),
        (ImportKind::Survei, "survei-rumah.csv"),
        (ImportKind::Donatur, "donatur.csv"),
        (ImportKind::Iuran, "iuran.csv"),
        (ImportKind::Pmks, "pmks.csv"),
        (ImportKind::Anggota, "anggota.csv"),
        (ImportKind::Musyawarah, "musyawarah.csv"),
        (ImportKind::Keputusan, "keputusan-santunan.csv"),
        (ImportKind::Santunan, "santunan.csv"),
        (ImportKind::SumberDana, "sumber-dana.csv"),
        (ImportKind::Natura, "natura.csv"),
        (ImportKind::Pengeluaran, "pengeluaran.csv"),
        (ImportKind::Pinjaman, "pinjaman.csv"),
        (ImportKind::Angsuran, "angsuran.csv"),
    ] {
        let report = import_csv(&mut copy, kind, &file(name), &mut |_| {}).unwrap();
        assert!(report.rejected.is_empty(), "{name}: {:?}", report.rejected);
    }
    let mut a = report_json(&book);
    let mut b = report_json(&copy);
    for v in [&mut a, &mut b] {
        // Who the group is called and who pledged what are not in the files' figures.
        v.as_object_mut().unwrap().remove("group");
    }
    assert_year(&b);
    assert_eq!(a, b);
    assert_eq!(book.stats(), copy.stats());
}

/// A month closed at the meeting keeps its figures: an expense written offline on another
/// device, dated in that month, arrives after the closing and counts in the next open
/// month, with a note in the buku kas; on the closing device such an entry is refused.
#[test]
fn a_closed_month_keeps_its_figures_when_a_late_entry_syncs_in() {
    let mut a = Book::new_in_memory(Device::from_seed(10), &init()).unwrap();
    a.add_member(
        Device::from_seed(11).member_id(),
        "Bendahara II",
        rukun_model::Role::Bendahara,
        None,
    )
    .unwrap();
    a.commit("members").unwrap();
    let mut b = a.replica_for(Device::from_seed(11));
    let expense = |tanggal: &str| rukun_model::Pengeluaran {
        kategori: rukun_model::rules::KategoriPengeluaran::KonsumsiRapat,
        tanggal: tanggal.into(),
        dibayar_kepada: "Warung Bu Tarmi".into(),
        jumlah: rukun_model::rules::Rupiah::from_whole(60_000).unwrap(),
        ..Default::default()
    };
    let march = rukun_model::rules::YearMonth::new(2025, 3).unwrap();
    let report = |book: &Book| {
        let records = book.money_records();
        period_report(
            &records.input(),
            "Warga Rukun",
            &Period::year(2025).unwrap(),
        )
    };
    // A closes March (nothing in it yet); B, offline, records an expense dated in March.
    a.close_month(march, "Musyawarah 2025-04").unwrap();
    a.commit("tutup buku").unwrap();
    let refused = a.add_expense(expense("2025-03-30")).unwrap_err();
    assert!(
        matches!(
            refused,
            rukun_model::BookError::Money(rukun_model::MoneyRefusal::MonthClosed { .. })
        ),
        "{refused:?}"
    );
    // (Later by its clock: the closing is judged by the writing devices' clocks.)
    b.set_clock_skew(chrono::Duration::seconds(1));
    b.add_expense(expense("2025-03-30")).unwrap();
    b.commit("offline").unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(a.closings().len(), 1, "the closing reads back");
    let r = report(&a);
    assert_eq!(
        r.months[2].cash_out,
        rukun_model::Amount::zero(),
        "March unchanged"
    );
    assert_eq!(
        r.months[3].cash_out.whole(),
        Some(60_000),
        "counted in April"
    );
    let kas = rukun_model::buku_kas(
        &a.money_records().input(),
        &Period::month(rukun_model::rules::YearMonth::new(2025, 4).unwrap()).unwrap(),
    );
    assert!(
        kas.rows[0]
            .uraian
            .contains("bertanggal 30/03/2025, dicatat setelah tutup buku"),
        "{:?}",
        kas.rows[0].uraian
    );
}
