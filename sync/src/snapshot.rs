//! A newcomer downloads the book's snapshot on `rukun/snapshot/1`: resumable and verified.
//!
//! Why: a new device used to get the book change by change in one sync message (5.2 MB for a
//! kelurahan), which Automerge applies in ~1.5 s and which a cut link loses whole. Loading the
//! same history as one compacted document takes ~0.9 s, and a file can be sent in pieces and
//! continued where it stopped. So a newcomer first fetches the inviter's snapshot, then syncs
//! on `rukun/sync/1` whatever was written after it (BENCHMARKS.md, "A newcomer gets the
//! book").
//!
//! The exchange, one bidirectional stream per attempt:
//! 1. The newcomer sends `SnapshotRequest {protocol_version, group_id, resume}`; `resume` names
//!    the hash and length of what a cut attempt already brought.
//! 2. The member answers `SnapshotOffer {hash, size, offset}` (`offset` is the resume offset
//!    when it still holds that snapshot, else 0), then `SnapshotChunk` frames of at most
//!    256 KiB from `offset` to the end, and finishes the stream.
//! 3. The newcomer checks the BLAKE3 hash of the whole file before loading it.
//!
//! Only devices the book lists as members (not revoked) are served: the invite has made the
//! newcomer one just before. The newcomer dials only the inviter the invite names.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use iroh::endpoint::{Connection, RecvStream};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointAddr};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::frame::{
    Frame, FrameDecoder, MAX_SNAPSHOT_CHUNK, PROTOCOL_VERSION, Refuse, RefuseCode, SnapshotOffer,
    SnapshotRequest, SnapshotResume,
};
use crate::net::{CLOSE_DONE, CLOSE_ERROR, CLOSE_REFUSED, refusal_for, refusal_from_close};
use crate::replica::{PeerId, Replica};
use crate::session::{Event, Progress, SLOWEST_LINK};

/// ALPN of the snapshot download.
pub const SNAPSHOT_ALPN: &[u8] = b"rukun/snapshot/1";

/// Largest snapshot a newcomer accepts: 1 GiB (a kelurahan's book is ~5 MB). Bytes are held
/// only as they arrive, so a peer cannot make us allocate by declaring a size.
pub const MAX_SNAPSHOT: u64 = 1 << 30;

/// No byte for this long ends an attempt (a link that keeps moving bytes never times out).
const IDLE: Duration = Duration::from_secs(30);

/// A snapshot download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The member could not be reached on [`SNAPSHOT_ALPN`] (also: an older app without it).
    #[error("could not reach the member for the snapshot: {0}")]
    Connect(String),
    /// The member refused (not a member yet, revoked, another group).
    #[error("snapshot refused: {0}")]
    Refused(String),
    /// The member broke the protocol.
    #[error("snapshot protocol error: {0}")]
    Protocol(String),
    /// The link was cut or went quiet; what arrived is kept for the next attempt.
    #[error("snapshot download cut at {received} of {size} bytes: {detail}")]
    Cut {
        /// Bytes held now.
        received: u64,
        /// Bytes of the whole snapshot (0 when the offer never arrived).
        size: u64,
        /// What the transport said.
        detail: String,
    },
    /// The whole file arrived but its hash is not the one offered (it is dropped).
    #[error("the downloaded snapshot does not match its hash; it was dropped")]
    HashMismatch,
    /// The member offered more than [`MAX_SNAPSHOT`] bytes.
    #[error("the member offered a snapshot of {size} bytes, more than the limit of {max}")]
    TooLarge {
        /// Bytes offered.
        size: u64,
        /// [`MAX_SNAPSHOT`].
        max: u64,
    },
    /// The book's lock was poisoned by a panic elsewhere, or the snapshot could not be made.
    #[error("the book is unavailable: {0}")]
    Replica(String),
}

/// What has arrived of one snapshot: kept across attempts so that a cut download continues
/// where it stopped.
#[derive(Debug, Clone, Default)]
pub struct PartialSnapshot {
    hash: Option<[u8; 32]>,
    size: u64,
    bytes: Vec<u8>,
    /// Every byte arrived and the whole matches `hash` (hashed once, when the last arrived).
    complete: bool,
}

impl PartialSnapshot {
    /// Nothing received yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A download saved earlier: the first bytes of the snapshot whose whole is `size` bytes
    /// with BLAKE3 hash `hash` (as [`PartialSnapshot::hash`] and [`PartialSnapshot::bytes`]
    /// gave them). The next [`fetch_snapshot`] asks only for the rest.
    pub fn resume_from(hash: [u8; 32], size: u64, bytes: Vec<u8>) -> Self {
        let mut p = Self {
            hash: Some(hash),
            size,
            bytes,
            complete: false,
        };
        if p.received() > size {
            p = Self::new();
        }
        p.check();
        p
    }

    /// BLAKE3 hash of the whole snapshot, once an offer arrived.
    pub fn hash(&self) -> Option<[u8; 32]> {
        self.hash
    }

    /// The bytes held so far (the start of the snapshot).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bytes held.
    pub fn received(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Bytes of the whole snapshot, once an offer arrived (else 0).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Whether every byte arrived and the whole matches the offered hash.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Hashes the bytes once all have arrived.
    fn check(&mut self) {
        self.complete = self.hash.is_some_and(|h| {
            self.bytes.len() as u64 == self.size && *blake3::hash(&self.bytes).as_bytes() == h
        });
    }

    /// The verified file.
    ///
    /// # Errors
    /// [`SnapshotError::HashMismatch`] (and the bytes are dropped) when it is not complete.
    pub fn into_verified(self) -> Result<Vec<u8>, SnapshotError> {
        if self.is_complete() {
            Ok(self.bytes)
        } else {
            Err(SnapshotError::HashMismatch)
        }
    }

    fn resume(&self) -> Option<SnapshotResume> {
        match self.hash {
            Some(h) if !self.bytes.is_empty() => Some(SnapshotResume {
                hash: data_encoding::HEXLOWER.encode(&h),
                offset: self.received(),
            }),
            _ => None,
        }
    }

    /// Takes an offer: keeps what was received when it continues the same file, else starts
    /// over.
    fn take_offer(&mut self, offer: &SnapshotOffer) -> Result<(), SnapshotError> {
        if offer.size > MAX_SNAPSHOT {
            return Err(SnapshotError::TooLarge {
                size: offer.size,
                max: MAX_SNAPSHOT,
            });
        }
        let hash = parse_hash(&offer.hash).ok_or_else(|| {
            SnapshotError::Protocol("the offer's hash is not 32 bytes of hex".into())
        })?;
        if self.hash != Some(hash) || self.size != offer.size {
            self.hash = Some(hash);
            self.size = offer.size;
            self.bytes = Vec::new();
            self.complete = false;
        }
        if offer.offset != self.received() {
            if offer.offset != 0 {
                return Err(SnapshotError::Protocol(format!(
                    "the member continues at byte {} but {} are held",
                    offer.offset,
                    self.received()
                )));
            }
            self.bytes = Vec::new();
        }
        // Nothing more to come (an empty file, or all of it held already).
        self.check();
        Ok(())
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), SnapshotError> {
        if self.received() + chunk.len() as u64 > self.size {
            return Err(SnapshotError::Protocol(
                "the member sent more bytes than it offered".into(),
            ));
        }
        self.bytes.extend_from_slice(chunk);
        if self.received() == self.size {
            self.check();
        }
        Ok(())
    }
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    let v = data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex.as_bytes())
        .ok()?;
    <[u8; 32]>::try_from(v.as_slice()).ok()
}

/// A snapshot a member serves: the document file and its hash.
#[derive(Debug)]
struct Snapshot {
    /// Heads fingerprint of the document it was saved from.
    key: Vec<u8>,
    bytes: Vec<u8>,
    hash: [u8; 32],
}

impl Snapshot {
    fn hash_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.hash)
    }
}

#[derive(Debug, Default)]
struct CacheInner {
    current: Option<Arc<Snapshot>>,
    /// The one before, kept so that a download cut just before a refresh can still resume.
    previous: Option<Arc<Snapshot>>,
    refreshing: bool,
}

/// The snapshots a member serves, saved off the request path: a newcomer gets the newest one
/// at once even if a few changes are missing from it (the sync after it brings them), and a
/// fresh one is saved in the background for the next newcomer.
#[derive(Debug, Clone, Default)]
pub(crate) struct SnapshotCache(Arc<Mutex<CacheInner>>);

impl SnapshotCache {
    fn get(&self, resume: Option<&SnapshotResume>) -> Option<Arc<Snapshot>> {
        let inner = self.0.lock().ok()?;
        if let Some(r) = resume {
            for s in [&inner.current, &inner.previous].into_iter().flatten() {
                if s.hash_hex().eq_ignore_ascii_case(&r.hash) {
                    return Some(s.clone());
                }
            }
        }
        inner.current.clone()
    }

    /// Saves the document now (blocking: call it on a blocking thread) unless the newest
    /// snapshot is of the same heads.
    fn refresh_now<R: Replica + ?Sized>(
        &self,
        replica: &Mutex<R>,
    ) -> Result<Arc<Snapshot>, SnapshotError> {
        let unavailable = || SnapshotError::Replica("another task panicked while using it".into());
        let (key, bytes) = {
            let mut guard = replica.lock().map_err(|_| unavailable())?;
            let key = guard.heads_key();
            if let Some(s) = self.0.lock().ok().and_then(|c| c.current.clone())
                && s.key == key
            {
                return Ok(s);
            }
            let bytes = guard
                .save_snapshot()
                .map_err(|e| SnapshotError::Replica(e.to_string()))?;
            (key, bytes)
        };
        let snapshot = Arc::new(Snapshot {
            key,
            hash: *blake3::hash(&bytes).as_bytes(),
            bytes,
        });
        let mut inner = self.0.lock().map_err(|_| unavailable())?;
        inner.previous = inner.current.replace(snapshot.clone());
        Ok(snapshot)
    }

    /// Saves a fresh snapshot on a blocking thread after `delay`, unless one is being saved
    /// already.
    pub(crate) fn refresh_in_background<R>(&self, replica: Arc<Mutex<R>>, delay: Duration)
    where
        R: Replica + Send + ?Sized + 'static,
    {
        {
            let Ok(mut inner) = self.0.lock() else { return };
            if inner.refreshing {
                return;
            }
            inner.refreshing = true;
        }
        let cache = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let saved = tokio::task::spawn_blocking(move || {
                if let Err(e) = cache.refresh_now(&replica) {
                    tracing::warn!(error = %e, "could not save the book's snapshot");
                }
                if let Ok(mut inner) = cache.0.lock() {
                    inner.refreshing = false;
                }
            });
            let _ = saved.await;
        });
    }
}

/// How long after serving a snapshot a member waits before saving a fresher one for the
/// next newcomer (the one just served syncs what came after its snapshot meanwhile).
const REFRESH_AFTER_SERVING: Duration = Duration::from_secs(5);

/// [`ProtocolHandler`] for [`SNAPSHOT_ALPN`], to register on an iroh `Router`.
pub struct SnapshotHandler<R: ?Sized> {
    replica: Arc<Mutex<R>>,
    cache: SnapshotCache,
}

impl<R: ?Sized> std::fmt::Debug for SnapshotHandler<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotHandler").finish_non_exhaustive()
    }
}

impl<R> SnapshotHandler<R>
where
    R: Replica + Send + ?Sized + 'static,
{
    /// A handler serving `replica`'s snapshot. It starts saving one in the background at once
    /// (call it inside a tokio runtime), so that the first newcomer does not wait for it.
    pub fn new(replica: Arc<Mutex<R>>) -> Self {
        let cache = SnapshotCache::default();
        cache.refresh_in_background(replica.clone(), Duration::ZERO);
        Self { replica, cache }
    }
}

impl<R> ProtocolHandler for SnapshotHandler<R>
where
    R: Replica + Send + ?Sized + 'static,
{
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        let peer: PeerId = *connection.remote_id().as_bytes();
        let status = match self.replica.lock() {
            Ok(g) => g.peer_status(&peer),
            Err(_) => {
                connection.close(CLOSE_ERROR.into(), b"internal error");
                return Ok(());
            }
        };
        if let Some(reason) = refusal_for(status) {
            // Nothing of the book for a stranger, not even the group id.
            connection.close(CLOSE_REFUSED.into(), reason.as_bytes());
            return Ok(());
        }
        let result = serve_connection(&connection, &self.replica, &self.cache).await;
        match &result {
            Ok(()) => {
                // The newcomer closes once it has read everything.
                let _ = tokio::time::timeout(IDLE, connection.closed()).await;
            }
            Err(ServeError::Refused(r)) => {
                connection.close(CLOSE_REFUSED.into(), r.reason.as_bytes());
            }
            Err(ServeError::Failed(e)) => {
                tracing::info!(error = %e, "snapshot download did not finish");
                connection.close(CLOSE_ERROR.into(), e.to_string().as_bytes());
            }
        }
        // A newcomer got a snapshot that misses the newest changes: save a fresh one for
        // the next.
        let stale = self
            .replica
            .lock()
            .ok()
            .map(|mut g| g.heads_key())
            .zip(self.cache.get(None))
            .is_some_and(|(key, s)| s.key != key);
        if stale {
            // Not at once: the newcomer is loading the snapshot and syncs what came after it
            // next; saving the whole book now would hold the book and the CPU it needs.
            self.cache
                .refresh_in_background(self.replica.clone(), REFRESH_AFTER_SERVING);
        }
        Ok(())
    }
}

enum ServeError {
    Refused(Refuse),
    Failed(SnapshotError),
}

async fn serve_connection<R>(
    conn: &Connection,
    replica: &Arc<Mutex<R>>,
    cache: &SnapshotCache,
) -> Result<(), ServeError>
where
    R: Replica + Send + ?Sized + 'static,
{
    let failed = |e: String| {
        ServeError::Failed(SnapshotError::Cut {
            received: 0,
            size: 0,
            detail: e,
        })
    };
    let (mut send, mut recv) = tokio::time::timeout(IDLE, conn.accept_bi())
        .await
        .map_err(|_| failed("no stream opened".into()))?
        .map_err(|e| failed(e.to_string()))?;
    let group = replica
        .lock()
        .map_err(|_| ServeError::Failed(SnapshotError::Replica("poisoned".into())))?
        .group_id();
    let pick = |resume: Option<&SnapshotResume>| match cache.get(resume) {
        Some(s) => Ok(s),
        None => cache.refresh_now(replica.as_ref()),
    };
    let result = serve(&mut send, &mut recv, &group, pick).await;
    if let Err(ServeError::Refused(r)) = &result
        && let Ok(bytes) = Frame::Refuse(r.clone()).encode()
    {
        let _ = send.write_all(&bytes).await;
        let _ = send.finish();
        let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
    } else {
        let _ = send.finish();
    }
    result
}

/// Answers one request read from `recv` with the snapshot `pick` chooses for its resume
/// point (the one asked for if still held, else the newest): the offer and the chunks,
/// written to `send`.
async fn serve<W, Rd, F>(
    send: &mut W,
    recv: &mut Rd,
    group: &str,
    pick: F,
) -> Result<(), ServeError>
where
    W: AsyncWrite + Unpin,
    Rd: AsyncRead + Unpin,
    F: FnOnce(Option<&SnapshotResume>) -> Result<Arc<Snapshot>, SnapshotError>,
{
    let request = match FrameReader::new(recv).next().await {
        Ok(Some(Frame::SnapshotRequest(r))) => r,
        Ok(Some(other)) => {
            return Err(ServeError::Refused(Refuse::new(
                RefuseCode::ProtocolError,
                format!("unexpected {} frame", other.kind()),
            )));
        }
        Ok(None) => {
            return Err(ServeError::Failed(SnapshotError::Protocol(
                "the stream ended without a request".into(),
            )));
        }
        Err(e) => return Err(ServeError::Failed(e)),
    };
    if request.protocol_version != PROTOCOL_VERSION {
        return Err(ServeError::Refused(Refuse::new(
            RefuseCode::ProtocolVersion,
            format!(
                "different protocol versions (this device {PROTOCOL_VERSION}, yours {}): update the app",
                request.protocol_version
            ),
        )));
    }
    if request.group_id != group {
        return Err(ServeError::Refused(Refuse::new(
            RefuseCode::DifferentGroup,
            "this device holds the book of another group",
        )));
    }
    let snapshot = pick(request.resume.as_ref()).map_err(ServeError::Failed)?;
    let offset = match &request.resume {
        Some(r) if r.hash.eq_ignore_ascii_case(&snapshot.hash_hex()) => {
            r.offset.min(snapshot.bytes.len() as u64)
        }
        _ => 0,
    };
    send_snapshot(send, &snapshot.bytes, &snapshot.hash_hex(), offset)
        .await
        .map_err(ServeError::Failed)
}

/// Writes the offer of `bytes` (hash `hash`) and its chunks from `offset`.
async fn send_snapshot<W: AsyncWrite + Unpin>(
    send: &mut W,
    bytes: &[u8],
    hash: &str,
    offset: u64,
) -> Result<(), SnapshotError> {
    let size = bytes.len() as u64;
    let cut = |sent: u64, e: String| SnapshotError::Cut {
        received: sent,
        size,
        detail: e,
    };
    let offer = Frame::SnapshotOffer(SnapshotOffer {
        hash: hash.to_owned(),
        size,
        offset,
    })
    .encode()
    .map_err(|e| SnapshotError::Protocol(e.to_string()))?;
    send.write_all(&offer)
        .await
        .map_err(|e| cut(offset, e.to_string()))?;
    // One chunk must drain within the time the slowest link we allow needs for it.
    let per_chunk = IDLE + Duration::from_secs((MAX_SNAPSHOT_CHUNK as u64).div_ceil(SLOWEST_LINK));
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let mut sent = offset;
    for chunk in bytes[start..].chunks(MAX_SNAPSHOT_CHUNK) {
        let frame = Frame::SnapshotChunk(chunk.to_vec())
            .encode()
            .map_err(|e| SnapshotError::Protocol(e.to_string()))?;
        match tokio::time::timeout(per_chunk, send.write_all(&frame)).await {
            Ok(Ok(())) => sent += chunk.len() as u64,
            Ok(Err(e)) => return Err(cut(sent, e.to_string())),
            Err(_) => return Err(cut(sent, "the newcomer stopped reading".into())),
        }
    }
    send.flush().await.map_err(|e| cut(sent, e.to_string()))
}

/// Frames from a byte stream, one at a time.
struct FrameReader<'a, Rd> {
    reader: &'a mut Rd,
    decoder: FrameDecoder,
    queue: std::collections::VecDeque<Frame>,
    buf: Vec<u8>,
}

impl<'a, Rd: AsyncRead + Unpin> FrameReader<'a, Rd> {
    fn new(reader: &'a mut Rd) -> Self {
        Self {
            reader,
            decoder: FrameDecoder::new(MAX_SNAPSHOT_CHUNK),
            queue: Default::default(),
            buf: vec![0u8; 16 * 1024],
        }
    }

    /// The next frame, `Ok(None)` at the end of the stream, or an error after [`IDLE`]
    /// without a byte (as `Cut` with zero counts: the caller fills them in).
    async fn next(&mut self) -> Result<Option<Frame>, SnapshotError> {
        let cut = |detail: String| SnapshotError::Cut {
            received: 0,
            size: 0,
            detail,
        };
        loop {
            if let Some(f) = self.queue.pop_front() {
                return Ok(Some(f));
            }
            let n = match tokio::time::timeout(IDLE, self.reader.read(&mut self.buf)).await {
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(cut(e.to_string())),
                Err(_) => return Err(cut(format!("no data for {}s", IDLE.as_secs()))),
            };
            if n == 0 {
                return Ok(None);
            }
            let frames = self
                .decoder
                .push(&self.buf[..n])
                .map_err(|e| SnapshotError::Protocol(e.to_string()))?;
            self.queue.extend(frames);
        }
    }
}

/// The next frame of a member's answer; the end of the stream (`ended` says where) and
/// transport errors become [`SnapshotError::Cut`] with what `partial` holds.
async fn next_frame<Rd: AsyncRead + Unpin>(
    frames: &mut FrameReader<'_, Rd>,
    partial: &PartialSnapshot,
    ended: &str,
) -> Result<Frame, SnapshotError> {
    let cut = |detail: String| SnapshotError::Cut {
        received: partial.received(),
        size: partial.size(),
        detail,
    };
    match frames.next().await {
        Ok(Some(Frame::Refuse(r))) => Err(SnapshotError::Refused(r.reason)),
        Ok(Some(f)) => Ok(f),
        Ok(None) => Err(cut(format!("the stream ended {ended}"))),
        Err(SnapshotError::Cut { detail, .. }) => Err(cut(detail)),
        Err(e) => Err(e),
    }
}

fn unexpected(f: &Frame) -> SnapshotError {
    SnapshotError::Protocol(format!("unexpected {} frame", f.kind()))
}

/// Reads one member's answer into `partial`: the offer, then chunks to the end.
async fn receive_snapshot<Rd: AsyncRead + Unpin>(
    recv: &mut Rd,
    partial: &mut PartialSnapshot,
    progress: &mut impl FnMut(Event),
) -> Result<(), SnapshotError> {
    let mut frames = FrameReader::new(recv);
    match next_frame(&mut frames, partial, "before the offer").await? {
        Frame::SnapshotOffer(offer) => partial.take_offer(&offer)?,
        other => return Err(unexpected(&other)),
    }
    let mut bytes_received = 0u64;
    while partial.received() < partial.size() {
        match next_frame(&mut frames, partial, "inside the snapshot").await? {
            Frame::SnapshotChunk(chunk) => {
                partial.push(&chunk)?;
                bytes_received += chunk.len() as u64;
                progress(Event::Progress(Progress {
                    bytes_received,
                    incoming_received: partial.received(),
                    incoming_expected: partial.size(),
                    ..Progress::default()
                }));
            }
            other => return Err(unexpected(&other)),
        }
    }
    if partial.is_complete() {
        Ok(())
    } else {
        *partial = PartialSnapshot::new();
        Err(SnapshotError::HashMismatch)
    }
}

/// Writes the request for the snapshot of `group_id`, continuing `partial`.
async fn request_snapshot<W: AsyncWrite + Unpin>(
    send: &mut W,
    group_id: &str,
    partial: &PartialSnapshot,
) -> Result<(), SnapshotError> {
    let request = Frame::SnapshotRequest(SnapshotRequest {
        protocol_version: PROTOCOL_VERSION,
        group_id: group_id.to_owned(),
        resume: partial.resume(),
    })
    .encode()
    .map_err(|e| SnapshotError::Protocol(e.to_string()))?;
    send.write_all(&request)
        .await
        .map_err(|e| SnapshotError::Cut {
            received: partial.received(),
            size: partial.size(),
            detail: e.to_string(),
        })
}

/// One attempt to download the snapshot of `group_id` from the member `addr` into
/// `partial`, continuing what an earlier attempt brought. `progress` sees the bytes as they
/// arrive (as [`Event::Progress`], `incoming_received` of `incoming_expected`).
///
/// # Errors
/// [`SnapshotError::Cut`] keeps what arrived in `partial`: call again to continue;
/// [`SnapshotError::Connect`] when the member cannot be reached on [`SNAPSHOT_ALPN`] (an
/// older app: sync the whole book instead); refusals, protocol errors, a hash mismatch.
pub async fn fetch_snapshot(
    endpoint: &Endpoint,
    addr: EndpointAddr,
    group_id: &str,
    partial: &mut PartialSnapshot,
    mut progress: impl FnMut(Event),
) -> Result<(), SnapshotError> {
    let conn = tokio::time::timeout(IDLE, endpoint.connect(addr, SNAPSHOT_ALPN))
        .await
        .map_err(|_| SnapshotError::Connect(format!("no answer within {}s", IDLE.as_secs())))?
        .map_err(|e| SnapshotError::Connect(e.to_string()))?;
    let result = fetch_on(&conn, group_id, partial, &mut progress).await;
    let result = match result {
        Err(SnapshotError::Cut { .. }) if refusal_from_close(&conn).is_some() => Err(
            SnapshotError::Refused(refusal_from_close(&conn).unwrap_or_default()),
        ),
        other => other,
    };
    conn.close(CLOSE_DONE.into(), b"done");
    result
}

async fn fetch_on(
    conn: &Connection,
    group_id: &str,
    partial: &mut PartialSnapshot,
    progress: &mut impl FnMut(Event),
) -> Result<(), SnapshotError> {
    let cut = |partial: &PartialSnapshot, e: String| SnapshotError::Cut {
        received: partial.received(),
        size: partial.size(),
        detail: e,
    };
    let (mut send, mut recv): (_, RecvStream) = conn
        .open_bi()
        .await
        .map_err(|e| cut(partial, e.to_string()))?;
    request_snapshot(&mut send, group_id, partial).await?;
    send.finish().map_err(|e| cut(partial, e.to_string()))?;
    receive_snapshot(&mut recv, partial, progress).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(bytes: Vec<u8>) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            key: Vec::new(),
            hash: *blake3::hash(&bytes).as_bytes(),
            bytes,
        })
    }

    /// Serves `snap` to a request for `partial` over an in-memory pipe that carries at most
    /// `cut_after` bytes from the member; returns the bytes the member wrote.
    async fn attempt(
        snap: &Arc<Snapshot>,
        partial: &mut PartialSnapshot,
        cut_after: u64,
    ) -> (Result<(), SnapshotError>, u64) {
        let (mut newcomer, member) = tokio::io::duplex(64 * 1024);
        let (mut member_rd, member_wr) = tokio::io::split(member);
        let mut member_wr = crate::testing::CutAfter::new(member_wr, cut_after);
        let served = snap.clone();
        let member_side = async move {
            let _ = serve(&mut member_wr, &mut member_rd, "g", |_| Ok(served)).await;
            let written = member_wr.written();
            drop(member_wr);
            written
        };
        let newcomer_side = async {
            request_snapshot(&mut newcomer, "g", partial).await?;
            receive_snapshot(&mut newcomer, partial, &mut |_| {}).await
        };
        let (result, written) = tokio::join!(newcomer_side, member_side);
        (result, written)
    }

    #[tokio::test]
    async fn a_cut_download_continues_where_it_stopped() {
        let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let snap = snapshot(bytes.clone());
        let mut partial = PartialSnapshot::new();
        let (first, written) = attempt(&snap, &mut partial, 400_000).await;
        assert!(matches!(first, Err(SnapshotError::Cut { .. })), "{first:?}");
        let held = partial.received();
        assert!(
            held > 200_000 && held < 400_000,
            "kept {held} bytes of the cut attempt"
        );
        assert!(written <= 400_000);
        let (second, written) = attempt(&snap, &mut partial, u64::MAX).await;
        second.unwrap();
        // Only the rest travelled again (plus the offer and frame headers).
        let rest = bytes.len() as u64 - held;
        assert!(
            written >= rest && written < rest + 1_000,
            "sent {written} for a rest of {rest}"
        );
        assert_eq!(partial.into_verified().unwrap(), bytes);
    }

    #[tokio::test]
    async fn a_different_snapshot_starts_over_and_a_wrong_hash_is_dropped() {
        let old = snapshot(vec![1u8; 300_000]);
        let new = snapshot(vec![2u8; 500_000]);
        let mut partial = PartialSnapshot::new();
        let _ = attempt(&old, &mut partial, 280_000).await;
        assert!(partial.received() > 0);
        let (r, written) = attempt(&new, &mut partial, u64::MAX).await;
        r.unwrap();
        assert!(written >= 500_000, "the whole new file was sent");
        assert_eq!(partial.clone().into_verified().unwrap(), vec![2u8; 500_000]);

        // A member whose bytes do not match the hash it offered.
        let liar = Arc::new(Snapshot {
            key: Vec::new(),
            hash: *blake3::hash(b"something else").as_bytes(),
            bytes: vec![3u8; 10_000],
        });
        let mut partial = PartialSnapshot::new();
        let (r, _) = attempt(&liar, &mut partial, u64::MAX).await;
        assert_eq!(r, Err(SnapshotError::HashMismatch));
        assert_eq!(partial.received(), 0, "a mismatching file is not kept");
    }

    #[test]
    fn an_offer_over_the_limit_or_continuing_elsewhere_is_refused() {
        let mut p = PartialSnapshot::new();
        let too_big = SnapshotOffer {
            hash: "00".repeat(32),
            size: MAX_SNAPSHOT + 1,
            offset: 0,
        };
        assert!(matches!(
            p.take_offer(&too_big),
            Err(SnapshotError::TooLarge { .. })
        ));
        let elsewhere = SnapshotOffer {
            hash: "00".repeat(32),
            size: 100,
            offset: 50,
        };
        assert!(matches!(
            p.take_offer(&elsewhere),
            Err(SnapshotError::Protocol(_))
        ));
        let fine = SnapshotOffer {
            hash: "00".repeat(32),
            size: 100,
            offset: 0,
        };
        p.take_offer(&fine).unwrap();
        assert!(matches!(
            p.push(&[0u8; 101]),
            Err(SnapshotError::Protocol(_))
        ));
    }
}
