//! Command handling for the meeting (feature `sync`): the Sinkron screen's listener is started
//! and stopped with the screen, its events update the session's view models, and the first
//! start's "Gabung dengan undangan" joins a group as a background job. The rules themselves
//! (who may invite, what an invite allows, whom a device dials) live in `rukun-model` and
//! `rukun-sync`; this file only routes.
//!
//! Slightly over 500 lines: one match turns each node event into the words a volunteer
//! reads (Bahasa Indonesia), next to the commands that start them.

use crate::Lang;
use crate::command::Command;
use crate::i18n::tr;
use crate::state::{AppState, Phase, Screen};

#[cfg(feature = "sync")]
mod imp {
    use std::time::Duration;

    use rukun_model::{Book, Device, InviteRefusal, MemberId};
    use rukun_sync::{
        EndpointTicket, InviteInput, JoinError, JoinGroupError, JoinOptions, JoinResume, ShortCode,
        SnapshotError, SyncError, join_group_resuming,
    };

    use super::*;
    use crate::index::Index;
    use crate::jobs::JobOutput;
    use crate::jobs::sync::{Listener, NetCmd, NetEvent};
    use crate::screens::sinkron::{InviteView, SessionView};
    use crate::state::Session;

    impl AppState {
        /// Starts the listener when Sinkron is open (and the options allow it), stops it when
        /// the person leaves the screen, and takes in what it reported.
        pub(crate) fn tend_meeting(&mut self, ctx: &egui::Context) {
            let lang = self.lang();
            let bind = self.opts.bind;
            let listen = self.opts.listen;
            let Phase::Open(s) = &mut self.phase else {
                return;
            };
            s.sinkron.listen_off = !listen;
            let want = listen && s.screen == Screen::Sinkron;
            let restart = s
                .listener
                .as_ref()
                .is_some_and(|l| l.discover != s.sinkron.discover);
            if (!want || restart)
                && let Some(l) = s.listener.take()
            {
                l.stop();
                s.sinkron.my_ticket = None;
                s.sinkron.my_code = None;
                s.sinkron.nearby.clear();
                s.sinkron.sessions.clear();
            }
            if want && s.listener.is_none() {
                s.sinkron.listen_error = None;
                s.listener = Some(Listener::start(
                    s.book.clone(),
                    bind,
                    s.sinkron.discover,
                    ctx.clone(),
                ));
            }
            let events = s.listener.as_ref().map(Listener::poll).unwrap_or_default();
            let mut notices = Vec::new();
            for ev in events {
                if let Some(n) = handle_event(s, ev, lang) {
                    notices.push(n);
                }
            }
            if !s.sinkron.sessions.is_empty() {
                ctx.request_repaint_after(Duration::from_millis(250));
            }
            for (text, error) in notices {
                self.set_notice(text, error);
            }
        }

        /// Sync, nearby and invite commands of the Sinkron screen.
        pub(crate) fn meeting_command(&mut self, cmd: Command) {
            let lang = self.lang();
            let Phase::Open(s) = &mut self.phase else {
                return;
            };
            if let Command::SetDiscover(on) = cmd {
                s.sinkron.discover = on;
                return;
            }
            if let Command::SyncNow(text) = &cmd
                && let Err(e) = text.trim().parse::<EndpointTicket>()
            {
                self.set_notice(tr!(lang, "sinkron.tiket_salah", e = e).into_owned(), true);
                return;
            }
            let Some(listener) = &s.listener else {
                self.set_notice(tr!(lang, "sinkron.belum_siap").into_owned(), true);
                return;
            };
            match cmd {
                Command::SyncNow(text) => match text.trim().parse::<EndpointTicket>() {
                    Ok(t) => listener.send(NetCmd::SyncWith(t.addr().clone())),
                    Err(e) => {
                        self.set_notice(tr!(lang, "sinkron.tiket_salah", e = e).into_owned(), true)
                    }
                },
                Command::SyncMember(id) => {
                    if let Some(a) = s.sinkron.nearby_addr(&id) {
                        listener.send(NetCmd::SyncWith(a));
                    }
                }
                Command::SyncAllNearby => {
                    for id in s.sinkron.nearby.clone() {
                        if let Some(a) = s.sinkron.nearby_addr(&id) {
                            listener.send(NetCmd::SyncWith(a));
                        }
                    }
                }
                Command::CreateInvite { role, hours } => listener.send(NetCmd::CreateInvite {
                    role,
                    valid_for: Duration::from_secs(u64::from(hours.max(1)) * 3600),
                }),
                _ => {}
            }
        }

        /// First start: joins the group of `invite` (a `rukuninvite…` ticket or a short code
        /// `RKN-XXXX-YYYY`) as `name`, saves the received book under `passphrase`, opens it.
        pub(crate) fn join_group(
            &mut self,
            ctx: &egui::Context,
            invite: String,
            name: String,
            passphrase: String,
        ) {
            let lang = self.lang();
            let back = |msg: String| {
                let mut ui = crate::screens::start::StartUi::default();
                ui.mode = crate::screens::start::StartMode::Join;
                ui.error = Some(msg);
                Phase::Start(ui)
            };
            let input = match invite.trim().parse::<InviteInput>() {
                Ok(i) => i,
                Err(e) => {
                    self.phase = back(tr!(lang, "join.tak_terbaca", e = e).into_owned());
                    return;
                }
            };
            let Some(dir) = self.opts.book_dir.clone() else {
                self.phase = back("no book folder".into());
                return;
            };
            let known = self
                .opts
                .known_peers
                .iter()
                .filter_map(|t| t.parse::<EndpointTicket>().ok())
                .map(|t| t.addr().clone())
                .collect();
            let options = JoinOptions {
                bind: self.opts.bind,
                // A short code, or a cut join to continue, finds the inviter on the network.
                discover: matches!(input, InviteInput::Code(_))
                    || self
                        .join_left
                        .as_ref()
                        .is_some_and(|(text, _)| text == invite.trim()),
                known,
                find_timeout: Duration::from_secs(20),
            };
            let kdf = if self.opts.fast_kdf {
                rukun_model::storage::KdfParams::insecure_fast()
            } else {
                rukun_model::storage::KdfParams::default()
            };
            self.phase = Phase::Working(tr!(lang, "join.bergabung").into_owned());
            let received = tr!(lang, "join.diterima").into_owned();
            // A join with this invite that was cut after it was granted goes on from there.
            let invite_text = invite.trim().to_owned();
            let mut resume = self
                .join_left
                .take()
                .filter(|(text, _)| *text == invite_text)
                .map(|(_, r)| r);
            self.spawn(ctx, tr!(lang, "join.bergabung").into_owned(), move |p| {
                let failed = |message: String, resume: Option<JoinResume>| JobOutput::JoinFailed {
                    message,
                    invite: invite_text.clone(),
                    name: name.clone(),
                    left: resume.map(|r| Box::new((invite_text.clone(), r))),
                };
                p.report(0.02, "");
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => return failed(e.to_string(), resume),
                };
                let device = match Device::generate() {
                    Ok(d) => d,
                    Err(e) => return failed(e.to_string(), resume),
                };
                // The slow key derivation runs beside the download.
                let key = std::thread::spawn({
                    let passphrase = passphrase.clone();
                    move || rukun_model::storage::NewBookKey::derive(&passphrase, kdf)
                });
                let started = std::time::Instant::now();
                let joined = rt.block_on(join_group_resuming(
                    device,
                    &input,
                    &name,
                    options,
                    &mut resume,
                    |ev| {
                        if let rukun_sync::Event::Progress(pr) = ev {
                            let mut text = received.replace(
                                "{bytes}",
                                &crate::screens::sinkron::bytes_text(pr.bytes_received, lang),
                            );
                            // The book's snapshot (or sync message) tells its size first:
                            // from then on the bar has a total and an estimate. Before (and
                            // between messages) it moves with each message.
                            let moved = pr.incoming_received;
                            let pending = pr.incoming_expected.saturating_sub(moved);
                            let secs = started.elapsed().as_secs_f64();
                            let f = match crate::screens::sinkron::estimate(moved, pending, secs) {
                                Some((f, left)) => {
                                    text.push_str(" · ");
                                    text.push_str(&crate::screens::sinkron::estimate_text(
                                        pending, left, lang,
                                    ));
                                    0.05 + 0.9 * f
                                }
                                None => 1.0 - 0.9 / (1.0 + pr.messages_received as f32),
                            };
                            p.report(f, text);
                        }
                    },
                ));
                let joined = match joined {
                    Ok(j) => j,
                    Err(e) => return failed(join_error_text(&e, lang), resume),
                };
                let key = match key.join() {
                    Ok(Ok(k)) => k,
                    Ok(Err(e)) => return failed(e.to_string(), None),
                    Err(_) => return failed("key derivation failed".into(), None),
                };
                let (book, states) = joined.replica.into_parts();
                let stored = book
                    .store_joined_with_key(&dir, key)
                    .and_then(|mut b: Book| b.adopt_sync_states(&states).map(|()| b));
                match stored {
                    Ok(mut book) => {
                        let idx = Index::build(&mut book);
                        JobOutput::Opened {
                            book: Box::new(book),
                            idx: Box::new(idx),
                            dir,
                        }
                    }
                    Err(e) => failed(e.to_string(), None),
                }
            });
        }
    }

    impl crate::screens::sinkron::SinkronUi {
        fn nearby_addr(&self, id: &MemberId) -> Option<rukun_sync::EndpointAddr> {
            self.nearby_addrs
                .iter()
                .find(|a| MemberId::from_bytes(a.id.as_bytes()) == *id)
                .cloned()
        }
    }

    fn member_name(s: &Session, peer: &MemberId) -> String {
        s.idx
            .members
            .iter()
            .find(|(id, _)| id == peer)
            .map(|(_, m)| m.name.clone())
            .unwrap_or_else(|| peer.as_str().chars().take(8).collect())
    }

    fn refresh_last_synced(s: &mut Session) {
        let Ok(guard) = s.book.lock() else {
            return;
        };
        let book = guard.book();
        s.sinkron.last_synced = s
            .idx
            .members
            .iter()
            .filter_map(|(id, _)| {
                let t = book.last_synced(id)?;
                Some((id.to_string(), rukun_model::rules::format_date_time_wib(t)))
            })
            .collect();
    }

    /// Takes in one event of the listener; returns a notice to show.
    fn handle_event(s: &mut Session, ev: NetEvent, lang: Lang) -> Option<(String, bool)> {
        match ev {
            NetEvent::Listening(t) => {
                s.sinkron.my_code = Some(ShortCode::for_device(&t.id()).to_string());
                s.sinkron.my_ticket = Some(t.to_string());
                refresh_last_synced(s);
                None
            }
            NetEvent::Failed(e) => {
                s.sinkron.listen_error = Some(e);
                None
            }
            NetEvent::Progress {
                peer,
                progress,
                outgoing,
            } => {
                let id = MemberId::from_bytes(&peer);
                let name = member_name(s, &id);
                let v = s
                    .sinkron
                    .sessions
                    .entry(id.to_string())
                    .or_insert_with(|| SessionView {
                        name,
                        outgoing,
                        bytes_sent: 0,
                        bytes_received: 0,
                        pending: 0,
                        started: std::time::Instant::now(),
                    });
                v.bytes_sent = progress.bytes_sent;
                v.bytes_received = progress.bytes_received;
                v.pending = progress.bytes_pending();
                None
            }
            NetEvent::SyncEnded {
                peer,
                outgoing,
                result,
                idx,
            } => {
                let id = MemberId::from_bytes(&peer);
                s.sinkron.sessions.remove(id.as_str());
                let name = member_name(s, &id);
                match result {
                    Ok(_) => {
                        let (text, changed) = match idx {
                            Some(new) => take_index(s, *new, &name, lang),
                            None => (String::new(), false),
                        };
                        s.idx.last_sync = Some(text.clone());
                        refresh_last_synced(s);
                        // A member who dialled us and brought nothing new (e.g. right after
                        // joining) does not cover the notice of what happened before.
                        (outgoing || changed).then_some((text, false))
                    }
                    Err(e) => Some((sync_error_text(&e, &name, outgoing, lang), true)),
                }
            }
            NetEvent::Joined { name, role, idx } => {
                s.sinkron.invite = None;
                s.sinkron.wrong_codes = 0;
                apply_index(s, *idx);
                let role = crate::screens::sinkron::role_code_name(&role, lang);
                Some((
                    tr!(lang, "sinkron.bergabung", name = name, role = role).into_owned(),
                    false,
                ))
            }
            NetEvent::JoinRefused(refusal) => match refusal {
                Some(InviteRefusal::WrongCodeBurned | InviteRefusal::Burned) => {
                    s.sinkron.invite_burned = true;
                    s.sinkron.invite = None;
                    Some((tr!(lang, "sinkron.undangan_hangus").into_owned(), true))
                }
                Some(InviteRefusal::Unknown) => {
                    let wrong = s
                        .book
                        .lock()
                        .ok()
                        .and_then(|g| g.book().open_invite_attempts().first().map(|a| a.1))
                        .unwrap_or(0);
                    s.sinkron.wrong_codes = wrong;
                    Some((
                        tr!(
                            lang,
                            "sinkron.kode_salah",
                            n = wrong,
                            max = rukun_model::MAX_WRONG_INVITE_ATTEMPTS
                        )
                        .into_owned(),
                        true,
                    ))
                }
                _ => None,
            },
            NetEvent::Invite(Ok(t)) => {
                let until = chrono::DateTime::from_timestamp(
                    i64::try_from(t.expires_at).unwrap_or(i64::MAX),
                    0,
                )
                .map(rukun_model::rules::format_date_time_wib)
                .unwrap_or_default();
                s.sinkron.invite = Some(InviteView {
                    code: ShortCode::for_invite(&t).to_string(),
                    text: t.to_string(),
                    role: t.role.clone(),
                    until,
                });
                s.sinkron.invite_burned = false;
                s.sinkron.wrong_codes = 0;
                None
            }
            NetEvent::Invite(Err(e)) => Some((e, true)),
            NetEvent::Nearby(addrs) => {
                s.sinkron.nearby = addrs
                    .iter()
                    .map(|a| MemberId::from_bytes(a.id.as_bytes()))
                    .collect();
                s.sinkron.nearby_addrs = addrs;
                refresh_last_synced(s);
                None
            }
        }
    }

    fn apply_index(s: &mut Session, idx: Index) {
        let last = s.idx.last_sync.take();
        s.idx = idx;
        s.idx.last_sync = last;
        s.households.refilter(&s.idx);
        s.pmks.refilter(&s.idx);
        s.review = None;
    }

    /// Puts the new view models in place and says what arrived: "+3 rumah tangga, +12
    /// kuitansi dari Pak RT 28".
    fn take_index(s: &mut Session, new: Index, name: &str, lang: Lang) -> (String, bool) {
        let diff = |a: usize, b: usize| b.saturating_sub(a);
        let parts: Vec<String> = [
            (
                diff(s.idx.households.len(), new.households.len()),
                "sinkron.n_rumah_tangga",
            ),
            (diff(s.idx.pmks.len(), new.pmks.len()), "sinkron.n_pmks"),
            (
                diff(s.idx.receipts.len(), new.receipts.len()),
                "sinkron.n_kuitansi",
            ),
            (
                diff(s.idx.disbursements.len(), new.disbursements.len()),
                "sinkron.n_santunan",
            ),
            (
                diff(s.idx.members.len(), new.members.len()),
                "sinkron.n_anggota",
            ),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, key)| tr!(lang, key, n = n).into_owned())
        .collect();
        apply_index(s, new);
        if parts.is_empty() {
            (
                tr!(lang, "sinkron.sudah_sama", name = name).into_owned(),
                false,
            )
        } else {
            let text = tr!(lang, "sinkron.hasil", parts = parts.join(", "), name = name);
            (text.into_owned(), true)
        }
    }

    fn sync_error_text(e: &SyncError, name: &str, outgoing: bool, lang: Lang) -> String {
        match e {
            e if e.is_cut() => tr!(lang, "sinkron.terputus", name = name).into_owned(),
            SyncError::Session(rukun_sync::SessionError::Replica(
                rukun_sync::ReplicaError::StorageFull { needed },
            )) => crate::errors::storage_full(*needed, lang),
            SyncError::NotMember { revoked: true, .. } => {
                tr!(lang, "sinkron.bukan_anggota_dicabut").into_owned()
            }
            SyncError::NotMember { .. } => tr!(lang, "sinkron.bukan_anggota").into_owned(),
            SyncError::Connect { .. } if outgoing => {
                tr!(lang, "sinkron.tak_terhubung", name = name).into_owned()
            }
            SyncError::Refused {
                by_peer: true,
                reason,
                ..
            } => tr!(lang, "sinkron.ditolak", name = name, e = reason).into_owned(),
            other => tr!(lang, "sinkron.gagal", e = other).into_owned(),
        }
    }

    /// The join error in the person's language, one message per cause.
    fn join_error_text(e: &JoinGroupError, lang: Lang) -> String {
        if let JoinGroupError::Book(rukun_model::BookError::Storage(
            rukun_model::storage::StorageError::Full { needed, .. },
        )) = e
        {
            return crate::errors::storage_full(*needed, lang);
        }
        let key = match e {
            JoinGroupError::Join(JoinError::Refused {
                refusal: Some(r), ..
            }) => match r {
                InviteRefusal::Unknown => "join.kode_salah",
                InviteRefusal::AlreadyUsed => "join.sudah_dipakai",
                InviteRefusal::Expired => "join.kedaluwarsa",
                InviteRefusal::Revoked => "join.dicabut",
                InviteRefusal::OtherDevice => "join.perangkat_lain",
                InviteRefusal::Burned | InviteRefusal::WrongCodeBurned => "join.hangus",
                InviteRefusal::Book(_) => "join.gagal",
            },
            JoinGroupError::WrongGroup { .. }
            | JoinGroupError::Join(JoinError::WrongGroup { .. }) => "join.kelompok_lain",
            JoinGroupError::InviterNotFound { .. } => "join.tak_ditemukan",
            JoinGroupError::Join(JoinError::Connect(_) | JoinError::Timeout(_)) => {
                "join.tak_terhubung"
            }
            JoinGroupError::Sync(e) if e.is_cut() => "join.terputus",
            JoinGroupError::Snapshot(SnapshotError::Cut { .. } | SnapshotError::Connect(_)) => {
                "join.terputus"
            }
            _ => "join.gagal",
        };
        tr!(lang, key, e = e).into_owned()
    }
}

#[cfg(not(feature = "sync"))]
impl AppState {
    /// Built without sync: nothing listens.
    pub(crate) fn tend_meeting(&mut self, _ctx: &egui::Context) {
        let _ = Screen::Sinkron;
    }

    pub(crate) fn meeting_command(&mut self, cmd: Command) {
        if let (Phase::Open(s), Command::SetDiscover(on)) = (&mut self.phase, &cmd) {
            s.sinkron.discover = *on;
        }
        let lang: Lang = self.lang();
        self.set_notice(tr!(lang, "sinkron.tidak_ada").into_owned(), true);
    }

    pub(crate) fn join_group(
        &mut self,
        _ctx: &egui::Context,
        _invite: String,
        _name: String,
        _passphrase: String,
    ) {
        let lang: Lang = self.lang();
        self.set_notice(tr!(lang, "sinkron.tidak_ada").into_owned(), true);
    }
}
