//! Money you can trust (issue 4): the report against data/rw08/expected-2025.json,
//! WIB months, the buku kas umum, five devices issuing receipts offline with a crash, a
//! void racing a donor card, short-id collisions, donor codes per device, hledger text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rukun_model::{
    Amount, Book, Device, Donor, GroupInit, ImportKind, MemberId, MoneyInput, Period, Receipt,
    ReceiptDraft, buku_kas, donor_card, hledger_journal, import_csv, period_report, rules::Rupiah,
    storage::KdfParams, widened_receipt_numbers,
};

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
    let mut book = Book::new_in_memory(Device::from_seed(1), &init()).unwrap();
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
        let report = import_csv(&mut book, kind, &bytes, &mut |_| {}).unwrap();
        assert!(report.rejected.is_empty(), "{file}: {:?}", report.rejected);
    }
    book
}

fn rp(v: i64) -> Rupiah {
    Rupiah::from_whole(v).unwrap()
}

fn donor(kode: &str, rt: u16) -> Donor {
    Donor {
        kode: kode.into(),
        nama: format!("Donatur {kode}"),
        rt,
        jenis: "tetap".into(),
        iuran_bulanan: Some(rp(10_000)),
        ..Default::default()
    }
}

fn draft(donor_id: &str, amount: i64, at: DateTime<Utc>) -> ReceiptDraft {
    ReceiptDraft {
        donor_id: donor_id.into(),
        jumlah: rp(amount),
        untuk: "Iuran".into(),
        diterima_pada: at,
        penerima: "Ketua RT".into(),
        salinan_buku: false,
    }
}

fn whole(a: Amount) -> i64 {
    a.whole().unwrap()
}

#[test]
fn year_report_equals_expected_2025_field_by_field() {
    let book = reference_book();
    let records = book.money_records();
    let report = period_report(
        &records.input(),
        "Warga Rukun",
        &Period::year(2025).unwrap(),
    );
    let actual = report.to_json();
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data_dir().join("expected-2025.json")).unwrap())
            .unwrap();
    let expected = expected.as_object().unwrap();
    assert!(!expected.is_empty());
    for (key, want) in expected {
        if key == "quarters" {
            // Each quarter carries the expected keys (and the whole year's cash_in/cash_out).
            let got = actual[key].as_array().unwrap();
            for (g, w) in got.iter().zip(want.as_array().unwrap()) {
                for (k, v) in w.as_object().unwrap() {
                    assert_eq!(&g[k], v, "quarters.{k}");
                }
            }
            continue;
        }
        assert_eq!(actual.get(key), Some(want), "key {key}");
    }
    // Quarters chain: each closing is the next opening, and the last is the year's closing.
    for pair in report.quarters.windows(2) {
        assert_eq!(pair[0].closing, pair[1].opening);
    }
    assert_eq!(report.quarters.last().unwrap().closing, report.closing);
    // The printed form holds the same values, months in calendar order.
    let printed: serde_json::Value =
        serde_json::from_str(&report.to_json_pretty().unwrap()).unwrap();
    assert_eq!(printed, actual);
    let text = report.to_json_pretty().unwrap();
    assert!(text.find("\"9\": 590000").unwrap() < text.find("\"10\": 600000").unwrap());
    // Amounts are JSON integers, never floats.
    assert!(actual["receipts_total"].is_i64());
    assert!(actual["quarters"][0]["closing"].is_i64());
}

#[test]
fn quarter_report_and_month_kas_agree_with_the_year() {
    let book = reference_book();
    let records = book.money_records();
    let input = records.input();
    let year = period_report(&input, "Warga Rukun", &Period::year(2025).unwrap());
    let mut months_sum = Amount::zero();
    for q in 1..=4u8 {
        let r = period_report(&input, "Warga Rukun", &Period::quarter(2025, q).unwrap());
        let row = &year.quarters[usize::from(q) - 1];
        assert_eq!(r.opening, row.opening);
        assert_eq!(r.receipts_total, row.receipts);
        assert_eq!(r.disbursements_total, row.disbursements);
        assert_eq!(r.closing, row.closing);
        assert_eq!(r.receipts_by_month.len(), 3);
    }
    let mut opening = Amount::zero();
    for m in 1..=12 {
        let k = buku_kas(
            &input,
            &Period::month(rukun_model::rules::YearMonth::new(2025, m).unwrap()).unwrap(),
        );
        assert_eq!(k.opening, opening, "month {m} opens where the last closed");
        // Saldo = previous saldo + penerimaan − pengeluaran, row by row.
        let mut saldo = k.opening;
        for row in &k.rows {
            saldo =
                saldo + row.penerimaan.unwrap_or_default() - row.pengeluaran.unwrap_or_default();
            assert_eq!(row.saldo, saldo);
        }
        assert_eq!(k.closing, saldo);
        assert_eq!(
            k.total_penerimaan,
            *year.receipts_by_month.get(&m.to_string()).unwrap()
        );
        months_sum += k.total_penerimaan;
        opening = k.closing;
    }
    assert_eq!(months_sum, year.receipts_total);
    assert_eq!(opening, year.closing);
    assert!(Period::quarter(2025, 5).is_err());
}

#[test]
fn months_and_quarters_go_by_the_wib_date() {
    let mut book = Book::new_in_memory(Device::from_seed(3), &init()).unwrap();
    let d = book.add_new_donor(donor("D001", 27)).unwrap().0;
    // 06:30 WIB on 1 August is 23:30 UTC on 31 July: it belongs to August (and Q3).
    let early = Utc.with_ymd_and_hms(2025, 7, 31, 23, 30, 0).unwrap();
    // 23:30 WIB on 30 June is 16:30 UTC: June, Q2.
    let late = Utc.with_ymd_and_hms(2025, 6, 30, 16, 30, 0).unwrap();
    // 00:30 WIB on 1 January 2026 is 17:30 UTC on 31 December 2025: next year.
    let new_year = Utc.with_ymd_and_hms(2025, 12, 31, 17, 30, 0).unwrap();
    book.issue_receipts(&[
        draft(&d, 10_000, early),
        draft(&d, 5_000, late),
        draft(&d, 7_000, new_year),
    ])
    .unwrap();
    book.commit("receipts").unwrap();
    let records = book.money_records();
    let r = period_report(&records.input(), "x", &Period::year(2025).unwrap());
    assert_eq!(whole(*r.receipts_by_month.get("8").unwrap()), 10_000);
    assert_eq!(whole(*r.receipts_by_month.get("7").unwrap()), 0);
    assert_eq!(whole(*r.receipts_by_month.get("6").unwrap()), 5_000);
    assert_eq!(whole(r.quarters[2].receipts), 10_000);
    assert_eq!(whole(r.quarters[1].receipts), 5_000);
    assert_eq!(whole(r.receipts_total), 15_000);
    let next = period_report(&records.input(), "x", &Period::year(2026).unwrap());
    assert_eq!(whole(next.opening), 15_000);
    assert_eq!(whole(*next.receipts_by_month.get("1").unwrap()), 7_000);
    let card = donor_card(&records.input(), "d001", 2025).unwrap();
    assert!(card.months[7].paid && !card.months[6].paid && card.months[5].paid);
}

/// One device of the five: an in-memory replica, or the on-disk book that crashes.
struct Dev {
    book: Book,
    dir: Option<PathBuf>,
}

const PASS: &str = "rahasia-uji";

#[test]
fn five_devices_issue_offline_with_a_crash_and_agree_after_random_syncs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bendahara");
    let mut founder = Book::create(&dir, PASS, KdfParams::insecure_fast(), &init()).unwrap();
    let mut donor_ids = Vec::new();
    for (i, rt) in [27u16, 28, 29, 30, 31].iter().enumerate() {
        donor_ids.push(
            founder
                .add_new_donor(donor(&format!("D00{}", i + 1), *rt))
                .unwrap()
                .0,
        );
    }
    let others: Vec<Device> = (0..4).map(|i| Device::from_seed(100 + i)).collect();
    for (i, d) in others.iter().enumerate() {
        founder
            .add_member(
                d.member_id(),
                &format!("Ketua RT {}", 27 + i),
                rukun_model::Role::KetuaRt,
                Some(27 + i as u16),
            )
            .unwrap();
    }
    founder.commit("donors and members").unwrap();
    let mut devs: Vec<Dev> = vec![];
    for d in others {
        devs.push(Dev {
            book: founder.replica_for(d),
            dir: None,
        });
    }
    devs.insert(
        0,
        Dev {
            book: founder,
            dir: Some(dir.clone()),
        },
    );

    let mut rng = fastrand::Rng::with_seed(2025);
    let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    // What each device durably issued: receipt id -> amount.
    let mut issued: HashMap<String, i64> = HashMap::new();
    let mut voided: HashSet<String> = HashSet::new();
    let mut issued_per_device = [0usize; 5];
    let mut last_seq_before_crash = 0u64;
    let mut first_seq_after_crash = None;
    const ROUNDS: usize = 20;
    const PER_ROUND: usize = 50;
    for round in 0..ROUNDS {
        for (n, dev) in devs.iter_mut().enumerate() {
            let drafts: Vec<ReceiptDraft> = (0..PER_ROUND)
                .map(|i| {
                    let at = start
                        + Duration::minutes(
                            ((round * PER_ROUND + i) * 5 + n) as i64 * 100 + rng.i64(0..90),
                        );
                    draft(
                        &donor_ids[rng.usize(0..donor_ids.len())],
                        rng.i64(5..=15) * 1_000,
                        at,
                    )
                })
                .collect();
            if n == 0 && round == ROUNDS / 2 {
                // The crash: a batch is reserved and written, then the device dies before
                // the commit reaches the disk. Nothing of it survives but the reservation.
                let lost = dev.book.issue_receipts(&drafts).unwrap();
                let last = &lost.last().unwrap().1;
                last_seq_before_crash = rukun_model::parse_receipt_number(&last.nomor).unwrap().2;
                let dir = dev.dir.clone().unwrap();
                let placeholder = Book::new_in_memory(Device::from_seed(999), &init()).unwrap();
                drop(std::mem::replace(&mut dev.book, placeholder));
                dev.book = Book::open(&dir, PASS).unwrap();
                let lost_ids: HashSet<String> = lost.into_iter().map(|(id, _)| id).collect();
                assert!(
                    dev.book
                        .receipts()
                        .iter()
                        .all(|(id, _)| !lost_ids.contains(id)),
                    "the batch lost in the crash is not in the reopened book"
                );
            }
            let out = dev.book.issue_receipts(&drafts).unwrap();
            dev.book.commit("receipts").unwrap();
            if n == 0 && round == ROUNDS / 2 {
                first_seq_after_crash = Some(
                    rukun_model::parse_receipt_number(&out[0].1.nomor)
                        .unwrap()
                        .2,
                );
            }
            issued_per_device[n] += out.len();
            for (id, r) in &out {
                issued.insert(id.clone(), r.jumlah.whole());
            }
            // Now and then a device voids one of the receipts it holds (its own or synced).
            if rng.u8(0..4) == 0 {
                let mine = dev.book.receipts();
                let done: HashSet<String> =
                    dev.book.voids().into_iter().map(|(id, _)| id).collect();
                if let Some((id, r)) = mine.iter().find(|(id, _)| !done.contains(id)) {
                    dev.book.void_receipt(&r.nomor, "salah catat").unwrap();
                    dev.book.commit("void").unwrap();
                    voided.insert(id.clone());
                }
            }
        }
        // Random pairwise syncs, in random order.
        for _ in 0..3 {
            let a = rng.usize(0..5);
            let mut b = rng.usize(0..5);
            while b == a {
                b = rng.usize(0..5);
            }
            sync_pair(&mut devs, a, b);
        }
    }
    assert_eq!(issued_per_device, [1000; 5]);
    assert!(
        first_seq_after_crash.unwrap() > last_seq_before_crash,
        "the sequence continues past the reservation lost in the crash"
    );
    // Everyone meets everyone, in random order, until all books are equal.
    let mut pairs: Vec<(usize, usize)> = (0..5)
        .flat_map(|a| (0..5).filter(move |b| *b != a).map(move |b| (a, b)))
        .collect();
    rng.shuffle(&mut pairs);
    for (a, b) in pairs.iter().chain(pairs.iter()) {
        sync_pair(&mut devs, *a, *b);
    }
    let heads: Vec<Vec<String>> = devs.iter_mut().map(|d| d.book.heads()).collect();
    assert!(
        heads.windows(2).all(|w| w[0] == w[1]),
        "all books converged"
    );

    let expected_total: i64 = issued
        .iter()
        .filter(|(id, _)| !voided.contains(*id))
        .map(|(_, v)| v)
        .sum();
    let mut totals = Vec::new();
    for dev in &devs {
        let records = dev.book.money_records();
        assert_eq!(records.receipts.len(), 5000);
        let numbers: HashSet<&str> = records
            .receipts
            .iter()
            .map(|(_, r)| r.nomor.as_str())
            .collect();
        assert_eq!(numbers.len(), 5000, "every receipt number is unique");
        assert!(widened_receipt_numbers(&records.receipts).is_empty());
        let r = period_report(&records.input(), "x", &Period::year(2025).unwrap());
        assert_eq!(r.receipts + r.voided, 5000);
        assert_eq!(r.voided, voided.len());
        assert_eq!(whole(r.receipts_total), expected_total);
        assert_eq!(whole(r.closing), expected_total);
        totals.push((r.receipts, r.receipts_total, r.voided_total));
    }
    assert!(totals.windows(2).all(|w| w[0] == w[1]));
    // The on-disk device's book, reopened, still holds everything.
    drop(devs);
    let reopened = Book::open(&dir, PASS).unwrap();
    assert_eq!(reopened.receipts().len(), 5000);
}

fn sync_pair(devs: &mut [Dev], a: usize, b: usize) {
    let (lo, hi) = (a.min(b), a.max(b));
    let (left, right) = devs.split_at_mut(hi);
    let x = &mut left[lo];
    let y = &mut right[0];
    x.book.merge(&mut y.book).unwrap();
    y.book.merge(&mut x.book).unwrap();
    for d in [x, y] {
        if d.dir.is_some() {
            d.book.persist_merged().unwrap();
        }
    }
}

#[test]
fn a_void_racing_a_donor_card_shows_on_both_after_sync() {
    let mut a = Book::new_in_memory(Device::from_seed(11), &init()).unwrap();
    let d = a.add_new_donor(donor("D001", 27)).unwrap().0;
    let months: Vec<DateTime<Utc>> = (1..=3)
        .map(|m| Utc.with_ymd_and_hms(2025, m, 5, 3, 0, 0).unwrap())
        .collect();
    let out = a
        .issue_receipts(
            &months
                .iter()
                .map(|t| draft(&d, 10_000, *t))
                .collect::<Vec<_>>(),
        )
        .unwrap();
    a.commit("receipts").unwrap();
    let february = out[1].1.nomor.clone();
    let mut b = a.replica_for(Device::from_seed(12));

    // Offline: A voids February's receipt while B prints the donor card.
    a.void_receipt(&february, "dobel").unwrap();
    a.commit("void").unwrap();
    let printed = {
        let rec = b.money_records();
        donor_card(&rec.input(), "D001", 2025).unwrap()
    };
    assert!(printed.months[1].paid, "B did not know of the void yet");
    assert_eq!(whole(printed.total), 30_000);
    // B also takes a new payment meanwhile.
    b.issue_receipts(&[draft(
        &d,
        5_000,
        Utc.with_ymd_and_hms(2025, 4, 2, 3, 0, 0).unwrap(),
    )])
    .unwrap();
    b.commit("april").unwrap();

    a.merge(&mut b).unwrap();
    b.merge(&mut a).unwrap();
    for book in [&a, &b] {
        let rec = book.money_records();
        let card = donor_card(&rec.input(), "D001", 2025).unwrap();
        let feb = &card.months[1];
        assert!(!feb.paid);
        assert_eq!(feb.receipts.len(), 1);
        assert_eq!(feb.receipts[0].nomor, february);
        assert_eq!(feb.receipts[0].dibatalkan.as_deref(), Some("dobel"));
        assert_eq!(whole(card.total), 25_000);
        assert_eq!(card.months_paid, 3);
        let r = period_report(&rec.input(), "x", &Period::year(2025).unwrap());
        assert_eq!(whole(r.receipts_total), 25_000);
        assert_eq!(r.voided, 1);
        assert_eq!(whole(r.voided_total), 10_000);
        // The buku kas umum keeps the receipt and shows the reversing row.
        let k = buku_kas(
            &rec.input(),
            &Period::month(rukun_model::rules::YearMonth::new(2025, 2).unwrap()).unwrap(),
        );
        assert_eq!(k.rows.len(), 2);
        assert_eq!(whole(k.rows[1].penerimaan.unwrap()), -10_000);
        assert!(k.rows[1].uraian.starts_with("Pembatalan kuitansi"));
        assert_eq!(whole(k.total_penerimaan), 0);
    }
    assert!(b.void_receipt(&february, "lagi").is_err(), "already voided");
    assert!(a.void_receipt("27-XXXX-9999", "tidak ada").is_err());
    assert!(
        a.void_receipt(&out[0].1.nomor, "  ").is_err(),
        "a void needs a reason"
    );
}

#[test]
fn colliding_short_ids_are_widened_when_seen() {
    let a = MemberId::from_bytes(&[0u8; 32]);
    let mut b_bytes = [0u8; 32];
    b_bytes[3] = 1; // same first 4 base32 letters as `a`
    let b = MemberId::from_bytes(&b_bytes);
    let short = &a.base32()[..4];
    assert_eq!(short, &b.base32()[..4]);
    let nomor = format!("27-{short}-0003");
    let receipt = |by: &MemberId| Receipt {
        nomor: nomor.clone(),
        created_by: by.to_string(),
        jumlah: rp(10_000),
        rt: 27,
        diterima_pada: "2025-08-17T03:00:00Z".parse().unwrap(),
        ..Default::default()
    };
    let receipts = vec![
        ("id-a".to_string(), receipt(&a)),
        ("id-b".to_string(), receipt(&b)),
        (
            "id-c".to_string(),
            Receipt {
                nomor: format!("27-{short}-0004"),
                ..receipt(&a)
            },
        ),
    ];
    let widened = widened_receipt_numbers(&receipts);
    assert_eq!(widened.len(), 2, "only the colliding pair is widened");
    let wa = &widened["id-a"];
    let wb = &widened["id-b"];
    assert_ne!(wa, wb);
    assert!(
        wa.starts_with(&format!("27-{short}")) && wa.ends_with("-0003"),
        "{wa}"
    );
    assert_eq!(
        rukun_model::parse_receipt_number(wa).unwrap().1,
        rukun_model::short_id(&a, &[a.clone(), b.clone()])
    );
    // The report counts both, and shows them under their widened numbers.
    let input = MoneyInput {
        receipts: &receipts,
        ..Default::default()
    };
    let r = period_report(&input, "x", &Period::year(2025).unwrap());
    assert_eq!(r.receipts, 3);
    let k = buku_kas(&input, &Period::year(2025).unwrap());
    let shown: HashSet<&str> = k.rows.iter().map(|r| r.bukti.as_str()).collect();
    assert_eq!(shown.len(), 3);
}

#[test]
fn donor_codes_are_scoped_per_device_and_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("book");
    let mut a = Book::create(&dir, PASS, KdfParams::insecure_fast(), &init()).unwrap();
    let mut b = a.replica_for(Device::from_seed(21));
    let (_, ka) = a
        .add_new_donor(Donor {
            nama: "Bu Ani".into(),
            rt: 27,
            ..Default::default()
        })
        .unwrap();
    a.commit("donor").unwrap();
    let (_, kb) = b
        .add_new_donor(Donor {
            nama: "Pak Budi".into(),
            rt: 28,
            ..Default::default()
        })
        .unwrap();
    b.commit("donor").unwrap();
    assert_ne!(ka, kb, "two offline devices never make the same code");
    assert!(ka.starts_with("D-") && ka.ends_with("-0001"), "{ka}");
    // The reserved sequence survives a restart even when the donor was never committed.
    let _ = a
        .add_new_donor(Donor {
            nama: "Tidak jadi".into(),
            ..Default::default()
        })
        .unwrap();
    drop(a);
    let mut a = Book::open(&dir, PASS).unwrap();
    let (_, again) = a
        .add_new_donor(Donor {
            nama: "Bu Citra".into(),
            ..Default::default()
        })
        .unwrap();
    assert!(again.ends_with("-0003"), "{again}");
    a.merge(&mut b).unwrap();
    let codes: HashSet<String> = a.donors().into_iter().map(|(_, d)| d.kode).collect();
    assert_eq!(codes.len(), 3);
    assert!(a.find_donor(&kb).is_ok());
    assert!(
        a.add_new_donor(Donor {
            kode: kb.clone(),
            nama: "Dobel".into(),
            ..Default::default()
        })
        .is_err()
    );
    assert!(
        a.add_new_donor(Donor::default()).is_err(),
        "a donor needs a name"
    );
}

#[test]
fn hledger_journal_declares_the_commodity_and_balances() {
    let book = reference_book();
    let records = book.money_records();
    let j = hledger_journal(&records.input(), "Warga Rukun");
    assert!(j.contains("\ncommodity Rp1.000,00\n"));
    assert!(j.contains("    aset:kas    Rp10.000\n"));
    assert!(j.contains("; Saldo kas akhir: Rp3.095.000"));
    assert_eq!(
        rukun_model::journal_file_name("Warga Rukun"),
        "warga-rukun.journal"
    );
    assert_eq!(rukun_model::journal_file_name(" ;; "), "rukun.journal");
    // Every transaction balances: one posting with an amount, one without.
    let transactions = j.split("\n\n").filter(|t| t.starts_with("2025-")).count();
    assert_eq!(transactions, 795 + 132);
}

#[test]
fn a_santunan_links_person_pmks_and_meeting() {
    let mut book = reference_book();
    let before = book.disbursements().len();
    let id = book
        .add_santunan(&rukun_model::SantunanDraft {
            penerima: rukun_model::Penerima::Nik("3302051608638766".into()),
            jenis: "Sembako".into(),
            jumlah: rp(40_000),
            tanggal: "02/01/2026".into(),
            keputusan: rukun_model::Keputusan::Judul("Musyawarah Q1/2025".into()),
            pmks_id: None,
            dibayar_oleh: "Bendahara".into(),
        })
        .unwrap();
    book.commit("santunan").unwrap();
    assert_eq!(book.disbursements().len(), before + 1);
    let (_, d) = book
        .disbursements()
        .into_iter()
        .find(|(i, _)| *i == id)
        .unwrap();
    assert_eq!(d.jenis, "sembako");
    assert_eq!(d.tanggal, "2026-01-02");
    assert!(
        d.pmks_id.is_some(),
        "linked to the person's PMKS identification"
    );
    let meeting = d.meeting_id.unwrap();
    let meetings = book.meetings();
    assert_eq!(
        meetings
            .iter()
            .filter(|(_, m)| m.judul == "Musyawarah Q1/2025")
            .count(),
        1,
        "the existing meeting is reused"
    );
    assert!(meetings.iter().any(|(i, _)| *i == meeting));
    let bad = |nik: &str, jumlah: i64, tanggal: &str| rukun_model::SantunanDraft {
        penerima: rukun_model::Penerima::Nik(nik.into()),
        jenis: "tunai".into(),
        jumlah: rp(jumlah),
        tanggal: tanggal.into(),
        keputusan: rukun_model::Keputusan::Tidak,
        pmks_id: None,
        dibayar_oleh: String::new(),
    };
    assert!(
        book.add_santunan(&bad("3302051608638766", 0, "2026-01-02"))
            .is_err()
    );
    assert!(
        book.add_santunan(&bad("3302051608638766", 5, "31/02/2026"))
            .is_err()
    );
    assert!(
        book.add_santunan(&bad("3471131206619699", 5, "2026-01-02"))
            .is_err()
    );
    let records = book.money_records();
    let r = period_report(&records.input(), "x", &Period::year(2026).unwrap());
    assert_eq!(whole(r.opening), 3_095_000);
    assert_eq!(whole(r.closing), 3_055_000);
}
