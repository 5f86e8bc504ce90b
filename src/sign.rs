//! The COS request signature, `q-sign-algorithm=sha1` (protocol §1,
//! [Request signature](https://cloud.tencent.com/document/product/436/7778)).
//!
//! Everything here is pure: the caller passes the [`KeyTime`] (no clock is read).

use core::fmt;

use crate::credentials::Credentials;
use crate::crypto::{hmac_sha1_hex, sha1_hex};
use crate::encode::uri_encode;
use crate::endpoint::Endpoint;
use crate::error::{cat, err, q, Result};
use crate::text::{join, parse_u64, push_hex_byte, split_once_ascii, HEX_UPPER};

/// COS's limit on the UTF-8 length of an object key (protocol §6).
pub const MAX_OBJECT_KEY_BYTES: usize = 850;

/// Headers signed by default when present (protocol §1 "Default signed headers"): the list
/// shared by the official Node and Python SDKs (which, unlike the browser SDK, include
/// `content-type`), plus every `x-cos-*` and `x-ci-*` header (prefix match).
pub const DEFAULT_SIGNED_HEADERS: &[&str] = &[
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-length",
    "content-md5",
    "content-type",
    "expect",
    "expires",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-unmodified-since",
    "origin",
    "range",
    "transfer-encoding",
    "pic-operations",
];

/// The `x-cos-acl` value [`crate::Pin::acl`] signs when the issuer set no ACL: `default`, the
/// object inherits the bucket's ACL (COS PUT Object: `default` is the value COS assumes).
pub const DEFAULT_ACL: &str = "default";
/// The `Content-Type` pinned when none is given ([`crate::Pin::content_type`], strict POST forms):
/// what COS stores for an upload without one.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";
/// The storage class pinned when none is given ([`crate::Pin::storage_class`], strict POST forms).
/// COS's default for a single-AZ bucket; a multi-AZ bucket needs `MAZ_STANDARD` given
/// explicitly (UNCONFIRMED whether COS refuses `STANDARD` there).
pub const DEFAULT_STORAGE_CLASS: &str = "STANDARD";

/// Whether `lower_name` (already lower-cased) is signed by default.
#[must_use]
pub fn is_signed_by_default(lower_name: &str) -> bool {
    lower_name.starts_with("x-cos-")
        || lower_name.starts_with("x-ci-")
        || DEFAULT_SIGNED_HEADERS.contains(&lower_name)
}

/// The signature validity window `"<start>;<end>"` in Unix seconds (`q-key-time`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyTime {
    start: u64,
    end: u64,
}

/// Largest accepted timestamp: 9999-12-31, so every value stays a 10-to-12-digit integer.
const MAX_UNIX: u64 = 253_402_300_799;

impl KeyTime {
    /// A window from `start` to `end` (Unix seconds).
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_TIME` if `end <= start` or a value is past year 9999.
    pub fn new(start: u64, end: u64) -> Result<Self> {
        if end <= start {
            return Err(err!(
                InvalidKeyTime,
                "keyTime end ({}) must be after start ({})",
                end,
                start
            ));
        }
        if end > MAX_UNIX {
            return Err(err!(
                InvalidKeyTime,
                "keyTime end ({}) is past year 9999; use Unix seconds, not milliseconds",
                end
            ));
        }
        Ok(Self { start, end })
    }

    /// Parses `"start;end"`.
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_TIME` if not two decimal integers separated by `;`, or reversed.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            err!(InvalidKeyTime, "keyTime {} must be \"<start>;<end>\" in Unix seconds, e.g. \"1557989151;1557996351\"", q(s))
        };
        let (a, b) = split_once_ascii(s, b';').ok_or_else(bad)?;
        let num = |t: &str| -> Result<u64> {
            if t.is_empty() || t.len() > 12 || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            parse_u64(t).ok_or_else(bad)
        };
        Self::new(num(a)?, num(b)?)
    }

    /// `now - 1 .. now + expires` (the JS SDK's default shape, one second of slack for
    /// clocks that run slightly ahead of COS's).
    ///
    /// # Errors
    /// `ERR_INVALID_KEY_TIME` if `expires` is 0.
    pub fn from_expires(now: u64, expires: u64) -> Result<Self> {
        if expires == 0 {
            return Err(err!(
                InvalidKeyTime,
                "expires must be a positive number of seconds"
            ));
        }
        Self::new(now.saturating_sub(1), now.saturating_add(expires))
    }

    /// Start, Unix seconds.
    #[must_use]
    pub fn start(self) -> u64 {
        self.start
    }

    /// End, Unix seconds.
    #[must_use]
    pub fn end(self) -> u64 {
        self.end
    }
}

/// `start;end`, as signed (`q-sign-time`, `q-key-time`).
impl crate::error::Piece for KeyTime {
    fn push_to(&self, out: &mut String) {
        self.start.push_to(out);
        out.push(';');
        self.end.push_to(out);
    }
}

impl fmt::Display for KeyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&cat!("{}", self))
    }
}

/// One HTTP header. `sensitive` headers (SSE-C keys, the security token, Authorization)
/// print as `** REDACTED **` in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    /// Name as given (case preserved).
    pub name: String,
    /// Value, sent as is. [`Header::new`] trims surrounding spaces and tabs (HTTP strips
    /// them on the wire, so COS would verify the trimmed value).
    pub value: String,
    /// Whether the value is secret.
    pub sensitive: bool,
}

impl Header {
    /// A header; `sensitive` is inferred from the name (see [`is_sensitive_header`]). The
    /// value's surrounding spaces and tabs are trimmed: HTTP drops them in transit, and COS
    /// verifies the signature over what arrived.
    #[must_use]
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        let name = name.into();
        let sensitive = is_sensitive_header(&name);
        let mut value = value.into();
        let trimmed = value.trim_matches([' ', '\t']);
        if trimmed.len() != value.len() {
            let t = trimmed.to_owned();
            zeroize::Zeroize::zeroize(&mut value);
            value = t;
        }
        Self {
            name,
            value,
            sensitive,
        }
    }
}

/// Headers whose values carry secrets: SSE-C keys (`…-customer-key`), the STS token and
/// `Authorization`.
#[must_use]
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with("-customer-key") || n == "x-cos-security-token" || n == "authorization"
}

impl Drop for Header {
    /// Header values may carry SSE-C keys or the security token: wipe them from memory.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.value);
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sensitive {
            write!(f, "{}: ** REDACTED **", self.name)
        } else {
            write!(f, "{}: {:?}", self.name, self.value)
        }
    }
}

/// What to sign: method, object key, query parameters and headers.
///
/// `Debug` is safe to log: sensitive header values are redacted.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// HTTP method (any case).
    pub method: String,
    /// Object key; a leading `/` is accepted (`a.txt` and `/a.txt` are the same object);
    /// empty for bucket-level calls.
    pub key: String,
    /// Query parameters, decoded. `None` is a parameter without a value (`?uploads`),
    /// signed as `uploads=`.
    pub query: Vec<(String, Option<String>)>,
    /// Headers that will be sent.
    pub headers: Vec<Header>,
    /// Extra header names to sign beyond [`DEFAULT_SIGNED_HEADERS`] (e.g. `date`).
    pub sign_headers: Vec<String>,
}

impl Request {
    /// A request with no query or headers.
    #[must_use]
    pub fn new(method: &str, key: &str) -> Self {
        Self {
            method: method.to_owned(),
            key: key.to_owned(),
            ..Self::default()
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push(Header::new(name, value));
        self
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, name: &str, value: Option<&str>) -> Self {
        self.query.push((name.to_owned(), value.map(str::to_owned)));
        self
    }

    /// Finds a header value by case-insensitive name.
    #[must_use]
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }
}

/// Validates an HTTP method and returns it lower-cased.
fn method_lower(method: &str) -> Result<String> {
    if method.is_empty() || method.len() > 16 || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(err!(
            InvalidMethod,
            "method {} is not an HTTP method such as GET, PUT, POST, HEAD or DELETE",
            q(method)
        ));
    }
    Ok(method.to_ascii_lowercase())
}

/// Validates an object key and returns the `UriPathname` (`/` + key without a doubled
/// leading slash).
///
/// # Errors
/// `ERR_OBJECT_KEY_TOO_LONG` past 850 UTF-8 bytes; `ERR_INVALID_OBJECT_KEY` for NUL or
/// the control characters 24-27 that COS forbids, and for the keys `.` and `..`, which no
/// URL can carry (every URL parser removes a dot segment).
pub fn object_path(key: &str) -> Result<String> {
    let bare = key.strip_prefix('/').unwrap_or(key);
    if bare.len() > MAX_OBJECT_KEY_BYTES {
        return Err(err!(
            ObjectKeyTooLong,
            "object key is {} bytes of UTF-8; COS allows at most {}",
            bare.len(),
            MAX_OBJECT_KEY_BYTES
        ));
    }
    if let Some(c) = bare.chars().find(|c| matches!(*c as u32, 0 | 24..=27)) {
        return Err(err!(
            InvalidObjectKey,
            "object key contains the control character U+00{}, which COS does not allow",
            {
                let mut hex = String::new();
                // Only U+0000 and U+0018..U+001B get here.
                push_hex_byte(&mut hex, c as u8, HEX_UPPER);
                hex
            }
        ));
    }
    if bare == "." || bare == ".." {
        return Err(err!(
            InvalidObjectKey,
            "the object key {} cannot be sent: URL parsers remove a '.' or '..' path segment",
            q(bare)
        ));
    }
    Ok(cat!("/{}", bare))
}

/// The longest header value signed, in bytes. COS's own limit is UNCONFIRMED; 8 KiB is what
/// common HTTP servers and proxies accept per header line, so a longer value would fail in
/// transit anyway. `ERR_HEADER_VALUE_TOO_LONG` past it.
pub const MAX_HEADER_VALUE_BYTES: usize = 8 * 1024;

/// The longest query parameter value signed, in bytes (before percent-encoding). UNCONFIRMED
/// for COS; URLs much longer than 8 KiB are refused by common servers and proxies.
/// `ERR_QUERY_VALUE_TOO_LONG` past it.
pub const MAX_QUERY_VALUE_BYTES: usize = 8 * 1024;

/// Validates a header value as it travels: what `fetch`, XHR and Node send is the value's
/// bytes only when it is printable ASCII (space, tab and `!`..`~`) — browsers send other
/// characters as Latin-1 or refuse them, so the signature over UTF-8 would not match (403).
/// Surrounding whitespace would be stripped in transit, and the value must fit
/// [`MAX_HEADER_VALUE_BYTES`].
pub(crate) fn check_wire_header_value(name: &str, value: &str) -> Result<()> {
    check_header_value(name, value)?;
    if value.len() > MAX_HEADER_VALUE_BYTES {
        return Err(err!(
            HeaderValueTooLong,
            "header {} is {} bytes; at most {} are signed",
            q(name),
            value.len(),
            MAX_HEADER_VALUE_BYTES
        ));
    }
    if !value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(err!(InvalidHeaderValue, "header {} has characters outside printable ASCII, which browsers and Node send differently from what would be signed; percent-encode the value (e.g. encodeURIComponent for x-cos-meta-*)", q(name)));
    }
    if value.trim_matches([' ', '\t']).len() != value.len() {
        return Err(err!(
            InvalidHeaderValue,
            "header {} has surrounding whitespace, which HTTP strips in transit; trim it",
            q(name)
        ));
    }
    Ok(())
}

/// Validates a header name (an RFC 9110 token).
pub(crate) fn check_header_name(name: &str) -> Result<()> {
    // `iter().any`, not `contains`: a slice `contains` links `memchr` (0.4 KB of `.wasm`).
    #[allow(clippy::manual_contains)]
    let tchar = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".iter().any(|&t| t == b);
    if name.is_empty() || !name.bytes().all(tchar) {
        return Err(err!(
            InvalidHeaderName,
            "header name {} is not a valid HTTP header name",
            q(name)
        ));
    }
    Ok(())
}

/// Validates a header value: no CR, LF or NUL (they would split or truncate the header).
pub(crate) fn check_header_value(name: &str, value: &str) -> Result<()> {
    if value.contains(['\r', '\n', '\0']) {
        return Err(err!(
            InvalidHeaderValue,
            "header {} contains CR, LF or NUL, which HTTP cannot carry",
            q(name)
        ));
    }
    Ok(())
}

/// The canonical parts of a signature, exposed so a failure shows which step differs
/// (compare with the `<FormatString>` / `<StringToSign>` of a `SignatureDoesNotMatch`).
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureParts {
    /// `q-key-time`.
    pub key_time: KeyTime,
    /// `q-header-list`.
    pub header_list: String,
    /// `q-url-param-list`.
    pub url_param_list: String,
    /// `HttpString` (COS's FormatString). Contains signed header values: do not log it
    /// when SSE-C headers are signed.
    pub http_string: String,
    /// `StringToSign`.
    pub string_to_sign: String,
    /// `q-signature`.
    pub signature: String,
}

impl Drop for SignatureParts {
    /// The HttpString holds signed header values (SSE-C keys, the security token).
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.http_string);
    }
}

impl fmt::Debug for SignatureParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureParts")
            .field("key_time", &self.key_time)
            .field("header_list", &self.header_list)
            .field("url_param_list", &self.url_param_list)
            .field("http_string", &"** REDACTED **")
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &self.signature)
            .finish()
    }
}

/// Encodes and lower-cases names, encodes values, sorts by encoded name, and returns
/// (`name;name`, `name=value&…`). Names equal after lower-casing are an error.
fn canonical_pairs(
    pairs: &mut [(String, String)],
    // `dyn`, not generic: one copy of this function and of its sort in the `.wasm`.
    dup: &dyn Fn(&str) -> crate::error::Error,
) -> Result<(String, String)> {
    // Heapsort (std's BinaryHeap): O(n log n) for any input, and ~3 KB smaller in the
    // `.wasm` than the slice sorts. Names are unique once checked below, so ordering by
    // (name, value) is ordering by name. The strings are moved, never copied.
    let heap: std::collections::BinaryHeap<(String, String)> =
        pairs.iter_mut().map(core::mem::take).collect();
    for (slot, pair) in pairs.iter_mut().zip(heap.into_sorted_vec()) {
        *slot = pair;
    }
    if let Some(w) = pairs
        .windows(2)
        .find(|w| w.first().map(|x| &x.0) == w.get(1).map(|x| &x.0))
    {
        return Err(dup(w.first().map_or("", |x| x.0.as_str())));
    }
    // Built in place at its final size: values may be SSE-C keys or the security token,
    // and intermediate copies (format!, join, reallocation) would stay in freed memory.
    let list = join(
        &pairs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
        ";",
    );
    let len = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut string = String::with_capacity(len);
    for (i, (k, v)) in pairs.iter_mut().enumerate() {
        if i > 0 {
            string.push('&');
        }
        string.push_str(k);
        string.push('=');
        string.push_str(v);
        zeroize::Zeroize::zeroize(v);
    }
    Ok((list, string))
}

impl Request {
    /// Checks header names/values and rejects names that collide after lower-casing.
    pub(crate) fn validate_headers(&self) -> Result<()> {
        let mut names: Vec<String> = Vec::with_capacity(self.headers.len());
        for h in &self.headers {
            check_header_name(&h.name)?;
            check_wire_header_value(&h.name, &h.value)?;
            let lower = h.name.to_ascii_lowercase();
            if names.contains(&lower) {
                return Err(err!(DuplicateHeader, "header {} is given twice (names differing only in case); HTTP merges them, so pass it once", q(&lower)));
            }
            names.push(lower);
        }
        Ok(())
    }

    /// The signed path (`UriPathname`) of this request at `endpoint`, and the request with
    /// the endpoint's `host` header added unless one is given (a CDN domain, for example):
    /// `host` is always signed.
    ///
    /// # Errors
    /// The object key errors of [`object_path`].
    pub(crate) fn for_endpoint(&self, endpoint: &Endpoint) -> Result<(String, Request)> {
        let signed_path = endpoint.signed_path(&object_path(&self.key)?);
        let mut req = self.clone();
        if req.header_value("host").is_none() {
            req.headers
                .push(Header::new("host", endpoint.host_header()));
        }
        Ok((signed_path, req))
    }

    /// The canonical request over `signed_path` (the decoded `UriPathname`): everything COS
    /// hashes except the key time. Needs no secret.
    pub(crate) fn canonical(&self, signed_path: &str) -> Result<CanonicalRequest> {
        let method = method_lower(&self.method)?;
        self.validate_headers()?;
        let extra: Vec<String> = self
            .sign_headers
            .iter()
            .map(|n| n.to_ascii_lowercase())
            .collect();

        let mut params = Vec::with_capacity(self.query.len());
        for (k, v) in &self.query {
            if k.is_empty() {
                return Err(err!(InvalidArgument, "a query parameter has an empty name"));
            }
            if k.to_ascii_lowercase().ends_with("-customer-key") {
                return Err(err!(InvalidQueryValue, "SSE-C key material must not be put in the URL (URLs end up in logs and histories); send it as headers (presignRequest / signRequest with `sse`)"));
            }
            if let Some(len) = v
                .as_ref()
                .map(String::len)
                .filter(|l| *l > MAX_QUERY_VALUE_BYTES)
            {
                return Err(err!(
                    QueryValueTooLong,
                    "query parameter {} is {} bytes; at most {} are signed",
                    q(k),
                    len,
                    MAX_QUERY_VALUE_BYTES
                ));
            }
            params.push((
                uri_encode(k).to_ascii_lowercase(),
                uri_encode(v.as_deref().unwrap_or("")),
            ));
        }
        let (url_param_list, http_parameters) = canonical_pairs(&mut params, &|k| {
            err!(
                DuplicateQueryParam,
                "query parameter {} is given twice (names differing only in case); pass it once",
                q(k)
            )
        })?;

        let mut headers = Vec::new();
        for h in &self.headers {
            let lower = h.name.to_ascii_lowercase();
            if is_signed_by_default(&lower) || extra.contains(&lower) {
                headers.push((
                    uri_encode(&lower).to_ascii_lowercase(),
                    uri_encode(&h.value),
                ));
            }
        }
        let (header_list, http_headers) = canonical_pairs(&mut headers, &|k| {
            err!(DuplicateHeader, "header {} is given twice", q(k))
        })?;

        let http_parameters = zeroize::Zeroizing::new(http_parameters);
        let http_headers = zeroize::Zeroizing::new(http_headers);
        let mut http_string = String::with_capacity(
            method.len() + signed_path.len() + http_parameters.len() + http_headers.len() + 4,
        );
        for part in [
            method.as_str(),
            signed_path,
            &http_parameters,
            &http_headers,
        ] {
            http_string.push_str(part);
            http_string.push('\n');
        }
        Ok(CanonicalRequest {
            header_list,
            url_param_list,
            http_string,
        })
    }

    /// Computes every step of the signature over `signed_path` (the decoded `UriPathname`).
    pub(crate) fn signature_parts(
        &self,
        creds: &Credentials,
        signed_path: &str,
        key_time: KeyTime,
    ) -> Result<SignatureParts> {
        let mut canonical = self.canonical(signed_path)?;
        let http_string = core::mem::take(&mut canonical.http_string);
        let header_list = core::mem::take(&mut canonical.header_list);
        let url_param_list = core::mem::take(&mut canonical.url_param_list);
        let string_to_sign = cat!("sha1\n{}\n{}\n", key_time, sha1_hex(http_string.as_bytes()));
        let signature = SignKey::new(creds, key_time).sign(&string_to_sign);
        Ok(SignatureParts {
            key_time,
            header_list,
            url_param_list,
            http_string,
            string_to_sign,
            signature,
        })
    }
}

impl SignatureParts {
    /// The seven `q-*` pairs in COS's order, values unencoded.
    #[must_use]
    pub fn pairs<'a>(&'a self, secret_id: &'a str) -> [(&'static str, String); 7] {
        let kt = cat!("{}", self.key_time);
        [
            ("q-sign-algorithm", "sha1".to_owned()),
            ("q-ak", secret_id.to_owned()),
            ("q-sign-time", kt.clone()),
            ("q-key-time", kt),
            ("q-header-list", self.header_list.clone()),
            ("q-url-param-list", self.url_param_list.clone()),
            ("q-signature", self.signature.clone()),
        ]
    }

    /// The `Authorization` header value.
    #[must_use]
    pub fn authorization(&self, secret_id: &str) -> String {
        let mut out = String::with_capacity(256);
        for (i, (k, v)) in self.pairs(secret_id).iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            out.push_str(k);
            out.push('=');
            out.push_str(v);
        }
        out
    }
}

/// `q-signature` for a POST Object policy: `hexHMAC(hexHMAC(SecretKey, KeyTime), hexSHA1(policy))`
/// (protocol §2 "Signing").
pub(crate) fn post_policy_signature(
    creds: &Credentials,
    key_time: KeyTime,
    policy_text: &str,
) -> String {
    SignKey::new(creds, key_time).sign(&sha1_hex(policy_text.as_bytes()))
}

/// What COS hashes of a request besides the key time (protocol §2 "Signing"): the
/// `q-header-list` and `q-url-param-list` (sorted, lower-cased, encoded names joined by
/// `;`) and the `HttpString` (`method\npath\nparams\nheaders\n`). The `HttpString` may
/// hold an SSE-C key or the security token: it is wiped when dropped.
pub(crate) struct CanonicalRequest {
    pub(crate) header_list: String,
    pub(crate) url_param_list: String,
    pub(crate) http_string: String,
}

impl Drop for CanonicalRequest {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.http_string);
    }
}

/// `SignKey = hex(HMAC-SHA1(SecretKey, KeyTime))`: it signs anything for the whole key-time
/// window, so it is a secret of its own, wiped when dropped, never printed. Both COS
/// signatures (a request's `StringToSign`, a POST policy's `hex(SHA1(policy))`) are
/// `hex(HMAC-SHA1(SignKey, …))`.
pub(crate) struct SignKey(zeroize::Zeroizing<String>);

impl SignKey {
    pub(crate) fn new(creds: &Credentials, key_time: KeyTime) -> Self {
        let kt = cat!("{}", key_time);
        Self(zeroize::Zeroizing::new(hmac_sha1_hex(
            creds.secret_key(),
            kt.as_bytes(),
        )))
    }

    /// `q-signature` of `text`.
    pub(crate) fn sign(&self, text: &str) -> String {
        hmac_sha1_hex(self.0.as_bytes(), text.as_bytes())
    }
}

impl fmt::Debug for SignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn creds() -> Credentials {
        Credentials::new(
            "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q",
            "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
        )
        .expect("valid")
    }

    /// Protocol §1 worked example 1 (PUT), every intermediate step.
    #[test]
    fn doc_example_put() {
        let mut req = Request::new("PUT", "exampleobject(腾讯云)")
            .header("Date", "Thu, 16 May 2019 06:45:51 GMT")
            .header(
                "Host",
                "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
            )
            .header("Content-Type", "text/plain")
            .header("Content-Length", "13")
            .header("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg==")
            .header("x-cos-acl", "private")
            .header("x-cos-grant-read", "uin=\"100000000011\"");
        req.sign_headers.push("Date".into());
        let kt = KeyTime::parse("1557989151;1557996351").expect("kt");
        let p = req
            .signature_parts(&creds(), "/exampleobject(腾讯云)", kt)
            .expect("sign");
        assert_eq!(
            p.header_list,
            "content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read"
        );
        assert_eq!(
            sha1_hex(p.http_string.as_bytes()),
            "8b2751e77f43a0995d6e9eb9477f4b685cca4172"
        );
        assert_eq!(p.signature, "3b8851a11a569213c17ba8fa7dcf2abec6935172");
        assert_eq!(
            hmac_sha1_hex(
                b"BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz",
                b"1557989151;1557996351"
            ),
            "eb2519b498b02ac213cb1f3d1a3d27a3b3c9bc5f"
        );
    }

    /// Protocol §1 worked example 2 (GET with response-* parameters).
    #[test]
    fn doc_example_get() {
        let mut req = Request::new("GET", "exampleobject(腾讯云)")
            .query("response-content-type", Some("application/octet-stream"))
            .query("response-cache-control", Some("max-age=600"))
            .header("Date", "Thu, 16 May 2019 06:55:53 GMT")
            .header(
                "Host",
                "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
            );
        req.sign_headers.push("date".into());
        let kt = KeyTime::parse("1557989753;1557996953").expect("kt");
        let p = req
            .signature_parts(&creds(), "/exampleobject(腾讯云)", kt)
            .expect("sign");
        assert_eq!(
            p.url_param_list,
            "response-cache-control;response-content-type"
        );
        assert_eq!(
            sha1_hex(p.http_string.as_bytes()),
            "54ecfe22f59d3514fdc764b87a32d8133ea611e6"
        );
        assert_eq!(p.signature, "01681b8c9d798a678e43b685a9f1bba0f6c0e012");
    }

    #[test]
    fn key_time_errors() {
        for bad in [
            "",
            "1",
            "1;",
            ";2",
            "a;b",
            "2;1",
            "1;1",
            "-1;5",
            "1.5;3",
            "1 ;2",
            "1;9999999999999",
        ] {
            assert_eq!(
                KeyTime::parse(bad).unwrap_err().code(),
                ErrorCode::InvalidKeyTime,
                "{bad}"
            );
        }
        assert_eq!(
            KeyTime::from_expires(100, 900).expect("ok").to_string(),
            "99;1000"
        );
        assert!(KeyTime::from_expires(100, 0).is_err());
    }

    #[test]
    fn object_keys() {
        assert_eq!(object_path("a").expect("ok"), "/a");
        assert_eq!(object_path("/a").expect("ok"), "/a");
        assert_eq!(object_path("//a").expect("ok"), "//a");
        assert_eq!(object_path("").expect("ok"), "/");
        assert_eq!(
            object_path(&"a".repeat(851)).unwrap_err().code(),
            ErrorCode::ObjectKeyTooLong
        );
        assert_eq!(
            object_path("a\u{1b}").unwrap_err().code(),
            ErrorCode::InvalidObjectKey
        );
    }

    #[test]
    fn sensitive_debug() {
        let r = Request::new("PUT", "k")
            .header("x-cos-server-side-encryption-customer-key", "SECRETKEYB64")
            .header("x-cos-meta-a", "visible");
        let d = format!("{r:?}");
        assert!(!d.contains("SECRETKEYB64"));
        assert!(d.contains("visible"));
    }
}
