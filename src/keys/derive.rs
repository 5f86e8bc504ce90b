//! Deterministic key derivation: HKDF-SHA256 (RFC 5869) from a master secret, and
//! PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) from a passphrase.
//!
//! Every derivation binds a versioned label, so keys derived for one purpose (an SSE-C
//! key, a wrapping key, another version of this format) are unrelated to keys derived for
//! another, even from the same secret and salt. The byte formats are written out in
//! `docs/key-envelope.md` so other languages can reproduce them.

use core::fmt;
use core::str::FromStr;

use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{customer_key_len, CustomerKey};
use crate::algorithm::SseAlgorithm;
use crate::error::{err, Result};
use crate::text::parse_u64;

/// Version label that starts the HKDF `info` of [`derive_hkdf`].
pub const HKDF_INFO_LABEL: &str = "cos-wasm/sse-c/v1";

/// Version label that starts the HKDF-Expand `info` of passphrase derivation
/// ([`derive_from_passphrase`], [`WrappingKey::derive_from_passphrase`](super::WrappingKey::derive_from_passphrase)).
pub const PASSPHRASE_INFO_LABEL: &str = "cos-wasm/passphrase/v1";

/// Minimum master-secret length for [`derive_hkdf`]: 16 bytes (128 bits; NIST SP 800-108r1
/// and SP 800-56C require the key-derivation key to carry at least the security strength
/// wanted).
pub const MIN_MASTER_KEY_LEN: usize = 16;

/// Minimum PBKDF2 salt length: 16 bytes (NIST SP 800-132 §5.1 asks for at least 128 bits,
/// randomly generated).
pub const MIN_SALT_LEN: usize = 16;

/// Largest salt accepted (in bytes), so a stored parameter string cannot be made huge.
pub const MAX_SALT_LEN: usize = 1024;

/// Default PBKDF2-HMAC-SHA256 iteration count: 600,000 (OWASP Password Storage Cheat
/// Sheet, 2023 recommendation for PBKDF2-HMAC-SHA256).
pub const PBKDF2_DEFAULT_ITERATIONS: u32 = 600_000;

/// Lowest iteration count accepted by [`KdfParams`]: 100,000. Below OWASP's 600,000 on
/// purpose, for interoperability with stores created by slower clients; new parameters
/// should use [`PBKDF2_DEFAULT_ITERATIONS`].
pub const PBKDF2_MIN_ITERATIONS: u32 = 100_000;

/// Highest iteration count accepted by [`KdfParams`]: 10,000,000. Stops a stored (possibly
/// attacker-supplied) parameter string from pinning a browser tab for hours.
pub const PBKDF2_MAX_ITERATIONS: u32 = 10_000_000;

/// Largest output [`pbkdf2_hmac_sha256`] and [`hkdf_sha256`] produce in one call (bytes).
const MAX_RAW_OUTPUT: usize = 255 * 32;

/// Longest parameter string [`KdfParams::parse`] looks at.
const MAX_PARAMS_LEN: usize = 2048;

/// Algorithm name in the [`KdfParams`] string.
const PARAMS_ALGORITHM: &str = "pbkdf2-sha256";

/// Version of the passphrase construction in the [`KdfParams`] string (`v=1`: PBKDF2 then
/// HKDF-Expand with [`PASSPHRASE_INFO_LABEL`]).
const PARAMS_VERSION: &str = "v=1";

/// Appends `u32be(len(field)) || field`.
fn push_field(out: &mut Vec<u8>, field: &[u8]) -> Result<()> {
    let len = u32::try_from(field.len()).map_err(|_| {
        err!(
            InvalidKdfParams,
            "a key-derivation field is longer than 2^32-1 bytes"
        )
    })?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(field);
    Ok(())
}

/// The HKDF `info` used by [`derive_hkdf`]:
///
/// ```text
/// info = "cos-wasm/sse-c/v1" || 0x00
///        || u32be(len(alg))    || alg          (ASCII "AES256" or "SM4")
///        || u32be(len(bucket)) || bucket       (UTF-8, as given)
///        || u32be(len(key))    || object_key   (UTF-8, as given, no leading '/')
/// ```
///
/// Length prefixes make the encoding injective: no two (algorithm, bucket, key) triples
/// share an `info`, whatever bytes they contain.
///
/// # Errors
/// `ERR_INVALID_KDF_PARAMS` if a field is longer than 2^32-1 bytes.
pub fn hkdf_info(algorithm: SseAlgorithm, bucket: &str, object_key: &str) -> Result<Vec<u8>> {
    let mut info = Vec::with_capacity(
        HKDF_INFO_LABEL.len() + 13 + algorithm.as_str().len() + bucket.len() + object_key.len(),
    );
    info.extend_from_slice(HKDF_INFO_LABEL.as_bytes());
    info.push(0);
    push_field(&mut info, algorithm.as_str().as_bytes())?;
    push_field(&mut info, bucket.as_bytes())?;
    push_field(&mut info, object_key.as_bytes())?;
    Ok(info)
}

/// HKDF-SHA256 (RFC 5869 §2): extract with `salt` (empty = HashLen zero bytes, §2.2), then
/// expand `info` into `okm`. The primitive behind [`derive_hkdf`], public for known-answer
/// tests and interoperability; it applies no policy on input lengths.
///
/// # Errors
/// `ERR_INVALID_KDF_PARAMS` if `okm` is empty or longer than 255 × 32 bytes (RFC 5869 §2.3).
pub fn hkdf_sha256(salt: &[u8], ikm: &[u8], info: &[u8], okm: &mut [u8]) -> Result<()> {
    if okm.is_empty() || okm.len() > MAX_RAW_OUTPUT {
        return Err(err!(
            InvalidKdfParams,
            "HKDF-SHA256 output must be 1..={} bytes, got {}",
            MAX_RAW_OUTPUT,
            okm.len()
        ));
    }
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm)
        .map_err(|_| err!(InvalidKdfParams, "HKDF-SHA256 output length out of range"))
}

/// PBKDF2 with HMAC-SHA256 as PRF (RFC 8018 §5.2) into `out`. The primitive behind
/// passphrase derivation, public for known-answer tests and interoperability.
///
/// It enforces no iteration floor: use [`derive_from_passphrase`] (which validates through
/// [`KdfParams`]) for real keys.
///
/// # Errors
/// `ERR_INVALID_KDF_PARAMS` if `iterations` is 0 or `out` is empty or longer than
/// 255 × 32 bytes.
pub fn pbkdf2_hmac_sha256(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    if iterations == 0 {
        return Err(err!(InvalidKdfParams, "PBKDF2 needs at least 1 iteration"));
    }
    if out.is_empty() || out.len() > MAX_RAW_OUTPUT {
        return Err(err!(
            InvalidKdfParams,
            "PBKDF2 output must be 1..={} bytes, got {}",
            MAX_RAW_OUTPUT,
            out.len()
        ));
    }
    pbkdf2::pbkdf2::<hmac::Hmac<Sha256>>(password, salt, iterations, out)
        .map_err(|_| err!(InvalidKdfParams, "PBKDF2 could not key HMAC-SHA256"))
}

/// Derives the SSE-C key for one object from a master secret (HKDF-SHA256, RFC 5869):
///
/// ```text
/// key = HKDF-SHA256(salt, IKM = master, info = hkdf_info(algorithm, bucket, object_key),
///                   L = 32 for AES256, 16 for SM4)
/// ```
///
/// with `info` as documented at [`hkdf_info`]. The same inputs always give the same key, on
/// any device, so only the master secret needs storing. `salt` may be empty (RFC 5869 §3.1
/// then uses zeros) but a fixed random application salt is recommended. Bucket and object
/// key are used byte for byte: `photos/a.jpg` and `/photos/a.jpg` give different keys.
///
/// # Errors
/// `ERR_INVALID_KDF_PARAMS` if `master` is shorter than [`MIN_MASTER_KEY_LEN`] or `bucket`
/// or `object_key` is empty.
pub fn derive_hkdf(
    master: &[u8],
    salt: &[u8],
    bucket: &str,
    object_key: &str,
    algorithm: SseAlgorithm,
) -> Result<CustomerKey> {
    if master.len() < MIN_MASTER_KEY_LEN {
        return Err(err!(
            InvalidKdfParams,
            "the HKDF master secret must be at least {} bytes, got {} bytes",
            MIN_MASTER_KEY_LEN,
            master.len()
        ));
    }
    if bucket.is_empty() || object_key.is_empty() {
        return Err(err!(
            InvalidKdfParams,
            "HKDF key derivation needs a non-empty bucket and object key"
        ));
    }
    let info = hkdf_info(algorithm, bucket, object_key)?;
    let mut okm = Zeroizing::new(vec![0u8; customer_key_len(algorithm)]);
    hkdf_sha256(salt, master, &info, &mut okm)?;
    CustomerKey::from_bytes(algorithm, &okm)
}

/// Stored parameters of a passphrase derivation: PBKDF2-HMAC-SHA256 iteration count and
/// salt (neither is secret).
///
/// Text form (ASCII, `$`-separated, fields in this order, nothing else):
///
/// ```text
/// pbkdf2-sha256$v=1$i=<iterations>$salt=<base64url, no padding>
/// ```
///
/// `v=1` names the cos-wasm construction (PBKDF2 then HKDF-Expand with
/// [`PASSPHRASE_INFO_LABEL`]); `<iterations>` is decimal without sign or leading zeros,
/// within [`PBKDF2_MIN_ITERATIONS`]..=[`PBKDF2_MAX_ITERATIONS`]; the salt is
/// RFC 4648 §5 base64url without `=` padding, canonical, [`MIN_SALT_LEN`]..=1024 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct KdfParams {
    iterations: u32,
    salt: Vec<u8>,
}

impl KdfParams {
    /// PBKDF2-HMAC-SHA256 parameters with `salt` (at least [`MIN_SALT_LEN`] bytes from the
    /// platform CSPRNG, new for each passphrase) and `iterations` (use
    /// [`PBKDF2_DEFAULT_ITERATIONS`] unless you must match an existing store).
    ///
    /// # Errors
    /// `ERR_INVALID_KDF_PARAMS` if `iterations` is outside
    /// [`PBKDF2_MIN_ITERATIONS`]..=[`PBKDF2_MAX_ITERATIONS`] or the salt length is outside
    /// [`MIN_SALT_LEN`]..=1024.
    pub fn pbkdf2_sha256(iterations: u32, salt: &[u8]) -> Result<Self> {
        if !(PBKDF2_MIN_ITERATIONS..=PBKDF2_MAX_ITERATIONS).contains(&iterations) {
            return Err(err!(
                InvalidKdfParams,
                "PBKDF2 iterations must be {}..={} \
                 (default {}), got {}",
                PBKDF2_MIN_ITERATIONS,
                PBKDF2_MAX_ITERATIONS,
                PBKDF2_DEFAULT_ITERATIONS,
                iterations
            ));
        }
        if !(MIN_SALT_LEN..=MAX_SALT_LEN).contains(&salt.len()) {
            return Err(err!(
                InvalidKdfParams,
                "the PBKDF2 salt must be {}..={} random bytes, got {} bytes",
                MIN_SALT_LEN,
                MAX_SALT_LEN,
                salt.len()
            ));
        }
        Ok(Self {
            iterations,
            salt: salt.to_vec(),
        })
    }

    /// Parses the text form (see the type documentation).
    ///
    /// # Errors
    /// `ERR_INVALID_KDF_PARAMS` if the text is not exactly that form or its values are out
    /// of range.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || {
            err!(
                InvalidKdfParams,
                "KDF parameters must look like 'pbkdf2-sha256$v=1$i=600000$salt=<base64url>'"
            )
        };
        if text.len() > MAX_PARAMS_LEN {
            return Err(bad());
        }
        let mut parts = text.split('$');
        let (Some(alg), Some(version), Some(iterations), Some(salt), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        if alg != PARAMS_ALGORITHM || version != PARAMS_VERSION {
            return Err(err!(
                InvalidKdfParams,
                "unsupported KDF parameters: expected '{}${}'",
                PARAMS_ALGORITHM,
                PARAMS_VERSION
            ));
        }
        let digits = iterations.strip_prefix("i=").ok_or_else(bad)?;
        if digits.is_empty()
            || digits.len() > 10
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let iterations = parse_u64(digits)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(bad)?;
        let salt = salt.strip_prefix("salt=").ok_or_else(bad)?;
        let salt = crate::base64::decode_url(salt).ok_or_else(bad)?;
        Self::pbkdf2_sha256(iterations, &salt)
    }

    /// The PBKDF2 iteration count.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The salt bytes.
    #[must_use]
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// PBKDF2 output (32 bytes) then HKDF-Expand (RFC 5869 §2.3, PRK = that output) with
    /// `info = PASSPHRASE_INFO_LABEL || 0x00 || u32be(len(purpose)) || purpose ||
    /// u32be(len(alg)) || alg`, `L = out.len()`.
    pub(crate) fn derive(
        &self,
        passphrase: &str,
        purpose: &str,
        algorithm: &str,
        out: &mut [u8],
    ) -> Result<()> {
        if passphrase.is_empty() {
            return Err(err!(InvalidKdfParams, "the passphrase is empty"));
        }
        let mut prk = Zeroizing::new([0u8; 32]);
        pbkdf2_hmac_sha256(
            passphrase.as_bytes(),
            &self.salt,
            self.iterations,
            prk.as_mut_slice(),
        )?;
        let mut info =
            Vec::with_capacity(PASSPHRASE_INFO_LABEL.len() + 9 + purpose.len() + algorithm.len());
        info.extend_from_slice(PASSPHRASE_INFO_LABEL.as_bytes());
        info.push(0);
        push_field(&mut info, purpose.as_bytes())?;
        push_field(&mut info, algorithm.as_bytes())?;
        Hkdf::<Sha256>::from_prk(prk.as_slice())
            .map_err(|_| err!(InvalidKdfParams, "PBKDF2 output is not a valid HKDF PRK"))?
            .expand(&info, out)
            .map_err(|_| err!(InvalidKdfParams, "derived key length out of range"))
    }
}

/// `pbkdf2-sha256$<version>$i=<iterations>$salt=<base64url>`.
impl crate::error::Piece for KdfParams {
    fn push_to(&self, out: &mut String) {
        out.push_str(PARAMS_ALGORITHM);
        out.push('$');
        PARAMS_VERSION.push_to(out);
        out.push_str("$i=");
        self.iterations.push_to(out);
        out.push_str("$salt=");
        out.push_str(&crate::base64::encode_url(&self.salt));
    }
}

impl fmt::Display for KdfParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::error::cat!("{}", self))
    }
}

impl fmt::Debug for KdfParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Salt and iterations are public (they are stored next to the ciphertext).
        f.write_str("KdfParams(")?;
        fmt::Display::fmt(self, f)?;
        f.write_str(")")
    }
}

impl FromStr for KdfParams {
    type Err = crate::error::Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

/// A key produced from a passphrase together with the parameters needed to derive it
/// again elsewhere (store `params.to_string()` next to the data; it is not secret).
#[derive(Clone, Debug)]
pub struct DerivedKey<K> {
    /// The derived key (zeroized on drop; `Debug` shows no key bytes).
    pub key: K,
    /// The parameters used.
    pub params: KdfParams,
}

/// Derives an SSE-C key from a passphrase (PBKDF2-HMAC-SHA256, RFC 8018 §5.2, then
/// HKDF-Expand, RFC 5869 §2.3):
///
/// ```text
/// prk = PBKDF2-HMAC-SHA256(P = UTF-8(passphrase), S = params.salt, c = params.iterations, dkLen = 32)
/// key = HKDF-Expand(prk, info = "cos-wasm/passphrase/v1" || 0x00
///                               || u32be(5) || "sse-c" || u32be(len(alg)) || alg,
///                   L = 32 for AES256 / 16 for SM4)          alg = "AES256" or "SM4"
/// ```
///
/// The expand step separates purposes: the same passphrase and salt give unrelated SSE-C
/// and wrapping keys. For a first derivation build `params` with
/// [`KdfParams::pbkdf2_sha256`] (fresh random salt, [`PBKDF2_DEFAULT_ITERATIONS`]); to
/// derive again, [`KdfParams::parse`] the stored string. The passphrase is used as UTF-8
/// bytes without Unicode normalization: normalize (NFC) before calling if input methods
/// differ between devices.
///
/// # Errors
/// `ERR_INVALID_KDF_PARAMS` if the passphrase is empty.
pub fn derive_from_passphrase(
    passphrase: &str,
    params: KdfParams,
    algorithm: SseAlgorithm,
) -> Result<DerivedKey<CustomerKey>> {
    let mut okm = Zeroizing::new(vec![0u8; customer_key_len(algorithm)]);
    params.derive(passphrase, "sse-c", algorithm.as_str(), &mut okm)?;
    Ok(DerivedKey {
        key: CustomerKey::from_bytes(algorithm, &okm)?,
        params,
    })
}
