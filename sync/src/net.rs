//! The iroh adapter: offline endpoints, the `rukun/sync/1` protocol and membership checks.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use iroh::endpoint::{Connection, ConnectionError, PortmapperConfig, presets};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointAddr, NetReportConfig, RelayMode, RelayUrl, SecretKey};
use tokio::sync::mpsc::UnboundedSender;

use crate::frame::{Hello, sanitize_reason};
use crate::replica::{MemberStatus, PeerId, Replica};
use crate::session::{Event, Progress, Role, Session, SessionConfig, SessionError, Summary};
use crate::stream::{SyncError, lock, run_session};

/// ALPN of the sync protocol.
pub const SYNC_ALPN: &[u8] = b"rukun/sync/1";

/// ALPN of the join protocol.
pub const JOIN_ALPN: &[u8] = b"rukun/join/1";

/// Application close code: the session ended normally.
pub const CLOSE_DONE: u32 = 0;

/// Application close code: refused (not a member, revoked, wrong group or versions, invite
/// refused); the close reason is the sentence to show.
pub const CLOSE_REFUSED: u32 = 0x52;

/// Application close code: protocol or book error; the close reason describes it.
pub const CLOSE_ERROR: u32 = 0x45;

/// How long the acceptor waits for the dialling side to open its stream or to close.
const ACCEPT_WAIT: Duration = Duration::from_secs(10);

/// An endpoint could not be created.
#[derive(Debug, thiserror::Error)]
pub enum BindEndpointError {
    /// The bind address was rejected.
    #[error("invalid bind address {addr}: {detail}")]
    InvalidAddr {
        /// The address asked for.
        addr: SocketAddr,
        /// Why it was rejected.
        detail: String,
    },
    /// Binding the socket or starting the endpoint failed.
    #[error("could not start the network endpoint on {addr}: {detail}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What iroh reported.
        detail: String,
    },
}

/// Settings of an offline endpoint.
#[derive(Debug, Clone)]
pub struct EndpointConfig {
    /// The device's 32-byte ed25519 secret key; its public key is the member id.
    pub secret_key: [u8; 32],
    /// Socket address to bind (`0.0.0.0:PORT` for a hotspot LAN, `127.0.0.1:0` in tests).
    pub bind: SocketAddr,
    /// ALPNs to accept (usually [`SYNC_ALPN`] and [`JOIN_ALPN`]).
    pub alpns: Vec<Vec<u8>>,
    /// A relay run by the group itself; `None` (the default) means no relay at all.
    pub relay: Option<RelayUrl>,
}

/// Binds an offline iroh endpoint: `presets::Minimal`, relays disabled, portmapper disabled,
/// no address lookup, no net-report probes, one IP socket on `bind`.
///
/// # Errors
/// [`BindEndpointError`] when the address is invalid or cannot be bound.
pub async fn bind_endpoint(
    secret_key: [u8; 32],
    bind: SocketAddr,
    alpns: Vec<Vec<u8>>,
) -> Result<Endpoint, BindEndpointError> {
    bind_endpoint_with(EndpointConfig {
        secret_key,
        bind,
        alpns,
        relay: None,
    })
    .await
}

/// Like [`bind_endpoint`], with an optional relay of the group's own.
///
/// # Errors
/// [`BindEndpointError`] when the address is invalid or cannot be bound.
pub async fn bind_endpoint_with(config: EndpointConfig) -> Result<Endpoint, BindEndpointError> {
    let addr = config.bind;
    let relay_mode = match config.relay {
        Some(url) => RelayMode::custom([url]),
        None => RelayMode::Disabled,
    };
    let builder = Endpoint::builder(presets::Minimal)
        .secret_key(SecretKey::from_bytes(&config.secret_key))
        .relay_mode(relay_mode)
        .clear_address_lookup()
        .portmapper_config(PortmapperConfig::Disabled)
        .net_report_config(NetReportConfig::minimal())
        .alpns(config.alpns)
        .clear_ip_transports()
        .bind_addr(addr)
        .map_err(|e| BindEndpointError::InvalidAddr {
            addr,
            detail: e.to_string(),
        })?;
    builder.bind().await.map_err(|e| BindEndpointError::Bind {
        addr,
        detail: e.to_string(),
    })
}

/// The refusal sentence for a peer that is not a member, or `None` for a member.
pub fn refusal_for(status: MemberStatus) -> Option<&'static str> {
    match status {
        MemberStatus::Member => None,
        MemberStatus::Revoked => Some("this device was revoked"),
        MemberStatus::Unknown => Some("unknown member: sync with the inviter first"),
    }
}

/// Turns a failure into a refusal when the peer closed the connection with [`CLOSE_REFUSED`].
pub(crate) fn refusal_from_close(conn: &Connection) -> Option<String> {
    match conn.close_reason() {
        Some(ConnectionError::ApplicationClosed(close))
            if close.error_code.into_inner() == u64::from(CLOSE_REFUSED) =>
        {
            Some(sanitize_reason(&String::from_utf8_lossy(&close.reason)))
        }
        _ => None,
    }
}

fn refine(err: SyncError, conn: &Connection) -> SyncError {
    match err {
        SyncError::Session(SessionError::Cut { .. }) => match refusal_from_close(conn) {
            Some(reason) => SyncError::Refused {
                by_peer: true,
                code: None,
                reason,
            },
            None => err,
        },
        other => other,
    }
}

fn close_after(conn: &Connection, result: &Result<Summary, SyncError>) {
    match result {
        Ok(_) | Err(SyncError::Refused { by_peer: true, .. }) => {
            conn.close(CLOSE_DONE.into(), b"done")
        }
        Err(SyncError::Refused {
            by_peer: false,
            reason,
            ..
        }) => conn.close(CLOSE_REFUSED.into(), reason.as_bytes()),
        Err(e) => conn.close(
            CLOSE_ERROR.into(),
            sanitize_reason(&e.to_string()).as_bytes(),
        ),
    }
}

fn cut(detail: String) -> SyncError {
    SyncError::Session(SessionError::Cut {
        bytes_sent: 0,
        bytes_received: 0,
        detail,
    })
}

/// Dials `addr` on [`SYNC_ALPN`] and syncs `replica` with it until both are in sync.
///
/// `progress` receives every [`Event`] as it happens. Only a device this book lists as a
/// member (and not revoked) is dialled: its endpoint id is checked before connecting, and the
/// TLS handshake proves the connected device holds that id, so a stranger showing a fake
/// ticket gets no byte, not even the hello with the group id. On success the connection is
/// closed with [`CLOSE_DONE`].
///
/// # Errors
/// [`SyncError::NotMember`] before dialling a device that is not a member;
/// [`SyncError::Connect`] when the peer cannot be reached; [`SyncError::Refused`] with the
/// peer's sentence when it refused us (e.g. "unknown member: sync with the inviter first");
/// [`SyncError::Session`] for protocol errors, the idle timeout or a cut connection.
pub async fn sync_with<R>(
    endpoint: &Endpoint,
    addr: EndpointAddr,
    replica: Arc<Mutex<R>>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    dial(endpoint, addr, replica, config, progress, false).await
}

/// Like [`sync_with`] for a device that is joining: the inviter named by the invite is not in
/// the (still empty) book, and is trusted because the invite names its endpoint id (the TLS
/// handshake proves it) and it has just granted the invite.
///
/// # Errors
/// As [`sync_with`].
pub async fn sync_with_inviter<R>(
    endpoint: &Endpoint,
    inviter: EndpointAddr,
    replica: Arc<Mutex<R>>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    dial(endpoint, inviter, replica, config, progress, true).await
}

fn check_dial(
    status: MemberStatus,
    peer: &iroh::EndpointId,
    inviter: bool,
) -> Result<(), SyncError> {
    match status {
        MemberStatus::Member => Ok(()),
        MemberStatus::Unknown if inviter => Ok(()),
        MemberStatus::Unknown | MemberStatus::Revoked => {
            tracing::info!(peer = %peer.fmt_short(), ?status, "not dialling a non-member");
            Err(SyncError::NotMember {
                peer: peer.to_string(),
                revoked: status == MemberStatus::Revoked,
            })
        }
    }
}

async fn dial<R>(
    endpoint: &Endpoint,
    addr: EndpointAddr,
    replica: Arc<Mutex<R>>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
    inviter: bool,
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    let status = lock(&replica)?.peer_status(addr.id.as_bytes());
    check_dial(status, &addr.id, inviter)?;
    let peer_text = addr.id.to_string();
    let expected = addr.id;
    let conn = endpoint
        .connect(addr, SYNC_ALPN)
        .await
        .map_err(|e| SyncError::Connect {
            peer: peer_text,
            detail: e.to_string(),
        })?;
    if conn.remote_id() != expected {
        conn.close(CLOSE_ERROR.into(), b"unexpected endpoint");
        return Err(SyncError::NotMember {
            peer: conn.remote_id().to_string(),
            revoked: false,
        });
    }
    let result = run_on_connection(
        &conn,
        Role::Initiator,
        replica.as_ref(),
        config,
        progress,
        inviter,
    )
    .await;
    close_after(&conn, &result);
    result
}

/// Runs a sync session on an established `rukun/sync/1` connection: the initiator checks that
/// the remote is a non-revoked member before opening the stream (so nothing is written to a
/// stranger), the acceptor checks membership first (closing with [`CLOSE_REFUSED`] and the
/// reason when the remote is not a member) and accepts the stream. Does not close the
/// connection.
///
/// # Errors
/// As for [`sync_with`].
pub async fn sync_on_connection<R>(
    conn: &Connection,
    role: Role,
    replica: &Mutex<R>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    run_on_connection(conn, role, replica, config, progress, false).await
}

async fn run_on_connection<R>(
    conn: &Connection,
    role: Role,
    replica: &Mutex<R>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
    inviter: bool,
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    let peer: PeerId = *conn.remote_id().as_bytes();
    let (hello, status) = {
        let guard = lock(replica)?;
        (
            Hello::for_replica(&*guard, &config.app_version),
            guard.peer_status(&peer),
        )
    };
    match role {
        Role::Acceptor => {
            if let Some(reason) = refusal_for(status) {
                tracing::info!(peer = %conn.remote_id().fmt_short(), reason, "refusing sync connection");
                return Err(SyncError::Refused {
                    by_peer: false,
                    code: None,
                    reason: reason.to_owned(),
                });
            }
        }
        Role::Initiator => check_dial(status, &conn.remote_id(), inviter)?,
    }
    let streams = match role {
        Role::Initiator => conn.open_bi().await.map_err(|e| e.to_string()),
        Role::Acceptor => match tokio::time::timeout(ACCEPT_WAIT, conn.accept_bi()).await {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err("the peer opened no stream".to_owned()),
        },
    };
    let (mut send, mut recv) = match streams {
        Ok(s) => s,
        Err(detail) => return Err(refine(cut(detail), conn)),
    };
    let mut session = Session::new(role, hello, peer, config.clone(), Instant::now());
    let result = run_session(&mut recv, &mut send, &mut session, replica, progress).await;
    result.map_err(|e| refine(e, conn))
}

/// Serves one incoming `rukun/sync/1` connection (the listening side): checks membership,
/// syncs, and closes the connection with the matching code.
///
/// # Errors
/// As for [`sync_with`]; a refused stranger gives `SyncError::Refused { by_peer: false, .. }`.
pub async fn accept_sync<R>(
    conn: Connection,
    replica: &Mutex<R>,
    config: &SessionConfig,
    progress: impl FnMut(Event),
) -> Result<Summary, SyncError>
where
    R: Replica + ?Sized,
{
    let result = sync_on_connection(&conn, Role::Acceptor, replica, config, progress).await;
    if result.is_ok() {
        // The initiator closes after reading our end of stream; give it a moment.
        let _ = tokio::time::timeout(ACCEPT_WAIT, conn.closed()).await;
    }
    close_after(&conn, &result);
    result
}

/// The end of one served sync session, as reported by [`SyncHandler`].
#[derive(Debug, Clone)]
pub struct SessionReport {
    /// The remote device's endpoint id (32 bytes).
    pub peer: PeerId,
    /// How the session ended.
    pub result: Result<Summary, SyncError>,
}

/// Per-peer bookkeeping of [`SyncHandler`]: the gate serializing sessions with one peer and the
/// connection currently holding (or waiting for) it.
type ActiveSessions = HashMap<PeerId, (Arc<tokio::sync::Mutex<()>>, Connection)>;

/// [`ProtocolHandler`] for [`SYNC_ALPN`], to register on an iroh `Router`.
///
/// Sessions with different peers run concurrently. A new connection from a device that still
/// has a session running (for example after its Wi-Fi dropped and it redialled, while this
/// side has not noticed yet) closes the old connection and waits for the old session to end,
/// so that one peer's sync state is never used by two sessions at once.
pub struct SyncHandler<R: ?Sized> {
    replica: Arc<Mutex<R>>,
    config: SessionConfig,
    reports: Option<UnboundedSender<SessionReport>>,
    progress: Option<UnboundedSender<(PeerId, Progress)>>,
    active: Arc<Mutex<ActiveSessions>>,
}

impl<R: ?Sized> fmt::Debug for SyncHandler<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncHandler")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<R: ?Sized> SyncHandler<R> {
    /// A handler serving `replica` with `config`.
    pub fn new(replica: Arc<Mutex<R>>, config: SessionConfig) -> Self {
        Self {
            replica,
            config,
            reports: None,
            progress: None,
            active: Arc::default(),
        }
    }

    /// Sends the counters of every running session to `tx` as they change (for a progress
    /// bar on the listening side).
    pub fn with_progress(mut self, tx: UnboundedSender<(PeerId, Progress)>) -> Self {
        self.progress = Some(tx);
        self
    }

    /// Sends a [`SessionReport`] to `tx` after every session (finished or not).
    pub fn with_reports(mut self, tx: UnboundedSender<SessionReport>) -> Self {
        self.reports = Some(tx);
        self
    }
}

impl<R> ProtocolHandler for SyncHandler<R>
where
    R: Replica + Send + ?Sized + 'static,
{
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        let peer = *connection.remote_id().as_bytes();
        let gate = {
            let Ok(mut active) = self.active.lock() else {
                connection.close(CLOSE_ERROR.into(), b"internal error");
                return Ok(());
            };
            let (gate, _) = active
                .entry(peer)
                .or_insert_with(|| (Arc::default(), connection.clone()));
            let gate = gate.clone();
            if let Some((_, old)) = active.insert(peer, (gate.clone(), connection.clone()))
                && old.stable_id() != connection.stable_id()
            {
                old.close(
                    CLOSE_ERROR.into(),
                    b"superseded by a newer connection from the same device",
                );
            }
            gate
        };
        let turn = gate.lock().await;
        let id = connection.stable_id();
        let progress = self.progress.clone();
        let result = accept_sync(connection, &self.replica, &self.config, |ev| {
            if let (Event::Progress(p), Some(tx)) = (ev, &progress) {
                let _ = tx.send((peer, p));
            }
        })
        .await;
        drop(turn);
        if let Ok(mut active) = self.active.lock()
            && active.get(&peer).is_some_and(|(_, c)| c.stable_id() == id)
        {
            active.remove(&peer);
        }
        if let Err(e) = &result {
            tracing::info!(error = %e, "sync session did not finish");
        }
        if let Some(tx) = &self.reports {
            let _ = tx.send(SessionReport { peer, result });
        }
        Ok(())
    }
}
