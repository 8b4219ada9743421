//! Money you can trust: the buku kas umum, period reports, donor cards and the hledger
//! journal, all derived from receipts, voids and disbursements — never stored — so they are
//! exact after any merge (issue 4; docs/design.md#rules-that-make-merging-safe).
//!
//! Every function here is pure: it reads plain slices of records ([`MoneyInput`]), so it can
//! be fed from [`Book::money_records`] or from an in-memory index kept by the app.
//!
//! Rules, with their sources (docs/domain.md#rupiah, docs/domain.md#buku-kas-umum-and-kuitansi
//! and docs/domain.md#time-wib):
//! - amounts are whole rupiah ([`Rupiah`]); sums and balances are [`Amount`]s (a signed
//!   `rust_decimal::Decimal`), never floats;
//! - a receipt belongs to the WIB calendar date of its `diterima_pada` instant (stored in
//!   UTC): 06:30 WIB on the 1st belongs to that month; a disbursement to its `tanggal`
//!   (a WIB calendar date); quarters are Januari–Maret, April–Juni, Juli–September,
//!   Oktober–Desember;
//! - a voided receipt does not count in any total; the buku kas umum shows it with a
//!   reversing row on the same date (never erased);
//! - tombstoned disbursements do not count.

mod csv_out;
mod donor_card;
mod html;
mod journal;
mod kas;
mod report;
mod santunan;

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::book::{Book, BookError};
use crate::kas::{Anggota, Natura, Pengeluaran, Persetujuan, Pinjaman, TutupBuku};
use crate::receipts::widened_receipt_numbers;
use crate::records::{Disbursement, Donor, Household, Meeting, Pmks, Receipt, Void};
use crate::rules::{Rupiah, YearMonth, format_date_long, format_signed, month_name, wib_date};

pub use csv_out::{kas_csv, report_csv};
pub use donor_card::{CardReceipt, DonorCard, DonorMonth, donor_card};
pub use html::report_html;
pub use journal::{hledger_journal, journal_file_name};
pub use kas::{KasBook, KasRow, buku_kas};
pub use report::{DonorTotal, PeriodReport, QuarterRow, period_report};
pub use santunan::{Keputusan, Penerima, SantunanDraft};

/// Errors of the money reports.
#[derive(Debug, thiserror::Error)]
pub enum MoneyError {
    /// No live donor has this code or id.
    #[error("no donor with code {0}")]
    DonorNotFound(String),
    /// A quarter outside 1..=4.
    #[error("quarter must be 1, 2, 3 or 4, got {0}")]
    Quarter(u8),
    /// A year outside 1..=9998 (the range the calendar handles).
    #[error("year {0} is out of range")]
    Year(i32),
    /// Writing a CSV failed.
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    /// The book could not be read or written.
    #[error(transparent)]
    Book(#[from] BookError),
}

/// A sum or balance of money in whole rupiah: a signed [`Decimal`] (a balance may go
/// below zero when more is paid out than came in).
///
/// JSON: an integer when it fits in an `i64` (always, in practice), otherwise a decimal
/// string — never a float. Shown as `Rp75.000` / `-Rp5.000` ([`format_signed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Amount(pub Decimal);

impl Amount {
    /// Rp0.
    pub fn zero() -> Amount {
        Amount(Decimal::ZERO)
    }

    /// The amount of a [`Rupiah`].
    pub fn of(r: Rupiah) -> Amount {
        Amount(r.amount())
    }

    /// Whole rupiah as an `i64`, or `None` when it does not fit (or has a fraction).
    pub fn whole(self) -> Option<i64> {
        if self.0.fract().is_zero() {
            i64::try_from(self.0).ok()
        } else {
            None
        }
    }

    /// True for Rp0.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// Plain digits for CSV cells and hledger (`-5000`, `75000`): no thousands dots, so a
    /// spreadsheet reads it as a number.
    pub fn plain(self) -> String {
        self.0.normalize().to_string()
    }
}

impl fmt::Display for Amount {
    /// `Rp75.000`, `-Rp5.000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_signed(self.0))
    }
}

impl std::ops::Add for Amount {
    type Output = Amount;
    fn add(self, rhs: Amount) -> Amount {
        Amount(self.0 + rhs.0)
    }
}

impl std::ops::Sub for Amount {
    type Output = Amount;
    fn sub(self, rhs: Amount) -> Amount {
        Amount(self.0 - rhs.0)
    }
}

impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, rhs: Amount) {
        self.0 += rhs.0;
    }
}

impl std::ops::SubAssign for Amount {
    fn sub_assign(&mut self, rhs: Amount) {
        self.0 -= rhs.0;
    }
}

impl std::ops::Neg for Amount {
    type Output = Amount;
    fn neg(self) -> Amount {
        Amount(-self.0)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.whole() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_str(&self.0.normalize().to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("whole rupiah as an integer or a decimal string")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(Decimal::from(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Amount, E> {
                v.trim().parse::<Decimal>().map(Amount).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of `(key, value)` pairs kept in a meaningful order (months 1..12, RT numbers),
/// serialized as a JSON object in that order: `{"1": 615000, "2": 625000, …}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> OrderedMap<V> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<V: Serialize> Serialize for OrderedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// The records the money reports read, as plain slices of `(record id, record)` pairs in
/// any order (as [`Book::receipts`] and friends return them). Voids are keyed by the
/// voided receipt's record id.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoneyInput<'a> {
    /// Receipts (kuitansi).
    pub receipts: &'a [(String, Receipt)],
    /// Voids, keyed by receipt id.
    pub voids: &'a [(String, Void)],
    /// Disbursements (santunan), tombstoned ones included (they are skipped).
    pub disbursements: &'a [(String, Disbursement)],
    /// Donors (for names and codes on the donor card and the per-donor table).
    pub donors: &'a [(String, Donor)],
    /// PMKS identifications (for the counts by code and status).
    pub pmks: &'a [(String, Pmks)],
    /// Households (for recipients' names and the counts of households by RT).
    pub households: &'a [(String, Household)],
    /// Meetings (for the decision that approved a disbursement).
    pub meetings: &'a [(String, Meeting)],
    /// Expenses to any payee (voided ones are in `voids` by their id).
    pub expenses: &'a [(String, Pengeluaran)],
    /// Loans paid out (voided ones are in `voids` by their id).
    pub loans: &'a [(String, Pinjaman)],
    /// Payouts approved at meetings.
    pub approvals: &'a [(String, Persetujuan)],
    /// The register of members.
    pub register: &'a [(String, Anggota)],
    /// Goods received in kind (not cash).
    pub natura: &'a [(String, Natura)],
    /// Months closed, keyed by month.
    pub closings: &'a [(String, TutupBuku)],
}

/// Owned copies of the records the money reports read, read from a book in one go.
#[derive(Debug, Clone, Default)]
pub struct MoneyRecords {
    /// Receipts.
    pub receipts: Vec<(String, Receipt)>,
    /// Voids, keyed by receipt id.
    pub voids: Vec<(String, Void)>,
    /// Disbursements.
    pub disbursements: Vec<(String, Disbursement)>,
    /// Donors.
    pub donors: Vec<(String, Donor)>,
    /// PMKS identifications.
    pub pmks: Vec<(String, Pmks)>,
    /// Households.
    pub households: Vec<(String, Household)>,
    /// Meetings.
    pub meetings: Vec<(String, Meeting)>,
    /// Expenses.
    pub expenses: Vec<(String, Pengeluaran)>,
    /// Loans.
    pub loans: Vec<(String, Pinjaman)>,
    /// Approved payouts.
    pub approvals: Vec<(String, Persetujuan)>,
    /// The register of members.
    pub register: Vec<(String, Anggota)>,
    /// Goods in kind.
    pub natura: Vec<(String, Natura)>,
    /// Months closed.
    pub closings: Vec<(String, TutupBuku)>,
}

impl MoneyRecords {
    /// Borrowed slices for the report functions.
    pub fn input(&self) -> MoneyInput<'_> {
        MoneyInput {
            receipts: &self.receipts,
            voids: &self.voids,
            disbursements: &self.disbursements,
            donors: &self.donors,
            pmks: &self.pmks,
            households: &self.households,
            meetings: &self.meetings,
            expenses: &self.expenses,
            loans: &self.loans,
            approvals: &self.approvals,
            register: &self.register,
            natura: &self.natura,
            closings: &self.closings,
        }
    }
}

impl Book {
    /// Reads every record the money reports need (receipts, voids, disbursements, donors,
    /// PMKS, households, meetings). Unreadable records are logged and skipped, as by the
    /// typed reads.
    pub fn money_records(&self) -> MoneyRecords {
        MoneyRecords {
            receipts: self.receipts(),
            voids: self.voids(),
            disbursements: self.disbursements(),
            donors: self.donors(),
            pmks: self.pmks(),
            households: self.households(),
            meetings: self.meetings(),
            expenses: self.expenses(),
            loans: self.loans(),
            approvals: self.approvals(),
            register: self.register(),
            natura: self.natura(),
            closings: self.closings(),
        }
    }
}

/// A period of WIB calendar dates, both ends included: a month (the buku kas umum is
/// closed monthly), a quarter (the report every 3 months) or a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    /// First day (WIB date).
    pub from: NaiveDate,
    /// Last day (WIB date), included.
    pub to: NaiveDate,
    /// The year the period lies in.
    pub year: i32,
    /// The quarter 1..=4 for a quarter period.
    pub quarter: Option<u8>,
    /// The month 1..=12 for a month period.
    pub month: Option<u32>,
}

impl Period {
    /// 1 Januari – 31 Desember of `year`. Errors: [`MoneyError::Year`] outside 1..=9998.
    pub fn year(year: i32) -> Result<Period, MoneyError> {
        let bad = || MoneyError::Year(year);
        if !(1..=9998).contains(&year) {
            return Err(bad());
        }
        Ok(Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?,
            to: NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?,
            year,
            quarter: None,
            month: None,
        })
    }

    /// Quarter `q` (1..=4) of `year`: Q1 = Januari–Maret (docs/domain.md#time-wib:
    /// a report every 3 months). Errors: [`MoneyError::Quarter`], [`MoneyError::Year`].
    pub fn quarter(year: i32, q: u8) -> Result<Period, MoneyError> {
        if !(1..=4).contains(&q) {
            return Err(MoneyError::Quarter(q));
        }
        let first = u32::from(q - 1) * 3 + 1;
        let start = YearMonth::new(year, first).map_err(|_| MoneyError::Year(year))?;
        let end = YearMonth::new(year, first + 2).map_err(|_| MoneyError::Year(year))?;
        Ok(Period {
            from: start.first_day().ok_or(MoneyError::Year(year))?,
            to: end.last_day().ok_or(MoneyError::Year(year))?,
            year,
            quarter: Some(q),
            month: None,
        })
    }

    /// One calendar month. Errors: [`MoneyError::Year`] for a month the calendar cannot
    /// hold (December 9999).
    pub fn month(month: YearMonth) -> Result<Period, MoneyError> {
        let bad = || MoneyError::Year(month.year());
        Ok(Period {
            from: month.first_day().ok_or_else(bad)?,
            to: month.last_day().ok_or_else(bad)?,
            year: month.year(),
            quarter: None,
            month: Some(month.month()),
        })
    }

    /// A year, or one quarter of it when `quarter` is given (as `rukun report --year 2025
    /// [--quarter Q]` takes them). Errors: [`MoneyError::Quarter`], [`MoneyError::Year`].
    pub fn of(year: i32, quarter: Option<u8>) -> Result<Period, MoneyError> {
        match quarter {
            Some(q) => Period::quarter(year, q),
            None => Period::year(year),
        }
    }

    /// True if `date` lies in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }

    /// Indonesian title: `"Tahun 2025"`, `"Triwulan III 2025"`, `"Agustus 2025"`.
    pub fn title(&self) -> String {
        match (self.quarter, self.month) {
            (Some(q), _) => format!("Triwulan {} {}", roman(q), self.year),
            (None, Some(m)) => format!("{} {}", month_name(m), self.year),
            (None, None) => format!("Tahun {}", self.year),
        }
    }

    /// `"Rabu, 1 Januari 2025 s.d. Rabu, 31 Desember 2025"`.
    pub fn range_text(&self) -> String {
        format!(
            "{} s.d. {}",
            format_date_long(self.from),
            format_date_long(self.to)
        )
    }

    /// The months (1..=12) of the period, in order.
    pub fn months(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut m = YearMonth::of_date(self.from);
        let last = YearMonth::of_date(self.to);
        while m <= last {
            out.push(m.month());
            match m.next() {
                Some(n) => m = n,
                None => break,
            }
        }
        out
    }
}

/// `1` -> `"I"` … `4` -> `"IV"` (quarters in Indonesian reports).
pub(crate) fn roman(q: u8) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        4 => "IV",
        _ => "?",
    }
}

/// What one ledger entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A receipt (kuitansi) of any source: cash in.
    Receipt,
    /// A santunan paid to a person: cash out.
    Disbursement,
    /// An expense to any payee: cash out.
    Expense,
    /// A loan paid out: cash out (repaid by receipts).
    Loan,
}

/// One movement of money, normalised from a receipt, a santunan, an expense or a loan.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'a> {
    /// WIB date it counts on (the next open month's first day for an entry written into a
    /// month after it was closed, see `moved_from`).
    pub(crate) date: NaiveDate,
    /// The UTC instant (receipts), for ordering within a day.
    pub(crate) at: Option<DateTime<Utc>>,
    /// Receipt number as shown (widened after a collision), `SNT-…` for a santunan,
    /// `PGL-…` for an expense, the code of a loan.
    pub(crate) bukti: String,
    pub(crate) kind: EntryKind,
    /// The reason, when voided (the entry then counts nowhere).
    pub(crate) void: Option<String>,
    /// The date written on it, when it was written into a month after that month was
    /// closed (on a device that had not heard of the closing): it counts in the next open
    /// month instead, with a note.
    pub(crate) moved_from: Option<NaiveDate>,
    pub(crate) amount: Amount,
    pub(crate) receipt: Option<&'a Receipt>,
    pub(crate) disbursement: Option<&'a Disbursement>,
    pub(crate) expense: Option<&'a Pengeluaran>,
    pub(crate) loan: Option<&'a Pinjaman>,
    pub(crate) id: &'a str,
}

impl Entry<'_> {
    /// Signed effect on the cash balance: `+` a receipt, `−` a payment, `0` when voided.
    pub(crate) fn effect(&self) -> Amount {
        match (self.kind, &self.void) {
            (_, Some(_)) => Amount::zero(),
            (EntryKind::Receipt, None) => self.amount,
            (_, None) => -self.amount,
        }
    }

    pub(crate) fn is_voided(&self) -> bool {
        self.void.is_some()
    }

    /// Cash in (a receipt) rather than out.
    pub(crate) fn is_in(&self) -> bool {
        self.kind == EntryKind::Receipt
    }
}

/// The ledger: every receipt and live disbursement as an [`Entry`], in chronological
/// order (WIB date, then receipts by instant before the day's disbursements, then number),
/// plus the records that could not be placed (unreadable dates).
#[derive(Debug, Clone, Default)]
pub(crate) struct Ledger<'a> {
    pub(crate) entries: Vec<Entry<'a>>,
    pub(crate) problems: Vec<String>,
}

/// The bukti (voucher) number of a disbursement: `SNT-` and the last 8 letters of its
/// record id (the random part of the UUID), stable on every device.
pub(crate) fn disbursement_bukti(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .filter(|c| *c != '-')
        .take(8)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("SNT-{}", tail.to_ascii_uppercase())
}

/// The receipt's `diterima_pada`, unless it is unset (or was unreadable).
pub(crate) fn receipt_instant(r: &Receipt) -> Option<DateTime<Utc>> {
    (r.diterima_pada != crate::stored::unset()).then_some(r.diterima_pada)
}

/// Entries dated in a closed month but written after its closing (by a device that had
/// not heard of it yet) count on the first day of the next open month instead, with
/// `moved_from` set: a closed month's figures never change.
fn move_past_closings<'a>(
    entries: Vec<(Entry<'a>, DateTime<Utc>)>,
    closings: &[(String, TutupBuku)],
) -> Vec<Entry<'a>> {
    let closed: HashMap<YearMonth, DateTime<Utc>> = closings
        .iter()
        .map(|(_, t)| (t.bulan, t.created_at))
        .collect();
    if closed.is_empty() {
        return entries.into_iter().map(|(e, _)| e).collect();
    }
    entries
        .into_iter()
        .map(|(mut e, written)| {
            let month = YearMonth::of_date(e.date);
            if let Some(at) = closed.get(&month)
                && written > *at
            {
                let mut next = month.next();
                while let Some(m) = next.filter(|m| closed.contains_key(m)) {
                    next = m.next();
                }
                if let Some(day) = next.and_then(|m| m.first_day()) {
                    e.moved_from = Some(e.date);
                    e.date = day;
                }
            }
            e
        })
        .collect()
}

impl<'a> Ledger<'a> {
    pub(crate) fn build(input: &MoneyInput<'a>) -> Ledger<'a> {
        let voids: HashMap<&str, &Void> =
            input.voids.iter().map(|(id, v)| (id.as_str(), v)).collect();
        let void_of = |id: &str| voids.get(id).map(|v| v.alasan.clone());
        let widened = widened_receipt_numbers(input.receipts);
        let mut entries = Vec::with_capacity(
            input.receipts.len() + input.disbursements.len() + input.expenses.len(),
        );
        let mut problems = Vec::new();
        let blank = |id: &'a str, kind, date, amount, bukti| Entry {
            date,
            at: None,
            bukti,
            kind,
            void: void_of(id),
            moved_from: None,
            amount,
            receipt: None,
            disbursement: None,
            expense: None,
            loan: None,
            id,
        };
        for (id, r) in input.receipts {
            let Some(at) = receipt_instant(r) else {
                problems.push(format!(
                    "kuitansi {}: waktu diterima tidak terbaca ({:?}); tidak dihitung",
                    r.nomor, r.diterima_pada
                ));
                continue;
            };
            let bukti = widened.get(id).cloned().unwrap_or_else(|| r.nomor.clone());
            let mut e = blank(
                id,
                EntryKind::Receipt,
                wib_date(at),
                Amount::of(r.jumlah),
                bukti,
            );
            e.at = Some(at);
            e.receipt = Some(r);
            entries.push((e, r.created_at));
        }
        let mut dated = |what: &str, bukti: String, tanggal: &str| -> Option<NaiveDate> {
            let d = crate::rules::parse_date(tanggal).ok();
            if d.is_none() {
                problems.push(format!(
                    "{what} {bukti}: tanggal tidak terbaca ({tanggal:?}); tidak dihitung"
                ));
            }
            d
        };
        for (id, d) in input.disbursements {
            if d.deleted.is_some() {
                continue;
            }
            let bukti = disbursement_bukti(id);
            let Some(date) = dated("santunan", bukti.clone(), &d.tanggal) else {
                continue;
            };
            let mut e = blank(
                id,
                EntryKind::Disbursement,
                date,
                Amount::of(d.jumlah),
                bukti,
            );
            e.disbursement = Some(d);
            entries.push((e, d.created_at));
        }
        for (id, x) in input.expenses {
            let bukti = crate::kas::expense_bukti(id);
            let Some(date) = dated("pengeluaran", bukti.clone(), &x.tanggal) else {
                continue;
            };
            let mut e = blank(id, EntryKind::Expense, date, Amount::of(x.jumlah), bukti);
            e.expense = Some(x);
            entries.push((e, x.created_at));
        }
        for (id, l) in input.loans {
            let Some(date) = dated("pinjaman", l.kode.clone(), &l.tanggal) else {
                continue;
            };
            let mut e = blank(
                id,
                EntryKind::Loan,
                date,
                Amount::of(l.jumlah),
                l.kode.clone(),
            );
            e.loan = Some(l);
            entries.push((e, l.created_at));
        }
        let entries = move_past_closings(entries, input.closings);
        let mut entries = entries;
        entries.sort_by(|a, b| {
            (a.date, !a.is_in(), a.at.is_none(), a.at, &a.bukti, a.id).cmp(&(
                b.date,
                !b.is_in(),
                b.at.is_none(),
                b.at,
                &b.bukti,
                b.id,
            ))
        });
        Ledger { entries, problems }
    }

    /// The balance of everything dated before `date` (WIB).
    pub(crate) fn balance_before(&self, date: NaiveDate) -> Amount {
        let mut total = Amount::zero();
        for e in &self.entries {
            if e.date >= date {
                break;
            }
            total += e.effect();
        }
        total
    }
}

/// Money in and out of one WIB month, as Beranda and Laporan show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MonthFlow {
    /// Receipts of every source, not voided.
    pub masuk: Amount,
    /// Payments (santunan, expenses, loans paid out), not voided.
    pub keluar: Amount,
    /// How many receipts were counted.
    pub receipts: usize,
    /// How many payments were counted.
    pub disbursements: usize,
}

/// Every month that money moved in, from the same ledger as the buku kas umum and the
/// reports: a void cancels its receipt (by record id, so a widened number cannot slip
/// through), tombstoned disbursements and unreadable dates do not count. The sum of all
/// months is the fund balance; the sum of the months before `m` is `m`'s opening balance.
pub fn month_flows(input: &MoneyInput<'_>) -> std::collections::BTreeMap<YearMonth, MonthFlow> {
    let mut out: std::collections::BTreeMap<YearMonth, MonthFlow> = Default::default();
    for e in Ledger::build(input).entries {
        let m = out.entry(YearMonth::of_date(e.date)).or_default();
        if e.is_voided() {
            continue;
        }
        if e.is_in() {
            m.masuk += e.amount;
            m.receipts += 1;
        } else {
            m.keluar += e.amount;
            m.disbursements += 1;
        }
    }
    out.retain(|_, f| f.receipts + f.disbursements > 0);
    out
}

/// The name of a santunan's recipient, from [`person_names`].
pub(crate) fn recipient_name<'a>(
    d: &Disbursement,
    names: &HashMap<(&str, &str), &'a str>,
) -> Option<&'a str> {
    d.person_id
        .as_deref()
        .and_then(|pid| names.get(&(d.household_id.as_str(), pid)))
        .copied()
}

/// A person's name from the households, by `(household id, person id)`.
pub(crate) fn person_names(households: &[(String, Household)]) -> HashMap<(&str, &str), &str> {
    let mut out = HashMap::new();
    for (hid, h) in households {
        for (pid, p) in &h.anggota {
            out.insert((hid.as_str(), pid.as_str()), p.nama.as_str());
        }
    }
    out
}

/// The month number 1..=12 of a date.
pub(crate) fn month_of(date: NaiveDate) -> u32 {
    date.month()
}
