//! Tinjau: likely duplicates (same KK number, same NIK) to open side by side; concurrent
//! edits (conflicts) are shown here once the review module lands.

use egui::RichText;
use rukun_model::rules;

use crate::Lang;
use crate::i18n::tr;
use crate::state::{Command, Session};
use crate::widgets;

pub(crate) fn tinjau_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let idx = &s.idx;
    egui::ScrollArea::vertical()
        .id_salt("tinjau")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(760.0));
            ui.label(RichText::new(tr!(lang, "tinjau.intro")).weak());
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "tinjau.kk_sama", n = idx.duplicate_kk.len()));
                if idx.duplicate_kk.is_empty() {
                    ui.label(RichText::new(tr!(lang, "tinjau.tidak_ada")).weak());
                }
                for (kk, ids) in idx.duplicate_kk.iter().take(50) {
                    ui.label(RichText::new(format!("KK {kk}")).strong());
                    for id in ids {
                        if let Some(r) = idx.household_row(id) {
                            let text = tr!(
                                lang,
                                "tinjau.buka",
                                name = format!(
                                    "{} · {} · {}",
                                    r.kepala,
                                    r.alamat,
                                    rules::format_rt(r.rt)
                                )
                            );
                            if ui.add(widgets::big_button(text, narrow)).clicked() {
                                cmds.push(Command::OpenHousehold(id.clone()));
                            }
                        }
                    }
                    ui.separator();
                }
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "tinjau.nik_sama", n = idx.duplicate_nik.len()));
                if idx.duplicate_nik.is_empty() {
                    ui.label(RichText::new(tr!(lang, "tinjau.tidak_ada")).weak());
                }
                for (nik, pids) in idx.duplicate_nik.iter().take(50) {
                    ui.label(RichText::new(format!("NIK {nik}")).strong());
                    for pid in pids {
                        if let Some(p) = idx.people.get(pid) {
                            let text = tr!(
                                lang,
                                "tinjau.buka",
                                name = format!("{} · {}", p.nama, rules::format_rt(p.rt))
                            );
                            if ui.add(widgets::big_button(text, narrow)).clicked() {
                                cmds.push(Command::OpenHousehold(p.household_id.clone()));
                            }
                        }
                    }
                    ui.separator();
                }
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "tinjau.konflik"));
                ui.label(RichText::new(tr!(lang, "tinjau.konflik_nanti")).weak());
            });
        });
}
