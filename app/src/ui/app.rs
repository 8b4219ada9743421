//! The app shell: top bar, navigation (a side panel on a wide window, a drawer on a
//! phone), the notice line, the current screen, then the commands of the frame.

use std::path::PathBuf;

use egui::{Align, Layout, RichText, Vec2};
use rukun_model::Book;

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::index::Index;
use crate::screens;
use crate::settings::Settings;
use crate::state::{AppState, Phase, Screen, Session};
use crate::widgets::{self, NARROW};

/// How the app is started.
#[derive(Debug, Clone)]
pub struct AppOptions {
    /// The book folder (one folder is one device's copy). `None`: in memory (tests).
    pub book_dir: Option<PathBuf>,
    /// The settings file; `None`: settings are not remembered (tests).
    pub settings_path: Option<PathBuf>,
    /// Create books with the cheap key derivation (tests only).
    pub fast_kdf: bool,
    /// Run unlocking, creating and exporting on a background thread (the real app); tests
    /// run them inline so that each step is deterministic.
    pub background: bool,
    /// Lock after the idle time of the settings.
    pub idle_lock: bool,
    /// Keep an iroh endpoint listening while the Sinkron screen is open (off in screenshot
    /// tests, which must not depend on a network).
    pub listen: bool,
    /// Where the endpoint binds: all interfaces (`0.0.0.0:0`) for the meeting's Wi-Fi or
    /// hotspot; `127.0.0.1:0` in tests.
    pub bind: std::net::SocketAddr,
    /// Tickets (`rukunpeer…`) of devices taken as found nearby when joining with a short
    /// code, before mDNS is asked (tests on loopback, where there is no multicast).
    pub known_peers: Vec<String>,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            book_dir: None,
            settings_path: None,
            fast_kdf: false,
            background: true,
            idle_lock: true,
            listen: true,
            bind: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            known_peers: Vec::new(),
        }
    }
}

/// The app: its state, and [`RukunApp::show`] to draw a frame and apply its commands.
pub struct RukunApp {
    state: AppState,
    styled: Option<bool>,
}

impl RukunApp {
    /// The app on `opts.book_dir`: locked when a book is there, the first start otherwise.
    pub fn new(opts: AppOptions) -> RukunApp {
        let settings = opts
            .settings_path
            .as_deref()
            .map(Settings::load)
            .unwrap_or_default();
        let phase = match &opts.book_dir {
            Some(dir) if crate::state::book_exists(dir) => Phase::Locked(Default::default()),
            _ => Phase::Start(Default::default()),
        };
        RukunApp {
            state: AppState {
                opts,
                settings,
                phase,
                notice: None,
                jobs: Vec::new(),
                deferred: Vec::new(),
                last_activity: 0.0,
                join_left: None,
            },
            styled: None,
        }
    }

    /// The app already open on `book` (an in-memory book in tests and benchmarks);
    /// `passphrase` unlocks it again after a lock.
    pub fn with_book(mut book: Book, passphrase: &str, opts: AppOptions) -> RukunApp {
        let mut app = RukunApp::new(AppOptions {
            book_dir: None,
            ..opts
        });
        let idx = Index::build(&mut book);
        let mut session = Session::new(book, idx, None);
        session.memory_passphrase = Some(passphrase.to_string());
        app.state.phase = Phase::Open(Box::new(session));
        app
    }

    /// The language shown.
    pub fn lang(&self) -> Lang {
        self.state.lang()
    }

    /// Whether a book is open (not locked, not at the first start).
    pub fn is_open(&self) -> bool {
        matches!(self.state.phase, Phase::Open(_))
    }

    /// Shows the screen whose title (in the current language) is `title`; false when no
    /// book is open or no screen has that title.
    pub fn navigate(&mut self, title: &str) -> bool {
        let lang = self.state.lang();
        let Phase::Open(session) = &mut self.state.phase else {
            return false;
        };
        match Screen::ALL.into_iter().find(|s| s.title(lang) == title) {
            Some(screen) => {
                session.screen = screen;
                true
            }
            None => false,
        }
    }

    /// Sets the Rumah Tangga search text, as typing it would (benchmarks).
    pub fn set_household_search(&mut self, text: &str) {
        if let Phase::Open(session) = &mut self.state.phase
            && session.households.search != text
        {
            session.households.search = text.to_string();
            session.households.refilter(&session.idx);
        }
    }

    /// Locks now, as the idle timer does.
    pub fn lock(&mut self) {
        self.state.lock();
    }

    /// Draws one frame into `ui`, then applies the commands the screens gave.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.state.poll_jobs();
        self.state.retry_deferred(&ctx);
        self.state.watch_idle(&ctx);
        let narrow = ui.available_width() < NARROW;
        if self.styled != Some(narrow) {
            widgets::install_style(&ctx, narrow);
            self.styled = Some(narrow);
        }
        let mut cmds = Vec::new();
        frame_ui(ui, &mut self.state, narrow, &mut cmds);
        for cmd in cmds {
            self.state.apply(&ctx, cmd);
        }
        self.state.tend_meeting(&ctx);
        if !self.state.jobs.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl eframe::App for RukunApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }
}

/// Opens the window and runs the app until it is closed.
pub fn run_native(opts: AppOptions) -> Result<(), eframe::Error> {
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rukun")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([320.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Rukun",
        native,
        Box::new(move |_cc| Ok(Box::new(RukunApp::new(opts)))),
    )
}

fn frame_ui(ui: &mut egui::Ui, state: &mut AppState, narrow: bool, cmds: &mut Vec<Command>) {
    let lang = state.lang();
    let open = matches!(state.phase, Phase::Open(_));
    egui::Panel::top("top_bar").show(ui, |ui| {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            // The lock button first (on the right), so a long title is cut, not overlapped.
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if open {
                    let lock = ui
                        .add(widgets::big_button(tr!(lang, "app.lock"), narrow))
                        .on_hover_text(tr!(lang, "app.lock_hint"));
                    if lock.clicked() {
                        cmds.push(Command::Lock);
                    }
                }
                ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                    if open && narrow {
                        let r = ui.add(widgets::big_button(tr!(lang, "app.menu"), narrow));
                        if r.clicked() {
                            cmds.push(Command::ToggleNav);
                        }
                    }
                    let title = match &state.phase {
                        Phase::Open(s) if narrow => s.screen.title(lang),
                        Phase::Open(s) => s.idx.group.name.clone(),
                        _ => "Rukun".to_string(),
                    };
                    ui.add(egui::Label::new(RichText::new(title).heading().strong()).truncate());
                });
            });
        });
        ui.add_space(4.0);
    });
    if let Some(n) = state.notice.clone() {
        egui::Panel::bottom("notice").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal_wrapped(|ui| {
                let color = if n.error {
                    ui.visuals().error_fg_color
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(&n.text).color(color));
                if ui.button(tr!(lang, "app.dismiss")).clicked() {
                    cmds.push(Command::DismissNotice);
                }
            });
            ui.add_space(4.0);
        });
    }
    for job in &state.jobs {
        if job.label.is_empty() {
            continue;
        }
        egui::Panel::bottom(("job", job.label.as_str())).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(&job.label);
            });
            let f = job.progress.as_ref().map_or(0.0, |p| p.0);
            ui.add(egui::ProgressBar::new(f).show_percentage());
        });
    }
    match &mut state.phase {
        Phase::Start(start) => {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                screens::start::start_ui(ui, start, lang, narrow, cmds);
            });
        }
        Phase::Locked(lock) => {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                screens::start::lock_ui(ui, lock, lang, cmds);
            });
        }
        Phase::Working(label) => {
            egui::CentralPanel::default_margins().show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.add_space(80.0);
                    ui.spinner();
                    ui.label(label.as_str());
                });
            });
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
        Phase::Open(session) => {
            let settings = state.settings.clone();
            if !narrow {
                egui::Panel::left("nav")
                    .resizable(false)
                    .exact_size(200.0)
                    .show(ui, |ui| nav_ui(ui, session, lang, narrow, cmds));
            }
            egui::CentralPanel::default_margins().show(ui, |ui| {
                if narrow && session.nav_open {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        nav_ui(ui, session, lang, narrow, cmds);
                    });
                    return;
                }
                screen_ui(ui, session, &settings, narrow, cmds);
            });
        }
    }
}

fn nav_ui(ui: &mut egui::Ui, s: &Session, lang: Lang, narrow: bool, cmds: &mut Vec<Command>) {
    ui.add_space(8.0);
    for screen in Screen::ALL {
        let selected = s.screen == screen;
        let text = RichText::new(screen.title(lang)).size(if narrow { 18.0 } else { 15.0 });
        let button = egui::Button::selectable(selected, text).min_size(Vec2::new(
            ui.available_width(),
            if narrow { 48.0 } else { 36.0 },
        ));
        if ui.add(button).clicked() {
            cmds.push(Command::Navigate(screen));
        }
    }
}

fn screen_ui(
    ui: &mut egui::Ui,
    s: &mut Session,
    settings: &Settings,
    narrow: bool,
    cmds: &mut Vec<Command>,
) {
    let lang = settings.lang;
    match s.screen {
        Screen::Beranda => screens::beranda::beranda_ui(ui, s, settings, narrow, cmds),
        Screen::RumahTangga => screens::households::households_ui(ui, s, lang, narrow, cmds),
        Screen::Pmks => screens::pmks::pmks_ui(ui, s, lang, narrow, cmds),
        Screen::Donatur => screens::donors::donors_ui(ui, s, lang, narrow, cmds),
        Screen::Santunan => screens::santunan::santunan_ui(ui, s, lang, narrow, cmds),
        Screen::Kas => screens::kas::kas_ui(ui, s, lang, narrow, cmds),
        Screen::Laporan => screens::laporan::laporan_ui(ui, s, lang, narrow, cmds),
        Screen::Sinkron => screens::sinkron::sinkron_ui(ui, s, lang, narrow, cmds),
        Screen::Tinjau => screens::tinjau::tinjau_ui(ui, s, lang, narrow, cmds),
    }
}
