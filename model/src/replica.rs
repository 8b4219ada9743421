//! The book as one side of a peer-to-peer sync: Automerge sync messages per peer, the saved
//! sync state per peer, membership status, one-time invites and joining.
//!
//! Document layout used here (beside the tables of [`crate::book`]):
//! - `members/<member id hex>`: a [`Member`]; its `revoked` field set means revoked. When
//!   devices wrote the record or its `revoked` field concurrently, every concurrent value is
//!   looked at (Automerge `get_all`) and a revocation wins over a concurrent re-add.
//! - `invites/<hash hex>`: one invite, keyed by a hash (Argon2id, fixed salt) of its one-time
//!   secret, so the document never holds a usable secret: `role`, `expires_at` (UTC RFC 3339),
//!   `created_by`, `created_at`, `used_by` (member id, empty while unused), `used_at`,
//!   `burned_at` (set when wrong codes cancelled it). Two devices creating the `invites` map
//!   concurrently each keep theirs: every concurrent map is searched.
//!
//! Device blobs (never synced, encrypted like every file of the book): `sync-<peer hex>` holds
//! the persistent part of the Automerge sync state with that peer (its shared heads), so the
//! next meeting sends only what is new; `synced-<peer hex>` the time of the last finished sync
//! with it; `invites-open` the secrets of the invites this device created and that are still
//! open, with the wrong attempts counted against each.
//!
//! # Invites
//! An invite is redeemed only at the device that created it (`created_by`): only that device
//! holds its secret. The joining person presents either the whole secret (the ticket, as QR
//! code or text) or the short code read aloud, whose secret part is the first
//! [`SHORT_SECRET_BITS`] bits of the secret. A short secret can be guessed, so every attempt
//! that matches no invite counts against each open invite of this device, and an invite is
//! burned (cancelled for good, on every device after sync) at the
//! [`MAX_WRONG_INVITE_ATTEMPTS`]th: an online guess succeeds with a probability of at most
//! 3 in 2^20 per invite. Expiry is checked on this device's clock.

use std::collections::HashMap;
use std::path::Path;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, Utc};

use crate::book::{Book, BookError, Device, MemberId, Role, table};
use crate::records::Member;
use crate::refusal::PeerRefusal;
use crate::storage::{BookStore, KdfParams, NewBookKey, StorageError};

/// Root key of the invites map.
const INVITES: &str = "invites";

/// Prefix of the device blobs holding sync states (`sync-<64 hex chars>`).
pub const SYNC_STATE_BLOB_PREFIX: &str = "sync-";

/// Salt of the invite-secret hash (a domain separator; secrets are random, 128 bits or more).
const INVITE_HASH_SALT: &[u8] = b"rukun-invite-secret-v1";

/// Device blob with the secrets of the invites this device created that are still open.
const OPEN_INVITES_BLOB: &str = "invites-open";

/// Prefix of the device blobs holding the time of the last finished sync with a peer.
const SYNCED_BLOB_PREFIX: &str = "synced-";

/// Wrong join attempts at the creating device after which an open invite is burned.
pub const MAX_WRONG_INVITE_ATTEMPTS: u32 = 3;

/// Bits of an invite's secret carried by its short code (`RKN-XXXX-YYYY`: the `YYYY` part).
pub const SHORT_SECRET_BITS: u32 = 20;

/// What a joining device presents to redeem an invite.
#[derive(Clone, PartialEq, Eq)]
pub enum InviteSecret {
    /// The whole secret from the invite ticket (QR code or text): at least 16 bytes.
    Full(Vec<u8>),
    /// The secret part of the short code read aloud: [`SHORT_SECRET_BITS`] bits.
    Short(u32),
}

impl std::fmt::Debug for InviteSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InviteSecret::Full(_) => f.write_str("Full(<hidden>)"),
            InviteSecret::Short(_) => f.write_str("Short(<hidden>)"),
        }
    }
}

impl InviteSecret {
    /// Wire form: the whole secret's bytes, or 3 bytes (big-endian) for a short secret.
    pub fn to_wire(&self) -> Vec<u8> {
        match self {
            InviteSecret::Full(b) => b.clone(),
            InviteSecret::Short(v) => v.to_be_bytes()[1..].to_vec(),
        }
    }

    /// Reads the wire form; `None` for any other length or a short secret over its bits.
    pub fn from_wire(bytes: &[u8]) -> Option<InviteSecret> {
        match bytes.len() {
            3 => {
                let v = u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]]);
                (v < (1 << SHORT_SECRET_BITS)).then_some(InviteSecret::Short(v))
            }
            16..=64 => Some(InviteSecret::Full(bytes.to_vec())),
            _ => None,
        }
    }
}

/// The short secret of a whole invite secret: its first [`SHORT_SECRET_BITS`] bits.
pub fn short_secret_of(secret: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (i, x) in secret.iter().take(3).enumerate() {
        b[i + 1] = *x;
    }
    u32::from_be_bytes(b) >> (24 - SHORT_SECRET_BITS)
}

/// One invite this device created and that is still open (device blob `invites-open`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct OpenInvite {
    /// The invite's key in the document.
    key: String,
    /// Its secret, hex.
    secret: String,
    /// Wrong attempts counted against it.
    wrong: u32,
}

/// Whether a device may sync with this book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Listed in the members and not revoked.
    Member,
    /// Listed but revoked (in at least one of the concurrent values of its record).
    Revoked,
    /// Not listed in this copy of the book.
    Unknown,
}

/// Why an invite was not redeemed. The `Display` text is shown to the joining person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InviteRefusal {
    /// No invite with this secret exists in this book.
    #[error("unknown invite: ask the admin for a new one")]
    Unknown,
    /// The invite was already redeemed (invites are one-time).
    #[error("this invite was already used")]
    AlreadyUsed,
    /// The invite's expiry has passed (on this device's clock).
    #[error("this invite has expired")]
    Expired,
    /// The joining device was revoked in this book.
    #[error("this device was revoked")]
    Revoked,
    /// The invite was created on another device: only the device that showed it redeems it.
    #[error("this invite was made on another device: join through the device that showed it")]
    OtherDevice,
    /// The invite was cancelled after too many wrong codes.
    #[error(
        "this invite was cancelled after {MAX_WRONG_INVITE_ATTEMPTS} wrong codes: ask for a new one"
    )]
    Burned,
    /// A wrong code, and it was the last one allowed: this device's open invites are burned.
    #[error(
        "wrong code; the invite is now cancelled after {MAX_WRONG_INVITE_ATTEMPTS} wrong codes: ask for a new one"
    )]
    WrongCodeBurned,
    /// The invite record could not be read or the book could not be written.
    #[error("the invite could not be redeemed: {0}")]
    Book(String),
}

/// One invite as stored in the document (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Invite {
    /// Key of the invite: hex hash of its secret.
    pub key: String,
    /// Role code given to the member who redeems it (see [`Role`]).
    pub role: String,
    /// Expiry, UTC RFC 3339.
    pub expires_at: String,
    /// Member id of the device that created it.
    pub created_by: String,
    /// Creation time, UTC RFC 3339.
    pub created_at: String,
    /// Member id that redeemed it; empty while unused.
    pub used_by: String,
    /// When it was redeemed, UTC RFC 3339; empty while unused.
    pub used_at: String,
    /// When wrong codes cancelled it, UTC RFC 3339; empty otherwise.
    pub burned_at: String,
}

/// This device's Automerge sync states, one per peer, for the sessions running now.
///
/// A session asks [`Book::generate_sync_message`] and [`Book::receive_sync_message`] with the
/// same `PeerSyncStates`; [`Book::end_sync_session`] saves the persistent part (shared heads) in
/// the device blob `sync-<peer hex>` and drops the in-flight part, so a cut session is resent
/// in full by the next one. In-memory books keep the saved part in this struct instead.
#[derive(Default)]
pub struct PeerSyncStates {
    live: HashMap<MemberId, sync::State>,
    saved: HashMap<MemberId, Vec<u8>>,
}

impl std::fmt::Debug for PeerSyncStates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerSyncStates")
            .field("live", &self.live.len())
            .field("saved", &self.saved.len())
            .finish()
    }
}

impl PeerSyncStates {
    /// No state for any peer yet.
    pub fn new() -> Self {
        Self::default()
    }
}

fn blob_name(peer: &MemberId) -> String {
    format!("{SYNC_STATE_BLOB_PREFIX}{}", peer.as_str())
}

/// Hex of the Argon2id hash (8 KiB, 1 pass, 1 lane, 32 bytes, fixed salt) of an invite
/// secret: the invite's key in the document.
fn invite_key(secret: &[u8]) -> Result<String, BookError> {
    let invalid = |m: String| BookError::from(PeerRefusal::Invite(m));
    let params = argon2::Params::new(8, 1, 1, Some(32)).map_err(|e| invalid(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    a.hash_password_into(secret, INVITE_HASH_SALT, &mut out)
        .map_err(|e| invalid(e.to_string()))?;
    Ok(hex::encode(out))
}

fn is_set(v: &Value<'_>) -> bool {
    match v {
        Value::Object(_) => true,
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Null => false,
            ScalarValue::Str(t) => !t.is_empty(),
            ScalarValue::Boolean(b) => *b,
            _ => true,
        },
    }
}

fn str_of(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> String {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Str(t) => t.to_string(),
            ScalarValue::Null => String::new(),
            other => other.to_string(),
        },
        _ => String::new(),
    }
}

impl Book {
    /// An empty in-memory book for a device that is joining a group: it holds no document
    /// yet and receives the group's book by syncing with the inviter; then save it with
    /// [`Book::create_joined`].
    ///
    /// # Errors
    /// [`BookError::Document`] if the empty document cannot be created (not expected).
    pub fn new_joining(device: Device) -> Result<Book, BookError> {
        let empty = automerge::AutoCommit::new().save();
        Book::from_document_bytes(device, &empty)
    }

    /// Saves a book received when joining (`document`: a whole Automerge document, e.g.
    /// [`Book::save_document`] of a [`Book::new_joining`] book after its first sync) as this
    /// device's book in the empty folder `dir`, encrypted under `passphrase`, with `device`'s
    /// identity.
    ///
    /// # Errors
    /// [`BookError::Invalid`] when `document` holds no group, or when `dir` already holds a
    /// book (of another group, or of this group: then sync instead of joining);
    /// [`BookError::Document`] when `document` is not an Automerge document;
    /// [`BookError::Storage`] when the folder cannot be written.
    pub fn create_joined(
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
        device: Device,
        document: &[u8],
    ) -> Result<Book, BookError> {
        Book::from_document_bytes(device, document)?.store_joined(dir, passphrase, kdf)
    }

    /// Saves this in-memory book (received when joining: a [`Book::from_snapshot`] or
    /// [`Book::new_joining`] book after its first sync) as this device's book in the empty
    /// folder `dir`, encrypted under `passphrase`: the received snapshot as it is (or one
    /// snapshot of the document) plus one chunk, no second encode and load of the document.
    ///
    /// # Errors
    /// As [`Book::create_joined`].
    pub fn store_joined(
        self,
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Book, BookError> {
        self.check_joined(dir, Some(passphrase))?;
        let key = NewBookKey::derive(passphrase, kdf).map_err(StorageError::from)?;
        self.store_joined_with_key(dir, key)
    }

    /// Like [`Book::store_joined`], with the new book's key derived beforehand (e.g. on
    /// another thread while the book was downloading).
    ///
    /// # Errors
    /// As [`Book::create_joined`].
    pub fn store_joined_with_key(mut self, dir: &Path, key: NewBookKey) -> Result<Book, BookError> {
        self.check_joined(dir, None)?;
        let secret = self.device.secret_bytes();
        self.store = None;
        let mut book = self;
        let mut store = BookStore::create_with_key(dir, key)?;
        store.write_device(crate::book::blob::SECRET_KEY, &secret)?;
        book.store = Some(store);
        match book.joined_snapshot.take() {
            // The received file as it is, then what the sync after it brought.
            Some(snapshot) => {
                if let Some(store) = book.store.as_mut() {
                    store.compact(&snapshot)?;
                }
                book.persist_incremental()?;
            }
            None => book.compact()?,
        }
        Ok(book)
    }

    /// A received book can be stored in `dir`: it holds a group, and `dir` holds no book
    /// (named in the error when `passphrase` opens it).
    fn check_joined(&self, dir: &Path, passphrase: Option<&str>) -> Result<(), BookError> {
        let group = self.group()?;
        if group.id.is_empty() {
            return Err(
                PeerRefusal::NotABook("the received document holds no group".into()).into(),
            );
        }
        if !BookStore::exists(dir) {
            return Ok(());
        }
        let opened = passphrase.map(|p| Book::open(dir, p).and_then(|b| b.group()));
        let message = match opened {
            Some(Ok(g)) if g.id == group.id => format!(
                "{} already holds this group's book (\"{}\"): use `rukun sync` instead of joining",
                dir.display(),
                g.name
            ),
            Some(Ok(g)) => format!(
                "{} already holds the book of another group (\"{}\", {}); choose an empty folder",
                dir.display(),
                g.name,
                g.id
            ),
            Some(Err(e)) => format!(
                "{} already holds a book ({e}); choose an empty folder",
                dir.display()
            ),
            None => format!(
                "{} already holds a book; choose an empty folder",
                dir.display()
            ),
        };
        Err(PeerRefusal::NotABook(message).into())
    }

    // ----- sync messages -------------------------------------------------------------------

    fn sync_state<'a>(
        &self,
        states: &'a mut PeerSyncStates,
        peer: &MemberId,
    ) -> &'a mut sync::State {
        if !states.live.contains_key(peer) {
            let saved = match states.saved.get(peer) {
                Some(b) => Some(b.clone()),
                None => self.read_device_blob(&blob_name(peer)).ok().flatten(),
            };
            let state = saved
                .and_then(|b| sync::State::decode(&b).ok())
                .unwrap_or_default();
            states.live.insert(peer.clone(), state);
        }
        states.live.entry(peer.clone()).or_default()
    }

    /// For a book made with [`Book::from_snapshot`]: the sync state with `peer` (the device
    /// that sent the snapshot) starts from the snapshot's heads as heads both sides have, so
    /// the first sync after it summarises and sends only the changes made since, instead of
    /// a Bloom filter over the whole history. Does nothing for any other book.
    pub fn seed_sync_state_from_snapshot(&self, states: &mut PeerSyncStates, peer: &MemberId) {
        if self.joined_snapshot.is_none() {
            return;
        }
        let state = states.live.entry(peer.clone()).or_default();
        state.shared_heads = self.saved_heads.clone();
    }

    /// The next Automerge sync message (encoded) for `peer`, or `None` when there is nothing
    /// to send now. Commits any open change first (as "before sync").
    ///
    /// # Errors
    /// [`BookError`] when committing an open change fails.
    pub fn generate_sync_message(
        &mut self,
        states: &mut PeerSyncStates,
        peer: &MemberId,
    ) -> Result<Option<Vec<u8>>, BookError> {
        if self.has_pending() {
            self.commit("before sync")?;
        }
        let mut state = std::mem::take(self.sync_state(states, peer));
        let msg = self.doc.sync().generate_sync_message(&mut state);
        states.live.insert(peer.clone(), state);
        Ok(msg.map(sync::Message::encode))
    }

    /// Applies an Automerge sync message (`bytes`, untrusted) from `peer` and writes the
    /// changes it brought durably (one encrypted chunk). Returns how many changes were applied.
    ///
    /// # Errors
    /// [`BookError::Invalid`] (field `sync message`) when the bytes are not a valid sync
    /// message or its changes cannot be applied; [`BookError::Storage`] when writing fails
    /// (the changes stay in memory and are written by the next persist).
    pub fn receive_sync_message(
        &mut self,
        states: &mut PeerSyncStates,
        peer: &MemberId,
        bytes: &[u8],
    ) -> Result<usize, BookError> {
        let bad = |m: String| BookError::from(PeerRefusal::SyncMessage(m));
        let message = sync::Message::decode(bytes).map_err(|e| bad(e.to_string()))?;
        if self.has_pending() {
            self.commit("before sync")?;
        }
        let before = self.doc.get_heads();
        let mut state = std::mem::take(self.sync_state(states, peer));
        let result = self.doc.sync().receive_sync_message(&mut state, message);
        states.live.insert(peer.clone(), state);
        result.map_err(|e| bad(e.to_string()))?;
        let applied = if self.doc.get_heads() == before {
            0
        } else {
            self.doc.get_changes_meta(&before).len()
        };
        if applied > 0 {
            self.persist_merged()?;
        }
        Ok(applied)
    }

    /// Ends a sync session with `peer`: persists the document and the persistent part of the
    /// peer's sync state (device blob `sync-<peer hex>`), and forgets the in-flight part.
    ///
    /// # Errors
    /// [`BookError::Storage`] when writing fails.
    pub fn end_sync_session(
        &mut self,
        states: &mut PeerSyncStates,
        peer: &MemberId,
    ) -> Result<(), BookError> {
        self.persist_merged()?;
        if let Some(state) = states.live.remove(peer) {
            let bytes = state.encode();
            self.write_device_blob(&blob_name(peer), &bytes)?;
            states.saved.insert(peer.clone(), bytes);
        }
        Ok(())
    }

    /// Saves the sync states that `states` ended with (e.g. those of a [`Book::new_joining`]
    /// book, after [`Book::create_joined`]) as this book's device blobs, so the next session
    /// with those peers sends only what is new.
    ///
    /// # Errors
    /// [`BookError::Storage`] when a blob cannot be written.
    pub fn adopt_sync_states(&mut self, states: &PeerSyncStates) -> Result<(), BookError> {
        for (peer, bytes) in &states.saved {
            self.write_device_blob(&blob_name(peer), bytes)?;
        }
        Ok(())
    }

    /// Forgets the saved sync state with `peer` (the next session starts from nothing and
    /// exchanges heads again; nothing is lost).
    ///
    /// # Errors
    /// [`BookError::Storage`] when the blob cannot be removed.
    pub fn forget_sync_state(
        &mut self,
        states: &mut PeerSyncStates,
        peer: &MemberId,
    ) -> Result<(), BookError> {
        states.live.remove(peer);
        states.saved.remove(peer);
        if let Some(store) = self.store.as_mut() {
            store.remove_device(&blob_name(peer))?;
        }
        Ok(())
    }

    // ----- members -------------------------------------------------------------------------

    /// Whether `id` may sync with this book. Every concurrent value of the member's record
    /// and of its `revoked` field is looked at: one revocation is enough (a revocation wins
    /// over a concurrent re-add).
    pub fn member_status(&self, id: &MemberId) -> MemberStatus {
        let Some(tbl) = self.table_obj(table::MEMBERS) else {
            return MemberStatus::Unknown;
        };
        let Ok(records) = self.doc.get_all(&tbl, id.as_str()) else {
            return MemberStatus::Unknown;
        };
        let mut listed = false;
        for (value, obj) in records {
            if !matches!(value, Value::Object(ObjType::Map)) {
                continue;
            }
            listed = true;
            if let Ok(values) = self.doc.get_all(&obj, "revoked")
                && values.iter().any(|(v, _)| is_set(v))
            {
                return MemberStatus::Revoked;
            }
        }
        if listed {
            MemberStatus::Member
        } else {
            MemberStatus::Unknown
        }
    }

    /// Revokes member `id` (a lost phone): it can no longer sync with any device that has
    /// heard of the revocation. Commits.
    ///
    /// # Errors
    /// [`BookError::NotAllowed`] when this device is not an admin; [`BookError::RevokeSelf`]
    /// for this device's own id; [`BookError::NotFound`] when `id` is not a member; write
    /// errors.
    pub fn revoke_member(&mut self, id: &MemberId, reason: &str) -> Result<(), BookError> {
        self.require_admin("revoke a member")?;
        if id == self.member_id() {
            return Err(BookError::RevokeSelf);
        }
        let not_found = || BookError::NotFound {
            kind: "member",
            id: id.to_string(),
        };
        self.member(id)?.ok_or_else(not_found)?;
        let obj = self
            .record_obj(table::MEMBERS, id.as_str())
            .ok_or_else(not_found)?;
        let (by, at) = self.stamp();
        // A fresh object put on `revoked` (never an edit inside the old one), so that a
        // concurrent re-add (a put of null) conflicts with it and `member_status` sees both.
        let tomb = self.doc.put_object(&obj, "revoked", ObjType::Map)?;
        self.doc.put(&tomb, "by", by)?;
        self.doc.put(&tomb, "at", crate::book::rfc3339(at))?;
        self.doc.put(&tomb, "reason", reason)?;
        self.commit(&format!("revoke member {id}"))
    }

    // ----- invites -------------------------------------------------------------------------

    /// Every concurrent `invites` map of the document.
    fn invite_maps(&self) -> Vec<ObjId> {
        match self.doc.get_all(automerge::ROOT, INVITES) {
            Ok(values) => values
                .into_iter()
                .filter(|(v, _)| matches!(v, Value::Object(ObjType::Map)))
                .map(|(_, o)| o)
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    fn read_invite(&self, key: &str, obj: &ObjId) -> Invite {
        let used: Vec<String> = self
            .doc
            .get_all(obj, "used_by")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(v, _)| match v {
                Value::Scalar(s) => match s.as_ref() {
                    ScalarValue::Str(t) if !t.is_empty() => Some(t.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        Invite {
            key: key.to_string(),
            role: str_of(&self.doc, obj, "role"),
            expires_at: str_of(&self.doc, obj, "expires_at"),
            created_by: str_of(&self.doc, obj, "created_by"),
            created_at: str_of(&self.doc, obj, "created_at"),
            used_by: used.into_iter().min().unwrap_or_default(),
            used_at: str_of(&self.doc, obj, "used_at"),
            burned_at: str_of(&self.doc, obj, "burned_at"),
        }
    }

    fn find_invite(&self, key: &str) -> Option<(ObjId, Invite)> {
        for map in self.invite_maps() {
            if let Ok(Some((Value::Object(ObjType::Map), obj))) = self.doc.get(&map, key) {
                let inv = self.read_invite(key, &obj);
                return Some((obj, inv));
            }
        }
        None
    }

    /// All invites in the book (used or not), sorted by creation time.
    pub fn invites(&self) -> Vec<Invite> {
        let mut out = Vec::new();
        for map in self.invite_maps() {
            let keys: Vec<String> = self.doc.keys(&map).collect();
            for k in keys {
                if let Ok(Some((Value::Object(ObjType::Map), obj))) = self.doc.get(&map, &k) {
                    out.push(self.read_invite(&k, &obj));
                }
            }
        }
        out.sort_by(|a, b| (&a.created_at, &a.key).cmp(&(&b.created_at, &b.key)));
        out
    }

    /// Records a one-time invite for `role` that expires at `expires_at`, keyed by a hash of
    /// `secret` (random bytes, at least 16, shown to the joining person as part of the ticket).
    /// Commits. Returns the invite's key.
    ///
    /// # Errors
    /// [`BookError::NotAllowed`] when this device is not an admin; [`BookError::Invalid`] when
    /// `secret` is shorter than 16 bytes; write errors.
    pub fn create_invite(
        &mut self,
        secret: &[u8],
        role: Role,
        expires_at: DateTime<Utc>,
    ) -> Result<String, BookError> {
        self.require_admin("create an invite")?;
        if secret.len() < 16 {
            return Err(PeerRefusal::Invite("the secret must be at least 16 bytes".into()).into());
        }
        let key = invite_key(secret)?;
        let map = match self.invite_maps().into_iter().next() {
            Some(m) => m,
            None => self
                .doc
                .put_object(automerge::ROOT, INVITES, ObjType::Map)?,
        };
        let (by, at) = self.stamp();
        let obj = self.doc.put_object(&map, key.as_str(), ObjType::Map)?;
        self.doc.put(&obj, "role", role.as_str())?;
        self.doc
            .put(&obj, "expires_at", crate::book::rfc3339(expires_at))?;
        self.doc.put(&obj, "created_by", by)?;
        self.doc.put(&obj, "created_at", crate::book::rfc3339(at))?;
        self.doc.put(&obj, "used_by", "")?;
        self.doc.put(&obj, "used_at", "")?;
        self.commit(&format!("invite {}", role.as_str()))?;
        let mut open = self.open_invites();
        open.push(OpenInvite {
            key: key.clone(),
            secret: hex::encode(secret),
            wrong: 0,
        });
        self.save_open_invites(&open)?;
        Ok(key)
    }

    fn open_invites(&self) -> Vec<OpenInvite> {
        self.read_device_blob(OPEN_INVITES_BLOB)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save_open_invites(&mut self, open: &[OpenInvite]) -> Result<(), BookError> {
        let bytes = serde_json::to_vec(open)
            .map_err(|e| BookError::from(PeerRefusal::Invite(e.to_string())))?;
        self.write_device_blob(OPEN_INVITES_BLOB, &bytes)
    }

    /// Counts a wrong attempt against every open invite of this device and burns those that
    /// reached [`MAX_WRONG_INVITE_ATTEMPTS`]. Returns how many were burned.
    fn count_wrong_attempt(&mut self) -> Result<usize, BookError> {
        let mut open = self.open_invites();
        if open.is_empty() {
            return Ok(0);
        }
        let mut burned = Vec::new();
        open.retain_mut(|inv| {
            inv.wrong += 1;
            if inv.wrong >= MAX_WRONG_INVITE_ATTEMPTS {
                burned.push(inv.key.clone());
                false
            } else {
                true
            }
        });
        if !burned.is_empty() {
            if self.has_pending() {
                self.commit("before burning an invite")?;
            }
            let (_, at) = self.stamp();
            for key in &burned {
                if let Some((obj, _)) = self.find_invite(key) {
                    self.doc.put(&obj, "burned_at", crate::book::rfc3339(at))?;
                }
            }
            self.commit("invite burned after wrong codes")?;
        }
        self.save_open_invites(&open)?;
        Ok(burned.len())
    }

    /// Wrong attempts counted so far against each open invite this device created, by
    /// invite key (for the inviter's screen).
    pub fn open_invite_attempts(&self) -> Vec<(String, u32)> {
        self.open_invites()
            .into_iter()
            .map(|i| (i.key, i.wrong))
            .collect()
    }

    /// Records that a sync session with `peer` finished now (device blob, never synced).
    ///
    /// # Errors
    /// [`BookError::Storage`] when the blob cannot be written.
    pub fn note_synced(&mut self, peer: &MemberId) -> Result<(), BookError> {
        let (_, at) = self.stamp();
        self.write_device_blob(
            &format!("{SYNCED_BLOB_PREFIX}{}", peer.as_str()),
            crate::book::rfc3339(at).as_bytes(),
        )
    }

    /// When a sync session with `peer` last finished on this device, if ever.
    pub fn last_synced(&self, peer: &MemberId) -> Option<DateTime<Utc>> {
        let bytes = self
            .read_device_blob(&format!("{SYNCED_BLOB_PREFIX}{}", peer.as_str()))
            .ok()
            .flatten()?;
        let text = std::str::from_utf8(&bytes).ok()?;
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Redeems a one-time invite at the device that created it: checks that `secret` names a
    /// known, open invite of this device that has not expired on this device's clock, then
    /// marks it used by `new_member` and adds `new_member` (named `name`) with the invite's
    /// role, in one commit. Returns the role. A secret that matches no invite counts as a wrong
    /// attempt against every open invite of this device (see the module docs).
    ///
    /// # Errors
    /// An [`InviteRefusal`] whose text is shown to the joining person.
    pub fn redeem_invite(
        &mut self,
        secret: &InviteSecret,
        new_member: &MemberId,
        name: &str,
    ) -> Result<Role, InviteRefusal> {
        let book_err = |e: BookError| InviteRefusal::Book(e.to_string());
        if self.member_status(new_member) == MemberStatus::Revoked {
            return Err(InviteRefusal::Revoked);
        }
        let key = match secret {
            InviteSecret::Full(bytes) => Some(invite_key(bytes).map_err(book_err)?),
            InviteSecret::Short(v) => self
                .open_invites()
                .into_iter()
                .find(|i| hex::decode(&i.secret).is_ok_and(|s| short_secret_of(&s) == *v))
                .map(|i| i.key),
        };
        let Some((obj, invite)) = key.as_deref().and_then(|k| self.find_invite(k)) else {
            return match self.count_wrong_attempt().map_err(book_err)? {
                0 => Err(InviteRefusal::Unknown),
                _ => Err(InviteRefusal::WrongCodeBurned),
            };
        };
        if !invite.used_by.is_empty() {
            return Err(InviteRefusal::AlreadyUsed);
        }
        if !invite.burned_at.is_empty() {
            return Err(InviteRefusal::Burned);
        }
        if invite.created_by != self.member_id().as_str() {
            return Err(InviteRefusal::OtherDevice);
        }
        let expires = DateTime::parse_from_rfc3339(&invite.expires_at)
            .map_err(|_| InviteRefusal::Expired)?
            .with_timezone(&Utc);
        if self.now() >= expires {
            return Err(InviteRefusal::Expired);
        }
        let role = Role::parse(&invite.role).unwrap_or(Role::Relawan);
        let (_, at) = self.stamp();
        let member = Member {
            name: name.to_string(),
            role,
            rt: None,
            added_by: invite.created_by.clone(),
            added_at: at,
            revoked: None,
        };
        let write = (|| -> Result<(), BookError> {
            if self.has_pending() {
                self.commit("before redeeming an invite")?;
            }
            self.doc.put(&obj, "used_by", new_member.to_string())?;
            self.doc.put(&obj, "used_at", crate::book::rfc3339(at))?;
            self.put_member(new_member, &member)?;
            self.commit(&format!("join: {name} ({})", role.as_str()))?;
            let mut open = self.open_invites();
            open.retain(|i| i.key != invite.key);
            self.save_open_invites(&open)
        })();
        write.map_err(book_err)?;
        Ok(role)
    }
}
