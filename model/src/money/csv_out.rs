//! The report and the buku kas umum as CSV for Excel with Indonesian settings: UTF-8 with
//! a BOM, `;` between cells (the list separator of Indonesian Excel), amounts as plain
//! whole-rupiah digits (so they stay numbers), dates `dd/mm/yyyy`.

use super::{KasBook, MoneyError, PeriodReport, roman};
use crate::rules::{PmksCode, PmksStatus, format_date_short, month_name};

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, MoneyError> {
    w.into_inner()
        .map_err(|e| MoneyError::Csv(csv::Error::from(e.into_error())))
}

/// The period report as one CSV table: columns `bagian;kunci;uraian;jumlah` (section,
/// key, Indonesian label, value — whole rupiah or a count), e.g.
/// `penerimaan_per_bulan;8;Agustus;655000`.
///
/// Errors: [`MoneyError::Csv`] if writing fails (it does not, into memory).
pub fn report_csv(r: &PeriodReport) -> Result<Vec<u8>, MoneyError> {
    let mut w = writer();
    w.write_record(["bagian", "kunci", "uraian", "jumlah"])?;
    let mut row = |bagian: &str, kunci: &str, uraian: &str, jumlah: String| {
        w.write_record([bagian, kunci, uraian, jumlah.as_str()])
    };
    row("ringkasan", "opening", "Saldo awal", r.opening.plain())?;
    row(
        "ringkasan",
        "receipts_total",
        "Jumlah penerimaan",
        r.receipts_total.plain(),
    )?;
    row(
        "ringkasan",
        "disbursements_total",
        "Jumlah pengeluaran (santunan)",
        r.disbursements_total.plain(),
    )?;
    row("ringkasan", "closing", "Saldo akhir", r.closing.plain())?;
    row(
        "ringkasan",
        "receipts",
        "Banyak kuitansi",
        r.receipts.to_string(),
    )?;
    row(
        "ringkasan",
        "voided",
        "Kuitansi dibatalkan",
        r.voided.to_string(),
    )?;
    row(
        "ringkasan",
        "disbursements",
        "Banyak santunan",
        r.disbursements.to_string(),
    )?;
    for q in &r.quarters {
        let k = q.quarter.to_string();
        let label = format!("Triwulan {}", roman(q.quarter));
        row("triwulan_saldo_awal", &k, &label, q.opening.plain())?;
        row("triwulan_penerimaan", &k, &label, q.receipts.plain())?;
        row("triwulan_pengeluaran", &k, &label, q.disbursements.plain())?;
        row("triwulan_saldo_akhir", &k, &label, q.closing.plain())?;
    }
    for (m, a) in r.receipts_by_month.iter() {
        let name = m.parse::<u32>().map(month_name).unwrap_or("");
        row("penerimaan_per_bulan", m, name, a.plain())?;
    }
    for (rt, a) in r.receipts_by_rt.iter() {
        row("penerimaan_per_rt", rt, &format!("RT {rt}"), a.plain())?;
    }
    for d in &r.receipts_by_donor {
        row("penerimaan_per_donatur", &d.kode, &d.nama, d.total.plain())?;
    }
    for (k, a) in r.disbursements_by_kind.iter() {
        row("santunan_per_jenis", k, k, a.plain())?;
    }
    for (code, n) in r.pmks_by_code.iter() {
        let name = code
            .parse::<u8>()
            .ok()
            .and_then(|c| PmksCode::new(c).ok())
            .map(|c| c.name())
            .unwrap_or("");
        row("pmks_per_kode", code, name, n.to_string())?;
    }
    for (status, n) in r.pmks_by_status.iter() {
        let label = PmksStatus::parse(status)
            .map(|s| s.label())
            .unwrap_or(status);
        row("pmks_per_status", status, label, n.to_string())?;
    }
    for (rt, n) in r.households_by_rt.iter() {
        row(
            "rumah_tangga_per_rt",
            rt,
            &format!("RT {rt}"),
            n.to_string(),
        )?;
    }
    finish(w)
}

/// The buku kas umum as CSV: `No;Tanggal;No. Bukti;Uraian;Penerimaan;Pengeluaran;Saldo`,
/// a first row with the saldo awal and a last row with the totals and the saldo akhir.
///
/// Errors: [`MoneyError::Csv`] if writing fails (it does not, into memory).
pub fn kas_csv(k: &KasBook) -> Result<Vec<u8>, MoneyError> {
    let mut w = writer();
    w.write_record([
        "No",
        "Tanggal",
        "No. Bukti",
        "Uraian",
        "Penerimaan",
        "Pengeluaran",
        "Saldo",
    ])?;
    w.write_record([
        "",
        &format_date_short(k.period.from),
        "",
        "Saldo awal",
        "",
        "",
        &k.opening.plain(),
    ])?;
    for r in &k.rows {
        w.write_record([
            r.no.to_string(),
            format_date_short(r.tanggal),
            r.bukti.clone(),
            r.uraian.clone(),
            r.penerimaan.map(|a| a.plain()).unwrap_or_default(),
            r.pengeluaran.map(|a| a.plain()).unwrap_or_default(),
            r.saldo.plain(),
        ])?;
    }
    w.write_record([
        "",
        &format_date_short(k.period.to),
        "",
        "Jumlah / saldo akhir",
        &k.total_penerimaan.plain(),
        &k.total_pengeluaran.plain(),
        &k.closing.plain(),
    ])?;
    finish(w)
}
