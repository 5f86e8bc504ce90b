//! Small helpers: percent-encoding, hashing, CRC-64, time, randomness.

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use md5::Digest as _;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::time::{SystemTime, UNIX_EPOCH};

/// The bytes COS `UrlEncode` leaves alone: `A-Za-z0-9-_.~`.
const COS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// COS `UrlEncode`: UTF-8 percent-encoding, uppercase hex, only `A-Za-z0-9-_.~` unescaped.
pub fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, COS_ENCODE).to_string()
}

/// Percent-decodes a path. `+` stays a literal `+` (RFC 3986). Returns None for malformed
/// escapes (`%` not followed by two hex digits) or invalid UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    for (i, _) in s.match_indices('%') {
        let ok = b.get(i + 1..i + 3)?.iter().all(u8::is_ascii_hexdigit);
        if !ok {
            return None;
        }
    }
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Whether `+` in a query string means a space. COS reads it so (a signed `prefix=a+b` is the
/// prefix `a b`: tencentyun/qcloud-cos-sts-sdk#65, Molunerfinn/PicGo#638), and the Python SDK
/// sends spaces that way; a literal `+` travels as `%2B` from every official SDK.
pub const QUERY_PLUS_IS_SPACE: bool = true;

/// Decodes one query name or value.
pub fn query_decode(s: &str) -> Option<String> {
    if QUERY_PLUS_IS_SPACE && s.contains('+') {
        url_decode(&s.replace('+', " "))
    } else {
        url_decode(s)
    }
}

/// Parses a raw query string into decoded (name, value) pairs; `?acl` gives ("acl", "").
pub fn parse_query(q: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in q.split('&') {
        if part.is_empty() {
            continue;
        }
        let (k, v) = match part.split_once('=') {
            Some((k, v)) => (k, v),
            None => (part, ""),
        };
        out.push((query_decode(k)?, query_decode(v)?));
    }
    Some(out)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Decodes lowercase/uppercase hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    hex::decode(s).ok()
}

/// Standard base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Strict standard base64 decode.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(s).ok()
}

/// Hex of HMAC-SHA1(key, msg).
pub fn hex_hmac_sha1(key: &[u8], msg: &[u8]) -> String {
    let mut m = <hmac::Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(msg);
    hex(&m.finalize().into_bytes())
}

/// HMAC-SHA256(key, msg).
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(msg);
    m.finalize().into_bytes().to_vec()
}

/// Hex SHA-1.
pub fn hex_sha1(msg: &[u8]) -> String {
    hex(&sha1::Sha1::digest(msg))
}

/// Raw MD5.
pub fn md5(msg: &[u8]) -> [u8; 16] {
    md5::Md5::digest(msg).into()
}

/// Incremental MD5.
pub type Md5 = md5::Md5;

/// Finishes an incremental MD5.
pub fn md5_finish(m: Md5) -> [u8; 16] {
    m.finalize().into()
}

/// Updates an incremental MD5.
pub fn md5_update(m: &mut Md5, data: &[u8]) {
    m.update(data);
}

/// Constant-time byte comparison.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

const CRC64_POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

fn crc64_table() -> &'static [u64; 256] {
    static TABLE: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [0u64; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u64;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    (c >> 1) ^ CRC64_POLY_REFLECTED
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    })
}

/// Incremental CRC-64/XZ (COS `x-cos-hash-crc64ecma`).
#[derive(Clone, Copy, Debug)]
pub struct Crc64(u64);

impl Default for Crc64 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc64 {
    /// Fresh state.
    pub fn new() -> Self {
        Crc64(u64::MAX)
    }
    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        let t = crc64_table();
        let mut c = self.0;
        for &b in data {
            c = t[((c ^ b as u64) & 0xff) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }
    /// Final value.
    pub fn value(&self) -> u64 {
        self.0 ^ u64::MAX
    }
}

/// CRC-64/XZ of a buffer.
pub fn crc64(data: &[u8]) -> u64 {
    let mut c = Crc64::new();
    c.update(data);
    c.value()
}

/// `n` random bytes from the OS (`getrandom`). Aborts if the OS has no randomness: keys
/// and ids must never be predictable.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    if getrandom::getrandom(&mut buf).is_err() {
        eprintln!("cos-emulator: the OS random source failed");
        std::process::abort();
    }
    buf
}

/// Random lowercase hex id.
pub fn random_hex(nbytes: usize) -> String {
    hex(&random_bytes(nbytes))
}

/// Real wall-clock seconds.
pub fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// RFC 9110 date, e.g. `Thu, 16 May 2019 06:45:51 GMT`.
pub fn http_date(ts: i64) -> String {
    let t = UNIX_EPOCH + std::time::Duration::from_secs(ts.max(0) as u64);
    httpdate::fmt_http_date(t)
}

/// ISO 8601 UTC, e.g. `2019-05-16T06:45:51.000Z`.
pub fn iso_date(ts: i64) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86400));
    let secs = ts.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (policy expiration). Returns unix seconds.
pub fn parse_iso8601(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix("+00:00"))?;
    let (date, time) = s.split_once('T')?;
    let mut dp = date.split('-');
    let y: i64 = dp.next()?.parse().ok()?;
    let mo: i64 = dp.next()?.parse().ok()?;
    let d: i64 = dp.next()?.parse().ok()?;
    if dp.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let time = time.split('.').next()?;
    let mut tp = time.split(':');
    let h: i64 = tp.next()?.parse().ok()?;
    let mi: i64 = tp.next()?.parse().ok()?;
    let se: i64 = tp.next()?.parse().ok()?;
    if tp.next().is_some() || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_check() {
        assert_eq!(crc64(b"123456789"), 11051210869376104954);
        assert_eq!(crc64(b"[Object Content]"), 16749565679157681890);
    }

    #[test]
    fn dates() {
        assert_eq!(http_date(1557989151), "Thu, 16 May 2019 06:45:51 GMT");
        assert_eq!(parse_iso8601("2019-08-30T09:38:12.414Z"), Some(1567157892));
        assert_eq!(iso_date(1567157892), "2019-08-30T09:38:12.000Z");
    }

    #[test]
    fn encode() {
        assert_eq!(url_encode("a b+c/~"), "a%20b%2Bc%2F~");
        assert_eq!(url_decode("%E8%85%BE+").as_deref(), Some("腾+"));
        assert_eq!(url_decode("%zz"), None);
        assert_eq!(url_decode("%4"), None);
        let q = parse_query("prefix=a+b%2Bc&acl").unwrap();
        assert_eq!(q[0], ("prefix".into(), "a b+c".into()));
        assert_eq!(q[1], ("acl".into(), "".into()));
    }
}

fn gf2_times(mat: &[u64; 64], mut vec: u64) -> u64 {
    let mut sum = 0u64;
    let mut i = 0;
    while vec != 0 {
        if vec & 1 == 1 {
            sum ^= mat[i];
        }
        vec >>= 1;
        i += 1;
    }
    sum
}

fn gf2_square(square: &mut [u64; 64], mat: &[u64; 64]) {
    for n in 0..64 {
        square[n] = gf2_times(mat, mat[n]);
    }
}

/// CRC-64/XZ of A‖B from crc(A), crc(B) and len(B) (zlib `crc32_combine` method; Go `CRC64Combine`).
pub fn crc64_combine(mut crc1: u64, crc2: u64, mut len2: u64) -> u64 {
    if len2 == 0 {
        return crc1;
    }
    let mut even = [0u64; 64];
    let mut odd = [0u64; 64];
    odd[0] = CRC64_POLY_REFLECTED;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    gf2_square(&mut even, &odd);
    gf2_square(&mut odd, &even);
    loop {
        gf2_square(&mut even, &odd);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        gf2_square(&mut odd, &even);
        if len2 & 1 == 1 {
            crc1 = gf2_times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

#[cfg(test)]
mod combine_tests {
    #[test]
    fn combine() {
        let a = b"hello, ";
        let b = b"world and more bytes";
        let whole = [&a[..], &b[..]].concat();
        assert_eq!(
            super::crc64_combine(super::crc64(a), super::crc64(b), b.len() as u64),
            super::crc64(&whole)
        );
    }
}
