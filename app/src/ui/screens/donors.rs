//! Donatur & Kuitansi: the donor list, a receipt in three taps (donor, amount, confirm)
//! that shows its number and the amount in words, voiding with a reason, the donor card.

use egui::{RichText, Vec2};
use rukun_model::rules::{self, Rupiah};
use rukun_model::{Donor, Receipt};

use crate::Lang;
use crate::command::{Command, default_purpose};
use crate::i18n::tr;
use crate::index::Index;
use crate::state::Session;
use crate::widgets;

/// Amounts offered as one tap (whole rupiah).
const QUICK: [i64; 4] = [5_000, 10_000, 20_000, 50_000];

/// Kinds of donor (docs/domain.md#where-the-money-comes-from).
const JENIS: [&str; 6] = ["tetap", "insidental", "kps", "usaha", "pengurus", "hibah"];

#[derive(Debug, Clone, Default)]
pub(crate) struct DonorForm {
    nama: String,
    rt: u16,
    jenis: String,
    iuran: String,
    no_kk: String,
    tried: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct VoidForm {
    pub(crate) nomor: String,
    alasan: String,
}

/// The state of the screen.
#[derive(Debug, Default)]
pub(crate) struct DonorsUi {
    search: String,
    donor: Option<String>,
    amount: Option<Rupiah>,
    custom: String,
    untuk: String,
    last: Option<Receipt>,
    add: Option<DonorForm>,
    pub(crate) void: Option<VoidForm>,
    card: Option<String>,
}

impl DonorsUi {
    pub(crate) fn after_add_donor(&mut self, id: String) {
        self.add = None;
        self.donor = Some(id);
        self.amount = None;
    }

    pub(crate) fn after_issue(&mut self, r: Receipt) {
        self.last = Some(r);
        self.donor = None;
        self.amount = None;
        self.custom.clear();
    }
}

fn jenis_name(j: &str, lang: Lang) -> String {
    match j {
        "tetap" => tr!(lang, "donatur.jenis_tetap"),
        "insidental" => tr!(lang, "donatur.jenis_insidental"),
        "kps" => tr!(lang, "donatur.jenis_kps"),
        "usaha" => tr!(lang, "donatur.jenis_usaha"),
        "pengurus" => tr!(lang, "donatur.jenis_pengurus"),
        "hibah" => tr!(lang, "donatur.jenis_hibah"),
        other => return other.to_string(),
    }
    .into_owned()
}

pub(crate) fn donors_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let d = &mut s.donors;
    if d.untuk.is_empty() {
        d.untuk = default_purpose(lang);
    }
    if let Some(form) = &mut d.add {
        let mut cancel = false;
        egui::ScrollArea::vertical()
            .id_salt("donor_form")
            .show(ui, |ui| {
                cancel = donor_form_ui(ui, form, &s.idx, lang, narrow, cmds);
            });
        if cancel {
            d.add = None;
        }
        return;
    }
    if let Some(id) = d.card.clone() {
        egui::ScrollArea::vertical()
            .id_salt("donor_card")
            .show(ui, |ui| {
                if ui
                    .add(widgets::big_button(tr!(lang, "app.back"), narrow))
                    .clicked()
                {
                    d.card = None;
                }
                donor_card_ui(ui, &s.idx, &id, lang);
            });
        return;
    }
    if narrow {
        egui::ScrollArea::vertical()
            .id_salt("donors_narrow")
            .show(ui, |ui| {
                issue_ui(ui, d, &s.idx, lang, narrow, cmds);
                ui.separator();
                recent_ui(ui, d, &s.idx, lang, narrow, cmds);
            });
    } else {
        egui::Panel::right("receipts_recent")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("recent")
                    .show(ui, |ui| {
                        recent_ui(ui, d, &s.idx, lang, narrow, cmds);
                    });
            });
        egui::CentralPanel::default_margins().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("issue")
                .show(ui, |ui| {
                    issue_ui(ui, d, &s.idx, lang, narrow, cmds);
                });
        });
    }
}

fn issue_ui(
    ui: &mut egui::Ui,
    d: &mut DonorsUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    if let Some(r) = &d.last {
        receipt_card(ui, r, lang);
        if widgets::primary_button(ui, tr!(lang, "donatur.kuitansi_lagi"), narrow).clicked() {
            d.last = None;
        }
        ui.add_space(8.0);
        return;
    }
    // Step 1: the donor.
    let donor = d
        .donor
        .as_ref()
        .and_then(|id| idx.donors.iter().find(|(x, _)| x == id));
    match donor {
        None => {
            ui.strong(tr!(lang, "donatur.langkah1"));
            widgets::text_field(ui, &tr!(lang, "donatur.cari"), &mut d.search, None);
            let needle = d.search.trim().to_lowercase();
            let hits: Vec<&(String, Donor)> = idx
                .donors
                .iter()
                .filter(|(_, x)| {
                    needle.is_empty()
                        || x.nama.to_lowercase().contains(&needle)
                        || x.kode.to_lowercase().contains(&needle)
                })
                .collect();
            if idx.donors.is_empty() {
                ui.label(RichText::new(tr!(lang, "donatur.kosong")).weak());
            }
            let row_h = if narrow { 60.0 } else { 44.0 };
            egui::ScrollArea::vertical()
                .id_salt("donor_rows")
                .max_height(if narrow { 320.0 } else { 400.0 })
                .show_rows(ui, row_h, hits.len(), |ui, range| {
                    ui.set_max_width(ui.available_width().min(560.0));
                    for (id, x) in hits[range].iter() {
                        let title = x.nama.clone();
                        let pledge = x
                            .iuran_bulanan
                            .map(|p| format!(" · {}", widgets::rp(p)))
                            .unwrap_or_default();
                        let sub = format!("{} · {}{pledge}", x.kode, rules::format_rt(x.rt));
                        if widgets::list_row(ui, row_h, &title, &sub, false).clicked() {
                            d.donor = Some(id.clone());
                            d.amount = None;
                        }
                    }
                });
            if ui
                .add(widgets::big_button(tr!(lang, "donatur.tambah"), narrow))
                .clicked()
            {
                d.add = Some(DonorForm {
                    rt: idx.group.rts().first().copied().unwrap_or(1),
                    jenis: "tetap".into(),
                    ..Default::default()
                });
            }
        }
        Some((id, donor)) => {
            ui.horizontal_wrapped(|ui| {
                ui.strong(tr!(lang, "donatur.dari", name = &donor.nama));
                if ui
                    .add(widgets::big_button(tr!(lang, "donatur.ganti"), narrow))
                    .clicked()
                {
                    d.donor = None;
                    d.amount = None;
                }
                if ui
                    .add(widgets::big_button(tr!(lang, "donatur.kartu"), narrow))
                    .clicked()
                {
                    d.card = Some(id.clone());
                }
            });
            // Step 2: the amount.
            ui.strong(tr!(lang, "donatur.langkah2"));
            ui.horizontal_wrapped(|ui| {
                let mut amounts: Vec<Rupiah> = Vec::new();
                if let Some(p) = donor.iuran_bulanan {
                    amounts.push(p);
                }
                for q in QUICK {
                    if let Ok(r) = Rupiah::from_whole(q)
                        && !amounts.contains(&r)
                    {
                        amounts.push(r);
                    }
                }
                for a in amounts {
                    let selected = d.amount == Some(a);
                    let b = egui::Button::selectable(selected, widgets::rp(a)).min_size(Vec2::new(
                        if narrow { 96.0 } else { 80.0 },
                        if narrow { 48.0 } else { 32.0 },
                    ));
                    if ui.add(b).clicked() {
                        d.amount = Some(a);
                        d.custom.clear();
                    }
                }
            });
            let r = widgets::text_field(
                ui,
                &tr!(lang, "donatur.jumlah_lain"),
                &mut d.custom,
                Some("15.000"),
            );
            if r.changed() {
                d.amount = Rupiah::parse(&d.custom).ok().filter(|a| !a.is_zero());
            }
            if !d.custom.is_empty() && d.amount.is_none() {
                widgets::field_error(ui, &tr!(lang, "donatur.jumlah_salah"));
            }
            widgets::text_field(ui, &tr!(lang, "donatur.untuk"), &mut d.untuk, None);
            // Step 3: confirm.
            if let Some(a) = d.amount {
                ui.add_space(8.0);
                ui.label(RichText::new(rules::terbilang(&a)).italics());
                let label = tr!(lang, "donatur.terbitkan", jumlah = widgets::rp(a));
                if widgets::primary_button(ui, label, narrow).clicked() {
                    cmds.push(Command::IssueReceipt {
                        donor_id: id.clone(),
                        jumlah: a,
                        untuk: d.untuk.trim().to_string(),
                    });
                }
                if a.needs_meterai() {
                    widgets::field_warning(ui, &tr!(lang, "donatur.meterai"));
                }
            }
        }
    }
}

/// The receipt as handed to the donor.
fn receipt_card(ui: &mut egui::Ui, r: &Receipt, lang: Lang) {
    widgets::card(ui, |ui| {
        ui.heading(tr!(lang, "donatur.kuitansi"));
        ui.label(
            RichText::new(tr!(lang, "donatur.nomor", nomor = &r.nomor))
                .size(22.0)
                .strong(),
        );
        widgets::kv(ui, &tr!(lang, "donatur.telah_terima"), r.dari.clone());
        widgets::kv(ui, &tr!(lang, "donatur.uang_sejumlah"), r.terbilang.clone());
        widgets::kv(ui, &tr!(lang, "donatur.untuk"), r.untuk.clone());
        ui.label(RichText::new(widgets::rp(r.jumlah)).size(26.0).strong());
        ui.label(rules::format_date_time_wib(r.diterima_pada));
        widgets::kv(ui, &tr!(lang, "donatur.penerima"), r.penerima.clone());
    });
}

fn recent_ui(
    ui: &mut egui::Ui,
    d: &mut DonorsUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    ui.strong(tr!(lang, "donatur.terakhir"));
    let mut cancel_void = false;
    if let Some(v) = &mut d.void {
        widgets::card(ui, |ui| {
            ui.strong(tr!(lang, "donatur.batalkan_judul", nomor = &v.nomor));
            widgets::text_field(ui, &tr!(lang, "donatur.alasan"), &mut v.alasan, None);
            let ok = !v.alasan.trim().is_empty();
            if !ok {
                widgets::field_warning(ui, &tr!(lang, "donatur.alasan_wajib"));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        ok,
                        widgets::big_button(tr!(lang, "donatur.batalkan_ya"), narrow),
                    )
                    .clicked()
                {
                    cmds.push(Command::VoidReceipt {
                        nomor: v.nomor.clone(),
                        alasan: v.alasan.trim().to_string(),
                    });
                }
                if ui
                    .add(widgets::big_button(tr!(lang, "app.batal"), narrow))
                    .clicked()
                {
                    cancel_void = true;
                }
            });
        });
    }
    if cancel_void {
        d.void = None;
    }
    for r in idx.receipts.iter().take(30) {
        let text = format!("{} · {} · {}", r.nomor, r.dari, widgets::rp(r.jumlah));
        if r.voided {
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{text} {}", tr!(lang, "donatur.batal")))
                        .strikethrough()
                        .weak(),
                )
                .wrap(),
            );
        } else {
            ui.add(egui::Label::new(text).wrap());
            if d.void.is_none()
                && ui
                    .small_button(tr!(lang, "donatur.batalkan", nomor = &r.nomor))
                    .clicked()
            {
                d.void = Some(VoidForm {
                    nomor: r.nomor.clone(),
                    alasan: String::new(),
                });
            }
        }
        ui.separator();
    }
}

fn donor_card_ui(ui: &mut egui::Ui, idx: &Index, id: &str, lang: Lang) {
    let Some((_, donor)) = idx.donors.iter().find(|(x, _)| x == id) else {
        return;
    };
    widgets::card(ui, |ui| {
        ui.heading(tr!(lang, "donatur.kartu_judul"));
        ui.label(RichText::new(&idx.group.name).strong());
        ui.label(format!(
            "{} · {}",
            idx.group.kelurahan,
            rules::format_rw(idx.group.rw)
        ));
        ui.separator();
        widgets::kv(ui, &tr!(lang, "donatur.nama"), donor.nama.clone());
        widgets::kv(ui, &tr!(lang, "donatur.kode"), donor.kode.clone());
        widgets::kv(ui, "RT", rules::format_rt(donor.rt));
        widgets::kv(
            ui,
            &tr!(lang, "donatur.jenis"),
            jenis_name(&donor.jenis, lang),
        );
        if let Some(p) = donor.iuran_bulanan {
            widgets::kv(ui, &tr!(lang, "donatur.iuran"), widgets::rp(p));
        }
        ui.separator();
        // The card of the year of the donor's latest receipt (this year when none), from the
        // model's money rules, as `rukun donor-card` prints it.
        let year = idx
            .receipts
            .iter()
            .filter(|r| r.donor_id == id)
            .filter_map(|r| r.month)
            .max()
            .map(|m| m.year())
            .unwrap_or_else(|| chrono::Datelike::year(&rules::today_wib()));
        ui.label(RichText::new(format!("{} {year}", tr!(lang, "donatur.tahun"))).strong());
        let card = rukun_model::donor_card(&idx.money_input(), id, year).ok();
        let paid: Vec<_> = card
            .iter()
            .flat_map(|c| c.months.iter())
            .flat_map(|m| m.receipts.iter().map(move |r| (m, r)))
            .filter(|(_, r)| r.dibatalkan.is_none())
            .collect();
        if paid.is_empty() {
            ui.label(RichText::new(tr!(lang, "donatur.belum_ada")).weak());
        }
        egui::Grid::new("card_grid").striped(true).show(ui, |ui| {
            for (m, r) in paid.iter().rev() {
                ui.label(format!("{} {year}", m.label));
                ui.label(&r.nomor);
                ui.label(widgets::money(r.jumlah.0));
                ui.end_row();
            }
        });
    });
}

/// The add-donor form; returns true when cancelled.
fn donor_form_ui(
    ui: &mut egui::Ui,
    f: &mut DonorForm,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) -> bool {
    ui.set_max_width(ui.available_width().min(560.0));
    ui.heading(tr!(lang, "donatur.tambah"));
    widgets::text_field(ui, &tr!(lang, "donatur.nama"), &mut f.nama, None);
    let nama_ok = !f.nama.trim().is_empty();
    if f.tried && !nama_ok {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    let rts: Vec<(u16, String)> = idx
        .rts()
        .into_iter()
        .map(|r| (r, rules::format_rt(r)))
        .collect();
    widgets::combo(ui, "donor_rt", "RT", &mut f.rt, &rts);
    let jenis: Vec<(String, String)> = JENIS
        .iter()
        .map(|j| (j.to_string(), jenis_name(j, lang)))
        .collect();
    widgets::combo(
        ui,
        "donor_jenis",
        &tr!(lang, "donatur.jenis"),
        &mut f.jenis,
        &jenis,
    );
    widgets::text_field(
        ui,
        &tr!(lang, "donatur.iuran"),
        &mut f.iuran,
        Some("10.000"),
    );
    let iuran = if f.iuran.trim().is_empty() {
        Ok(None)
    } else {
        Rupiah::parse(&f.iuran).map(Some)
    };
    if let Err(e) = &iuran {
        widgets::field_error(ui, &tr!(lang, "form.rupiah", e = e));
    }
    widgets::text_field(ui, &tr!(lang, "hh.no_kk"), &mut f.no_kk, None);
    let kk = if f.no_kk.trim().is_empty() {
        Ok(None)
    } else {
        rules::NoKk::parse(&f.no_kk).map(Some)
    };
    if kk.is_err() {
        widgets::field_error(ui, &tr!(lang, "form.len16", n = f.no_kk.trim().len()));
    }
    ui.add_space(8.0);
    if widgets::primary_button(ui, tr!(lang, "donatur.simpan"), narrow).clicked() {
        f.tried = true;
        if let (true, Ok(iuran), Ok(no_kk)) = (nama_ok, &iuran, kk) {
            cmds.push(Command::AddDonor(Box::new(Donor {
                nama: f.nama.trim().to_string(),
                rt: f.rt,
                jenis: f.jenis.clone(),
                iuran_bulanan: *iuran,
                no_kk,
                ..Default::default()
            })));
        }
    }
    ui.add(widgets::big_button(tr!(lang, "app.batal"), narrow))
        .clicked()
}
