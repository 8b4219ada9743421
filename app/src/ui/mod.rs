//! # rukun_ui: the screens of Rukun
//!
//! The app people hold: egui screens in Bahasa Indonesia (English selectable) for every
//! job of a WKSBM group — survey households, identify PMKS, issue receipts, pay santunan,
//! report, sync and review. The `rukun` binary opens [`RukunApp`] when it is run with no
//! subcommand; the tests and the frame benchmark drive the same [`RukunApp::show`].
//!
//! How it is built: [`RukunApp`] holds the state apart from drawing. Each screen's `*_ui`
//! function reads the state (view models built from the book once, kept up to date after
//! each command) and pushes commands, applied after the frame. Unlocking, creating a book,
//! exporting and syncing run off the UI thread and report progress through channels and
//! `request_repaint`. The language lives in the app state, not in a process-global.

rust_i18n::i18n!("locales", fallback = "id");

mod app;
mod command;
mod errors;
mod held;
mod i18n;
mod index;
mod jobs;
mod meeting;
mod screens;
mod settings;
mod state;
mod widgets;

pub use app::{AppOptions, RukunApp, run_native};
pub use i18n::Lang;
pub use settings::Settings;
