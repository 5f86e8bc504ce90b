//! The encryption algorithms COS offers for every SSE mode (protocol §3).

use crate::error::{err, Result};

/// The two SSE algorithms COS offers for every mode (default AES256; SM4 per the 2026 SSE overview).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SseAlgorithm {
    /// AES-256 (`AES256`); SSE-C keys are 32 bytes.
    #[default]
    Aes256,
    /// SM4 (`SM4`); SSE-C keys are 16 bytes (the SM4 key size; UNCONFIRMED by COS, see
    /// [`SM4_CUSTOMER_KEY_LEN`](crate::keys::SM4_CUSTOMER_KEY_LEN)).
    Sm4,
}

impl SseAlgorithm {
    /// Parses `AES256` or `SM4` (exact, as COS spells them).
    ///
    /// # Errors
    /// `ERR_INVALID_SSE` otherwise.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "AES256" => Ok(Self::Aes256),
            "SM4" => Ok(Self::Sm4),
            // The value is not echoed: with swapped arguments
            // (`fromBase64(key, 'AES256')`) it would be the secret key.
            _ => Err(err!(
                InvalidSse,
                "algorithm must be 'AES256' or 'SM4' (got {} characters of something else)",
                s.chars().count()
            )),
        }
    }

    /// `AES256` or `SM4`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Sm4 => "SM4",
        }
    }
}
