//! The sans-IO sync session: a state machine fed bytes (or frames) and time, returning bytes to
//! send and events. It never touches a socket or the clock.
//!
//! # Protocol
//!
//! 1. Each side sends `Hello` first and checks the peer's: same protocol version (else refused
//!    with "update the app"), same group id, the peer is a member (the acceptor refuses unknown
//!    and revoked devices, the initiator refuses revoked ones), and each side can read the
//!    other's schema (`peer.min_reader_schema <= my schema` and `my min_reader_schema <= peer
//!    schema`). A failed check sends `Refuse {code, reason}` and closes.
//! 2. Then Automerge sync messages flow full-duplex. After the peer's `Hello` and after every
//!    received `Sync`, a side asks the replica for messages; if there is none it sends
//!    `Done {messages_received}`. A received `Done` is answered with a fresh `Done` when the
//!    side's last `Done` is out of date (it sent or received `Sync` since).
//! 3. A side is finished when its last frame sent was a `Done` acknowledging every `Sync` it
//!    received, and the peer's last `Done` acknowledges every `Sync` it sent. Because a side only
//!    generates messages after receiving a `Sync`, both sides reach this condition together
//!    and nothing is in flight. Sync messages of local edits made during a session wait for the
//!    next session.
//! 4. No byte received or sent for `idle_timeout` ends the session with a timeout error.

use std::time::{Duration, Instant};

use crate::frame::{
    COMPRESSION_DEFLATE, DEFAULT_MAX_FRAME, Done, Frame, FrameDecoder, FrameError, HEADER_LEN,
    Hello, PROTOCOL_VERSION, Refuse, RefuseCode,
};
use crate::replica::{MemberStatus, PeerId, Replica, ReplicaError};

/// Slowest link a sync must survive, in bytes per second (8 kbit/s): a big message handed to
/// the transport may take this long per byte to leave before anything comes back.
pub const SLOWEST_LINK: u64 = 1_000;

/// Most sync messages asked from the replica in one step (a guard against a replica that
/// never stops producing messages).
const MAX_MESSAGES_PER_STEP: usize = 16;

/// Which side opened the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The dialling side.
    Initiator,
    /// The listening side.
    Acceptor,
}

/// Settings of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Largest `Sync` payload accepted or sent, in bytes (default [`DEFAULT_MAX_FRAME`]).
    pub max_frame: usize,
    /// The session fails when no byte moves either way for this long (default 30 s).
    pub idle_timeout: Duration,
    /// App version sent in `Hello`, for messages only (default this crate's version).
    pub app_version: String,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            max_frame: DEFAULT_MAX_FRAME,
            idle_timeout: Duration::from_secs(30),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

impl Hello {
    /// The `Hello` describing `replica`, with this crate's [`PROTOCOL_VERSION`].
    pub fn for_replica<R: Replica + ?Sized>(replica: &R, app_version: &str) -> Hello {
        Hello {
            group_id: replica.group_id(),
            protocol_version: PROTOCOL_VERSION,
            schema_version: replica.schema_version(),
            min_reader_schema: replica.min_reader_schema(),
            app_version: app_version.to_owned(),
            compression: vec![COMPRESSION_DEFLATE.to_owned()],
        }
    }
}

/// Counters of a running session, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Changes (records written, one per saved form or imported row) applied to the local
    /// book from the peer so far.
    pub changes_received: u64,
    /// Changes the peer has reported applying from us so far (updated when the peer sends a
    /// `Done`, so it lags behind `bytes_sent`).
    pub changes_sent: u64,
    /// Bytes of frames sent (headers included).
    pub bytes_sent: u64,
    /// Bytes received from the peer.
    pub bytes_received: u64,
    /// `Sync` frames sent.
    pub messages_sent: u64,
    /// `Sync` frames received.
    pub messages_received: u64,
    /// Bytes the transport has written to the peer so far (of `bytes_sent`, which counts
    /// frames when they are made). Behind `bytes_sent` while a big frame is on its way.
    pub bytes_written: u64,
    /// Payload bytes received so far of the `Sync` frame now arriving (0 when none is).
    pub incoming_received: u64,
    /// Payload bytes the `Sync` frame now arriving declared in its header (0 when none is):
    /// with `incoming_received`, what a progress bar needs for an estimate.
    pub incoming_expected: u64,
}

impl Progress {
    /// Bytes still to move in the `Sync` frames under way, both directions: what is left of
    /// the frame arriving plus what is made but not yet written. 0 when nothing is under way.
    pub fn bytes_pending(&self) -> u64 {
        self.incoming_expected
            .saturating_sub(self.incoming_received)
            + self.bytes_sent.saturating_sub(self.bytes_written)
    }
}

/// Totals of a finished session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Changes applied to the local book from the peer.
    pub changes_received: u64,
    /// Changes the peer reported it applied from us.
    pub changes_sent: u64,
    /// Bytes of frames sent (headers included).
    pub bytes_sent: u64,
    /// Bytes received from the peer.
    pub bytes_received: u64,
    /// `Sync` frames sent.
    pub messages_sent: u64,
    /// `Sync` frames received.
    pub messages_received: u64,
    /// How many times a `Sync` of ours was answered by a `Sync` of the peer.
    pub round_trips: u64,
}

/// Something that happened in a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Counters changed.
    Progress(Progress),
    /// Both sides are in sync; the session is closed.
    Finished(Summary),
    /// The session was refused, by the peer (`by_peer`) or by us; it is closed.
    Refused {
        /// `true` when the peer refused us, `false` when we refused the peer.
        by_peer: bool,
        /// Machine-readable reason.
        code: RefuseCode,
        /// Sentence for the person (from the peer when `by_peer`: sanitized, at most 1000 bytes).
        reason: String,
    },
    /// The session failed; it is closed.
    Error(SessionError),
}

/// What the transport should do after a call into the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Write these bytes (one or more whole frames) to the peer, in order.
    Transmit(Vec<u8>),
    /// Report this event.
    Event(Event),
}

/// Why a session failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The peer sent bytes that are not a valid frame.
    #[error("bad frame from peer: {0}")]
    Frame(#[from] FrameError),
    /// The peer sent a frame that is not allowed at this point.
    #[error("unexpected {got} frame while {state}")]
    UnexpectedFrame {
        /// Kind of frame received.
        got: &'static str,
        /// What the session was doing.
        state: &'static str,
    },
    /// The replica failed to apply a message or to persist.
    #[error("book error: {0}")]
    Replica(#[from] ReplicaError),
    /// The replica produced a sync message over the frame limit.
    #[error("sync message of {len} bytes is over the limit of {max} bytes")]
    MessageTooLarge {
        /// Message length in bytes.
        len: usize,
        /// Limit in bytes.
        max: usize,
    },
    /// Nothing arrived for the idle timeout.
    #[error("no data from peer for {idle:?}: timed out")]
    Timeout {
        /// The idle timeout that elapsed.
        idle: Duration,
    },
    /// The transport closed before the session finished.
    #[error("connection cut after {bytes_sent} bytes sent and {bytes_received} received: {detail}")]
    Cut {
        /// Bytes sent before the cut.
        bytes_sent: u64,
        /// Bytes received before the cut.
        bytes_received: u64,
        /// What the transport reported.
        detail: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Greeting,
    Syncing,
    Closed,
}

/// One sync session with one peer. See the module docs for the protocol.
///
/// Usage: [`Session::start`] once (it emits our `Hello`), then feed received bytes with
/// [`Session::handle_bytes`] (or decoded frames with [`Session::handle_frame`]), call
/// [`Session::handle_timeout`] when [`Session::poll_timeout`] passes and
/// [`Session::handle_closed`] when the transport ends; write every [`Output::Transmit`] to the
/// peer in order. After a final event (`Finished`, `Refused`, `Error`) the session is closed.
#[derive(Debug)]
pub struct Session {
    role: Role,
    peer: PeerId,
    local: Hello,
    config: SessionConfig,
    state: State,
    decoder: FrameDecoder,
    last_activity: Instant,
    counters: Progress,
    round_trips: u64,
    awaiting_reply: bool,
    /// `messages_received` of our last `Done`, if no `Sync` was sent after it.
    done_sent_for: Option<u64>,
    peer_done: Option<Done>,
    sync_started: bool,
    ended: bool,
    /// The peer's hello said it reads deflated `Sync` frames.
    peer_reads_deflate: bool,
    /// Bytes written since the peer last sent us anything (see [`Session::poll_timeout`]).
    written_unanswered: u64,
}

impl Session {
    /// A new session with `peer` (its 32-byte endpoint id), greeting with `local`.
    pub fn new(
        role: Role,
        local: Hello,
        peer: PeerId,
        config: SessionConfig,
        now: Instant,
    ) -> Self {
        let decoder = FrameDecoder::new(config.max_frame);
        Self {
            role,
            peer,
            local,
            config,
            state: State::New,
            decoder,
            last_activity: now,
            counters: Progress::default(),
            round_trips: 0,
            awaiting_reply: false,
            done_sent_for: None,
            peer_done: None,
            sync_started: false,
            ended: false,
            peer_reads_deflate: false,
            written_unanswered: 0,
        }
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The peer's 32-byte endpoint id.
    pub fn peer(&self) -> &PeerId {
        &self.peer
    }

    /// Whether the session has ended (a final event was emitted).
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Current counters.
    pub fn progress(&self) -> Progress {
        self.counters
    }

    /// Current totals (final once the session finished).
    pub fn summary(&self) -> Summary {
        Summary {
            changes_received: self.counters.changes_received,
            changes_sent: self.peer_done.map(|d| d.changes_applied).unwrap_or(0),
            bytes_sent: self.counters.bytes_sent,
            bytes_received: self.counters.bytes_received,
            messages_sent: self.counters.messages_sent,
            messages_received: self.counters.messages_received,
            round_trips: self.round_trips,
        }
    }

    /// When [`Session::handle_timeout`] should be called next, if the session is running:
    /// the idle timeout after the last byte moved, plus the time the bytes written since the
    /// peer last sent anything need at [`SLOWEST_LINK`] (the transport takes a big message
    /// into its buffers at once and drains it at the link's pace, with nothing coming back).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Greeting | State::Syncing => {
                let draining = Duration::from_secs(self.written_unanswered / SLOWEST_LINK);
                self.last_activity
                    .checked_add(self.config.idle_timeout)
                    .and_then(|t| t.checked_add(draining))
            }
            State::New | State::Closed => None,
        }
    }

    /// Starts the session: returns our `Hello`. Later calls return nothing.
    pub fn start(&mut self, now: Instant) -> Vec<Output> {
        let mut out = Vec::new();
        if self.state == State::New {
            self.state = State::Greeting;
            self.last_activity = now;
            self.transmit(Frame::Hello(self.local.clone()), &mut out);
        }
        out
    }

    /// Feeds bytes received from the peer (any split of the stream).
    pub fn handle_bytes<R: Replica + ?Sized>(
        &mut self,
        bytes: &[u8],
        replica: &mut R,
        now: Instant,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.is_running() || bytes.is_empty() {
            return out;
        }
        self.last_activity = now;
        self.counters.bytes_received += bytes.len() as u64;
        self.written_unanswered = 0;
        let pushed = self.decoder.push(bytes);
        let (got, declared) = self.decoder.incoming_sync().unwrap_or((0, 0));
        self.counters.incoming_received = got as u64;
        self.counters.incoming_expected = declared as u64;
        match pushed {
            Ok(frames) => {
                for frame in frames {
                    self.on_frame(frame, replica, &mut out);
                    if self.is_closed() {
                        break;
                    }
                }
            }
            Err(e) => self.fail(e.into(), RefuseCode::ProtocolError, replica, &mut out),
        }
        self.push_progress(&mut out);
        out
    }

    /// Feeds one decoded frame (for transports that frame messages themselves). Counts its
    /// encoded length as received bytes.
    pub fn handle_frame<R: Replica + ?Sized>(
        &mut self,
        frame: Frame,
        replica: &mut R,
        now: Instant,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if !self.is_running() {
            return out;
        }
        self.last_activity = now;
        self.counters.bytes_received += encoded_len(&frame);
        self.written_unanswered = 0;
        self.on_frame(frame, replica, &mut out);
        self.push_progress(&mut out);
        out
    }

    /// The transport wrote `bytes` of our output to the peer: counts as activity for the
    /// idle timeout, so a long send on a slow link does not time out while bytes keep
    /// moving, and advances [`Progress::bytes_written`].
    pub fn handle_transmitted(&mut self, bytes: usize, now: Instant) {
        self.counters.bytes_written = self
            .counters
            .bytes_written
            .saturating_add(bytes as u64)
            .min(self.counters.bytes_sent);
        self.written_unanswered = self.written_unanswered.saturating_add(bytes as u64);
        if self.is_running() {
            self.last_activity = now;
        }
    }

    /// Advances time: fails the session with [`SessionError::Timeout`] when no byte moved in
    /// either direction for the idle timeout.
    pub fn handle_timeout<R: Replica + ?Sized>(
        &mut self,
        now: Instant,
        replica: &mut R,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if let Some(deadline) = self.poll_timeout()
            && now >= deadline
        {
            let idle = self.config.idle_timeout;
            self.fail(
                SessionError::Timeout { idle },
                RefuseCode::Timeout,
                replica,
                &mut out,
            );
        }
        out
    }

    /// The transport ended (end of stream, reset or error, described by `detail`) before the
    /// session closed: fails with [`SessionError::Cut`]. Does nothing on a closed session.
    pub fn handle_closed<R: Replica + ?Sized>(
        &mut self,
        detail: &str,
        replica: &mut R,
    ) -> Vec<Output> {
        let mut out = Vec::new();
        if self.is_closed() {
            return out;
        }
        let detail = match self.decoder.finish() {
            Ok(()) => detail.to_owned(),
            Err(e) => format!("{detail} ({e})"),
        };
        let err = SessionError::Cut {
            bytes_sent: self.counters.bytes_sent,
            bytes_received: self.counters.bytes_received,
            detail,
        };
        self.state = State::Closed;
        let _ = self.end_sync(replica);
        out.push(Output::Event(Event::Error(err)));
        out
    }

    fn is_running(&self) -> bool {
        matches!(self.state, State::Greeting | State::Syncing)
    }

    fn on_frame<R: Replica + ?Sized>(
        &mut self,
        frame: Frame,
        replica: &mut R,
        out: &mut Vec<Output>,
    ) {
        match (self.state, frame) {
            (State::New | State::Closed, _) => {}
            (_, Frame::Refuse(r)) => {
                self.state = State::Closed;
                let _ = self.end_sync(replica);
                out.push(Output::Event(Event::Refused {
                    by_peer: true,
                    code: r.code,
                    reason: r.reason,
                }));
            }
            (State::Greeting, Frame::Hello(h)) => match self.check_hello(&h, replica) {
                Ok(()) => {
                    self.peer_reads_deflate =
                        h.compression.iter().any(|c| c == COMPRESSION_DEFLATE);
                    self.state = State::Syncing;
                    self.sync_started = true;
                    // The initiator speaks first; the acceptor answers what it receives.
                    // Both generating at once makes each side answer the other's opening
                    // "have" and send the whole set of missing changes twice.
                    if self.role == Role::Initiator {
                        self.pump(replica, out);
                    }
                }
                Err(refuse) => self.refuse(refuse, replica, out),
            },
            (State::Syncing, Frame::Sync(msg)) => {
                self.counters.messages_received += 1;
                if self.awaiting_reply {
                    self.round_trips += 1;
                    self.awaiting_reply = false;
                }
                match replica.receive_sync_message(&self.peer, &msg) {
                    Ok(n) => {
                        self.counters.changes_received += n as u64;
                        self.pump(replica, out);
                    }
                    Err(e) => self.fail(e.into(), RefuseCode::ProtocolError, replica, out),
                }
            }
            (State::Syncing, Frame::Done(d)) => {
                self.peer_done = Some(d);
                self.counters.changes_sent = d.changes_applied;
                // The peer has nothing more; we may still have something (or not have
                // spoken yet, as the acceptor): send it, or our Done.
                self.pump(replica, out);
            }
            (state, frame) => {
                let state = if state == State::Greeting {
                    "waiting for hello"
                } else {
                    "syncing"
                };
                let err = SessionError::UnexpectedFrame {
                    got: frame.kind(),
                    state,
                };
                self.fail(err, RefuseCode::ProtocolError, replica, out);
            }
        }
    }

    fn check_hello<R: Replica + ?Sized>(&self, h: &Hello, replica: &R) -> Result<(), Refuse> {
        let me = &self.local;
        if h.protocol_version != PROTOCOL_VERSION {
            return Err(Refuse::new(
                RefuseCode::ProtocolVersion,
                format!(
                    "different sync protocol versions (this device: {} in app {}, peer: {} in app {}): update the app",
                    PROTOCOL_VERSION, me.app_version, h.protocol_version, h.app_version
                ),
            ));
        }
        if h.group_id != me.group_id {
            return Err(Refuse::new(
                RefuseCode::DifferentGroup,
                format!(
                    "different group: this book belongs to group {} and the peer's to group {}",
                    me.group_id, h.group_id
                ),
            ));
        }
        match (self.role, replica.peer_status(&self.peer)) {
            (_, MemberStatus::Revoked) => {
                return Err(Refuse::new(RefuseCode::Revoked, "this device was revoked"));
            }
            (Role::Acceptor, MemberStatus::Unknown) => {
                return Err(Refuse::new(
                    RefuseCode::UnknownMember,
                    "unknown member: sync with the inviter first",
                ));
            }
            (Role::Initiator, MemberStatus::Unknown) | (_, MemberStatus::Member) => {}
        }
        if h.min_reader_schema > me.schema_version {
            return Err(Refuse::new(
                RefuseCode::Schema,
                format!(
                    "the book at the peer (schema {}, app {}) can only be read by schema {} or newer, this device has schema {} (app {}): update the app on this device",
                    h.schema_version,
                    h.app_version,
                    h.min_reader_schema,
                    me.schema_version,
                    me.app_version
                ),
            ));
        }
        if me.min_reader_schema > h.schema_version {
            return Err(Refuse::new(
                RefuseCode::Schema,
                format!(
                    "the book on this device (schema {}, app {}) can only be read by schema {} or newer, the peer has schema {} (app {}): update the app on the peer",
                    me.schema_version,
                    me.app_version,
                    me.min_reader_schema,
                    h.schema_version,
                    h.app_version
                ),
            ));
        }
        Ok(())
    }

    /// Asks the replica for messages; sends `Done` when there is none.
    fn pump<R: Replica + ?Sized>(&mut self, replica: &mut R, out: &mut Vec<Output>) {
        let mut generated = false;
        for _ in 0..MAX_MESSAGES_PER_STEP {
            let Some(msg) = replica.generate_sync_message(&self.peer) else {
                break;
            };
            if msg.len() > self.config.max_frame {
                let err = SessionError::MessageTooLarge {
                    len: msg.len(),
                    max: self.config.max_frame,
                };
                self.fail(err, RefuseCode::Internal, replica, out);
                return;
            }
            self.transmit(Frame::Sync(msg), out);
            self.counters.messages_sent += 1;
            self.awaiting_reply = true;
            self.done_sent_for = None;
            generated = true;
        }
        if !generated {
            self.send_done_if_stale(out);
            self.check_finished(replica, out);
        }
    }

    fn send_done_if_stale(&mut self, out: &mut Vec<Output>) {
        let received = self.counters.messages_received;
        if self.done_sent_for != Some(received) {
            self.done_sent_for = Some(received);
            let done = Done {
                messages_received: received,
                changes_applied: self.counters.changes_received,
            };
            self.transmit(Frame::Done(done), out);
        }
    }

    fn check_finished<R: Replica + ?Sized>(&mut self, replica: &mut R, out: &mut Vec<Output>) {
        let mine_current = self.done_sent_for == Some(self.counters.messages_received);
        let peer_acked =
            self.peer_done.map(|d| d.messages_received) == Some(self.counters.messages_sent);
        if self.state == State::Syncing && mine_current && peer_acked {
            self.state = State::Closed;
            match self.end_sync(replica) {
                Ok(()) => out.push(Output::Event(Event::Finished(self.summary()))),
                Err(e) => out.push(Output::Event(Event::Error(e.into()))),
            }
        }
    }

    fn refuse<R: Replica + ?Sized>(
        &mut self,
        refuse: Refuse,
        replica: &mut R,
        out: &mut Vec<Output>,
    ) {
        self.transmit(Frame::Refuse(refuse.clone()), out);
        self.state = State::Closed;
        let _ = self.end_sync(replica);
        out.push(Output::Event(Event::Refused {
            by_peer: false,
            code: refuse.code,
            reason: refuse.reason,
        }));
    }

    fn fail<R: Replica + ?Sized>(
        &mut self,
        err: SessionError,
        code: RefuseCode,
        replica: &mut R,
        out: &mut Vec<Output>,
    ) {
        if self.is_closed() {
            return;
        }
        self.transmit(Frame::Refuse(Refuse::new(code, err.to_string())), out);
        self.state = State::Closed;
        let _ = self.end_sync(replica);
        out.push(Output::Event(Event::Error(err)));
    }

    /// Calls `session_ended` once if the sync phase was reached.
    fn end_sync<R: Replica + ?Sized>(&mut self, replica: &mut R) -> Result<(), ReplicaError> {
        if self.sync_started && !self.ended {
            self.ended = true;
            if let Err(e) = replica.session_ended(&self.peer) {
                tracing::warn!(error = %e, "could not persist after sync session");
                return Err(e);
            }
        }
        Ok(())
    }

    fn transmit(&mut self, frame: Frame, out: &mut Vec<Output>) {
        if let Frame::Sync(payload) = &frame
            && self.peer_reads_deflate
            && let Some(bytes) = Frame::encode_sync_deflated(payload)
        {
            self.counters.bytes_sent += bytes.len() as u64;
            out.push(Output::Transmit(bytes));
            return;
        }
        match frame.encode() {
            Ok(bytes) => {
                self.counters.bytes_sent += bytes.len() as u64;
                out.push(Output::Transmit(bytes));
            }
            Err(e) => {
                // Only our own oversized control frame can get here; close without sending.
                tracing::warn!(error = %e, "could not encode a frame");
                if !self.is_closed() {
                    self.state = State::Closed;
                    out.push(Output::Event(Event::Error(e.into())));
                }
            }
        }
    }

    fn push_progress(&self, out: &mut Vec<Output>) {
        if !self.is_closed() {
            out.push(Output::Event(Event::Progress(self.counters)));
        }
    }
}

fn encoded_len(frame: &Frame) -> u64 {
    match frame {
        Frame::Sync(b) => (HEADER_LEN + b.len()) as u64,
        other => other.encode().map(|b| b.len() as u64).unwrap_or(0),
    }
}
