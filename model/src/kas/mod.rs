//! The group's whole year beyond donors' receipts and santunan (issue 12): income from any
//! source, expenses to any payee, meetings and the payouts they approve, loans and their
//! repayments, the register of members, goods received in kind, and the closing of a
//! month. Records are in [`records`]; each write holds its rule in [`write`]; the figures
//! the year's report carries are computed here, purely, from a [`MoneyInput`].
//!
//! Rules, with their sources (docs/domain.md#the-whole-year): cash in is every receipt
//! (iuran, other sources, loan repayments); cash out is every santunan, expense and loan
//! paid out; goods in kind are in no balance; a loan's installment k is due k months after
//! it was paid out, same day of the month; an approval is paid by a santunan of the same
//! meeting, NIK, kind and amount.

mod import;
mod records;
mod write;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::money::{Amount, MoneyInput, OrderedMap};
use crate::rules::{Jabatan, JenisRapat, KategoriPengeluaran, SumberDana, parse_date, quarter_of};

pub(crate) use import::{KasImport, kas_row};
pub use records::{Anggota, Natura, Pengeluaran, Persetujuan, Pinjaman, TutupBuku};
pub use write::IncomeDraft;

/// The bukti (voucher) number of an expense: `PGL-` and the last 8 letters of its record
/// id, stable on every device.
pub(crate) fn expense_bukti(id: &str) -> String {
    let b = crate::money::disbursement_bukti(id);
    format!("PGL-{}", b.trim_start_matches("SNT-"))
}

/// Where a loan stands on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoanStatus {
    /// Amount lent.
    pub jumlah: Amount,
    /// Repaid up to the date (receipts of source `angsuran` naming the loan, not voided).
    pub repaid: Amount,
    /// Still owed at the date.
    pub outstanding: Amount,
    /// Installments due on or before the date and not covered by what was repaid.
    pub months_in_arrears: u32,
}

/// The status of every loan (not voided) on `date`, by loan code, from the loans and the
/// repayment receipts of `input`. `since` bounds the repayments counted from below (the
/// start of the report's year), `None` for all.
pub fn loan_status(
    input: &MoneyInput<'_>,
    since: Option<NaiveDate>,
    date: NaiveDate,
) -> BTreeMap<String, LoanStatus> {
    let voided: BTreeSet<&str> = input.voids.iter().map(|(id, _)| id.as_str()).collect();
    let mut repaid: HashMap<&str, Amount> = HashMap::new();
    for (id, r) in input.receipts {
        if r.sumber != SumberDana::Angsuran || voided.contains(id.as_str()) {
            continue;
        }
        let day = crate::rules::wib_date(r.diterima_pada);
        if day > date || since.is_some_and(|s| day < s) {
            continue;
        }
        *repaid.entry(r.pinjaman.as_str()).or_default() += Amount::of(r.jumlah);
    }
    let mut out = BTreeMap::new();
    for (id, l) in input.loans {
        if voided.contains(id.as_str()) {
            continue;
        }
        let Ok(start) = parse_date(&l.tanggal) else {
            continue;
        };
        if start > date {
            continue;
        }
        let paid = repaid.get(l.kode.as_str()).copied().unwrap_or_default();
        let due = (1..=l.tenor_bulan)
            .filter(|k| {
                start
                    .checked_add_months(Months::new(*k))
                    .is_some_and(|d| d <= date)
            })
            .count() as u32;
        let covered = if l.angsuran_bulanan.is_zero() {
            0
        } else {
            (paid.0 / l.angsuran_bulanan.amount())
                .floor()
                .try_into()
                .unwrap_or(u32::MAX)
        };
        let jumlah = Amount::of(l.jumlah);
        out.insert(
            l.kode.clone(),
            LoanStatus {
                jumlah,
                repaid: paid,
                outstanding: jumlah - paid,
                months_in_arrears: due.saturating_sub(covered),
            },
        );
    }
    out
}

/// A payout approved at a meeting and not paid: no santunan (not voided) of the same
/// meeting, NIK, kind and amount answers it (each santunan answers one approval).
pub fn approved_unpaid(input: &MoneyInput<'_>) -> Vec<Persetujuan> {
    let voided: BTreeSet<&str> = input.voids.iter().map(|(id, _)| id.as_str()).collect();
    let titles: HashMap<&str, &str> = input
        .meetings
        .iter()
        .map(|(id, m)| (id.as_str(), m.judul.as_str()))
        .collect();
    let mut paid: HashMap<(String, String, String, Amount), usize> = HashMap::new();
    for (id, d) in input.disbursements {
        if d.deleted.is_some() || voided.contains(id.as_str()) {
            continue;
        }
        let judul = d
            .meeting_id
            .as_deref()
            .and_then(|m| titles.get(m))
            .copied()
            .unwrap_or("");
        let key = (
            judul.to_string(),
            crate::rules::or_blank(&d.nik_penerima).to_string(),
            d.jenis.trim().to_lowercase(),
            Amount::of(d.jumlah),
        );
        *paid.entry(key).or_default() += 1;
    }
    let mut approvals: Vec<&(String, Persetujuan)> = input.approvals.iter().collect();
    // One order on every device: by meeting, NIK, kind and amount.
    approvals.sort_by(|a, b| {
        let k = |p: &Persetujuan| {
            (
                p.keputusan.clone(),
                crate::rules::or_blank(&p.nik_penerima).to_string(),
                p.jenis.clone(),
                p.jumlah,
            )
        };
        k(&a.1).cmp(&k(&b.1)).then(a.0.cmp(&b.0))
    });
    let mut out = Vec::new();
    for (_, p) in approvals {
        let key = (
            p.keputusan.clone(),
            crate::rules::or_blank(&p.nik_penerima).to_string(),
            p.jenis.trim().to_lowercase(),
            Amount::of(p.jumlah),
        );
        match paid.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => out.push(p.clone()),
        }
    }
    out
}

/// The distinct people served in each quarter (1..=4) of `year`: recipients of santunan
/// (not voided) and the people helped by a death donation or disaster help, by NIK.
pub fn people_served_by_quarter(input: &MoneyInput<'_>, year: i32) -> OrderedMap<usize> {
    let voided: BTreeSet<&str> = input.voids.iter().map(|(id, _)| id.as_str()).collect();
    let mut sets: BTreeMap<u8, BTreeSet<String>> = (1..=4).map(|q| (q, BTreeSet::new())).collect();
    let mut add = |tanggal: &str, nik: &Option<crate::rules::Nik>| {
        if let (Ok(d), Some(n)) = (parse_date(tanggal), nik)
            && chrono::Datelike::year(&d) == year
            && let Some(s) = sets.get_mut(&quarter_of(chrono::Datelike::month(&d)))
        {
            s.insert(n.to_string());
        }
    };
    for (id, d) in input.disbursements {
        if d.deleted.is_none() && !voided.contains(id.as_str()) {
            add(&d.tanggal, &d.nik_penerima);
        }
    }
    for (id, x) in input.expenses {
        if !voided.contains(id.as_str())
            && matches!(
                x.kategori,
                KategoriPengeluaran::SumbanganKematian | KategoriPengeluaran::BantuanMusibah
            )
        {
            add(&x.tanggal, &x.nik_terkait);
        }
    }
    OrderedMap(
        sets.into_iter()
            .map(|(q, s)| (q.to_string(), s.len()))
            .collect(),
    )
}

/// The register's members by position, in the board's order (positions held only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberCounts {
    /// Members in the register.
    pub total: usize,
    /// By position (`"Bendahara I": 1`).
    pub by_jabatan: OrderedMap<usize>,
}

/// Counts the register by position.
pub fn member_counts(input: &MoneyInput<'_>) -> MemberCounts {
    let mut by: BTreeMap<Jabatan, usize> = BTreeMap::new();
    for (_, a) in input.register {
        *by.entry(a.jabatan).or_default() += 1;
    }
    MemberCounts {
        total: input.register.len(),
        by_jabatan: OrderedMap(
            by.into_iter()
                .map(|(j, n)| (j.as_str().to_string(), n))
                .collect(),
        ),
    }
}

/// Meetings by kind; meetings with the same title (one made when a payment named it, one
/// recorded later) count once, with the kind of the dated one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingCounts {
    /// Distinct meetings.
    pub count: usize,
    /// By kind (`bulanan`, `triwulan`).
    pub by_jenis: OrderedMap<usize>,
}

/// Counts the meetings held in `year` (undated ones count in every year).
pub fn meeting_counts(input: &MoneyInput<'_>, year: i32) -> MeetingCounts {
    let mut by_title: BTreeMap<&str, (JenisRapat, bool)> = BTreeMap::new();
    for (_, m) in input.meetings {
        let date = parse_date(&m.tanggal).ok();
        if date.is_some_and(|d| chrono::Datelike::year(&d) != year) {
            continue;
        }
        let dated = date.is_some();
        let slot = by_title.entry(m.judul.trim()).or_insert((m.jenis, dated));
        if dated && !slot.1 {
            *slot = (m.jenis, true);
        }
    }
    let mut by: BTreeMap<JenisRapat, usize> = BTreeMap::new();
    for (jenis, _) in by_title.values() {
        *by.entry(*jenis).or_default() += 1;
    }
    MeetingCounts {
        count: by_title.len(),
        by_jenis: OrderedMap(
            by.into_iter()
                .map(|(j, n)| (j.as_str().to_string(), n))
                .collect(),
        ),
    }
}
