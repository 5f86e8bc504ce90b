//! Requests with SSE: what [`Signer::sign_request`](crate::Signer::sign_request) and
//! [`Signer::presign_request`](crate::Signer::presign_request) take and return, the rules
//! they share (protocol §1 + §3), and unsigned object URLs.
//!
//! The rules, checked before anything is signed: no `Authorization` given, SSE parameters
//! never in the URL, SSE given once (option or raw headers), raw SSE-C triples well formed,
//! no SSE-COS through a pre-signed upload, no SSE on archive classes, and SSE-C keys only
//! to an endpoint that allows them ([`Endpoint::check_key_transport`]).

use core::fmt;

use crate::encode::{path_encode, percent_decode, uri_encode};
use crate::endpoint::Endpoint;
use crate::error::{cat, err, q, Result};
use crate::keys::CustomerKey;
use crate::sign::{
    is_sensitive_header, object_path, Header, Request, DEFAULT_ACL, DEFAULT_CONTENT_TYPE,
    DEFAULT_STORAGE_CLASS,
};
use crate::sse::{
    check_archive, check_raw_customer_triple, copy_source_sse_headers, is_copy_source_sse_header,
    is_sse_header, scan_raw, sse_headers, Operation, Sse, HEADER_SSE, HEADER_STORAGE_CLASS,
    SSE_KMS_VALUE,
};
use crate::text::join;

/// A request to sign with SSE (protocol §1 + §3): what
/// [`Signer::sign_request`](crate::Signer::sign_request) and
/// [`Signer::presign_request`](crate::Signer::presign_request) take.
///
/// `Debug` is safe to log: SSE-C keys and sensitive header values are redacted.
#[derive(Clone, Default)]
pub struct SignRequestOptions {
    /// HTTP method (any case).
    pub method: String,
    /// Object key (`a/b.txt`; a leading `/` is accepted).
    pub key: String,
    /// Query parameters, decoded; `None` is a bare name (`?uploads`).
    pub query: Vec<(String, Option<String>)>,
    /// Headers to send. Prefer `sse` / `copy_source_sse` for SSE; raw
    /// `x-cos-server-side-encryption*` headers are accepted only when `sse` is `None`
    /// (then the HTTPS, archive, pre-signed-upload and key-MD5 rules still apply, the
    /// per-operation table does not). Must not contain `Authorization`.
    pub headers: Vec<Header>,
    /// Extra header names to sign, as for [`crate::Request`]. Here every header in `headers`
    /// and every header the signer adds (SSE, [`Pin`] defaults) is signed anyway, so that
    /// whoever holds the result cannot change its value.
    pub sign_headers: Vec<String>,
    /// Destination encryption.
    pub sse: Option<Sse>,
    /// The SSE-C key of the copy source (CopyObject / UploadPartCopy).
    pub copy_source_sse: Option<CustomerKey>,
    /// The COS operation; inferred from method, query and headers when `None`.
    pub operation: Option<Operation>,
    /// Which object attributes the signature fixes when the request does not set them
    /// (headers that are set are always signed). The default pins the ACL.
    pub pin: Pin,
    /// Strict signing ([`strict_headers`]): a bucket in COS's strict mode answers 403 to a
    /// write whose `Content-Type` and `Content-Length` are not signed. With `true` a PUT or
    /// POST that carries a body must give both (they are then signed, and a pre-signed URL
    /// is bound to exactly that size and type); a bodyless one signs `Content-Length: 0`.
    /// Default `false`.
    pub strict: bool,
}

/// What strict signing adds to a request or refuses, before anything is signed.
///
/// COS's strict mode (2025: coscli, coscmd, the PHP and mini-program SDKs changed for it)
/// refuses a write unless `Content-Type` and `Content-Length` are among the signed headers;
/// COS recomputes the signature from the headers it receives, so a signed length and type
/// also bind the request (a pre-signed PUT) to exactly that size and type.
///
/// - GET, HEAD, DELETE and other methods without a body: nothing to do.
/// - PUT or POST with `Content-Length: 0`: a bodyless write, nothing to type; accepted.
/// - PUT or POST with both `Content-Type` and `Content-Length`: accepted (both are signed,
///   as every given header is).
/// - A bodyless operation (InitiateMultipartUpload, CopyObject, UploadPartCopy) without
///   `Content-Length`: `Content-Length: 0` is added and signed. `fetch` (browsers, Node,
///   workers) sends exactly that header for a PUT or POST without a body, so the signed
///   value is the sent one. Other methods are left alone on purpose: `fetch` sends no
///   `Content-Length` with a bodyless DELETE, and a signed header that is not sent breaks
///   the signature.
/// - Any other PUT or POST: refused with `ERR_STRICT_SIGN_MISSING_HEADER`; it is not signed.
/// - A `Content-Length` that is not decimal digits (at most 16): `ERR_INVALID_HEADER_VALUE`.
///
/// Returns the header to add, if any.
///
/// # Errors
/// `ERR_STRICT_SIGN_MISSING_HEADER` and `ERR_INVALID_HEADER_VALUE` as above.
pub fn strict_headers(
    method: &str,
    op: Option<Operation>,
    headers: &[Header],
) -> Result<Option<Header>> {
    if !(method.eq_ignore_ascii_case("PUT") || method.eq_ignore_ascii_case("POST")) {
        return Ok(None);
    }
    let find = |n: &str| headers.iter().find(|h| h.name.eq_ignore_ascii_case(n));
    let (ct, cl) = (find("content-type"), find("content-length"));
    if let Some(cl) = cl {
        // The signed size binds the request: it must be the decimal byte count HTTP sends.
        let v = cl.value.trim_ascii();
        if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err!(
                InvalidHeaderValue,
                "strict signing: Content-Length must be the body's size in bytes (decimal digits)"
            ));
        }
    }
    match cl {
        Some(cl) if cl.value.trim_ascii() == "0" => Ok(None),
        Some(_) if ct.is_some() => Ok(None),
        None if matches!(
            op,
            Some(
                Operation::InitiateMultipartUpload
                    | Operation::CopyObject
                    | Operation::UploadPartCopy
            )
        ) =>
        {
            Ok(Some(Header::new("Content-Length", "0")))
        }
        _ => {
            let missing = match (ct.is_some(), cl.is_some()) {
                (false, false) => "Content-Type and Content-Length",
                (false, true) => "Content-Type",
                _ => "Content-Length",
            };
            Err(err!(
                StrictSignMissingHeader,
                "strict signing: this {} carries a body, so it must give both Content-Type and Content-Length to sign (missing: {}); pass the exact type and size in headers (Content-Length: 0 for an empty body), or strict: false for a bucket that does not require them",
                req_name(method),
                missing
            ))
        }
    }
}

fn req_name(method: &str) -> &'static str {
    if method.eq_ignore_ascii_case("PUT") {
        "PUT"
    } else {
        "POST"
    }
}

/// [`strict_headers`] on a plain [`Request`] (`authorization`, `presign_url`): the added
/// `Content-Length: 0` is signed by default ([`crate::DEFAULT_SIGNED_HEADERS`]).
///
/// # Errors
/// `ERR_STRICT_SIGN_MISSING_HEADER` (see [`strict_headers`]).
pub fn apply_strict(req: &mut Request) -> Result<()> {
    let op = Operation::infer(&req.method, &req.query, &req.headers);
    if let Some(h) = strict_headers(&req.method, op, &req.headers)? {
        req.headers.push(h);
    }
    Ok(())
}

/// What a signed or pre-signed **write** (PutObject, InitiateMultipartUpload, CopyObject,
/// AppendObject) fixes when the issuer did not set it: the signer adds the header with its
/// default value and signs it, so whoever holds the URL cannot pick another value (an added
/// header with the same name is joined to the signed one by HTTP and breaks the signature).
///
/// Every header the issuer sets is signed whatever this says. Headers the issuer did not
/// set and did not pin are not covered: whether COS refuses an unsigned `x-cos-*` header
/// added by the holder is UNCONFIRMED (its docs only say which headers *may* be signed,
/// protocol §1), so pin what matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    /// Pin `x-cos-acl: default` ([`DEFAULT_ACL`]) when neither `x-cos-acl` nor an
    /// `x-cos-grant-*` header is set. Default `true`: otherwise the holder of a pre-signed
    /// PUT can add `x-cos-acl: public-read`. `false` lets the holder choose the ACL.
    pub acl: bool,
    /// Pin `Content-Type: application/octet-stream` ([`DEFAULT_CONTENT_TYPE`]) when no
    /// `Content-Type` is set. Default `false` (a given `Content-Type` is always pinned);
    /// turn it on when the holder must not choose the type (e.g. `text/html`).
    pub content_type: bool,
    /// Pin `x-cos-storage-class: STANDARD` ([`DEFAULT_STORAGE_CLASS`]) when none is set.
    /// Default `false` (a given class is always pinned).
    pub storage_class: bool,
}

impl Default for Pin {
    fn default() -> Self {
        Self {
            acl: true,
            content_type: false,
            storage_class: false,
        }
    }
}

impl Pin {
    /// Nothing pinned beyond the headers the issuer sets.
    pub const NONE: Pin = Pin {
        acl: false,
        content_type: false,
        storage_class: false,
    };

    /// The headers to add to a request of operation `op` with `headers`.
    fn defaults(self, op: Option<Operation>, headers: &[Header]) -> Vec<Header> {
        let writes = matches!(
            op,
            Some(
                Operation::PutObject
                    | Operation::InitiateMultipartUpload
                    | Operation::CopyObject
                    | Operation::AppendObject
            )
        );
        if !writes {
            return Vec::new();
        }
        let has = |pred: &dyn Fn(&str) -> bool| {
            headers.iter().any(|h| pred(&h.name.to_ascii_lowercase()))
        };
        let mut out = Vec::new();
        if self.acl && !has(&|n| n == HEADER_ACL || n.starts_with("x-cos-grant-")) {
            out.push(Header::new(HEADER_ACL, DEFAULT_ACL));
        }
        // CopyObject keeps the source's type unless the metadata is replaced.
        if self.content_type && op != Some(Operation::CopyObject) && !has(&|n| n == "content-type")
        {
            out.push(Header::new("Content-Type", DEFAULT_CONTENT_TYPE));
        }
        if self.storage_class && !has(&|n| n.eq_ignore_ascii_case(HEADER_STORAGE_CLASS)) {
            out.push(Header::new(HEADER_STORAGE_CLASS, DEFAULT_STORAGE_CLASS));
        }
        out
    }
}

/// The ACL header of object writes.
const HEADER_ACL: &str = "x-cos-acl";

impl fmt::Debug for SignRequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<Header> = self
            .headers
            .iter()
            .map(|h| Header {
                name: h.name.clone(),
                value: h.value.clone(),
                sensitive: h.sensitive || is_sensitive_header(&h.name),
            })
            .collect();
        let query: Vec<(&str, Option<&str>)> = self
            .query
            .iter()
            .map(|(k, v)| {
                let secret = is_sensitive_header(k);
                (
                    k.as_str(),
                    v.as_deref()
                        .map(|v| if secret { "** REDACTED **" } else { v }),
                )
            })
            .collect();
        f.debug_struct("SignRequestOptions")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &query)
            .field("headers", &headers)
            .field("sign_headers", &self.sign_headers)
            .field("sse", &self.sse)
            .field("copy_source_sse", &self.copy_source_sse)
            .field("operation", &self.operation)
            .field("pin", &self.pin)
            .field("strict", &self.strict)
            .finish()
    }
}

/// A request ready for `fetch`, the result of [`Signer::sign_request`] and
/// [`Signer::presign_request`](crate::Signer::presign_request): the URL and the headers to
/// send unchanged. No `Host` header (fetch sets it; it is signed as the endpoint's host).
///
/// - Signed with an `Authorization` header: the URL is plain and `headers` hold
///   `Authorization`, `x-cos-security-token` with temporary credentials, the SSE headers
///   and the caller's headers.
/// - Pre-signed: the URL carries the `q-*` signature (and the security token) in its query;
///   `headers` are the signed ones the caller must send (SSE-C, SSE-KMS and any other
///   header given). The URL never contains key material.
///
/// `Debug` redacts sensitive headers and a security token in the URL.
///
/// [`Signer::sign_request`]: crate::Signer::sign_request
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `scheme://host/path?query`.
    pub url: String,
    /// Headers to send; sensitive ones print redacted.
    pub headers: Vec<Header>,
}

impl Drop for SignedRequest {
    /// A pre-signed URL carries the security token (and is a bearer credential itself):
    /// wipe it. The headers wipe themselves ([`Header`]).
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.url);
    }
}

/// The URL with the value of any `x-cos-security-token` query parameter redacted, for `Debug`.
fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _))
                if percent_decode(k).is_some_and(|k| {
                    is_sensitive_header(&k) || k.eq_ignore_ascii_case("x-cos-security-token")
                }) =>
            {
                cat!("{}=**REDACTED**", k)
            }
            _ => kv.to_owned(),
        })
        .collect();
    cat!("{}?{}", base, join(&parts, "&"))
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .finish()
    }
}

/// The one place a request URL is assembled: the endpoint's origin, the encoded
/// `signed_path`, then `?name=value&…` in the order given (a `None` value is a bare name,
/// `?uploads`). Sized up front for the worst-case encoding, so no reallocation leaves a
/// partial copy behind, and every encoded value is wiped: a value may be the security token.
pub(crate) fn build_url(
    endpoint: &Endpoint,
    signed_path: &str,
    query: &[(&str, Option<&str>)],
) -> String {
    let origin = endpoint.origin();
    let path = path_encode(signed_path);
    let query_len: usize = query
        .iter()
        .map(|(k, v)| 3 * (k.len() + v.map_or(0, str::len)) + 2)
        .sum();
    let mut url = String::with_capacity(origin.len() + path.len() + query_len);
    url.push_str(&origin);
    url.push_str(&path);
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&uri_encode(k));
        if let Some(v) = v {
            url.push('=');
            url.push_str(&zeroize::Zeroizing::new(uri_encode(v)));
        }
    }
    url
}

/// The rules common to signing and pre-signing; returns the request to sign: the user
/// headers, then the pinned defaults ([`Pin`]), the SSE headers and the copy-source headers,
/// with every one of them signed.
pub(crate) fn prepare(
    req: &SignRequestOptions,
    endpoint: &Endpoint,
    presign: bool,
) -> Result<Request> {
    if req
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("authorization"))
    {
        return Err(err!(
            InvalidArgument,
            "headers already contain Authorization; pass the request unsigned"
        ));
    }
    let op = match req.operation {
        Some(op) => {
            if op == Operation::PostObject {
                return Err(err!(InvalidArgument, "PostObject is a browser form upload signed by a policy; use post_object_form instead"));
            }
            if !req.method.eq_ignore_ascii_case(op.method()) {
                return Err(err!(
                    InvalidArgument,
                    "operation {} is sent with method {}, but method is {}",
                    op,
                    op.method(),
                    q(&req.method)
                ));
            }
            Some(op)
        }
        None => Operation::infer(&req.method, &req.query, &req.headers),
    };

    for (k, _) in &req.query {
        let n = k.to_ascii_lowercase();
        if is_sse_header(&n) || is_copy_source_sse_header(&n) {
            return Err(err!(InvalidSse, "SSE parameter {} must not travel in the URL; pass it via sse / copySourceSse so it is sent as a header", q(k)));
        }
    }

    let raw = scan_raw(&req.headers);
    if req.sse.is_some() && raw.any_dest {
        return Err(err!(InvalidSse, "SSE is given both as the sse option and as x-cos-server-side-encryption* headers; pass it once, via sse"));
    }
    if req.copy_source_sse.is_some() && raw.copy_source_any {
        return Err(err!(InvalidSse, "the copy-source SSE-C key is given both as copySourceSse and as headers; pass it once, via copySourceSse"));
    }
    if raw.customer_key && raw.sse_value.is_some() {
        // Mixing x-cos-server-side-encryption with SSE-C is UNCONFIRMED for COS (S3 rejects it).
        return Err(err!(InvalidSse, "x-cos-server-side-encryption cannot be combined with SSE-C customer-key headers; choose one mode"));
    }
    check_raw_customer_triple(&req.headers, HEADER_SSE)?;
    check_raw_customer_triple(&req.headers, "x-cos-copy-source-server-side-encryption")?;

    // The SSE-COS-through-a-pre-signed-upload rule comes first: it is the most specific.
    let is_upload_method =
        req.method.eq_ignore_ascii_case("PUT") || req.method.eq_ignore_ascii_case("POST");
    if presign && is_upload_method {
        let sse_cos_raw = raw
            .sse_value
            .as_deref()
            .is_some_and(|v| !v.eq_ignore_ascii_case(SSE_KMS_VALUE));
        if matches!(req.sse, Some(Sse::Cos { .. })) || sse_cos_raw {
            return Err(err!(SsePresignedUpload, "COS cannot apply SSE-COS to an upload through a pre-signed URL; sign the request with sign_request (Authorization header), use SSE-KMS, or set a bucket default encryption"));
        }
    }

    let mut headers = req.headers.clone();
    headers.extend(req.pin.defaults(op, &req.headers));
    if let Some(sse) = &req.sse {
        let Some(op) = op else {
            return Err(err!(UnknownOperation, "cannot tell which COS operation a {} request with sse is; pass operation (e.g. PutObject, UploadPart)", req.method));
        };
        headers.extend(sse_headers(sse, op)?);
    }
    if let Some(src) = &req.copy_source_sse {
        match op {
            Some(op) if op.is_copy() => headers.extend(copy_source_sse_headers(src)),
            Some(op) => {
                return Err(err!(SseNotAllowed, "{} does not accept a copy-source SSE-C key; it is only for CopyObject and UploadPartCopy (with an x-cos-copy-source header)", op))
            }
            None => {
                return Err(err!(UnknownOperation, "cannot tell which COS operation a {} request with copySourceSse is; pass operation CopyObject or UploadPartCopy", req.method))
            }
        }
    }

    if req.strict {
        if let Some(h) = strict_headers(&req.method, op, &headers)? {
            headers.push(h);
        }
    }

    let dest_sse = req.sse.is_some() || raw.any_dest;
    if dest_sse {
        if let Some(class) = req
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(HEADER_STORAGE_CLASS))
        {
            check_archive(&class.value)?;
        }
    }
    let carries_key = matches!(req.sse, Some(Sse::Customer(_)))
        || req.copy_source_sse.is_some()
        || raw.customer_key
        || raw.copy_source_key;
    if carries_key {
        endpoint.check_key_transport()?;
    }
    // Every header the issuer decided is signed, not only the default list: a header that
    // is sent but not signed could be replaced by whoever holds the URL.
    let mut sign_headers = req.sign_headers.clone();
    sign_headers.extend(headers.iter().map(|h| h.name.clone()));
    Ok(Request {
        method: req.method.clone(),
        key: req.key.clone(),
        query: req.query.clone(),
        headers,
        sign_headers,
    })
}

pub(crate) fn without_host(headers: Vec<Header>) -> Vec<Header> {
    headers
        .into_iter()
        .filter(|h| !h.name.eq_ignore_ascii_case("host"))
        .collect()
}

/// An unsigned (anonymous / public-read) object URL: `origin` + encoded path.
///
/// `sse` describes how the object is encrypted, when known. SSE-COS objects can be read
/// anonymously; SSE-KMS objects need a valid signature (COS SSE overview: "not accessible by
/// anonymous users"), and SSE-C objects need the key headers on every read, which a bare
/// URL cannot carry.
///
/// # Errors
/// `ERR_SSE_KMS_ANONYMOUS` for SSE-KMS, `ERR_SSE_NOT_ALLOWED` for SSE-C, and the object key
/// errors (`ERR_INVALID_OBJECT_KEY`, `ERR_OBJECT_KEY_TOO_LONG`).
pub fn object_url(endpoint: &Endpoint, key: &str, sse: Option<&Sse>) -> Result<String> {
    match sse {
        Some(Sse::Kms { .. }) => {
            return Err(err!(SseKmsAnonymous, "SSE-KMS objects cannot be read anonymously; use a pre-signed URL (presign_request with GetObject) or a signed request"))
        }
        Some(Sse::Customer(_)) => {
            return Err(err!(SseNotAllowed, "an unsigned URL cannot carry the SSE-C key headers every read of an SSE-C object needs; use sign_request with operation GetObject"))
        }
        Some(Sse::Cos { .. }) | None => {}
    }
    let path = object_path(key)?;
    Ok(build_url(endpoint, &endpoint.signed_path(&path), &[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(op: Option<Operation>, pin: Pin, headers: &[Header]) -> Vec<String> {
        pin.defaults(op, headers)
            .into_iter()
            .map(|h| format!("{}: {}", h.name, h.value))
            .collect()
    }

    #[test]
    fn pin_defaults_per_operation() {
        let all = Pin {
            acl: true,
            content_type: true,
            storage_class: true,
        };
        assert_eq!(
            names(Some(Operation::PutObject), all, &[]),
            [
                "x-cos-acl: default",
                "Content-Type: application/octet-stream",
                "x-cos-storage-class: STANDARD"
            ]
        );
        // a copy keeps its source's type unless the metadata is replaced
        assert_eq!(
            names(Some(Operation::CopyObject), all, &[]),
            ["x-cos-acl: default", "x-cos-storage-class: STANDARD"]
        );
        // parts, completions and reads change no object attribute
        for op in [
            Operation::UploadPart,
            Operation::UploadPartCopy,
            Operation::CompleteMultipartUpload,
            Operation::GetObject,
            Operation::HeadObject,
        ] {
            assert!(names(Some(op), all, &[]).is_empty(), "{op}");
        }
        assert!(names(None, all, &[]).is_empty());
        assert!(names(Some(Operation::PutObject), Pin::NONE, &[]).is_empty());
    }

    #[test]
    fn strict_headers_rules() {
        let h = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|&(n, v)| Header::new(n, v))
                .collect::<Vec<_>>()
        };
        let code = |m: &str, op: Option<Operation>, hs: &[Header]| {
            strict_headers(m, op, hs)
                .map_err(|e| e.code().as_str())
                .map(|h| h.map(|h| h.value.clone()))
        };
        let put = Some(Operation::PutObject);
        assert_eq!(code("GET", None, &[]), Ok(None));
        assert_eq!(code("DELETE", None, &[]), Ok(None));
        assert_eq!(
            code(
                "put",
                put,
                &h(&[("content-type", "a/b"), ("Content-Length", "3")])
            ),
            Ok(None)
        );
        assert_eq!(code("PUT", put, &h(&[("Content-Length", "0")])), Ok(None));
        for bad in ["", "-1", "1.5", "0x10", "12345678901234567"] {
            let hs = h(&[("Content-Type", "a/b"), ("Content-Length", bad)]);
            assert_eq!(
                code("PUT", put, &hs),
                Err("ERR_INVALID_HEADER_VALUE"),
                "{bad:?}"
            );
        }
        for hs in [
            h(&[]),
            h(&[("Content-Type", "a/b")]),
            h(&[("Content-Length", "3")]),
        ] {
            assert_eq!(code("PUT", put, &hs), Err("ERR_STRICT_SIGN_MISSING_HEADER"));
            assert_eq!(
                code("POST", None, &hs),
                Err("ERR_STRICT_SIGN_MISSING_HEADER")
            );
        }
        for op in [
            Operation::InitiateMultipartUpload,
            Operation::CopyObject,
            Operation::UploadPartCopy,
        ] {
            assert_eq!(
                code(op.method(), Some(op), &[]),
                Ok(Some("0".to_owned())),
                "{op}"
            );
        }
        assert_eq!(
            code("PUT", Some(Operation::UploadPart), &[]),
            Err("ERR_STRICT_SIGN_MISSING_HEADER")
        );
    }

    #[test]
    fn given_headers_are_not_overridden() {
        let given = [
            Header::new("X-Cos-Grant-Read", "id=\"1\""),
            Header::new("content-type", "image/png"),
            Header::new("X-COS-STORAGE-CLASS", "STANDARD_IA"),
        ];
        let all = Pin {
            acl: true,
            content_type: true,
            storage_class: true,
        };
        assert!(names(Some(Operation::PutObject), all, &given).is_empty());
        let acl = [Header::new("X-Cos-Acl", "private")];
        assert!(names(Some(Operation::AppendObject), Pin::default(), &acl).is_empty());
        assert_eq!(
            names(
                Some(Operation::InitiateMultipartUpload),
                Pin::default(),
                &[]
            ),
            ["x-cos-acl: default"]
        );
    }
}
