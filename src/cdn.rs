//! Tencent CDN and EdgeOne URL authentication (鉴权), types A, B, C and D: a secret key and
//! a time in, a URL the CDN accepts out. COS pre-signed URLs are not valid on a CDN domain;
//! these are. Written from the CDN pages (<https://cloud.tencent.com/document/product/228/41622>
//! and the TypeA–D pages beside it) and EdgeOne's "Token authentication" page, whose worked
//! examples `tests/vectors/cdn-auth.json` reproduces.
//!
//! ```text
//! A: <url>?sign=<ts>-<rand>-<uid>-md5("<path>-<ts>-<rand>-<uid>-<key>")     ts decimal
//! B: <origin>/<YYYYMMDDHHMM, UTC+8>/md5(key + YYYYMMDDHHMM + path)<path>[?query]
//! C: <origin>/md5(key + path + hexts)/<hexts><path>[?query]                hexts lower-case hex
//! D: <url>?sign=md5(key + path + t)&t=<t>                                  t decimal or hex
//! ```
//!
//! The path signed is the path exactly as it will be sent: percent-encoded, starting with
//! `/`. The CDN pages say the URL "cannot contain Chinese characters", so a URL a `fetch`
//! would rewrite (non-ASCII, spaces, `..` segments, a fragment) is refused with
//! `ERR_INVALID_URL`, never normalised: encode it first (`/%E7%8C%AB.jpg`). An existing
//! query is kept: A and D append their parameters after it with `&`, B and C keep it after
//! the rewritten path.
//!
//! No clock and no randomness here: the timestamp is required input and TypeA's `rand`
//! comes from the caller (the JS binding draws it from `crypto.getRandomValues`, see
//! [`cdn_rand`]). The key is secret: it is never in an error message or `Debug` output, and
//! it and the MD5 input holding it are zeroized when dropped.

use core::fmt;

use zeroize::Zeroizing;

use crate::crypto::{hex, md5};
use crate::error::{err, Result};
use crate::tc3::parse_url;
use crate::time::compact_minutes;

/// The four URL authentication schemes of Tencent CDN and EdgeOne.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CdnAuthType {
    /// TypeA: `?sign=<ts>-<rand>-<uid>-<md5>` after the URL.
    A,
    /// TypeB: `/<YYYYMMDDHHMM>/<md5>` before the path (Beijing time, UTC+8).
    B,
    /// TypeC: `/<md5>/<hex ts>` before the path.
    C,
    /// TypeD: `?sign=<md5>&t=<ts>` after the URL.
    D,
}

impl CdnAuthType {
    /// `"A"`, `"B"`, `"C"` or `"D"` (exactly, upper case).
    ///
    /// # Errors
    /// `ERR_INVALID_CDN_AUTH` for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "A" => Ok(Self::A),
            "B" => Ok(Self::B),
            "C" => Ok(Self::C),
            "D" => Ok(Self::D),
            _ => Err(err!(
                InvalidCdnAuth,
                "`type` must be 'A', 'B', 'C' or 'D' (the CDN/EdgeOne authentication type)"
            )),
        }
    }
}

/// How TypeD writes its timestamp (the console's "timestamp format" setting).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CdnTimeFormat {
    /// Decimal Unix seconds (the default).
    #[default]
    Decimal,
    /// Lower-case hexadecimal Unix seconds.
    Hex,
}

impl CdnTimeFormat {
    /// `"decimal"` or `"hex"`.
    ///
    /// # Errors
    /// `ERR_INVALID_CDN_AUTH` for anything else.
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "decimal" => Ok(Self::Decimal),
            "hex" => Ok(Self::Hex),
            _ => Err(err!(
                InvalidCdnAuth,
                "`timeFormat` must be 'decimal' or 'hex'"
            )),
        }
    }
}

/// The default name of the signature parameter (TypeA and TypeD).
pub const DEFAULT_SIGN_PARAM: &str = "sign";
/// The default name of TypeD's timestamp parameter.
pub const DEFAULT_TIME_PARAM: &str = "t";
/// TypeA's `uid` when none is given: the CDN pages fix it to `0`.
pub const DEFAULT_UID: &str = "0";
/// The CDN and EdgeOne consoles accept keys of 6 to 40 ASCII letters and digits; anything
/// else (a trailing newline from an environment file, a key of another product) cannot
/// be a configured key and is refused.
pub const CDN_KEY_LEN: core::ops::RangeInclusive<usize> = 6..=40;
/// TypeA's `rand` and `uid`: at most 100 letters and digits (the pages say 0 to 100 for
/// `rand`; `uid` has no stated limit, the same one is used, at least one character).
pub const MAX_RAND_LEN: usize = 100;
/// Parameter names: 1 to 100 letters, digits and underscores (the consoles' rule).
pub const MAX_PARAM_LEN: usize = 100;
/// Latest timestamp accepted: TypeB prints a four-digit year in UTC+8, so 9999-12-31 23:59
/// Beijing time. A timestamp in milliseconds (13 digits) is beyond it and refused.
pub const MAX_CDN_TIMESTAMP: u64 = 253_402_300_799 - BEIJING_OFFSET;
/// TypeB's clock: Beijing time, UTC+8.
const BEIJING_OFFSET: u64 = 8 * 3600;

/// What [`cdn_auth_url`] signs. `Debug` redacts the key; the key is zeroized on drop.
#[derive(Clone)]
pub struct CdnAuthOptions {
    /// The scheme the domain is configured with.
    pub auth_type: CdnAuthType,
    /// The absolute URL on the CDN domain, `http(s)://host[:port]/path[?query]`, in the form
    /// it will be sent (percent-encoded).
    pub url: String,
    /// The authentication key configured on the domain (6–40 letters and digits).
    pub key: Zeroizing<String>,
    /// Unix seconds: when the URL was signed. The CDN accepts it until this time plus the
    /// validity period configured on the domain (there is no expiry in the URL).
    pub timestamp: u64,
    /// TypeA only, required there: the random string (0–100 letters and digits).
    pub rand: Option<String>,
    /// TypeA only: the user id, [`DEFAULT_UID`] when `None`.
    pub uid: Option<String>,
    /// TypeA and TypeD: the signature parameter's name, [`DEFAULT_SIGN_PARAM`] when `None`.
    pub sign_param: Option<String>,
    /// TypeD only: the timestamp parameter's name, [`DEFAULT_TIME_PARAM`] when `None`.
    pub time_param: Option<String>,
    /// TypeD only: how the timestamp is written, decimal when `None`.
    pub time_format: Option<CdnTimeFormat>,
}

impl fmt::Debug for CdnAuthOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CdnAuthOptions")
            .field("auth_type", &self.auth_type)
            .field("url", &self.url)
            .field("key", &"** REDACTED **")
            .field("timestamp", &self.timestamp)
            .field("rand", &self.rand)
            .field("uid", &self.uid)
            .field("sign_param", &self.sign_param)
            .field("time_param", &self.time_param)
            .field("time_format", &self.time_format)
            .finish()
    }
}

/// A TypeA `rand` from random bytes: their lower-case hex (letters and digits, as the CDN
/// expects). 16 bytes give 32 characters.
#[must_use]
pub fn cdn_rand(random: &[u8]) -> String {
    hex(random)
}

fn alnum(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn param_name(v: Option<&str>, default: &'static str, what: &str) -> Result<String> {
    let name = v.unwrap_or(default);
    if name.is_empty()
        || name.len() > MAX_PARAM_LEN
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(err!(
            InvalidCdnAuth,
            "`{}` must be 1 to 100 letters, digits or underscores",
            what
        ));
    }
    Ok(name.to_owned())
}

/// `n` in lower-case hex, no padding.
fn hex_u64(n: u64) -> String {
    let full = hex(&n.to_be_bytes());
    let zeros = full.bytes().take_while(|&b| b == b'0').count().min(15);
    full.get(zeros..).unwrap_or("0").to_owned()
}

/// `n` in decimal.
fn decimal(n: u64) -> String {
    let mut out = String::new();
    crate::text::push_u64(&mut out, n);
    out
}

/// The byte offset of the first of `seps` in `s` (ASCII separators: a char boundary).
fn find_any(s: &str, seps: &[u8]) -> Option<usize> {
    s.bytes().position(|b| seps.contains(&b))
}

/// `hex(MD5(parts concatenated))`; the buffer (it holds the key) is zeroized.
fn md5_hex(parts: &[&str]) -> String {
    let mut msg = Zeroizing::new(Vec::with_capacity(parts.iter().map(|p| p.len()).sum()));
    for p in parts {
        msg.extend_from_slice(p.as_bytes());
    }
    hex(&md5(&msg))
}

/// Whether the query parameter name `raw` (as sent, maybe percent-encoded) is `name` (ASCII
/// letters, digits and `_`, see [`param_name`]): compared byte by byte after `%XX` decoding,
/// without building a string.
fn same_name(raw: &str, name: &str) -> bool {
    let (raw, name) = (raw.as_bytes(), name.as_bytes());
    let hexval = |b: u8| char::from(b).to_digit(16);
    let (mut i, mut j) = (0, 0);
    while let Some(&b) = raw.get(i) {
        let (byte, step) = match (
            b,
            raw.get(i + 1).copied().and_then(hexval),
            raw.get(i + 2).copied().and_then(hexval),
        ) {
            (b'%', Some(h), Some(l)) => ((h * 16 + l) as u8, 3),
            _ => (b, 1),
        };
        if name.get(j) != Some(&byte) {
            return false;
        }
        i += step;
        j += 1;
    }
    j == name.len()
}

/// `parts` joined (one allocation of the final size).
fn joined(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// Refuses a query that already has a parameter named `name` (the CDN would read one of two).
fn check_not_in_query(query: &str, name: &str) -> Result<()> {
    let mut rest = query;
    while !rest.is_empty() {
        let end = find_any(rest, b"&").unwrap_or(rest.len());
        let pair = rest.get(..end).unwrap_or_default();
        rest = rest.get(end + 1..).unwrap_or_default();
        let k = pair
            .get(..find_any(pair, b"=").unwrap_or(pair.len()))
            .unwrap_or_default();
        if same_name(k, name) {
            return Err(err!(
                DuplicateQueryParam,
                "the url's query already has a `{}` parameter, which the CDN reads as the signature or timestamp; remove it or choose another `signParam`/`timeParam`",
                name
            ));
        }
    }
    Ok(())
}

/// The URL `opts` describes, authenticated for Tencent CDN / EdgeOne (see the module docs
/// for the four formats).
///
/// # Errors
/// - `ERR_INVALID_CDN_AUTH`: a key that is not 6–40 ASCII letters and digits, TypeA without
///   `rand`, a `rand`/`uid`/parameter name of the wrong form, TypeD with equal parameter
///   names, or an option the type does not use (`rand`/`uid` outside A, `signParam` on B/C,
///   `timeParam`/`timeFormat` outside D);
/// - `ERR_INVALID_TIMESTAMP`: beyond [`MAX_CDN_TIMESTAMP`];
/// - `ERR_INVALID_URL`: not an absolute `http(s)` URL in the form it will be sent;
/// - `ERR_DUPLICATE_QUERY_PARAM`: TypeA/D on a URL whose query already has the parameter.
pub fn cdn_auth_url(opts: &CdnAuthOptions) -> Result<String> {
    use CdnAuthType::{A, B, C, D};
    let t = opts.auth_type;
    let unused = |present: bool, name: &str, types: &str| {
        if present {
            Err(err!(
                InvalidCdnAuth,
                "`{}` is only used by type {}; remove it for this type",
                name,
                types
            ))
        } else {
            Ok(())
        }
    };
    unused(t != A && opts.rand.is_some(), "rand", "A")?;
    unused(t != A && opts.uid.is_some(), "uid", "A")?;
    unused(
        matches!(t, B | C) && opts.sign_param.is_some(),
        "signParam",
        "A and D",
    )?;
    unused(t != D && opts.time_param.is_some(), "timeParam", "D")?;
    unused(t != D && opts.time_format.is_some(), "timeFormat", "D")?;

    let key: &str = &opts.key;
    if !CDN_KEY_LEN.contains(&key.len()) || !alnum(key) {
        return Err(err!(
            InvalidCdnAuth,
            "`key` must be the domain's authentication key: 6 to 40 ASCII letters and digits (got {} bytes{})",
            key.len(),
            if alnum(key) { "" } else { ", not all letters and digits" }
        ));
    }
    if opts.timestamp > MAX_CDN_TIMESTAMP {
        return Err(err!(
            InvalidTimestamp,
            "`timestamp` must be Unix seconds up to {} (a millisecond timestamp is too large)",
            MAX_CDN_TIMESTAMP
        ));
    }
    let parts = parse_url(&opts.url)?;
    let (path, query) = (parts.path, parts.query);
    // parse_url accepted `http://` or `https://` (any case) only.
    let scheme_end = if opts.url.as_bytes().get(4) == Some(&b':') {
        7
    } else {
        8
    };
    let rest = opts.url.get(scheme_end..).unwrap_or_default();
    let authority_end = find_any(rest, b"/?").unwrap_or(rest.len());
    let origin = opts
        .url
        .get(..scheme_end + authority_end)
        .unwrap_or_default();
    let ts = opts.timestamp;

    let out = match t {
        A => {
            let sign = param_name(opts.sign_param.as_deref(), DEFAULT_SIGN_PARAM, "signParam")?;
            let Some(rand) = opts.rand.as_deref() else {
                return Err(err!(
                    InvalidCdnAuth,
                    "type A needs `rand` (cdnAuthUrl draws one when it is not given)"
                ));
            };
            if rand.len() > MAX_RAND_LEN || !alnum(rand) {
                return Err(err!(
                    InvalidCdnAuth,
                    "`rand` must be 0 to 100 ASCII letters and digits"
                ));
            }
            let uid = opts.uid.as_deref().unwrap_or(DEFAULT_UID);
            if uid.is_empty() || uid.len() > MAX_RAND_LEN || !alnum(uid) {
                return Err(err!(
                    InvalidCdnAuth,
                    "`uid` must be 1 to 100 ASCII letters and digits"
                ));
            }
            check_not_in_query(query, &sign)?;
            let ts = decimal(ts);
            let hash = md5_hex(&[path, "-", &ts, "-", rand, "-", uid, "-", key]);
            let (mark, sep) = with_mark(query);
            joined(&[
                origin,
                path,
                mark,
                query,
                if sep { "&" } else { "?" },
                &sign,
                "=",
                &ts,
                "-",
                rand,
                "-",
                uid,
                "-",
                &hash,
            ])
        }
        B => {
            let time = compact_minutes(ts, BEIJING_OFFSET);
            let hash = md5_hex(&[key, &time, path]);
            joined(&[
                origin,
                "/",
                &time,
                "/",
                &hash,
                path,
                with_mark(query).0,
                query,
            ])
        }
        C => {
            let time = hex_u64(ts);
            let hash = md5_hex(&[key, path, &time]);
            joined(&[
                origin,
                "/",
                &hash,
                "/",
                &time,
                path,
                with_mark(query).0,
                query,
            ])
        }
        D => {
            let sign = param_name(opts.sign_param.as_deref(), DEFAULT_SIGN_PARAM, "signParam")?;
            let time_name =
                param_name(opts.time_param.as_deref(), DEFAULT_TIME_PARAM, "timeParam")?;
            if sign == time_name {
                return Err(err!(
                    InvalidCdnAuth,
                    "`signParam` and `timeParam` must differ"
                ));
            }
            check_not_in_query(query, &sign)?;
            check_not_in_query(query, &time_name)?;
            let time = match opts.time_format.unwrap_or_default() {
                CdnTimeFormat::Decimal => decimal(ts),
                CdnTimeFormat::Hex => hex_u64(ts),
            };
            let hash = md5_hex(&[key, path, &time]);
            let (mark, sep) = with_mark(query);
            joined(&[
                origin,
                path,
                mark,
                query,
                if sep { "&" } else { "?" },
                &sign,
                "=",
                &hash,
                "&",
                &time_name,
                "=",
                &time,
            ])
        }
    };
    Ok(out)
}

/// `("?", true)` before a non-empty query, `("", false)` when there is none.
fn with_mark(query: &str) -> (&'static str, bool) {
    if query.is_empty() {
        ("", false)
    } else {
        ("?", true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn opts(t: CdnAuthType, url: &str, ts: u64) -> CdnAuthOptions {
        CdnAuthOptions {
            auth_type: t,
            url: url.into(),
            key: Zeroizing::new("DvYmqE81E1F9R791H6lmht".into()),
            timestamp: ts,
            rand: None,
            uid: None,
            sign_param: None,
            time_param: None,
            time_format: None,
        }
    }

    #[test]
    fn documented_examples() {
        let mut a = opts(
            CdnAuthType::A,
            "https://www.example.com/foo.jpg",
            1_721_028_437,
        );
        a.rand = Some("Kv4cPTAAP5YTi".into());
        assert_eq!(
            cdn_auth_url(&a).unwrap_or_default(),
            "https://www.example.com/foo.jpg?sign=1721028437-Kv4cPTAAP5YTi-0-0fbdca749d7ab784750685347e42075c"
        );
        let b = opts(
            CdnAuthType::B,
            "https://www.example.com/foo.jpg",
            1_721_028_780,
        );
        assert_eq!(
            cdn_auth_url(&b).unwrap_or_default(),
            "https://www.example.com/202407151533/d1f0b51c6894231fc12e054fcc7f0b3e/foo.jpg"
        );
        let c = opts(
            CdnAuthType::C,
            "https://www.example.com/foo.jpg",
            0x6694_d30a,
        );
        assert_eq!(
            cdn_auth_url(&c).unwrap_or_default(),
            "https://www.example.com/6688749e8906a726c12fe1be3aacd016/6694d30a/foo.jpg"
        );
        let d = opts(
            CdnAuthType::D,
            "https://www.example.com/foo.jpg",
            1_721_029_907,
        );
        assert_eq!(
            cdn_auth_url(&d).unwrap_or_default(),
            "https://www.example.com/foo.jpg?sign=cadcec4a04e67b9c2abf4b61c642a0dd&t=1721029907"
        );
    }

    #[test]
    fn refusals_and_redaction() {
        let code = |o: &CdnAuthOptions| cdn_auth_url(o).err().map(|e| e.code());
        let mut o = opts(CdnAuthType::D, "https://h/a.jpg", 1);
        o.key = Zeroizing::new("short".into());
        assert_eq!(code(&o), Some(ErrorCode::InvalidCdnAuth));
        o.key = Zeroizing::new("abcdef1234\n".into());
        let e = cdn_auth_url(&o)
            .err()
            .map(|e| e.message().to_owned())
            .unwrap_or_default();
        assert!(!e.contains("abcdef"), "{e}");
        assert!(!format!("{o:?}").contains("abcdef"));
        let o = opts(CdnAuthType::A, "https://h/a.jpg", 1);
        assert_eq!(code(&o), Some(ErrorCode::InvalidCdnAuth), "A without rand");
        let o = opts(CdnAuthType::D, "/a.jpg", 1);
        assert_eq!(code(&o), Some(ErrorCode::InvalidUrl));
        let o = opts(CdnAuthType::D, "https://h/a.jpg", MAX_CDN_TIMESTAMP + 1);
        assert_eq!(code(&o), Some(ErrorCode::InvalidTimestamp));
        let o = opts(CdnAuthType::D, "https://h/a.jpg?t=1", 1);
        assert_eq!(code(&o), Some(ErrorCode::DuplicateQueryParam));
        let mut o = opts(CdnAuthType::B, "https://h/a.jpg", 1);
        o.time_format = Some(CdnTimeFormat::Hex);
        assert_eq!(code(&o), Some(ErrorCode::InvalidCdnAuth));
    }

    #[test]
    fn query_names_compare_decoded() {
        assert!(same_name("sign", "sign"));
        assert!(same_name("%73ign", "sign"));
        assert!(same_name("si%67%6E", "sign"));
        assert!(!same_name("si%6E%67", "sign"));
        assert!(!same_name("signs", "sign"));
        assert!(!same_name("sig", "sign"));
        assert!(!same_name("%7", "sign"));
        assert!(!same_name("", "t"));
    }

    #[test]
    fn hex_timestamps() {
        assert_eq!(hex_u64(0), "0");
        assert_eq!(hex_u64(0x6694_d30a), "6694d30a");
        assert_eq!(hex_u64(u64::MAX), "ffffffffffffffff");
    }
}
