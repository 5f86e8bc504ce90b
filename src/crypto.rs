//! Thin wrappers over the RustCrypto digests used by the signers and the key paths (HMAC,
//! SHA-1, SHA-256, MD5 of a secret). The streaming hashers of `cos-wasm/hash` are the other
//! module that names the digest crates (`hash/digests.rs`).

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use crate::text::{push_hex_byte, HEX_LOWER};

/// Lowercase hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    // Built at the final size (no reallocation leaves a copy of a key's hex), as chars: no
    // UTF-8 validation (`String::from_utf8`) is needed or linked for ASCII digits.
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        push_hex_byte(&mut out, b, HEX_LOWER);
    }
    out
}

/// `hex(HMAC-SHA1(key, msg))`, the building block of the COS q-sign signature.
#[must_use]
pub fn hmac_sha1_hex(key: &[u8], msg: &[u8]) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(msg);
    hex(&mac.finalize().into_bytes())
}

/// `hex(SHA1(msg))`.
#[must_use]
pub fn sha1_hex(msg: &[u8]) -> String {
    hex(&Sha1::digest(msg))
}

/// Raw `HMAC-SHA256(key, msg)`, the step of the TC3 key derivation (zeroized on drop:
/// every intermediate TC3 key is secret).
#[must_use]
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> zeroize::Zeroizing<[u8; 32]> {
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    // HMAC accepts keys of any length, so this never fails.
    if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) {
        mac.update(msg);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

/// `hex(SHA256(msg))`.
#[must_use]
pub fn sha256_hex(msg: &[u8]) -> String {
    hex(&Sha256::digest(msg))
}

/// Raw MD5 of `msg`.
#[must_use]
pub fn md5(msg: &[u8]) -> [u8; 16] {
    md5::Md5::digest(msg).into()
}

/// Bytes of stack [`md5_secret`] overwrites after hashing: more than the hasher, its block
/// buffer and the compression function's locals take (well under 1 KiB).
const STACK_SCRUB_BYTES: usize = 4096;

/// MD5 of a secret (an SSE-C key): the hash runs in its own frame, then that stretch of
/// stack is overwritten, so no copy of the key's bytes stays in the hasher's block buffer or
/// in the compression function's locals (on wasm, the shadow stack in linear memory, which a
/// page can read after the call and after `free()`: issue 25).
#[must_use]
pub fn md5_secret(msg: &[u8]) -> [u8; 16] {
    let out = md5_in_own_frame(msg);
    scrub_stack();
    out
}

#[inline(never)]
fn md5_in_own_frame(msg: &[u8]) -> [u8; 16] {
    let mut hasher = md5::Md5::new();
    Digest::update(&mut hasher, msg);
    let out: [u8; 16] = Digest::finalize_reset(&mut hasher).into();
    core::hint::black_box(&mut hasher);
    out
}

/// Overwrites `STACK_SCRUB_BYTES` of stack below the caller's frame with zeros (volatile
/// writes, which the optimiser cannot drop).
#[inline(never)]
fn scrub_stack() {
    let mut area = [0u8; STACK_SCRUB_BYTES];
    zeroize::Zeroize::zeroize(&mut area[..]);
    core::hint::black_box(&mut area);
}
