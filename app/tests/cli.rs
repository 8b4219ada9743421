//! The `rukun` command on the reference data of `data/rw08`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

const COUNTS: [&str; 6] = [
    "households",
    "persons",
    "donors",
    "receipts",
    "disbursements",
    "pmks",
];

#[test]
fn importing_the_reference_data_gives_the_expected_counts_and_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    import_all(&book);
    let expected = expected();
    let s = stats(&book);
    for k in COUNTS {
        assert_eq!(s[k], expected[k], "{k}");
    }
    // Importing everything again changes no count, and reports every row as present.
    let data = data_dir();
    for (kind, file) in FILES {
        let out = run(&book, &["import", kind, data.join(file).to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(" 0 imported"), "{kind}: {err}");
    }
    assert_eq!(stats(&book), s);

    // An export imports back into a new book with the same counts.
    let csv = dir.path().join("csv");
    ok(
        &book,
        &["export", "--format", "csv", "--out", csv.to_str().unwrap()],
    );
    let copy = dir.path().join("copy");
    init(&copy);
    for (kind, file) in [
        ("penduduk", "penduduk.csv"),
        ("survei", "survei-rumah.csv"),
        ("donatur", "donatur.csv"),
        ("iuran", "iuran.csv"),
        ("pmks", "pmks.csv"),
        ("santunan", "santunan.csv"),
    ] {
        let bytes = std::fs::read(csv.join(file)).unwrap();
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{file} has a BOM for Excel"
        );
        ok(&copy, &["import", kind, csv.join(file).to_str().unwrap()]);
    }
    assert!(csv.join("PERHATIAN-DATA-PRIBADI.txt").exists());
    assert_eq!(stats(&copy), s);
}

/// The same rows as Excel with Indonesian settings saves them.
/// `rukun demo` makes, in one step, the same book as `init` plus the six imports of the
/// walk-through: the expected counts of the reference data, and a book that refuses to be
/// made twice in one folder.
#[test]
fn demo_makes_the_reference_book_in_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("demo");
    let out = ok(&book, &["demo", "--member", "Bu Sri"]);
    let printed: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let s = stats(&book);
    assert_eq!(printed, s);
    // All fourteen files: the six of the paper book, and the whole year's.
    let expected = expected();
    let full: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data_dir().join("expected-2025-lengkap.json")).unwrap(),
    )
    .unwrap();
    let rows = |f: &str| full["rows"][f].as_u64().unwrap();
    for k in COUNTS.iter().filter(|k| **k != "receipts") {
        assert_eq!(s[k], expected[k], "{k}");
    }
    assert_eq!(
        s["receipts"].as_u64().unwrap(),
        expected["receipts"].as_u64().unwrap()
            + rows("sumber-dana-2025.csv")
            + rows("angsuran-2025.csv"),
        "iuran, other income and repayments each have a kuitansi"
    );
    for (k, f) in [
        ("expenses", "pengeluaran-2025.csv"),
        ("loans", "pinjaman-2025.csv"),
        ("approvals", "keputusan-santunan-2025.csv"),
        ("anggota", "anggota-2025.csv"),
        ("natura", "natura-2025.csv"),
    ] {
        assert_eq!(s[k].as_u64().unwrap(), rows(f), "{k}");
    }
    // The year's report from the demo book is the independent figures.
    let report: serde_json::Value =
        serde_json::from_str(&ok(&book, &["report", "--year", "2025", "--json"])).unwrap();
    for k in [
        "cash_in_by_kind",
        "cash_out_by_kind",
        "closing_balance_2025",
        "loans",
    ] {
        assert_eq!(report[k], full[k], "{k}");
    }
    let members = ok(&book, &["members", "--json"]);
    assert!(
        members.contains("\"Bu Sri\"") && members.contains("\"admin\""),
        "{members}"
    );
    let again = run(&book, &["demo"]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds a book"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(
        stats(&book),
        s,
        "nothing changed by the refused second demo"
    );
}

fn excel(text: &str) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        if i == 0 {
            cells = cells
                .iter()
                .map(|h| h.replace('_', " ").to_uppercase())
                .collect();
        }
        out.extend(cells.join(";").as_bytes());
        out.extend(b"\r\n");
        if i == 2 {
            out.extend(";;;;;\r\n\r\n".as_bytes());
        }
    }
    out
}

#[test]
fn excel_files_with_semicolons_bom_crlf_and_indonesian_formats_import() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let data = data_dir();
    let donatur = std::fs::read_to_string(data.join("donatur.csv")).unwrap();
    let path = dir.path().join("donatur-excel.csv");
    std::fs::write(&path, excel(&donatur)).unwrap();
    ok(&book, &["import", "donatur", path.to_str().unwrap()]);
    assert_eq!(stats(&book)["donors"], 70);

    // Receipts with dd/mm/yyyy HH.MM WIB times and "Rp 10.000" amounts.
    let iuran = "diterima_pada_wib;kode_donatur;rt;jumlah;penerima;keterangan\r\n\
                 01/02/2025 06.30;D001;27;Rp 10.000;Ketua RT 27;Iuran 02/2025\r\n\
                 ;;;;;\r\n\
                 31/01/2025 23.59;D002;28;Rp 5.000;Ketua RT 28;Iuran 01/2025\r\n\
                 32/01/2025 10.00;D003;29;Rp 5.000;Ketua RT 29;Iuran 01/2025\r\n\
                 01/02/2025 10.00;D999;29;Rp 5.000;Ketua RT 29;Iuran 02/2025\r\n\
                 01/02/2025 11.00;D004;30;75.000,5;Ketua RT 30;Iuran 02/2025\r\n";
    let path = dir.path().join("iuran-excel.csv");
    std::fs::write(&path, format!("\u{feff}{iuran}")).unwrap();
    let out = run(&book, &["import", "iuran", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "some rows rejected");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":5: rejected: diterima_pada_wib"), "{err}");
    assert!(err.contains(":6: rejected: kode_donatur"), "{err}");
    assert!(err.contains(":7: rejected: jumlah"), "{err}");
    assert_eq!(stats(&book)["receipts"], 2);
    let csv = dir.path().join("out");
    ok(
        &book,
        &["export", "--format", "csv", "--out", csv.to_str().unwrap()],
    );
    let exported = std::fs::read_to_string(csv.join("iuran.csv")).unwrap();
    assert!(
        exported.contains("2025-02-01T06:30:00+07:00,D001,27,10000"),
        "{exported}"
    );

    // A KK in scientific notation is lost data: its row is refused, the others imported.
    let penduduk = "no_kk;nik;nama;jenis_kelamin;tanggal_lahir;hubungan_keluarga;alamat;rt\r\n\
                    3,47113E+15;3471131206619606;Bambang;L;12/06/1961;Kepala Keluarga;No. 41.E;27\r\n\
                    3471132306100002;3471132610664382;Sutrisno;L;26/10/1966;Kepala Keluarga;Jl. Tegalturi No. 79;27\r\n";
    let path = dir.path().join("penduduk-excel.csv");
    std::fs::write(&path, penduduk).unwrap();
    let out = run(&book, &["import", "penduduk", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":2: rejected: no_kk"), "{err}");
    assert_eq!(stats(&book)["persons"], 1);

    // An answer outside the survey's options is kept as "Lainnya: …" with a warning.
    let survei = "no_kk,rt,alamat,lantai\n3471132306100002,27,Jl. Tegalturi No. 79,Terpal\n";
    let path = dir.path().join("survei.csv");
    std::fs::write(&path, survei).unwrap();
    let out = run(&book, &["import", "survei", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning"));
    let list: serde_json::Value =
        serde_json::from_str(&ok(&book, &["household", "list", "--json"])).unwrap();
    assert_eq!(list[0]["household"]["lantai"], "Lainnya: Terpal");
}

#[test]
fn unreadable_file_exits_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let out = run(&book, &["import", "penduduk", "/nonexistent/file.csv"]);
    assert_eq!(out.status.code(), Some(2));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, b"\xff\xfe\x00garbage").unwrap();
    assert_eq!(
        run(&book, &["import", "penduduk", bad.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    let missing = dir.path().join("missing.csv");
    std::fs::write(&missing, "nama,alamat\nBambang,Jl. A\n").unwrap();
    let out = run(&book, &["import", "penduduk", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_kk"));
    assert_eq!(stats(&book)["households"], 0);
}

#[test]
fn household_add_edit_show_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let id = ok(
        &book,
        &[
            "household",
            "add",
            "--kk",
            "3471131208250001",
            "--rt",
            "28",
            "--alamat",
            "Jl. Sidokabul 12",
            "--kepala",
            "Soedjono",
        ],
    )
    .trim()
    .to_string();
    ok(
        &book,
        &[
            "household",
            "edit",
            &id,
            "--set",
            "lantai=tanah",
            "--set",
            "luas_lantai_m2=36",
        ],
    );
    let out = run(&book, &["household", "edit", &id, "--set", "rt=abc"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("rt:"));
    let out = run(&book, &["household", "edit", &id, "--set", "warna=merah"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warna: unknown field"));
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&book, &["household", "show", &id, "--json"])).unwrap();
    assert_eq!(shown["household"]["lantai"], "Tanah");
    assert_eq!(shown["household"]["luas_lantai_m2"], 36);
    assert_eq!(shown["household"]["rt"], 28);
    let hits: serde_json::Value = serde_json::from_str(&ok(
        &book,
        &["household", "list", "--search", "sidokabul", "--json"],
    ))
    .unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    let none: serde_json::Value =
        serde_json::from_str(&ok(&book, &["household", "list", "--rt", "27", "--json"])).unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0);
    // A second household with the same KK is refused.
    let out = run(
        &book,
        &[
            "household",
            "add",
            "--kk",
            "3471131208250001",
            "--rt",
            "28",
            "--alamat",
            "x",
            "--kepala",
            "y",
        ],
    );
    assert!(!out.status.success());
}

#[test]
fn the_automerge_export_is_a_standard_document() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let out = dir.path().join("am");
    ok(
        &book,
        &[
            "export",
            "--format",
            "automerge",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(out.join("book.automerge")).unwrap();
    // Magic bytes of an Automerge document.
    assert_eq!(&bytes[..4], &[0x85, 0x6f, 0x4a, 0x83]);
}

#[test]
fn every_export_folder_carries_the_notice_and_the_anonymous_report_names_nobody() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    import_all(&book);
    for format in ["csv", "json", "automerge", "hledger"] {
        let out = dir.path().join(format);
        ok(
            &book,
            &["export", "--format", format, "--out", out.to_str().unwrap()],
        );
        let notice = std::fs::read_to_string(out.join("PERHATIAN-DATA-PRIBADI.txt")).unwrap();
        assert!(notice.contains("UU No. 27 Tahun 2022"), "{format}");
    }
    let json = std::fs::read_to_string(dir.path().join("json").join("households.json")).unwrap();
    assert!(json.contains("\"notice\""));
    let named: serde_json::Value =
        serde_json::from_str(&ok(&book, &["report", "--year", "2025", "--json"])).unwrap();
    let donor = named["receipts_by_donor"][0]["nama"]
        .as_str()
        .unwrap()
        .to_string();
    let anon = ok(&book, &["report", "--year", "2025", "--json", "--anonim"]);
    assert!(
        !anon.contains(&donor),
        "{donor} appears in the anonymous report"
    );
    let anon: serde_json::Value = serde_json::from_str(&anon).unwrap();
    assert_eq!(anon["closing"], named["closing"]);
    assert_eq!(anon["receipts_by_rt"], named["receipts_by_rt"]);
}

/// The whole year's files as Excel with Indonesian settings saves them (`;`, BOM, CRLF,
/// dd/mm/yyyy, `Rp 1.250.000`), with a bad row named by its line; importing again adds
/// nothing.
#[test]
fn the_year_files_import_from_excel_with_bad_rows_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("book");
    init(&book);
    let pengeluaran = "tanggal;kategori;dibayar_kepada;nik_terkait;jumlah;no_nota;keputusan;keterangan\r\n\
                       19/01/2025;konsumsi_rapat;Warung Bu Tarmi;;Rp 60.000;;;Air mineral\r\n\
                       20/01/2025;Administrasi;Percetakan Sinar Grafika;;Rp 1.250.000;SG-31;Musyawarah 2025-01;Cetak kartu\r\n\
                       21/01/2025;parkir;Tukang parkir;;Rp 5.000;;;\r\n\
                       22/01/2025;lainnya;Toko;;0;;;\r\n";
    let path = dir.path().join("pengeluaran.csv");
    std::fs::write(&path, format!("\u{feff}{pengeluaran}")).unwrap();
    let out = run(&book, &["import", "pengeluaran", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "some rows rejected");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":4: rejected: kategori"), "{err}");
    assert!(err.contains(":5: rejected: jumlah"), "{err}");
    assert_eq!(stats(&book)["expenses"], 2);
    let pinjaman = "id;tanggal;nik_peminjam;usaha;jumlah;tenor_bulan;angsuran_bulanan;keputusan\r\n\
                    PJ-2025-01;17/02/2025;3404045212972330;warung;Rp 500.000;5;Rp 100.000;Musyawarah 2025-02\r\n";
    let path = dir.path().join("pinjaman.csv");
    std::fs::write(&path, pinjaman).unwrap();
    ok(&book, &["import", "pinjaman", path.to_str().unwrap()]);
    let angsuran = "tanggal;pinjaman_id;jumlah\r\n20/03/2025;PJ-2025-01;Rp 100.000\r\n";
    let path = dir.path().join("angsuran.csv");
    std::fs::write(&path, angsuran).unwrap();
    ok(&book, &["import", "angsuran", path.to_str().unwrap()]);
    let again = run(&book, &["import", "angsuran", path.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&again.stderr).contains(" 0 imported"));
    let report: serde_json::Value =
        serde_json::from_str(&ok(&book, &["report", "--year", "2025", "--json"])).unwrap();
    assert_eq!(
        report["loans"]["PJ-2025-01"]["outstanding_end_2025"],
        400_000
    );
    assert_eq!(report["cash_out_by_kind"]["administrasi"], 1_250_000);
}
