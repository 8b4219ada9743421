//! The donor card (kartu donatur): one donor's year, month by month, paid or not, with
//! the receipt numbers (issue 4, item 4; docs/domain.md#wksbm-and-the-group: transparency
//! through donor cards).

use chrono::NaiveDate;
use serde::Serialize;

use super::{Amount, Ledger, MoneyError, MoneyInput, Period, month_of};
use crate::rules::{month_name, wib};

/// One receipt on a donor card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardReceipt {
    /// Receipt number as shown (widened after a short-id collision).
    pub nomor: String,
    /// WIB date received.
    pub tanggal: NaiveDate,
    /// WIB time received, `"10.00"`.
    pub jam: String,
    /// Amount, whole rupiah.
    pub jumlah: Amount,
    /// Purpose, e.g. "Iuran 08/2025".
    pub untuk: String,
    /// The void's reason when the receipt is voided (then it does not count).
    pub dibatalkan: Option<String>,
}

/// One month on a donor card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonorMonth {
    /// 1..=12.
    pub month: u32,
    /// "Januari" … "Desember".
    pub label: String,
    /// True when at least one receipt of the month (by WIB date) is not voided.
    pub paid: bool,
    /// Total of the month's receipts that are not voided.
    pub total: Amount,
    /// The month's receipts, voided ones included (marked), chronological.
    pub receipts: Vec<CardReceipt>,
}

/// A donor's card for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DonorCard {
    /// Donor record id.
    pub donor_id: String,
    /// Donor code.
    pub kode: String,
    /// Name.
    pub nama: String,
    /// RT.
    pub rt: u16,
    /// Kind (`tetap`, `insidental`, `kps`, …).
    pub jenis: String,
    /// Monthly pledge, whole rupiah, for regular donors.
    pub iuran_bulanan: Option<Amount>,
    /// The year.
    pub year: i32,
    /// Twelve months, Januari first.
    pub months: Vec<DonorMonth>,
    /// Months paid.
    pub months_paid: usize,
    /// Total of the year (voids excluded).
    pub total: Amount,
}

/// Builds the card of the donor with code (case-insensitive) or record id `donor` for
/// `year`, from plain records. Months are by the WIB date of each receipt; receipts are
/// matched by donor id, or by the code written on them when they carry no donor id.
///
/// Errors: [`MoneyError::DonorNotFound`] when no live donor has that code or id;
/// [`MoneyError::Year`] for a year outside 1..=9998.
pub fn donor_card(input: &MoneyInput<'_>, donor: &str, year: i32) -> Result<DonorCard, MoneyError> {
    let wanted = donor.trim();
    let (id, d) = input
        .donors
        .iter()
        .filter(|(_, d)| d.deleted.is_none())
        .find(|(id, d)| id == wanted || d.kode.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| MoneyError::DonorNotFound(wanted.to_string()))?;
    let period = Period::year(year)?;
    let ledger = Ledger::build(input);
    let mut months: Vec<DonorMonth> = (1..=12)
        .map(|m| DonorMonth {
            month: m,
            label: month_name(m).to_string(),
            paid: false,
            total: Amount::zero(),
            receipts: Vec::new(),
        })
        .collect();
    let mut total = Amount::zero();
    for e in ledger.entries.iter().filter(|e| period.contains(e.date)) {
        let Some(r) = e
            .receipt
            .filter(|r| r.sumber == crate::rules::SumberDana::Iuran)
        else {
            continue;
        };
        let mine = if r.donor_id.is_empty() {
            r.kode_donatur.eq_ignore_ascii_case(&d.kode)
        } else {
            r.donor_id == *id
        };
        if !mine {
            continue;
        }
        let Some(slot) = months.get_mut(month_of(e.date) as usize - 1) else {
            continue;
        };
        let dibatalkan = e.void.clone();
        if dibatalkan.is_none() {
            slot.paid = true;
            slot.total += e.amount;
            total += e.amount;
        }
        slot.receipts.push(CardReceipt {
            nomor: e.bukti.clone(),
            tanggal: e.date,
            jam: e
                .at
                .map(|t| t.with_timezone(&wib()).format("%H.%M").to_string())
                .unwrap_or_default(),
            jumlah: e.amount,
            untuk: r.untuk.clone(),
            dibatalkan,
        });
    }
    Ok(DonorCard {
        donor_id: id.clone(),
        kode: d.kode.clone(),
        nama: d.nama.clone(),
        rt: d.rt,
        jenis: d.jenis.clone(),
        iuran_bulanan: d.iuran_bulanan.map(Amount::of),
        year,
        months_paid: months.iter().filter(|m| m.paid).count(),
        months,
        total,
    })
}
