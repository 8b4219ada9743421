//! Test helpers (feature `test-util`): an Automerge [`TestReplica`], the deterministic
//! in-memory [`Sim`] harness, and [`CutAfter`], a writer that fails after N bytes.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ReadDoc, ScalarValue, Value};
use tokio::io::AsyncWrite;

use crate::frame::Hello;
use crate::replica::{JoinGrant, MemberStatus, PeerId, Replica, ReplicaError};
use crate::session::{Event, Output, Role, Session, SessionConfig, SessionError, Summary};
use crate::ticket::INVITE_SECRET_LEN;
use rukun_model::InviteRefusal;

/// Seconds since the Unix epoch, now (0 if the clock is before 1970).
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Hex text of a 32-byte id.
fn hex(id: &PeerId) -> String {
    data_encoding::HEXLOWER.encode(id)
}

#[derive(Debug, Clone)]
struct TestInvite {
    role: String,
    expires_at: u64,
    used: bool,
}

/// A [`Replica`] around an Automerge document, for tests.
///
/// Document layout (flat keys in the root map, so that concurrent first edits cannot create
/// competing maps): `members/<hex id>` = role, `revoked/<hex id>` = true (a revocation wins
/// over a concurrent re-add), `names/<hex id>` = name, `data/<key>` = free text edits; every edit is one change. Invites are kept in
/// memory on the device that made them. Sync states are kept per peer; at the end of a session
/// only their persistent part is kept (as after a restart).
#[derive(Debug)]
pub struct TestReplica {
    doc: AutoCommit,
    group_id: String,
    schema_version: u32,
    min_reader_schema: u32,
    states: HashMap<PeerId, sync::State>,
    saved_states: HashMap<PeerId, Vec<u8>>,
    invites: HashMap<Vec<u8>, TestInvite>,
    sessions_ended: u64,
}

impl TestReplica {
    /// A new book of group `group_id`, founded by `founder` (an admin member).
    pub fn new_group(group_id: &str, founder: &PeerId) -> Self {
        let mut r = Self::joining(group_id);
        r.add_member(founder, "admin");
        r
    }

    /// An empty book of group `group_id`, as on a device that just joined.
    pub fn joining(group_id: &str) -> Self {
        Self {
            doc: AutoCommit::new(),
            group_id: group_id.to_owned(),
            schema_version: 1,
            min_reader_schema: 1,
            states: HashMap::new(),
            saved_states: HashMap::new(),
            invites: HashMap::new(),
            sessions_ended: 0,
        }
    }

    /// Sets the schema version and the oldest schema able to read the book.
    pub fn set_schema(&mut self, schema_version: u32, min_reader_schema: u32) {
        self.schema_version = schema_version;
        self.min_reader_schema = min_reader_schema;
    }

    fn put(&mut self, map: &str, key: &str, value: impl Into<ScalarValue>) {
        if let Err(e) = self.doc.put(ROOT, format!("{map}/{key}"), value) {
            tracing::warn!(error = %e, "test replica put failed");
        }
        self.doc.commit();
    }

    fn get_str(&self, map: &str, key: &str) -> Option<String> {
        match self.doc.get(ROOT, format!("{map}/{key}")).ok().flatten()? {
            (Value::Scalar(s), _) => match s.as_ref() {
                ScalarValue::Str(t) => Some(t.to_string()),
                other => Some(other.to_string()),
            },
            _ => None,
        }
    }

    /// Adds (or re-adds) `id` as a member with `role`.
    pub fn add_member(&mut self, id: &PeerId, role: &str) {
        self.put("members", &hex(id), role);
    }

    /// Revokes `id`.
    pub fn revoke(&mut self, id: &PeerId) {
        self.put("revoked", &hex(id), true);
    }

    /// The role of member `id`, if listed.
    pub fn member_role(&self, id: &PeerId) -> Option<String> {
        self.get_str("members", &hex(id))
    }

    /// Sets `data[key] = value` (one local change).
    pub fn edit(&mut self, key: &str, value: &str) {
        self.put("data", key, value);
    }

    /// Reads `data[key]`.
    pub fn value(&self, key: &str) -> Option<String> {
        self.get_str("data", key)
    }

    /// Heads of the document as sorted hex hashes.
    pub fn heads(&mut self) -> Vec<String> {
        let set: BTreeSet<String> = self.doc.get_heads().iter().map(|h| h.to_string()).collect();
        set.into_iter().collect()
    }

    /// The Automerge document.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// How many sessions reached their end (`session_ended` calls).
    pub fn sessions_ended(&self) -> u64 {
        self.sessions_ended
    }

    /// Creates an invite for `role` expiring at `expires_at` (Unix seconds); returns its secret.
    pub fn create_invite(&mut self, role: &str, expires_at: u64) -> [u8; INVITE_SECRET_LEN] {
        let secret = crate::ticket::InviteTicket::random_secret();
        self.invites.insert(
            secret.to_vec(),
            TestInvite {
                role: role.to_owned(),
                expires_at,
                used: false,
            },
        );
        secret
    }

    fn state(&mut self, peer: &PeerId) -> &mut sync::State {
        let saved = self.saved_states.get(peer);
        self.states.entry(*peer).or_insert_with(|| {
            saved
                .and_then(|b| sync::State::decode(b).ok())
                .unwrap_or_default()
        })
    }
}

impl Replica for TestReplica {
    fn group_id(&self) -> String {
        self.group_id.clone()
    }

    fn schema_version(&self) -> u32 {
        self.schema_version
    }

    fn min_reader_schema(&self) -> u32 {
        self.min_reader_schema
    }

    fn peer_status(&self, peer: &PeerId) -> MemberStatus {
        let key = hex(peer);
        if self.get_str("revoked", &key).is_some() {
            MemberStatus::Revoked
        } else if self.get_str("members", &key).is_some() {
            MemberStatus::Member
        } else {
            MemberStatus::Unknown
        }
    }

    fn generate_sync_message(&mut self, peer: &PeerId) -> Option<Vec<u8>> {
        let mut state = std::mem::take(self.state(peer));
        let msg = self.doc.sync().generate_sync_message(&mut state);
        self.states.insert(*peer, state);
        msg.map(sync::Message::encode)
    }

    fn receive_sync_message(&mut self, peer: &PeerId, msg: &[u8]) -> Result<usize, ReplicaError> {
        let message = sync::Message::decode(msg).map_err(|e| ReplicaError::MalformedMessage {
            detail: e.to_string(),
        })?;
        let before = self.doc.get_heads();
        let mut state = std::mem::take(self.state(peer));
        let result = self.doc.sync().receive_sync_message(&mut state, message);
        self.states.insert(*peer, state);
        result.map_err(|e| ReplicaError::MalformedMessage {
            detail: e.to_string(),
        })?;
        Ok(self.doc.get_changes(&before).len())
    }

    fn session_ended(&mut self, peer: &PeerId) -> Result<(), ReplicaError> {
        self.sessions_ended += 1;
        if let Some(state) = self.states.remove(peer) {
            self.saved_states.insert(*peer, state.encode());
        }
        Ok(())
    }

    fn heads_key(&mut self) -> Vec<u8> {
        self.doc.get_heads().iter().flat_map(|h| h.0).collect()
    }

    fn save_snapshot(&mut self) -> Result<Vec<u8>, ReplicaError> {
        Ok(self.doc.save())
    }

    fn redeem_invite(
        &mut self,
        secret: &[u8],
        new_member: &PeerId,
        name: &str,
    ) -> Result<JoinGrant, InviteRefusal> {
        if self.peer_status(new_member) == MemberStatus::Revoked {
            return Err(InviteRefusal::Revoked);
        }
        let now = unix_now();
        let invite = self.invites.get_mut(secret).ok_or(InviteRefusal::Unknown)?;
        if invite.used {
            return Err(InviteRefusal::AlreadyUsed);
        }
        if now >= invite.expires_at {
            return Err(InviteRefusal::Expired);
        }
        invite.used = true;
        let role = invite.role.clone();
        self.add_member(new_member, &role);
        self.put("names", &hex(new_member), name);
        Ok(JoinGrant {
            group_id: self.group_id.clone(),
            role,
        })
    }
}

/// A small deterministic random generator (SplitMix64) for simulations.
#[derive(Debug, Clone)]
pub struct SimRng(u64);

impl SimRng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// How one side of a simulated session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimOutcome {
    /// In sync.
    Finished(Summary),
    /// Refused (by the peer when `by_peer`).
    Refused {
        /// Whether the peer refused.
        by_peer: bool,
        /// The reason text.
        reason: String,
    },
    /// Failed (including [`SessionError::Cut`] and timeouts).
    Error(SessionError),
}

/// The end of one simulated session: peer indices and each side's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimReport {
    /// Index of the initiator.
    pub a: usize,
    /// Index of the acceptor.
    pub b: usize,
    /// The initiator's outcome.
    pub outcome_a: SimOutcome,
    /// The acceptor's outcome.
    pub outcome_b: SimOutcome,
}

impl SimReport {
    /// Whether both sides finished in sync.
    pub fn both_finished(&self) -> bool {
        matches!(
            (&self.outcome_a, &self.outcome_b),
            (SimOutcome::Finished(_), SimOutcome::Finished(_))
        )
    }
}

struct Side {
    session: Session,
    outcome: Option<SimOutcome>,
    /// Bytes on the way to this side.
    inbound: VecDeque<u8>,
}

struct Link {
    a: usize,
    b: usize,
    sides: [Side; 2],
    delivered: u64,
    cut_after: Option<u64>,
}

/// One simulated device.
#[derive(Debug)]
pub struct SimPeer<R> {
    /// Its 32-byte endpoint id.
    pub id: PeerId,
    /// Its book.
    pub replica: R,
}

/// Deterministic in-memory network of replicas: no sockets, virtual time, seeded randomness.
///
/// Sessions run the real [`Session`] over byte queues delivered in random-sized chunks, in a
/// random order across links; links can be partitioned (cutting running sessions) and healed,
/// and a session can be cut after a given number of bytes.
pub struct Sim<R> {
    peers: Vec<SimPeer<R>>,
    links: Vec<Link>,
    blocked: BTreeSet<(usize, usize)>,
    now: Instant,
    rng: SimRng,
    config: SessionConfig,
}

impl<R: Replica> Sim<R> {
    /// An empty network with randomness seeded by `seed`.
    pub fn new(seed: u64) -> Self {
        let config = SessionConfig {
            app_version: "sim".to_owned(),
            ..SessionConfig::default()
        };
        Self {
            peers: Vec::new(),
            links: Vec::new(),
            blocked: BTreeSet::new(),
            now: Instant::now(),
            rng: SimRng::new(seed),
            config,
        }
    }

    /// Adds a device with endpoint id `id`; returns its index.
    pub fn add_peer(&mut self, id: PeerId, replica: R) -> usize {
        self.peers.push(SimPeer { id, replica });
        self.peers.len() - 1
    }

    /// The device at `index`.
    ///
    /// # Panics
    /// When `index` is out of range (test helper).
    pub fn peer(&self, index: usize) -> &SimPeer<R> {
        &self.peers[index]
    }

    /// The device at `index`, mutably (e.g. to edit its book between sessions).
    ///
    /// # Panics
    /// When `index` is out of range (test helper).
    pub fn peer_mut(&mut self, index: usize) -> &mut SimPeer<R> {
        &mut self.peers[index]
    }

    /// The random generator of the simulation.
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.rng
    }

    /// Number of devices.
    pub fn len(&self) -> usize {
        self.peers.len()
    }

    /// Whether there is no device.
    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    fn key(a: usize, b: usize) -> (usize, usize) {
        (a.min(b), a.max(b))
    }

    /// Whether `a` and `b` can currently reach each other.
    pub fn reachable(&self, a: usize, b: usize) -> bool {
        !self.blocked.contains(&Self::key(a, b))
    }

    /// Starts a session, `a` dialling `b`. Returns `false` (and starts nothing) when they are
    /// partitioned or an index is out of range.
    pub fn connect(&mut self, a: usize, b: usize) -> bool {
        self.connect_inner(a, b, None)
    }

    /// Like [`Sim::connect`], but the link is cut once `bytes` bytes (both directions together)
    /// have been delivered.
    pub fn connect_with_cut(&mut self, a: usize, b: usize, bytes: u64) -> bool {
        self.connect_inner(a, b, Some(bytes))
    }

    fn connect_inner(&mut self, a: usize, b: usize, cut_after: Option<u64>) -> bool {
        if a == b || a >= self.peers.len() || b >= self.peers.len() || !self.reachable(a, b) {
            return false;
        }
        let now = self.now;
        let mk = |role, me: &SimPeer<R>, other: &SimPeer<R>, config: &SessionConfig| {
            let hello = Hello::for_replica(&me.replica, &config.app_version);
            Side {
                session: Session::new(role, hello, other.id, config.clone(), now),
                outcome: None,
                inbound: VecDeque::new(),
            }
        };
        let side_a = mk(
            Role::Initiator,
            &self.peers[a],
            &self.peers[b],
            &self.config,
        );
        let side_b = mk(Role::Acceptor, &self.peers[b], &self.peers[a], &self.config);
        let mut link = Link {
            a,
            b,
            sides: [side_a, side_b],
            delivered: 0,
            cut_after,
        };
        for s in 0..2 {
            let outs = link.sides[s].session.start(now);
            Self::absorb(&mut link, s, outs);
        }
        self.links.push(link);
        true
    }

    /// Blocks traffic between `a` and `b`; running sessions between them are cut.
    pub fn partition(&mut self, a: usize, b: usize) {
        self.blocked.insert(Self::key(a, b));
        for i in 0..self.links.len() {
            let l = &self.links[i];
            if Self::key(l.a, l.b) == Self::key(a, b) {
                self.cut_link(i, "network partition");
            }
        }
    }

    /// Allows traffic between `a` and `b` again.
    pub fn heal(&mut self, a: usize, b: usize) {
        self.blocked.remove(&Self::key(a, b));
    }

    /// Allows all traffic again.
    pub fn heal_all(&mut self) {
        self.blocked.clear();
    }

    fn absorb(link: &mut Link, side: usize, outs: Vec<Output>) {
        for out in outs {
            match out {
                Output::Transmit(bytes) => link.sides[1 - side].inbound.extend(bytes),
                Output::Event(event) => {
                    let outcome = match event {
                        Event::Progress(_) => None,
                        Event::Finished(s) => Some(SimOutcome::Finished(s)),
                        Event::Refused {
                            by_peer, reason, ..
                        } => Some(SimOutcome::Refused { by_peer, reason }),
                        Event::Error(e) => Some(SimOutcome::Error(e)),
                    };
                    if outcome.is_some() {
                        link.sides[side].outcome = outcome;
                    }
                }
            }
        }
    }

    fn replica_pair(&mut self, link: usize, side: usize) -> (&mut Link, &mut R) {
        let peer = if side == 0 {
            self.links[link].a
        } else {
            self.links[link].b
        };
        (&mut self.links[link], &mut self.peers[peer].replica)
    }

    fn cut_link(&mut self, i: usize, why: &str) {
        for s in 0..2 {
            let (link, replica) = self.replica_pair(i, s);
            link.sides[s].inbound.clear();
            let outs = link.sides[s].session.handle_closed(why, replica);
            Self::absorb(link, s, outs);
        }
    }

    /// Delivers traffic until every session has ended; returns the reports of the sessions
    /// that ended, in the order they ended. Virtual time advances 1 ms per delivery and jumps
    /// to the next idle timeout when nothing is in flight.
    pub fn run_until_quiescent(&mut self) -> Vec<SimReport> {
        let mut reports = Vec::new();
        loop {
            // Retire finished links; close the transport towards a side whose peer is done.
            let mut i = 0;
            while i < self.links.len() {
                let l = &self.links[i];
                let done = |s: usize| l.sides[s].session.is_closed();
                if done(0) && done(1) {
                    let l = self.links.remove(i);
                    let [sa, sb] = l.sides;
                    let unknown = || {
                        SimOutcome::Error(SessionError::Cut {
                            bytes_sent: 0,
                            bytes_received: 0,
                            detail: "no outcome".to_owned(),
                        })
                    };
                    reports.push(SimReport {
                        a: l.a,
                        b: l.b,
                        outcome_a: sa.outcome.unwrap_or_else(unknown),
                        outcome_b: sb.outcome.unwrap_or_else(unknown),
                    });
                    continue;
                }
                for s in 0..2 {
                    let l = &self.links[i];
                    if l.sides[1 - s].session.is_closed()
                        && l.sides[s].inbound.is_empty()
                        && !l.sides[s].session.is_closed()
                    {
                        let (link, replica) = self.replica_pair(i, s);
                        let outs = link.sides[s]
                            .session
                            .handle_closed("the peer closed the stream", replica);
                        Self::absorb(link, s, outs);
                    }
                }
                i += 1;
            }
            if self.links.is_empty() {
                return reports;
            }
            // Pick a random (link, direction) with bytes in flight.
            let candidates: Vec<(usize, usize)> = self
                .links
                .iter()
                .enumerate()
                .flat_map(|(i, l)| {
                    (0..2)
                        .filter(move |&s| !l.sides[s].inbound.is_empty())
                        .map(move |s| (i, s))
                })
                .collect();
            if candidates.is_empty() {
                // Nothing in flight: jump to the earliest timeout.
                let next = self
                    .links
                    .iter()
                    .flat_map(|l| l.sides.iter().filter_map(|s| s.session.poll_timeout()))
                    .min();
                self.now = next
                    .unwrap_or(self.now + Duration::from_secs(60))
                    .max(self.now);
                for i in 0..self.links.len() {
                    for s in 0..2 {
                        let now = self.now;
                        let (link, replica) = self.replica_pair(i, s);
                        let outs = link.sides[s].session.handle_timeout(now, replica);
                        Self::absorb(link, s, outs);
                    }
                }
                continue;
            }
            let pick = self.rng.below(candidates.len() as u64) as usize;
            let (i, s) = candidates[pick];
            let pending = self.links[i].sides[s].inbound.len() as u64;
            let mut n = 1 + self.rng.below(pending);
            let mut cut = false;
            if let Some(limit) = self.links[i].cut_after {
                let left = limit.saturating_sub(self.links[i].delivered);
                if n >= left {
                    n = left;
                    cut = true;
                }
            }
            self.now += Duration::from_millis(1);
            let now = self.now;
            let (link, replica) = self.replica_pair(i, s);
            let chunk: Vec<u8> = link.sides[s].inbound.drain(..n as usize).collect();
            link.delivered += n;
            if !chunk.is_empty() {
                let outs = link.sides[s].session.handle_bytes(&chunk, replica, now);
                Self::absorb(link, s, outs);
            }
            if cut {
                self.cut_link(i, "connection cut by the simulation");
            }
        }
    }
}

/// An [`AsyncWrite`] that passes bytes to `inner` until `limit` bytes were written, then fails
/// with `BrokenPipe` (to simulate a connection cut at a byte position).
#[derive(Debug)]
pub struct CutAfter<W> {
    inner: W,
    limit: u64,
    left: u64,
}

impl<W> CutAfter<W> {
    /// Wraps `inner`, allowing `limit` bytes.
    pub fn new(inner: W, limit: u64) -> Self {
        Self {
            inner,
            limit,
            left: limit,
        }
    }

    /// Bytes passed to `inner` so far.
    pub fn written(&self) -> u64 {
        self.limit - self.left
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for CutAfter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.left == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "cut by test",
            )));
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_write(cx, &buf[..n]) {
            Poll::Ready(Ok(w)) => {
                this.left -= w as u64;
                Poll::Ready(Ok(w))
            }
            other => other,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.left == 0 {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "cut by test",
            )));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A hostile acceptor for tests: an endpoint on 127.0.0.1 that is no member of any book,
/// accepts every connection on the sync and join ALPNs, reads whatever arrives and echoes it
/// back (so a hello it receives is answered with the very group id it learned). It counts
/// the connections and the bytes it received, to prove an honest initiator wrote nothing.
#[derive(Debug)]
pub struct Eavesdropper {
    router: iroh::protocol::Router,
    ticket: crate::ticket::EndpointTicket,
    seen: std::sync::Arc<EavesdropperSeen>,
}

#[derive(Debug, Default)]
struct EavesdropperSeen {
    connections: std::sync::atomic::AtomicU64,
    bytes: std::sync::atomic::AtomicU64,
}

#[derive(Debug, Clone)]
struct EavesdropperHandler(std::sync::Arc<EavesdropperSeen>);

impl iroh::protocol::ProtocolHandler for EavesdropperHandler {
    async fn accept(
        &self,
        conn: iroh::endpoint::Connection,
    ) -> Result<(), iroh::protocol::AcceptError> {
        use std::sync::atomic::Ordering;
        self.0.connections.fetch_add(1, Ordering::SeqCst);
        if let Ok((mut send, mut recv)) = conn.accept_bi().await {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(Some(n)) = recv.read(&mut buf).await {
                self.0.bytes.fetch_add(n as u64, Ordering::SeqCst);
                if send.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
        Ok(())
    }
}

impl Eavesdropper {
    /// Binds the stub on 127.0.0.1 with the key `secret` and starts accepting.
    ///
    /// # Errors
    /// When the endpoint cannot be bound.
    pub async fn spawn(secret: [u8; 32]) -> Result<Eavesdropper, crate::BindEndpointError> {
        let ep = crate::bind_endpoint(
            secret,
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            vec![crate::SYNC_ALPN.to_vec(), crate::JOIN_ALPN.to_vec()],
        )
        .await?;
        let ticket = crate::ticket::EndpointTicket::from_endpoint(&ep);
        let seen = std::sync::Arc::new(EavesdropperSeen::default());
        let handler = EavesdropperHandler(seen.clone());
        let router = iroh::protocol::Router::builder(ep)
            .accept(crate::SYNC_ALPN, handler.clone())
            .accept(crate::JOIN_ALPN, handler)
            .spawn();
        Ok(Eavesdropper {
            router,
            ticket,
            seen,
        })
    }

    /// The stub's ticket (its endpoint id and loopback address), as a fake QR would show.
    pub fn ticket(&self) -> &crate::ticket::EndpointTicket {
        &self.ticket
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        self.seen
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Bytes received on all streams so far.
    pub fn bytes_received(&self) -> u64 {
        self.seen.bytes.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Stops the stub.
    pub async fn shutdown(self) {
        let _ = self.router.shutdown().await;
    }
}
