//! The printable report (laporan triwulan / tahunan) as one self-contained HTML page in
//! Bahasa Indonesia: tables and an inline SVG bar chart of monthly receipts, rupiah as
//! `Rp75.000`, dates as "Minggu, 17 Agustus 2025" (issue 4, item 6). No scripts, no
//! external files: it prints from any browser, and `chromium --headless --print-to-pdf`
//! makes a PDF of it.

use std::fmt::Write as _;

use chrono::NaiveDate;

use super::{Amount, PeriodReport, roman};
use crate::records::Group;
use crate::rules::{PmksCode, PmksStatus, format_date_long, format_rw, month_name, month_short};

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:'DejaVu Sans',Arial,sans-serif;font-size:12px;color:#111;margin:24px;}
h1{font-size:18px;margin:0 0 4px 0;} h2{font-size:14px;margin:18px 0 6px 0;border-bottom:1px solid #999;}
.sub{color:#333;margin:0 0 2px 0;}
table{border-collapse:collapse;margin:4px 0 8px 0;}
th,td{border:1px solid #888;padding:3px 8px;} th{background:#eee;text-align:left;}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;}
tr.total td{font-weight:bold;background:#f6f6f6;}
.cols{display:flex;gap:24px;flex-wrap:wrap;}
.warn{color:#a00;}
.ttd{margin-top:28px;display:flex;justify-content:space-between;width:600px;}
.ttd div{text-align:center;width:220px;} .ttd .line{margin-top:56px;border-top:1px solid #111;}
@media print{body{margin:12mm;} h2{page-break-after:avoid;} table{page-break-inside:avoid;}}
";

/// The SVG bar chart of receipts by month (whole rupiah), with the amounts in thousands
/// over the bars.
fn bar_chart(r: &PeriodReport) -> String {
    let months: Vec<(u32, Amount)> = r
        .receipts_by_month
        .iter()
        .filter_map(|(m, a)| m.parse::<u32>().ok().map(|m| (m, *a)))
        .collect();
    let max = months
        .iter()
        .map(|(_, a)| a.0)
        .max()
        .filter(|m| !m.is_zero())
        .unwrap_or(rust_decimal::Decimal::ONE);
    let (w, h, left, top, bottom) = (640.0_f64, 240.0_f64, 40.0_f64, 24.0_f64, 28.0_f64);
    let plot_h = h - top - bottom;
    let n = months.len().max(1) as f64;
    let slot = (w - left - 10.0) / n;
    let bar = slot * 0.62;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Grafik penerimaan per bulan\">"
    );
    let _ = write!(
        svg,
        "<line x1=\"{left}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#333\"/>",
        y = h - bottom,
        x2 = w - 10.0
    );
    for (i, (m, a)) in months.iter().enumerate() {
        // Only for drawing: the figures themselves stay exact decimals.
        let ratio = (a.0 / max).to_string().parse::<f64>().unwrap_or(0.0);
        let bh = (ratio * plot_h).max(0.0);
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let y = h - bottom - bh;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" fill=\"#2f6f4f\"><title>{} {}</title></rect>",
            month_name(*m),
            esc(&a.to_string())
        );
        let thousands = (a.0 / rust_decimal::Decimal::from(1000)).round();
        let _ = write!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{ty:.1}\" font-size=\"10\" text-anchor=\"middle\">{thousands}</text>",
            cx = x + bar / 2.0,
            ty = y - 4.0
        );
        let _ = write!(
            svg,
            "<text x=\"{cx:.1}\" y=\"{ly:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            month_short(*m),
            cx = x + bar / 2.0,
            ly = h - bottom + 16.0
        );
    }
    let _ = write!(
        svg,
        "<text x=\"4\" y=\"14\" font-size=\"10\">ribu Rp</text></svg>"
    );
    svg
}

fn money_row(out: &mut String, label: &str, a: Amount, total: bool) {
    let class = if total { " class=\"total\"" } else { "" };
    let _ = write!(
        out,
        "<tr{class}><td>{}</td><td class=\"n\">{}</td></tr>",
        esc(label),
        esc(&a.to_string())
    );
}

/// Renders `r` as a printable HTML page for `group`, printed on `printed_on` (a WIB date,
/// shown as "Minggu, 30 November 2025"). Sections: ringkasan kas, per triwulan, penerimaan
/// per bulan (table and bar chart), per RT, per donatur, santunan per jenis, PMKS per
/// kode and status, rumah tangga per RT, and signature lines for the ketua and bendahara.
pub fn report_html(r: &PeriodReport, group: &Group, printed_on: NaiveDate) -> String {
    let title = match r.quarter {
        Some(q) => format!(
            "Laporan Keuangan dan Kegiatan Triwulan {} Tahun {}",
            roman(q),
            r.year
        ),
        None => format!("Laporan Keuangan dan Kegiatan Tahun {}", r.year),
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"id\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>",
        esc(&title)
    );
    let _ = write!(o, "<h1>{}</h1>", esc(&title));
    let _ = write!(
        o,
        "<p class=\"sub\">WKSBM \"{}\" — {}, Kelurahan {} (kode wilayah {})</p>",
        esc(&group.name),
        esc(&format_rw(group.rw)),
        esc(&group.kelurahan),
        esc(&group.kode_wilayah)
    );
    let _ = write!(
        o,
        "<p class=\"sub\">Periode: {} s.d. {}</p><p class=\"sub\">Dicetak: {}</p>",
        esc(&format_date_long(r.from)),
        esc(&format_date_long(r.to)),
        esc(&format_date_long(printed_on))
    );

    o.push_str(
        "<h2>1. Ringkasan kas</h2><table><tr><th>Uraian</th><th class=\"n\">Jumlah</th></tr>",
    );
    money_row(&mut o, "Saldo awal", r.opening, false);
    money_row(
        &mut o,
        &format!("Penerimaan ({} kuitansi)", r.receipts),
        r.receipts_total,
        false,
    );
    money_row(
        &mut o,
        &format!("Pengeluaran santunan ({} kali)", r.disbursements),
        r.disbursements_total,
        false,
    );
    money_row(&mut o, "Saldo akhir", r.closing, true);
    o.push_str("</table>");
    if r.voided > 0 {
        let _ = write!(
            o,
            "<p>{} kuitansi dibatalkan sejumlah {} (tidak dihitung).</p>",
            r.voided,
            esc(&r.voided_total.to_string())
        );
    }

    o.push_str("<h2>2. Kas per triwulan</h2><table><tr><th>Triwulan</th><th class=\"n\">Saldo awal</th><th class=\"n\">Penerimaan</th><th class=\"n\">Pengeluaran</th><th class=\"n\">Saldo akhir</th></tr>");
    for q in &r.quarters {
        let _ = write!(
            o,
            "<tr><td>Triwulan {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            roman(q.quarter),
            esc(&q.opening.to_string()),
            esc(&q.receipts.to_string()),
            esc(&q.disbursements.to_string()),
            esc(&q.closing.to_string())
        );
    }
    o.push_str("</table>");

    o.push_str("<h2>3. Penerimaan per bulan</h2><div class=\"cols\"><table><tr><th>Bulan</th><th class=\"n\">Penerimaan</th></tr>");
    for (m, a) in r.receipts_by_month.iter() {
        let name = m.parse::<u32>().map(month_name).unwrap_or("");
        money_row(&mut o, &format!("{name} {}", r.year), *a, false);
    }
    money_row(&mut o, "Jumlah", r.receipts_total, true);
    o.push_str("</table><div>");
    o.push_str(&bar_chart(r));
    o.push_str("</div></div>");

    o.push_str("<div class=\"cols\"><div><h2>4. Penerimaan per RT</h2><table><tr><th>RT</th><th class=\"n\">Penerimaan</th></tr>");
    for (rt, a) in r.receipts_by_rt.iter() {
        money_row(&mut o, &format!("RT {rt:0>3}"), *a, false);
    }
    money_row(&mut o, "Jumlah", r.receipts_total, true);
    o.push_str("</table></div>");

    o.push_str("<div><h2>5. Santunan per jenis</h2><table><tr><th>Jenis</th><th class=\"n\">Jumlah</th></tr>");
    for (k, a) in r.disbursements_by_kind.iter() {
        money_row(&mut o, &capitalize(k), *a, false);
    }
    money_row(&mut o, "Jumlah", r.disbursements_total, true);
    o.push_str("</table></div></div>");

    o.push_str("<div class=\"cols\"><div><h2>6. PMKS per jenis</h2><table><tr><th>Kode</th><th>Jenis PMKS (Permensos 08/2012)</th><th class=\"n\">Jumlah</th></tr>");
    for (code, n) in r.pmks_by_code.iter() {
        let name = code
            .parse::<u8>()
            .ok()
            .and_then(|c| PmksCode::new(c).ok())
            .map(|c| c.name())
            .unwrap_or("");
        let _ = write!(
            o,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(code),
            esc(name)
        );
    }
    let _ = write!(
        o,
        "<tr class=\"total\"><td></td><td>Jumlah</td><td class=\"n\">{}</td></tr></table></div>",
        r.pmks
    );
    o.push_str("<div><h2>7. PMKS per status</h2><table><tr><th>Status</th><th class=\"n\">Jumlah</th></tr>");
    for (s, n) in r.pmks_by_status.iter() {
        let label = PmksStatus::parse(s).map(|x| x.label()).unwrap_or(s);
        let _ = write!(
            o,
            "<tr><td>{}</td><td class=\"n\">{n}</td></tr>",
            esc(label)
        );
    }
    let _ = write!(
        o,
        "<tr class=\"total\"><td>Jumlah</td><td class=\"n\">{}</td></tr></table></div>",
        r.pmks
    );
    o.push_str("<div><h2>8. Rumah tangga per RT</h2><table><tr><th>RT</th><th class=\"n\">Rumah tangga</th></tr>");
    for (rt, n) in r.households_by_rt.iter() {
        let _ = write!(
            o,
            "<tr><td>RT {}</td><td class=\"n\">{n}</td></tr>",
            esc(&format!("{rt:0>3}"))
        );
    }
    let _ = write!(
        o,
        "<tr class=\"total\"><td>Jumlah ({} jiwa)</td><td class=\"n\">{}</td></tr></table></div></div>",
        r.persons, r.households
    );

    o.push_str("<h2>9. Penerimaan per donatur</h2><table><tr><th>Kode</th><th>Nama</th><th>RT</th><th class=\"n\">Kuitansi</th><th class=\"n\">Jumlah</th></tr>");
    for d in &r.receipts_by_donor {
        let _ = write!(
            o,
            "<tr><td>{}</td><td>{}</td><td>{:03}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&d.kode),
            esc(&d.nama),
            d.rt,
            d.receipts,
            esc(&d.total.to_string())
        );
    }
    let _ = write!(
        o,
        "<tr class=\"total\"><td></td><td>Jumlah ({} donatur)</td><td></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
        r.receipts_by_donor.len(),
        r.receipts,
        esc(&r.receipts_total.to_string())
    );

    if !r.warnings.is_empty() {
        o.push_str("<h2>Catatan</h2><ul class=\"warn\">");
        for w in &r.warnings {
            let _ = write!(o, "<li>{}</li>", esc(w));
        }
        o.push_str("</ul>");
    }
    // Signature lines with the board's names from the register of members.
    let name = |j: &str| r.pengurus.get(j).map(|n| esc(n)).unwrap_or_default();
    let _ = write!(
        o,
        "<p>{}, {}</p><div class=\"ttd\"><div>Ketua<div class=\"line\"></div>{}</div><div>Bendahara I<div class=\"line\"></div>{}</div></div>",
        esc(&group.kelurahan),
        esc(&format_date_long(printed_on)),
        name("Ketua"),
        name("Bendahara I")
    );
    o.push_str("</body></html>\n");
    o
}

/// `"sembako"` -> `"Sembako"`; abbreviations of three letters or fewer (`spp`) in capitals.
fn capitalize(s: &str) -> String {
    if s.chars().count() <= 3 {
        return s.to_uppercase();
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
