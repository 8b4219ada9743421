//! Sinkron: this device's identity as a QR code and text, the members of the group (with
//! revoke for a lost phone), and syncing with a member met in person.
//!
//! Slightly over 500 lines: the screen's three panels (this device, members with their
//! nearby state, invites) share the session's meeting view; each is a function here.

use std::collections::BTreeMap;

use egui::{Color32, RichText, Sense, Vec2};
use rukun_model::{MemberId, Role, rules};

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::state::Session;
use crate::widgets;

/// A sync session in progress, for its progress bar.
#[derive(Debug, Clone)]
pub(crate) struct SessionView {
    pub(crate) name: String,
    pub(crate) outgoing: bool,
    pub(crate) bytes_sent: u64,
    pub(crate) bytes_received: u64,
    /// Bytes still to move in the sync messages under way (see `Progress::bytes_pending`).
    pub(crate) pending: u64,
    pub(crate) started: std::time::Instant,
}

/// The invite shown on this device.
#[derive(Debug, Clone)]
pub(crate) struct InviteView {
    /// The whole ticket (`rukuninvite…`), for the QR code and to copy.
    pub(crate) text: String,
    /// The short code to read aloud (`RKN-XXXX-YYYY`).
    pub(crate) code: String,
    pub(crate) role: String,
    /// Expiry, WIB.
    pub(crate) until: String,
}

/// The Sinkron screen's state (the node itself is the session's listener).
#[derive(Debug)]
pub(crate) struct SinkronUi {
    /// The other device's ticket, typed or pasted.
    pub(crate) ticket: String,
    /// This device's ticket while listening.
    pub(crate) my_ticket: Option<String>,
    /// This device's short code (`RKN-XXXX`).
    pub(crate) my_code: Option<String>,
    /// Why listening did not start.
    pub(crate) listen_error: Option<String>,
    /// The app was started without listening (screenshot tests).
    pub(crate) listen_off: bool,
    /// Search for members on this network (mDNS); off by default.
    pub(crate) discover: bool,
    /// Members found nearby (ids), in the order found.
    pub(crate) nearby: Vec<MemberId>,
    /// Their addresses, as mDNS found them.
    #[cfg(feature = "sync")]
    pub(crate) nearby_addrs: Vec<rukun_sync::EndpointAddr>,
    /// Running sessions by peer id.
    pub(crate) sessions: BTreeMap<String, SessionView>,
    /// When this device last synced with each member (WIB text), by member id.
    pub(crate) last_synced: BTreeMap<String, String>,
    pub(crate) invite: Option<InviteView>,
    /// The invite was cancelled after too many wrong codes.
    pub(crate) invite_burned: bool,
    /// Wrong codes counted against the open invite.
    pub(crate) wrong_codes: u32,
    pub(crate) invite_role: Role,
    pub(crate) invite_hours: u32,
    confirm_revoke: Option<String>,
}

impl Default for SinkronUi {
    fn default() -> Self {
        SinkronUi {
            ticket: String::new(),
            my_ticket: None,
            my_code: None,
            listen_error: None,
            listen_off: false,
            discover: false,
            nearby: Vec::new(),
            #[cfg(feature = "sync")]
            nearby_addrs: Vec::new(),
            sessions: BTreeMap::new(),
            last_synced: BTreeMap::new(),
            invite: None,
            invite_burned: false,
            wrong_codes: 0,
            invite_role: Role::Relawan,
            invite_hours: 24,
            confirm_revoke: None,
        }
    }
}

/// "1,2 MB": bytes for people, with the Indonesian decimal comma.
pub(crate) fn bytes_text(n: u64, lang: Lang) -> String {
    let (v, unit) = if n >= 1_000_000 {
        (n as f64 / 1e6, "MB")
    } else if n >= 1_000 {
        (n as f64 / 1e3, "KB")
    } else {
        return format!("{n} B");
    };
    let t = format!("{v:.1} {unit}");
    match lang {
        Lang::Id => t.replace('.', ","),
        Lang::En => t,
    }
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
    let me = idx.me.as_ref().map(|m| m.to_string()).unwrap_or_default();
    let admin = idx
        .members
        .iter()
        .any(|(id, m)| id.as_str() == me && m.role == Role::Admin && m.revoked.is_none());
    egui::ScrollArea::vertical()
        .id_salt("sinkron")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(720.0));
            let qr_size = if narrow {
                ui.available_width().min(260.0)
            } else {
                220.0
            };
            this_device_ui(ui, st, idx, &me, lang, qr_size);
            sessions_ui(ui, st, lang);
            nearby_ui(ui, st, idx, lang, narrow, cmds);
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "sinkron.sekarang"));
                widgets::text_area(ui, &tr!(lang, "sinkron.tiket"), &mut st.ticket);
                let ready = !st.ticket.trim().is_empty();
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
            });
            if admin {
                invite_ui(ui, st, lang, narrow, qr_size, cmds);
            }
            members_ui(ui, st, idx, &me, admin, lang, narrow, cmds);
        });
}

fn this_device_ui(
    ui: &mut egui::Ui,
    st: &SinkronUi,
    idx: &crate::index::Index,
    me: &str,
    lang: Lang,
    qr_size: f32,
) {
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "sinkron.perangkat_ini"));
        ui.label(RichText::new(idx.member_name(me)).size(20.0));
        match (&st.my_ticket, &st.listen_error) {
            (Some(ticket), _) => {
                ui.label(RichText::new(tr!(lang, "sinkron.mendengarkan")).color(widgets::GOOD));
                qr(ui, ticket, qr_size, &tr!(lang, "sinkron.qr"));
                if let Some(code) = &st.my_code {
                    widgets::kv(ui, &tr!(lang, "sinkron.kode_perangkat"), code.clone());
                }
                ui.horizontal_wrapped(|ui| {
                    ui.label(tr!(lang, "sinkron.tiket_ini"));
                    if ui.small_button(tr!(lang, "sinkron.salin")).clicked() {
                        ui.ctx().copy_text(ticket.clone());
                    }
                });
                ui.add(
                    egui::Label::new(RichText::new(ticket).monospace().small())
                        .wrap()
                        .selectable(true),
                );
                ui.label(RichText::new(tr!(lang, "sinkron.qr_catatan")).weak());
            }
            (None, Some(e)) => {
                widgets::field_error(ui, &tr!(lang, "sinkron.tidak_mendengarkan", e = e));
            }
            (None, None) if st.listen_off => {
                ui.label(tr!(lang, "sinkron.mati"));
            }
            (None, None) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr!(lang, "sinkron.menyalakan"));
                });
            }
        }
        ui.label(RichText::new(tr!(lang, "sinkron.offline")).weak());
    });
}

fn sessions_ui(ui: &mut egui::Ui, st: &SinkronUi, lang: Lang) {
    for v in st.sessions.values() {
        widgets::card(ui, |ui| {
            let secs = v.started.elapsed().as_secs_f64().max(0.5);
            let moved = v.bytes_sent.saturating_sub(v.pending) + v.bytes_received;
            let rate = (moved as f64 / secs) as u64;
            let title = if v.outgoing {
                tr!(lang, "sinkron.sesi_keluar", name = &v.name)
            } else {
                tr!(lang, "sinkron.sesi_masuk", name = &v.name)
            };
            ui.strong(title);
            ui.label(tr!(
                lang,
                "sinkron.bita",
                sent = bytes_text(v.bytes_sent, lang),
                received = bytes_text(v.bytes_received, lang),
                rate = bytes_text(rate, lang)
            ));
            match estimate(moved, v.pending, secs) {
                Some((fraction, left)) => {
                    ui.add(
                        egui::ProgressBar::new(fraction).text(estimate_text(v.pending, left, lang)),
                    );
                }
                None => {
                    ui.add(egui::ProgressBar::new(0.0).animate(true));
                }
            }
        });
    }
}

/// What a progress bar shows while `pending` bytes are still under way after `moved` bytes
/// in `secs` seconds: the share done and the seconds left at the rate so far. `None` when
/// nothing is under way (between messages), so the bar just moves.
pub(crate) fn estimate(moved: u64, pending: u64, secs: f64) -> Option<(f32, u64)> {
    if pending == 0 {
        return None;
    }
    let fraction = moved as f64 / (moved + pending) as f64;
    let rate = moved as f64 / secs.max(0.1);
    let left = if rate > 0.0 {
        (pending as f64 / rate).ceil().min(99_999.0) as u64
    } else {
        99_999
    };
    Some((fraction as f32, left))
}

/// "sisa 3,1 MB · sekitar 25 detik lagi".
pub(crate) fn estimate_text(pending: u64, secs_left: u64, lang: Lang) -> String {
    let time = if secs_left >= 120 {
        tr!(lang, "sinkron.menit", n = secs_left.div_ceil(60))
    } else {
        tr!(lang, "sinkron.detik", n = secs_left)
    };
    tr!(
        lang,
        "sinkron.sisa",
        left = bytes_text(pending, lang),
        time = time
    )
    .into_owned()
}

fn nearby_ui(
    ui: &mut egui::Ui,
    st: &mut SinkronUi,
    idx: &crate::index::Index,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "sinkron.di_dekat"));
        let mut on = st.discover;
        if ui.checkbox(&mut on, tr!(lang, "sinkron.cari")).changed() {
            cmds.push(Command::SetDiscover(on));
        }
        if !st.discover {
            ui.label(RichText::new(tr!(lang, "sinkron.cari_catatan")).weak());
            return;
        }
        if st.nearby.is_empty() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr!(lang, "sinkron.mencari"));
            });
            return;
        }
        for id in &st.nearby {
            let Some((_, m)) = idx.members.iter().find(|(mid, _)| mid == id) else {
                continue;
            };
            ui.horizontal_wrapped(|ui| {
                let last = st
                    .last_synced
                    .get(id.as_str())
                    .map(|t| tr!(lang, "sinkron.terakhir", t = t))
                    .unwrap_or_else(|| tr!(lang, "sinkron.belum_pernah"));
                ui.label(format!("{} · {} · {last}", m.name, role_name(m.role, lang)));
                let busy = st.sessions.contains_key(id.as_str());
                if ui
                    .add_enabled(
                        !busy,
                        widgets::big_button(
                            tr!(lang, "sinkron.sinkron_dengan", name = &m.name),
                            narrow,
                        ),
                    )
                    .clicked()
                {
                    cmds.push(Command::SyncMember(id.clone()));
                }
            });
        }
        if ui
            .add_enabled(
                st.sessions.is_empty(),
                widgets::big_button(tr!(lang, "sinkron.semua"), narrow),
            )
            .clicked()
        {
            cmds.push(Command::SyncAllNearby);
        }
    });
}

fn invite_ui(
    ui: &mut egui::Ui,
    st: &mut SinkronUi,
    lang: Lang,
    narrow: bool,
    qr_size: f32,
    cmds: &mut Vec<Command>,
) {
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "sinkron.undang"));
        let roles: Vec<(Role, String)> =
            [Role::Relawan, Role::KetuaRt, Role::Bendahara, Role::Admin]
                .into_iter()
                .map(|r| (r, role_name(r, lang)))
                .collect();
        widgets::combo(
            ui,
            "invite_role",
            &tr!(lang, "sinkron.peran"),
            &mut st.invite_role,
            &roles,
        );
        let hours = [
            (1u32, tr!(lang, "sinkron.jam_1").into_owned()),
            (24, tr!(lang, "sinkron.hari_1").into_owned()),
            (24 * 7, tr!(lang, "sinkron.hari_7").into_owned()),
        ];
        widgets::combo(
            ui,
            "invite_hours",
            &tr!(lang, "sinkron.berlaku"),
            &mut st.invite_hours,
            &hours,
        );
        if ui
            .add_enabled(
                st.my_ticket.is_some(),
                widgets::big_button(tr!(lang, "sinkron.buat_undangan"), narrow),
            )
            .clicked()
        {
            cmds.push(Command::CreateInvite {
                role: st.invite_role,
                hours: st.invite_hours,
            });
        }
        if st.invite_burned {
            widgets::field_error(ui, &tr!(lang, "sinkron.undangan_hangus"));
            return;
        }
        let Some(inv) = &st.invite else {
            return;
        };
        ui.separator();
        ui.label(tr!(
            lang,
            "sinkron.undangan_untuk",
            role = role_code_name(&inv.role, lang),
            until = &inv.until
        ));
        ui.label(tr!(lang, "sinkron.kode_undangan"));
        ui.label(RichText::new(&inv.code).monospace().size(28.0).strong());
        qr(ui, &inv.text, qr_size, &tr!(lang, "sinkron.qr_undangan"));
        ui.horizontal_wrapped(|ui| {
            ui.label(tr!(lang, "sinkron.teks_undangan"));
            if ui.small_button(tr!(lang, "sinkron.salin")).clicked() {
                ui.ctx().copy_text(inv.text.clone());
            }
        });
        ui.add(
            egui::Label::new(RichText::new(&inv.text).monospace().small())
                .wrap()
                .selectable(true),
        );
        if st.wrong_codes > 0 {
            widgets::field_warning(
                ui,
                &tr!(
                    lang,
                    "sinkron.kode_salah",
                    n = st.wrong_codes,
                    max = rukun_model::MAX_WRONG_INVITE_ATTEMPTS
                ),
            );
        }
        ui.label(RichText::new(tr!(lang, "sinkron.undangan_catatan")).weak());
    });
}

#[allow(clippy::too_many_arguments)]
fn members_ui(
    ui: &mut egui::Ui,
    st: &mut SinkronUi,
    idx: &crate::index::Index,
    me: &str,
    admin: bool,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    widgets::card(ui, |ui| {
        ui.strong(tr!(lang, "sinkron.anggota"));
        for (id, m) in &idx.members {
            ui.horizontal_wrapped(|ui| {
                let role = role_name(m.role, lang);
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
                if let Some(t) = st.last_synced.get(id.as_str()) {
                    ui.label(RichText::new(tr!(lang, "sinkron.terakhir", t = t)).weak());
                }
                if !admin {
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
}

/// The name of a role code as an invite carries it (the code itself when unknown).
pub(crate) fn role_code_name(code: &str, lang: Lang) -> String {
    Role::parse(code).map_or_else(|| code.to_string(), |r| role_name(r, lang))
}

pub(crate) fn role_name(role: Role, lang: Lang) -> String {
    match role {
        Role::Admin => tr!(lang, "role.admin"),
        Role::Bendahara => tr!(lang, "role.bendahara"),
        Role::KetuaRt => tr!(lang, "role.ketua_rt"),
        Role::Relawan => tr!(lang, "role.relawan"),
    }
    .into_owned()
}
