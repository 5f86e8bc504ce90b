//! Tencent Cloud API v3 signatures (`TC3-HMAC-SHA256`), the scheme STS, CAM and every
//! `*.tencentcloudapi.com` service expect ([signature v3](https://tencentcloud.com/zh/document/product/1021/34193),
//! summarised in `docs/sts.md`).
//!
//! ```text
//! CanonicalRequest = METHOD \n path \n query \n content-type:<ct>\nhost:<host>\n \n content-type;host \n hex(SHA256(body))
//! StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <UTC date>/<service>/tc3_request \n hex(SHA256(CanonicalRequest))
//! kDate = HMAC("TC3" + SecretKey, date); kService = HMAC(kDate, service); kSigning = HMAC(kService, "tc3_request")
//! Signature = hex(HMAC(kSigning, StringToSign))
//! ```
//!
//! Only `content-type` and `host` are signed, as the official SDKs do. The URL is taken as
//! the caller will send it: it must already be in the form a WHATWG `URL` (and so `fetch`)
//! keeps unchanged, because the path and query are signed byte for byte. A URL that a
//! `fetch` would rewrite (spaces, non-ASCII, `..` segments, a fragment) is refused rather
//! than normalised, so the signed bytes are always the sent bytes.
//!
//! A leaf module: it depends on `error`, `crypto` and `time` only.

use zeroize::Zeroizing;

use crate::crypto::{hex, hmac_sha256, sha256_hex};
use crate::error::{cat, err, q, QuotedChar, Result};
use crate::text::{find_str, parse_u64, replace_str, split_ascii, split_once_ascii};
use crate::time::iso8601_utc;

/// The algorithm name that starts the string to sign and the `Authorization` value.
pub const TC3_ALGORITHM: &str = "TC3-HMAC-SHA256";

/// The headers every TC3 signature covers, in canonical order.
pub const TC3_SIGNED_HEADERS: &str = "content-type;host";

/// Latest timestamp accepted (9999-12-31T23:59:59Z): the credential scope date has four
/// year digits.
pub const MAX_TC3_TIMESTAMP: u64 = 253_402_300_799;

/// Longest service name accepted (`sts`, `cvm`, `cam`, … are a few letters).
const MAX_SERVICE_LEN: usize = 64;

/// One request to sign with [`tc3_sign`].
#[derive(Clone, Copy, Debug)]
pub struct Tc3Request<'a> {
    /// `GET` or `POST` (the only methods Tencent Cloud API v3 accepts).
    pub method: &'a str,
    /// The full request URL, `https://<service>.tencentcloudapi.com/` (path and query signed
    /// as written; the host is signed lower-cased and without its port, as the official
    /// SDKs sign `URL.hostname`).
    pub url: &'a str,
    /// The exact `Content-Type` header that will be sent, e.g. `application/json`.
    pub content_type: &'a str,
    /// The exact request body (empty for `GET`).
    pub body: &'a [u8],
    /// `X-TC-Timestamp`: Unix seconds. Tencent Cloud refuses signatures more than a few
    /// minutes off its clock (the exact window is UNCONFIRMED; the docs say 5 minutes).
    pub timestamp: u64,
    /// The service name of the host, e.g. `sts` for `sts.tencentcloudapi.com`.
    pub service: &'a str,
}

/// The signature with its intermediates (for tests, debugging and verifiers).
///
/// `Debug` prints everything: none of it is secret (the derived keys are not kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tc3Signature {
    /// The canonical request (step 1).
    pub canonical_request: String,
    /// The string to sign (step 2).
    pub string_to_sign: String,
    /// Lower-case hex HMAC-SHA256 signature (step 3).
    pub signature: String,
    /// The `Authorization` header value (step 4).
    pub authorization: String,
}

/// The parts of a URL that TC3 signs.
pub(crate) struct SignedUrl<'a> {
    pub(crate) host: String,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
}

/// Splits and checks `url`. Refuses anything a WHATWG URL parser would rewrite. (Also the
/// URL rule of CDN URL authentication, `crate::cdn`: the path signed is the path sent.)
pub(crate) fn parse_url(url: &str) -> Result<SignedUrl<'_>> {
    let bad = |why: &str| err!(InvalidUrl, "url {}", why);
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("contains whitespace or a control character"));
    }
    if find_str(url, "#").is_some() {
        return Err(bad("has a fragment ('#'), which fetch would not send"));
    }
    let at = find_str(url, "://").ok_or_else(|| bad("must start with https:// or http://"))?;
    let (scheme, rest) = (
        url.get(..at).unwrap_or_default(),
        url.get(at + 3..).unwrap_or_default(),
    );
    if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
        return Err(bad("must start with https:// or http://"));
    }
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    // `split_at_checked`: an ASCII delimiter's offset is a char boundary; no panic path.
    let (authority, tail) = rest.split_at_checked(authority_end).unwrap_or((rest, ""));
    let (path, query) = match split_once_ascii(tail, b'?') {
        Some((p, q)) => (p, q),
        None => (tail, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    let host = parse_host(authority).ok_or_else(|| {
        bad("host must be a DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port and no user info")
    })?;
    check_path(path).map_err(|why| bad(&why))?;
    check_query(query).map_err(|why| bad(&why))?;
    Ok(SignedUrl { host, path, query })
}

/// The lower-cased host without its port, or `None` when the authority is not usable.
fn parse_host(authority: &str) -> Option<String> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = split_once_ascii(v6, b']')?;
        if inside.is_empty() || !inside.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return None;
        }
        (authority.get(..inside.len() + 2)?, after.strip_prefix(':'))
    } else {
        match split_once_ascii(authority, b':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if let Some(port) = port {
        let ok = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && parse_u64(port).is_some_and(|p| (1..=65_535).contains(&p));
        if !ok {
            return None;
        }
    } else if authority.starts_with('[') && !authority.ends_with(']') {
        return None;
    }
    let name_ok = host.starts_with('[')
        || (!host.is_empty()
            && host.len() <= 253
            && split_ascii(host, b'.').all(|label| {
                !label.is_empty()
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && ipv4_form_ok(host));
    name_ok.then(|| host.to_ascii_lowercase())
}

/// A WHATWG URL parser reads a host whose last label is a number (`x.0`, `1.2.3`, `0x7f.1`,
/// `010.0.0.1`) as IPv4 and rewrites or refuses it: only a canonical dotted quad may end in
/// one.
fn ipv4_form_ok(host: &str) -> bool {
    let labels: Vec<&str> = split_ascii(host, b'.').collect();
    let numeric = |l: &str| {
        let lower = l.to_ascii_lowercase();
        l.bytes().all(|b| b.is_ascii_digit())
            || lower
                .strip_prefix("0x")
                .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    if !labels.last().is_some_and(|l| numeric(l)) {
        return true;
    }
    labels.len() == 4
        && labels.iter().all(|l| {
            l.bytes().all(|b| b.is_ascii_digit())
                && (*l == "0" || !l.starts_with('0'))
                && parse_u64(l).is_some_and(|n| n <= 255)
        })
}

/// `%` must start a two-digit hex escape.
fn escapes_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// A path WHATWG keeps as written: ASCII, no characters of its path percent-encode set, no
/// backslash, no dot segments (which it would resolve).
fn check_path(path: &str) -> core::result::Result<(), String> {
    if !path.starts_with('/') {
        return Err("path must start with '/'".into());
    }
    if let Some(c) = path.chars().find(|&c| {
        !(c.is_ascii_alphanumeric()
            || (c.is_ascii() && b"-._~!$&'()*+,;=:@/%".contains(&(c as u8))))
    }) {
        return Err(cat!(
            "path contains {}; percent-encode it as the request will be sent",
            QuotedChar(c)
        ));
    }
    if !escapes_ok(path) {
        return Err("path has a '%' that does not start a %XX escape".into());
    }
    let dot = |seg: &str| {
        let s = replace_str(&seg.to_ascii_lowercase(), "%2e", ".");
        s == "." || s == ".."
    };
    if split_ascii(path, b'/').any(dot) {
        return Err("path has a '.' or '..' segment, which fetch would resolve".into());
    }
    Ok(())
}

/// A query WHATWG keeps as written: printable ASCII except space, `"`, `#`, `<`, `>`, `'`.
fn check_query(query: &str) -> core::result::Result<(), String> {
    if let Some(c) = query
        .chars()
        .find(|&c| !c.is_ascii_graphic() || matches!(c, '"' | '<' | '>' | '\''))
    {
        return Err(cat!(
            "query contains {}; percent-encode it as the request will be sent",
            QuotedChar(c)
        ));
    }
    if !escapes_ok(query) {
        return Err("query has a '%' that does not start a %XX escape".into());
    }
    Ok(())
}

fn check_credentials(secret_id: &str, secret_key: &str) -> Result<()> {
    if secret_id.is_empty() || secret_key.is_empty() {
        return Err(err!(
            InvalidCredentials,
            "secretId and secretKey must not be empty"
        ));
    }
    if secret_id
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == ',' || c == '/')
    {
        return Err(err!(InvalidCredentials, "secretId contains whitespace, a control character, ',' or '/', which cannot appear in a TC3 Credential"));
    }
    if secret_key.chars().any(char::is_control) {
        return Err(err!(
            InvalidCredentials,
            "secretKey contains a control character; copy it again without line breaks"
        ));
    }
    Ok(())
}

fn check_request(req: &Tc3Request<'_>) -> Result<()> {
    if req.method != "GET" && req.method != "POST" {
        return Err(err!(
            InvalidMethod,
            "TC3 requests are 'GET' or 'POST' (upper case), got {}",
            q(req.method)
        ));
    }
    if req.method == "GET" && !req.body.is_empty() {
        return Err(err!(InvalidArgument, "a GET request has no body"));
    }
    let ct = req.content_type;
    if ct.is_empty() || ct.trim() != ct || !ct.chars().all(|c| c == ' ' || c.is_ascii_graphic()) {
        return Err(err!(InvalidHeaderValue, "contentType must be printable ASCII without leading or trailing spaces, e.g. 'application/json'"));
    }
    // The TC3 doc lower-cases header values, the official SDK signs them as given: only a
    // lower-case value signs the same under both readings.
    if ct.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(err!(InvalidHeaderValue, "contentType must be lower case (the TC3 doc and the official SDKs sign upper case differently)"));
    }
    let svc = req.service;
    if svc.is_empty()
        || svc.len() > MAX_SERVICE_LEN
        || !svc
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        return Err(err!(
            InvalidService,
            "service must be a lower-case API service name such as 'sts', got {}",
            q(svc)
        ));
    }
    if req.timestamp > MAX_TC3_TIMESTAMP {
        return Err(err!(
            InvalidTimestamp,
            "timestamp must be Unix seconds no later than {}",
            MAX_TC3_TIMESTAMP
        ));
    }
    Ok(())
}

/// Signs `req` with TC3-HMAC-SHA256 and returns every intermediate.
///
/// # Errors
/// `ERR_INVALID_CREDENTIALS`, `ERR_INVALID_METHOD` (not `GET`/`POST`), `ERR_INVALID_URL`,
/// `ERR_INVALID_HEADER_VALUE` (content type), `ERR_INVALID_SERVICE`,
/// `ERR_INVALID_TIMESTAMP`, `ERR_INVALID_ARGUMENT` (a body on `GET`).
pub fn tc3_sign(secret_id: &str, secret_key: &str, req: &Tc3Request<'_>) -> Result<Tc3Signature> {
    check_credentials(secret_id, secret_key)?;
    check_request(req)?;
    let url = parse_url(req.url)?;
    let canonical_request = cat!(
        "{}\n{}\n{}\ncontent-type:{}\nhost:{}\n\n{}\n{}",
        req.method,
        url.path,
        url.query,
        req.content_type,
        url.host,
        TC3_SIGNED_HEADERS,
        sha256_hex(req.body)
    );
    let iso = iso8601_utc(req.timestamp);
    let date = iso.get(..10).unwrap_or_default();
    let scope = cat!("{}/{}/tc3_request", date, req.service);
    let string_to_sign = cat!(
        "{}\n{}\n{}\n{}",
        TC3_ALGORITHM,
        req.timestamp,
        scope,
        sha256_hex(canonical_request.as_bytes())
    );
    let mut first_key = Zeroizing::new(Vec::with_capacity(3 + secret_key.len()));
    first_key.extend_from_slice(b"TC3");
    first_key.extend_from_slice(secret_key.as_bytes());
    let k_date = hmac_sha256(&first_key, date.as_bytes());
    let k_service = hmac_sha256(&*k_date, req.service.as_bytes());
    let k_signing = hmac_sha256(&*k_service, b"tc3_request");
    let signature = hex(&*hmac_sha256(&*k_signing, string_to_sign.as_bytes()));
    let authorization = cat!(
        "{} Credential={}/{}, SignedHeaders={}, Signature={}",
        TC3_ALGORITHM,
        secret_id,
        scope,
        TC3_SIGNED_HEADERS,
        signature
    );
    Ok(Tc3Signature {
        canonical_request,
        string_to_sign,
        signature,
        authorization,
    })
}

/// The `Authorization` header value of a TC3-HMAC-SHA256 request (see [`tc3_sign`]).
///
/// Send it with `Content-Type` (exactly [`Tc3Request::content_type`]), `Host`,
/// `X-TC-Action`, `X-TC-Version`, `X-TC-Timestamp` (exactly [`Tc3Request::timestamp`]),
/// `X-TC-Region` and, with temporary credentials, `X-TC-Token`.
///
/// ```
/// use cos_wasm::tc3::{tc3_authorization, Tc3Request};
/// let auth = tc3_authorization("AKIDexample", "secret", &Tc3Request {
///     method: "POST",
///     url: "https://sts.tencentcloudapi.com/",
///     content_type: "application/json",
///     body: br#"{"Name":"alice"}"#,
///     timestamp: 1_700_000_000,
///     service: "sts",
/// })?;
/// assert!(auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDexample/2023-11-14/sts/tc3_request, SignedHeaders=content-type;host, Signature="));
/// # Ok::<(), cos_wasm::Error>(())
/// ```
///
/// # Errors
/// As [`tc3_sign`].
pub fn tc3_authorization(
    secret_id: &str,
    secret_key: &str,
    req: &Tc3Request<'_>,
) -> Result<String> {
    tc3_sign(secret_id, secret_key, req).map(|s| s.authorization)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn req(url: &str) -> Tc3Request<'_> {
        Tc3Request {
            method: "POST",
            url,
            content_type: "application/json",
            body: b"{}",
            timestamp: 1_551_113_065,
            service: "sts",
        }
    }

    fn code(r: &Tc3Request<'_>) -> Option<ErrorCode> {
        tc3_sign("AKID", "key", r).err().map(|e| e.code())
    }

    #[test]
    fn url_forms() {
        let ok = |u: &str| tc3_sign("AKID", "key", &req(u)).map(|s| s.canonical_request);
        let cr = ok("HTTPS://STS.TencentCloudAPI.com:443").unwrap_or_default();
        assert!(
            cr.starts_with(
                "POST\n/\n\ncontent-type:application/json\nhost:sts.tencentcloudapi.com\n"
            ),
            "{cr}"
        );
        let cr = ok("http://127.0.0.1:9000/x/y?b=1&a=%2F").unwrap_or_default();
        assert!(
            cr.starts_with(
                "POST\n/x/y\nb=1&a=%2F\ncontent-type:application/json\nhost:127.0.0.1\n"
            ),
            "{cr}"
        );
        let cr = ok("http://[::1]:9000?").unwrap_or_default();
        assert!(cr.contains("\nhost:[::1]\n"), "{cr}");
        for bad in [
            "sts.tencentcloudapi.com",
            "ftp://h/",
            "https://h/a b",
            "https://h/é",
            "https://h/#x",
            "https://h/a/../b",
            "https://h/a/%2E%2e/b",
            "https://h/a\\b",
            "https://u:p@h/",
            "https://h:0/",
            "https://h:99999/",
            "https://h:/",
            "https://h_1/",
            "https://h..x/",
            "https://[zz]/",
            "https://h/?a=\"",
            "https://h/?a=%zz",
            "https://h/%",
            "https:///",
            "https://sts.tencentcloudapi.com.0/",
            "https://1.2.3/",
            "https://010.0.0.1/",
            "https://0x7f.0.0.1/",
            "https://127.0.0.0x1/",
            "https://256.0.0.1/",
        ] {
            assert_eq!(code(&req(bad)), Some(ErrorCode::InvalidUrl), "{bad}");
        }
    }

    #[test]
    fn refuses_bad_fields() {
        let base = req("https://sts.tencentcloudapi.com/");
        assert_eq!(
            code(&Tc3Request {
                method: "get",
                ..base
            }),
            Some(ErrorCode::InvalidMethod)
        );
        assert_eq!(
            code(&Tc3Request {
                method: "PUT",
                ..base
            }),
            Some(ErrorCode::InvalidMethod)
        );
        assert_eq!(
            code(&Tc3Request {
                method: "GET",
                ..base
            }),
            Some(ErrorCode::InvalidArgument)
        );
        for ct in [
            "",
            " application/json",
            "application/json\r\nx: y",
            "Application/JSON",
            "text/é",
        ] {
            assert_eq!(
                code(&Tc3Request {
                    content_type: ct,
                    ..base
                }),
                Some(ErrorCode::InvalidHeaderValue),
                "{ct:?}"
            );
        }
        for svc in ["", "STS", "st s", "sts/x", &"a".repeat(65)] {
            assert_eq!(
                code(&Tc3Request {
                    service: svc,
                    ..base
                }),
                Some(ErrorCode::InvalidService),
                "{svc:?}"
            );
        }
        assert_eq!(
            code(&Tc3Request {
                timestamp: MAX_TC3_TIMESTAMP + 1,
                ..base
            }),
            Some(ErrorCode::InvalidTimestamp)
        );
        assert!(tc3_sign(
            "AKID",
            "key",
            &Tc3Request {
                timestamp: MAX_TC3_TIMESTAMP,
                ..base
            }
        )
        .is_ok());
        for (id, key) in [
            ("", "k"),
            ("id", ""),
            ("a b", "k"),
            ("a,b", "k"),
            ("a/b", "k"),
            ("id", "k\n"),
        ] {
            let e = tc3_sign(id, key, &base).err();
            assert_eq!(
                e.as_ref().map(crate::Error::code),
                Some(ErrorCode::InvalidCredentials),
                "{id:?}"
            );
        }
    }

    #[test]
    fn errors_never_echo_the_secret_key() {
        let secret = "TopSecretKeyValue";
        for r in [
            Tc3Request {
                method: "PUT",
                ..req("https://h/")
            },
            req("https://h/ TopSecretKeyValue"),
        ] {
            let e = tc3_sign("AKID", secret, &r)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(!e.is_empty() && !e.contains(secret), "{e}");
        }
    }
}
