//! SSE-C customer keys (protocol §3 SSE-C; [SSE-C headers](https://cloud.tencent.com/document/product/436/7728)).
//!
//! A [`CustomerKey`] holds raw key bytes, zeroized on drop, and never prints them.
//!
//! Besides importing keys this module prepares them on the client:
//! - [`CustomerKey::generate`] from caller-supplied CSPRNG bytes (no RNG in the crate);
//! - [`derive_hkdf`]: one key per object from a master secret (HKDF-SHA256, RFC 5869);
//! - [`derive_from_passphrase`]: a key from a passphrase (PBKDF2-HMAC-SHA256, RFC 8018,
//!   then HKDF-Expand), returning the [`KdfParams`] to store;
//! - [`wrap`] / [`unwrap`]: a key sealed under a [`WrappingKey`] (AES-256-GCM or SM4-GCM)
//!   into a versioned ASCII envelope, format in `docs/key-envelope.md`.
//!
//! Secrets never appear in `Debug` output or error messages, and every temporary copy of
//! key material lives in [`Zeroizing`] storage.

use core::fmt;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::algorithm::SseAlgorithm;
use crate::base64;
use crate::crypto::{hex, md5_secret};
use crate::error::{err, Result};

mod derive;
mod envelope;

pub use derive::{
    derive_from_passphrase, derive_hkdf, hkdf_info, hkdf_sha256, pbkdf2_hmac_sha256, DerivedKey,
    KdfParams, HKDF_INFO_LABEL, MAX_SALT_LEN, MIN_MASTER_KEY_LEN, MIN_SALT_LEN,
    PASSPHRASE_INFO_LABEL, PBKDF2_DEFAULT_ITERATIONS, PBKDF2_MAX_ITERATIONS, PBKDF2_MIN_ITERATIONS,
};
pub use envelope::{
    unwrap, wrap, Sm4Gcm, WrapAlgorithm, WrappingKey, ENVELOPE_NONCE_LEN, ENVELOPE_VERSION,
    MAX_ENVELOPE_LEN,
};

/// Label of the key fingerprint (see [`CustomerKey::fingerprint`]); versioned so the
/// construction can change without old and new fingerprints colliding.
pub const FINGERPRINT_LABEL: &str = "cos-wasm/key-fingerprint/v1";

/// Number of hex characters in a fingerprint (64 bits of HMAC-SHA256 output).
pub const FINGERPRINT_HEX_LEN: usize = 16;

/// Key length for AES256 SSE-C keys (documented by COS).
pub const AES256_CUSTOMER_KEY_LEN: usize = 32;
/// Key length assumed for SM4 SSE-C keys: the SM4 key size. COS documents SSE-C with SM4
/// only briefly (UNCONFIRMED); this one constant is the assumption.
pub const SM4_CUSTOMER_KEY_LEN: usize = 16;

/// The key length required for `algorithm`.
#[must_use]
pub fn customer_key_len(algorithm: SseAlgorithm) -> usize {
    match algorithm {
        SseAlgorithm::Aes256 => AES256_CUSTOMER_KEY_LEN,
        SseAlgorithm::Sm4 => SM4_CUSTOMER_KEY_LEN,
    }
}

/// An SSE-C key: raw bytes of the length its algorithm needs.
///
/// No `Debug`/`Display` output contains key bytes; memory is zeroized on drop.
#[derive(Clone)]
pub struct CustomerKey {
    algorithm: SseAlgorithm,
    bytes: Zeroizing<Vec<u8>>,
}

impl CustomerKey {
    /// Imports raw key bytes.
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_LENGTH` naming the expected and received lengths (never the bytes).
    pub fn from_bytes(algorithm: SseAlgorithm, bytes: &[u8]) -> Result<Self> {
        let want = customer_key_len(algorithm);
        if bytes.len() != want {
            return Err(err!(
                InvalidKeyLength,
                "an {} SSE-C key must be {} bytes, got {} bytes",
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

    /// Imports a base64 key (standard alphabet, padded).
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_ENCODING` if not base64; `ERR_INVALID_KEY_LENGTH` if the decoded
    /// length is wrong.
    pub fn from_base64(algorithm: SseAlgorithm, text: &str) -> Result<Self> {
        let bytes = Zeroizing::new(
            base64::decode(text.trim())
                .ok_or_else(|| err!(InvalidKeyEncoding, "the SSE-C key is not valid base64"))?,
        );
        Self::from_bytes(algorithm, &bytes)
    }

    /// Creates a key from `random`, which must be exactly [`customer_key_len`] bytes read
    /// from the platform CSPRNG (`crypto.getRandomValues` in JS). The crate has no RNG of
    /// its own (project rule); the bytes are used as the key unchanged (NIST SP 800-133r2
    /// §6.1: a symmetric key taken directly from an approved RBG output).
    ///
    /// # Errors
    /// `ERR_INVALID_ARGUMENT` if `random` has the wrong length; `ERR_RANDOM_UNAVAILABLE` if
    /// every byte is the same (e.g. an all-zero buffer the RNG never filled), which a
    /// working CSPRNG produces with probability at most 2^-120.
    pub fn generate(algorithm: SseAlgorithm, random: &[u8]) -> Result<Self> {
        check_random(random, customer_key_len(algorithm), "an SSE-C key")?;
        Self::from_bytes(algorithm, random)
    }

    /// Imports a hex key (RFC 4648 §8 base16, upper or lower case, no prefix or separators;
    /// surrounding whitespace ignored): 64 digits for AES256, 32 for SM4.
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_ENCODING` if the text is not an even number of hex digits;
    /// `ERR_INVALID_KEY_LENGTH` if the decoded length is wrong.
    pub fn from_hex(algorithm: SseAlgorithm, text: &str) -> Result<Self> {
        let bytes = hex_decode(text.trim())
            .ok_or_else(|| err!(InvalidKeyEncoding, "the SSE-C key is not valid hex"))?;
        Self::from_bytes(algorithm, &bytes)
    }

    /// A short, log-safe identifier of this key: the first [`FINGERPRINT_HEX_LEN`] lowercase
    /// hex characters of `HMAC-SHA256(key, FINGERPRINT_LABEL || 0x00 || "sse-c" || 0x00 ||
    /// algorithm)` (HMAC per RFC 2104, SHA-256 per FIPS 180-4), algorithm being `AES256`
    /// or `SM4`.
    ///
    /// Unlike the key MD5 (an unkeyed hash that COS receives and that identifies the key
    /// to anyone holding a candidate), this value is keyed by the key itself and bound to
    /// a versioned label, so it is not reusable as any protocol value. It still lets a
    /// holder of candidate keys test them: do not publish fingerprints of keys derived
    /// from weak passphrases.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.bytes, "sse-c", self.algorithm.as_str())
    }

    /// The algorithm this key is for.
    #[must_use]
    pub fn algorithm(&self) -> SseAlgorithm {
        self.algorithm
    }

    /// Base64 of the raw key: the `…-customer-key` header value. Secret.
    #[must_use]
    pub fn key_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(base64::encode(&self.bytes))
    }

    /// Base64 of the MD5 of the raw key bytes: the `…-customer-key-MD5` header value.
    #[must_use]
    pub fn md5_base64(&self) -> String {
        base64::encode(&md5_secret(&self.bytes))
    }

    /// The raw key bytes. Secret: do not copy them out of zeroizing storage.
    #[must_use]
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// Checks a caller-supplied CSPRNG buffer: exact length and not one repeated byte.
pub(crate) fn check_random(random: &[u8], want: usize, what: &str) -> Result<()> {
    if random.len() != want {
        return Err(err!(
            InvalidArgument,
            "{} needs exactly {} random bytes from the platform CSPRNG, got {} bytes",
            what,
            want,
            random.len()
        ));
    }
    if let Some((first, rest)) = random.split_first() {
        if rest.iter().all(|b| b == first) {
            return Err(err!(RandomUnavailable, "the random bytes for {} are all identical: the platform CSPRNG did not fill the buffer", what));
        }
    }
    Ok(())
}

/// Keyed fingerprint shared by customer and wrapping keys (see [`CustomerKey::fingerprint`]).
pub(crate) fn fingerprint(key: &[u8], kind: &str, algorithm: &str) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(FINGERPRINT_LABEL.as_bytes());
    mac.update(&[0]);
    mac.update(kind.as_bytes());
    mac.update(&[0]);
    mac.update(algorithm.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut out = hex(&tag);
    out.truncate(FINGERPRINT_HEX_LEN);
    out
}

/// Decodes base16 (either case) into zeroizing storage; `None` if malformed.
fn hex_decode(text: &str) -> Option<Zeroizing<Vec<u8>>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(digits.len() / 2));
    for pair in digits.chunks_exact(2) {
        let [hi, lo] = pair else { return None };
        out.push((nibble(*hi)? << 4) | nibble(*lo)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example() {
        let k = CustomerKey::from_bytes(SseAlgorithm::Aes256, b"0123456789ABCDEF0123456789ABCDEF")
            .expect("32");
        assert_eq!(
            k.key_base64().as_str(),
            "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY="
        );
        assert_eq!(k.md5_base64(), "U5L61r7jcwdNvT7frmUG8g==");
        assert!(!format!("{k:?}").contains("0123"));
        assert!(CustomerKey::from_bytes(SseAlgorithm::Sm4, &[0; 32]).is_err());
    }
}
