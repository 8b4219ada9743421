//! Sinkron: this device's identity as a QR code and text, the members of the group (with
//! revoke for a lost phone), and syncing with a member met in person.

use egui::{Color32, RichText, Sense, Vec2};
use rukun_model::rules;

use crate::Lang;
use crate::i18n::tr;
use crate::state::{Command, Session};
use crate::widgets;

#[derive(Debug, Default)]
pub(crate) struct SinkronUi {
    ticket: String,
    pub(crate) running: bool,
    confirm_revoke: Option<String>,
}

/// Draws `text` as a QR code `size` points wide, with an accessible description.
pub(crate) fn qr(ui: &mut egui::Ui, text: &str, size: f32, description: &str) {
    let Ok(code) = qrcode::QrCode::new(text.as_bytes()) else {
        ui.label(text);
        return;
    };
    let n = code.width();
    let colors = code.to_colors();
    let quiet = 2usize;
    let cells = (n + 2 * quiet) as f32;
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 0.0, Color32::WHITE);
    let cell = size / cells;
    for (i, c) in colors.iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let x = (i % n + quiet) as f32;
            let y = (i / n + quiet) as f32;
            let min = rect.min + Vec2::new(x * cell, y * cell);
            painter.rect_filled(
                egui::Rect::from_min_size(min, Vec2::splat(cell + 0.3)),
                0.0,
                Color32::BLACK,
            );
        }
    }
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, description));
}

pub(crate) fn sinkron_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let idx = &s.idx;
    let st = &mut s.sinkron;
    egui::ScrollArea::vertical()
        .id_salt("sinkron")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(720.0));
            let me = idx.me.as_ref().map(|m| m.to_string()).unwrap_or_default();
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "sinkron.perangkat_ini"));
                let name = idx.member_name(&me);
                ui.label(RichText::new(name).size(20.0));
                let size = if narrow {
                    ui.available_width().min(260.0)
                } else {
                    220.0
                };
                qr(ui, &me, size, &tr!(lang, "sinkron.qr"));
                ui.add(egui::Label::new(RichText::new(&me).monospace().small()).wrap());
                ui.label(RichText::new(tr!(lang, "sinkron.qr_catatan")).weak());
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "sinkron.sekarang"));
                widgets::text_area(ui, &tr!(lang, "sinkron.tiket"), &mut st.ticket);
                let ready = !st.ticket.trim().is_empty() && !st.running;
                if ui
                    .add_enabled(
                        ready,
                        widgets::big_button(tr!(lang, "sinkron.mulai"), narrow),
                    )
                    .clicked()
                {
                    cmds.push(Command::SyncNow(st.ticket.trim().to_string()));
                }
                ui.label(RichText::new(tr!(lang, "sinkron.tiket_catatan")).weak());
                ui.label(RichText::new(tr!(lang, "sinkron.offline")).weak());
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "sinkron.anggota"));
                for (id, m) in &idx.members {
                    ui.horizontal_wrapped(|ui| {
                        let role = role_name(&m.role, lang);
                        let rt =
                            m.rt.map(|r| format!(" · {}", rules::format_rt(r)))
                                .unwrap_or_default();
                        if m.revoked.is_some() {
                            ui.label(
                                RichText::new(format!("{} · {role}{rt}", m.name))
                                    .strikethrough()
                                    .weak(),
                            );
                            ui.label(RichText::new(tr!(lang, "sinkron.dicabut")).weak());
                            return;
                        }
                        ui.label(format!("{} · {role}{rt}", m.name));
                        if id.as_str() == me {
                            ui.label(RichText::new(tr!(lang, "sinkron.saya")).weak());
                            return;
                        }
                        if st.confirm_revoke.as_deref() == Some(id.as_str()) {
                            if ui
                                .add(widgets::big_button(
                                    tr!(lang, "sinkron.cabut_ya", name = &m.name),
                                    narrow,
                                ))
                                .clicked()
                            {
                                cmds.push(Command::RevokeMember(id.clone()));
                                st.confirm_revoke = None;
                            }
                            if ui
                                .add(widgets::big_button(tr!(lang, "app.batal"), narrow))
                                .clicked()
                            {
                                st.confirm_revoke = None;
                            }
                        } else if ui
                            .small_button(tr!(lang, "sinkron.cabut", name = &m.name))
                            .clicked()
                        {
                            st.confirm_revoke = Some(id.to_string());
                        }
                    });
                }
            });
        });
}

fn role_name(role: &str, lang: Lang) -> String {
    match role {
        "admin" => tr!(lang, "role.admin"),
        "bendahara" => tr!(lang, "role.bendahara"),
        "ketua_rt" => tr!(lang, "role.ketua_rt"),
        "relawan" => tr!(lang, "role.relawan"),
        other => return other.to_string(),
    }
    .into_owned()
}
