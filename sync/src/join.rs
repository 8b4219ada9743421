//! Joining a group with a one-time invite on `rukun/join/1`.
//!
//! The joining device dials the inviter, opens one stream and sends `JoinRequest {secret,
//! name}`; the inviter's book redeems the invite ([`Replica::redeem_invite`]) and answers
//! `JoinGranted {group id, role}` or `Refuse {reason}` (then closes with [`CLOSE_REFUSED`]).
//! The new member then syncs on `rukun/sync/1` like any member.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointAddr};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc::UnboundedSender;

use crate::frame::{
    Frame, FrameDecoder, JoinGranted, JoinRequest, MAX_CONTROL_PAYLOAD, PROTOCOL_VERSION, Refuse,
    RefuseCode,
};
use crate::net::{CLOSE_DONE, CLOSE_ERROR, CLOSE_REFUSED, JOIN_ALPN, refusal_from_close};
use crate::replica::{JoinGrant, PeerId, Replica};
use crate::ticket::InviteTicket;
use rukun_model::{InviteRefusal, InviteSecret};

/// Longest member name kept, in bytes.
const MAX_NAME_LEN: usize = 200;

/// Default time allowed for a whole join exchange.
pub const JOIN_TIMEOUT: Duration = Duration::from_secs(20);

/// A join did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JoinError {
    /// The inviter could not be reached.
    #[error("could not reach the inviter: {0}")]
    Connect(String),
    /// The invite was refused (by the inviter when `by_peer`, else by us).
    #[error("invite refused: {reason}")]
    Refused {
        /// `true` when the inviter refused.
        by_peer: bool,
        /// Why, when the inviter said so with a code this version knows (the UI matches it).
        refusal: Option<InviteRefusal>,
        /// Sentence for the person (e.g. "this invite was already used").
        reason: String,
    },
    /// The inviter granted membership in a group other than the ticket's.
    #[error("the inviter answered for group {got}, but the invite is for group {expected}")]
    WrongGroup {
        /// Group id in the ticket.
        expected: String,
        /// Group id in the answer.
        got: String,
    },
    /// The other side broke the join protocol.
    #[error("join protocol error: {0}")]
    Protocol(String),
    /// The connection ended before an answer.
    #[error("connection cut during join: {0}")]
    Cut(String),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The book's lock was poisoned by a panic elsewhere.
    #[error("the book is unavailable: another task panicked while using it")]
    ReplicaUnavailable,
}

/// Reads frames until one is complete; `Ok(None)` at end of stream.
async fn read_frame<Rd: AsyncRead + Unpin>(reader: &mut Rd) -> Result<Option<Frame>, JoinError> {
    let mut decoder = FrameDecoder::new(MAX_CONTROL_PAYLOAD);
    let mut buf = vec![0u8; 4096];
    loop {
        let n = reader
            .read(&mut buf)
            .await
            .map_err(|e| JoinError::Cut(e.to_string()))?;
        if n == 0 {
            return Ok(None);
        }
        let frames = decoder
            .push(&buf[..n])
            .map_err(|e| JoinError::Protocol(e.to_string()))?;
        if let Some(f) = frames.into_iter().next() {
            return Ok(Some(f));
        }
    }
}

fn refine(err: JoinError, conn: &Connection) -> JoinError {
    match err {
        JoinError::Cut(_) | JoinError::Connect(_) => match refusal_from_close(conn) {
            Some(reason) => JoinError::Refused {
                by_peer: true,
                refusal: None,
                reason,
            },
            None => err,
        },
        other => other,
    }
}

/// Redeems `invite` at the inviter under the member name `name`, within `timeout`.
///
/// On success the device is a member with the returned role; create the local book for
/// `grant.group_id` and sync with `invite.inviter` on [`crate::SYNC_ALPN`].
///
/// # Errors
/// [`JoinError::Refused`] with the inviter's reason (unknown, used or expired invite), or
/// connection, protocol and timeout errors.
pub async fn join(
    endpoint: &Endpoint,
    invite: &InviteTicket,
    name: &str,
    timeout: Duration,
) -> Result<JoinGrant, JoinError> {
    let secret = InviteSecret::Full(invite.secret.to_vec());
    join_at(
        endpoint,
        invite.inviter.addr().clone(),
        &secret,
        Some(&invite.group_id),
        name,
        timeout,
    )
    .await
}

/// Redeems an invite at the device `inviter` with `secret` (a whole secret or a short code's),
/// within `timeout`. With `group`, an answer for another group is refused.
///
/// # Errors
/// As [`join`].
pub async fn join_at(
    endpoint: &Endpoint,
    inviter: EndpointAddr,
    secret: &InviteSecret,
    group: Option<&str>,
    name: &str,
    timeout: Duration,
) -> Result<JoinGrant, JoinError> {
    let conn = tokio::time::timeout(timeout, endpoint.connect(inviter, JOIN_ALPN))
        .await
        .map_err(|_| JoinError::Timeout(timeout))?
        .map_err(|e| JoinError::Connect(e.to_string()))?;
    let result = match tokio::time::timeout(timeout, join_on(&conn, secret, group, name)).await {
        Ok(r) => r.map_err(|e| refine(e, &conn)),
        Err(_) => Err(JoinError::Timeout(timeout)),
    };
    conn.close(CLOSE_DONE.into(), b"done");
    result
}

async fn join_on(
    conn: &Connection,
    secret: &InviteSecret,
    group: Option<&str>,
    name: &str,
) -> Result<JoinGrant, JoinError> {
    let (mut send, mut recv) = conn
        .open_bi()
        .await
        .map_err(|e| JoinError::Cut(e.to_string()))?;
    let request = Frame::JoinRequest(JoinRequest {
        protocol_version: PROTOCOL_VERSION,
        secret: secret.to_wire(),
        name: sanitize_name(name),
    });
    let bytes = request
        .encode()
        .map_err(|e| JoinError::Protocol(e.to_string()))?;
    send.write_all(&bytes)
        .await
        .map_err(|e| JoinError::Cut(e.to_string()))?;
    send.finish().map_err(|e| JoinError::Cut(e.to_string()))?;
    match read_frame(&mut recv).await? {
        Some(Frame::JoinGranted(g)) => {
            if let Some(expected) = group
                && g.group_id != expected
            {
                return Err(JoinError::WrongGroup {
                    expected: expected.to_owned(),
                    got: g.group_id,
                });
            }
            Ok(JoinGrant {
                group_id: g.group_id,
                role: g.role,
            })
        }
        Some(Frame::Refuse(r)) => Err(JoinError::Refused {
            by_peer: true,
            refusal: r.code.invite_refusal(&r.reason),
            reason: r.reason,
        }),
        Some(other) => Err(JoinError::Protocol(format!(
            "unexpected {} frame",
            other.kind()
        ))),
        None => Err(JoinError::Cut(
            "the inviter closed the stream without an answer".to_owned(),
        )),
    }
}

fn sanitize_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MAX_NAME_LEN {
            break;
        }
        out.push(c);
    }
    out
}

/// A device that joined through this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinedMember {
    /// The new member's endpoint id (32 bytes).
    pub id: PeerId,
    /// The name it gave (control characters removed, at most 200 bytes).
    pub name: String,
    /// What was granted.
    pub grant: JoinGrant,
}

/// Serves one incoming `rukun/join/1` connection (the inviter's side): reads the request,
/// redeems the invite in `replica`, answers, and closes the connection.
///
/// # Errors
/// `JoinError::Refused { by_peer: false, .. }` when the invite was refused (the joining device
/// got the reason), or connection, protocol and timeout errors.
pub async fn accept_join<R>(
    conn: Connection,
    replica: &Mutex<R>,
    timeout: Duration,
) -> Result<JoinedMember, JoinError>
where
    R: Replica + ?Sized,
{
    let result = match tokio::time::timeout(timeout, accept_join_on(&conn, replica)).await {
        Ok(r) => r,
        Err(_) => Err(JoinError::Timeout(timeout)),
    };
    match &result {
        Ok(_) => {
            let _ = tokio::time::timeout(timeout, conn.closed()).await;
        }
        Err(JoinError::Refused { reason, .. }) => {
            // Let the joining device read the typed refusal before the close can overtake it
            // (it closes the connection once it has read the answer).
            let _ = tokio::time::timeout(timeout.min(REFUSAL_LINGER), conn.closed()).await;
            conn.close(CLOSE_REFUSED.into(), reason.as_bytes())
        }
        Err(e) => conn.close(CLOSE_ERROR.into(), e.to_string().as_bytes()),
    }
    result
}

/// How long a refusing inviter waits for the joining device to read the answer and close.
const REFUSAL_LINGER: Duration = Duration::from_secs(2);

async fn accept_join_on<R>(conn: &Connection, replica: &Mutex<R>) -> Result<JoinedMember, JoinError>
where
    R: Replica + ?Sized,
{
    let id: PeerId = *conn.remote_id().as_bytes();
    let (mut send, mut recv) = conn
        .accept_bi()
        .await
        .map_err(|e| JoinError::Cut(e.to_string()))?;
    let request = match read_frame(&mut recv).await? {
        Some(Frame::JoinRequest(r)) => r,
        Some(other) => {
            return Err(JoinError::Protocol(format!(
                "unexpected {} frame",
                other.kind()
            )));
        }
        None => {
            return Err(JoinError::Cut(
                "the device closed the stream without a request".to_owned(),
            ));
        }
    };
    let name = sanitize_name(&request.name);
    let answer = if request.protocol_version != PROTOCOL_VERSION {
        Err(Refuse::new(
            RefuseCode::ProtocolVersion,
            format!(
                "different protocol versions (inviter {PROTOCOL_VERSION}, this device {}): update the app",
                request.protocol_version
            ),
        ))
    } else {
        let mut guard = replica.lock().map_err(|_| JoinError::ReplicaUnavailable)?;
        guard
            .redeem_invite(&request.secret, &id, &name)
            .map_err(|refusal| Refuse::new(RefuseCode::for_invite(&refusal), refusal.to_string()))
    };
    let frame = match &answer {
        Ok(grant) => Frame::JoinGranted(JoinGranted {
            group_id: grant.group_id.clone(),
            role: grant.role.clone(),
        }),
        Err(refuse) => Frame::Refuse(refuse.clone()),
    };
    let bytes = frame
        .encode()
        .map_err(|e| JoinError::Protocol(e.to_string()))?;
    send.write_all(&bytes)
        .await
        .map_err(|e| JoinError::Cut(e.to_string()))?;
    send.finish().map_err(|e| JoinError::Cut(e.to_string()))?;
    match answer {
        Ok(grant) => Ok(JoinedMember { id, name, grant }),
        Err(refuse) => Err(JoinError::Refused {
            by_peer: false,
            refusal: refuse.code.invite_refusal(&refuse.reason),
            reason: refuse.reason,
        }),
    }
}

/// The end of one served join, as reported by [`JoinHandler`].
#[derive(Debug, Clone)]
pub struct JoinReport {
    /// The remote device's endpoint id (32 bytes).
    pub peer: PeerId,
    /// How the join ended.
    pub result: Result<JoinedMember, JoinError>,
}

/// [`ProtocolHandler`] for [`JOIN_ALPN`], to register on an iroh `Router`.
pub struct JoinHandler<R: ?Sized> {
    replica: Arc<Mutex<R>>,
    timeout: Duration,
    reports: Option<UnboundedSender<JoinReport>>,
}

impl<R: ?Sized> fmt::Debug for JoinHandler<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandler")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<R: ?Sized> JoinHandler<R> {
    /// A handler redeeming invites in `replica`, allowing [`JOIN_TIMEOUT`] per join.
    pub fn new(replica: Arc<Mutex<R>>) -> Self {
        Self {
            replica,
            timeout: JOIN_TIMEOUT,
            reports: None,
        }
    }

    /// Sends a [`JoinReport`] to `tx` after every join attempt.
    pub fn with_reports(mut self, tx: UnboundedSender<JoinReport>) -> Self {
        self.reports = Some(tx);
        self
    }
}

impl<R> ProtocolHandler for JoinHandler<R>
where
    R: Replica + Send + ?Sized + 'static,
{
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        let peer = *connection.remote_id().as_bytes();
        let result = accept_join(connection, &self.replica, self.timeout).await;
        if let Some(tx) = &self.reports {
            let _ = tx.send(JoinReport { peer, result });
        }
        Ok(())
    }
}
