//! Musyawarah: the meetings, the payouts each approved, and "Bayar sesuai keputusan", which
//! pays a meeting's approved list in one step (each payout its own santunan).

use egui::RichText;
use rukun_model::rules::{self, JenisRapat, Nik};
use rukun_model::{Meeting, Persetujuan};

use super::kas::{KasUi, amount_field, form_card};
use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::widgets;

/// One approved payout being typed.
#[derive(Debug, Clone)]
pub(crate) struct ApprovalRow {
    nik: String,
    jenis: String,
    jumlah: String,
}

impl Default for ApprovalRow {
    fn default() -> Self {
        ApprovalRow {
            nik: String::new(),
            jenis: "sembako".to_string(),
            jumlah: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct MeetingForm {
    judul: String,
    tanggal: String,
    jenis: JenisRapat,
    tempat: String,
    agenda: String,
    keputusan: String,
    rows: Vec<ApprovalRow>,
    tried: bool,
}

impl Default for MeetingForm {
    fn default() -> Self {
        let today = rules::today_wib();
        MeetingForm {
            judul: format!("Musyawarah {}", rules::YearMonth::of_date(today)),
            tanggal: rules::format_date_short(today),
            jenis: JenisRapat::Bulanan,
            tempat: String::new(),
            agenda: String::new(),
            keputusan: String::new(),
            rows: Vec::new(),
            tried: false,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct MusyawarahUi {
    pub(crate) form: Option<MeetingForm>,
}

const JENIS: [&str; 3] = ["sembako", "tunai", "spp"];

pub(crate) fn musyawarah_ui(
    ui: &mut egui::Ui,
    st: &mut KasUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    form_card(
        ui,
        &mut st.musyawarah.form,
        tr!(lang, "kas.musyawarah_baru"),
        MeetingForm::default,
        lang,
        narrow,
        |ui, f| form_ui(ui, f, lang, narrow, cmds),
    );
    ui.add_space(8.0);
    let unpaid = &idx.unpaid;
    for (_, m) in &idx.meetings {
        let approved = idx
            .money
            .approvals
            .iter()
            .filter(|(_, p)| p.keputusan == m.judul)
            .count();
        let open: Vec<&Persetujuan> = unpaid.iter().filter(|p| p.keputusan == m.judul).collect();
        widgets::card(ui, |ui| {
            ui.strong(&m.judul);
            ui.label(
                RichText::new(format!(
                    "{} · {} · {}",
                    widgets::date_short(&m.tanggal),
                    m.jenis.label(),
                    m.tempat
                ))
                .weak(),
            );
            if !m.keputusan.trim().is_empty() && m.keputusan != m.judul {
                ui.label(&m.keputusan);
            }
            if approved > 0 {
                ui.label(tr!(lang, "kas.disetujui", n = approved, belum = open.len()));
            }
            if !open.is_empty()
                && widgets::primary_button(
                    ui,
                    tr!(lang, "kas.bayar_keputusan", n = open.len()),
                    narrow,
                )
                .clicked()
            {
                cmds.push(Command::PayApproved {
                    judul: m.judul.clone(),
                });
            }
        });
    }
}

fn form_ui(
    ui: &mut egui::Ui,
    f: &mut MeetingForm,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    ui.strong(tr!(lang, "kas.musyawarah_baru"));
    widgets::text_field(
        ui,
        &tr!(lang, "kas.judul"),
        &mut f.judul,
        Some("Musyawarah 2025-08"),
    );
    widgets::text_field(
        ui,
        &tr!(lang, "kas.tanggal"),
        &mut f.tanggal,
        Some("17/08/2025"),
    );
    widgets::choice(
        ui,
        "rapat_jenis",
        &tr!(lang, "kas.jenis_rapat"),
        &mut f.jenis,
        JenisRapat::all().map(|k| (k, k.label())),
    );
    widgets::text_field(
        ui,
        &tr!(lang, "kas.tempat"),
        &mut f.tempat,
        Some("Balai RW 08"),
    );
    widgets::text_area(ui, &tr!(lang, "kas.agenda"), &mut f.agenda);
    widgets::text_area(ui, &tr!(lang, "kas.keputusan_rapat"), &mut f.keputusan);
    ui.add_space(4.0);
    ui.strong(tr!(lang, "kas.santunan_disetujui"));
    let mut approvals = Vec::new();
    let mut ok = true;
    let jenis: Vec<(String, String)> = JENIS
        .iter()
        .map(|j| (j.to_string(), j.to_string()))
        .collect();
    let mut remove = None;
    for (i, row) in f.rows.iter_mut().enumerate() {
        ui.push_id(i, |ui| {
            ui.label(RichText::new(tr!(lang, "kas.penerima_ke", n = i + 1)).weak());
            widgets::text_field(ui, &tr!(lang, "kas.nik_penerima"), &mut row.nik, None);
            let nik = Nik::parse(&row.nik);
            if let (Err(e), true) = (&nik, f.tried || !row.nik.trim().is_empty()) {
                widgets::field_error(ui, &crate::errors::nik_error(e, lang));
            }
            widgets::combo(
                ui,
                ("rapat_santunan_jenis", i),
                &tr!(lang, "kas.jenis_santunan"),
                &mut row.jenis,
                &jenis,
            );
            let jumlah = amount_field(ui, &tr!(lang, "kas.jumlah"), &mut row.jumlah, f.tried, lang);
            match (nik, jumlah) {
                (Ok(nik), Some(jumlah)) => approvals.push(Persetujuan {
                    nik_penerima: Some(nik),
                    jenis: row.jenis.clone(),
                    jumlah,
                    ..Default::default()
                }),
                _ => ok = false,
            }
            if ui.small_button(tr!(lang, "kas.hapus_penerima")).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        f.rows.remove(i);
    }
    if ui
        .add(widgets::big_button(
            tr!(lang, "kas.tambah_penerima"),
            narrow,
        ))
        .clicked()
    {
        f.rows.push(ApprovalRow::default());
    }
    ui.add_space(8.0);
    if widgets::primary_button(ui, tr!(lang, "kas.simpan_musyawarah"), narrow).clicked() {
        f.tried = true;
        if ok {
            cmds.push(Command::RecordMeeting {
                meeting: Box::new(Meeting {
                    judul: f.judul.trim().to_string(),
                    tanggal: f.tanggal.clone(),
                    jenis: f.jenis,
                    tempat: f.tempat.trim().to_string(),
                    agenda: f.agenda.trim().to_string(),
                    keputusan: f.keputusan.trim().to_string(),
                    ..Default::default()
                }),
                approvals,
            });
        }
    }
}
