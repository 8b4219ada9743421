//! First start ("Buat kelompok baru" / "Gabung dengan undangan") and the lock screen.

use egui::RichText;
use rukun_model::GroupInit;
use rukun_model::rules;

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::state::Session;
use crate::widgets;

/// Which part of the first start is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum StartMode {
    #[default]
    Choose,
    Create,
    Join,
    /// "Coba dengan data contoh": a book filled with the sample RW.
    Demo,
}

/// The first start's forms.
#[derive(Debug, Default)]
pub(crate) struct StartUi {
    pub(crate) mode: StartMode,
    pub(crate) error: Option<String>,
    name: String,
    kelurahan: String,
    kode_wilayah: String,
    rw: String,
    rts: String,
    member: String,
    pass: String,
    pass2: String,
    ticket: String,
    tried: bool,
}

impl StartUi {
    /// The join form again after a failed join, with the invite and name as they were typed
    /// (the passphrase is asked again).
    pub(crate) fn join_again(invite: String, name: String, error: String) -> StartUi {
        StartUi {
            mode: StartMode::Join,
            error: Some(error),
            ticket: invite,
            member: name,
            ..StartUi::default()
        }
    }
}

/// The lock screen.
#[derive(Default)]
pub(crate) struct LockUi {
    pub(crate) pass: String,
    pub(crate) error: Option<String>,
    /// An in-memory book waiting for its passphrase (tests).
    pub(crate) held: Option<Box<Session>>,
    pub(crate) focused: bool,
}

/// Minimum passphrase length: the model's rule (a 6-digit PIN is too weak on a lost phone).
const MIN_PASS: usize = rukun_model::storage::MIN_PASSPHRASE_CHARS;

pub(crate) fn start_ui(
    ui: &mut egui::Ui,
    s: &mut StartUi,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.set_max_width(ui.available_width().min(560.0));
        match s.mode {
            StartMode::Choose => {
                ui.add_space(16.0);
                ui.heading(tr!(lang, "start.welcome"));
                ui.label(tr!(lang, "start.intro"));
                ui.add_space(16.0);
                if widgets::primary_button(ui, tr!(lang, "start.create"), true).clicked() {
                    cmds.push(Command::ShowCreate);
                }
                ui.add_space(8.0);
                if ui
                    .add(
                        widgets::big_button(tr!(lang, "start.join"), true)
                            .min_size(egui::vec2(ui.available_width(), 48.0)),
                    )
                    .clicked()
                {
                    cmds.push(Command::ShowJoin);
                }
                ui.add_space(8.0);
                if ui
                    .add(
                        widgets::big_button(tr!(lang, "start.demo"), true)
                            .min_size(egui::vec2(ui.available_width(), 48.0)),
                    )
                    .clicked()
                {
                    cmds.push(Command::ShowDemo);
                }
                ui.add_space(24.0);
                widgets::lang_picker(ui, lang, cmds);
            }
            StartMode::Create => create_ui(ui, s, lang, narrow, cmds),
            StartMode::Join => join_ui(ui, s, lang, narrow, cmds),
            StartMode::Demo => demo_ui(ui, s, lang, narrow, cmds),
        }
    });
}

/// "Nama Anda" (required): `true` when filled in.
fn member_ui(ui: &mut egui::Ui, s: &mut StartUi, lang: Lang, hint: Option<&str>) -> bool {
    widgets::text_field(ui, &tr!(lang, "start.member"), &mut s.member, hint);
    let member_ok = !s.member.trim().is_empty();
    if s.tried && !member_ok {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    member_ok
}

/// The new book's passphrase, twice, with their errors (shown once the form was tried or
/// the field typed in), then the form's error: `true` when both are good and the same.
fn new_passphrase_ui(ui: &mut egui::Ui, s: &mut StartUi, lang: Lang) -> bool {
    let show = s.tried;
    ui.add_space(8.0);
    ui.label(RichText::new(tr!(lang, "start.pass_intro")).weak());
    widgets::password_field(ui, &tr!(lang, "start.pass"), &mut s.pass);
    let pass_ok = s.pass.chars().count() >= MIN_PASS;
    if (show || !s.pass.is_empty()) && !pass_ok {
        widgets::field_error(ui, &tr!(lang, "start.pass_short", n = MIN_PASS));
    }
    widgets::password_field(ui, &tr!(lang, "start.pass2"), &mut s.pass2);
    let same = s.pass == s.pass2;
    if (show || !s.pass2.is_empty()) && !same {
        widgets::field_error(ui, &tr!(lang, "start.pass_differ"));
    }
    if let Some(e) = &s.error {
        widgets::field_error(ui, e);
    }
    pass_ok && same
}

/// "Coba dengan data contoh": the member's name and the passphrase of a new book filled with
/// the sample RW (RW 08 Sorosutan, 2025, invented people).
fn demo_ui(ui: &mut egui::Ui, s: &mut StartUi, lang: Lang, narrow: bool, cmds: &mut Vec<Command>) {
    ui.heading(tr!(lang, "start.demo"));
    ui.label(tr!(lang, "start.demo_intro"));
    let member_ok = member_ui(ui, s, lang, None);
    let pass_ok = new_passphrase_ui(ui, s, lang);
    ui.add_space(12.0);
    if widgets::primary_button(ui, tr!(lang, "start.demo_button"), narrow).clicked() {
        s.tried = true;
        if member_ok && pass_ok {
            cmds.push(Command::CreateDemo {
                member: s.member.trim().to_string(),
                passphrase: s.pass.clone(),
            });
        }
    }
    ui.add_space(8.0);
    if ui
        .add(widgets::big_button(tr!(lang, "app.back"), narrow))
        .clicked()
    {
        cmds.push(Command::BackToStart);
    }
}

/// "Gabung dengan undangan": the invite (its text, or the short code read aloud), the
/// member's name and the passphrase of the new book.
fn join_ui(ui: &mut egui::Ui, s: &mut StartUi, lang: Lang, narrow: bool, cmds: &mut Vec<Command>) {
    ui.heading(tr!(lang, "start.join"));
    ui.label(tr!(lang, "start.join_intro"));
    let show = s.tried;
    widgets::text_area(ui, &tr!(lang, "start.ticket"), &mut s.ticket);
    let invite_ok = !s.ticket.trim().is_empty();
    if show && !invite_ok {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    let member_ok = member_ui(ui, s, lang, None);
    let pass_ok = new_passphrase_ui(ui, s, lang);
    ui.add_space(8.0);
    ui.label(RichText::new(tr!(lang, "start.join_network")).weak());
    ui.add_space(8.0);
    if widgets::primary_button(ui, tr!(lang, "start.join_button"), narrow).clicked() {
        s.tried = true;
        if invite_ok && member_ok && pass_ok {
            cmds.push(Command::JoinGroup {
                invite: s.ticket.trim().to_string(),
                name: s.member.trim().to_string(),
                passphrase: s.pass.clone(),
            });
        }
    }
    ui.add_space(8.0);
    if ui
        .add(widgets::big_button(tr!(lang, "app.back"), narrow))
        .clicked()
    {
        cmds.push(Command::BackToStart);
    }
}

fn create_ui(
    ui: &mut egui::Ui,
    s: &mut StartUi,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    ui.heading(tr!(lang, "start.create"));
    ui.label(tr!(lang, "start.create_intro"));
    ui.add_space(8.0);
    let show = s.tried;
    widgets::text_field(
        ui,
        &tr!(lang, "start.group_name"),
        &mut s.name,
        Some("Warga Rukun"),
    );
    let name_ok = !s.name.trim().is_empty();
    if show && !name_ok {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    widgets::text_field(
        ui,
        &tr!(lang, "start.kelurahan"),
        &mut s.kelurahan,
        Some("Sorosutan"),
    );
    let kel_ok = !s.kelurahan.trim().is_empty();
    if show && !kel_ok {
        widgets::field_error(ui, &tr!(lang, "form.required"));
    }
    widgets::text_field(
        ui,
        &tr!(lang, "start.kode_wilayah"),
        &mut s.kode_wilayah,
        Some("34.71.13.1006"),
    );
    let kode = rules::KodeWilayah::parse(&s.kode_wilayah);
    if let Err(e) = &kode
        && (show || !s.kode_wilayah.is_empty())
    {
        widgets::field_error(ui, &e.to_string());
    }
    widgets::text_field(ui, &tr!(lang, "start.rw"), &mut s.rw, Some("8"));
    let rw = rules::parse_rw(&s.rw);
    if let Err(e) = &rw
        && (show || !s.rw.is_empty())
    {
        widgets::field_error(ui, &e.to_string());
    }
    widgets::text_field(ui, &tr!(lang, "start.rts"), &mut s.rts, Some("27, 28, 29"));
    let rts: Result<Vec<u16>, String> = s
        .rts
        .split([',', ' '])
        .filter(|x| !x.trim().is_empty())
        .map(|x| rules::parse_rt(x).map_err(|e| e.to_string()))
        .collect();
    let rts = match rts {
        Ok(v) if v.is_empty() => Err(tr!(lang, "form.required").into_owned()),
        other => other,
    };
    if let Err(e) = &rts
        && (show || !s.rts.is_empty())
    {
        widgets::field_error(ui, e);
    }
    let member_ok = member_ui(ui, s, lang, Some("Bu Sri"));
    let pass_ok = new_passphrase_ui(ui, s, lang);
    ui.add_space(12.0);
    if widgets::primary_button(ui, tr!(lang, "start.create_button"), narrow).clicked() {
        s.tried = true;
        if let (Ok(kode), Ok(rw), Ok(rts), true, true, true, true) =
            (&kode, rw, &rts, name_ok, kel_ok, member_ok, pass_ok)
        {
            cmds.push(Command::CreateGroup {
                init: GroupInit {
                    name: s.name.trim().to_string(),
                    kelurahan: s.kelurahan.trim().to_string(),
                    kode_wilayah: kode.to_string(),
                    rw,
                    rts: rts.clone(),
                    member_name: s.member.trim().to_string(),
                },
                passphrase: s.pass.clone(),
            });
        }
    }
    ui.add_space(8.0);
    if ui
        .add(widgets::big_button(tr!(lang, "app.back"), narrow))
        .clicked()
    {
        cmds.push(Command::BackToStart);
    }
}

pub(crate) fn lock_ui(ui: &mut egui::Ui, s: &mut LockUi, lang: Lang, cmds: &mut Vec<Command>) {
    ui.vertical(|ui| {
        ui.set_max_width(ui.available_width().min(480.0));
        ui.add_space(24.0);
        ui.heading(tr!(lang, "lock.title"));
        ui.label(tr!(lang, "lock.intro"));
        ui.add_space(8.0);
        let r = widgets::password_field(ui, &tr!(lang, "lock.pass"), &mut s.pass);
        if !s.focused {
            // The keyboard goes straight to the passphrase.
            r.request_focus();
            s.focused = true;
        }
        if let Some(e) = &s.error {
            widgets::field_error(ui, e);
        }
        ui.add_space(8.0);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if widgets::primary_button(ui, tr!(lang, "lock.open"), true).clicked() || enter {
            cmds.push(Command::Unlock(std::mem::take(&mut s.pass)));
        }
        ui.add_space(24.0);
        widgets::lang_picker(ui, lang, cmds);
    });
}
