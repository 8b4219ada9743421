//! The money commands end to end with the `rukun` binary: the report JSON against
//! data/rw08/expected-2025.json, the hledger journal checked by hledger itself,
//! receipts issued and voided, santunan, donor cards, kas, HTML and CSV.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{data_dir, expected, import_all, init, ok, run};

fn imported_book(tmp: &Path) -> std::path::PathBuf {
    let book = tmp.join("book");
    init(&book);
    import_all(&book);
    book
}

fn report_json(book: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.push("--json");
    serde_json::from_str(&ok(book, &all)).expect("report json")
}

/// Whole rupiah from hledger's `Rp3.095.000,00` / `Rp-5.000,00` / `0`.
fn hledger_amount(text: &str) -> i64 {
    let t = text.trim().replace("Rp", "");
    let t = t.split(',').next().unwrap().replace('.', "");
    t.parse()
        .unwrap_or_else(|_| panic!("not an amount: {text:?}"))
}

#[test]
fn report_json_equals_expected_2025() {
    let tmp = tempfile::tempdir().unwrap();
    let book = imported_book(tmp.path());
    let actual = report_json(&book, &["--year", "2025"]);
    let expected = expected();
    let expected = expected.as_object().unwrap();
    for key in [
        "quarters",
        "receipts_by_month",
        "receipts_by_rt",
        "pmks_by_code",
        "pmks_by_status",
        "receipts_total",
        "disbursements_total",
        "closing_balance_2025",
    ] {
        assert!(expected.contains_key(key), "expected-2025.json has {key}");
    }
    for (key, want) in expected {
        if key == "quarters" {
            // Each quarter carries the expected fields (and the whole year's cash_in/out).
            for (got, want) in actual[key]
                .as_array()
                .unwrap()
                .iter()
                .zip(want.as_array().unwrap())
            {
                for (k, v) in want.as_object().unwrap() {
                    assert_eq!(&got[k], v, "quarters.{k}");
                }
            }
            continue;
        }
        assert_eq!(actual.get(key), Some(want), "key {key}");
    }
    // Same closing under the generic key; quarters carry every listed field.
    assert_eq!(actual["closing"], expected["closing_balance_2025"]);
    for q in actual["quarters"].as_array().unwrap() {
        for k in ["quarter", "opening", "receipts", "disbursements", "closing"] {
            assert!(q[k].is_i64(), "{k} is an integer");
        }
    }
    // A quarter report agrees with the year's quarter line.
    let q3 = report_json(&book, &["--year", "2025", "--quarter", "3"]);
    assert_eq!(q3["opening"], expected["quarters"][2]["opening"]);
    assert_eq!(q3["closing"], expected["quarters"][2]["closing"]);
    assert_eq!(q3["receipts_by_month"].as_object().unwrap().len(), 3);
    let bad = run(&book, &["report", "--year", "2025", "--quarter", "5"]);
    assert!(!bad.status.success());
}

#[test]
fn hledger_balance_shows_the_reports_closing_balance() {
    let tmp = tempfile::tempdir().unwrap();
    let book = imported_book(tmp.path());
    let out_dir = tmp.path().join("hledger");
    let printed = ok(
        &book,
        &[
            "export",
            "--format",
            "hledger",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let journal = out_dir.join("warga-rukun.journal");
    assert!(printed.contains("warga-rukun.journal"), "{printed}");
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.contains("commodity Rp1.000,00"));
    let closing = report_json(&book, &["--year", "2025"])["closing"]
        .as_i64()
        .unwrap();
    assert_eq!(
        closing,
        expected()["closing_balance_2025"].as_i64().unwrap()
    );

    let output = match Command::new("hledger")
        .arg("-f")
        .arg(&journal)
        .arg("balance")
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "hledger is missing on CI (scripts/setup-deps installs it): {e}"
            );
            eprintln!("SKIPPED: hledger is not installed here ({e}); CI installs it");
            return;
        }
    };
    assert!(
        output.status.success(),
        "hledger failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let kas_line = stdout
        .lines()
        .find(|l| l.trim_end().ends_with("aset:kas"))
        .unwrap_or_else(|| panic!("no aset:kas line in:\n{stdout}"));
    let amount = kas_line.trim_end().trim_end_matches("aset:kas");
    assert_eq!(hledger_amount(amount), closing, "{kas_line}");
    assert!(kas_line.contains("Rp3.095.000"), "{kas_line}");
}

#[test]
fn receipts_issued_and_voided_move_every_figure() {
    let tmp = tempfile::tempdir().unwrap();
    let book = imported_book(tmp.path());
    let before = report_json(&book, &["--year", "2025"]);

    // A new donor made on this device gets a device-scoped code.
    let code = ok(
        &book,
        &[
            "donor", "add", "--name", "Bu Wati", "--rt", "27", "--pledge", "10.000",
        ],
    );
    let code = code.trim();
    assert!(code.starts_with("D-") && code.ends_with("-0001"), "{code}");

    let issued = ok(
        &book,
        &[
            "receipt",
            "issue",
            "--donor",
            code,
            "--amount",
            "10.000",
            "--for",
            "Iuran Agustus 2025",
            "--at",
            "01/08/2025 06.30",
            "--json",
        ],
    );
    let issued: serde_json::Value = serde_json::from_str(&issued).unwrap();
    let nomor = issued["receipt"]["nomor"].as_str().unwrap().to_string();
    assert!(nomor.starts_with("27-"), "{nomor}");
    assert_eq!(issued["receipt"]["terbilang"], "sepuluh ribu rupiah");
    let shown = ok(&book, &["receipt", "show", &nomor]);
    assert!(shown.contains("Telah terima dari : Bu Wati"), "{shown}");
    assert!(shown.contains("Jumlah            : Rp10.000"), "{shown}");
    assert!(
        shown.contains("Jumat, 1 Agustus 2025 pukul 06.30 WIB"),
        "{shown}"
    );

    let after = report_json(&book, &["--year", "2025"]);
    let n = |v: &serde_json::Value, k: &str| v[k].as_i64().unwrap();
    assert_eq!(
        n(&after, "receipts_total"),
        n(&before, "receipts_total") + 10_000
    );
    assert_eq!(
        after["receipts_by_month"]["8"].as_i64().unwrap(),
        before["receipts_by_month"]["8"].as_i64().unwrap() + 10_000,
        "06.30 WIB on the 1st is August"
    );
    let card: serde_json::Value = serde_json::from_str(&ok(
        &book,
        &["donor-card", code, "--year", "2025", "--json"],
    ))
    .unwrap();
    assert_eq!(card["months"][7]["paid"], true);
    assert_eq!(card["total"], 10_000);

    // Void it: gone from every total, still on the card and in the kas, marked.
    let voided = ok(
        &book,
        &["receipt", "void", &nomor, "--reason", "salah nominal"],
    );
    assert!(voided.contains("dibatalkan"), "{voided}");
    let again = run(&book, &["receipt", "void", &nomor, "--reason", "lagi"]);
    assert!(!again.status.success(), "a receipt is voided once");
    let last = report_json(&book, &["--year", "2025"]);
    assert_eq!(n(&last, "receipts_total"), n(&before, "receipts_total"));
    assert_eq!(n(&last, "closing"), n(&before, "closing"));
    assert_eq!(n(&last, "voided"), 1);
    let card = ok(&book, &["donor-card", code, "--year", "2025"]);
    assert!(card.contains(&format!("{nomor} (batal)")), "{card}");
    let kas = ok(&book, &["kas", "--month", "2025-08"]);
    assert!(kas.contains("Pembatalan kuitansi"), "{kas}");
    assert!(kas.contains("-Rp10.000"), "{kas}");

    // Bad input is refused with a message, never a panic.
    for args in [
        &[
            "receipt", "issue", "--donor", "D999", "--amount", "10000", "--for", "x",
        ][..],
        &[
            "receipt", "issue", "--donor", "D001", "--amount", "75.000,5", "--for", "x",
        ][..],
        &[
            "receipt", "issue", "--donor", "D001", "--amount", "0", "--for", "x",
        ][..],
        &["receipt", "void", "27-NOPE-0001", "--reason", "x"][..],
        &["kas", "--month", "2025-13"][..],
        &["donor-card", "D999", "--year", "2025"][..],
    ] {
        let out = run(&book, args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{args:?}"
        );
    }
}

#[test]
fn santunan_kas_html_and_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let book = imported_book(tmp.path());
    let id = ok(
        &book,
        &[
            "santunan",
            "add",
            "--nik",
            "3302051608638766",
            "--jenis",
            "sembako",
            "--amount",
            "Rp40.000",
            "--date",
            "05/01/2026",
            "--keputusan",
            "Musyawarah Q4/2025",
        ],
    );
    assert!(!id.trim().is_empty());
    let y2026 = report_json(&book, &["--year", "2026"]);
    assert_eq!(y2026["opening"], 3_095_000);
    assert_eq!(y2026["disbursements_total"], 40_000);
    assert_eq!(y2026["closing"], 3_055_000);

    let kas_csv = tmp.path().join("kas.csv");
    let kas = ok(
        &book,
        &[
            "kas",
            "--month",
            "2026-01",
            "--csv",
            kas_csv.to_str().unwrap(),
        ],
    );
    assert!(kas.contains("Santunan sembako"), "{kas}");
    assert!(kas.contains("Rp3.055.000"), "{kas}");
    let csv = std::fs::read_to_string(&kas_csv).unwrap();
    assert!(csv.starts_with("\u{feff}No;Tanggal;No. Bukti;Uraian;Penerimaan;Pengeluaran;Saldo"));
    assert!(csv.contains(";40000;3055000"), "{csv}");

    let html = tmp.path().join("laporan.html");
    let report_csv = tmp.path().join("laporan.csv");
    ok(
        &book,
        &[
            "report",
            "--year",
            "2025",
            "--quarter",
            "1",
            "--html",
            html.to_str().unwrap(),
            "--csv",
            report_csv.to_str().unwrap(),
        ],
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<html lang=\"id\">"));
    assert!(page.contains("Triwulan I Tahun 2025"));
    assert!(page.contains("<svg"));
    assert!(page.contains("Rp735.000"), "Q1 closing");
    assert!(page.contains("Rabu, 1 Januari 2025"));
    assert!(!page.contains("<script"), "self-contained, no scripts");
    assert!(
        !page.contains("http://") || page.matches("http://").count() == 1,
        "only the SVG namespace"
    );
    let csv = std::fs::read_to_string(&report_csv).unwrap();
    assert!(
        csv.contains("ringkasan;closing;Saldo akhir;735000"),
        "{csv}"
    );
    assert!(
        csv.contains("penerimaan_per_bulan;1;Januari;615000"),
        "{csv}"
    );
}

/// The whole year (issue 12): the demo book holds all fourteen files; hledger, on the
/// exported journal, gives the independent figures' closing balance, and its income and
/// expense accounts follow the kinds and categories.
#[test]
fn hledger_on_the_whole_year_gives_the_closing_balance_and_the_accounts_by_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("demo");
    ok(&book, &["demo", "--member", "Bu Sri"]);
    let out_dir = tmp.path().join("hledger");
    ok(
        &book,
        &[
            "export",
            "--format",
            "hledger",
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    let journal = std::fs::read_dir(&out_dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "journal"))
        .unwrap();
    let full: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data_dir().join("expected-2025-lengkap.json")).unwrap(),
    )
    .unwrap();
    let output = match Command::new("hledger")
        .arg("-f")
        .arg(&journal)
        .args(["balance", "--flat", "--no-total"])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "hledger is missing on CI (scripts/setup-deps installs it): {e}"
            );
            eprintln!("SKIPPED: hledger is not installed here ({e}); CI installs it");
            return;
        }
    };
    assert!(
        output.status.success(),
        "hledger failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let balance = |account: &str| -> i64 {
        stdout
            .lines()
            .find(|l| {
                l.trim_end().ends_with(account) && l.split_whitespace().last() == Some(account)
            })
            .map(|l| hledger_amount(l.trim_end().trim_end_matches(account)))
            .unwrap_or_else(|| panic!("no {account} line in:\n{stdout}"))
    };
    assert_eq!(
        balance("aset:kas"),
        full["closing_balance_2025"].as_i64().unwrap()
    );
    // Income is credited (negative in hledger), expenses debited.
    for kind in ["usaha", "hibah", "kps", "pengurus", "spontan"] {
        assert_eq!(
            -balance(&format!("pendapatan:{kind}")),
            full["cash_in_by_kind"][kind].as_i64().unwrap(),
            "{kind}"
        );
    }
    for cat in [
        "sumbangan-kematian",
        "bantuan-musibah",
        "administrasi",
        "konsumsi-rapat",
        "pembelian-sembako",
        "lainnya",
    ] {
        assert_eq!(
            balance(&format!("beban:{cat}")),
            full["cash_out_by_kind"][cat.replace('-', "_")]
                .as_i64()
                .unwrap(),
            "{cat}"
        );
    }
    // Loans out less repayments is what is still owed.
    assert_eq!(
        balance("aset:piutang:pinjaman"),
        full["loans_outstanding_end_2025"].as_i64().unwrap()
    );
}
