//! Data integrity (protocol §5): CRC-64/XZ as COS returns it in `x-cos-hash-crc64ecma`,
//! `crc64_combine` for multipart uploads, and streaming MD5 / SHA-1 for `Content-MD5`,
//! ETags and `x-cos-content-sha1`.
//!
//! Everything here is plain Rust (no JS types); the wasm binding wraps the hashers as
//! classes.

mod crc64;
mod digests;

pub use crc64::{crc64, crc64_combine, crc64_to_string, Crc64};
pub use digests::{content_md5, Md5Hasher, Sha1Hasher};

use crate::error::{err, q, Result};

/// Checks a local CRC-64 against COS's `x-cos-hash-crc64ecma` header (protocol §5).
///
/// The header is an unsigned decimal `u64`; surrounding whitespace is ignored, anything
/// else (sign, hex, empty, overflow) is `ERR_INVALID_ARGUMENT`. A different value is
/// `ERR_CRC64_MISMATCH`, with both values in the message.
///
/// ```
/// use cos_wasm::hash::{crc64, verify_crc64};
/// verify_crc64(crc64(b"[Object Part]"), " 4510578591875220731 ")?;
/// # Ok::<(), cos_wasm::Error>(())
/// ```
pub fn verify_crc64(local: u64, header_value: &str) -> Result<()> {
    let text = header_value.trim();
    let remote = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().ok()
    } else {
        None
    };
    let Some(remote) = remote else {
        let shown: String = text.chars().take(64).collect();
        return Err(err!(
            InvalidArgument,
            "x-cos-hash-crc64ecma must be an unsigned decimal 64-bit integer, got {}",
            q(&shown)
        ));
    };
    if remote == local {
        Ok(())
    } else {
        Err(err!(
            Crc64Mismatch,
            "CRC-64 mismatch: local {}, COS x-cos-hash-crc64ecma {}; the data was \
             corrupted or changed in transit, retry the transfer",
            local,
            remote
        ))
    }
}
