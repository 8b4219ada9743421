//! Santunan: aid paid by a meeting's decision (musyawarah), to a person found through the
//! PMKS list or a household search.

use egui::RichText;
use rukun_model::rules::{self, PmksStatus, Rupiah};
use rukun_model::{Keputusan, Meeting, Penerima, SantunanDraft};

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::state::Session;
use crate::widgets;

const JENIS: [&str; 3] = ["sembako", "tunai", "spp"];

#[derive(Debug, Clone, Default)]
pub(crate) struct SantunanForm {
    search: String,
    household_id: String,
    person_id: Option<String>,
    pmks_id: Option<String>,
    jenis: String,
    jumlah: String,
    tanggal: String,
    meeting_id: Option<String>,
    dibayar_oleh: String,
    tried: bool,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MeetingForm {
    judul: String,
    tanggal: String,
    keputusan: String,
}

#[derive(Debug, Default)]
pub(crate) struct SantunanUi {
    form: Option<SantunanForm>,
    meeting: Option<MeetingForm>,
}

impl SantunanUi {
    pub(crate) fn meeting_added(&mut self, id: String) {
        self.meeting = None;
        if let Some(f) = &mut self.form {
            f.meeting_id = Some(id);
        }
    }

    pub(crate) fn form_saved(&mut self) {
        self.form = None;
    }
}

fn jenis_name(j: &str, lang: Lang) -> String {
    match j {
        "sembako" => tr!(lang, "santunan.sembako").into_owned(),
        "tunai" => tr!(lang, "santunan.tunai").into_owned(),
        "spp" => tr!(lang, "santunan.spp").into_owned(),
        other => other.to_string(),
    }
}

pub(crate) fn santunan_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let idx = &s.idx;
    let st = &mut s.santunan;
    egui::ScrollArea::vertical()
        .id_salt("santunan")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(720.0));
            if let Some(m) = &mut st.meeting {
                let mut cancel = false;
                widgets::card(ui, |ui| {
                    ui.strong(tr!(lang, "santunan.musyawarah_baru"));
                    widgets::text_field(
                        ui,
                        &tr!(lang, "santunan.judul"),
                        &mut m.judul,
                        Some("Musyawarah Q3/2025"),
                    );
                    widgets::text_field(
                        ui,
                        &tr!(lang, "santunan.tanggal"),
                        &mut m.tanggal,
                        Some("28/09/2025"),
                    );
                    widgets::text_area(ui, &tr!(lang, "santunan.keputusan"), &mut m.keputusan);
                    let ok = !m.judul.trim().is_empty();
                    if widgets::primary_button(ui, tr!(lang, "santunan.simpan_musyawarah"), narrow)
                        .clicked()
                        && ok
                    {
                        cmds.push(Command::AddMeeting(Box::new(Meeting {
                            judul: m.judul.trim().to_string(),
                            tanggal: rules::parse_date(&m.tanggal)
                                .map(|d| d.to_string())
                                .unwrap_or_default(),
                            keputusan: m.keputusan.trim().to_string(),
                            ..Default::default()
                        })));
                    }
                    cancel = ui
                        .add(widgets::big_button(tr!(lang, "app.batal"), narrow))
                        .clicked();
                });
                if cancel {
                    st.meeting = None;
                }
            }
            unpaid_ui(ui, idx, lang);
            match &mut st.form {
                None => {
                    if widgets::primary_button(ui, tr!(lang, "santunan.baru"), narrow).clicked() {
                        st.form = Some(SantunanForm {
                            jenis: "sembako".into(),
                            tanggal: rules::format_date_short(rules::today_wib()),
                            meeting_id: idx.meetings.first().map(|(id, _)| id.clone()),
                            dibayar_oleh: idx
                                .me
                                .as_ref()
                                .map(|m| idx.member_name(m.as_str()))
                                .unwrap_or_default(),
                            ..Default::default()
                        });
                    }
                }
                Some(f) => {
                    let mut cancel = false;
                    let mut new_meeting = false;
                    widgets::card(ui, |ui| {
                        (cancel, new_meeting) = form_ui(ui, f, idx, lang, narrow, cmds);
                    });
                    if cancel {
                        st.form = None;
                    }
                    if new_meeting {
                        st.meeting = Some(MeetingForm {
                            tanggal: rules::format_date_short(rules::today_wib()),
                            ..Default::default()
                        });
                    }
                }
            }
            ui.add_space(8.0);
            ui.strong(tr!(lang, "santunan.daftar"));
            if idx.disbursements.is_empty() {
                ui.label(RichText::new(tr!(lang, "santunan.kosong")).weak());
            }
            for d in idx.disbursements.iter().take(100) {
                let text = format!(
                    "{} · {} · {} · {}",
                    d.date.map(rules::format_date_short).unwrap_or_default(),
                    d.nama,
                    jenis_name(&d.record.jenis, lang),
                    widgets::rp(d.record.jumlah)
                );
                ui.add(egui::Label::new(text).wrap());
            }
        });
}

/// Returns (cancelled, wants a new meeting).
fn form_ui(
    ui: &mut egui::Ui,
    f: &mut SantunanForm,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) -> (bool, bool) {
    ui.heading(tr!(lang, "santunan.baru"));
    // Recipient: priorities first (PMKS marked prioritas or dilayani).
    let chosen = f.person_id.as_ref().and_then(|p| idx.people.get(p));
    match chosen {
        Some(p) => {
            ui.horizontal_wrapped(|ui| {
                widgets::kv(
                    ui,
                    &tr!(lang, "santunan.penerima"),
                    format!("{} · {}", p.nama, rules::format_rt(p.rt)),
                );
                if ui.small_button(tr!(lang, "donatur.ganti")).clicked() {
                    f.person_id = None;
                    f.pmks_id = None;
                }
            });
        }
        None => {
            ui.label(tr!(lang, "santunan.pilih_penerima"));
            let prios: Vec<_> = idx
                .pmks
                .iter()
                .filter(|r| r.record.person_id.is_some())
                .filter(|r| {
                    matches!(
                        r.record.status,
                        PmksStatus::Prioritas | PmksStatus::Dilayani
                    )
                })
                .take(12)
                .collect();
            for r in prios {
                let text = format!(
                    "{} · {} · {}",
                    r.nama,
                    r.record.kode.name(),
                    rules::format_rt(r.rt)
                );
                if ui.add(widgets::big_button(text, narrow)).clicked() {
                    f.person_id = r.record.person_id.clone();
                    f.household_id = r.record.household_id.clone();
                    f.pmks_id = Some(r.id.clone());
                }
            }
            widgets::text_field(ui, &tr!(lang, "santunan.cari"), &mut f.search, None);
            let needle = f.search.trim().to_lowercase();
            if needle.len() >= 2 {
                let mut hits: Vec<(&String, &crate::index::PersonRef)> = idx
                    .people
                    .iter()
                    .filter(|(_, p)| {
                        p.nama.to_lowercase().contains(&needle)
                            || (needle.len() >= 4 && p.nik.contains(&needle))
                    })
                    .take(8)
                    .collect();
                hits.sort_by(|a, b| a.1.nama.cmp(&b.1.nama));
                for (pid, p) in hits {
                    if ui
                        .add(widgets::big_button(
                            format!("{} · {}", p.nama, rules::format_rt(p.rt)),
                            narrow,
                        ))
                        .clicked()
                    {
                        f.person_id = Some(pid.clone());
                        f.household_id = p.household_id.clone();
                        f.pmks_id = idx
                            .pmks
                            .iter()
                            .find(|r| r.record.person_id.as_deref() == Some(pid.as_str()))
                            .map(|r| r.id.clone());
                    }
                }
            }
            if f.tried {
                widgets::field_error(ui, &tr!(lang, "form.required"));
            }
        }
    }
    let jenis: Vec<(String, String)> = JENIS
        .iter()
        .map(|j| (j.to_string(), jenis_name(j, lang)))
        .collect();
    widgets::combo(
        ui,
        "santunan_jenis",
        &tr!(lang, "santunan.jenis"),
        &mut f.jenis,
        &jenis,
    );
    widgets::text_field(
        ui,
        &tr!(lang, "santunan.jumlah"),
        &mut f.jumlah,
        Some("40.000"),
    );
    let jumlah = Rupiah::parse(&f.jumlah).ok().filter(|r| !r.is_zero());
    match jumlah {
        Some(r) => {
            ui.label(RichText::new(rules::terbilang(&r)).weak());
        }
        None if f.tried || !f.jumlah.is_empty() => {
            widgets::field_error(ui, &tr!(lang, "donatur.jumlah_salah"))
        }
        None => {}
    }
    widgets::text_field(
        ui,
        &tr!(lang, "santunan.tanggal"),
        &mut f.tanggal,
        Some("28/09/2025"),
    );
    let tanggal = rules::parse_date(&f.tanggal);
    if tanggal.is_err() {
        widgets::field_error(ui, &tr!(lang, "form.date_format"));
    }
    let mut meetings: Vec<(Option<String>, String)> = vec![(None, "—".into())];
    meetings.extend(idx.meetings.iter().map(|(id, m)| {
        (
            Some(id.clone()),
            format!("{} {}", m.judul, widgets::date_short(&m.tanggal)),
        )
    }));
    widgets::combo(
        ui,
        "santunan_meeting",
        &tr!(lang, "santunan.keputusan_rapat"),
        &mut f.meeting_id,
        &meetings,
    );
    let new_meeting = ui
        .small_button(tr!(lang, "santunan.musyawarah_baru"))
        .clicked();
    if f.meeting_id.is_none() {
        widgets::field_warning(ui, &tr!(lang, "santunan.tanpa_musyawarah"));
    }
    widgets::text_field(
        ui,
        &tr!(lang, "santunan.dibayar_oleh"),
        &mut f.dibayar_oleh,
        None,
    );
    ui.add_space(8.0);
    if widgets::primary_button(ui, tr!(lang, "santunan.simpan"), narrow).clicked() {
        f.tried = true;
        if let (Some(jumlah), Ok(tanggal), Some(pid)) = (jumlah, tanggal, &f.person_id) {
            cmds.push(Command::AddSantunan(Box::new(SantunanDraft {
                penerima: Penerima::Orang {
                    household_id: f.household_id.clone(),
                    person_id: pid.clone(),
                },
                jenis: f.jenis.clone(),
                jumlah,
                tanggal: tanggal.to_string(),
                keputusan: f
                    .meeting_id
                    .clone()
                    .map_or(Keputusan::Tidak, Keputusan::Rapat),
                pmks_id: f.pmks_id.clone(),
                dibayar_oleh: f.dibayar_oleh.clone(),
            })));
        }
    }
    let cancel = ui
        .add(widgets::big_button(tr!(lang, "app.batal"), narrow))
        .clicked();
    (cancel, new_meeting)
}

/// Aid approved at a meeting and not paid yet (paid on Kas → Musyawarah with "Bayar sesuai
/// keputusan", or one by one here).
fn unpaid_ui(ui: &mut egui::Ui, idx: &Index, lang: Lang) {
    let unpaid = &idx.unpaid;
    if unpaid.is_empty() {
        return;
    }
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "santunan.belum_dibayar", n = unpaid.len()));
        for p in unpaid.iter().take(30) {
            let nik = rules::or_blank(&p.nik_penerima);
            let nama = idx
                .people
                .values()
                .find(|x| x.nik == nik)
                .map_or(nik, |x| x.nama.as_str());
            ui.label(format!(
                "{} · {nama} · {} · {}",
                p.keputusan,
                jenis_name(&p.jenis, lang),
                widgets::rp(p.jumlah)
            ));
        }
    });
}
