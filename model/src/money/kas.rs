//! The buku kas umum (general cash book), derived from receipts, voids and disbursements
//! and never stored (docs/domain.md#buku-kas-umum-and-kuitansi: No, Tanggal, No. Bukti,
//! Uraian, Penerimaan, Pengeluaran, Saldo; chronological; never erased — a mistake is
//! corrected by a reversing entry; closed monthly; Saldo = previous saldo + penerimaan −
//! pengeluaran).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{Amount, Entry, EntryKind, Ledger, MoneyInput, Period, person_names};

/// One row of the buku kas umum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KasRow {
    /// Row number within the period, from 1.
    pub no: usize,
    /// WIB calendar date (`YYYY-MM-DD` in JSON).
    pub tanggal: NaiveDate,
    /// No. Bukti: the receipt number, or `SNT-…` for a disbursement.
    pub bukti: String,
    /// Uraian (description), in Indonesian.
    pub uraian: String,
    /// Penerimaan (money in), whole rupiah; negative on the reversing row of a void.
    pub penerimaan: Option<Amount>,
    /// Pengeluaran (money out), whole rupiah.
    pub pengeluaran: Option<Amount>,
    /// Saldo after this row.
    pub saldo: Amount,
}

/// The buku kas umum of a period (usually a month: `rukun kas --month 2025-08`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KasBook {
    /// The period.
    pub period: Period,
    /// Saldo awal: the balance of everything before the period.
    pub opening: Amount,
    /// The rows, chronological.
    pub rows: Vec<KasRow>,
    /// Sum of penerimaan (net of voids).
    pub total_penerimaan: Amount,
    /// Sum of pengeluaran.
    pub total_pengeluaran: Amount,
    /// Saldo akhir: `opening + total_penerimaan − total_pengeluaran`.
    pub closing: Amount,
    /// Records left out (unreadable dates), in Indonesian.
    pub warnings: Vec<String>,
}

/// Builds the buku kas umum of `period` from plain records.
///
/// Order: WIB date, then the day's receipts by their instant, then its disbursements by
/// voucher number — the same on every device. A voided receipt keeps its row and is
/// followed by a reversing row (`Pembatalan …`, negative penerimaan) on the same date, so
/// the saldo equals the report's balance. Never fails: unreadable records are listed in
/// `warnings`.
pub fn buku_kas(input: &MoneyInput<'_>, period: &Period) -> KasBook {
    let ledger = Ledger::build(input);
    let opening = ledger.balance_before(period.from);
    let names = person_names(input.households);
    let meetings: HashMap<&str, &str> = input
        .meetings
        .iter()
        .map(|(id, m)| (id.as_str(), m.judul.as_str()))
        .collect();
    let mut rows = Vec::new();
    let mut saldo = opening;
    let (mut masuk, mut keluar) = (Amount::zero(), Amount::zero());
    for e in ledger.entries.iter().filter(|e| period.contains(e.date)) {
        let mut text = uraian(e, &names, &meetings);
        if let Some(d) = e.moved_from {
            text.push_str(&format!(
                " [bertanggal {}, dicatat setelah tutup buku bulan itu]",
                d.format("%d/%m/%Y")
            ));
        }
        let (inn, out) = if e.is_in() {
            (Some(e.amount), None)
        } else {
            (None, Some(e.amount))
        };
        let sign = if e.is_in() { e.amount } else { -e.amount };
        saldo += sign;
        if e.is_in() {
            masuk += e.amount;
        } else {
            keluar += e.amount;
        }
        rows.push(KasRow {
            no: rows.len() + 1,
            tanggal: e.date,
            bukti: e.bukti.clone(),
            uraian: text,
            penerimaan: inn,
            pengeluaran: out,
            saldo,
        });
        if let Some(alasan) = &e.void {
            saldo -= sign;
            let what = match e.kind {
                EntryKind::Receipt => "kuitansi",
                EntryKind::Disbursement => "santunan",
                EntryKind::Expense => "pengeluaran",
                EntryKind::Loan => "pinjaman",
            };
            if e.is_in() {
                masuk -= e.amount;
            } else {
                keluar -= e.amount;
            }
            rows.push(KasRow {
                no: rows.len() + 1,
                tanggal: e.date,
                bukti: e.bukti.clone(),
                uraian: format!("Pembatalan {what} {}: {}", e.bukti, alasan.trim()),
                penerimaan: inn.map(|a| -a),
                pengeluaran: out.map(|a| -a),
                saldo,
            });
        }
    }
    KasBook {
        period: period.clone(),
        opening,
        rows,
        total_penerimaan: masuk,
        total_pengeluaran: keluar,
        closing: saldo,
        warnings: ledger.problems,
    }
}

/// The Uraian of a ledger entry, in Indonesian: what it was and who.
pub(crate) fn uraian(
    e: &Entry<'_>,
    names: &HashMap<(&str, &str), &str>,
    meetings: &HashMap<&str, &str>,
) -> String {
    if let Some(r) = e.receipt {
        let mut text = format!("{} — {}", r.untuk.trim(), r.dari.trim());
        if !r.kode_donatur.is_empty() {
            text.push_str(&format!(" ({})", r.kode_donatur));
        }
        if r.rt != 0 {
            text.push_str(&format!(", RT {:03}", r.rt));
        }
        text
    } else if let Some(d) = e.disbursement {
        let nama = super::recipient_name(d, names).unwrap_or("");
        let mut text = format!("Santunan {}", d.jenis.trim());
        if !nama.is_empty() {
            text.push_str(&format!(" — {nama}"));
        }
        if let Some(judul) = d.meeting_id.as_deref().and_then(|m| meetings.get(m)) {
            text.push_str(&format!(" ({judul})"));
        }
        text
    } else if let Some(x) = e.expense {
        let mut text = format!("{} — {}", x.kategori.label(), x.dibayar_kepada.trim());
        if !x.keterangan.trim().is_empty() {
            text.push_str(&format!(": {}", x.keterangan.trim()));
        }
        if !x.keputusan.trim().is_empty() {
            text.push_str(&format!(" ({})", x.keputusan.trim()));
        }
        text
    } else if let Some(l) = e.loan {
        format!(
            "Pinjaman modal usaha {} — {} ({})",
            l.kode,
            l.nama.trim(),
            l.usaha.trim()
        )
    } else {
        String::new()
    }
}
