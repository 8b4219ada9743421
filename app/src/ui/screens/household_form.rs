//! The household form: KK, address, the door-to-door survey (docs/domain.md#household-survey),
//! consent (UU PDP; docs/domain.md#consent-for-specific-personal-data), and repeatable
//! members. Messages stand next to their field; NIK disagreements are warnings that never
//! block; saving is one commit.
//!
//! Longer than 500 lines on purpose: it is one form (the Kartu Keluarga, the 13 survey
//! questions, consent and the people), and its parts share the form state and the
//! field-by-field messages; split, each part would need the whole state anyway.

use std::collections::BTreeMap;

use chrono::Datelike;
use egui::RichText;
use rukun_model::rules::{
    self, Agama, Nik, NikWarning, NoKk, Pendidikan, Rupiah, Sex, Shdk, StatusPerkawinan,
    SurveyQuestion,
};
use rukun_model::{Consent, Household, Person};

use crate::Lang;
use crate::command::Command;
use crate::errors::{kk_error, nik_error};
use crate::i18n::tr;
use crate::index::Index;
use crate::widgets;

/// Aid programmes asked about.
const BANTUAN: [&str; 4] = ["PKH", "BPNT", "BLT", "PBI-JKN"];

/// Schooling status options (per member).
const STATUS_SEKOLAH: [&str; 4] = [
    "Belum sekolah",
    "Masih sekolah",
    "Putus sekolah",
    "Tidak sekolah lagi",
];

/// Difficulty (Washington Group style) options; stored as written.
const DISABILITAS: [&str; 7] = [
    "Tidak ada",
    "Sulit melihat",
    "Sulit mendengar",
    "Sulit berjalan/naik tangga",
    "Sulit mengingat/berkonsentrasi",
    "Sulit mengurus diri",
    "Sulit berkomunikasi",
];

/// One member being edited.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemberForm {
    pid: Option<String>,
    original: Option<Person>,
    pub(crate) nama: String,
    pub(crate) nik: String,
    pub(crate) jenis_kelamin: String,
    pub(crate) tempat_lahir: String,
    pub(crate) tanggal_lahir: String,
    pub(crate) hubungan: String,
    pub(crate) status_perkawinan: String,
    pub(crate) pendidikan: String,
    pub(crate) pekerjaan: String,
    pub(crate) agama: String,
    pub(crate) status_sekolah: String,
    pub(crate) disabilitas: String,
    pub(crate) penyakit_kronis: String,
    removed: bool,
}

/// The household form.
#[derive(Debug, Clone, Default)]
pub(crate) struct HouseholdForm {
    pub(crate) id: Option<String>,
    original: Option<Household>,
    no_kk: String,
    alamat: String,
    rt: u16,
    rw: String,
    kepala: String,
    luas: String,
    answers: BTreeMap<&'static str, String>,
    lainnya: BTreeMap<&'static str, String>,
    penghasilan: String,
    aset: String,
    bantuan: [bool; 4],
    consent: bool,
    consent_tanggal: String,
    consent_oleh: String,
    consent_tujuan: String,
    consent_masa: String,
    consent_penanda: String,
    pub(crate) members: Vec<MemberForm>,
    tried: bool,
}

/// What is wrong (errors block saving) and what looks odd (warnings do not).
#[derive(Debug, Default)]
struct Checks {
    errors: BTreeMap<String, String>,
    warnings: BTreeMap<String, String>,
}

fn nik_warning(w: &NikWarning, lang: Lang) -> String {
    match w {
        NikWarning::SexMismatch { from_nik, .. } => {
            tr!(lang, "form.nik_sex", sex = from_nik.label()).into_owned()
        }
        NikWarning::BirthDateMismatch { nik_ddmmyy, .. } => {
            tr!(lang, "form.nik_birth", ddmmyy = nik_ddmmyy).into_owned()
        }
        NikWarning::UnreadableDate => tr!(lang, "form.nik_date").into_owned(),
    }
}

fn question_key(q: SurveyQuestion) -> &'static str {
    q.csv_name()
}

fn answer_of(h: &Household, q: SurveyQuestion) -> &str {
    match q {
        SurveyQuestion::Lantai => &h.lantai,
        SurveyQuestion::Dinding => &h.dinding,
        SurveyQuestion::Atap => &h.atap,
        SurveyQuestion::AirMinum => &h.air_minum,
        SurveyQuestion::Penerangan => &h.penerangan,
        SurveyQuestion::BahanBakar => &h.bahan_bakar,
        SurveyQuestion::FasilitasBab => &h.fasilitas_bab,
    }
}

fn answer_mut(h: &mut Household, q: SurveyQuestion) -> &mut String {
    match q {
        SurveyQuestion::Lantai => &mut h.lantai,
        SurveyQuestion::Dinding => &mut h.dinding,
        SurveyQuestion::Atap => &mut h.atap,
        SurveyQuestion::AirMinum => &mut h.air_minum,
        SurveyQuestion::Penerangan => &mut h.penerangan,
        SurveyQuestion::BahanBakar => &mut h.bahan_bakar,
        SurveyQuestion::FasilitasBab => &mut h.fasilitas_bab,
    }
}

fn date_for_form(stored: &str) -> String {
    widgets::date_short(stored)
}

impl MemberForm {
    fn from_person(pid: &str, p: &Person) -> MemberForm {
        MemberForm {
            pid: Some(pid.to_string()),
            original: Some(p.clone()),
            nama: p.nama.clone(),
            nik: rules::or_blank(&p.nik).to_string(),
            jenis_kelamin: p.jenis_kelamin.clone(),
            tempat_lahir: p.tempat_lahir.clone(),
            tanggal_lahir: date_for_form(&p.tanggal_lahir),
            hubungan: p.hubungan_keluarga.clone(),
            status_perkawinan: p.status_perkawinan.clone(),
            pendidikan: p.pendidikan.clone(),
            pekerjaan: p.pekerjaan.clone(),
            agama: p.agama.clone(),
            status_sekolah: p.status_sekolah.clone(),
            disabilitas: p.disabilitas.clone(),
            penyakit_kronis: p.penyakit_kronis.clone(),
            removed: false,
        }
    }

    fn is_blank(&self) -> bool {
        self.nama.trim().is_empty() && self.nik.trim().is_empty()
    }

    fn needs_consent(&self) -> bool {
        let d = self.disabilitas.trim();
        (!d.is_empty() && d != "Tidak ada") || !self.penyakit_kronis.trim().is_empty()
    }
}

impl HouseholdForm {
    /// A new, empty survey (RT of the group's first RT, RW of the group).
    pub(crate) fn new(idx: &Index) -> HouseholdForm {
        let today = rules::format_date_short(rules::today_wib());
        HouseholdForm {
            rt: idx.group.rts().first().copied().unwrap_or(1),
            rw: idx.group.rw.to_string(),
            consent_tanggal: today,
            consent_oleh: idx
                .me
                .as_ref()
                .map(|m| idx.member_name(m.as_str()))
                .unwrap_or_default(),
            consent_tujuan: "pendataan kesejahteraan sosial".into(),
            consent_masa: "5 tahun".into(),
            members: vec![MemberForm {
                hubungan: Shdk::KepalaKeluarga.as_str().to_string(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    /// The form for a stored household.
    pub(crate) fn from_household(id: &str, h: &Household) -> HouseholdForm {
        let mut answers = BTreeMap::new();
        let mut lainnya = BTreeMap::new();
        for q in SurveyQuestion::all() {
            let a = answer_of(h, q);
            if let Some(rest) = a.strip_prefix("Lainnya:") {
                answers.insert(question_key(q), "Lainnya".to_string());
                lainnya.insert(question_key(q), rest.trim().to_string());
            } else {
                answers.insert(question_key(q), a.to_string());
            }
        }
        let consent = h.persetujuan.clone();
        let bantuan = BANTUAN.map(|b| h.bantuan.split(',').any(|x| x.trim() == b));
        HouseholdForm {
            id: Some(id.to_string()),
            original: Some(h.clone()),
            no_kk: rules::or_blank(&h.no_kk).to_string(),
            alamat: h.alamat.clone(),
            rt: h.rt,
            rw: h.rw.to_string(),
            kepala: h.kepala_keluarga.clone(),
            luas: h.luas_lantai_m2.map(|v| v.to_string()).unwrap_or_default(),
            answers,
            lainnya,
            penghasilan: h
                .penghasilan_bulanan
                .map(|r| r.to_string())
                .unwrap_or_default(),
            aset: h.aset.clone(),
            bantuan,
            consent: consent.is_some(),
            consent_tanggal: consent
                .as_ref()
                .map(|c| date_for_form(&c.tanggal))
                .unwrap_or_default(),
            consent_oleh: consent
                .as_ref()
                .map(|c| c.dijelaskan_oleh.clone())
                .unwrap_or_default(),
            consent_tujuan: consent
                .as_ref()
                .map(|c| c.tujuan.clone())
                .unwrap_or_default(),
            consent_masa: consent
                .as_ref()
                .map(|c| c.masa_simpan.clone())
                .unwrap_or_default(),
            consent_penanda: consent
                .as_ref()
                .map(|c| c.penanda_tangan.clone())
                .unwrap_or_default(),
            members: h
                .live_people()
                .map(|(pid, p)| MemberForm::from_person(pid, p))
                .collect(),
            tried: false,
        }
    }

    fn check(&self, lang: Lang) -> Checks {
        let mut c = Checks::default();
        if let Err(e) = NoKk::parse(&self.no_kk) {
            c.errors.insert("no_kk".into(), kk_error(&e, lang));
        }
        if self.alamat.trim().is_empty() {
            c.errors
                .insert("alamat".into(), tr!(lang, "form.required").into_owned());
        }
        if self.kepala.trim().is_empty() {
            c.errors
                .insert("kepala".into(), tr!(lang, "form.required").into_owned());
        }
        if let Err(e) = rules::parse_rw(&self.rw) {
            c.errors.insert("rw".into(), e.to_string());
        }
        if !self.luas.trim().is_empty() && self.luas.trim().parse::<u32>().is_err() {
            c.errors
                .insert("luas".into(), tr!(lang, "form.whole_number").into_owned());
        }
        if !self.penghasilan.trim().is_empty()
            && let Err(e) = Rupiah::parse(&self.penghasilan)
        {
            c.errors.insert(
                "penghasilan".into(),
                tr!(lang, "form.rupiah", e = e).into_owned(),
            );
        }
        let mut niks: BTreeMap<String, usize> = BTreeMap::new();
        for (i, m) in self.members.iter().enumerate().filter(|(_, m)| !m.removed) {
            if m.is_blank() {
                continue;
            }
            if m.nama.trim().is_empty() {
                c.errors.insert(
                    format!("m{i}.nama"),
                    tr!(lang, "form.required").into_owned(),
                );
            }
            let birth = if m.tanggal_lahir.trim().is_empty() {
                None
            } else {
                match rules::parse_date(&m.tanggal_lahir) {
                    Ok(d) if d > rules::today_wib() => {
                        c.errors
                            .insert(format!("m{i}.lahir"), tr!(lang, "form.future").into_owned());
                        None
                    }
                    Ok(d) => Some(d),
                    Err(_) => {
                        c.errors.insert(
                            format!("m{i}.lahir"),
                            tr!(lang, "form.date_format").into_owned(),
                        );
                        None
                    }
                }
            };
            if !m.nik.trim().is_empty() {
                match Nik::parse(&m.nik) {
                    Ok(nik) => {
                        let sex = Sex::parse(&m.jenis_kelamin).ok();
                        let ws: Vec<String> = nik
                            .check_against(sex, birth)
                            .iter()
                            .map(|w| nik_warning(w, lang))
                            .collect();
                        if !ws.is_empty() {
                            c.warnings.insert(format!("m{i}.nik"), ws.join("; "));
                        }
                        if let Some(j) = niks.insert(nik.as_str().to_string(), i) {
                            c.errors.insert(
                                format!("m{i}.nik"),
                                tr!(lang, "form.nik_twice", n = j + 1).into_owned(),
                            );
                        }
                    }
                    Err(e) => {
                        c.errors.insert(format!("m{i}.nik"), nik_error(&e, lang));
                    }
                }
            }
        }
        let sensitive = !self.penghasilan.trim().is_empty()
            || self.members.iter().any(|m| !m.removed && m.needs_consent());
        if sensitive && !self.consent {
            c.errors.insert(
                "consent".into(),
                tr!(lang, "form.needs_consent").into_owned(),
            );
        }
        if self.consent {
            if self.consent_penanda.trim().is_empty() {
                c.errors.insert(
                    "consent_penanda".into(),
                    tr!(lang, "form.required").into_owned(),
                );
            }
            if rules::parse_date(&self.consent_tanggal).is_err() {
                c.errors.insert(
                    "consent_tanggal".into(),
                    tr!(lang, "form.date_format").into_owned(),
                );
            }
        }
        c
    }

    /// The edited household (the original with the form's values), or `None` when the
    /// form has errors.
    fn to_household(&self) -> Household {
        let mut h = self.original.clone().unwrap_or_default();
        // Saved only when `check` passes, so a number that does not parse is not saved.
        h.no_kk = NoKk::parse(&self.no_kk).ok();
        h.alamat = self.alamat.trim().to_string();
        h.rt = self.rt;
        h.rw = rules::parse_rw(&self.rw).unwrap_or(h.rw);
        h.kepala_keluarga = self.kepala.trim().to_string();
        h.luas_lantai_m2 = self.luas.trim().parse().ok();
        for q in SurveyQuestion::all() {
            let key = question_key(q);
            let a = self.answers.get(key).cloned().unwrap_or_default();
            let value = if a == "Lainnya" {
                let text = self.lainnya.get(key).map(|s| s.trim()).unwrap_or("");
                if text.is_empty() {
                    "Lainnya".to_string()
                } else {
                    format!("Lainnya: {text}")
                }
            } else {
                a
            };
            *answer_mut(&mut h, q) = value;
        }
        h.penghasilan_bulanan = Rupiah::parse(&self.penghasilan).ok();
        h.aset = self.aset.trim().to_string();
        h.bantuan = BANTUAN
            .iter()
            .zip(self.bantuan)
            .filter(|(_, on)| *on)
            .map(|(b, _)| *b)
            .collect::<Vec<_>>()
            .join(",");
        h.persetujuan = if self.consent {
            Some(Consent {
                tanggal: rules::parse_date(&self.consent_tanggal)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                dijelaskan_oleh: self.consent_oleh.trim().to_string(),
                tujuan: self.consent_tujuan.trim().to_string(),
                masa_simpan: self.consent_masa.trim().to_string(),
                penanda_tangan: self.consent_penanda.trim().to_string(),
            })
        } else {
            None
        };
        let mut anggota = BTreeMap::new();
        for m in &self.members {
            if m.is_blank() && m.pid.is_none() {
                continue;
            }
            let pid = m.pid.clone().unwrap_or_else(rukun_model::new_id);
            let mut p = m.original.clone().unwrap_or_default();
            if m.removed {
                if m.pid.is_some() && p.deleted.is_none() {
                    // Who and when are stamped by the model's `save_household`.
                    p.deleted = Some(rukun_model::Tombstone {
                        reason: "dihapus dari formulir".into(),
                        ..Default::default()
                    });
                    anggota.insert(pid, p);
                }
                continue;
            }
            p.nama = m.nama.trim().to_string();
            p.nik = Nik::parse(&m.nik).ok();
            p.jenis_kelamin = m.jenis_kelamin.clone();
            p.tempat_lahir = m.tempat_lahir.trim().to_string();
            p.tanggal_lahir = rules::parse_date(&m.tanggal_lahir)
                .map(|d| d.to_string())
                .unwrap_or_default();
            p.hubungan_keluarga = m.hubungan.clone();
            p.status_perkawinan = m.status_perkawinan.clone();
            p.pendidikan = m.pendidikan.clone();
            p.pekerjaan = m.pekerjaan.trim().to_string();
            p.agama = m.agama.clone();
            if m.pid.is_none() && p.kewarganegaraan.is_empty() {
                // A person added on this form; people already in the book keep what they have.
                p.kewarganegaraan = "WNI".into();
            }
            p.status_sekolah = m.status_sekolah.clone();
            p.disabilitas = m.disabilitas.clone();
            p.penyakit_kronis = m.penyakit_kronis.trim().to_string();
            anggota.insert(pid, p);
        }
        // People of the original that the form no longer lists stay as they were.
        if let Some(orig) = &self.original {
            for (pid, p) in &orig.anggota {
                anggota.entry(pid.clone()).or_insert_with(|| p.clone());
            }
        }
        h.anggota = anggota;
        h
    }
}

fn enum_options<T: Copy>(
    all: impl Iterator<Item = T>,
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "—".to_string())];
    v.extend(all.map(|x| (code(x).to_string(), label(x).to_string())));
    v
}

fn str_options(items: &[&str]) -> Vec<(String, String)> {
    let mut v = vec![(String::new(), "—".to_string())];
    v.extend(items.iter().map(|s| (s.to_string(), s.to_string())));
    v
}

fn show_checks(ui: &mut egui::Ui, c: &Checks, key: &str, show_errors: bool) {
    if let Some(e) = c.errors.get(key)
        && show_errors
    {
        widgets::field_error(ui, e);
    }
    if let Some(w) = c.warnings.get(key) {
        widgets::field_warning(ui, w);
    }
}

/// Draws the form; pushes `SaveHousehold` when saved without errors.
pub(crate) fn household_form_ui(
    ui: &mut egui::Ui,
    f: &mut HouseholdForm,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let checks = f.check(lang);
    // Errors show once a field has text, and all of them after a first try to save.
    let tried = f.tried;
    let shown = |key: &str, filled: bool| tried || filled || key.is_empty();
    ui.horizontal_wrapped(|ui| {
        if narrow
            && ui
                .add(widgets::big_button(tr!(lang, "hh.back"), narrow))
                .clicked()
        {
            cmds.push(Command::CloseHousehold);
        }
        let title = if f.id.is_some() {
            tr!(lang, "hh.edit_title", name = &f.kepala).into_owned()
        } else {
            tr!(lang, "hh.new_title").into_owned()
        };
        ui.heading(title);
    });
    egui::ScrollArea::vertical()
        .id_salt("hh_form")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(640.0));
            // ---- Kartu Keluarga
            ui.strong(tr!(lang, "hh.section_kk"));
            widgets::text_field(
                ui,
                &tr!(lang, "hh.no_kk"),
                &mut f.no_kk,
                Some("3471131804080001"),
            );
            let filled = !f.no_kk.is_empty();
            show_checks(ui, &checks, "no_kk", shown("no_kk", filled));
            widgets::text_field(ui, &tr!(lang, "hh.kepala"), &mut f.kepala, None);
            show_checks(ui, &checks, "kepala", f.tried);
            widgets::text_field(
                ui,
                &tr!(lang, "hh.alamat"),
                &mut f.alamat,
                Some("Gg. Mawar No. 12"),
            );
            show_checks(ui, &checks, "alamat", f.tried);
            let rt_options: Vec<(u16, String)> = idx
                .rts()
                .into_iter()
                .map(|r| (r, rules::format_rt(r)))
                .collect();
            widgets::combo(ui, "hh_rt", &tr!(lang, "hh.rt"), &mut f.rt, &rt_options);
            widgets::text_field(ui, &tr!(lang, "hh.rw"), &mut f.rw, None);
            show_checks(ui, &checks, "rw", true);
            ui.separator();
            // ---- Survey
            ui.strong(tr!(lang, "hh.section_rumah"));
            widgets::text_field(ui, &tr!(lang, "hh.luas"), &mut f.luas, Some("36"));
            show_checks(ui, &checks, "luas", true);
            for q in SurveyQuestion::all() {
                let key = question_key(q);
                let label = survey_label(q, lang);
                let mut value = f.answers.get(key).cloned().unwrap_or_default();
                widgets::combo(
                    ui,
                    ("survey", key),
                    &label,
                    &mut value,
                    &str_options(q.options()),
                );
                if value == "Lainnya" {
                    let text = f.lainnya.entry(key).or_default();
                    widgets::text_field(
                        ui,
                        &tr!(lang, "hh.lainnya_sebutkan", q = &label),
                        text,
                        None,
                    );
                }
                f.answers.insert(key, value);
            }
            ui.separator();
            ui.strong(tr!(lang, "hh.section_ekonomi"));
            widgets::text_field(
                ui,
                &tr!(lang, "hh.penghasilan"),
                &mut f.penghasilan,
                Some("1.500.000"),
            );
            show_checks(ui, &checks, "penghasilan", true);
            if let Ok(r) = Rupiah::parse(&f.penghasilan) {
                ui.label(RichText::new(widgets::rp(r)).weak());
            }
            widgets::text_field(ui, &tr!(lang, "hh.aset"), &mut f.aset, None);
            ui.label(tr!(lang, "hh.bantuan"));
            ui.horizontal_wrapped(|ui| {
                for (i, b) in BANTUAN.iter().enumerate() {
                    ui.checkbox(&mut f.bantuan[i], *b);
                }
            });
            ui.separator();
            // ---- Consent
            ui.strong(tr!(lang, "hh.section_consent"));
            ui.label(RichText::new(tr!(lang, "hh.consent_intro")).weak());
            ui.checkbox(&mut f.consent, tr!(lang, "hh.consent_given"));
            show_checks(ui, &checks, "consent", true);
            if f.consent {
                widgets::text_field(
                    ui,
                    &tr!(lang, "hh.consent_tanggal"),
                    &mut f.consent_tanggal,
                    Some("17/08/2025"),
                );
                show_checks(ui, &checks, "consent_tanggal", true);
                widgets::text_field(ui, &tr!(lang, "hh.consent_oleh"), &mut f.consent_oleh, None);
                widgets::text_field(
                    ui,
                    &tr!(lang, "hh.consent_tujuan"),
                    &mut f.consent_tujuan,
                    None,
                );
                widgets::text_field(ui, &tr!(lang, "hh.consent_masa"), &mut f.consent_masa, None);
                widgets::text_field(
                    ui,
                    &tr!(lang, "hh.consent_penanda"),
                    &mut f.consent_penanda,
                    None,
                );
                show_checks(ui, &checks, "consent_penanda", f.tried);
            }
            ui.separator();
            // ---- Members
            ui.strong(tr!(lang, "hh.section_anggota"));
            let mut remove = None;
            let shown_count = f.members.iter().filter(|m| !m.removed).count();
            let mut number = 0;
            for (i, m) in f.members.iter_mut().enumerate() {
                if m.removed {
                    continue;
                }
                number += 1;
                widgets::card(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.strong(tr!(lang, "hh.anggota_n", n = number));
                        if shown_count > 1
                            && ui
                                .add(widgets::big_button(
                                    tr!(lang, "hh.hapus_anggota", n = number),
                                    narrow,
                                ))
                                .clicked()
                        {
                            remove = Some(i);
                        }
                    });
                    member_ui(ui, m, i, &checks, f.tried, lang);
                    if let (Some(hid), Some(pid)) = (&f.id, &m.pid)
                        && ui
                            .add(widgets::big_button(
                                tr!(lang, "hh.identifikasi_pmks", name = &m.nama),
                                narrow,
                            ))
                            .clicked()
                    {
                        cmds.push(Command::StartPmks {
                            household_id: hid.clone(),
                            person_id: Some(pid.clone()),
                        });
                    }
                });
                ui.add_space(4.0);
            }
            if let Some(i) = remove
                && let Some(m) = f.members.get_mut(i)
            {
                m.removed = true;
            }
            if ui
                .add(widgets::big_button(tr!(lang, "hh.tambah_anggota"), narrow))
                .clicked()
            {
                f.members.push(MemberForm::default());
            }
            ui.add_space(12.0);
            if !checks.errors.is_empty() && f.tried {
                widgets::field_error(ui, &tr!(lang, "form.fix_errors", n = checks.errors.len()));
            }
            if widgets::primary_button(ui, tr!(lang, "hh.simpan"), narrow).clicked() {
                f.tried = true;
                if checks.errors.is_empty() {
                    cmds.push(Command::SaveHousehold {
                        id: f.id.clone(),
                        original: f.original.clone().map(Box::new),
                        edited: Box::new(f.to_household()),
                    });
                }
            }
            if let Some(hid) = &f.id {
                ui.add_space(4.0);
                if ui
                    .add(widgets::big_button(tr!(lang, "hh.identifikasi_rt"), narrow))
                    .clicked()
                {
                    cmds.push(Command::StartPmks {
                        household_id: hid.clone(),
                        person_id: None,
                    });
                }
            }
            ui.add_space(24.0);
        });
}

fn survey_label(q: SurveyQuestion, lang: Lang) -> String {
    match lang {
        Lang::Id => q.label().to_string(),
        Lang::En => match q {
            SurveyQuestion::Lantai => "Main floor material",
            SurveyQuestion::Dinding => "Main wall material",
            SurveyQuestion::Atap => "Main roof material",
            SurveyQuestion::AirMinum => "Main drinking water source",
            SurveyQuestion::Penerangan => "Main lighting source",
            SurveyQuestion::BahanBakar => "Main cooking fuel",
            SurveyQuestion::FasilitasBab => "Toilet facility",
        }
        .to_string(),
    }
}

fn member_ui(ui: &mut egui::Ui, m: &mut MemberForm, i: usize, c: &Checks, tried: bool, lang: Lang) {
    let salt = |f: &str| ("member", i, f.to_string());
    widgets::text_field(ui, &tr!(lang, "hh.nama"), &mut m.nama, None);
    show_checks(ui, c, &format!("m{i}.nama"), tried);
    widgets::text_field(
        ui,
        &tr!(lang, "hh.nik"),
        &mut m.nik,
        Some("3471131206610001"),
    );
    let filled = !m.nik.is_empty();
    show_checks(ui, c, &format!("m{i}.nik"), filled || tried);
    let sex = enum_options(Sex::all(), Sex::as_str, Sex::label);
    widgets::combo(
        ui,
        salt("jk"),
        &tr!(lang, "hh.jenis_kelamin"),
        &mut m.jenis_kelamin,
        &sex,
    );
    widgets::text_field(ui, &tr!(lang, "hh.tempat_lahir"), &mut m.tempat_lahir, None);
    widgets::text_field(
        ui,
        &tr!(lang, "hh.tanggal_lahir"),
        &mut m.tanggal_lahir,
        Some("12/06/1961"),
    );
    show_checks(
        ui,
        c,
        &format!("m{i}.lahir"),
        !m.tanggal_lahir.is_empty() || tried,
    );
    if let Ok(d) = rules::parse_date(&m.tanggal_lahir) {
        let today = rules::today_wib();
        let age = today.year()
            - d.year()
            - i32::from((today.month(), today.day()) < (d.month(), d.day()));
        ui.label(RichText::new(tr!(lang, "hh.umur", n = age.max(0))).weak());
    }
    let shdk = enum_options(Shdk::all(), Shdk::as_str, Shdk::label);
    widgets::combo(
        ui,
        salt("shdk"),
        &tr!(lang, "hh.hubungan"),
        &mut m.hubungan,
        &shdk,
    );
    let kawin = enum_options(
        StatusPerkawinan::all(),
        StatusPerkawinan::as_str,
        StatusPerkawinan::label,
    );
    widgets::combo(
        ui,
        salt("kawin"),
        &tr!(lang, "hh.status_perkawinan"),
        &mut m.status_perkawinan,
        &kawin,
    );
    let pend = enum_options(Pendidikan::all(), Pendidikan::as_str, Pendidikan::label);
    widgets::combo(
        ui,
        salt("pend"),
        &tr!(lang, "hh.pendidikan"),
        &mut m.pendidikan,
        &pend,
    );
    widgets::text_field(ui, &tr!(lang, "hh.pekerjaan"), &mut m.pekerjaan, None);
    let agama = enum_options(Agama::all(), Agama::as_str, Agama::label);
    widgets::combo(
        ui,
        salt("agama"),
        &tr!(lang, "hh.agama"),
        &mut m.agama,
        &agama,
    );
    widgets::combo(
        ui,
        salt("sekolah"),
        &tr!(lang, "hh.status_sekolah"),
        &mut m.status_sekolah,
        &str_options(&STATUS_SEKOLAH),
    );
    widgets::combo(
        ui,
        salt("dis"),
        &tr!(lang, "hh.disabilitas"),
        &mut m.disabilitas,
        &str_options(&DISABILITAS),
    );
    widgets::text_field(
        ui,
        &tr!(lang, "hh.penyakit_kronis"),
        &mut m.penyakit_kronis,
        None,
    );
}
