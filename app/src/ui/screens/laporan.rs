//! Laporan: the month and quarter report (saldo awal, penerimaan, pengeluaran, saldo akhir)
//! with the monthly receipts chart, and export to a chosen folder.

use egui::{Color32, RichText, Sense, Vec2};
use rukun_model::rules::{self, YearMonth};
use rust_decimal::Decimal;

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::{Index, MonthTotals};
use crate::state::Session;
use crate::widgets;

#[derive(Debug, Default)]
pub(crate) struct LaporanUi {
    month: Option<YearMonth>,
    folder: String,
    /// The month's buku kas, kept until the month or the money records change.
    kas: Option<(YearMonth, u64, rukun_model::KasBook)>,
}

fn default_folder() -> String {
    directories::UserDirs::new()
        .and_then(|u| u.document_dir().map(|d| d.join("rukun-ekspor")))
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().join("rukun-ekspor")))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

pub(crate) fn laporan_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let idx = &s.idx;
    let l = &mut s.laporan;
    let month = *l.month.get_or_insert_with(|| {
        idx.months
            .keys()
            .next_back()
            .copied()
            .unwrap_or_else(|| YearMonth::of_date(rules::today_wib()))
    });
    if l.folder.is_empty() {
        l.folder = default_folder();
    }
    egui::ScrollArea::vertical()
        .id_salt("laporan")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(760.0));
            ui.heading(month.label());
            ui.horizontal(|ui| {
                if ui
                    .add(widgets::big_button(tr!(lang, "laporan.sebelumnya"), narrow))
                    .clicked()
                {
                    l.month = month.prev();
                }
                if ui
                    .add(widgets::big_button(tr!(lang, "laporan.berikutnya"), narrow))
                    .clicked()
                {
                    l.month = month.next();
                }
            });
            let t = idx.months.get(&month).copied().unwrap_or_default();
            let awal = idx.balance_before(month);
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "laporan.bulanan", bulan = month.label()));
                summary(ui, lang, awal, t);
            });
            buku_kas_ui(ui, idx, &mut l.kas, month, lang, narrow, cmds);
            // Quarter.
            let q = month.quarter();
            let first = YearMonth::new(month.year(), u32::from(q - 1) * 3 + 1).ok();
            if let Some(first) = first {
                let mut qt = MonthTotals::default();
                let mut m = first;
                for _ in 0..3 {
                    let x = idx.months.get(&m).copied().unwrap_or_default();
                    qt.masuk += x.masuk;
                    qt.keluar += x.keluar;
                    qt.receipts += x.receipts;
                    qt.disbursements += x.disbursements;
                    match m.next() {
                        Some(n) => m = n,
                        None => break,
                    }
                }
                widgets::card(ui, |ui| {
                    ui.strong(tr!(lang, "laporan.triwulan", q = q, tahun = month.year()));
                    summary(ui, lang, idx.balance_before(first), qt);
                });
            }
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "laporan.grafik"));
                chart(ui, idx, month, narrow);
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "laporan.ekspor"));
                widgets::text_field(ui, &tr!(lang, "laporan.folder"), &mut l.folder, None);
                ui.label(RichText::new(tr!(lang, "laporan.ekspor_catatan")).weak());
                if widgets::primary_button(ui, tr!(lang, "laporan.ekspor_csv"), narrow).clicked()
                    && !l.folder.trim().is_empty()
                {
                    cmds.push(Command::ExportCsv {
                        folder: std::path::PathBuf::from(l.folder.trim()),
                    });
                }
            });
        });
}

fn summary(ui: &mut egui::Ui, lang: Lang, awal: Decimal, t: MonthTotals) {
    let row = |ui: &mut egui::Ui, k: String, v: String, strong: bool| {
        ui.scope(|ui| {
            ui.spacing_mut().interact_size.y = 0.0;
            egui::Sides::new().show(
                ui,
                |ui| ui.label(k),
                |ui| {
                    let v = RichText::new(v);
                    ui.label(if strong { v.strong() } else { v })
                },
            );
        });
    };
    row(
        ui,
        tr!(lang, "laporan.saldo_awal").into_owned(),
        widgets::money(awal),
        false,
    );
    row(
        ui,
        tr!(lang, "laporan.penerimaan", n = t.receipts).into_owned(),
        widgets::money(t.masuk),
        false,
    );
    row(
        ui,
        tr!(lang, "laporan.pengeluaran", n = t.disbursements).into_owned(),
        widgets::money(t.keluar),
        false,
    );
    ui.separator();
    row(
        ui,
        tr!(lang, "laporan.saldo_akhir").into_owned(),
        widgets::money(awal + t.masuk - t.keluar),
        true,
    );
}

/// Bars of the receipts of the 12 months up to `month`.
fn chart(ui: &mut egui::Ui, idx: &Index, month: YearMonth, narrow: bool) {
    let mut months = Vec::with_capacity(12);
    let mut m = month;
    for _ in 0..12 {
        months.push(m);
        match m.prev() {
            Some(p) => m = p,
            None => break,
        }
    }
    months.reverse();
    let values: Vec<f64> = months
        .iter()
        .map(|m| {
            idx.months
                .get(m)
                .map(|t| t.masuk.to_string().parse::<f64>().unwrap_or(0.0))
                .unwrap_or(0.0)
        })
        .collect();
    let max = values.iter().copied().fold(0.0, f64::max).max(1.0);
    let height = if narrow { 140.0 } else { 180.0 };
    let (rect, response) =
        ui.allocate_exact_size(Vec2::new(ui.available_width(), height), Sense::hover());
    let painter = ui.painter_at(rect);
    let n = months.len().max(1) as f32;
    let slot = rect.width() / n;
    let label_h = 18.0;
    let font = egui::FontId::proportional(11.0);
    let text_color = ui.visuals().text_color();
    for (i, (m, v)) in months.iter().zip(&values).enumerate() {
        let x0 = rect.left() + slot * i as f32 + slot * 0.15;
        let x1 = x0 + slot * 0.7;
        let h = ((v / max) as f32) * (rect.height() - label_h - 4.0);
        let bar = egui::Rect::from_min_max(
            egui::pos2(x0, rect.bottom() - label_h - h),
            egui::pos2(x1, rect.bottom() - label_h),
        );
        let color = if *m == month {
            Color32::from_rgb(0x0b, 0x5c, 0x8a)
        } else {
            Color32::from_rgb(0x8a, 0xb6, 0xd6)
        };
        painter.rect_filled(bar, 2.0, color);
        painter.text(
            egui::pos2((x0 + x1) / 2.0, rect.bottom() - label_h / 2.0),
            egui::Align2::CENTER_CENTER,
            rules::month_short(m.month()),
            font.clone(),
            text_color,
        );
    }
    let summary: Vec<String> = months
        .iter()
        .zip(&values)
        .map(|(m, v)| format!("{} {}", m.label(), widgets::money(Decimal::from(*v as i64))))
        .collect();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, summary.join("; ")));
}

/// The buku kas umum of the month (every cash in and out, from the model's `buku_kas`),
/// and the closing of the month at the meeting.
fn buku_kas_ui(
    ui: &mut egui::Ui,
    idx: &Index,
    cache: &mut Option<(YearMonth, u64, rukun_model::KasBook)>,
    month: YearMonth,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let fresh = cache
        .as_ref()
        .is_some_and(|(m, g, _)| *m == month && *g == idx.money_generation);
    if !fresh {
        let Ok(period) = rukun_model::Period::month(month) else {
            return;
        };
        let kas = rukun_model::buku_kas(&idx.money_input(), &period);
        *cache = Some((month, idx.money_generation, kas));
    }
    let Some((_, _, kas)) = cache.as_ref() else {
        return;
    };
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "laporan.buku_kas", bulan = month.label()));
        ui.label(RichText::new(tr!(lang, "laporan.saldo_awal_n", a = kas.opening)).weak());
        for row in &kas.rows {
            let amount = match (row.penerimaan, row.pengeluaran) {
                (Some(a), _) => format!("+{a}"),
                (_, Some(a)) => format!("−{a}"),
                _ => String::new(),
            };
            widgets::text_row(
                ui,
                &format!(
                    "{} · {amount} · {}",
                    rules::format_date_short(row.tanggal),
                    row.saldo
                ),
                &format!("{} · {}", row.bukti, row.uraian),
            );
        }
        ui.label(RichText::new(tr!(lang, "laporan.saldo_akhir_n", a = kas.closing)).strong());
        let closed = idx.money.closings.iter().any(|(_, t)| t.bulan == month);
        if closed {
            ui.label(RichText::new(tr!(lang, "laporan.sudah_ditutup")).strong());
        } else if widgets::primary_button(
            ui,
            tr!(lang, "laporan.tutup_buku", bulan = month.label()),
            narrow,
        )
        .clicked()
        {
            cmds.push(Command::CloseMonth(month));
        }
    });
}
