//! A running peer: one book served on an offline iroh endpoint ([`SYNC_ALPN`] and
//! [`JOIN_ALPN`]), with optional local discovery (mDNS), and joining a group with an invite.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iroh::protocol::Router;
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayUrl};
use iroh_mdns_address_lookup::{DiscoveryEvent, MdnsAddressLookup};
use rukun_model::{Book, BookError, Device, MemberId, Role};
use tokio::sync::mpsc;
use tokio_stream::StreamExt;

use crate::book::BookReplica;
use crate::join::{JOIN_TIMEOUT, JoinError, JoinHandler, JoinReport, join_at};
use crate::net::{
    BindEndpointError, EndpointConfig, JOIN_ALPN, SYNC_ALPN, SessionReport, SyncHandler,
    bind_endpoint_with, sync_with, sync_with_inviter,
};
use crate::replica::{JoinGrant, MemberStatus, PeerId, Replica};
use crate::session::{Event, Progress, SessionConfig, Summary};
use crate::snapshot::{
    PartialSnapshot, SNAPSHOT_ALPN, SnapshotError, SnapshotHandler, fetch_snapshot,
};
use crate::stream::SyncError;
use crate::ticket::{EndpointTicket, InviteTicket, ShortCode};

/// mDNS service name under which Rukun devices announce themselves
/// (`<endpoint id>._rukun._udp.local`).
pub const MDNS_SERVICE: &str = "rukun";

/// Settings of a [`Node`].
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Socket address to bind: `0.0.0.0:0` for a hotspot LAN, `127.0.0.1:0` in tests.
    pub bind: SocketAddr,
    /// Announce this device and find others on the local network with mDNS (off by
    /// default: multicast leaves the machine on every interface the bind address covers).
    pub discover: bool,
    /// A relay run by the group itself; `None` (the default) means no relay at all.
    pub relay: Option<RelayUrl>,
    /// Settings of every sync session.
    pub session: SessionConfig,
}

impl NodeConfig {
    /// Offline defaults on `bind`: no discovery, no relay, default session settings.
    pub fn new(bind: SocketAddr) -> Self {
        Self {
            bind,
            discover: false,
            relay: None,
            session: SessionConfig::default(),
        }
    }
}

/// A node could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The endpoint could not be bound.
    #[error(transparent)]
    Bind(#[from] BindEndpointError),
    /// mDNS discovery could not start (e.g. no IPv4 or IPv6 network).
    #[error("local discovery (mDNS) could not start: {0}")]
    Discovery(String),
    /// The book's lock was poisoned by a panic elsewhere.
    #[error("the book is unavailable: another task panicked while using it")]
    ReplicaUnavailable,
    /// The book could not be written.
    #[error("could not write the book: {0}")]
    Book(#[from] BookError),
}

/// Something that happened at a [`Node`]: a served sync session or a join ended.
#[derive(Debug, Clone)]
pub enum NodeEvent {
    /// A device dialled us on [`SYNC_ALPN`] and the session ended (finished, refused, cut).
    Synced(SessionReport),
    /// A device dialled us on [`JOIN_ALPN`] with an invite.
    Joined(JoinReport),
    /// A session a device opened with us moved on (counters for a progress bar).
    Progress {
        /// The dialling device's endpoint id.
        peer: PeerId,
        /// Its session's counters.
        progress: Progress,
    },
    /// The devices found on the local network changed (see [`Node::nearby`]).
    NearbyChanged,
}

/// Devices announced on the local network, by endpoint id.
type Nearby = Arc<Mutex<BTreeMap<EndpointId, EndpointAddr>>>;

/// One book served on an offline iroh endpoint: accepts sync sessions from members and joins
/// with invites, dials members on request. Makes no outbound connection by itself (except
/// mDNS announcements on the local network when [`NodeConfig::discover`] is on).
#[derive(Debug)]
pub struct Node {
    router: Router,
    replica: Arc<Mutex<BookReplica>>,
    sync_rx: mpsc::UnboundedReceiver<SessionReport>,
    join_rx: mpsc::UnboundedReceiver<JoinReport>,
    progress_rx: mpsc::UnboundedReceiver<(PeerId, Progress)>,
    nearby_rx: mpsc::UnboundedReceiver<()>,
    config: NodeConfig,
    mdns: Option<MdnsAddressLookup>,
    nearby: Nearby,
    nearby_task: Option<tokio::task::JoinHandle<()>>,
}

/// Keeps `nearby` up to date from the mDNS events of `mdns`; pings `tx` on every change.
async fn watch_nearby(
    mdns: MdnsAddressLookup,
    me: EndpointId,
    nearby: Nearby,
    tx: mpsc::UnboundedSender<()>,
) {
    let mut events = mdns.subscribe().await;
    while let Some(ev) = events.next().await {
        let changed = match (ev, nearby.lock()) {
            (_, Err(_)) => return,
            (DiscoveryEvent::Discovered { endpoint_info, .. }, Ok(mut map)) => {
                let id = endpoint_info.endpoint_id;
                if id == me {
                    false
                } else {
                    let addr = EndpointAddr::from(endpoint_info);
                    map.insert(id, addr.clone()) != Some(addr)
                }
            }
            (DiscoveryEvent::Expired { endpoint_id }, Ok(mut map)) => {
                map.remove(&endpoint_id).is_some()
            }
            _ => false,
        };
        if changed && tx.send(()).is_err() {
            return;
        }
    }
}

fn add_mdns(ep: &Endpoint) -> Result<MdnsAddressLookup, NodeError> {
    let mdns = MdnsAddressLookup::builder()
        .service_name(MDNS_SERVICE)
        .build(ep.id())
        .map_err(|e| NodeError::Discovery(e.to_string()))?;
    ep.address_lookup()
        .map_err(|e| NodeError::Discovery(e.to_string()))?
        .add(mdns.clone());
    Ok(mdns)
}

impl Node {
    /// Binds the endpoint with the book's device key (the endpoint id is the member id) and
    /// starts serving [`SYNC_ALPN`] and [`JOIN_ALPN`].
    ///
    /// # Errors
    /// [`NodeError::Bind`] when the address cannot be bound; [`NodeError::Discovery`] when
    /// discovery was asked for and cannot start; [`NodeError::ReplicaUnavailable`].
    pub async fn spawn(replica: BookReplica, config: NodeConfig) -> Result<Node, NodeError> {
        Node::spawn_shared(Arc::new(Mutex::new(replica)), config).await
    }

    /// Like [`Node::spawn`] on a book that stays shared with its owner (the app's screens keep
    /// editing it between sessions; sessions lock it only while handling one message). The
    /// book is never opened twice: the node and the screens hold the same one.
    ///
    /// # Errors
    /// As [`Node::spawn`].
    pub async fn spawn_shared(
        replica: Arc<Mutex<BookReplica>>,
        config: NodeConfig,
    ) -> Result<Node, NodeError> {
        let secret_key = replica
            .lock()
            .map_err(|_| NodeError::ReplicaUnavailable)?
            .book()
            .device()
            .secret_bytes();
        let ep = bind_endpoint_with(EndpointConfig {
            secret_key,
            bind: config.bind,
            alpns: vec![
                SYNC_ALPN.to_vec(),
                JOIN_ALPN.to_vec(),
                SNAPSHOT_ALPN.to_vec(),
            ],
            relay: config.relay.clone(),
        })
        .await?;
        let mdns = if config.discover {
            match add_mdns(&ep) {
                Ok(m) => Some(m),
                Err(e) => {
                    ep.close().await;
                    return Err(e);
                }
            }
        } else {
            None
        };
        let nearby = Nearby::default();
        let (nearby_tx, nearby_rx) = mpsc::unbounded_channel();
        let nearby_task = mdns
            .clone()
            .map(|m| tokio::spawn(watch_nearby(m, ep.id(), nearby.clone(), nearby_tx.clone())));
        let (sync_tx, sync_rx) = mpsc::unbounded_channel();
        let (join_tx, join_rx) = mpsc::unbounded_channel();
        let (progress_tx, progress_rx) = mpsc::unbounded_channel();
        let router = Router::builder(ep)
            .accept(
                SYNC_ALPN,
                SyncHandler::new(replica.clone(), config.session.clone())
                    .with_reports(sync_tx)
                    .with_progress(progress_tx),
            )
            .accept(
                JOIN_ALPN,
                JoinHandler::new(replica.clone()).with_reports(join_tx),
            )
            .accept(SNAPSHOT_ALPN, SnapshotHandler::new(replica.clone()))
            .spawn();
        Ok(Node {
            router,
            replica,
            sync_rx,
            join_rx,
            progress_rx,
            nearby_rx,
            config,
            mdns,
            nearby,
            nearby_task,
        })
    }

    /// Devices found on the local network by mDNS (empty without discovery), whoever they
    /// are: check [`Replica::peer_status`] before showing one as a member.
    pub fn nearby(&self) -> Vec<EndpointAddr> {
        self.nearby
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Devices found on the local network that this book lists as members, not revoked
    /// (a stranger announcing itself nearby is never among them).
    pub fn nearby_members(&self) -> Vec<EndpointAddr> {
        let nearby = self.nearby();
        let Ok(guard) = self.replica.lock() else {
            return Vec::new();
        };
        nearby
            .into_iter()
            .filter(|a| guard.peer_status(a.id.as_bytes()) == MemberStatus::Member)
            .collect()
    }

    /// Notes in this device's book that a session with `peer` just finished (for "last
    /// synced" beside each member).
    fn note_synced(&self, peer: &PeerId) {
        if let Ok(mut guard) = self.replica.lock()
            && let Err(e) = guard.book_mut().note_synced(&MemberId::from_bytes(peer))
        {
            tracing::warn!(error = %e, "could not note the sync time");
        }
    }

    /// The iroh endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        self.router.endpoint()
    }

    /// This device's ticket: endpoint id and bound addresses (only loopback when bound to
    /// `127.0.0.1`).
    pub fn ticket(&self) -> EndpointTicket {
        EndpointTicket::from_endpoint(self.endpoint())
    }

    /// Whether mDNS discovery is running.
    pub fn discovering(&self) -> bool {
        self.mdns.is_some()
    }

    /// The book being served.
    pub fn replica(&self) -> &Arc<Mutex<BookReplica>> {
        &self.replica
    }

    /// Creates a one-time invite for `role`, valid for `valid_for` on this device's clock,
    /// recorded in the book, and returns its ticket (this device's address, group id, secret,
    /// role, expiry in Unix seconds).
    ///
    /// # Errors
    /// [`NodeError::Book`] when the invite cannot be written; [`NodeError::ReplicaUnavailable`].
    pub fn create_invite(
        &self,
        role: Role,
        valid_for: Duration,
    ) -> Result<InviteTicket, NodeError> {
        let secret = InviteTicket::random_secret();
        let mut guard = self
            .replica
            .lock()
            .map_err(|_| NodeError::ReplicaUnavailable)?;
        let group_id = guard.group_id();
        let book = guard.book_mut();
        let valid = chrono::Duration::from_std(valid_for).unwrap_or(chrono::Duration::days(1));
        let expires = book.now() + valid;
        book.create_invite(&secret, role, expires)?;
        Ok(InviteTicket {
            inviter: self.ticket(),
            group_id,
            secret,
            role: role.as_str().to_owned(),
            expires_at: u64::try_from(expires.timestamp()).unwrap_or(0),
        })
    }

    /// Dials `addr` (an endpoint id with direct addresses, or only an endpoint id when
    /// discovery is on) and syncs until both books are equal. `progress` sees every event.
    ///
    /// # Errors
    /// As for [`crate::sync_with`]: connect errors, the peer's refusal with its reason, a cut
    /// connection ([`SyncError::is_cut`]: the next sync resumes) or protocol errors.
    pub async fn sync_with(
        &self,
        addr: EndpointAddr,
        progress: impl FnMut(Event),
    ) -> Result<Summary, SyncError> {
        let peer = *addr.id.as_bytes();
        let result = sync_with(
            self.endpoint(),
            addr,
            self.replica.clone(),
            &self.config.session,
            progress,
        )
        .await;
        if result.is_ok() {
            self.note_synced(&peer);
        }
        result
    }

    /// The next served session or join that ended; `None` once the node is shut down.
    pub async fn next_event(&mut self) -> Option<NodeEvent> {
        tokio::select! {
            Some(r) = self.sync_rx.recv() => {
                if r.result.is_ok() {
                    self.note_synced(&r.peer);
                }
                Some(NodeEvent::Synced(r))
            }
            Some(r) = self.join_rx.recv() => Some(NodeEvent::Joined(r)),
            Some((peer, progress)) = self.progress_rx.recv() => {
                Some(NodeEvent::Progress { peer, progress })
            }
            Some(()) = self.nearby_rx.recv() => Some(NodeEvent::NearbyChanged),
            else => None,
        }
    }

    /// Stops accepting, closes the endpoint (running sessions end and save their state) and
    /// writes the book as one snapshot.
    ///
    /// # Errors
    /// [`NodeError::Book`] when the book cannot be written.
    pub async fn shutdown(self) -> Result<(), NodeError> {
        if let Err(e) = self.router.shutdown().await {
            tracing::warn!(error = %e, "router shutdown");
        }
        if let Some(t) = self.nearby_task {
            t.abort();
        }
        drop(self.mdns);
        let mut guard = self
            .replica
            .lock()
            .map_err(|_| NodeError::ReplicaUnavailable)?;
        guard.book_mut().persist_merged()?;
        Ok(())
    }
}

/// Joining a group did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum JoinGroupError {
    /// The endpoint could not be bound.
    #[error(transparent)]
    Bind(#[from] BindEndpointError),
    /// The invite was refused or the inviter could not be reached.
    #[error(transparent)]
    Join(#[from] JoinError),
    /// Membership was granted but the first sync did not finish (join again with a new invite,
    /// or sync with the inviter's ticket).
    #[error("joined, but the first sync with the inviter did not finish: {0}")]
    Sync(#[from] SyncError),
    /// The inviter sent a book of another group than the invite's.
    #[error("the inviter sent the book of group {got}, but the invite is for group {expected}")]
    WrongGroup {
        /// Group id of the invite.
        expected: String,
        /// Group id of the book received.
        got: String,
    },
    /// Membership was granted but the book's snapshot did not arrive (the link was cut or
    /// went quiet too often); the device is a member now: continue with
    /// [`join_group_resuming`] and the [`JoinResume`] it left, no new invite needed.
    #[error("joined, but the book did not arrive: {0}")]
    Snapshot(#[from] SnapshotError),
    /// The received book could not be loaded or created.
    #[error(transparent)]
    Book(#[from] BookError),
    /// No device with the short code's locator was found nearby.
    #[error(
        "no device with code {code} was found nearby: is its Sinkron screen open on the same Wi-Fi or hotspot?"
    )]
    InviterNotFound {
        /// The device part of the code (`RKN-XXXX`).
        code: String,
    },
    /// Local discovery (mDNS) could not start.
    #[error("local discovery (mDNS) could not start: {0}")]
    Discovery(String),
}

/// A device that joined: its book (in memory, to be saved with [`Book::create_joined`] and
/// [`Book::adopt_sync_states`]), what was granted and the first sync's totals.
#[derive(Debug)]
pub struct Joined {
    /// The received book with this device's identity and its sync state with the inviter.
    pub replica: BookReplica,
    /// Group id and role granted.
    pub grant: JoinGrant,
    /// Totals of the first sync (after the snapshot: only what was written since it).
    pub summary: Summary,
    /// Bytes of the inviter's snapshot downloaded (0 when the inviter is an older app and the
    /// whole book came by sync).
    pub snapshot_bytes: u64,
}

/// What a new device was given to join: the invite's ticket (QR code or text) or its short
/// code read aloud.
#[derive(Debug, Clone)]
pub enum InviteInput {
    /// The whole invite ticket (`rukuninvite…`): names the inviter's endpoint id and the group.
    Ticket(InviteTicket),
    /// The short code `RKN-XXXX-YYYY`: the inviter is found among nearby devices.
    Code(ShortCode),
}

impl std::str::FromStr for InviteInput {
    type Err = crate::ticket::TicketError;

    /// A ticket when the text starts with `rukuninvite`, else a short code.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.len() > 20 || t.to_ascii_lowercase().starts_with("rukuninvite") {
            return t.parse().map(InviteInput::Ticket);
        }
        let code: ShortCode = t.parse()?;
        if code.invite_secret().is_none() {
            return Err(crate::ticket::TicketError::Malformed(
                "this is a device code (RKN-XXXX); an invite code has 8 letters and digits",
            ));
        }
        Ok(InviteInput::Code(code))
    }
}

/// How a new device looks for its inviter.
#[derive(Debug, Clone)]
pub struct JoinOptions {
    /// Socket address to bind: `0.0.0.0:0` for a hotspot LAN, `127.0.0.1:0` in tests.
    pub bind: SocketAddr,
    /// For a short code: look for the inviter on the local network with mDNS.
    pub discover: bool,
    /// For a short code: devices already known to be nearby (their addresses), tried first.
    pub known: Vec<EndpointAddr>,
    /// For a short code: how long to look for the inviter.
    pub find_timeout: Duration,
}

impl JoinOptions {
    /// Offline defaults on `bind`: no discovery, nobody known, 15 s to find the inviter.
    pub fn new(bind: SocketAddr) -> Self {
        Self {
            bind,
            discover: false,
            known: Vec::new(),
            find_timeout: Duration::from_secs(15),
        }
    }
}

/// Joins a group with `invite` as the new device `device`, named `name`: binds an offline
/// endpoint on `bind`, redeems the invite on [`JOIN_ALPN`], then receives the book on
/// [`SYNC_ALPN`] (`progress` sees its events).
///
/// # Errors
/// [`JoinGroupError`]: bind errors, the inviter's refusal with its reason (unknown, used or
/// expired invite, revoked device), connection errors, an unfinished first sync.
pub async fn join_group(
    device: Device,
    invite: &InviteTicket,
    name: &str,
    bind: SocketAddr,
    progress: impl FnMut(Event),
) -> Result<Joined, JoinGroupError> {
    join_group_with(
        device,
        &InviteInput::Ticket(invite.clone()),
        name,
        JoinOptions::new(bind),
        progress,
    )
    .await
}

/// Joins a group with a ticket or a short code (see [`InviteInput`]). With a short code the
/// inviter is the device among `options.known` and, with `options.discover`, those announced
/// by mDNS, whose endpoint id has the code's locator.
///
/// # Errors
/// As [`join_group`]; [`JoinGroupError::InviterNotFound`] when no device with the code's
/// locator was found in time.
pub async fn join_group_with(
    device: Device,
    invite: &InviteInput,
    name: &str,
    options: JoinOptions,
    progress: impl FnMut(Event),
) -> Result<Joined, JoinGroupError> {
    join_group_resuming(device, invite, name, options, &mut None, progress).await
}

/// A join whose invite was granted but whose book did not (all) arrive, because the link was
/// cut or went quiet: this device is a member of the group already. Give it to
/// [`join_group_resuming`] to continue, with no invite, from the snapshot's byte where it
/// stopped.
pub struct JoinResume {
    device: Device,
    inviter: EndpointAddr,
    grant: JoinGrant,
    snapshot: PartialSnapshot,
}

impl std::fmt::Debug for JoinResume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JoinResume")
            .field("member", &self.device.member_id())
            .field("grant", &self.grant)
            .field("received", &self.snapshot.received())
            .finish_non_exhaustive()
    }
}

impl JoinResume {
    /// Group id and role granted.
    pub fn grant(&self) -> &JoinGrant {
        &self.grant
    }

    /// Bytes of the book's snapshot already held, of [`JoinResume::snapshot_size`].
    pub fn received(&self) -> u64 {
        self.snapshot.received()
    }

    /// Bytes of the whole snapshot (0 when its offer never arrived).
    pub fn snapshot_size(&self) -> u64 {
        self.snapshot.size()
    }
}

/// Like [`join_group_with`], continuing `resume` when it holds a cut join (then `device` and
/// `invite` are not used: the device is the one already admitted). When the invite is granted
/// but the book does not arrive, `resume` is left holding what is needed to continue.
///
/// # Errors
/// As [`join_group_with`].
pub async fn join_group_resuming(
    device: Device,
    invite: &InviteInput,
    name: &str,
    options: JoinOptions,
    resume: &mut Option<JoinResume>,
    progress: impl FnMut(Event),
) -> Result<Joined, JoinGroupError> {
    let secret_key = resume
        .as_ref()
        .map_or_else(|| device.secret_bytes(), |r| r.device.secret_bytes());
    let ep = bind_endpoint_with(EndpointConfig {
        secret_key,
        bind: options.bind,
        alpns: vec![SYNC_ALPN.to_vec()],
        relay: None,
    })
    .await?;
    let result = join_on(&ep, device, invite, name, &options, resume, progress).await;
    ep.close().await;
    result
}

/// The inviter of a short code: a known device with its locator, or one announced by mDNS
/// within the time allowed.
async fn find_inviter(
    ep: &Endpoint,
    code: &ShortCode,
    options: &JoinOptions,
) -> Result<EndpointAddr, JoinGroupError> {
    find_device(ep, options, |id| code.matches(id))
        .await
        .map_err(|e| match e {
            Some(e) => e,
            None => JoinGroupError::InviterNotFound {
                code: code.device().to_string(),
            },
        })
}

/// A device whose endpoint id passes `wanted`: among `options.known`, else announced by
/// mDNS (with `options.discover`) within `options.find_timeout`. `Err(None)` when not found.
async fn find_device(
    ep: &Endpoint,
    options: &JoinOptions,
    wanted: impl Fn(&EndpointId) -> bool,
) -> Result<EndpointAddr, Option<JoinGroupError>> {
    if let Some(a) = options.known.iter().find(|a| wanted(&a.id)) {
        return Ok(a.clone());
    }
    if !options.discover {
        return Err(None);
    }
    let mdns = add_mdns(ep).map_err(|e| Some(JoinGroupError::Discovery(e.to_string())))?;
    let mut events = mdns.subscribe().await;
    let found = tokio::time::timeout(options.find_timeout, async {
        while let Some(ev) = events.next().await {
            if let DiscoveryEvent::Discovered { endpoint_info, .. } = ev
                && wanted(&endpoint_info.endpoint_id)
            {
                return Some(EndpointAddr::from(endpoint_info));
            }
        }
        None
    })
    .await;
    found.ok().flatten().ok_or(None)
}

async fn join_on(
    ep: &Endpoint,
    device: Device,
    invite: &InviteInput,
    name: &str,
    options: &JoinOptions,
    resume: &mut Option<JoinResume>,
    progress: impl FnMut(Event),
) -> Result<Joined, JoinGroupError> {
    let mut pending = match resume.take() {
        Some(mut r) => {
            // The inviter may be listening at another address now (its Sinkron screen was
            // closed and opened again): look for the same endpoint id.
            if let Ok(addr) = find_device(ep, options, |id| *id == r.inviter.id).await {
                r.inviter = addr;
            }
            r
        }
        None => {
            let (inviter, secret, group) = match invite {
                InviteInput::Ticket(t) => (
                    t.inviter.addr().clone(),
                    rukun_model::InviteSecret::Full(t.secret.to_vec()),
                    Some(t.group_id.as_str()),
                ),
                InviteInput::Code(code) => {
                    let secret =
                        code.invite_secret()
                            .ok_or_else(|| JoinGroupError::InviterNotFound {
                                code: code.to_string(),
                            })?;
                    (find_inviter(ep, code, options).await?, secret, None)
                }
            };
            let grant = join_at(ep, inviter.clone(), &secret, group, name, JOIN_TIMEOUT).await?;
            JoinResume {
                device,
                inviter,
                grant,
                snapshot: PartialSnapshot::new(),
            }
        }
    };
    match receive_book(ep, &mut pending, progress).await {
        Ok(joined) => Ok(joined),
        Err(e) => {
            *resume = Some(pending);
            Err(e)
        }
    }
}

/// After the invite was granted: the inviter's snapshot, then a sync of what came after it.
async fn receive_book(
    ep: &Endpoint,
    pending: &mut JoinResume,
    mut progress: impl FnMut(Event),
) -> Result<Joined, JoinGroupError> {
    let grant = pending.grant.clone();
    let inviter = pending.inviter.clone();
    let device = Device::from_secret(pending.device.secret_bytes());
    let snapshot = download_snapshot(
        ep,
        &inviter,
        &grant.group_id,
        &mut pending.snapshot,
        &mut progress,
    )
    .await?;
    let snapshot_bytes = snapshot.as_ref().map_or(0, |s| s.len() as u64);
    tracing::debug!(bytes = snapshot_bytes, "join: snapshot received");
    let replica = match snapshot {
        Some(bytes) => BookReplica::from_snapshot_of(
            Book::from_snapshot(device, bytes)?,
            inviter.id.as_bytes(),
        ),
        None => BookReplica::newcomer(Book::new_joining(device)?, &grant.group_id),
    };
    tracing::debug!("join: snapshot loaded");
    let replica = Arc::new(Mutex::new(replica));
    // What was written after the snapshot (at least the invite's redemption).
    let summary = sync_with_inviter(
        ep,
        inviter,
        replica.clone(),
        &SessionConfig::default(),
        progress,
    )
    .await?;
    tracing::debug!(
        changes = summary.changes_received,
        "join: synced what came after the snapshot"
    );
    let replica = match Arc::try_unwrap(replica) {
        Ok(m) => m.into_inner().map_err(|_| SyncError::ReplicaUnavailable)?,
        Err(_) => return Err(SyncError::ReplicaUnavailable.into()),
    };
    let got = replica.book().group().map(|g| g.id).unwrap_or_default();
    if got != grant.group_id {
        return Err(JoinGroupError::WrongGroup {
            expected: grant.group_id,
            got,
        });
    }
    Ok(Joined {
        replica,
        grant,
        summary,
        snapshot_bytes,
    })
}

/// Attempts a snapshot download may fail in a row without a new byte arriving.
const SNAPSHOT_ATTEMPTS: u32 = 4;

/// Downloads the inviter's snapshot, continuing after cuts as long as bytes keep arriving;
/// `None` when the inviter does not serve snapshots (an older app: the sync brings all).
async fn download_snapshot(
    ep: &Endpoint,
    inviter: &EndpointAddr,
    group_id: &str,
    partial: &mut PartialSnapshot,
    progress: &mut impl FnMut(Event),
) -> Result<Option<Vec<u8>>, SnapshotError> {
    let mut failures = 0;
    loop {
        if partial.is_complete() {
            // Kept whole until the book is stored, so a cut sync after it costs no download.
            return partial.clone().into_verified().map(Some);
        }
        let before = partial.received();
        match fetch_snapshot(ep, inviter.clone(), group_id, partial, &mut *progress).await {
            Ok(()) => {}
            Err(SnapshotError::Connect(e)) if partial.size() == 0 && failures == 0 => {
                tracing::info!(error = %e, "the inviter serves no snapshot; syncing the whole book");
                return Ok(None);
            }
            Err(
                e @ (SnapshotError::Cut { .. }
                | SnapshotError::Connect(_)
                | SnapshotError::HashMismatch),
            ) => {
                failures = if partial.received() > before {
                    1
                } else {
                    failures + 1
                };
                if failures >= SNAPSHOT_ATTEMPTS {
                    return Err(e);
                }
                tracing::info!(error = %e, "snapshot download cut; continuing");
                tokio::time::sleep(Duration::from_millis(250 * u64::from(failures))).await;
            }
            Err(e) => return Err(e),
        }
    }
}
