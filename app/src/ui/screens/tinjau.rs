//! Tinjau: concurrent edits (conflicts) with who wrote each value, decided with a tap, and
//! likely duplicate households (same KK, same NIK, same head with a similar address),
//! merged with a tap. Read from the book when the screen opens and after each decision.

use egui::RichText;
use rukun_model::{Book, Evidence, RecordKind};

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::state::Session;
use crate::widgets;

/// One value of a conflict, ready to show.
#[derive(Debug, Clone)]
pub(crate) struct ValueVm {
    text: String,
    who: String,
}

/// One conflict.
#[derive(Debug, Clone)]
pub(crate) struct ConflictVm {
    kind: RecordKind,
    record: String,
    path: String,
    field: String,
    label: String,
    values: Vec<ValueVm>,
}

/// One likely duplicate pair.
#[derive(Debug, Clone)]
pub(crate) struct DuplicateVm {
    a: String,
    b: String,
    labels: [String; 2],
    evidence: String,
    score: f64,
}

/// What the review screen shows.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReviewVm {
    conflicts: Vec<ConflictVm>,
    duplicates: Vec<DuplicateVm>,
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) if s.is_empty() => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        other => other.to_string(),
    }
}

impl ReviewVm {
    /// Reads the conflicts and duplicates of the book.
    pub(crate) fn build(book: &Book) -> ReviewVm {
        let conflicts = book
            .conflicts()
            .into_iter()
            .map(|c| ConflictVm {
                kind: c.kind,
                record: c.record,
                field: c.field.rsplit('.').next().unwrap_or(&c.field).to_string(),
                path: c.field,
                label: c.label,
                values: c
                    .values
                    .iter()
                    .map(|v| ValueVm {
                        text: value_text(&v.value),
                        who: [
                            v.author_name.clone().unwrap_or_default(),
                            v.at.as_deref()
                                .map(widgets::date_short_instant)
                                .unwrap_or_default(),
                        ]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                    })
                    .collect(),
            })
            .collect();
        let duplicates = book
            .duplicate_households()
            .into_iter()
            .map(|d| DuplicateVm {
                evidence: d
                    .evidence
                    .iter()
                    .map(|e| match e {
                        Evidence::SameKk { no_kk } => format!("KK {no_kk}"),
                        Evidence::SameNik { nik } => format!("NIK {nik}"),
                        Evidence::SameHeadSimilarAddress {
                            address_similarity, ..
                        } => tr!(
                            Lang::Id,
                            "tinjau.alamat_mirip",
                            n = format!("{:.0}", address_similarity * 100.0)
                        )
                        .into_owned(),
                    })
                    .collect::<Vec<_>>()
                    .join(" · "),
                a: d.a,
                b: d.b,
                labels: d.labels,
                score: d.score,
            })
            .collect();
        ReviewVm {
            conflicts,
            duplicates,
        }
    }
}

pub(crate) fn tinjau_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    lang: Lang,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let Some(review) = &s.review else {
        cmds.push(Command::RefreshReview);
        ui.spinner();
        return;
    };
    egui::ScrollArea::vertical()
        .id_salt("tinjau")
        .show(ui, |ui| {
            ui.set_max_width(ui.available_width().min(760.0));
            ui.label(RichText::new(tr!(lang, "tinjau.intro")).weak());
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "tinjau.konflik_n", n = review.conflicts.len()));
                if review.conflicts.is_empty() {
                    ui.label(RichText::new(tr!(lang, "tinjau.tidak_ada")).weak());
                }
                for c in review.conflicts.iter().take(50) {
                    ui.label(RichText::new(format!("{} · {}", c.label, c.field)).strong());
                    for (i, v) in c.values.iter().enumerate() {
                        let who = if v.who.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", v.who)
                        };
                        let text = tr!(lang, "tinjau.pilih", value = format!("{}{who}", v.text));
                        if ui.add(widgets::big_button(text, narrow)).clicked() {
                            cmds.push(Command::ResolveConflict {
                                kind: c.kind,
                                record: c.record.clone(),
                                path: c.path.clone(),
                                pick: i,
                            });
                        }
                    }
                    ui.separator();
                }
            });
            widgets::card(ui, |ui| {
                ui.strong(tr!(lang, "tinjau.ganda_n", n = review.duplicates.len()));
                if review.duplicates.is_empty() {
                    ui.label(RichText::new(tr!(lang, "tinjau.tidak_ada")).weak());
                }
                for d in review.duplicates.iter().take(50) {
                    ui.label(
                        RichText::new(format!("{} · {:.0}%", d.evidence, d.score * 100.0)).weak(),
                    );
                    for (id, label) in [(&d.a, &d.labels[0]), (&d.b, &d.labels[1])] {
                        let text = tr!(lang, "tinjau.buka", name = label);
                        if ui.add(widgets::big_button(text, narrow)).clicked() {
                            cmds.push(Command::OpenHousehold(id.clone()));
                        }
                    }
                    let text = tr!(lang, "tinjau.gabung", name = &d.labels[0]);
                    if ui.add(widgets::big_button(text, narrow)).clicked() {
                        cmds.push(Command::MergeHouseholds {
                            keep: d.a.clone(),
                            other: d.b.clone(),
                        });
                    }
                    ui.separator();
                }
            });
        });
}
