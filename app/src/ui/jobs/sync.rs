//! The listening node behind the Sinkron screen (background task; feature `sync`): while
//! Sinkron is open and the book unlocked, an iroh endpoint accepts members' syncs and joins
//! with this device's invites, and dials the members the person taps. It runs on its own
//! thread with a small tokio runtime; the screen talks to it with [`NetCmd`] and hears from
//! it through [`NetEvent`] (polled each frame). The book stays the session's
//! [`SharedBook`]: the node locks it per message, the screens keep working in between.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::Duration;

use rukun_model::Role;
use rukun_sync::{
    EndpointTicket, Event, InviteRefusal, InviteTicket, JoinError, Node, NodeConfig, NodeEvent,
    PeerId, Progress, SyncError,
};
use tokio::sync::mpsc as tmpsc;

use crate::held::SharedBook;
use crate::index::Index;

/// What the screen asks of the node.
#[derive(Debug)]
pub(crate) enum NetCmd {
    /// Dial this member and sync (queued: one sync at a time, in order).
    SyncWith(rukun_sync::EndpointAddr),
    /// Create a one-time invite for `role`, valid for `valid_for`.
    CreateInvite { role: Role, valid_for: Duration },
}

/// What the node reports to the screen.
#[derive(Debug)]
pub(crate) enum NetEvent {
    /// The endpoint is bound: this is the device's ticket.
    Listening(EndpointTicket),
    /// The endpoint could not start.
    Failed(String),
    /// A session moved on (`outgoing`: we dialled).
    Progress {
        peer: PeerId,
        progress: Progress,
        outgoing: bool,
    },
    /// A session ended; on success with the view models read again from the book.
    SyncEnded {
        peer: PeerId,
        outgoing: bool,
        result: Result<rukun_sync::Summary, SyncError>,
        idx: Option<Box<Index>>,
    },
    /// A device joined with one of this device's invites.
    Joined {
        name: String,
        role: String,
        idx: Box<Index>,
    },
    /// A device was refused an invite.
    JoinRefused(Option<InviteRefusal>),
    /// The invite asked for.
    Invite(Result<InviteTicket, String>),
    /// Members found on the local network changed.
    Nearby(Vec<rukun_sync::EndpointAddr>),
}

/// The running node: send commands, poll events, stop.
pub(crate) struct Listener {
    cmds: tmpsc::UnboundedSender<NetCmd>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    events: Receiver<NetEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Whether mDNS discovery is on.
    pub(crate) discover: bool,
}

impl Listener {
    /// Starts serving `book` on `bind` (with mDNS when `discover`); `ctx` is repainted on
    /// every event.
    pub(crate) fn start(
        book: SharedBook,
        bind: SocketAddr,
        discover: bool,
        ctx: egui::Context,
    ) -> Listener {
        let (cmd_tx, cmd_rx) = tmpsc::unbounded_channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let (ev_tx, events) = std::sync::mpsc::channel();
        let tx = EventTx { tx: ev_tx, ctx };
        let thread = std::thread::Builder::new()
            .name("rukun-node".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tx.send(NetEvent::Failed(e.to_string()));
                        return;
                    }
                };
                rt.block_on(serve(book, bind, discover, cmd_rx, stop_rx, &tx));
            });
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!("could not start the sync thread: {e}");
                None
            }
        };
        Listener {
            cmds: cmd_tx,
            stop: Some(stop_tx),
            events,
            thread,
            discover,
        }
    }

    /// Queues a command.
    pub(crate) fn send(&self, cmd: NetCmd) {
        let _ = self.cmds.send(cmd);
    }

    /// What happened since the last poll.
    pub(crate) fn poll(&self) -> Vec<NetEvent> {
        let mut out = Vec::new();
        loop {
            match self.events.try_recv() {
                Ok(e) => out.push(e),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => return out,
            }
        }
    }

    /// Stops the node (a running session is cut; its saved part stays) and waits for it to
    /// write the book.
    pub(crate) fn stop(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop_now();
    }
}

struct EventTx {
    tx: Sender<NetEvent>,
    ctx: egui::Context,
}

impl EventTx {
    fn send(&self, ev: NetEvent) {
        let _ = self.tx.send(ev);
        self.ctx.request_repaint();
    }
}

fn index_of(book: &SharedBook) -> Option<Box<Index>> {
    book.lock()
        .ok()
        .map(|mut g| Box::new(Index::build(g.book_mut())))
}

async fn serve(
    book: SharedBook,
    bind: SocketAddr,
    discover: bool,
    mut cmds: tmpsc::UnboundedReceiver<NetCmd>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    tx: &EventTx,
) {
    let mut config = NodeConfig::new(bind);
    config.discover = discover;
    let mut node = match Node::spawn_shared(book.clone(), config).await {
        Ok(n) => n,
        Err(e) => {
            tx.send(NetEvent::Failed(e.to_string()));
            return;
        }
    };
    tx.send(NetEvent::Listening(node.ticket()));
    let mut queue: VecDeque<rukun_sync::EndpointAddr> = VecDeque::new();
    loop {
        if let Some(addr) = queue.pop_front() {
            let peer = *addr.id.as_bytes();
            let sync = node.sync_with(addr, |ev| {
                if let Event::Progress(progress) = ev {
                    tx.send(NetEvent::Progress {
                        peer,
                        progress,
                        outgoing: true,
                    });
                }
            });
            let result = tokio::select! {
                r = sync => r,
                _ = &mut stop => break,
            };
            let idx = result.as_ref().ok().and_then(|_| index_of(&book));
            tx.send(NetEvent::SyncEnded {
                peer,
                outgoing: true,
                result,
                idx,
            });
            continue;
        }
        tokio::select! {
            _ = &mut stop => break,
            cmd = cmds.recv() => match cmd {
                None => break,
                Some(NetCmd::SyncWith(addr)) => queue.push_back(addr),
                Some(NetCmd::CreateInvite { role, valid_for }) => {
                    let invite = node.create_invite(role, valid_for).map_err(|e| e.to_string());
                    tx.send(NetEvent::Invite(invite));
                }
            },
            ev = node.next_event() => match ev {
                None => break,
                Some(NodeEvent::Progress { peer, progress }) => tx.send(NetEvent::Progress {
                    peer,
                    progress,
                    outgoing: false,
                }),
                Some(NodeEvent::Synced(r)) => {
                    let idx = r.result.as_ref().ok().and_then(|_| index_of(&book));
                    tx.send(NetEvent::SyncEnded {
                        peer: r.peer,
                        outgoing: false,
                        result: r.result,
                        idx,
                    });
                }
                Some(NodeEvent::Joined(r)) => match r.result {
                    Ok(m) => {
                        if let Some(idx) = index_of(&book) {
                            tx.send(NetEvent::Joined {
                                name: m.name,
                                role: m.grant.role,
                                idx,
                            });
                        }
                    }
                    Err(JoinError::Refused { refusal, .. }) => {
                        tx.send(NetEvent::JoinRefused(refusal));
                    }
                    Err(e) => tracing::info!("a join ended: {e}"),
                },
                Some(NodeEvent::NearbyChanged) => tx.send(NetEvent::Nearby(node.nearby_members())),
            },
        }
    }
    if let Err(e) = node.shutdown().await {
        tracing::warn!("sync node shutdown: {e}");
    }
}
