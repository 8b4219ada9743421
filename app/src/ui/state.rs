//! App state apart from drawing: the phase (first start, locked, open) and the open book
//! with its view models and the state of each screen's forms. What screens ask for is in
//! [`crate::command`]; work off the UI thread is in [`crate::jobs`].

use std::path::PathBuf;

use rukun_model::Book;
use rukun_model::storage::BookStore;

use crate::command::Command;
use crate::held::{self, SharedBook};
use crate::i18n::tr;
use crate::index::Index;
use crate::jobs::{Job, JoinLeft};
use crate::settings::Settings;
use crate::{AppOptions, Lang, screens};

/// The screens of an open book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Screen {
    Beranda,
    RumahTangga,
    Pmks,
    Donatur,
    Santunan,
    Kas,
    Laporan,
    Sinkron,
    Tinjau,
}

impl Screen {
    pub(crate) const ALL: [Screen; 9] = [
        Screen::Beranda,
        Screen::RumahTangga,
        Screen::Pmks,
        Screen::Donatur,
        Screen::Santunan,
        Screen::Kas,
        Screen::Laporan,
        Screen::Sinkron,
        Screen::Tinjau,
    ];

    pub(crate) fn title(self, lang: Lang) -> String {
        match self {
            Screen::Beranda => tr!(lang, "nav.beranda"),
            Screen::RumahTangga => tr!(lang, "nav.rumah_tangga"),
            Screen::Pmks => tr!(lang, "nav.pmks"),
            Screen::Donatur => tr!(lang, "nav.donatur"),
            Screen::Santunan => tr!(lang, "nav.santunan"),
            Screen::Kas => tr!(lang, "nav.kas"),
            Screen::Laporan => tr!(lang, "nav.laporan"),
            Screen::Sinkron => tr!(lang, "nav.sinkron"),
            Screen::Tinjau => tr!(lang, "nav.tinjau"),
        }
        .into_owned()
    }
}

/// A message shown under the top bar until dismissed or replaced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Notice {
    pub(crate) text: String,
    pub(crate) error: bool,
}

/// Where the app is.
pub(crate) enum Phase {
    /// No book on this device yet: create a group or join one.
    Start(screens::start::StartUi),
    /// A book exists and is locked.
    Locked(screens::start::LockUi),
    /// A background job (unlock, create) runs; the label says which.
    Working(String),
    /// The book is open.
    Open(Box<Session>),
}

/// An open book with its view models and the state of each screen's forms.
pub(crate) struct Session {
    /// The book, shared with the listening node while Sinkron is open.
    pub(crate) book: SharedBook,
    /// The node listening while Sinkron is open.
    #[cfg(feature = "sync")]
    pub(crate) listener: Option<crate::jobs::sync::Listener>,
    pub(crate) dir: Option<PathBuf>,
    /// For an in-memory book (tests), the passphrase that unlocks it again.
    pub(crate) memory_passphrase: Option<String>,
    pub(crate) idx: Index,
    pub(crate) screen: Screen,
    pub(crate) nav_open: bool,
    pub(crate) households: screens::households::HouseholdsUi,
    pub(crate) pmks: screens::pmks::PmksUi,
    pub(crate) donors: screens::donors::DonorsUi,
    pub(crate) santunan: screens::santunan::SantunanUi,
    pub(crate) kas: screens::kas::KasUi,
    pub(crate) laporan: screens::laporan::LaporanUi,
    pub(crate) sinkron: screens::sinkron::SinkronUi,
    /// Conflicts and duplicates, read when Tinjau opens; `None` after any change.
    pub(crate) review: Option<screens::tinjau::ReviewVm>,
}

impl Session {
    pub(crate) fn new(book: Book, idx: Index, dir: Option<PathBuf>) -> Session {
        let mut households = screens::households::HouseholdsUi::default();
        households.refilter(&idx);
        let mut pmks = screens::pmks::PmksUi::default();
        pmks.refilter(&idx);
        Session {
            book: held::share(book),
            #[cfg(feature = "sync")]
            listener: None,
            dir,
            memory_passphrase: None,
            idx,
            screen: Screen::Beranda,
            nav_open: false,
            households,
            pmks,
            donors: Default::default(),
            santunan: Default::default(),
            kas: Default::default(),
            laporan: Default::default(),
            sinkron: Default::default(),
            review: None,
        }
    }
}

/// The whole state of the app.
pub(crate) struct AppState {
    pub(crate) opts: AppOptions,
    pub(crate) settings: Settings,
    pub(crate) phase: Phase,
    pub(crate) notice: Option<Notice>,
    pub(crate) jobs: Vec<Job>,
    /// Commands that could not run yet because a job holds the book.
    pub(crate) deferred: Vec<Command>,
    pub(crate) last_activity: f64,
    /// A join cut after its invite was granted, continued by the next join with that invite.
    pub(crate) join_left: Option<JoinLeft>,
}

impl AppState {
    pub(crate) fn lang(&self) -> Lang {
        self.settings.lang
    }

    pub(crate) fn session(&self) -> Option<&Session> {
        match &self.phase {
            Phase::Open(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn set_notice(&mut self, text: impl Into<String>, error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            error,
        });
    }

    pub(crate) fn save_settings(&mut self) {
        if let Some(path) = &self.opts.settings_path
            && let Err(e) = self.settings.save(path)
        {
            tracing::warn!("could not save settings to {}: {e}", path.display());
        }
    }

    /// Locks: a book on disk is closed (its decrypted data dropped); an in-memory book is
    /// held aside until its passphrase is given again.
    pub(crate) fn lock(&mut self) {
        if !self.jobs.is_empty() {
            // An export or sync holds the book; lock when it is done.
            return;
        }
        let phase = std::mem::replace(&mut self.phase, Phase::Working(String::new()));
        self.phase = match phase {
            Phase::Open(s) if s.dir.is_none() => {
                #[cfg(feature = "sync")]
                let s = {
                    let mut s = s;
                    if let Some(l) = s.listener.take() {
                        l.stop();
                    }
                    s
                };
                Phase::Locked(screens::start::LockUi {
                    held: Some(s),
                    ..Default::default()
                })
            }
            Phase::Open(s) => {
                drop(s);
                Phase::Locked(Default::default())
            }
            other => other,
        };
        self.notice = None;
        self.deferred.clear();
    }

    /// Notes input, and locks after the idle time.
    pub(crate) fn watch_idle(&mut self, ctx: &egui::Context) {
        let (now, active) = ctx.input(|i| {
            (
                i.time,
                !i.events.is_empty() || i.pointer.any_down() || i.pointer.is_moving(),
            )
        });
        if active || self.last_activity == 0.0 {
            self.last_activity = now;
        }
        if matches!(self.phase, Phase::Open(_)) && self.opts.idle_lock {
            let limit = f64::from(self.settings.idle_lock_minutes.max(1)) * 60.0;
            if now - self.last_activity > limit {
                self.lock();
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs(15));
            }
        }
    }

    pub(crate) fn retry_deferred(&mut self, ctx: &egui::Context) {
        if self.deferred.is_empty() {
            return;
        }
        for cmd in std::mem::take(&mut self.deferred) {
            self.apply(ctx, cmd);
        }
    }
}
/// Whether the first start screen is needed for `dir`.
pub(crate) fn book_exists(dir: &std::path::Path) -> bool {
    BookStore::exists(dir)
}
