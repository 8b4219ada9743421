//! Peers of a Rukun book: the sans-IO sync protocol, its iroh adapter, membership checks and
//! joining with one-time invites.
//!
//! - [`Replica`]: the small byte-based trait the book (crate `rukun-model`) implements.
//! - [`frame`](FrameDecoder): length-prefixed frames (`u32` big-endian payload length, one type
//!   byte, payload) and an incremental decoder bounded by a frame limit.
//! - [`Session`]: the sans-IO state machine (hello checks, Automerge sync messages full-duplex,
//!   a `Done` handshake, idle timeout), fed bytes and time, returning bytes and [`Event`]s.
//! - [`run_session`]: drives a session over any async byte stream.
//! - iroh: [`bind_endpoint`] (offline: no relay, no port mapping, no address lookup),
//!   [`sync_with`] / [`SyncHandler`] on [`SYNC_ALPN`], [`join`] / [`JoinHandler`] on
//!   [`JOIN_ALPN`], a newcomer's resumable, verified snapshot download ([`fetch_snapshot`] /
//!   [`SnapshotHandler`] on [`SNAPSHOT_ALPN`]), [`EndpointTicket`] and [`InviteTicket`] text
//!   tickets.
//! - the book: [`BookReplica`] (the model's `Book` with its per-peer sync states) and
//!   [`Node`], a book served on an offline endpoint (sync, join, optional mDNS discovery), and
//!   [`join_group`] for a new device.
//! - `testing` (feature `test-util`): an Automerge test replica, the deterministic in-memory
//!   `Sim` harness, and a stream writer that cuts after N bytes.

mod book;
mod frame;
mod join;
mod net;
mod node;
mod replica;
mod session;
mod snapshot;
mod stream;
mod ticket;

#[cfg(feature = "test-util")]
pub mod testing;

pub use book::{BookReplica, MIN_READER_SCHEMA};
pub use frame::{
    COMPRESSION_DEFLATE, DEFAULT_MAX_FRAME, Done, Frame, FrameDecoder, FrameError, HEADER_LEN,
    Hello, JoinGranted, JoinRequest, MAX_CONTROL_PAYLOAD, MAX_SNAPSHOT_CHUNK, PROTOCOL_VERSION,
    Refuse, RefuseCode, SnapshotOffer, SnapshotRequest, SnapshotResume,
};
pub use iroh::EndpointAddr;
pub use join::{
    JOIN_TIMEOUT, JoinError, JoinHandler, JoinReport, JoinedMember, accept_join, join, join_at,
};
pub use net::{
    BindEndpointError, CLOSE_DONE, CLOSE_ERROR, CLOSE_REFUSED, EndpointConfig, JOIN_ALPN,
    SYNC_ALPN, SessionReport, SyncHandler, accept_sync, bind_endpoint, bind_endpoint_with,
    refusal_for, sync_on_connection, sync_with, sync_with_inviter,
};
pub use node::{
    InviteInput, JoinGroupError, JoinOptions, JoinResume, Joined, MDNS_SERVICE, Node, NodeConfig,
    NodeError, NodeEvent, join_group, join_group_resuming, join_group_with,
};
pub use replica::{JoinGrant, MemberStatus, PeerId, Replica, ReplicaError};
pub use rukun_model::{InviteRefusal, InviteSecret};
pub use session::{
    Event, Output, Progress, Role, SLOWEST_LINK, Session, SessionConfig, SessionError, Summary,
};
pub use snapshot::{
    MAX_SNAPSHOT, PartialSnapshot, SNAPSHOT_ALPN, SnapshotError, SnapshotHandler, fetch_snapshot,
};
pub use stream::{SyncError, run_session};
pub use ticket::{EndpointTicket, INVITE_SECRET_LEN, InviteTicket, ShortCode, TicketError};
