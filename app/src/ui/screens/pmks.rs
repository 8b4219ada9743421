//! PMKS: identify a person or a household with one of the 26 codes of Permensos 08/2012
//! (the name shown, the code stored), evidence, status steps and priority tags; the list
//! filtered by code, status and RT.

use chrono::Datelike;
use egui::{RichText, Vec2};
use rukun_model::Pmks;
use rukun_model::rules::{self, PmksCode, PmksStatus};

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::state::Session;
use crate::widgets;

/// Tags the founding study used as local priorities.
const TAGS: [&str; 3] = ["lansia miskin", "rawan putus sekolah", "anak terlantar"];

/// A new identification being entered.
#[derive(Debug, Clone, Default)]
pub(crate) struct PmksForm {
    household_id: String,
    household_search: String,
    person_id: Option<String>,
    kode: u8,
    status: String,
    tag: String,
    bukti: String,
    tanggal: String,
    tried: bool,
}

/// The list's filters, the visible rows, and the form.
#[derive(Debug, Default)]
pub(crate) struct PmksUi {
    code: Option<u8>,
    status: Option<PmksStatus>,
    rt: Option<u16>,
    visible: Vec<usize>,
    pub(crate) form: Option<PmksForm>,
}

pub(crate) fn status_name(s: PmksStatus, lang: Lang) -> String {
    match lang {
        Lang::Id => s.label().to_string(),
        Lang::En => match s {
            PmksStatus::Teridentifikasi => "Identified",
            PmksStatus::Terverifikasi => "Verified",
            PmksStatus::Prioritas => "Priority",
            PmksStatus::Dilayani => "Being served",
            PmksStatus::Selesai => "Done",
        }
        .to_string(),
    }
}

fn next_status(s: PmksStatus) -> Option<PmksStatus> {
    let all: Vec<PmksStatus> = PmksStatus::all().collect();
    let i = all.iter().position(|x| *x == s)?;
    all.get(i + 1).copied()
}

impl PmksUi {
    pub(crate) fn refilter(&mut self, idx: &Index) {
        self.visible = idx
            .pmks
            .iter()
            .enumerate()
            .filter(|(_, r)| self.code.is_none_or(|c| r.record.kode.code() == c))
            .filter(|(_, r)| self.status.is_none_or(|s| r.record.status == s))
            .filter(|(_, r)| self.rt.is_none_or(|rt| r.rt == rt))
            .map(|(i, _)| i)
            .collect();
    }

    /// Opens the form for a household (and one of its people).
    pub(crate) fn start_form(
        &mut self,
        _idx: &Index,
        household_id: &str,
        person_id: Option<String>,
    ) {
        self.form = Some(PmksForm {
            household_id: household_id.to_string(),
            person_id,
            status: PmksStatus::Teridentifikasi.as_str().to_string(),
            tanggal: rules::format_date_short(rules::today_wib()),
            ..Default::default()
        });
    }
}

pub(crate) fn code_options() -> Vec<(u8, String)> {
    let mut v = vec![(0u8, "—".to_string())];
    v.extend(PmksCode::all().map(|c| (c.code(), c.to_string())));
    v
}

pub(crate) fn pmks_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    if let Some(form) = &mut s.pmks.form {
        let mut close = false;
        egui::ScrollArea::vertical()
            .id_salt("pmks_form")
            .show(ui, |ui| {
                ui.set_max_width(ui.available_width().min(640.0));
                close = form_ui(ui, form, &s.idx, lang, narrow, cmds);
            });
        if close {
            s.pmks.form = None;
        }
        return;
    }
    if widgets::primary_button(ui, tr!(lang, "pmks.baru"), narrow).clicked() {
        s.pmks.form = Some(PmksForm {
            status: PmksStatus::Teridentifikasi.as_str().to_string(),
            tanggal: rules::format_date_short(rules::today_wib()),
            ..Default::default()
        });
    }
    let before = (s.pmks.code, s.pmks.status, s.pmks.rt);
    let mut codes: Vec<(Option<u8>, String)> =
        vec![(None, tr!(lang, "pmks.semua_kategori").into_owned())];
    codes.extend(PmksCode::all().map(|c| (Some(c.code()), c.to_string())));
    let mut statuses: Vec<(Option<PmksStatus>, String)> =
        vec![(None, tr!(lang, "pmks.semua_status").into_owned())];
    statuses.extend(PmksStatus::all().map(|x| (Some(x), status_name(x, lang))));
    let mut rts: Vec<(Option<u16>, String)> = vec![(None, tr!(lang, "hh.semua_rt").into_owned())];
    rts.extend(
        s.idx
            .rts()
            .into_iter()
            .map(|r| (Some(r), rules::format_rt(r))),
    );
    let filters = |ui: &mut egui::Ui, p: &mut PmksUi| {
        widgets::combo(
            ui,
            "pmks_f_code",
            &tr!(lang, "pmks.kategori"),
            &mut p.code,
            &codes,
        );
        widgets::combo(
            ui,
            "pmks_f_status",
            &tr!(lang, "pmks.status"),
            &mut p.status,
            &statuses,
        );
        widgets::combo(ui, "pmks_f_rt", &tr!(lang, "hh.filter_rt"), &mut p.rt, &rts);
    };
    if narrow {
        egui::CollapsingHeader::new(tr!(lang, "pmks.saring"))
            .id_salt("pmks_filters")
            .show(ui, |ui| filters(ui, &mut s.pmks));
    } else {
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(360.0);
                filters(ui, &mut s.pmks);
            });
        });
    }
    if before != (s.pmks.code, s.pmks.status, s.pmks.rt) {
        s.pmks.refilter(&s.idx);
    }
    ui.label(RichText::new(tr!(lang, "pmks.jumlah", n = s.pmks.visible.len())).weak());
    let row_h = if narrow { 96.0 } else { 52.0 };
    egui::ScrollArea::vertical()
        .id_salt("pmks_rows")
        .auto_shrink([false, false])
        .show_rows(ui, row_h, s.pmks.visible.len(), |ui, range| {
            for i in range {
                let Some(row) = s.pmks.visible.get(i).and_then(|&k| s.idx.pmks.get(k)) else {
                    continue;
                };
                let code = row.record.kode.to_string();
                let status = status_name(row.record.status, lang);
                let line = |ui: &mut egui::Ui| {
                    ui.vertical(|ui| {
                        ui.strong(format!("{} · {}", row.nama, rules::format_rt(row.rt)));
                        let tag = if row.record.tag.is_empty() {
                            String::new()
                        } else {
                            format!(" · {}", row.record.tag)
                        };
                        ui.label(RichText::new(format!("{code} · {status}{tag}")).weak());
                    });
                };
                let advance = |ui: &mut egui::Ui, cmds: &mut Vec<Command>| {
                    if let Some(next) = next_status(row.record.status) {
                        let label = tr!(
                            lang,
                            "pmks.naikkan",
                            status = status_name(next, lang),
                            name = &row.nama
                        );
                        if ui.add(widgets::big_button(label, narrow)).clicked() {
                            let mut edited = row.record.clone();
                            edited.status = next;
                            cmds.push(Command::SavePmks {
                                id: row.id.clone(),
                                original: Box::new(row.record.clone()),
                                edited: Box::new(edited),
                            });
                        }
                    }
                };
                ui.allocate_ui(Vec2::new(ui.available_width(), row_h), |ui| {
                    if narrow {
                        ui.vertical(|ui| {
                            line(ui);
                            advance(ui, cmds);
                        });
                    } else {
                        ui.horizontal(|ui| {
                            line(ui);
                            ui.with_layout(
                                egui::Layout::right_to_left(egui::Align::Center),
                                |ui| advance(ui, cmds),
                            );
                        });
                    }
                });
            }
        });
}

/// The form; returns true when cancelled.
fn form_ui(
    ui: &mut egui::Ui,
    f: &mut PmksForm,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) -> bool {
    ui.heading(tr!(lang, "pmks.form_title"));
    // Household: picked from the household screen, or searched here.
    let household = idx.household_row(&f.household_id);
    match household {
        Some(h) => {
            widgets::kv(
                ui,
                &tr!(lang, "pmks.rumah_tangga"),
                format!(
                    "{} · {} · {}",
                    h.kepala_keluarga,
                    h.alamat,
                    rules::format_rt(h.rt)
                ),
            );
        }
        None => {
            widgets::text_field(
                ui,
                &tr!(lang, "pmks.cari_rt"),
                &mut f.household_search,
                Some(&tr!(lang, "hh.cari_hint")),
            );
            if f.household_search.trim().chars().count() >= 2 {
                let search = rukun_model::HouseholdSearch::new(&f.household_search);
                for r in idx.households.iter().filter(|r| r.matches(&search)).take(8) {
                    let text = format!(
                        "{} · {} · {}",
                        r.kepala_keluarga,
                        r.alamat,
                        rules::format_rt(r.rt)
                    );
                    if ui.add(widgets::big_button(text, narrow)).clicked() {
                        f.household_id = r.id.clone();
                        f.person_id = None;
                    }
                }
            }
            if f.tried {
                widgets::field_error(ui, &tr!(lang, "pmks.pilih_rt"));
            }
        }
    }
    if household.is_some() {
        let mut people: Vec<(Option<String>, String)> =
            vec![(None, tr!(lang, "pmks.seluruh_rt").into_owned())];
        let mut ps: Vec<(&String, &crate::index::PersonRef)> = idx
            .people
            .iter()
            .filter(|(_, p)| p.household_id == f.household_id)
            .collect();
        ps.sort_by(|a, b| (&a.1.tanggal_lahir, a.0).cmp(&(&b.1.tanggal_lahir, b.0)));
        people.extend(
            ps.into_iter()
                .map(|(pid, p)| (Some(pid.clone()), p.nama.clone())),
        );
        widgets::combo(
            ui,
            "pmks_person",
            &tr!(lang, "pmks.orang"),
            &mut f.person_id,
            &people,
        );
    }
    widgets::combo(
        ui,
        "pmks_code",
        &tr!(lang, "pmks.kategori"),
        &mut f.kode,
        &code_options(),
    );
    let code = PmksCode::new(f.kode).ok();
    if code.is_none() && f.tried {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    // Age rule: a warning, never a block.
    if let (Some(code), Some(p)) = (code, f.person_id.as_ref().and_then(|p| idx.people.get(p)))
        && let Ok(born) = rules::parse_date(&p.tanggal_lahir)
    {
        let today = rules::today_wib();
        let age = today.year()
            - born.year()
            - i32::from((today.month(), today.day()) < (born.month(), born.day()));
        if let Some(w) = code.age_warning(age.max(0) as u32) {
            let text = match lang {
                Lang::Id => {
                    tr!(lang, "pmks.umur_warning", name = code.name(), n = age).into_owned()
                }
                Lang::En => w,
            };
            widgets::field_warning(ui, &text);
        }
    }
    let statuses: Vec<(String, String)> = PmksStatus::all()
        .map(|x| (x.as_str().to_string(), status_name(x, lang)))
        .collect();
    widgets::combo(
        ui,
        "pmks_status",
        &tr!(lang, "pmks.status"),
        &mut f.status,
        &statuses,
    );
    widgets::text_field(ui, &tr!(lang, "pmks.tag"), &mut f.tag, Some(TAGS[0]));
    ui.horizontal_wrapped(|ui| {
        for t in TAGS {
            if ui.small_button(t).clicked() {
                f.tag = t.to_string();
            }
        }
    });
    widgets::text_area(ui, &tr!(lang, "pmks.bukti"), &mut f.bukti);
    widgets::text_field(
        ui,
        &tr!(lang, "pmks.tanggal"),
        &mut f.tanggal,
        Some("17/08/2025"),
    );
    let date = rules::parse_date(&f.tanggal);
    if date.is_err() {
        widgets::field_error(ui, &tr!(lang, "form.date_format"));
    }
    ui.add_space(8.0);
    if widgets::primary_button(ui, tr!(lang, "pmks.simpan"), narrow).clicked() {
        f.tried = true;
        if let (Some(code), Ok(date), true) = (code, date, household.is_some()) {
            cmds.push(Command::AddPmks(Box::new(Pmks {
                status: PmksStatus::parse(&f.status).unwrap_or_default(),
                tag: f.tag.trim().to_string(),
                bukti: f.bukti.trim().to_string(),
                tanggal_identifikasi: date.to_string(),
                ..Pmks::new(f.household_id.clone(), f.person_id.clone(), code)
            })));
        }
    }
    ui.add_space(4.0);
    ui.add(widgets::big_button(tr!(lang, "app.batal"), narrow))
        .clicked()
}
