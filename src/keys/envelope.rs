//! Wrapped-key envelopes: a [`CustomerKey`] sealed with AES-256-GCM or SM4-GCM (NIST
//! SP 800-38D GCM over the AES (FIPS 197) or SM4 (GB/T 32907-2016) block cipher, as in
//! RFC 8998 §3.1 for SM4) into a versioned ASCII string that can be stored anywhere.
//!
//! # Envelope format, version 1
//!
//! ```text
//! envelope = "cosk1" "." aead-id "." key-alg-id "." b64url(nonce) "." b64url(ciphertext || tag)
//! aead-id    = "aes256gcm" (AES-256-GCM, 32-byte wrapping key)
//!            / "sm4gcm"    (SM4-GCM, 16-byte wrapping key)
//! key-alg-id = "aes256"    (wrapped key is a 32-byte AES256 SSE-C key)
//!            / "sm4"       (wrapped key is a 16-byte SM4 SSE-C key)
//! nonce      = 12 bytes, random, never reused with the same wrapping key
//! ciphertext = GCM encryption of the raw SSE-C key bytes (same length as the key)
//! tag        = the 16-byte GCM tag
//! b64url     = RFC 4648 §5 base64url, no "=" padding, canonical (unused bits zero)
//! AAD        = ASCII("cosk1." aead-id "." key-alg-id ".") || caller-aad
//! ```
//!
//! The AAD starts with the envelope's own text up to and including the third `.`, so the
//! version, AEAD and key algorithm are authenticated, then the caller's associated data
//! (for example `"<bucket>/<object key>"`) so an envelope copied to another object fails
//! to open. The header is prefix-free (fixed tokens, each ending in `.`), so header and
//! caller AAD cannot be confused. Everything is lowercase ASCII; surrounding whitespace is
//! ignored on input; any other deviation (case, extra fields, padding, wrong lengths) is
//! rejected as `ERR_INVALID_ENVELOPE`. A failed authentication, a wrapping key of the other
//! algorithm, a wrong key or wrong AAD are all `ERR_UNWRAP_FAILED`.
//!
//! Example: AES-256-GCM wrapping key `00 01 … 1f`, AES256 key the ASCII bytes of
//! `0123456789ABCDEF0123456789ABCDEF`, nonce `cafebabefacedbaddecaf888`, aad
//! `examplebucket-1250000000/photos/cat.jpg`:
//!
//! ```text
//! cosk1.aes256gcm.aes256.yv66vvrO263eyviI.upKSFZ5PeSx-MhyfOFnMeT0R8mLrLFxDduZFM_3NILm_NJDHnXfptGEHc3XuxJFZ
//! ```
//!
//! More vectors are in `docs/key-envelope.md` and `tests/keys.rs`.

use core::fmt;

use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadCore, AeadInOut, KeyInit};
use aes_gcm::{Aes256Gcm, AesGcm};
use zeroize::Zeroizing;

use super::derive::{DerivedKey, KdfParams};
use super::{check_random, fingerprint, CustomerKey};
use crate::algorithm::SseAlgorithm;
use crate::base64::{decode_url, encode_url};
use crate::error::{cat, err, q, Result};

/// SM4-GCM: GCM (NIST SP 800-38D) over the SM4 block cipher (GB/T 32907-2016) with a
/// 96-bit nonce and 128-bit tag, as specified by RFC 8998 §3.1 (`TLS_SM4_GCM_SM3`'s AEAD).
pub type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The envelope version prefix (first field of every envelope).
pub const ENVELOPE_VERSION: &str = "cosk1";

/// GCM nonce length in an envelope: 12 bytes (NIST SP 800-38D §8.2 recommends 96 bits).
pub const ENVELOPE_NONCE_LEN: usize = 12;

/// Longest envelope text [`unwrap`] accepts (the longest valid one is 104 characters).
pub const MAX_ENVELOPE_LEN: usize = 256;

/// GCM tag length (bytes).
const TAG_LEN: usize = 16;

/// The AEAD that seals an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WrapAlgorithm {
    /// AES-256-GCM (FIPS 197 + NIST SP 800-38D); 32-byte wrapping keys. Envelope id `aes256gcm`.
    Aes256Gcm,
    /// SM4-GCM (GB/T 32907 + NIST SP 800-38D, RFC 8998); 16-byte wrapping keys. Envelope id `sm4gcm`.
    Sm4Gcm,
}

impl WrapAlgorithm {
    /// The envelope id: `aes256gcm` or `sm4gcm`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aes256Gcm => "aes256gcm",
            Self::Sm4Gcm => "sm4gcm",
        }
    }

    /// Parses an envelope id (`aes256gcm` or `sm4gcm`, exact).
    ///
    /// # Errors
    /// `ERR_INVALID_ARGUMENT` for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        Self::from_id(s).ok_or_else(|| {
            err!(
                InvalidArgument,
                "wrapping algorithm must be 'aes256gcm' or 'sm4gcm', got {}",
                q(s)
            )
        })
    }

    fn from_id(s: &str) -> Option<Self> {
        match s {
            "aes256gcm" => Some(Self::Aes256Gcm),
            "sm4gcm" => Some(Self::Sm4Gcm),
            _ => None,
        }
    }

    /// Wrapping-key length in bytes: 32 for AES-256-GCM, 16 for SM4-GCM.
    #[must_use]
    pub fn key_len(self) -> usize {
        match self {
            Self::Aes256Gcm => 32,
            Self::Sm4Gcm => 16,
        }
    }
}

/// The envelope id of an SSE-C key algorithm: `aes256` or `sm4`.
fn key_alg_id(algorithm: SseAlgorithm) -> &'static str {
    match algorithm {
        SseAlgorithm::Aes256 => "aes256",
        SseAlgorithm::Sm4 => "sm4",
    }
}

fn key_alg_from_id(s: &str) -> Option<SseAlgorithm> {
    match s {
        "aes256" => Some(SseAlgorithm::Aes256),
        "sm4" => Some(SseAlgorithm::Sm4),
        _ => None,
    }
}

/// A key-encryption key for [`wrap`] / [`unwrap`]: 32 bytes for AES-256-GCM, 16 for
/// SM4-GCM. Zeroized on drop; `Debug` shows only the algorithm.
#[derive(Clone)]
pub struct WrappingKey {
    algorithm: WrapAlgorithm,
    bytes: Zeroizing<Vec<u8>>,
}

impl WrappingKey {
    /// Imports raw wrapping-key bytes.
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_LENGTH` naming the expected and received lengths.
    pub fn from_bytes(algorithm: WrapAlgorithm, bytes: &[u8]) -> Result<Self> {
        let want = algorithm.key_len();
        if bytes.len() != want {
            return Err(err!(
                InvalidKeyLength,
                "an {} wrapping key must be {} bytes, got {} bytes",
                algorithm.as_str(),
                want,
                bytes.len()
            ));
        }
        Ok(Self {
            algorithm,
            bytes: Zeroizing::new(bytes.to_vec()),
        })
    }

    /// Creates a wrapping key from exactly [`WrapAlgorithm::key_len`] bytes of platform
    /// CSPRNG output (NIST SP 800-133r2 §6.1).
    ///
    /// # Errors
    /// `ERR_INVALID_ARGUMENT` for a wrong length; `ERR_RANDOM_UNAVAILABLE` if every byte
    /// is the same (an unfilled buffer).
    pub fn generate(algorithm: WrapAlgorithm, random: &[u8]) -> Result<Self> {
        check_random(random, algorithm.key_len(), "a wrapping key")?;
        Self::from_bytes(algorithm, random)
    }

    /// Derives a wrapping key from a passphrase: as
    /// [`derive_from_passphrase`](super::derive_from_passphrase) (PBKDF2-HMAC-SHA256,
    /// RFC 8018, then HKDF-Expand, RFC 5869) but with purpose `"wrap"` and the algorithm
    /// id `aes256gcm` / `sm4gcm` in the `info`:
    ///
    /// ```text
    /// key = HKDF-Expand(prk, "cos-wasm/passphrase/v1" || 0x00 || u32be(4) || "wrap"
    ///                        || u32be(len(id)) || id, L = 32 / 16)
    /// ```
    ///
    /// # Errors
    /// `ERR_INVALID_KDF_PARAMS` if the passphrase is empty.
    pub fn derive_from_passphrase(
        passphrase: &str,
        params: KdfParams,
        algorithm: WrapAlgorithm,
    ) -> Result<DerivedKey<Self>> {
        let mut okm = Zeroizing::new(vec![0u8; algorithm.key_len()]);
        params.derive(passphrase, "wrap", algorithm.as_str(), &mut okm)?;
        Ok(DerivedKey {
            key: Self::from_bytes(algorithm, &okm)?,
            params,
        })
    }

    /// The AEAD this key is for.
    #[must_use]
    pub fn algorithm(&self) -> WrapAlgorithm {
        self.algorithm
    }

    /// Log-safe keyed fingerprint: first 16 hex characters of
    /// `HMAC-SHA256(key, "cos-wasm/key-fingerprint/v1" || 0x00 || "wrap" || 0x00 || id)`
    /// (see [`CustomerKey::fingerprint`]).
    #[must_use]
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.bytes, "wrap", self.algorithm.as_str())
    }

    /// Encrypts `buf` in place, returning the tag.
    fn seal(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
        match self.algorithm {
            WrapAlgorithm::Aes256Gcm => seal_with::<Aes256Gcm>(&self.bytes, nonce, aad, buf),
            WrapAlgorithm::Sm4Gcm => seal_with::<Sm4Gcm>(&self.bytes, nonce, aad, buf),
        }
    }

    /// Verifies `tag` and decrypts `buf` in place.
    fn open(&self, nonce: &[u8; 12], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()> {
        match self.algorithm {
            WrapAlgorithm::Aes256Gcm => open_with::<Aes256Gcm>(&self.bytes, nonce, aad, buf, tag),
            WrapAlgorithm::Sm4Gcm => open_with::<Sm4Gcm>(&self.bytes, nonce, aad, buf, tag),
        }
    }
}

impl fmt::Debug for WrappingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WrappingKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

fn seal_with<C>(key: &[u8], nonce: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN]>
where
    C: KeyInit + AeadInOut + AeadCore<NonceSize = U12, TagSize = U16>,
{
    let cipher = C::new_from_slice(key)
        .map_err(|_| err!(InvalidKeyLength, "wrapping key has the wrong length"))?;
    let tag = cipher
        .encrypt_inout_detached(&(*nonce).into(), aad, buf.into())
        .map_err(|_| err!(InvalidArgument, "the associated data is too long"))?;
    Ok(tag.into())
}

fn open_with<C>(key: &[u8], nonce: &[u8; 12], aad: &[u8], buf: &mut [u8], tag: &[u8]) -> Result<()>
where
    C: KeyInit + AeadInOut + AeadCore<NonceSize = U12, TagSize = U16>,
{
    let cipher = C::new_from_slice(key)
        .map_err(|_| err!(InvalidKeyLength, "wrapping key has the wrong length"))?;
    let tag: [u8; TAG_LEN] = tag
        .try_into()
        .map_err(|_| err!(InvalidEnvelope, "the envelope tag is not {} bytes", TAG_LEN))?;
    cipher
        .decrypt_inout_detached(&(*nonce).into(), aad, buf.into(), &tag.into())
        .map_err(|_| unwrap_failed())
}

fn unwrap_failed() -> crate::error::Error {
    err!(UnwrapFailed, "the key envelope did not authenticate: wrong wrapping key, wrong associated data, or the envelope was altered")
}

/// `"cosk1.<aead-id>.<key-alg-id>."`: the envelope prefix, which also starts the AAD.
fn header(wrap: WrapAlgorithm, key: SseAlgorithm) -> String {
    cat!(
        "{}.{}.{}.",
        ENVELOPE_VERSION,
        wrap.as_str(),
        key_alg_id(key)
    )
}

/// Seals `key` under `wrapping` into a version-1 envelope (format in the module
/// documentation and `docs/key-envelope.md`). `aad` is the caller's associated data (e.g.
/// `"<bucket>/<object key>"`); the same bytes must be given to [`unwrap`]. `nonce` must be
/// 12 fresh bytes from the platform CSPRNG: a repeated nonce under one wrapping key breaks
/// GCM, and with random nonces one wrapping key should seal at most 2^32 envelopes (NIST
/// SP 800-38D §8.3).
///
/// # Errors
/// `ERR_RANDOM_UNAVAILABLE` if all nonce bytes are identical (an unfilled buffer).
pub fn wrap(
    key: &CustomerKey,
    wrapping: &WrappingKey,
    aad: &[u8],
    nonce: &[u8; ENVELOPE_NONCE_LEN],
) -> Result<String> {
    check_random(nonce, ENVELOPE_NONCE_LEN, "an envelope nonce")?;
    let header = header(wrapping.algorithm, key.algorithm());
    let mut full_aad = Vec::with_capacity(header.len() + aad.len());
    full_aad.extend_from_slice(header.as_bytes());
    full_aad.extend_from_slice(aad);

    let mut payload = Zeroizing::new(Vec::with_capacity(key.expose_bytes().len() + TAG_LEN));
    payload.extend_from_slice(key.expose_bytes());
    let tag = wrapping.seal(nonce, &full_aad, &mut payload)?;
    payload.extend_from_slice(&tag);
    Ok(cat!(
        "{}{}.{}",
        header,
        encode_url(nonce),
        encode_url(&payload)
    ))
}

/// Opens an envelope made by [`wrap`] with the same wrapping key and `aad`.
///
/// # Errors
/// - `ERR_INVALID_ENVELOPE`: not a well-formed version-1 envelope (unknown version,
///   AEAD or key algorithm, bad base64url, wrong nonce or ciphertext length, too long);
/// - `ERR_UNWRAP_FAILED`: authentication failed (wrong wrapping key or algorithm, wrong
///   `aad`, altered envelope).
///
/// Never panics, whatever the input.
pub fn unwrap(envelope: &str, wrapping: &WrappingKey, aad: &[u8]) -> Result<CustomerKey> {
    let text = envelope.trim_matches(|c: char| c.is_ascii_whitespace());
    if text.len() > MAX_ENVELOPE_LEN {
        return Err(err!(
            InvalidEnvelope,
            "a key envelope is at most {} characters, got {}",
            MAX_ENVELOPE_LEN,
            text.len()
        ));
    }
    let malformed = || {
        err!(
            InvalidEnvelope,
            "not a key envelope: expected 'cosk1.<aead>.<key-alg>.<nonce>.<ciphertext>'"
        )
    };
    let mut parts = text.split('.');
    let (Some(version), Some(aead_id), Some(alg_id), Some(nonce_b64), Some(payload_b64), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed());
    };
    if version != ENVELOPE_VERSION {
        return Err(err!(
            InvalidEnvelope,
            "unknown key envelope version (this build reads '{}')",
            ENVELOPE_VERSION
        ));
    }
    let aead = WrapAlgorithm::from_id(aead_id).ok_or_else(|| {
        err!(
            InvalidEnvelope,
            "unknown envelope AEAD (expected 'aes256gcm' or 'sm4gcm')"
        )
    })?;
    let algorithm = key_alg_from_id(alg_id).ok_or_else(|| {
        err!(
            InvalidEnvelope,
            "unknown envelope key algorithm (expected 'aes256' or 'sm4')"
        )
    })?;
    let nonce: [u8; ENVELOPE_NONCE_LEN] = decode_url(nonce_b64)
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| {
            err!(
                InvalidEnvelope,
                "the envelope nonce must be {} bytes of unpadded base64url",
                ENVELOPE_NONCE_LEN
            )
        })?;
    let want = super::customer_key_len(algorithm) + TAG_LEN;
    let mut payload = Zeroizing::new(decode_url(payload_b64).ok_or_else(malformed)?);
    if payload.len() != want {
        return Err(err!(
            InvalidEnvelope,
            "the envelope ciphertext must be {} bytes for {}, got {} bytes",
            want,
            algorithm.as_str(),
            payload.len()
        ));
    }
    if aead != wrapping.algorithm {
        return Err(unwrap_failed());
    }
    let mut full_aad = Vec::with_capacity(MAX_ENVELOPE_LEN + aad.len());
    full_aad.extend_from_slice(header(aead, algorithm).as_bytes());
    full_aad.extend_from_slice(aad);

    let key_len = super::customer_key_len(algorithm);
    let (ciphertext, tag) = payload
        .split_at_mut_checked(key_len)
        .ok_or_else(malformed)?;
    wrapping.open(&nonce, &full_aad, ciphertext, tag)?;
    CustomerKey::from_bytes(algorithm, ciphertext)
}
