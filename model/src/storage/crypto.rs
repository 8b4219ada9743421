//! Key derivation (Argon2id), key wrapping and the encrypted file envelope
//! (XChaCha20-Poly1305). No cryptography is implemented here: both come from
//! the RustCrypto crates.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// Magic bytes opening every encrypted file.
pub(super) const MAGIC: &[u8; 4] = b"RKN1";
/// Length of the XChaCha20 nonce, in bytes.
pub(super) const NONCE_LEN: usize = 24;
/// Length of the Poly1305 tag, in bytes.
const TAG_LEN: usize = 16;
/// Length of the plaintext prefix of an encrypted file: magic, kind, nonce.
const PREFIX_LEN: usize = MAGIC.len() + 1 + NONCE_LEN;
/// Length of the data key and of the passphrase-derived key, in bytes.
pub(super) const KEY_LEN: usize = 32;

/// Largest accepted Argon2 memory cost, in KiB (1 GiB), so a tampered header
/// cannot make `open` allocate without bound.
const MAX_M_KIB: u32 = 1024 * 1024;
/// Largest accepted Argon2 pass count.
const MAX_T: u32 = 64;
/// Largest accepted Argon2 lane count.
const MAX_P: u32 = 64;

/// The 32-byte data key; wiped from memory on drop.
pub(super) type DataKey = Zeroizing<[u8; KEY_LEN]>;

/// What an encrypted file holds; part of the authenticated data, so a file of
/// one kind cannot be passed off as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Kind {
    /// The data key wrapped in `header.json` (never a file of its own).
    WrappedKey = 0,
    /// `doc/snapshot-<gen>.rkn`.
    Snapshot = 1,
    /// `doc/chunk-<seq>.rkn`.
    Chunk = 2,
    /// `device/<name>.rkn`.
    Device = 3,
    /// `doc/chunk-<seq>.rkn` whose plaintext opens with the sequence number (u64, little
    /// endian) of the chunk written before it (0 for none): the chain that finds a
    /// missing chunk.
    LinkedChunk = 4,
    /// `device/<name>.rkn` whose plaintext opens with the blob's write generation (u64,
    /// little endian): the number that finds an older copy put back.
    DeviceGen = 5,
}

/// Argon2id parameters used to derive the key-wrapping key from the
/// passphrase. Stored in `header.json`, so `open` always uses the parameters
/// the book was created (or last re-keyed) with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB (at least 8 per lane, at most 1 GiB).
    pub m_kib: u32,
    /// Number of passes (1 to 64).
    pub t: u32,
    /// Number of lanes, i.e. degree of parallelism (1 to 64).
    pub p: u32,
}

impl Default for KdfParams {
    /// Argon2id, 64 MiB, 3 passes, 1 lane.
    fn default() -> Self {
        Self {
            m_kib: 64 * 1024,
            t: 3,
            p: 1,
        }
    }
}

impl KdfParams {
    /// The cheapest accepted parameters (8 KiB, 1 pass, 1 lane): for tests
    /// only, they give a passphrase almost no protection.
    pub fn insecure_fast() -> Self {
        Self {
            m_kib: 8,
            t: 1,
            p: 1,
        }
    }

    /// Checks the range and builds the Argon2 parameters (32-byte output).
    pub(super) fn to_argon2(self) -> Result<Params, String> {
        if self.m_kib > MAX_M_KIB {
            return Err(format!(
                "memory cost {} KiB exceeds the maximum {MAX_M_KIB} KiB",
                self.m_kib
            ));
        }
        if self.t > MAX_T {
            return Err(format!("{} passes exceed the maximum {MAX_T}", self.t));
        }
        if self.p > MAX_P {
            return Err(format!("{} lanes exceed the maximum {MAX_P}", self.p));
        }
        Params::new(self.m_kib, self.t, self.p, Some(KEY_LEN)).map_err(|e| e.to_string())
    }
}

/// Fills `buf` from the OS random generator.
pub(super) fn random_fill(buf: &mut [u8]) -> Result<(), String> {
    getrandom::fill(buf).map_err(|e| e.to_string())
}

/// Derives the key-wrapping key from the passphrase with Argon2id v1.3.
pub(super) fn derive_kek(passphrase: &str, salt: &[u8], kdf: KdfParams) -> Result<DataKey, String> {
    let params = kdf.to_argon2()?;
    let mut out: DataKey = Zeroizing::new([0u8; KEY_LEN]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// Why an encrypted file could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum OpenFailure {
    /// Shorter than prefix + tag: a torn write.
    Torn { len: usize },
    /// Does not start with `RKN1`.
    BadMagic,
    /// The kind byte is not the one expected for this name.
    WrongKind { found: u8 },
    /// Authentication failed: damaged, renamed or tampered.
    Auth,
}

impl std::fmt::Display for OpenFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Torn { len } => write!(
                f,
                "torn or truncated: {len} bytes, shorter than the minimum {}",
                PREFIX_LEN + TAG_LEN
            ),
            Self::BadMagic => f.write_str("not a rukun encrypted file (bad magic)"),
            Self::WrongKind { found } => write!(f, "wrong file kind byte {found}"),
            Self::Auth => f.write_str("authentication failed (damaged, renamed or tampered)"),
        }
    }
}

/// The authenticated data: magic, kind, logical name.
fn aad(kind: Kind, name: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(MAGIC.len() + 1 + name.len());
    aad.extend_from_slice(MAGIC);
    aad.push(kind as u8);
    aad.extend_from_slice(name.as_bytes());
    aad
}

/// Builds the cipher for a 32-byte key.
fn cipher(key: &[u8; KEY_LEN]) -> XChaCha20Poly1305 {
    let key: &Key = key.into();
    XChaCha20Poly1305::new(key)
}

/// Encrypts `plaintext` with a fresh random nonce; returns `nonce || ciphertext+tag`.
/// Fails when the OS random generator or the cipher fails.
fn seal_raw(
    key: &[u8; KEY_LEN],
    kind: Kind,
    name: &str,
    plaintext: &[u8],
) -> Result<([u8; NONCE_LEN], Vec<u8>), SealFailure> {
    let mut nonce = [0u8; NONCE_LEN];
    random_fill(&mut nonce).map_err(SealFailure::Random)?;
    let aad = aad(kind, name);
    let ct = cipher(key)
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| SealFailure::Cipher)?;
    Ok((nonce, ct))
}

/// Why encryption failed.
#[derive(Debug)]
pub(super) enum SealFailure {
    /// The OS random generator failed.
    Random(String),
    /// The cipher refused the input (too long).
    Cipher,
}

/// Encrypts a file body: `MAGIC || kind || nonce || ciphertext+tag`, with
/// AAD = `MAGIC || kind || name`.
pub(super) fn seal_file(
    key: &[u8; KEY_LEN],
    kind: Kind,
    name: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, SealFailure> {
    let (nonce, ct) = seal_raw(key, kind, name, plaintext)?;
    let mut out = Vec::with_capacity(PREFIX_LEN + ct.len());
    out.extend_from_slice(MAGIC);
    out.push(kind as u8);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Decrypts a file produced by [`seal_file`] for the same kind and name.
pub(super) fn open_file(
    key: &[u8; KEY_LEN],
    kind: Kind,
    name: &str,
    file: &[u8],
) -> Result<Vec<u8>, OpenFailure> {
    if file.len() < PREFIX_LEN + TAG_LEN {
        return Err(OpenFailure::Torn { len: file.len() });
    }
    if &file[..MAGIC.len()] != MAGIC {
        return Err(OpenFailure::BadMagic);
    }
    let found = file[MAGIC.len()];
    if found != kind as u8 {
        return Err(OpenFailure::WrongKind { found });
    }
    let nonce: &XNonce = file[MAGIC.len() + 1..PREFIX_LEN]
        .try_into()
        .map_err(|_| OpenFailure::Torn { len: file.len() })?;
    let aad = aad(kind, name);
    cipher(key)
        .decrypt(
            nonce,
            Payload {
                msg: &file[PREFIX_LEN..],
                aad: &aad,
            },
        )
        .map_err(|_| OpenFailure::Auth)
}

/// Wraps the data key under the key-wrapping key; returns (nonce, ciphertext+tag).
pub(super) fn wrap_key(
    kek: &[u8; KEY_LEN],
    data_key: &[u8; KEY_LEN],
    name: &str,
) -> Result<([u8; NONCE_LEN], Vec<u8>), SealFailure> {
    seal_raw(kek, Kind::WrappedKey, name, data_key)
}

/// Unwraps the data key; `None` when authentication fails (wrong passphrase
/// or damaged header).
pub(super) fn unwrap_key(
    kek: &[u8; KEY_LEN],
    nonce: &[u8],
    wrapped: &[u8],
    name: &str,
) -> Option<DataKey> {
    let nonce: &XNonce = nonce.try_into().ok()?;
    let aad = aad(Kind::WrappedKey, name);
    let plain = Zeroizing::new(
        cipher(kek)
            .decrypt(
                nonce,
                Payload {
                    msg: wrapped,
                    aad: &aad,
                },
            )
            .ok()?,
    );
    let mut key: DataKey = Zeroizing::new([0u8; KEY_LEN]);
    if plain.len() != KEY_LEN {
        return None;
    }
    key.copy_from_slice(&plain);
    Some(key)
}
