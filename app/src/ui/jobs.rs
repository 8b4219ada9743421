//! Background work off the UI thread (unlock, create, export; the meeting's sync runs in
//! [`sync`]), with its progress: a job reports through a channel and `request_repaint`,
//! and [`AppState::poll_jobs`] takes its result in after the frame.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};

use chrono::Utc;
use rukun_model::storage::KdfParams;
use rukun_model::{Book, GroupInit};

use crate::i18n::tr;
use crate::index::Index;
use crate::screens;
use crate::state::{AppState, Phase, Session};

#[cfg(feature = "sync")]
pub(crate) mod sync;

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

impl AppState {
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

    pub(crate) fn finish(&mut self, out: JobOutput) {
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

    /// Founds a group in a new book (first start), off the UI thread; with `sample`, the book
    /// is filled with the sample RW through the model's `fill_demo` ("Coba dengan data
    /// contoh"), with a progress step per sample file.
    pub(crate) fn create_group(
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
                Ok(mut book) => {
                    let idx = Index::build(&mut book);
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
                Ok(mut book) => {
                    let idx = Index::build(&mut book);
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

    pub(crate) fn unlock(&mut self, ctx: &egui::Context, pass: String) {
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
                    Ok(mut book) => {
                        p.report(0.6, "");
                        let idx = Index::build(&mut book);
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

    pub(crate) fn export(&mut self, ctx: &egui::Context, folder: PathBuf) {
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
                // The same bundle as `rukun export --format bundle`.
                let today = rukun_model::rules::wib_date(book.now());
                match rukun_model::export_bundle(book, today) {
                    Ok(f) => f,
                    Err(e) => return JobOutput::Failed(e.to_string()),
                }
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
}

fn fastrand_seed() -> u64 {
    Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64
}
