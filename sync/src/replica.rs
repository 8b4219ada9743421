//! The book side of a sync session, seen through a small byte-based trait.

use rukun_model::InviteRefusal;
use serde::{Deserialize, Serialize};

/// A 32-byte ed25519 public key: the iroh `EndpointId` of a device, which is also its member id.
pub type PeerId = [u8; 32];

/// Whether a peer may sync: the model's [`MemberStatus`] of its member record (one type for
/// the book's answer and the protocol's question).
pub use rukun_model::MemberStatus;

/// An error of the replica while handling sync data or persisting it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    /// The peer sent a sync message the document could not decode or apply.
    #[error("malformed sync message from peer: {detail}")]
    MalformedMessage {
        /// What was wrong, as reported by the document library.
        detail: String,
    },
    /// Writing the document or the sync state to storage failed.
    #[error("could not save the book: {detail}")]
    Storage {
        /// The underlying storage error, as text.
        detail: String,
    },
    /// The device's storage is full: what arrived stays unsaved (the book on disk and its
    /// sync states are as before), and syncing again after freeing space brings it again.
    #[error("the device's storage is full: about {needed} more bytes are needed")]
    StorageFull {
        /// About how many bytes must be freed.
        needed: u64,
    },
    /// Any other failure of the replica.
    #[error("{detail}")]
    Other {
        /// Description of the failure.
        detail: String,
    },
}

/// What the acceptor grants a device that redeemed a valid invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGrant {
    /// Group id of the book the device joined (UUID text).
    pub group_id: String,
    /// Role the invite gave the new member (free text chosen by the book, e.g. `relawan`).
    pub role: String,
}

/// The book side of sync: one document with one Automerge sync state per peer.
///
/// Implemented by the model's `Book` (and by `testing::TestReplica` with the `test-util`
/// feature). Every method is synchronous and byte-based; the sync layer never sees Automerge
/// types. Messages passed to [`Replica::receive_sync_message`] come from the network and must be
/// treated as untrusted: return an error, never panic.
pub trait Replica {
    /// Group id of the book (UUID text). Two devices sync only when their group ids are equal.
    fn group_id(&self) -> String;

    /// Schema version this book is written in.
    fn schema_version(&self) -> u32;

    /// Oldest schema version that can still read this book (`<= schema_version()`).
    fn min_reader_schema(&self) -> u32;

    /// Whether `peer` (32-byte ed25519 public key = iroh `EndpointId`) may sync with this book.
    fn peer_status(&self, peer: &PeerId) -> MemberStatus;

    /// The next Automerge sync message (encoded bytes) for `peer`, or `None` when there is
    /// nothing to send right now. The replica keeps one sync state per peer.
    fn generate_sync_message(&mut self, peer: &PeerId) -> Option<Vec<u8>>;

    /// Applies a sync message received from `peer`; returns how many changes were applied.
    ///
    /// # Errors
    /// [`ReplicaError::MalformedMessage`] when the bytes are not a valid sync message or the
    /// changes cannot be applied.
    fn receive_sync_message(&mut self, peer: &PeerId, msg: &[u8]) -> Result<usize, ReplicaError>;

    /// Called exactly once when a session with `peer` that reached the sync phase ends, whether
    /// it finished, was refused, failed or was cut. The replica persists the document and the
    /// persistent part of the peer's sync state (Automerge `sync::State::encode`), and drops
    /// the in-flight part, so that the next session resends whatever a cut session lost.
    ///
    /// # Errors
    /// [`ReplicaError::Storage`] when persisting fails.
    fn session_ended(&mut self, peer: &PeerId) -> Result<(), ReplicaError>;

    /// A cheap fingerprint of the document's current state (its Automerge heads), to tell
    /// whether a saved snapshot is still current.
    fn heads_key(&mut self) -> Vec<u8>;

    /// The whole document as one compacted Automerge file, for a newcomer's snapshot
    /// download (see `rukun/snapshot/1`); it must load with `Automerge::load`.
    ///
    /// # Errors
    /// [`ReplicaError::Other`] when the document cannot be saved.
    fn save_snapshot(&mut self) -> Result<Vec<u8>, ReplicaError>;

    /// Redeems a one-time invite: checks that `secret` (untrusted wire bytes: a whole secret or
    /// a short code's secret, see [`rukun_model::InviteSecret::from_wire`]) names a known,
    /// unused, unexpired invite of this device, marks it used and adds `new_member` (named
    /// `name`) with the invite's role. A wrong secret counts against this device's open
    /// invites (three burn them).
    ///
    /// # Errors
    /// An [`InviteRefusal`] whose text is shown to the joining device.
    fn redeem_invite(
        &mut self,
        secret: &[u8],
        new_member: &PeerId,
        name: &str,
    ) -> Result<JoinGrant, InviteRefusal>;
}
