//! `header.json`: the plaintext description of a book folder (format version,
//! KDF parameters, salt, wrapped data key, creation time). No secret is stored
//! in clear: the data key is only present wrapped under the passphrase key.

use serde::{Deserialize, Serialize};

use super::crypto::{self, DataKey, KdfParams, NONCE_LEN};

/// The format version written by this code. Version 2 added linked chunks (file kind 4)
/// and device blobs with a write generation (kind 5), which a reader of version 1 cannot
/// open (it would skip every chunk as damaged and lose the device key), so those readers
/// must refuse the book instead.
pub(super) const FORMAT_VERSION: u32 = 2;
/// The oldest format version this code opens (upgraded to [`FORMAT_VERSION`] on open).
pub(super) const OLDEST_FORMAT: u32 = 1;
/// File name of the header.
pub(super) const HEADER_FILE: &str = "header.json";
/// Salt length for new headers, in bytes.
const SALT_LEN: usize = 16;
/// Accepted salt lengths when reading, in bytes.
const SALT_RANGE: std::ops::RangeInclusive<usize> = 8..=64;

/// The KDF section of the header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct HeaderKdf {
    /// Always "argon2id".
    pub(super) algorithm: String,
    /// Argon2 version, 19 (0x13).
    pub(super) version: u32,
    /// Memory cost in KiB, passes, lanes.
    #[serde(flatten)]
    pub(super) params: KdfParams,
    /// Random salt, lowercase hex.
    pub(super) salt_hex: String,
}

/// The wrapped data key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct WrappedKey {
    /// XChaCha20-Poly1305 nonce (24 bytes), lowercase hex.
    pub(super) nonce_hex: String,
    /// Encrypted data key plus tag (48 bytes), lowercase hex.
    pub(super) ciphertext_hex: String,
}

/// Contents of `header.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Header {
    /// Format version of the book folder.
    pub(super) format: u32,
    /// Key-derivation function and its parameters.
    pub(super) kdf: HeaderKdf,
    /// The data key wrapped by the passphrase-derived key.
    pub(super) wrapped_key: WrappedKey,
    /// Creation time, seconds since the Unix epoch.
    pub(super) created_unix_s: u64,
}

/// Why a header could not be built or used.
#[derive(Debug)]
pub(super) enum HeaderFailure {
    /// Bad or out-of-range KDF parameters (given by the caller).
    Kdf(String),
    /// The OS random generator failed.
    Random(String),
    /// The header content is malformed.
    Malformed(String),
    /// The key unwrap failed authentication.
    WrongPassphrase,
}

impl Header {
    /// Builds a header wrapping `data_key` under a key derived from
    /// `passphrase` with a fresh salt (runs Argon2).
    pub(super) fn seal(
        data_key: &DataKey,
        passphrase: &str,
        kdf: KdfParams,
        created_unix_s: u64,
    ) -> Result<Self, HeaderFailure> {
        kdf.to_argon2().map_err(HeaderFailure::Kdf)?;
        let mut salt = [0u8; SALT_LEN];
        crypto::random_fill(&mut salt).map_err(HeaderFailure::Random)?;
        let kek = crypto::derive_kek(passphrase, &salt, kdf).map_err(HeaderFailure::Kdf)?;
        let (nonce, wrapped) =
            crypto::wrap_key(&kek, data_key, HEADER_FILE).map_err(|e| match e {
                crypto::SealFailure::Random(r) => HeaderFailure::Random(r),
                crypto::SealFailure::Cipher => {
                    HeaderFailure::Kdf("the key wrap was refused by the cipher".into())
                }
            })?;
        Ok(Self {
            format: FORMAT_VERSION,
            kdf: HeaderKdf {
                algorithm: "argon2id".into(),
                version: 0x13,
                params: kdf,
                salt_hex: hex::encode(salt),
            },
            wrapped_key: WrappedKey {
                nonce_hex: hex::encode(nonce),
                ciphertext_hex: hex::encode(wrapped),
            },
            created_unix_s,
        })
    }

    /// Derives the passphrase key (runs Argon2 with the stored parameters)
    /// and unwraps the data key.
    pub(super) fn unlock(&self, passphrase: &str) -> Result<DataKey, HeaderFailure> {
        if self.kdf.algorithm != "argon2id" || self.kdf.version != 0x13 {
            return Err(HeaderFailure::Malformed(format!(
                "unsupported key derivation {} version {}",
                self.kdf.algorithm, self.kdf.version
            )));
        }
        let salt = hex::decode(&self.kdf.salt_hex)
            .map_err(|e| HeaderFailure::Malformed(format!("salt is not hex: {e}")))?;
        if !SALT_RANGE.contains(&salt.len()) {
            return Err(HeaderFailure::Malformed(format!(
                "salt of {} bytes (expected 8 to 64)",
                salt.len()
            )));
        }
        let nonce = hex::decode(&self.wrapped_key.nonce_hex)
            .map_err(|e| HeaderFailure::Malformed(format!("key nonce is not hex: {e}")))?;
        if nonce.len() != NONCE_LEN {
            return Err(HeaderFailure::Malformed(format!(
                "key nonce of {} bytes (expected {NONCE_LEN})",
                nonce.len()
            )));
        }
        let wrapped = hex::decode(&self.wrapped_key.ciphertext_hex)
            .map_err(|e| HeaderFailure::Malformed(format!("wrapped key is not hex: {e}")))?;
        let kek = crypto::derive_kek(passphrase, &salt, self.kdf.params)
            .map_err(|e| HeaderFailure::Malformed(format!("key-derivation parameters: {e}")))?;
        crypto::unwrap_key(&kek, &nonce, &wrapped, HEADER_FILE)
            .ok_or(HeaderFailure::WrongPassphrase)
    }
}
