//! App state apart from drawing: the phase (first start, locked, open), the open book with
//! its view models, the commands that screens emit and how they are applied after a frame,
//! and the background jobs (unlock, create, export, sync) with their progress.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use chrono::Utc;
use rukun_model::rules::{self, Rupiah};
use rukun_model::storage::{BookStore, KdfParams};
use rukun_model::{Book, Disbursement, Donor, GroupInit, Household, Meeting, MemberId, Pmks};

use crate::held::{self, SharedBook};

use crate::i18n::tr;
use crate::index::Index;
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
    Laporan,
    Sinkron,
    Tinjau,
}

impl Screen {
    pub(crate) const ALL: [Screen; 8] = [
        Screen::Beranda,
        Screen::RumahTangga,
        Screen::Pmks,
        Screen::Donatur,
        Screen::Santunan,
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

/// What a screen asks for; applied after the frame by [`AppState::apply`].
#[derive(Debug, Clone)]
pub(crate) enum Command {
    Navigate(Screen),
    ToggleNav,
    SetLang(Lang),
    SetIdleMinutes(u32),
    DismissNotice,
    Lock,
    Unlock(String),
    ShowCreate,
    ShowJoin,
    /// Show the "Coba dengan data contoh" form.
    ShowDemo,
    /// Create a book filled with the sample RW (model's `create_demo`).
    CreateDemo {
        member: String,
        passphrase: String,
    },
    BackToStart,
    CreateGroup {
        init: GroupInit,
        passphrase: String,
    },
    NewHousehold,
    OpenHousehold(String),
    CloseHousehold,
    SaveHousehold {
        id: Option<String>,
        original: Option<Box<Household>>,
        edited: Box<Household>,
    },
    StartPmks {
        household_id: String,
        person_id: Option<String>,
    },
    AddPmks(Box<Pmks>),
    SavePmks {
        id: String,
        original: Box<Pmks>,
        edited: Box<Pmks>,
    },
    AddDonor(Box<Donor>),
    IssueReceipt {
        donor_id: String,
        jumlah: Rupiah,
        untuk: String,
    },
    VoidReceipt {
        nomor: String,
        alasan: String,
    },
    AddMeeting(Box<Meeting>),
    AddDisbursement(Box<Disbursement>),
    ExportCsv {
        folder: PathBuf,
    },
    RevokeMember(MemberId),
    /// Sync with the device of this ticket (text form `rukunpeer…`).
    SyncNow(String),
    /// Sync with this member, found nearby.
    SyncMember(MemberId),
    /// Sync with every member found nearby, one after the other.
    SyncAllNearby,
    /// Turn the search for members on this network (mDNS) on or off.
    SetDiscover(bool),
    /// Create a one-time invite (admins) for `role`, valid for `hours`.
    CreateInvite {
        role: rukun_model::Role,
        hours: u32,
    },
    /// First start: join a group with an invite (ticket text or short code).
    JoinGroup {
        invite: String,
        name: String,
        passphrase: String,
    },
    RefreshReview,
    ResolveConflict {
        kind: rukun_model::RecordKind,
        record: String,
        path: String,
        pick: usize,
    },
    MergeHouseholds {
        keep: String,
        other: String,
    },
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
    pub(crate) listener: Option<crate::net::Listener>,
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
            laporan: Default::default(),
            sinkron: Default::default(),
            review: None,
        }
    }
}

enum JobMsg {
    Progress(f32, String),
    Done(JobOutput),
}

pub(crate) enum JobOutput {
    Opened {
        book: Box<Book>,
        idx: Box<Index>,
        dir: PathBuf,
    },
    OpenFailed {
        message: String,
        creating: bool,
    },
    Exported {
        folder: PathBuf,
        files: usize,
    },
    Failed(String),
    /// Joining a group did not succeed: back to the join form, as typed, with this message;
    /// `left` holds a granted join whose book did not all arrive (the next tap continues it).
    #[cfg_attr(not(feature = "sync"), allow(dead_code))]
    JoinFailed {
        message: String,
        invite: String,
        name: String,
        left: Option<Box<JoinLeft>>,
    },
}

/// What a cut join leaves for the next tap on "Gabung": the invite text it was for and the
/// sync layer's resume (nothing in a build without sync).
#[cfg(feature = "sync")]
pub(crate) type JoinLeft = (String, rukun_sync::JoinResume);
/// What a cut join leaves for the next tap on "Gabung" (nothing in a build without sync).
#[cfg(not(feature = "sync"))]
pub(crate) type JoinLeft = ();

/// A background job and its last progress report.
pub(crate) struct Job {
    rx: Receiver<JobMsg>,
    pub(crate) label: String,
    pub(crate) progress: Option<(f32, String)>,
}

/// Reports progress from inside a job.
pub(crate) struct Progress {
    tx: Sender<JobMsg>,
    ctx: Option<egui::Context>,
}

impl Progress {
    pub(crate) fn report(&self, fraction: f32, text: impl Into<String>) {
        let _ = self.tx.send(JobMsg::Progress(fraction, text.into()));
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
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

    fn save_settings(&mut self) {
        if let Some(path) = &self.opts.settings_path
            && let Err(e) = self.settings.save(path)
        {
            tracing::warn!("could not save settings to {}: {e}", path.display());
        }
    }

    /// Runs `work` on a thread (or inline when the options say so, as tests do).
    pub(crate) fn spawn(
        &mut self,
        ctx: &egui::Context,
        label: String,
        work: impl FnOnce(&Progress) -> JobOutput + Send + 'static,
    ) {
        let (tx, rx) = mpsc::channel();
        let progress = Progress {
            tx: tx.clone(),
            ctx: Some(ctx.clone()),
        };
        if self.opts.background {
            let ctx = ctx.clone();
            let spawned = std::thread::Builder::new()
                .name("rukun-job".into())
                .spawn(move || {
                    let out = work(&progress);
                    let _ = tx.send(JobMsg::Done(out));
                    ctx.request_repaint();
                });
            if let Err(e) = spawned {
                self.set_notice(e.to_string(), true);
                return;
            }
        } else {
            let out = work(&progress);
            let _ = tx.send(JobMsg::Done(out));
        }
        self.jobs.push(Job {
            rx,
            label,
            progress: None,
        });
    }

    /// Takes in what the background jobs reported.
    pub(crate) fn poll_jobs(&mut self) {
        let mut done = Vec::new();
        self.jobs.retain_mut(|job| {
            loop {
                match job.rx.try_recv() {
                    Ok(JobMsg::Progress(f, t)) => job.progress = Some((f, t)),
                    Ok(JobMsg::Done(out)) => {
                        done.push(out);
                        return false;
                    }
                    Err(TryRecvError::Empty) => return true,
                    Err(TryRecvError::Disconnected) => return false,
                }
            }
        });
        for out in done {
            self.finish(out);
        }
    }

    fn finish(&mut self, out: JobOutput) {
        let lang = self.lang();
        match out {
            JobOutput::Opened { book, idx, dir } => {
                for w in book.warnings() {
                    self.set_notice(tr!(lang, "notice.book_warning", w = w), true);
                }
                self.phase = Phase::Open(Box::new(Session::new(*book, *idx, Some(dir))));
            }
            JobOutput::OpenFailed { message, creating } => {
                if creating {
                    let mut ui = screens::start::StartUi::default();
                    ui.mode = screens::start::StartMode::Create;
                    ui.error = Some(message);
                    self.phase = Phase::Start(ui);
                } else {
                    self.phase = Phase::Locked(screens::start::LockUi {
                        error: Some(message),
                        ..Default::default()
                    });
                }
            }
            JobOutput::Exported { folder, files } => {
                let text = tr!(
                    lang,
                    "notice.exported",
                    n = files,
                    folder = folder.display()
                );
                self.set_notice(text, false);
            }
            JobOutput::Failed(e) => self.set_notice(e, true),
            JobOutput::JoinFailed {
                message,
                invite,
                name,
                left,
            } => {
                self.join_left = left.map(|b| *b);
                self.phase =
                    Phase::Start(screens::start::StartUi::join_again(invite, name, message));
            }
        }
    }

    /// Applies one command.
    pub(crate) fn apply(&mut self, ctx: &egui::Context, cmd: Command) {
        let lang = self.lang();
        match cmd {
            Command::SetLang(l) => {
                self.settings.lang = l;
                self.save_settings();
            }
            Command::SetIdleMinutes(m) => {
                self.settings.idle_lock_minutes = m.max(1);
                self.save_settings();
            }
            Command::DismissNotice => self.notice = None,
            Command::ShowCreate | Command::ShowJoin | Command::ShowDemo | Command::BackToStart => {
                if let Phase::Start(ui) = &mut self.phase {
                    ui.mode = match cmd {
                        Command::ShowCreate => screens::start::StartMode::Create,
                        Command::ShowJoin => screens::start::StartMode::Join,
                        Command::ShowDemo => screens::start::StartMode::Demo,
                        _ => screens::start::StartMode::Choose,
                    };
                    ui.error = None;
                }
            }
            Command::CreateGroup { init, passphrase } => {
                self.create_group(ctx, init, passphrase, false);
            }
            Command::CreateDemo { member, passphrase } => {
                self.create_group(ctx, rukun_model::demo_group(&member), passphrase, true);
            }
            Command::Unlock(pass) => self.unlock(ctx, pass),
            Command::Lock => self.lock(),
            Command::ExportCsv { folder } => self.export(ctx, folder),
            Command::SyncNow(_)
            | Command::SyncMember(_)
            | Command::SyncAllNearby
            | Command::SetDiscover(_)
            | Command::CreateInvite { .. } => self.meeting_command(cmd),
            Command::JoinGroup {
                invite,
                name,
                passphrase,
            } => self.join_group(ctx, invite, name, passphrase),
            other => {
                let Phase::Open(session) = &mut self.phase else {
                    return;
                };
                match apply_to_session(session, other, lang) {
                    Ok(Applied::Done) => {}
                    Ok(Applied::Notice(text)) => self.set_notice(text, false),
                    Ok(Applied::Busy(cmd)) => {
                        self.deferred.push(cmd);
                        ctx.request_repaint_after(std::time::Duration::from_millis(100));
                    }
                    Err(e) => self.set_notice(e, true),
                }
            }
        }
    }

    /// Founds a group in a new book (first start), off the UI thread; with `sample`, the book
    /// is filled with the sample RW through the model's `fill_demo` ("Coba dengan data
    /// contoh"), with a progress step per sample file.
    fn create_group(
        &mut self,
        ctx: &egui::Context,
        init: GroupInit,
        passphrase: String,
        sample: bool,
    ) {
        let lang = self.lang();
        let fill = move |book: &mut Book,
                         progress: &mut dyn FnMut(usize, usize, &str)|
              -> Result<(), String> {
            if sample {
                rukun_model::fill_demo(book, progress)
                    .map(drop)
                    .map_err(|e| e.to_string())
            } else {
                Ok(())
            }
        };
        let Some(dir) = self.opts.book_dir.clone() else {
            // In-memory (tests without a folder): found the group right here.
            let made = Book::new_in_memory(rukun_model::Device::from_seed(fastrand_seed()), &init)
                .map_err(|e| e.to_string())
                .and_then(|mut book| fill(&mut book, &mut |_, _, _| {}).map(|()| book));
            match made {
                Ok(book) => {
                    let idx = Index::build(&book);
                    let mut s = Session::new(book, idx, None);
                    s.memory_passphrase = Some(passphrase);
                    self.phase = Phase::Open(Box::new(s));
                }
                Err(e) => self.set_notice(e, true),
            }
            return;
        };
        let kdf = if self.opts.fast_kdf {
            KdfParams::insecure_fast()
        } else {
            KdfParams::default()
        };
        let (working, job_title) = if sample {
            let t = tr!(lang, "start.demo_making").into_owned();
            (t.clone(), t)
        } else {
            (tr!(lang, "start.creating").into_owned(), String::new())
        };
        self.phase = Phase::Working(working);
        self.spawn(ctx, job_title, move |p| {
            let made = Book::create(&dir, &passphrase, kdf, &init)
                .map_err(|e| e.to_string())
                .and_then(|mut book| {
                    fill(&mut book, &mut |done, total, file| {
                        p.report(0.05 + 0.9 * done as f32 / total.max(1) as f32, file);
                    })?;
                    let _ = book.compact();
                    Ok(book)
                });
            match made {
                Ok(book) => {
                    let idx = Index::build(&book);
                    JobOutput::Opened {
                        book: Box::new(book),
                        idx: Box::new(idx),
                        dir,
                    }
                }
                Err(message) => JobOutput::OpenFailed {
                    message,
                    creating: true,
                },
            }
        });
    }

    fn unlock(&mut self, ctx: &egui::Context, pass: String) {
        let lang = self.lang();
        let phase = std::mem::replace(&mut self.phase, Phase::Working(String::new()));
        if let Phase::Locked(mut lock) = phase {
            if let Some(held) = lock.held.take() {
                if held.memory_passphrase.as_deref() == Some(pass.as_str()) {
                    self.phase = Phase::Open(held);
                } else {
                    lock.held = Some(held);
                    lock.error = Some(tr!(lang, "lock.wrong").into_owned());
                    self.phase = Phase::Locked(lock);
                }
                return;
            }
            let Some(dir) = self.opts.book_dir.clone() else {
                self.phase = Phase::Locked(lock);
                return;
            };
            self.phase = Phase::Working(tr!(lang, "lock.opening").into_owned());
            let wrong = tr!(lang, "lock.wrong").into_owned();
            self.spawn(ctx, String::new(), move |p| {
                p.report(0.1, "");
                match Book::open(&dir, &pass) {
                    Ok(book) => {
                        p.report(0.6, "");
                        let idx = Index::build(&book);
                        JobOutput::Opened {
                            book: Box::new(book),
                            idx: Box::new(idx),
                            dir,
                        }
                    }
                    Err(rukun_model::BookError::Storage(
                        rukun_model::storage::StorageError::WrongPassphrase { .. },
                    )) => JobOutput::OpenFailed {
                        message: wrong,
                        creating: false,
                    },
                    Err(e) => JobOutput::OpenFailed {
                        message: e.to_string(),
                        creating: false,
                    },
                }
            });
        } else {
            self.phase = phase;
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
            Phase::Open(mut s) if s.dir.is_none() => {
                #[cfg(feature = "sync")]
                if let Some(l) = s.listener.take() {
                    l.stop();
                }
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

    fn export(&mut self, ctx: &egui::Context, folder: PathBuf) {
        let lang = self.lang();
        let Some(session) = self.session() else {
            return;
        };
        let book = Arc::clone(&session.book);
        let busy = tr!(lang, "notice.busy").into_owned();
        self.spawn(ctx, tr!(lang, "laporan.exporting").into_owned(), move |p| {
            p.report(0.1, "");
            let files = {
                let Ok(guard) = book.lock() else {
                    return JobOutput::Failed(busy);
                };
                let book = guard.book();
                let mut files = match rukun_model::export_csv(book) {
                    Ok(f) => f,
                    Err(e) => return JobOutput::Failed(e.to_string()),
                };
                // The treasurer's other two papers: the hledger journal for an auditor and
                // the printable report of this year (Bahasa Indonesia, with the chart).
                let group = book.group().unwrap_or_default();
                let records = book.money_records();
                let input = records.input();
                files.push(rukun_model::ExportFile {
                    name: rukun_model::journal_file_name(&group.name),
                    bytes: rukun_model::hledger_journal(&input, &group.name).into_bytes(),
                });
                let today = rukun_model::rules::wib_date(book.now());
                if let Ok(period) = rukun_model::Period::year(chrono::Datelike::year(&today)) {
                    let report = rukun_model::period_report(&input, &group.name, &period);
                    files.push(rukun_model::ExportFile {
                        name: format!("laporan-{}.html", period.year),
                        bytes: rukun_model::report_html(&report, &group, today).into_bytes(),
                    });
                }
                files
            };
            p.report(0.6, "");
            if let Err(e) = std::fs::create_dir_all(&folder) {
                return JobOutput::Failed(format!("{}: {e}", folder.display()));
            }
            let n = files.len();
            for f in files {
                let path = folder.join(&f.name);
                if let Err(e) = std::fs::write(&path, &f.bytes) {
                    return JobOutput::Failed(format!("{}: {e}", path.display()));
                }
            }
            JobOutput::Exported { folder, files: n }
        });
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

fn fastrand_seed() -> u64 {
    Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64
}

/// Whether the first start screen is needed for `dir`.
pub(crate) fn book_exists(dir: &std::path::Path) -> bool {
    BookStore::exists(dir)
}

enum Applied {
    Done,
    Notice(String),
    /// The book is held by a job: try again next frame.
    Busy(Command),
}

fn apply_to_session(s: &mut Session, cmd: Command, lang: Lang) -> Result<Applied, String> {
    match cmd {
        Command::Navigate(screen) => {
            s.screen = screen;
            s.nav_open = false;
            return Ok(Applied::Done);
        }
        Command::ToggleNav => {
            s.nav_open = !s.nav_open;
            return Ok(Applied::Done);
        }
        Command::NewHousehold => {
            s.households.form = Some(screens::household_form::HouseholdForm::new(&s.idx));
            s.screen = Screen::RumahTangga;
            return Ok(Applied::Done);
        }
        Command::CloseHousehold => {
            s.households.form = None;
            return Ok(Applied::Done);
        }
        Command::StartPmks {
            household_id,
            person_id,
        } => {
            s.pmks.start_form(&s.idx, &household_id, person_id);
            s.screen = Screen::Pmks;
            return Ok(Applied::Done);
        }
        _ => {}
    }
    let book_arc = Arc::clone(&s.book);
    let Ok(mut guard) = book_arc.try_lock() else {
        return Ok(Applied::Busy(cmd));
    };
    let book = guard.book_mut();
    if !matches!(cmd, Command::OpenHousehold(_)) {
        // Every other command below writes: the review is read again when shown.
        s.review = None;
    }
    let err = |e: rukun_model::BookError| e.to_string();
    match cmd {
        Command::OpenHousehold(id) => {
            let h = book
                .household(&id)
                .map_err(err)?
                .ok_or_else(|| tr!(lang, "notice.not_found").into_owned())?;
            s.households.form = Some(screens::household_form::HouseholdForm::from_household(
                &id, &h,
            ));
            s.households.selected = Some(id);
            s.screen = Screen::RumahTangga;
            Ok(Applied::Done)
        }
        Command::SaveHousehold {
            id,
            original,
            edited,
        } => {
            let id = match (id, original) {
                (Some(id), Some(original)) => {
                    book.save_household(&id, &original, &edited).map_err(err)?;
                    id
                }
                _ => book.add_household((*edited).clone()).map_err(err)?,
            };
            book.commit("simpan rumah tangga").map_err(err)?;
            let saved = book.household(&id).map_err(err)?.unwrap_or(*edited);
            s.idx.update_household(&id, &saved);
            s.households.refilter(&s.idx);
            s.households.form = Some(screens::household_form::HouseholdForm::from_household(
                &id, &saved,
            ));
            s.households.selected = Some(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddPmks(p) => {
            let id = book.add_pmks((*p).clone()).map_err(err)?;
            book.commit("identifikasi PMKS").map_err(err)?;
            s.idx.update_pmks(&id, *p);
            s.pmks.form = None;
            s.pmks.refilter(&s.idx);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::SavePmks {
            id,
            original,
            edited,
        } => {
            book.save_pmks(&id, &original, &edited).map_err(err)?;
            book.commit("ubah status PMKS").map_err(err)?;
            let saved = book.pmks_record(&id).map_err(err)?.unwrap_or(*edited);
            s.idx.update_pmks(&id, saved);
            s.pmks.refilter(&s.idx);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddDonor(d) => {
            // The model numbers the code from this device's durable sequence and refuses a
            // code already in use.
            let (id, _kode) = book.add_new_donor(*d).map_err(err)?;
            book.commit("tambah donatur").map_err(err)?;
            s.idx.reload_donors(book);
            s.donors.after_add_donor(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::IssueReceipt {
            donor_id,
            jumlah,
            untuk,
        } => {
            let penerima = s
                .idx
                .me
                .as_ref()
                .map(|m| s.idx.member_name(m.as_str()))
                .unwrap_or_default();
            let now = book.now();
            let issued = book
                .issue_receipts(&[rukun_model::ReceiptDraft {
                    donor_id,
                    jumlah,
                    untuk,
                    diterima_pada: now,
                    penerima,
                    salinan_buku: false,
                }])
                .map_err(err)?;
            book.commit("terbitkan kuitansi").map_err(err)?;
            if let Some((_, r)) = issued.into_iter().next() {
                s.idx.add_receipt(&r);
                s.donors.after_issue(r);
            }
            Ok(Applied::Done)
        }
        Command::VoidReceipt { nomor, alasan } => {
            book.void_receipt(&nomor, &alasan).map_err(err)?;
            book.commit("batalkan kuitansi").map_err(err)?;
            s.idx.mark_voided(&nomor);
            s.donors.void = None;
            Ok(Applied::Notice(
                tr!(lang, "notice.voided", nomor = nomor).into_owned(),
            ))
        }
        Command::AddMeeting(m) => {
            let id = book.add_meeting(*m).map_err(err)?;
            book.commit("catat musyawarah").map_err(err)?;
            s.idx.reload_disbursements(book);
            s.santunan.meeting_added(id);
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::AddDisbursement(d) => {
            let id = book.add_disbursement((*d).clone()).map_err(err)?;
            book.commit("bayar santunan").map_err(err)?;
            s.idx.add_disbursement(id, *d);
            s.santunan.form_saved();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::RevokeMember(id) => {
            book.revoke_member(&id, &tr!(lang, "sinkron.revoke_reason"))
                .map_err(|e| match e {
                    rukun_model::BookError::NotAllowed { .. } => {
                        tr!(lang, "sinkron.hanya_admin").into_owned()
                    }
                    other => other.to_string(),
                })?;
            s.idx.members = book.members();
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::RefreshReview => {
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Done)
        }
        Command::ResolveConflict {
            kind,
            record,
            path,
            pick,
        } => {
            book.resolve_conflict(kind, &record, &path, rukun_model::Resolution::Pick(pick))
                .map_err(err)?;
            book.commit("tinjau: pilih nilai").map_err(err)?;
            match kind {
                rukun_model::RecordKind::Household => {
                    s.idx.reload_households(book);
                    s.households.refilter(&s.idx);
                }
                rukun_model::RecordKind::Pmks => {
                    s.idx.reload_pmks(book);
                    s.pmks.refilter(&s.idx);
                }
                rukun_model::RecordKind::Donor => s.idx.reload_donors(book),
                rukun_model::RecordKind::Disbursement => s.idx.reload_disbursements(book),
            }
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Notice(tr!(lang, "notice.saved").into_owned()))
        }
        Command::MergeHouseholds { keep, other } => {
            book.merge_households(&keep, &other).map_err(err)?;
            book.commit("tinjau: gabungkan rumah tangga").map_err(err)?;
            s.idx.reload_households(book);
            s.idx.reload_pmks(book);
            s.idx.reload_donors(book);
            s.idx.reload_disbursements(book);
            s.households.refilter(&s.idx);
            s.pmks.refilter(&s.idx);
            s.review = Some(screens::tinjau::ReviewVm::build(book));
            Ok(Applied::Notice(tr!(lang, "tinjau.digabung").into_owned()))
        }
        _ => Ok(Applied::Done),
    }
}

/// "Iuran Agustus 2025": the default purpose of a receipt issued today (WIB).
pub(crate) fn default_purpose(lang: Lang) -> String {
    let today = rules::today_wib();
    let ym = rules::YearMonth::of_date(today);
    tr!(
        lang,
        "donatur.iuran_bulan",
        bulan = rules::month_name(ym.month()),
        tahun = ym.year()
    )
    .into_owned()
}
