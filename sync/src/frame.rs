//! Length-prefixed frames and their incremental decoder.
//!
//! Wire format of one frame: `len: u32 big-endian` (payload length in bytes, not counting the
//! 5-byte header), `type: u8`, then `len` payload bytes. `Sync` payloads are raw Automerge sync
//! messages; every other payload is a small JSON object (unknown fields are ignored, so newer
//! apps can add fields and still be told to "update the app").
//!
//! A `Sync` message may also travel deflated (type 7), but only to a peer whose [`Hello`]
//! listed [`COMPRESSION_DEFLATE`]; the decoder inflates it back into a [`Frame::Sync`] and
//! never to more than its `max_frame` bytes. Measured on the kelurahan book (BENCHMARKS.md,
//! "Compressing frames"): a whole book shrinks by under 10 %, the next meeting's messages by
//! 75–90 %, so each message is sent deflated only when that saves at least a tenth.

use rukun_model::InviteRefusal;
use serde::{Deserialize, Serialize};

/// Version of the sync protocol spoken on `rukun/sync/1`; peers with a different version refuse.
pub const PROTOCOL_VERSION: u32 = 1;

/// Default largest accepted payload of a frame: 64 MiB (an Automerge sync message carrying a
/// whole book must fit).
pub const DEFAULT_MAX_FRAME: usize = 64 * 1024 * 1024;

/// Largest accepted payload of a control frame (everything but `Sync`): 64 KiB.
pub const MAX_CONTROL_PAYLOAD: usize = 64 * 1024;

/// Bytes of the frame header: 4 bytes length + 1 byte type.
pub const HEADER_LEN: usize = 5;

/// Longest refusal reason kept, in bytes; longer texts are cut at a character boundary.
const MAX_REASON_LEN: usize = 1000;

const T_HELLO: u8 = 1;
const T_SYNC: u8 = 2;
const T_DONE: u8 = 3;
const T_REFUSE: u8 = 4;
const T_JOIN_REQUEST: u8 = 5;
const T_JOIN_GRANTED: u8 = 6;
const T_SYNC_DEFLATE: u8 = 7;
const T_SNAPSHOT_REQUEST: u8 = 8;
const T_SNAPSHOT_OFFER: u8 = 9;
const T_SNAPSHOT_CHUNK: u8 = 10;

/// Largest payload of a `SnapshotChunk` frame: 256 KiB (a snapshot travels as many of them).
pub const MAX_SNAPSHOT_CHUNK: usize = 256 * 1024;

/// Name of the deflate compression of `Sync` frames in [`Hello::compression`].
pub const COMPRESSION_DEFLATE: &str = "deflate";

/// Deflate level of compressed `Sync` frames: level 1 saves nearly what level 6 does on
/// Automerge sync messages, in a fraction of the time on a cheap phone.
const DEFLATE_LEVEL: u32 = 1;

/// Bytes at the start of a large `Sync` payload deflated first to see if it compresses.
const DEFLATE_SAMPLE: usize = 64 * 1024;

/// `Sync` payloads shorter than this are always sent as they are.
const MIN_DEFLATE_PAYLOAD: usize = 512;

/// The first frame each side sends on `rukun/sync/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Group id of the sender's book (UUID text).
    pub group_id: String,
    /// [`PROTOCOL_VERSION`] of the sender.
    pub protocol_version: u32,
    /// Schema version the sender's book is written in.
    pub schema_version: u32,
    /// Oldest schema version that can still read the sender's book.
    pub min_reader_schema: u32,
    /// Version of the sender's app, for messages only (e.g. `0.1.0`).
    pub app_version: String,
    /// Compressions of `Sync` frames the sender can read ([`COMPRESSION_DEFLATE`]). Absent
    /// from older apps, which then get every frame uncompressed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compression: Vec<String>,
}

/// "I have nothing more to send", with acknowledgement counts (see the session docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Done {
    /// How many `Sync` frames the sender has received from its peer so far.
    pub messages_received: u64,
    /// How many changes the sender has applied from its peer so far.
    pub changes_applied: u64,
}

/// Why a session or a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "u16", into = "u16")]
pub enum RefuseCode {
    /// The books belong to different groups.
    DifferentGroup,
    /// The peers speak different protocol versions.
    ProtocolVersion,
    /// One side cannot read the other's schema.
    Schema,
    /// The device is not a member of the book (yet).
    UnknownMember,
    /// The device was revoked.
    Revoked,
    /// The peer broke the protocol (bad frame, unexpected frame, bad sync message).
    ProtocolError,
    /// The replica failed (for example storage).
    Internal,
    /// An invite was not redeemed.
    InviteRefused,
    /// Nothing arrived for the idle timeout.
    Timeout,
    /// No open invite matches the code or ticket (a wrong code).
    InviteUnknown,
    /// The invite was already used.
    InviteUsed,
    /// The invite has expired on the inviter's clock.
    InviteExpired,
    /// The invite was made on another device than the one dialled.
    InviteOtherDevice,
    /// The invite was cancelled earlier after too many wrong codes.
    InviteBurned,
    /// A wrong code that cancelled the inviter's open invites.
    InviteWrongCodeBurned,
    /// A code this version does not know.
    Other(u16),
}

impl From<u16> for RefuseCode {
    fn from(v: u16) -> Self {
        match v {
            1 => Self::DifferentGroup,
            2 => Self::ProtocolVersion,
            3 => Self::Schema,
            4 => Self::UnknownMember,
            5 => Self::Revoked,
            6 => Self::ProtocolError,
            7 => Self::Internal,
            8 => Self::InviteRefused,
            9 => Self::Timeout,
            10 => Self::InviteUnknown,
            11 => Self::InviteUsed,
            12 => Self::InviteExpired,
            13 => Self::InviteOtherDevice,
            14 => Self::InviteBurned,
            15 => Self::InviteWrongCodeBurned,
            other => Self::Other(other),
        }
    }
}

impl From<RefuseCode> for u16 {
    fn from(c: RefuseCode) -> Self {
        match c {
            RefuseCode::DifferentGroup => 1,
            RefuseCode::ProtocolVersion => 2,
            RefuseCode::Schema => 3,
            RefuseCode::UnknownMember => 4,
            RefuseCode::Revoked => 5,
            RefuseCode::ProtocolError => 6,
            RefuseCode::Internal => 7,
            RefuseCode::InviteRefused => 8,
            RefuseCode::Timeout => 9,
            RefuseCode::InviteUnknown => 10,
            RefuseCode::InviteUsed => 11,
            RefuseCode::InviteExpired => 12,
            RefuseCode::InviteOtherDevice => 13,
            RefuseCode::InviteBurned => 14,
            RefuseCode::InviteWrongCodeBurned => 15,
            RefuseCode::Other(v) => v,
        }
    }
}

impl RefuseCode {
    /// The code that carries an invite refusal to the joining device.
    pub fn for_invite(refusal: &InviteRefusal) -> RefuseCode {
        match refusal {
            InviteRefusal::Unknown => RefuseCode::InviteUnknown,
            InviteRefusal::AlreadyUsed => RefuseCode::InviteUsed,
            InviteRefusal::Expired => RefuseCode::InviteExpired,
            InviteRefusal::Revoked => RefuseCode::Revoked,
            InviteRefusal::OtherDevice => RefuseCode::InviteOtherDevice,
            InviteRefusal::Burned => RefuseCode::InviteBurned,
            InviteRefusal::WrongCodeBurned => RefuseCode::InviteWrongCodeBurned,
            InviteRefusal::Book(_) => RefuseCode::InviteRefused,
        }
    }

    /// The invite refusal this code carries, if it is one (`reason` fills
    /// [`InviteRefusal::Book`]).
    pub fn invite_refusal(self, reason: &str) -> Option<InviteRefusal> {
        Some(match self {
            RefuseCode::InviteUnknown => InviteRefusal::Unknown,
            RefuseCode::InviteUsed => InviteRefusal::AlreadyUsed,
            RefuseCode::InviteExpired => InviteRefusal::Expired,
            RefuseCode::Revoked => InviteRefusal::Revoked,
            RefuseCode::InviteOtherDevice => InviteRefusal::OtherDevice,
            RefuseCode::InviteBurned => InviteRefusal::Burned,
            RefuseCode::InviteWrongCodeBurned => InviteRefusal::WrongCodeBurned,
            RefuseCode::InviteRefused => InviteRefusal::Book(reason.to_owned()),
            _ => return None,
        })
    }
}

/// A refusal: code plus a sentence for the person on the other side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refuse {
    /// Machine-readable reason.
    pub code: RefuseCode,
    /// Human-readable reason (at most 1000 bytes, no control characters).
    pub reason: String,
}

impl Refuse {
    /// Builds a refusal, cutting `reason` to 1000 bytes and removing control characters.
    pub fn new(code: RefuseCode, reason: impl AsRef<str>) -> Self {
        Self {
            code,
            reason: sanitize_reason(reason.as_ref()),
        }
    }
}

/// Cuts a reason text to [`MAX_REASON_LEN`] bytes and drops control characters, so that text
/// from a peer is safe to print on a terminal.
pub(crate) fn sanitize_reason(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().filter(|c| !c.is_control()) {
        if out.len() + c.len_utf8() > MAX_REASON_LEN {
            break;
        }
        out.push(c);
    }
    out
}

/// First frame of the joining device on `rukun/join/1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    /// [`PROTOCOL_VERSION`] of the joining device.
    pub protocol_version: u32,
    /// The invite's one-time secret (16 bytes for invites made by Rukun).
    pub secret: Vec<u8>,
    /// Name the new member wants to be listed under.
    pub name: String,
}

/// Reply of the admin's device when an invite was redeemed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinGranted {
    /// Group id of the book joined (UUID text).
    pub group_id: String,
    /// Role given to the new member.
    pub role: String,
}

/// Where a cut snapshot download stopped: the newcomer asks for the rest of the same bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotResume {
    /// BLAKE3 hash (hex) of the snapshot partly received.
    pub hash: String,
    /// Bytes of it already held.
    pub offset: u64,
}

/// First frame of a newcomer on `rukun/snapshot/1`: "send me the book's snapshot".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRequest {
    /// [`PROTOCOL_VERSION`] of the newcomer.
    pub protocol_version: u32,
    /// Group id the newcomer joined (UUID text).
    pub group_id: String,
    /// The part already received of an earlier, cut download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<SnapshotResume>,
}

/// The member's answer on `rukun/snapshot/1`, before the bytes: which snapshot, how long,
/// and from where `SnapshotChunk` frames continue it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotOffer {
    /// BLAKE3 hash (hex) of the whole snapshot: the newcomer checks it at the end.
    pub hash: String,
    /// Bytes of the whole snapshot.
    pub size: u64,
    /// Where the chunks that follow start (the resume offset when the hash is the one asked
    /// for, else 0).
    pub offset: u64,
}

/// One frame of the sync or join protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Type 1: greeting with versions and group id.
    Hello(Hello),
    /// Type 2: one Automerge sync message (raw bytes).
    Sync(Vec<u8>),
    /// Type 3: the sender is idle.
    Done(Done),
    /// Type 4: the sender refuses and closes.
    Refuse(Refuse),
    /// Type 5: redeem an invite (join protocol).
    JoinRequest(JoinRequest),
    /// Type 6: invite redeemed (join protocol).
    JoinGranted(JoinGranted),
    /// Type 8: ask for the book's snapshot (snapshot protocol).
    SnapshotRequest(SnapshotRequest),
    /// Type 9: the snapshot about to be sent (snapshot protocol).
    SnapshotOffer(SnapshotOffer),
    /// Type 10: the next bytes of the snapshot, at most [`MAX_SNAPSHOT_CHUNK`].
    SnapshotChunk(Vec<u8>),
}

impl Frame {
    /// Short name of the frame type, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Frame::Hello(_) => "hello",
            Frame::Sync(_) => "sync",
            Frame::Done(_) => "done",
            Frame::Refuse(_) => "refuse",
            Frame::JoinRequest(_) => "join request",
            Frame::JoinGranted(_) => "join granted",
            Frame::SnapshotRequest(_) => "snapshot request",
            Frame::SnapshotOffer(_) => "snapshot offer",
            Frame::SnapshotChunk(_) => "snapshot chunk",
        }
    }

    /// Encodes the frame: 4-byte big-endian payload length, 1-byte type, payload.
    ///
    /// # Errors
    /// [`FrameError::Oversized`] when the payload exceeds [`MAX_CONTROL_PAYLOAD`] (control
    /// frames) or `u32::MAX` (sync frames); [`FrameError::Malformed`] if JSON encoding fails.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let (ty, payload): (u8, std::borrow::Cow<'_, [u8]>) = match self {
            Frame::Sync(bytes) => (T_SYNC, bytes.as_slice().into()),
            Frame::Hello(h) => (T_HELLO, to_json(T_HELLO, h)?.into()),
            Frame::Done(d) => (T_DONE, to_json(T_DONE, d)?.into()),
            Frame::Refuse(r) => (T_REFUSE, to_json(T_REFUSE, r)?.into()),
            Frame::JoinRequest(j) => (T_JOIN_REQUEST, to_json(T_JOIN_REQUEST, j)?.into()),
            Frame::JoinGranted(j) => (T_JOIN_GRANTED, to_json(T_JOIN_GRANTED, j)?.into()),
            Frame::SnapshotRequest(r) => {
                (T_SNAPSHOT_REQUEST, to_json(T_SNAPSHOT_REQUEST, r)?.into())
            }
            Frame::SnapshotOffer(o) => (T_SNAPSHOT_OFFER, to_json(T_SNAPSHOT_OFFER, o)?.into()),
            Frame::SnapshotChunk(bytes) => (T_SNAPSHOT_CHUNK, bytes.as_slice().into()),
        };
        let limit = match ty {
            T_SYNC => u32::MAX as usize,
            T_SNAPSHOT_CHUNK => MAX_SNAPSHOT_CHUNK,
            _ => MAX_CONTROL_PAYLOAD,
        };
        if payload.len() > limit {
            return Err(FrameError::Oversized {
                frame_type: ty,
                declared: payload.len() as u64,
                max: limit as u64,
            });
        }
        let len = u32::try_from(payload.len()).map_err(|_| FrameError::Oversized {
            frame_type: ty,
            declared: payload.len() as u64,
            max: u64::from(u32::MAX),
        })?;
        let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
        out.extend_from_slice(&len.to_be_bytes());
        out.push(ty);
        out.extend_from_slice(&payload);
        Ok(out)
    }

    /// Encodes `payload` as a deflated `Sync` frame (type 7), or `None` when that would not
    /// save at least a tenth of the bytes (small or incompressible messages). Send it only
    /// to a peer whose [`Hello::compression`] lists [`COMPRESSION_DEFLATE`].
    pub fn encode_sync_deflated(payload: &[u8]) -> Option<Vec<u8>> {
        // Worth sending deflated: at least a tenth smaller.
        let saves = |raw: usize, packed: usize| packed <= raw - raw / 10;
        if payload.len() < MIN_DEFLATE_PAYLOAD {
            return None;
        }
        // A whole book's message is Automerge's own compressed columns: deflate saves
        // nothing there (measured: -4 %). A sample of its start tells, for 1/16 of the time.
        if payload.len() > 4 * DEFLATE_SAMPLE
            && !saves(
                DEFLATE_SAMPLE,
                deflate_after(0, &payload[..DEFLATE_SAMPLE])?.len(),
            )
        {
            return None;
        }
        let mut out = deflate_after(HEADER_LEN, payload)?;
        let packed = out.len() - HEADER_LEN;
        if !saves(payload.len(), packed) {
            return None;
        }
        let len = u32::try_from(packed).ok()?;
        out[..4].copy_from_slice(&len.to_be_bytes());
        out[4] = T_SYNC_DEFLATE;
        Some(out)
    }

    fn decode_payload(ty: u8, payload: Vec<u8>, max_frame: usize) -> Result<Frame, FrameError> {
        let payload = match ty {
            T_SYNC => return Ok(Frame::Sync(payload)),
            T_SYNC_DEFLATE => return inflate(&payload, max_frame).map(Frame::Sync),
            T_SNAPSHOT_CHUNK => return Ok(Frame::SnapshotChunk(payload)),
            _ => payload.as_slice(),
        };
        Ok(match ty {
            T_HELLO => Frame::Hello(from_json(ty, payload)?),
            T_DONE => Frame::Done(from_json(ty, payload)?),
            T_REFUSE => {
                let r: Refuse = from_json(ty, payload)?;
                Frame::Refuse(Refuse::new(r.code, r.reason))
            }
            T_JOIN_REQUEST => Frame::JoinRequest(from_json(ty, payload)?),
            T_JOIN_GRANTED => Frame::JoinGranted(from_json(ty, payload)?),
            T_SNAPSHOT_REQUEST => Frame::SnapshotRequest(from_json(ty, payload)?),
            T_SNAPSHOT_OFFER => Frame::SnapshotOffer(from_json(ty, payload)?),
            other => return Err(FrameError::UnknownType { frame_type: other }),
        })
    }
}

/// `data` deflated at [`DEFLATE_LEVEL`], after `room` zero bytes left for a frame header.
fn deflate_after(room: usize, data: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut enc = flate2::write::DeflateEncoder::new(
        vec![0u8; room],
        flate2::Compression::new(DEFLATE_LEVEL),
    );
    enc.write_all(data).ok()?;
    enc.finish().ok()
}

/// Inflates a type-7 payload, refusing (without holding more) anything that would grow
/// past `max` bytes: a small frame cannot make us allocate a large one.
fn inflate(payload: &[u8], max: usize) -> Result<Vec<u8>, FrameError> {
    use std::io::Read;
    let mut out = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    flate2::read::DeflateDecoder::new(payload)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| FrameError::Malformed {
            frame_type: T_SYNC_DEFLATE,
            detail: format!("deflate: {e}"),
        })?;
    if out.len() > max {
        return Err(FrameError::Oversized {
            frame_type: T_SYNC_DEFLATE,
            declared: out.len() as u64,
            max: max as u64,
        });
    }
    Ok(out)
}

fn to_json<T: Serialize>(ty: u8, v: &T) -> Result<Vec<u8>, FrameError> {
    serde_json::to_vec(v).map_err(|e| FrameError::Malformed {
        frame_type: ty,
        detail: e.to_string(),
    })
}

fn from_json<T: for<'de> Deserialize<'de>>(ty: u8, payload: &[u8]) -> Result<T, FrameError> {
    serde_json::from_slice(payload).map_err(|e| FrameError::Malformed {
        frame_type: ty,
        detail: e.to_string(),
    })
}

/// A frame could not be encoded or decoded. After a decode error the stream is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame declares (or has) a payload longer than allowed.
    #[error("frame of type {frame_type} declares {declared} bytes, more than the limit of {max}")]
    Oversized {
        /// Frame type byte.
        frame_type: u8,
        /// Declared payload length in bytes.
        declared: u64,
        /// Limit in bytes for this frame type.
        max: u64,
    },
    /// The type byte is not one this version knows.
    #[error("unknown frame type {frame_type}")]
    UnknownType {
        /// The type byte received.
        frame_type: u8,
    },
    /// The payload does not parse as the frame type's content.
    #[error("malformed frame of type {frame_type}: {detail}")]
    Malformed {
        /// Frame type byte.
        frame_type: u8,
        /// Parser message.
        detail: String,
    },
    /// The stream ended in the middle of a frame.
    #[error("stream ended inside a frame ({buffered} bytes of an unfinished frame)")]
    Truncated {
        /// Bytes of the unfinished frame that had arrived.
        buffered: usize,
    },
}

/// Incremental frame decoder: feed it byte slices as they arrive, get complete frames.
///
/// It validates the header as soon as its 5 bytes are in (rejecting unknown types and declared
/// lengths over the limit before any payload arrives), and its buffer never holds more than one
/// unfinished frame, so memory stays below `HEADER_LEN + max_frame` bytes whatever the peer
/// declares. After an error it keeps returning that error.
#[derive(Debug, Clone)]
pub struct FrameDecoder {
    buf: Vec<u8>,
    /// Header of the frame being read: (type, payload length).
    header: Option<(u8, usize)>,
    max_frame: usize,
    failed: Option<FrameError>,
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_FRAME)
    }
}

impl FrameDecoder {
    /// A decoder accepting `Sync` payloads up to `max_frame` bytes (control frames are further
    /// limited to [`MAX_CONTROL_PAYLOAD`]).
    pub fn new(max_frame: usize) -> Self {
        Self {
            buf: Vec::new(),
            header: None,
            max_frame,
            failed: None,
        }
    }

    /// Bytes of an unfinished frame currently held.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The `Sync` frame now arriving, once its header is read: (payload bytes received,
    /// payload bytes declared). For a progress bar's estimate.
    pub fn incoming_sync(&self) -> Option<(usize, usize)> {
        match self.header {
            Some((T_SYNC | T_SYNC_DEFLATE, len)) => Some((self.buf.len(), len)),
            _ => None,
        }
    }

    /// Feeds `bytes` (any split of the stream) and returns the frames they complete, in order.
    ///
    /// # Errors
    /// The first [`FrameError`] met; frames completed before the error in the same call are
    /// dropped, and every later call returns the same error.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<Vec<Frame>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut frames = Vec::new();
        while !bytes.is_empty() {
            match self.step(&mut bytes) {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => {}
                Err(e) => {
                    self.failed = Some(e.clone());
                    self.buf = Vec::new();
                    return Err(e);
                }
            }
        }
        Ok(frames)
    }

    /// Declares the end of the stream.
    ///
    /// # Errors
    /// [`FrameError::Truncated`] when an unfinished frame is buffered, or an earlier error.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.buf.is_empty() && self.header.is_none() {
            Ok(())
        } else {
            Err(FrameError::Truncated {
                buffered: self.buf.len() + if self.header.is_some() { HEADER_LEN } else { 0 },
            })
        }
    }

    /// Consumes bytes from `input` for at most one frame.
    fn step(&mut self, input: &mut &[u8]) -> Result<Option<Frame>, FrameError> {
        let (ty, len) = match self.header {
            Some(h) => h,
            None => {
                let take = (HEADER_LEN - self.buf.len()).min(input.len());
                self.buf.extend_from_slice(&input[..take]);
                *input = &input[take..];
                if self.buf.len() < HEADER_LEN {
                    return Ok(None);
                }
                let declared =
                    u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
                let ty = self.buf[4];
                self.buf.clear();
                let limit = match ty {
                    T_SYNC | T_SYNC_DEFLATE => self.max_frame,
                    T_HELLO | T_DONE | T_REFUSE | T_JOIN_REQUEST | T_JOIN_GRANTED
                    | T_SNAPSHOT_REQUEST | T_SNAPSHOT_OFFER => {
                        MAX_CONTROL_PAYLOAD.min(self.max_frame)
                    }
                    T_SNAPSHOT_CHUNK => MAX_SNAPSHOT_CHUNK.min(self.max_frame),
                    other => return Err(FrameError::UnknownType { frame_type: other }),
                };
                let len = usize::try_from(declared).unwrap_or(usize::MAX);
                if len > limit {
                    return Err(FrameError::Oversized {
                        frame_type: ty,
                        declared: u64::from(declared),
                        max: limit as u64,
                    });
                }
                self.header = Some((ty, len));
                self.buf = Vec::new();
                (ty, len)
            }
        };
        let missing = len - self.buf.len();
        let take = missing.min(input.len());
        if take > 0 {
            // Grow geometrically but never past the declared length, and only as bytes arrive.
            let want = (self.buf.len() * 2).max(self.buf.len() + take).min(len);
            if self.buf.capacity() < want {
                self.buf.reserve_exact(want - self.buf.len());
            }
            self.buf.extend_from_slice(&input[..take]);
            *input = &input[take..];
        }
        if self.buf.len() < len {
            return Ok(None);
        }
        self.header = None;
        let payload = std::mem::take(&mut self.buf);
        Frame::decode_payload(ty, payload, self.max_frame).map(Some)
    }
}
