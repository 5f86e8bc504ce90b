//! CRC-64/XZ ("crc64ecma" in COS headers), slicing-by-16, plus `crc64_combine`.
//!
//! Protocol §5: poly `0x42F0E1EBA9EA3693` (reflected `0xC96C5795D7870F42`), init and xorout
//! all ones, refin/refout. The 32 KiB of slicing tables are built on first use (about
//! 4 k table steps, microseconds) instead of being shipped as incompressible `.rodata`:
//! they were a quarter of the gzipped `.wasm`. The small `crc64_combine` table stays
//! const-evaluated.

use std::sync::OnceLock;

/// Reflected CRC-64/ECMA-182 polynomial (protocol §5).
const POLY: u64 = 0xC96C_5795_D787_0F42;

/// Number of slicing tables (slicing-by-16: 16 x 256 x 8 B = 32 KiB, built at run time).
const SLICES: usize = 16;

/// The slicing tables: `tables()[0]` is the classic byte-at-a-time table; `tables()[k][b]`
/// is the CRC of byte `b` followed by `k` zero bytes, so 16 input bytes fold with 16
/// independent lookups. Built once, on the first CRC computed.
fn tables() -> &'static [[u64; 256]; SLICES] {
    static TABLES: OnceLock<Box<[[u64; 256]; SLICES]>> = OnceLock::new();
    TABLES.get_or_init(build_tables)
}

/// Builds the slicing tables (without indexing: every step walks whole tables).
fn build_tables() -> Box<[[u64; 256]; SLICES]> {
    let mut t0 = [0u64; 256];
    for (i, entry) in (0u64..).zip(t0.iter_mut()) {
        let mut crc = i;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
        }
        *entry = crc;
    }
    let mut t = Box::new([t0; SLICES]);
    let mut prev = t0;
    for table in t.iter_mut().skip(1) {
        for (entry, &p) in table.iter_mut().zip(prev.iter()) {
            *entry = (p >> 8) ^ lookup(&t0, p);
        }
        prev = *table;
    }
    t
}

/// Table lookup by the low byte of `x`. The index is masked to 0..=255 and every table has
/// 256 entries, so `get` always succeeds and the optimiser drops the bounds check.
#[inline(always)]
fn lookup(table: &[u64; 256], x: u64) -> u64 {
    table.get((x & 0xff) as usize).copied().unwrap_or(0)
}

/// Advances a raw (pre-/post-conditioning already applied by the caller) CRC register.
#[inline]
fn update_raw(mut crc: u64, data: &[u8]) -> u64 {
    let [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15] = tables();
    let mut chunks = data.chunks_exact(SLICES);
    for chunk in &mut chunks {
        let Ok(&[b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15]) =
            <&[u8; SLICES]>::try_from(chunk)
        else {
            // chunks_exact always yields SLICES bytes.
            continue;
        };
        let lo = u64::from_le_bytes([b0, b1, b2, b3, b4, b5, b6, b7]) ^ crc;
        let hi = u64::from_le_bytes([b8, b9, b10, b11, b12, b13, b14, b15]);
        crc = lookup(t15, lo)
            ^ lookup(t14, lo >> 8)
            ^ lookup(t13, lo >> 16)
            ^ lookup(t12, lo >> 24)
            ^ lookup(t11, lo >> 32)
            ^ lookup(t10, lo >> 40)
            ^ lookup(t9, lo >> 48)
            ^ lookup(t8, lo >> 56)
            ^ lookup(t7, hi)
            ^ lookup(t6, hi >> 8)
            ^ lookup(t5, hi >> 16)
            ^ lookup(t4, hi >> 24)
            ^ lookup(t3, hi >> 32)
            ^ lookup(t2, hi >> 40)
            ^ lookup(t1, hi >> 48)
            ^ lookup(t0, hi >> 56);
    }
    for &b in chunks.remainder() {
        crc = (crc >> 8) ^ lookup(t0, crc ^ u64::from(b));
    }
    crc
}

/// Streaming CRC-64/XZ hasher, the checksum COS returns as `x-cos-hash-crc64ecma`
/// (protocol §5).
///
/// ```
/// use cos_wasm::hash::Crc64;
/// let mut c = Crc64::new();
/// c.update(b"1234");
/// c.update(b"56789");
/// assert_eq!(c.value(), 0x995D_C9BB_DF19_39FA);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crc64 {
    /// The register, stored post-conditioned (i.e. it *is* the current CRC value).
    crc: u64,
}

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// A hasher over zero bytes (value 0).
    #[must_use]
    pub const fn new() -> Self {
        Self { crc: 0 }
    }

    /// Resumes from a known CRC value, e.g. one returned by COS for a prefix of the data.
    #[must_use]
    pub const fn from_value(crc: u64) -> Self {
        Self { crc }
    }

    /// Feeds `data`. Any split of the input into calls gives the same result.
    pub fn update(&mut self, data: &[u8]) {
        self.crc = !update_raw(!self.crc, data);
    }

    /// The CRC of everything fed so far; does not consume or reset the hasher.
    #[must_use]
    pub const fn value(&self) -> u64 {
        self.crc
    }

    /// Back to the state of [`Crc64::new`].
    pub fn reset(&mut self) {
        self.crc = 0;
    }
}

/// One-shot CRC-64/XZ of `data` (protocol §5).
#[must_use]
pub fn crc64(data: &[u8]) -> u64 {
    !update_raw(!0, data)
}

/// Product of two polynomials modulo the CRC polynomial, in the reflected representation
/// where `1 << 63` is x^0 (zlib's `multmodp`).
const fn multmodp(a: u64, mut b: u64) -> u64 {
    let mut m: u64 = 1 << 63;
    let mut p: u64 = 0;
    while m != 0 {
        if a & m != 0 {
            p ^= b;
            if a & (m - 1) == 0 {
                break;
            }
        }
        m >>= 1;
        b = if b & 1 == 1 { (b >> 1) ^ POLY } else { b >> 1 };
    }
    p
}

/// `X8N[i]` = x^(8 * 2^i) mod P: the operator "append 2^i zero bytes".
// Evaluated only at compile time: an out-of-range index here is a build error, never a
// runtime panic, so indexing is allowed in this initializer (and only here).
#[allow(clippy::indexing_slicing)]
static X8N: [u64; 64] = {
    // x^1, squared three times, is x^8 (one zero byte).
    let mut p: u64 = 1 << 62;
    let mut n = 0;
    while n < 3 {
        p = multmodp(p, p);
        n += 1;
    }
    let mut t = [0u64; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = p;
        p = multmodp(p, p);
        i += 1;
    }
    t
};

/// CRC-64/XZ of `A ++ B` from `crc1 = crc(A)`, `crc2 = crc(B)` and `len2 = len(B)` in
/// bytes, without the data (protocol §5: COS's Complete Multipart CRC is this fold over the
/// parts in order; same result as the Go SDK's `CRC64Combine`).
///
/// Uses zlib's GF(2) polynomial method (`crc32_combine` since zlib 1.2.12): multiply `crc1`
/// by x^(8·len2) mod P, built from a compile-time table of x^(8·2^i). Cost is one
/// 64-step multiply per set bit of `len2`, so O(log len2) for any `u64` length.
///
/// ```
/// use cos_wasm::hash::{crc64, crc64_combine};
/// assert_eq!(crc64_combine(crc64(b"1234"), crc64(b"56789"), 5), crc64(b"123456789"));
/// ```
#[must_use]
pub fn crc64_combine(crc1: u64, crc2: u64, len2: u64) -> u64 {
    let mut op: u64 = 1 << 63; // x^0
    for (i, &x) in X8N.iter().enumerate() {
        if (len2 >> i) & 1 == 1 {
            op = multmodp(x, op);
        }
    }
    multmodp(op, crc1) ^ crc2
}

/// The decimal form COS prints in `x-cos-hash-crc64ecma` (protocol §5).
#[must_use]
pub fn crc64_to_string(crc: u64) -> String {
    crate::error::cat!("{}", crc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time CRC-64/XZ, the definition the slicing tables must agree with.
    fn crc64_bitwise(data: &[u8]) -> u64 {
        let mut crc = !0u64;
        for &b in data {
            crc ^= u64::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn runtime_tables_match_the_bitwise_definition() {
        let data: Vec<u8> = (0u32..300)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in 0..data.len() {
            let part = data.get(..len).unwrap_or_default();
            assert_eq!(crc64(part), crc64_bitwise(part), "length {len}");
        }
        assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }
}
