//! Beranda: counts, fund balance, this month's receipts, households per RT, PMKS by
//! status, last sync; quick actions; settings (language, idle lock).

use egui::RichText;
use rukun_model::rules::{self, YearMonth};

use crate::command::Command;
use crate::i18n::tr;
use crate::settings::Settings;
use crate::state::{Screen, Session};
use crate::widgets::{self, GOOD};

pub(crate) fn beranda_ui(
    ui: &mut egui::Ui,
    s: &Session,
    settings: &Settings,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let lang = settings.lang;
    let idx = &s.idx;
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.label(
            RichText::new(format!(
                "{} · {} · {}",
                idx.group.name,
                idx.group.kelurahan,
                rules::format_rw(idx.group.rw)
            ))
            .weak(),
        );
        ui.add_space(4.0);
        let this_month = YearMonth::of_date(rules::today_wib());
        let month = idx.months.get(&this_month).copied().unwrap_or_default();
        let balance_card = |ui: &mut egui::Ui| {
            widgets::card(ui, |ui| {
                ui.label(tr!(lang, "beranda.saldo"));
                ui.label(
                    RichText::new(widgets::money(idx.balance()))
                        .size(30.0)
                        .strong()
                        .color(GOOD),
                )
                .on_hover_text(tr!(lang, "beranda.saldo_hint"));
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "beranda.bulan_ini",
                        bulan = this_month.label(),
                        n = month.receipts,
                        jumlah = widgets::money(month.masuk)
                    ))
                    .weak(),
                );
            });
        };
        let counts_card = |ui: &mut egui::Ui| {
            widgets::card(ui, |ui| {
                widgets::kv(
                    ui,
                    &tr!(lang, "beranda.rumah_tangga"),
                    idx.households.len().to_string(),
                );
                widgets::kv(
                    ui,
                    &tr!(lang, "beranda.penduduk"),
                    idx.people_count().to_string(),
                );
                widgets::kv(
                    ui,
                    &tr!(lang, "beranda.donatur"),
                    idx.donors.len().to_string(),
                );
                widgets::kv(ui, &tr!(lang, "beranda.pmks"), idx.pmks.len().to_string());
            });
        };
        let rt_card = |ui: &mut egui::Ui| {
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "beranda.per_rt"));
                let per_rt = idx.households_per_rt();
                if per_rt.is_empty() {
                    ui.label(RichText::new(tr!(lang, "beranda.belum_survei")).weak());
                }
                for (rt, n) in per_rt {
                    widgets::kv(ui, &rules::format_rt(rt), n.to_string());
                }
            });
        };
        let pmks_card = |ui: &mut egui::Ui| {
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "beranda.pmks_status"));
                for (status, n) in idx.pmks_per_status() {
                    widgets::kv(
                        ui,
                        &crate::screens::pmks::status_name(status, lang),
                        n.to_string(),
                    );
                }
            });
        };
        let sync_card = |ui: &mut egui::Ui| {
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "beranda.sinkron"));
                match &idx.last_sync {
                    Some(t) => ui.label(t.as_str()),
                    None => ui.label(RichText::new(tr!(lang, "beranda.belum_sinkron")).weak()),
                };
            });
        };
        if narrow {
            balance_card(ui);
            quick_actions(ui, lang, narrow, cmds);
            counts_card(ui);
            rt_card(ui);
            pmks_card(ui);
            sync_card(ui);
        } else {
            ui.columns(2, |cols| {
                balance_card(&mut cols[0]);
                counts_card(&mut cols[0]);
                sync_card(&mut cols[0]);
                quick_actions(&mut cols[1], lang, narrow, cmds);
                rt_card(&mut cols[1]);
                pmks_card(&mut cols[1]);
            });
        }
        ui.add_space(12.0);
        widgets::card(ui, |ui| {
            ui.strong(tr!(lang, "beranda.pengaturan"));
            widgets::lang_picker(ui, lang, cmds);
            let mut minutes = settings.idle_lock_minutes;
            let options: Vec<(u32, String)> = [1u32, 2, 5, 10, 15, 30]
                .into_iter()
                .map(|m| (m, tr!(lang, "beranda.menit", n = m).into_owned()))
                .collect();
            widgets::combo(
                ui,
                "idle",
                &tr!(lang, "beranda.kunci_otomatis"),
                &mut minutes,
                &options,
            );
            if minutes != settings.idle_lock_minutes {
                cmds.push(Command::SetIdleMinutes(minutes));
            }
        });
    });
}

fn quick_actions(ui: &mut egui::Ui, lang: crate::Lang, narrow: bool, cmds: &mut Vec<Command>) {
    widgets::card(ui, |ui| {
        if widgets::primary_button(ui, tr!(lang, "beranda.survei_baru"), true).clicked() {
            cmds.push(Command::NewHousehold);
        }
        ui.add_space(4.0);
        if widgets::primary_button(ui, tr!(lang, "beranda.kuitansi_baru"), true).clicked() {
            cmds.push(Command::Navigate(Screen::Donatur));
        }
        let _ = narrow;
    });
}
