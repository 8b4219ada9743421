//! The book: one Automerge document per WKSBM group, with this device's own part beside it.

use std::path::Path;
use std::sync::Arc;

use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ReadDoc, Value, transaction::CommitOptions,
    transaction::Transactable,
};
use autosurgeon::{Reconcile, reconcile_prop};
use chrono::{DateTime, Duration, Utc};
use zeroize::Zeroizing;

use crate::fieldwise::FieldWise;
use crate::records::{Disbursement, Donor, Group, Household, Meeting, Member, Pmks, Receipt, Void};
use crate::storage::{BookStore, KdfParams, NewBookKey, RealFs, StorageError, StorageWarning, Vfs};

/// Version of the document layout written by this build. Peers refuse to sync with a book
/// whose oldest readable schema is newer than theirs.
pub const SCHEMA_VERSION: u32 = 1;

/// Names of the top-level maps of the document.
pub(crate) mod table {
    pub(crate) const GROUP: &str = "group";
    pub(crate) const MEMBERS: &str = "members";
    pub(crate) const ACTORS: &str = "actors";
    pub(crate) const HOUSEHOLDS: &str = "households";
    pub(crate) const PMKS: &str = "pmks";
    pub(crate) const DONORS: &str = "donors";
    pub(crate) const RECEIPTS: &str = "receipts";
    pub(crate) const VOIDS: &str = "voids";
    pub(crate) const DISBURSEMENTS: &str = "disbursements";
    pub(crate) const MEETINGS: &str = "meetings";
    pub(crate) const MERGES: &str = "merges";
    pub(crate) const EXPENSES: &str = "expenses";
    pub(crate) const APPROVALS: &str = "approvals";
    pub(crate) const LOANS: &str = "loans";
    pub(crate) const REGISTER: &str = "register";
    pub(crate) const NATURA: &str = "natura";
    pub(crate) const CLOSINGS: &str = "closings";
    pub(crate) const ALL: [&str; 17] = [
        GROUP,
        MEMBERS,
        ACTORS,
        HOUSEHOLDS,
        PMKS,
        DONORS,
        RECEIPTS,
        VOIDS,
        DISBURSEMENTS,
        MEETINGS,
        MERGES,
        EXPENSES,
        APPROVALS,
        LOANS,
        REGISTER,
        NATURA,
        CLOSINGS,
    ];
}

/// Device blob names (never synced).
pub(crate) mod blob {
    /// This device's secret key (its iroh identity and member id).
    pub(crate) const SECRET_KEY: &str = "secret_key";
    /// The receipt sequence of this device.
    pub(crate) const RECEIPT_SEQ: &str = "receipt_seq";
}

/// How many incremental chunks may pile up before a commit compacts them into a snapshot.
const COMPACT_AFTER_CHUNKS: usize = 256;

/// Errors of opening, reading or writing a book.
#[derive(Debug, thiserror::Error)]
pub enum BookError {
    /// The book folder could not be read or written.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The stored document could not be decoded.
    #[error("the book's document is unreadable: {0}")]
    Document(#[from] automerge::AutomergeError),
    /// A record could not be written into the document.
    #[error("could not write {kind} {id}: {source}")]
    Write {
        /// Record kind (table name).
        kind: &'static str,
        /// Record id.
        id: String,
        /// Cause.
        source: Box<autosurgeon::ReconcileError>,
    },
    /// A record in the document could not be read as its type (e.g. written by a newer app).
    #[error("could not read {kind} {id}: {message}")]
    Read {
        /// Record kind (table name).
        kind: &'static str,
        /// Record id.
        id: String,
        /// What did not decode.
        message: String,
    },
    /// No live record with that id.
    #[error("no {kind} with id {id}")]
    NotFound {
        /// Record kind.
        kind: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The device part of the book folder is missing or damaged.
    #[error("this device's identity is missing or damaged in the book folder")]
    DeviceIdentity,
    /// Specific personal data (UU No. 27/2022) would be saved without the household's
    /// recorded consent.
    #[error(
        "{field}: data pribadi spesifik (UU 27/2022) tidak dapat disimpan tanpa persetujuan rumah tangga yang tercatat / specific personal data needs the household's recorded consent (persetujuan) first"
    )]
    ConsentMissing {
        /// The field that holds specific personal data.
        field: String,
    },
    /// This device's role does not allow the action (see [`Book::require_role`]).
    #[error("only {needed} may {action} (this device's role: {role})")]
    NotAllowed {
        /// What was asked, e.g. "create an invite".
        action: &'static str,
        /// The role needed.
        needed: &'static str,
        /// This device's role, or "not a member".
        role: String,
    },
    /// A live household already has this KK number: open it instead of surveying the
    /// family again (duplicates made on two devices offline are merged in Tinjau).
    #[error("no_kk: a household with KK {no_kk} is already in the book ({kepala}, {household_id})")]
    DuplicateKk {
        /// The KK number.
        no_kk: crate::rules::NoKk,
        /// The household that has it.
        household_id: String,
        /// Its head of the family, to name it to the person.
        kepala: String,
    },
    /// A device cannot revoke itself (another admin revokes a lost phone).
    #[error("this is this device's own member id: revoke it from another admin's device")]
    RevokeSelf,
    /// A receipt, void, donor or santunan refused for what was given.
    #[error(transparent)]
    Money(#[from] crate::MoneyRefusal),
    /// A household field, a conflict's resolution or a merge refused for what was given.
    #[error(transparent)]
    Field(#[from] crate::FieldRefusal),
    /// Bytes from a peer, or an invite, refused.
    #[error(transparent)]
    Peer(#[from] crate::PeerRefusal),
}

/// A member id: the device's iroh endpoint id (ed25519 public key) as 64 lowercase hex chars.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct MemberId(String);

impl MemberId {
    /// From the 32 public-key bytes.
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        MemberId(hex::encode(bytes))
    }
    /// Parses 64 hex chars; `None` otherwise.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out).ok()?;
        Some(MemberId(s))
    }
    /// The 32 public-key bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        // Always valid: constructed only from 32 bytes or a checked parse.
        let _ = hex::decode_to_slice(&self.0, &mut out);
        out
    }
    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Uppercase RFC 4648 base32 of the key, the alphabet of receipt short ids.
    pub fn base32(&self) -> String {
        data_encoding::BASE32_NOPAD.encode(&self.to_bytes())
    }
}

impl std::fmt::Display for MemberId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Role of a member: what the device may do. Stored as its code (`ketua_rt`); a member
/// whose stored role this app does not know is not read (it is granted nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the group's devices: invites and revokes members.
    Admin,
    /// Treasurer: receipts, santunan, reports.
    Bendahara,
    /// RT head: receipts in their RT.
    KetuaRt,
    /// Volunteer: surveys and PMKS identification. The default, as the least allowed.
    #[default]
    Relawan,
}

impl std::fmt::Display for Role {
    /// The stored code (`ketua_rt`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl autosurgeon::Reconcile for Role {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.as_str())
    }
}

impl Role {
    /// The stored code: `admin`, `bendahara`, `ketua_rt`, `relawan`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bendahara => "bendahara",
            Role::KetuaRt => "ketua_rt",
            Role::Relawan => "relawan",
        }
    }
    /// Parses a stored code (case-insensitive; `-` accepted for `_`).
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "admin" => Some(Role::Admin),
            "bendahara" => Some(Role::Bendahara),
            "ketua_rt" => Some(Role::KetuaRt),
            "relawan" => Some(Role::Relawan),
            _ => None,
        }
    }
}

/// What `rukun init` needs to found a group.
#[derive(Debug, Clone)]
pub struct GroupInit {
    /// Group name.
    pub name: String,
    /// Kelurahan / desa name.
    pub kelurahan: String,
    /// Kode wilayah, dotted (`34.71.13.1006`).
    pub kode_wilayah: String,
    /// RW number.
    pub rw: u16,
    /// RT numbers served.
    pub rts: Vec<u16>,
    /// Name of the founding member (this device), who becomes `admin`.
    pub member_name: String,
}

/// This device's own identity: the iroh secret key and the member id derived from it.
pub struct Device {
    secret: Zeroizing<[u8; 32]>,
    member_id: MemberId,
}

impl Device {
    /// A fresh random identity.
    pub fn generate() -> Result<Device, BookError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        getrandom::fill(secret.as_mut_slice()).map_err(|_| BookError::DeviceIdentity)?;
        Ok(Device::from_secret(*secret))
    }

    /// From the 32 secret-key bytes (ed25519, as iroh's `SecretKey`).
    pub fn from_secret(secret: [u8; 32]) -> Device {
        let signing = ed25519_dalek::SigningKey::from_bytes(&secret);
        let member_id = MemberId::from_bytes(&signing.verifying_key().to_bytes());
        Device {
            secret: Zeroizing::new(secret),
            member_id,
        }
    }

    /// A deterministic identity derived from a seed; for simulated devices in tests and
    /// `rukun generate`, never for a real device.
    pub fn from_seed(seed: u64) -> Device {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut secret = [0u8; 32];
        rng.fill(&mut secret);
        Device::from_secret(secret)
    }

    /// The 32 secret-key bytes (to build the iroh endpoint).
    pub fn secret_bytes(&self) -> [u8; 32] {
        *self.secret
    }

    /// The member id (iroh endpoint id).
    pub fn member_id(&self) -> &MemberId {
        &self.member_id
    }
}

/// The book of one WKSBM group on one device.
///
/// Reads return typed records; writes go into the open change and become durable with
/// [`Book::commit`] (one commit per form save). Books opened from a folder append every
/// commit to disk; in-memory books ([`Book::new_in_memory`]) are for tests and tools.
pub struct Book {
    pub(crate) doc: AutoCommit,
    pub(crate) store: Option<BookStore>,
    pub(crate) device: Device,
    pub(crate) actor_registered: bool,
    pub(crate) clock_skew: Duration,
    pub(crate) warnings: Vec<String>,
    /// Receipt sequence of an in-memory book (stored books keep it in a device blob).
    pub(crate) mem_seq: u64,
    /// An append failed: the next persist writes a full snapshot so nothing is lost.
    pub(crate) persist_failed: bool,
    /// The household index, built on first use and updated from document diffs.
    pub(crate) index: Option<crate::index::HouseholdIndex>,
    /// Heads of what is already on disk: the next chunk holds only the changes after them.
    /// (Automerge's own incremental cursor starts empty after a load, so its first
    /// incremental save would write the whole history again, uncompressed.)
    pub(crate) saved_heads: Vec<ChangeHash>,
    /// Device blobs of a book without a folder (in-memory books keep them here, so they
    /// behave like stored ones within one process).
    pub(crate) mem_blobs: std::collections::HashMap<String, Vec<u8>>,
    /// The document file a joining device received whole ([`Book::from_snapshot`]): stored
    /// as it is by [`Book::store_joined`], with no second save of the document.
    pub(crate) joined_snapshot: Option<Vec<u8>>,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("member", &self.device.member_id)
            .finish()
    }
}

/// A UUID v7 as text: the id of every new record.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) use crate::stored::rfc3339;

impl Book {
    /// Founds a new group in an empty folder: creates the encrypted store, this device's
    /// identity (an iroh secret key) and the first member (admin), and commits.
    ///
    /// Errors: the folder already holds a book ([`StorageError`]), or it cannot be written.
    pub fn create(
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
        init: &GroupInit,
    ) -> Result<Book, BookError> {
        Book::create_with_io(dir, passphrase, kdf, init, Arc::new(RealFs))
    }

    /// Like [`Book::create`], with every file operation going through `io`.
    pub(crate) fn create_with_io(
        dir: &Path,
        passphrase: &str,
        kdf: KdfParams,
        init: &GroupInit,
        io: Arc<dyn Vfs>,
    ) -> Result<Book, BookError> {
        let key = NewBookKey::derive(passphrase, kdf).map_err(StorageError::from)?;
        let mut store = BookStore::create_with_io(dir, key, io)?;
        let device = Device::generate()?;
        if let Err(e) = store.write_device(blob::SECRET_KEY, &device.secret_bytes()) {
            // Without its device key the folder could never be opened, and would block a
            // second try: the half-made book is taken away again.
            store.abandon_creation();
            return Err(e.into());
        }
        let mut book = Book::found(device, init)?;
        book.store = Some(store);
        if let Err(e) = book.persist_all() {
            if let Some(store) = book.store.take() {
                store.abandon_creation();
            }
            return Err(e);
        }
        Ok(book)
    }

    /// Opens an existing book folder with its passphrase. A damaged last chunk is skipped
    /// (see [`Book::warnings`]); everything before it opens.
    pub fn open(dir: &Path, passphrase: &str) -> Result<Book, BookError> {
        Book::open_with_io(dir, passphrase, Arc::new(RealFs))
    }

    /// Like [`Book::open`], with every file operation going through `io`.
    pub(crate) fn open_with_io(
        dir: &Path,
        passphrase: &str,
        io: Arc<dyn Vfs>,
    ) -> Result<Book, BookError> {
        let started = std::time::Instant::now();
        let (mut store, mut loaded) = BookStore::open_with_io(dir, passphrase, io)?;
        tracing::debug!(elapsed = ?started.elapsed(), "book files read and decrypted");
        // Any snapshot that does not load falls back to the previous one (plus the chunks
        // after it), not only one that fails to decrypt.
        let mut doc = loop {
            let Some(bytes) = &loaded.snapshot else {
                break AutoCommit::new();
            };
            match AutoCommit::load(bytes) {
                Ok(doc) => break doc,
                Err(e) => {
                    tracing::warn!(error = %e, "a snapshot does not load; falling back to the previous one");
                    loaded = store.reject_snapshot(&format!("not a loadable document: {e}"));
                }
            }
        };
        let mut warnings: Vec<String> = loaded.warnings.iter().map(warning_text).collect();
        warnings.extend(load_chunks(&mut doc, &loaded));
        let secret = store
            .read_device(blob::SECRET_KEY)?
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or(BookError::DeviceIdentity)?;
        doc.set_actor(ActorId::random());
        tracing::debug!(elapsed = ?started.elapsed(), "document loaded");
        for w in &warnings {
            tracing::warn!("{w}");
        }
        let saved_heads = doc.get_heads();
        Ok(Book {
            doc,
            store: Some(store),
            device: Device::from_secret(secret),
            actor_registered: false,
            clock_skew: Duration::zero(),
            warnings,
            mem_seq: 1,
            persist_failed: false,
            index: None,
            saved_heads,
            mem_blobs: Default::default(),
            joined_snapshot: None,
        })
    }

    /// Changes the passphrase of a book folder: re-wraps its data key, rewrites only the
    /// header (no book file). The book must not be open in another process.
    ///
    /// Errors: wrong old passphrase, the book is locked, or the header cannot be written.
    pub fn change_passphrase(
        dir: &Path,
        old: &str,
        new: &str,
        kdf: KdfParams,
    ) -> Result<(), BookError> {
        crate::storage::check_new_passphrase(new)?;
        let (mut store, _) = BookStore::open(dir, old)?;
        store.change_passphrase(old, new, kdf)?;
        Ok(())
    }

    /// Rotates the book's key (`rukun passphrase --rotate`): everything is re-encrypted
    /// under a new random data key wrapped by `new`, so an old copy of `header.json` with
    /// the old passphrase opens nothing the book holds from now on. The book must not be
    /// open in another process; `progress` hears `(done, total, what)`.
    ///
    /// Crash-safe at every step: the new copy is written beside the book
    /// (`<dir>.rotating`), marked complete, and only then switched in by two renames; an
    /// interrupted rotation is finished or undone by the next open (see
    /// `storage::finish_rotation`): before the switch the old passphrase still opens the
    /// book, after it the new one.
    ///
    /// # Errors
    /// Wrong old passphrase, a new one shorter than 8 characters, or a write that failed
    /// (the book is then as it was).
    pub fn rotate_key(
        dir: &Path,
        old: &str,
        new: &str,
        kdf: KdfParams,
        progress: &mut dyn FnMut(usize, usize, &str),
    ) -> Result<(), BookError> {
        Book::rotate_key_until(
            dir,
            old,
            new,
            kdf,
            progress,
            crate::storage::RotateStop::Never,
            Arc::new(RealFs),
        )
    }

    /// [`Book::rotate_key`], stopping at `stop` as a crash would (tests), with every file
    /// operation going through `io`.
    pub(crate) fn rotate_key_until(
        dir: &Path,
        old: &str,
        new: &str,
        kdf: KdfParams,
        progress: &mut dyn FnMut(usize, usize, &str),
        stop: crate::storage::RotateStop,
        io: Arc<dyn Vfs>,
    ) -> Result<(), BookError> {
        crate::storage::check_new_passphrase(new)?;
        let mut book = Book::open_with_io(dir, old, io.clone())?;
        let store = book.store.as_ref().ok_or(BookError::DeviceIdentity)?;
        let names = store.list_device("")?;
        let mut blobs = Vec::with_capacity(names.len());
        for name in names {
            if let Some(bytes) = store.read_device(&name)? {
                blobs.push((name, bytes));
            }
        }
        let total = blobs.len() + 2;
        progress(0, total, "kunci baru");
        let key = crate::storage::NewBookKey::derive(new, kdf).map_err(StorageError::from)?;
        let staging = crate::storage::rotation_staging(&*io, dir)?;
        let written = (|| -> Result<(), BookError> {
            let mut next = BookStore::create_with_io(&staging, key, io.clone())?;
            progress(1, total, "buku");
            next.compact(&book.doc.save())?;
            for (i, (name, bytes)) in blobs.iter().enumerate() {
                progress(2 + i, total, name);
                next.write_device(name, bytes)?;
            }
            Ok(())
        })();
        if let Err(e) = written {
            crate::storage::drop_rotation_staging(&*io, dir);
            return Err(e);
        }
        // The switch, with this book (and its lock) still held: the folder juggling and
        // its crash recovery live in storage.
        crate::storage::switch_rotation(&*io, dir, stop)?;
        drop(book);
        progress(total, total, "selesai");
        tracing::info!(dir = %dir.display(), "rotated the book's key");
        Ok(())
    }

    /// A new group held only in memory (tests, simulations, tools).
    pub fn new_in_memory(device: Device, init: &GroupInit) -> Result<Book, BookError> {
        Book::found(device, init)
    }

    /// A copy of this book's document as another device would hold it after a full sync,
    /// in memory, with its own fresh actor id. The device is not added as a member.
    pub fn replica_for(&mut self, device: Device) -> Book {
        Book::around(self.doc.fork(), device)
    }

    /// Loads a whole document (e.g. received in a join) as this device's book, in memory.
    pub fn from_document_bytes(device: Device, bytes: &[u8]) -> Result<Book, BookError> {
        Ok(Book::around(AutoCommit::load(bytes)?, device))
    }

    /// Loads a document file received whole when joining (the inviter's snapshot, already
    /// checked against its hash), keeping the bytes so that [`Book::store_joined`] writes
    /// them as they are: the changes synced after it are appended as one chunk.
    ///
    /// # Errors
    /// [`BookError::Document`] when the bytes are not an Automerge document.
    pub fn from_snapshot(device: Device, bytes: Vec<u8>) -> Result<Book, BookError> {
        let mut book = Book::from_document_bytes(device, &bytes)?;
        book.saved_heads = book.doc.get_heads();
        book.joined_snapshot = Some(bytes);
        Ok(book)
    }

    /// A book held in memory around `doc` (no folder yet) for `device`, writing with a
    /// fresh actor id.
    fn around(mut doc: AutoCommit, device: Device) -> Book {
        doc.set_actor(ActorId::random());
        Book {
            doc,
            store: None,
            device,
            actor_registered: false,
            clock_skew: Duration::zero(),
            warnings: Vec::new(),
            mem_seq: 1,
            persist_failed: false,
            index: None,
            saved_heads: Vec::new(),
            mem_blobs: Default::default(),
            joined_snapshot: None,
        }
    }

    fn found(device: Device, init: &GroupInit) -> Result<Book, BookError> {
        let mut book = Book::around(AutoCommit::new(), device);
        book.doc
            .put(automerge::ROOT, "schema", SCHEMA_VERSION as u64)?;
        for t in table::ALL {
            if t != table::GROUP {
                book.doc.put_object(automerge::ROOT, t, ObjType::Map)?;
            }
        }
        let now = book.now();
        let me = book.device.member_id.clone();
        let group = Group {
            id: uuid::Uuid::new_v4().to_string(),
            name: init.name.clone(),
            kode_wilayah: init.kode_wilayah.clone(),
            kelurahan: init.kelurahan.clone(),
            rw: init.rw,
            rt_list: init.rts.clone(),
            created_by: me.to_string(),
            created_at: now,
        };
        reconcile_prop(&mut book.doc, automerge::ROOT, table::GROUP, &group).map_err(|e| {
            BookError::Write {
                kind: "group",
                id: group.id.clone(),
                source: Box::new(e),
            }
        })?;
        let member = Member {
            name: init.member_name.clone(),
            role: Role::Admin,
            rt: None,
            added_by: String::new(),
            added_at: now,
            revoked: None,
        };
        book.put_member(&me, &member)?;
        book.commit("found the group")?;
        Ok(book)
    }

    // ----- identity, time, persistence -------------------------------------------------

    /// This device's member id.
    pub fn member_id(&self) -> &MemberId {
        &self.device.member_id
    }

    /// This device's identity.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Warnings from opening (skipped damaged chunks, unreadable records…).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The current time on this device's clock (UTC), shifted by [`Book::set_clock_skew`].
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_skew
    }

    /// Shifts this device's clock (tests: a phone whose clock is wrong).
    pub fn set_clock_skew(&mut self, skew: Duration) {
        self.clock_skew = skew;
    }

    /// The document heads (hex change hashes, sorted): equal heads mean equal books.
    pub fn heads(&mut self) -> Vec<String> {
        let mut h: Vec<String> = self
            .doc
            .get_heads()
            .iter()
            .map(|c: &ChangeHash| c.to_string())
            .collect();
        h.sort();
        h
    }

    /// Whether the open change has uncommitted writes.
    pub fn has_pending(&self) -> bool {
        self.doc.pending_ops() > 0
    }

    /// Commits the open change with `message` (one commit per form save) and, for a book
    /// on disk, appends it durably. The first commit after opening also records this
    /// session's fresh actor id as belonging to this device's member.
    ///
    /// Errors: the chunk could not be written (e.g. disk full); the change stays in memory
    /// and a later commit retries writing it.
    pub fn commit(&mut self, message: &str) -> Result<(), BookError> {
        if self.doc.pending_ops() == 0 {
            return Ok(());
        }
        if !self.actor_registered {
            let actors = self.ensure_table(table::ACTORS)?;
            let actor = self.doc.get_actor().to_hex_string();
            self.doc
                .put(&actors, actor, self.device.member_id.to_string())?;
            self.actor_registered = true;
        }
        let time = self.now().timestamp_millis();
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message.to_string())
                .with_time(time),
        );
        self.persist_incremental()
    }

    pub(crate) fn persist_incremental(&mut self) -> Result<(), BookError> {
        if self.store.is_none() {
            return Ok(());
        }
        if self.persist_failed && !self.compaction_postponed() {
            // An earlier append failed after the document's incremental save point moved:
            // only a full snapshot is sure to hold every change. (While compaction is
            // postponed, the append below holds every change after `saved_heads`.)
            return self.compact();
        }
        let Some(store) = self.store.as_mut() else {
            return Ok(());
        };
        let bytes = self.doc.save_after(&self.saved_heads);
        if bytes.is_empty() {
            return Ok(());
        }
        if let Err(e) = store.append_chunk(&bytes) {
            self.persist_failed = true;
            return Err(e.into());
        }
        self.saved_heads = self.doc.get_heads();
        if store.chunk_count() >= COMPACT_AFTER_CHUNKS {
            self.compact()?;
        }
        Ok(())
    }

    /// Whether loaded changes wait for changes missing on this device (see [`Book::compact`]).
    fn compaction_postponed(&mut self) -> bool {
        !self.doc.get_missing_deps(&[]).is_empty()
    }

    fn persist_all(&mut self) -> Result<(), BookError> {
        self.compact()
    }

    /// Writes the whole document as one verified snapshot, replacing the chunks.
    ///
    /// Postponed (nothing written, `Ok`) while some loaded changes wait for changes this
    /// device is missing (a damaged or missing chunk): a snapshot holds only applied
    /// changes, so compacting would drop the waiting ones with their chunk files.
    pub fn compact(&mut self) -> Result<(), BookError> {
        if self.compaction_postponed() {
            tracing::warn!("compaction postponed: some changes wait for missing ones");
            return Ok(());
        }
        if let Some(store) = self.store.as_mut() {
            let bytes = self.doc.save();
            if let Err(e) = store.compact(&bytes) {
                self.persist_failed = true;
                return Err(e.into());
            }
            self.persist_failed = false;
            self.saved_heads = self.doc.get_heads();
        }
        Ok(())
    }

    /// The whole document as one standard Automerge file (readable by any Automerge
    /// implementation).
    pub fn save_document(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Merges another book of the same group into this one (the in-memory equivalent of a
    /// sync). The result still has to be committed/persisted by the caller with
    /// [`Book::persist_merged`].
    pub fn merge(&mut self, other: &mut Book) -> Result<(), BookError> {
        // Only the changes this book lacks, as one compressed chunk: far less memory than
        // `AutoCommit::merge` for tens of thousands of changes.
        let heads = self.doc.get_heads();
        let bytes = other.doc.save_after(&heads);
        self.doc.load_incremental(&bytes)?;
        Ok(())
    }

    /// Records that `actor` (hex) writes for `member` (the audit trail). Commit afterwards.
    pub(crate) fn register_actor(
        &mut self,
        actor: &ActorId,
        member: &MemberId,
    ) -> Result<(), BookError> {
        let actors = self.ensure_table(table::ACTORS)?;
        self.doc
            .put(&actors, actor.to_hex_string(), member.to_string())?;
        Ok(())
    }

    /// Writes the next changes under another actor id (simulated members in `generate`,
    /// whose actors are registered to them); `None` returns to a fresh actor of this
    /// device's own. Any open change is committed first by Automerge.
    pub(crate) fn use_actor(&mut self, actor: Option<&ActorId>) {
        match actor {
            Some(a) => {
                if self.doc.get_actor() != a {
                    self.doc.set_actor(a.clone());
                }
                self.actor_registered = true;
            }
            None => {
                self.doc.set_actor(ActorId::random());
                self.actor_registered = false;
            }
        }
    }

    pub(crate) fn take_store(&mut self) -> Option<BookStore> {
        self.store.take()
    }

    pub(crate) fn restore_store(&mut self, store: Option<BookStore>) {
        self.store = store;
    }

    /// Writes changes received from peers (merge or sync) durably.
    pub fn persist_merged(&mut self) -> Result<(), BookError> {
        self.persist_incremental()
    }

    /// Reads a device blob (never synced).
    pub(crate) fn read_device_blob(&self, name: &str) -> Result<Option<Vec<u8>>, BookError> {
        match &self.store {
            Some(s) => Ok(s.read_device(name)?),
            None => Ok(self.mem_blobs.get(name).cloned()),
        }
    }

    /// Writes a device blob durably (never synced). In-memory books keep it in memory.
    pub(crate) fn write_device_blob(&mut self, name: &str, bytes: &[u8]) -> Result<(), BookError> {
        match &mut self.store {
            Some(s) => Ok(s.write_device(name, bytes)?),
            None => {
                self.mem_blobs.insert(name.to_string(), bytes.to_vec());
                Ok(())
            }
        }
    }

    // ----- generic record access ----------------------------------------------------------

    pub(crate) fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    pub(crate) fn table_obj(&self, t: &str) -> Option<ObjId> {
        match self.doc.get(automerge::ROOT, t) {
            Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
            _ => None,
        }
    }

    pub(crate) fn ensure_table(&mut self, t: &str) -> Result<ObjId, BookError> {
        match self.table_obj(t) {
            Some(id) => Ok(id),
            None => Ok(self.doc.put_object(automerge::ROOT, t, ObjType::Map)?),
        }
    }

    /// Every map the table `t` has: one, except when two devices created a table that
    /// their book lacked (a table added by a later version) at the same time; the records
    /// of all of them are read, new ones go into the winning one.
    pub(crate) fn table_objs(&self, t: &str) -> Vec<ObjId> {
        let mut all: Vec<ObjId> = self
            .doc
            .get_all(automerge::ROOT, t)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(v, id)| matches!(v, Value::Object(ObjType::Map)).then_some(id))
            .collect();
        // The winning one first.
        if let Some(w) = self.table_obj(t)
            && let Some(i) = all.iter().position(|x| *x == w)
        {
            all.swap(0, i);
        }
        all
    }

    pub(crate) fn record_obj(&self, t: &str, id: &str) -> Option<ObjId> {
        self.table_objs(t)
            .into_iter()
            .find_map(|tbl| match self.doc.get(&tbl, id) {
                Ok(Some((Value::Object(ObjType::Map), oid))) => Some(oid),
                _ => None,
            })
    }

    pub(crate) fn read<T: serde::de::DeserializeOwned>(
        &self,
        t: &'static str,
        id: &str,
    ) -> Result<Option<T>, BookError> {
        let Some(oid) = self.record_obj(t, id) else {
            return Ok(None);
        };
        let typ = ObjType::Map;
        let json = crate::read::object_json(&self.doc, &oid, typ);
        serde_json::from_value(json)
            .map(Some)
            .map_err(|e| BookError::Read {
                kind: t,
                id: id.to_string(),
                message: e.to_string(),
            })
    }

    /// Every record of a table that can be read; unreadable ones are logged and skipped.
    pub(crate) fn read_all<T: serde::de::DeserializeOwned>(
        &self,
        t: &'static str,
    ) -> Vec<(String, T)> {
        let tables = self.table_objs(t);
        match tables.as_slice() {
            [] => Vec::new(),
            [tbl] => crate::read::read_table(&self.doc, tbl, t),
            many => {
                let mut seen = std::collections::HashSet::new();
                many.iter()
                    .flat_map(|tbl| crate::read::read_table(&self.doc, tbl, t))
                    .filter(|(id, _)| seen.insert(id.clone()))
                    .collect()
            }
        }
    }

    pub(crate) fn insert<T: Reconcile>(
        &mut self,
        t: &'static str,
        id: &str,
        rec: &T,
    ) -> Result<(), BookError> {
        let tbl = self.ensure_table(t)?;
        reconcile_prop(&mut self.doc, &tbl, id, rec).map_err(|source| BookError::Write {
            kind: t,
            id: id.to_string(),
            source: Box::new(source),
        })
    }

    pub(crate) fn update<T: FieldWise>(
        &mut self,
        t: &'static str,
        id: &str,
        old: &T,
        new: &T,
    ) -> Result<usize, BookError> {
        let obj = self.record_obj(t, id).ok_or_else(|| BookError::NotFound {
            kind: t,
            id: id.to_string(),
        })?;
        T::write_changes(&mut self.doc, &obj, old, new).map_err(|source| BookError::Write {
            kind: t,
            id: id.to_string(),
            source: Box::new(source),
        })
    }

    /// This member and now: the author and time every write is stamped with.
    pub(crate) fn stamp(&self) -> (String, DateTime<Utc>) {
        (self.device.member_id.to_string(), self.now())
    }

    // ----- group and members -------------------------------------------------------------

    /// The group record.
    pub fn group(&self) -> Result<Group, BookError> {
        let json = match self.doc.get(automerge::ROOT, table::GROUP)? {
            Some((Value::Object(typ), oid)) => crate::read::object_json(&self.doc, &oid, typ),
            _ => serde_json::Value::Null,
        };
        serde_json::from_value(json).map_err(|e| BookError::Read {
            kind: "group",
            id: String::new(),
            message: e.to_string(),
        })
    }

    /// The schema version the document was written with.
    pub fn schema_version(&self) -> u32 {
        match self.doc.get(automerge::ROOT, "schema") {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                automerge::ScalarValue::Uint(u) => *u as u32,
                automerge::ScalarValue::Int(i) => *i as u32,
                _ => 0,
            },
            _ => 0,
        }
    }

    /// All members (including revoked ones), by member id.
    pub fn members(&self) -> Vec<(MemberId, Member)> {
        self.read_all::<Member>(table::MEMBERS)
            .into_iter()
            .filter_map(|(k, m)| MemberId::parse(&k).map(|id| (id, m)))
            .collect()
    }

    /// One member.
    pub fn member(&self, id: &MemberId) -> Result<Option<Member>, BookError> {
        self.read(table::MEMBERS, id.as_str())
    }

    /// This device's member's name, as a receipt's receiver or a payment's payer when none
    /// is given ("Bendahara" while the device is not a member).
    pub fn my_name(&self) -> String {
        self.member(self.member_id())
            .ok()
            .flatten()
            .map(|m| m.name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "Bendahara".to_string())
    }

    /// This device's role in the book, if it is a member.
    pub fn my_role(&self) -> Option<Role> {
        self.member(self.member_id()).ok().flatten().map(|m| m.role)
    }

    /// Checks that this device is an admin before `action` (inviting, revoking).
    ///
    /// # Errors
    /// [`BookError::NotAllowed`] naming the action and this device's role.
    pub fn require_admin(&self, action: &'static str) -> Result<(), BookError> {
        match self.my_role() {
            Some(Role::Admin) => Ok(()),
            other => Err(BookError::NotAllowed {
                action,
                needed: "an admin",
                role: other.map_or_else(|| "not a member".to_string(), |r| r.as_str().to_string()),
            }),
        }
    }

    /// An admin adds the device `id` as a member (or re-adds it after a revocation: a
    /// re-add made concurrently with a revocation still loses, see
    /// [`Book::revoke_member`]), stamped with this device and [`Book::now`]. Commits.
    /// New devices usually join with an invite instead ([`Book::create_invite`]).
    ///
    /// # Errors
    /// [`BookError::NotAllowed`] when this device is not an admin; write errors.
    pub fn add_member(
        &mut self,
        id: &MemberId,
        name: &str,
        role: Role,
        rt: Option<u16>,
    ) -> Result<(), BookError> {
        self.require_admin("add a member")?;
        let (by, at) = self.stamp();
        let member = Member {
            name: name.trim().to_string(),
            role,
            rt,
            added_by: by,
            added_at: at,
            revoked: None,
        };
        self.put_member(id, &member)?;
        self.commit(&format!("add member {id}"))
    }

    /// Adds (or re-adds) a member record with no rule checked (invites and the founding
    /// admin). Commit afterwards.
    pub(crate) fn put_member(&mut self, id: &MemberId, member: &Member) -> Result<(), BookError> {
        match self.member(id)? {
            Some(old) => {
                self.update(table::MEMBERS, id.as_str(), &old, member)?;
            }
            None => self.insert(table::MEMBERS, id.as_str(), member)?,
        }
        Ok(())
    }

    /// The member who wrote with an actor id (hex), if recorded.
    pub fn actor_member(&self, actor_hex: &str) -> Option<MemberId> {
        let tbl = self.table_obj(table::ACTORS)?;
        match self.doc.get(&tbl, actor_hex) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                automerge::ScalarValue::Str(t) => MemberId::parse(t),
                _ => None,
            },
            _ => None,
        }
    }

    /// Every actor id (hex) recorded in the book with the member it belongs to: the audit
    /// trail of who wrote each change.
    pub fn actors(&self) -> Vec<(String, MemberId)> {
        let Some(tbl) = self.table_obj(table::ACTORS) else {
            return Vec::new();
        };
        self.doc
            .map_range(&tbl, ..)
            .filter_map(|item| match &item.value {
                automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) => {
                    MemberId::parse(s).map(|m| (item.key.to_string(), m))
                }
                _ => None,
            })
            .collect()
    }

    // ----- households ---------------------------------------------------------------------

    /// All households including tombstoned ones, by id.
    pub fn households(&self) -> Vec<(String, Household)> {
        self.read_all(table::HOUSEHOLDS)
    }

    /// One household (live or not).
    pub fn household(&self, id: &str) -> Result<Option<Household>, BookError> {
        self.read(table::HOUSEHOLDS, id)
    }

    /// Adds a household (with its people) under a new id; stamps it with this member and
    /// now, and its survey (`surveyed_on`/`surveyed_by`) with today (WIB) and this member
    /// when the caller gave no date. Commit afterwards. Returns the id.
    ///
    /// # Errors
    /// [`BookError::DuplicateKk`] when a live household already has its KK number;
    /// [`BookError::ConsentMissing`] for specific personal data without consent; write
    /// errors.
    pub fn add_household(&mut self, mut h: Household) -> Result<String, BookError> {
        if h.surveyed_on.is_empty() {
            // Surveyed today (WIB) by this member, unless the caller knows better (a paper
            // form entered later).
            h.surveyed_on = crate::rules::wib_date(self.now()).to_string();
            if h.surveyed_by.is_empty() {
                h.surveyed_by = self.member_id().to_string();
            }
        }
        if let Some(kk) = &h.no_kk
            && let Some(e) = self
                .household_index()
                .entries()
                .iter()
                .find(|e| e.no_kk == kk.as_str())
        {
            return Err(BookError::DuplicateKk {
                no_kk: kk.clone(),
                household_id: e.id.clone(),
                kepala: e.kepala_keluarga.clone(),
            });
        }
        self.insert_household(h)
    }

    /// Adds a household with no check of its KK number against the book (imports, which
    /// match rows to households themselves).
    pub(crate) fn insert_household(&mut self, mut h: Household) -> Result<String, BookError> {
        crate::privacy::check_household_consent(None, &h)?;
        let id = new_id();
        let (by, at) = self.stamp();
        stamp_new(&mut h.created_by, &mut h.created_at, &by, at);
        h.updated_by.clone_from(&h.created_by);
        h.updated_at.clone_from(&h.created_at);
        for p in h.anggota.values_mut() {
            stamp_new(&mut p.created_by, &mut p.created_at, &by, at);
            p.updated_by.clone_from(&p.created_by);
            p.updated_at.clone_from(&p.created_at);
        }
        self.insert(table::HOUSEHOLDS, &id, &h)?;
        Ok(id)
    }

    /// Saves a person's edit of a household: writes only the fields where `edited` differs
    /// from `original` (the version the form was opened with), so concurrent edits of other
    /// fields and open conflicts survive. Returns how many fields were written.
    pub fn save_household(
        &mut self,
        id: &str,
        original: &Household,
        edited: &Household,
    ) -> Result<usize, BookError> {
        let heads = self.heads();
        let (by, at) = self.stamp();
        let mut edited = edited.clone();
        for (pid, p) in edited.anggota.iter_mut() {
            match original.anggota.get(pid) {
                Some(before) if before == p => {}
                Some(before) => {
                    // A person removed in this edit: the tombstone says who and when,
                    // whatever the form put in it (a screen keeps only the reason).
                    if before.deleted.is_none()
                        && let Some(t) = p.deleted.as_mut()
                    {
                        t.by.clone_from(&by);
                        t.at.clone_from(&at);
                        t.heads.clone_from(&heads);
                    }
                    p.updated_by.clone_from(&by);
                    p.updated_at.clone_from(&at);
                }
                None => {
                    stamp_new(&mut p.created_by, &mut p.created_at, &by, at);
                    p.updated_by.clone_from(&by);
                    p.updated_at.clone_from(&at);
                }
            }
        }
        if &edited == original {
            return Ok(0);
        }
        crate::privacy::check_household_consent(Some(original), &edited)?;
        edited.updated_by = by;
        edited.updated_at = at;
        self.update(table::HOUSEHOLDS, id, original, &edited)
    }

    /// Edits a household in place: reads it, applies `f`, saves the difference.
    pub fn edit_household(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut Household),
    ) -> Result<usize, BookError> {
        let original = self.household(id)?.ok_or_else(|| BookError::NotFound {
            kind: "household",
            id: id.to_string(),
        })?;
        let mut edited = original.clone();
        f(&mut edited);
        self.save_household(id, &original, &edited)
    }

    // ----- PMKS -----------------------------------------------------------------------------

    /// All PMKS identifications, by id.
    pub fn pmks(&self) -> Vec<(String, Pmks)> {
        self.read_all(table::PMKS)
    }

    /// One PMKS identification.
    pub fn pmks_record(&self, id: &str) -> Result<Option<Pmks>, BookError> {
        self.read(table::PMKS, id)
    }

    /// Adds a PMKS identification; returns its id. Commit afterwards.
    pub fn add_pmks(&mut self, p: Pmks) -> Result<String, BookError> {
        self.check_pmks_consent(&p)?;
        self.add_stamped(table::PMKS, p)
    }

    /// Saves the changed fields of a PMKS identification (see [`Book::save_household`]).
    pub fn save_pmks(
        &mut self,
        id: &str,
        original: &Pmks,
        edited: &Pmks,
    ) -> Result<usize, BookError> {
        if edited == original {
            return Ok(0);
        }
        if edited.kode != original.kode {
            self.check_pmks_consent(edited)?;
        }
        self.save_stamped(table::PMKS, id, original, edited)
    }

    /// PMKS codes 16 and 17 are health data: the household must have recorded consent.
    fn check_pmks_consent(&self, p: &Pmks) -> Result<(), BookError> {
        if !crate::privacy::SENSITIVE_PMKS_CODES.contains(&p.kode.code()) {
            return Ok(());
        }
        match self.household(&p.household_id)? {
            Some(h) if crate::privacy::has_consent(&h) => Ok(()),
            _ => Err(BookError::ConsentMissing {
                field: "kode".into(),
            }),
        }
    }

    // ----- donors ---------------------------------------------------------------------------

    /// All donors, by id.
    pub fn donors(&self) -> Vec<(String, Donor)> {
        self.read_all(table::DONORS)
    }

    /// One donor.
    pub fn donor(&self, id: &str) -> Result<Option<Donor>, BookError> {
        self.read(table::DONORS, id)
    }

    /// Adds a donor; returns its id. Commit afterwards.
    pub(crate) fn add_donor(&mut self, d: Donor) -> Result<String, BookError> {
        self.add_stamped(table::DONORS, d)
    }

    /// Saves the changed fields of a donor.
    pub fn save_donor(
        &mut self,
        id: &str,
        original: &Donor,
        edited: &Donor,
    ) -> Result<usize, BookError> {
        self.save_stamped(table::DONORS, id, original, edited)
    }

    // ----- receipts and voids ---------------------------------------------------------------

    /// All receipts, by id.
    pub fn receipts(&self) -> Vec<(String, Receipt)> {
        self.read_all(table::RECEIPTS)
    }

    /// All voids, keyed by the voided receipt's id.
    pub fn voids(&self) -> Vec<(String, Void)> {
        self.read_all(table::VOIDS)
    }

    pub(crate) fn insert_receipt(&mut self, id: &str, r: &Receipt) -> Result<(), BookError> {
        self.insert(table::RECEIPTS, id, r)
    }

    pub(crate) fn insert_void(&mut self, receipt_id: &str, v: &Void) -> Result<(), BookError> {
        self.insert(table::VOIDS, receipt_id, v)
    }

    /// Reserves `n` receipt sequence numbers of this device, durably, before any of them is
    /// used: after a crash the sequence continues past them (gaps, never repeats).
    /// Returns the first reserved number (numbers start at 1).
    ///
    /// The sequence is the largest of the stored one (device blob `receipt_seq`), the one
    /// this session already reached, and one past the highest number this device has
    /// issued in the document. So a blob that is missing, damaged, rolled back to an older
    /// copy or otherwise behind never gives a number twice: it is only logged.
    ///
    /// # Errors
    /// [`BookError::Storage`] when the new reservation cannot be written (nothing issued).
    pub(crate) fn reserve_receipt_seq(&mut self, n: u64) -> Result<u64, BookError> {
        let stored = match self.read_device_blob(blob::RECEIPT_SEQ) {
            Ok(Some(b)) => {
                let parsed = std::str::from_utf8(&b)
                    .ok()
                    .and_then(|s| s.trim().parse::<u64>().ok());
                if parsed.is_none() {
                    tracing::warn!(
                        "the receipt sequence blob is unreadable; recovering it from the book"
                    );
                }
                parsed
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "the receipt sequence blob is unusable; recovering it from the book");
                None
            }
        };
        let from_doc = self.highest_own_receipt_seq().saturating_add(1);
        let current = stored.unwrap_or(1).max(from_doc).max(self.mem_seq);
        if stored.is_some_and(|s| s < current) {
            tracing::warn!(
                stored = ?stored,
                recovered = current,
                "the receipt sequence blob was behind; continuing after the highest number issued"
            );
        }
        let next = current.saturating_add(n);
        self.write_device_blob(blob::RECEIPT_SEQ, next.to_string().as_bytes())?;
        self.mem_seq = next;
        Ok(current)
    }

    /// The highest receipt sequence number this device (its member id) has issued in the
    /// document, 0 if none. Reads only the `nomor` and `created_by` fields.
    pub(crate) fn highest_own_receipt_seq(&self) -> u64 {
        let Some(tbl) = self.table_obj(table::RECEIPTS) else {
            return 0;
        };
        let me = self.device.member_id.as_str();
        let text = |obj: &ObjId, key: &str| match self.doc.get(obj, key) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                automerge::ScalarValue::Str(t) => Some(t.to_string()),
                _ => None,
            },
            _ => None,
        };
        let mut highest = 0;
        for item in self.doc.map_range(&tbl, ..) {
            let automerge::ValueRef::Object(ObjType::Map) = item.value else {
                continue;
            };
            let obj = item.id();
            if text(&obj, "created_by").as_deref() != Some(me) {
                continue;
            }
            if let Some(nomor) = text(&obj, "nomor")
                && let Some((_, _, seq)) = crate::receipts::parse_receipt_number(&nomor)
            {
                highest = highest.max(seq);
            }
        }
        highest
    }

    // ----- disbursements and meetings --------------------------------------------------------

    /// All disbursements (santunan), by id.
    pub fn disbursements(&self) -> Vec<(String, Disbursement)> {
        self.read_all(table::DISBURSEMENTS)
    }

    /// Adds a disbursement as given (imports); returns its id. Commit afterwards. Screens
    /// and the CLI record santunan with [`Book::add_santunan`], which holds the rules.
    pub(crate) fn add_disbursement(&mut self, d: Disbursement) -> Result<String, BookError> {
        self.add_stamped(table::DISBURSEMENTS, d)
    }

    /// All meetings, by id.
    pub fn meetings(&self) -> Vec<(String, Meeting)> {
        self.read_all(table::MEETINGS)
    }

    /// Adds a meeting record; returns its id. Commit afterwards.
    pub fn add_meeting(&mut self, mut m: Meeting) -> Result<String, BookError> {
        let id = new_id();
        let (by, at) = self.stamp();
        stamp_new(&mut m.created_by, &mut m.created_at, &by, at);
        self.insert(table::MEETINGS, &id, &m)?;
        Ok(id)
    }
}

/// A record with the four bookkeeping stamps (who and when, first and last written).
pub(crate) trait Stamped {
    /// `(created_by, created_at, updated_by, updated_at)`.
    fn stamps_mut(
        &mut self,
    ) -> (
        &mut String,
        &mut DateTime<Utc>,
        &mut String,
        &mut DateTime<Utc>,
    );
}

macro_rules! stamped {
    ($($ty:ty),*) => {$(
        impl Stamped for $ty {
            fn stamps_mut(&mut self) -> (&mut String, &mut DateTime<Utc>, &mut String, &mut DateTime<Utc>) {
                (&mut self.created_by, &mut self.created_at, &mut self.updated_by, &mut self.updated_at)
            }
        }
    )*};
}
stamped!(Pmks, Donor, Disbursement);

impl Book {
    /// Inserts a new record under a new id, stamped with this member and now (stamps
    /// already filled, e.g. by an import of the paper book, are kept). Commit afterwards.
    fn add_stamped<T: Reconcile + Stamped>(
        &mut self,
        t: &'static str,
        mut rec: T,
    ) -> Result<String, BookError> {
        let id = new_id();
        let (by, at) = self.stamp();
        let (cb, ca, ub, ua) = rec.stamps_mut();
        stamp_new(cb, ca, &by, at);
        ub.clone_from(cb);
        ua.clone_from(ca);
        self.insert(t, &id, &rec)?;
        Ok(id)
    }

    /// Writes the fields where `edited` differs from `original`, with fresh `updated_*`
    /// stamps; nothing when they are equal. Returns how many fields were written.
    pub(crate) fn save_stamped<T: FieldWise + Stamped + Clone + PartialEq>(
        &mut self,
        t: &'static str,
        id: &str,
        original: &T,
        edited: &T,
    ) -> Result<usize, BookError> {
        if edited == original {
            return Ok(0);
        }
        let (by, at) = self.stamp();
        let mut edited = edited.clone();
        let (_, _, ub, ua) = edited.stamps_mut();
        *ub = by;
        *ua = at;
        self.update(t, id, original, &edited)
    }
}

/// Stamps a new record with `me` and `now` where the caller left the stamps unset (an
/// import keeps the paper book's time).
fn stamp_new(by: &mut String, at: &mut DateTime<Utc>, me: &str, now: DateTime<Utc>) {
    if by.is_empty() {
        *by = me.to_string();
    }
    if *at == crate::stored::unset() {
        *at = now;
    }
}

/// Loads the chunks of `loaded` into `doc`; returns warnings for chunks that do not load
/// and for edits that cannot be applied because changes they build on are missing (from
/// a damaged or missing chunk), naming the chunk files that hold them.
fn load_chunks(doc: &mut AutoCommit, loaded: &crate::storage::Loaded) -> Vec<String> {
    let mut warnings = Vec::new();
    let mut held_back = Vec::new();
    for (i, chunk) in loaded.chunks.iter().enumerate() {
        let file = loaded
            .chunk_files
            .get(i)
            .map_or_else(|| format!("#{i}"), |p| p.display().to_string());
        let before = doc.get_heads();
        if let Err(e) = doc.load_incremental(chunk) {
            warnings.push(format!("skipped unreadable change chunk {file}: {e}"));
            continue;
        }
        if !chunk.is_empty() && doc.get_heads() == before && !doc.get_missing_deps(&[]).is_empty() {
            held_back.push(file);
        }
    }
    let missing = doc.get_missing_deps(&[]);
    if !missing.is_empty() {
        let files = if held_back.is_empty() {
            "later chunks".to_string()
        } else {
            held_back.join(", ")
        };
        warnings.push(format!(
            "the edits in {files} are unavailable: they build on {} change(s) missing from this device (lost with a damaged or missing chunk above). They appear once a device that still has those changes syncs; until then the chunk files are kept and the book is not compacted",
            missing.len()
        ));
    }
    warnings
}

fn warning_text(w: &StorageWarning) -> String {
    w.to_string()
}
