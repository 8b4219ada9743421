//! Small building blocks shared by the screens: labelled inputs (every input is linked to
//! its visible label for screen readers and tests), big touch targets on a phone, messages
//! next to a field, the language picker, money and date display.

use egui::{Color32, ComboBox, Response, RichText, TextEdit, Vec2};
use rukun_model::rules::{self, Rupiah};
use rust_decimal::Decimal;

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;

/// Below this width (logical points) the app lays out one column with big touch targets.
pub(crate) const NARROW: f32 = 600.0;

/// Amber for warnings (readable on the light theme).
pub(crate) const WARN: Color32 = Color32::from_rgb(0x9a, 0x5b, 0x00);
/// Green for money in and good news.
pub(crate) const GOOD: Color32 = Color32::from_rgb(0x1b, 0x6e, 0x2e);

/// Sizes for a phone (finger) or a laptop (mouse).
pub(crate) fn install_style(ctx: &egui::Context, narrow: bool) {
    ctx.set_visuals(egui::Visuals::light());
    ctx.all_styles_mut(|style| {
        use egui::{FontFamily, FontId, TextStyle};
        let body = if narrow { 17.0 } else { 15.0 };
        style.text_styles = [
            (
                TextStyle::Heading,
                FontId::new(body + 6.0, FontFamily::Proportional),
            ),
            (TextStyle::Body, FontId::new(body, FontFamily::Proportional)),
            (
                TextStyle::Monospace,
                FontId::new(body - 1.0, FontFamily::Monospace),
            ),
            (
                TextStyle::Button,
                FontId::new(body, FontFamily::Proportional),
            ),
            (
                TextStyle::Small,
                FontId::new(body - 3.0, FontFamily::Proportional),
            ),
        ]
        .into();
        style.spacing.interact_size.y = if narrow { 44.0 } else { 30.0 };
        style.spacing.button_padding = if narrow {
            Vec2::new(12.0, 8.0)
        } else {
            Vec2::new(8.0, 4.0)
        };
        style.spacing.item_spacing = Vec2::new(8.0, if narrow { 8.0 } else { 6.0 });
        style.spacing.combo_height = 400.0;
    });
}

/// A button at least as tall as a fingertip on a phone.
pub(crate) fn big_button<'a>(text: impl Into<egui::WidgetText>, narrow: bool) -> egui::Button<'a> {
    let h = if narrow { 44.0 } else { 30.0 };
    egui::Button::new(text.into()).min_size(Vec2::new(h, h))
}

/// The main action of a form: full width on a phone, filled.
pub(crate) fn primary_button(ui: &mut egui::Ui, text: impl Into<String>, narrow: bool) -> Response {
    let text = RichText::new(text.into()).strong().color(Color32::WHITE);
    let width = if narrow { ui.available_width() } else { 0.0 };
    let h = if narrow { 48.0 } else { 34.0 };
    ui.add(
        egui::Button::new(text)
            .fill(Color32::from_rgb(0x0b, 0x5c, 0x8a))
            .min_size(Vec2::new(width, h)),
    )
}

/// A text input under its label, linked to it. Returns the input's response.
pub(crate) fn text_field(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    hint: Option<&str>,
) -> Response {
    let l = ui.label(label);
    let mut edit = TextEdit::singleline(value).desired_width(field_width(ui));
    if let Some(h) = hint {
        edit = edit.hint_text(h.to_string());
    }
    ui.add(edit).labelled_by(l.id)
}

/// A multi-line text input under its label.
pub(crate) fn text_area(ui: &mut egui::Ui, label: &str, value: &mut String) -> Response {
    let l = ui.label(label);
    ui.add(
        TextEdit::multiline(value)
            .desired_rows(2)
            .desired_width(field_width(ui)),
    )
    .labelled_by(l.id)
}

/// A password input under its label.
pub(crate) fn password_field(ui: &mut egui::Ui, label: &str, value: &mut String) -> Response {
    let l = ui.label(label);
    ui.add(
        TextEdit::singleline(value)
            .password(true)
            .desired_width(field_width(ui)),
    )
    .labelled_by(l.id)
}

/// Width of an input: the room left (less the input's own margins and a floating scroll
/// bar), at most 520 points.
pub(crate) fn field_width(ui: &egui::Ui) -> f32 {
    (ui.available_width() - 18.0).clamp(60.0, 520.0)
}

/// A closed list under its label: `options` are (value, text) pairs; an empty value is "no
/// answer". Returns the combo's response.
pub(crate) fn combo<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    id_salt: impl egui::AsIdSalt,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) -> Response {
    let l = ui.label(label);
    let selected = options
        .iter()
        .find(|(v, _)| v == value)
        .map(|(_, t)| t.clone())
        .unwrap_or_else(|| "—".to_string());
    let inner = ComboBox::from_id_salt(id_salt)
        .selected_text(selected)
        .width(field_width(ui) - 8.0)
        .show_ui(ui, |ui| {
            for (v, text) in options {
                ui.selectable_value(value, v.clone(), text.as_str());
            }
        });
    inner.response.labelled_by(l.id)
}

/// A closed list of codes under its label: each option with its label (a code enum's
/// `all()` mapped to `(value, label)`).
pub(crate) fn choice<T: PartialEq + Clone>(
    ui: &mut egui::Ui,
    id_salt: impl egui::AsIdSalt,
    label: &str,
    value: &mut T,
    options: impl Iterator<Item = (T, &'static str)>,
) -> Response {
    let options: Vec<(T, String)> = options.map(|(v, t)| (v, t.to_string())).collect();
    combo(ui, id_salt, label, value, &options)
}

/// An error message under a field.
pub(crate) fn field_error(ui: &mut egui::Ui, msg: &str) {
    let color = ui.visuals().error_fg_color;
    ui.label(RichText::new(format!("× {msg}")).color(color));
}

/// A warning under a field: shown, never blocking.
pub(crate) fn field_warning(ui: &mut egui::Ui, msg: &str) {
    ui.label(RichText::new(format!("! {msg}")).color(WARN));
}

/// The language picker (remembered in the settings file).
pub(crate) fn lang_picker(ui: &mut egui::Ui, lang: Lang, cmds: &mut Vec<Command>) {
    let mut chosen = lang;
    let options: Vec<(Lang, String)> = Lang::all()
        .into_iter()
        .map(|l| (l, l.native_name().to_string()))
        .collect();
    combo(
        ui,
        "lang",
        &tr!(lang, "app.language"),
        &mut chosen,
        &options,
    );
    if chosen != lang {
        cmds.push(Command::SetLang(chosen));
    }
}

/// A labelled value on one line: "Label: value".
pub(crate) fn kv(ui: &mut egui::Ui, label: &str, value: impl Into<String>) {
    ui.scope(|ui| {
        // A row of text, not of touch targets: no finger-high minimum.
        ui.spacing_mut().interact_size.y = 0.0;
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("{label}:")).weak());
            ui.label(value.into());
        });
    });
}

/// A card: a framed group with a little inner margin.
pub(crate) fn card<R>(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::Frame::group(ui.style())
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui)
        })
        .inner
}

/// A signed balance: `Rp1.250.000` or `-Rp75.000`.
pub(crate) fn money(d: Decimal) -> String {
    rules::format_signed(d)
}

/// A rupiah amount: `Rp75.000`.
pub(crate) fn rp(r: Rupiah) -> String {
    r.to_string()
}

/// A stored `YYYY-MM-DD` shown as `17/08/2025` (or as stored when unreadable).
pub(crate) fn date_short(s: &str) -> String {
    rules::parse_date(s)
        .map(rules::format_date_short)
        .unwrap_or_else(|_| s.to_string())
}

/// A row of a short list whose text may wrap on a phone: a title, a weaker second line and
/// a rule, each as tall as its text (not a touch target).
pub(crate) fn text_row(ui: &mut egui::Ui, title: &str, subtitle: &str) {
    ui.label(title);
    ui.label(RichText::new(subtitle).small().weak());
    ui.separator();
}

/// A row of a long list: a title and a weaker second line, left-aligned, the whole row one
/// touch target. Cheaper than a button with wrapped text, and the same for a screen reader.
pub(crate) fn list_row(
    ui: &mut egui::Ui,
    height: f32,
    title: &str,
    subtitle: &str,
    selected: bool,
) -> Response {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), egui::Sense::click());
    let label = format!("{title}\n{subtitle}");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&response, selected);
        if selected || response.hovered() || response.has_focus() {
            ui.painter().rect_filled(rect, 4.0, visuals.weak_bg_fill);
        }
        let body = egui::TextStyle::Body.resolve(ui.style());
        let small = egui::TextStyle::Small.resolve(ui.style());
        let pad = 8.0;
        let max_w = (width - 2.0 * pad).max(10.0);
        let strong = ui.visuals().strong_text_color();
        let weak = ui.visuals().weak_text_color();
        let title_g = ui.painter().layout(title.to_string(), body, strong, max_w);
        let sub_g = ui
            .painter()
            .layout(subtitle.to_string(), small, weak, max_w);
        let total = title_g.size().y + 2.0 + sub_g.size().y;
        let top = rect.center().y - total / 2.0;
        ui.painter()
            .galley(egui::pos2(rect.left() + pad, top), title_g.clone(), strong);
        ui.painter().galley(
            egui::pos2(rect.left() + pad, top + title_g.size().y + 2.0),
            sub_g,
            weak,
        );
        ui.painter().hline(
            rect.x_range(),
            rect.bottom(),
            egui::Stroke::new(0.5, ui.visuals().widgets.noninteractive.bg_stroke.color),
        );
    }
    response
}

/// A stored UTC instant (RFC 3339) shown as its WIB date `17/08/2025`.
pub(crate) fn date_short_instant(s: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| rules::format_date_short(rules::wib_date(t.with_timezone(&chrono::Utc))))
        .unwrap_or_else(|_| s.to_string())
}
