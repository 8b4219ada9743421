//! The model's [`Book`] as a [`Replica`]: the book plus this device's per-peer sync states.

use rukun_model::{
    Book, BookError, InviteRefusal, InviteSecret, MemberId, MemberStatus, PeerSyncStates,
    SCHEMA_VERSION,
};

use crate::replica::{JoinGrant, PeerId, Replica, ReplicaError};

/// Oldest schema version that can read a book written by this build.
pub const MIN_READER_SCHEMA: u32 = 1;

/// A [`Book`] being synced: the book and the Automerge sync state of every peer it is syncing
/// with now (saved per peer when a session ends, see [`Book::end_sync_session`]).
///
/// Share it between sessions as `Arc<Mutex<BookReplica>>` (the iroh handlers lock it only
/// while handling one frame).
#[derive(Debug)]
pub struct BookReplica {
    book: Book,
    states: PeerSyncStates,
    newcomer_group: Option<String>,
}

impl BookReplica {
    /// Wraps an open book.
    pub fn new(book: Book) -> Self {
        Self {
            book,
            states: PeerSyncStates::new(),
            newcomer_group: None,
        }
    }

    /// A device joining group `group_id`: an empty book (see [`Book::new_joining`]) that
    /// greets as that group until the first sync has brought the group's document.
    pub fn newcomer(book: Book, group_id: &str) -> Self {
        Self {
            book,
            states: PeerSyncStates::new(),
            newcomer_group: Some(group_id.to_owned()),
        }
    }

    /// A newcomer's book loaded from `peer`'s snapshot ([`Book::from_snapshot`]): the sync
    /// with `peer` starts from the snapshot's heads, so it sends only what came after it.
    pub fn from_snapshot_of(book: Book, peer: &PeerId) -> Self {
        let mut replica = Self::new(book);
        replica
            .book
            .seed_sync_state_from_snapshot(&mut replica.states, &member(peer));
        replica
    }

    /// The book.
    pub fn book(&self) -> &Book {
        &self.book
    }

    /// The book, mutably (local edits between sessions).
    pub fn book_mut(&mut self) -> &mut Book {
        &mut self.book
    }

    /// The per-peer sync states (e.g. to save them into a book created after joining).
    pub fn sync_states(&self) -> &PeerSyncStates {
        &self.states
    }

    /// Unwraps the book.
    pub fn into_book(self) -> Book {
        self.book
    }

    /// Unwraps the book and its per-peer sync states (e.g. to store a joined book with
    /// [`Book::store_joined`] and then [`Book::adopt_sync_states`]).
    pub fn into_parts(self) -> (Book, PeerSyncStates) {
        (self.book, self.states)
    }

    /// Group id of the book (UUID text); empty for a newcomer before its first sync.
    fn stored_group_id(&self) -> String {
        self.book.group().map(|g| g.id).unwrap_or_default()
    }
}

fn member(peer: &PeerId) -> MemberId {
    MemberId::from_bytes(peer)
}

fn replica_error(e: BookError) -> ReplicaError {
    match e {
        BookError::Storage(rukun_model::storage::StorageError::Full { needed, .. }) => {
            ReplicaError::StorageFull { needed }
        }
        BookError::Storage(s) => ReplicaError::Storage {
            detail: s.to_string(),
        },
        BookError::Peer(rukun_model::PeerRefusal::SyncMessage(detail)) => {
            ReplicaError::MalformedMessage { detail }
        }
        other => ReplicaError::Other {
            detail: other.to_string(),
        },
    }
}

impl Replica for BookReplica {
    fn group_id(&self) -> String {
        let stored = self.stored_group_id();
        match &self.newcomer_group {
            Some(g) if stored.is_empty() => g.clone(),
            _ => stored,
        }
    }

    fn schema_version(&self) -> u32 {
        match self.book.schema_version() {
            0 => SCHEMA_VERSION,
            v => v,
        }
    }

    fn min_reader_schema(&self) -> u32 {
        MIN_READER_SCHEMA.min(self.schema_version())
    }

    fn peer_status(&self, peer: &PeerId) -> MemberStatus {
        self.book.member_status(&member(peer))
    }

    fn generate_sync_message(&mut self, peer: &PeerId) -> Option<Vec<u8>> {
        match self
            .book
            .generate_sync_message(&mut self.states, &member(peer))
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "could not prepare a sync message");
                None
            }
        }
    }

    fn receive_sync_message(&mut self, peer: &PeerId, msg: &[u8]) -> Result<usize, ReplicaError> {
        self.book
            .receive_sync_message(&mut self.states, &member(peer), msg)
            .map_err(replica_error)
    }

    fn session_ended(&mut self, peer: &PeerId) -> Result<(), ReplicaError> {
        self.book
            .end_sync_session(&mut self.states, &member(peer))
            .map_err(replica_error)
    }

    fn heads_key(&mut self) -> Vec<u8> {
        self.book.heads().concat().into_bytes()
    }

    fn save_snapshot(&mut self) -> Result<Vec<u8>, ReplicaError> {
        Ok(self.book.save_document())
    }

    fn redeem_invite(
        &mut self,
        secret: &[u8],
        new_member: &PeerId,
        name: &str,
    ) -> Result<JoinGrant, InviteRefusal> {
        let group_id = self.stored_group_id();
        let secret = InviteSecret::from_wire(secret).ok_or(InviteRefusal::Unknown)?;
        let role = self
            .book
            .redeem_invite(&secret, &member(new_member), name)?;
        Ok(JoinGrant {
            group_id,
            role: role.as_str().to_owned(),
        })
    }
}
