//! Rumah Tangga: search by name/NIK/KK/address, filter by RT, a list that lays out only the
//! visible rows (`ScrollArea::show_rows`), and the household form.

use egui::RichText;
use rukun_model::rules;

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::screens::household_form::{HouseholdForm, household_form_ui};
use crate::state::Session;
use crate::widgets;

/// The list's search and filter, the rows that pass them, and the open form.
#[derive(Debug, Default)]
pub(crate) struct HouseholdsUi {
    pub(crate) search: String,
    pub(crate) rt: Option<u16>,
    /// Indices into `Index::households` of the rows that pass the search and filter.
    pub(crate) visible: Vec<usize>,
    pub(crate) selected: Option<String>,
    pub(crate) form: Option<HouseholdForm>,
}

impl HouseholdsUi {
    /// Recomputes the visible rows (after the search, the filter or the book changed).
    pub(crate) fn refilter(&mut self, idx: &Index) {
        let search = rukun_model::HouseholdSearch::new(&self.search);
        self.visible = idx
            .households
            .iter()
            .enumerate()
            .filter(|(_, r)| self.rt.is_none_or(|rt| r.rt == rt))
            .filter(|(_, r)| r.matches(&search))
            .map(|(i, _)| i)
            .collect();
    }
}

pub(crate) fn households_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    if narrow {
        if let Some(form) = &mut s.households.form {
            household_form_ui(ui, form, &s.idx, lang, narrow, cmds);
        } else {
            list_ui(ui, &mut s.households, &s.idx, lang, narrow, cmds);
        }
        return;
    }
    egui::Panel::left("hh_list")
        .resizable(true)
        .default_size(420.0)
        .show(ui, |ui| {
            list_ui(ui, &mut s.households, &s.idx, lang, narrow, cmds)
        });
    egui::CentralPanel::default_margins().show(ui, |ui| {
        if let Some(form) = &mut s.households.form {
            household_form_ui(ui, form, &s.idx, lang, narrow, cmds);
        } else {
            ui.add_space(24.0);
            ui.label(RichText::new(tr!(lang, "hh.pilih")).weak());
        }
    });
}

fn list_ui(
    ui: &mut egui::Ui,
    h: &mut HouseholdsUi,
    idx: &Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    if widgets::primary_button(ui, tr!(lang, "hh.survei_baru"), narrow).clicked() {
        cmds.push(Command::NewHousehold);
    }
    ui.add_space(4.0);
    let before = (h.search.clone(), h.rt);
    widgets::text_field(
        ui,
        &tr!(lang, "hh.cari"),
        &mut h.search,
        Some(&tr!(lang, "hh.cari_hint")),
    );
    let mut rt_options: Vec<(Option<u16>, String)> =
        vec![(None, tr!(lang, "hh.semua_rt").into_owned())];
    rt_options.extend(
        idx.rts()
            .into_iter()
            .map(|r| (Some(r), rules::format_rt(r))),
    );
    widgets::combo(
        ui,
        "hh_filter_rt",
        &tr!(lang, "hh.filter_rt"),
        &mut h.rt,
        &rt_options,
    );
    if before != (h.search.clone(), h.rt) {
        h.refilter(idx);
    }
    ui.label(
        RichText::new(tr!(
            lang,
            "hh.jumlah",
            n = h.visible.len(),
            total = idx.households.len()
        ))
        .weak(),
    );
    let row_h = if narrow { 64.0 } else { 48.0 };
    egui::ScrollArea::vertical()
        .id_salt("hh_rows")
        .auto_shrink([false, false])
        .show_rows(ui, row_h, h.visible.len(), |ui, range| {
            for i in range {
                let Some(row) = h.visible.get(i).and_then(|&k| idx.households.get(k)) else {
                    continue;
                };
                let selected = h.selected.as_deref() == Some(row.id.as_str());
                let title = if row.kepala_keluarga.is_empty() {
                    "—"
                } else {
                    &row.kepala_keluarga
                };
                let subtitle = format!(
                    "{} · {} · {}",
                    row.alamat,
                    rules::format_rt(row.rt),
                    tr!(lang, "hh.orang", n = row.people)
                );
                if widgets::list_row(ui, row_h, title, &subtitle, selected).clicked() {
                    cmds.push(Command::OpenHousehold(row.id.clone()));
                }
            }
        });
}
