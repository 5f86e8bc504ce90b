//! SSE-C customer keys (spec §3 SSE-C; [SSE-C headers](https://cloud.tencent.com/document/product/436/7728)).
//!
//! A [`CustomerKey`] holds raw key bytes, zeroized on drop, and never prints them.

use core::fmt;
use zeroize::Zeroizing;

use crate::crypto::{b64, b64_decode, md5};
use crate::error::{err, Result};
use crate::sse::SseAlgorithm;

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
                "an {} SSE-C key must be {want} bytes, got {} bytes",
                algorithm.as_str(),
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
            b64_decode(text.trim())
                .ok_or_else(|| err!(InvalidKeyEncoding, "the SSE-C key is not valid base64"))?,
        );
        Self::from_bytes(algorithm, &bytes)
    }

    /// The algorithm this key is for.
    #[must_use]
    pub fn algorithm(&self) -> SseAlgorithm {
        self.algorithm
    }

    /// Base64 of the raw key: the `…-customer-key` header value. Secret.
    #[must_use]
    pub fn key_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(b64(&self.bytes))
    }

    /// Base64 of the MD5 of the raw key bytes: the `…-customer-key-MD5` header value.
    #[must_use]
    pub fn md5_base64(&self) -> String {
        b64(&md5(&self.bytes))
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
