//! The request context: the canonical request model every later layer works from (decoded
//! path, bucket and key, query pairs, headers), and authentication of the request head.
//!
//! One model: the operation is chosen from the same lower-case sub-resource names the signature
//! covered, and a signed request may not carry `x-cos-*` headers or query parameters that it did
//! not sign (the emulator's strict stance; see README).

use crate::auth::{self, SigParams, SignedRequest};
use crate::error::{access_denied, bad_request, forbidden, CosResult};
use crate::http::RequestHead;
use crate::state::State;
use crate::sts::{cos_action, cos_resource, CosRequest};
use crate::util::{parse_query, url_decode, url_encode};
use std::net::IpAddr;

/// Reads a header or form field by lower-case name.
pub type Getter<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Query parameters that carry the signature itself; never part of `q-url-param-list`.
pub const AUTH_PARAMS: [&str; 9] = [
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
    "sign",
    "x-cos-security-token",
];

/// `x-cos-*` headers a signed request may carry without signing them: the token is checked
/// against the credential on its own.
const UNSIGNED_XCOS_OK: [&str; 1] = ["x-cos-security-token"];
/// SSE-C request headers (`algorithm`, `key`, `key-md5` follow).
const SSEC_PREFIX: &str = "x-cos-server-side-encryption-customer-";
/// SSE-C headers that unlock a copy source.
const SSEC_SOURCE_PREFIX: &str = "x-cos-copy-source-server-side-encryption-customer-";

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No signature.
    Anonymous,
    /// Authorization header.
    Header(String),
    /// Pre-signed URL.
    Presigned(String),
}

/// Per-request context.
pub struct Ctx<'a> {
    /// Request head.
    pub head: &'a RequestHead,
    /// Headers with lowercase names, duplicates joined with ",".
    pub headers: Vec<(String, String)>,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Target bucket.
    pub bucket: Option<String>,
    /// Object key ("" for bucket-level calls).
    pub key: String,
    /// Decoded UriPathname that must have been signed.
    pub signed_path: String,
    /// Authentication result.
    pub auth: Auth,
    /// Lower-case header names the signature covered (`q-header-list`).
    pub signed_headers: Vec<String>,
    /// Lower-case parameter names the signature covered (`q-url-param-list`).
    pub signed_params: Vec<String>,
    /// Request id.
    pub request_id: String,
    /// Host the client used (for Location headers).
    pub host: String,
    /// The client's address (the `qcs:ip` condition of temporary credentials).
    pub peer: IpAddr,
    /// Signed with a temporary credential STS issued: the router runs [`authorize_temporary`].
    pub temporary: bool,
}

impl Ctx<'_> {
    /// Header by lowercase name.
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Query value by name, compared without case: the signature covers lower-cased names, so
    /// the operation is chosen from the same canonical names (`?ACL` is `?acl`).
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    /// Query param present?
    pub fn has_q(&self, name: &str) -> bool {
        self.q(name).is_some()
    }
    /// Authenticated (any signature)?
    pub fn signed(&self) -> bool {
        self.auth != Auth::Anonymous
    }
}

/// Decodes the request head once into the request model: Host or path-style bucket, key,
/// decoded path (the signed UriPathname), query pairs (`+` is a space), joined headers.
pub fn build_ctx<'a>(
    st: &State,
    head: &'a RequestHead,
    peer: IpAddr,
    request_id: &str,
) -> CosResult<Ctx<'a>> {
    let _ = st;
    let mut headers: Vec<(String, String)> = Vec::new();
    for (k, v) in &head.headers {
        let lk = k.to_ascii_lowercase();
        if let Some(e) = headers.iter_mut().find(|(n, _)| *n == lk) {
            e.1.push(',');
            e.1.push_str(v);
        } else {
            headers.push((lk, v.clone()));
        }
    }
    // absolute-form: the target's authority is the Host
    if let Some(abs) = &head.absolute_host {
        if let Some(e) = headers.iter_mut().find(|(n, _)| n == "host") {
            e.1 = abs.clone();
        } else {
            headers.push(("host".into(), abs.clone()));
        }
    }
    let query = parse_query(&head.raw_query)
        .ok_or_else(|| bad_request("InvalidURI", "Couldn't parse the specified URI"))?;
    // One name, one meaning: `?acl&ACL` would let the signature and the router see different
    // parameters.
    for (i, (k, _)) in query.iter().enumerate() {
        if query
            .iter()
            .skip(i + 1)
            .any(|(k2, _)| k2.eq_ignore_ascii_case(k))
        {
            return Err(bad_request(
                "InvalidArgument",
                format!("query parameter {k} given more than once"),
            ));
        }
    }
    let path = url_decode(&head.raw_path)
        .ok_or_else(|| bad_request("InvalidURI", "Couldn't parse the specified URI"))?;
    if !path.starts_with('/') {
        return Err(bad_request(
            "InvalidURI",
            "Couldn't parse the specified URI",
        ));
    }
    let host = head.host().unwrap_or("").to_string();
    let (bucket, key) = if let Some(b) = bucket_from_host(&host) {
        (Some(b), path[1..].to_string())
    } else {
        let rest = &path[1..];
        if rest.is_empty() {
            (None, String::new())
        } else {
            if is_cos_service_host(&host) {
                return Err(forbidden(
                    "PathStyleDomainForbidden",
                    "Path-style requests are forbidden for this bucket; use virtual-hosted style",
                ));
            }
            match rest.split_once('/') {
                Some((b, k)) => (Some(b.to_string()), k.to_string()),
                None => (Some(rest.to_string()), String::new()),
            }
        }
    };
    if let Some(b) = &bucket {
        if !valid_bucket(b) {
            return Err(bad_request(
                "InvalidBucketName",
                "The specified bucket is not valid (expected <name>-<APPID>)",
            ));
        }
    }
    check_key_chars(&key)?;
    if key.len() > 850 {
        return Err(bad_request(
            "KeyTooLong",
            "Your key is too long (max 850 bytes)",
        ));
    }
    Ok(Ctx {
        head,
        headers,
        query,
        bucket,
        key,
        signed_path: path,
        auth: Auth::Anonymous,
        signed_headers: Vec::new(),
        signed_params: Vec::new(),
        request_id: request_id.to_string(),
        host,
        peer,
        temporary: false,
    })
}

/// Verifies the Authorization header, the pre-signed `q-*` parameters or `sign=`, the token
/// of temporary credentials, and the strict stance on unsigned additions. No signature at
/// all is `Auth::Anonymous` (the operations decide what anonymous callers may do).
pub fn authenticate(st: &State, ctx: &mut Ctx<'_>) -> CosResult<()> {
    let now = st.now();
    let authz = ctx.h("authorization").map(str::to_string);
    let (params, presigned): (SigParams, bool) = match authz {
        Some(a) if !a.trim().is_empty() => (auth::parse_authorization(&a)?, false),
        _ => {
            if ctx.has_q("q-signature") || ctx.has_q("q-ak") || ctx.has_q("q-sign-algorithm") {
                (auth::from_pairs(&ctx.query)?, true)
            } else if let Some(s) = ctx.q("sign") {
                (auth::parse_merged_sign(s)?, true)
            } else {
                ctx.auth = Auth::Anonymous;
                return Ok(());
            }
        }
    };
    let req = SignedRequest {
        method: &ctx.head.method,
        path: &ctx.signed_path,
        query: &ctx.query,
        headers: &ctx.headers,
    };
    let (found, temporary) = st.credential(&params.ak);
    let cred = auth::verify(&req, &params, &found, Some(now), st.cfg.max_future_skew)?;
    // A temporary credential's token is checked with its policy (`authorize_temporary`).
    auth::check_token(
        cred,
        ctx.h("x-cos-security-token"),
        ctx.q("x-cos-security-token"),
    )?;
    ctx.temporary = temporary;
    ctx.signed_headers = split_list(&params.header_list);
    ctx.signed_params = split_list(&params.url_param_list);
    refuse_unsigned_additions(ctx)?;
    if crate::strict_sign::applies(&st.cfg.strict_sign, ctx.bucket.as_deref()) {
        let req = SignedRequest {
            method: &ctx.head.method,
            path: &ctx.signed_path,
            query: &ctx.query,
            headers: &ctx.headers,
        };
        crate::strict_sign::check(
            &req,
            &ctx.signed_headers,
            &ctx.signed_params,
            &params.key_time,
        )?;
    }
    if presigned {
        refuse_unsigned_stored_headers(ctx)?;
    }
    ctx.auth = if presigned {
        Auth::Presigned(cred.secret_id.clone())
    } else {
        Auth::Header(cred.secret_id.clone())
    };
    Ok(())
}

/// The region of the request's CAM resource: the Host's (`<bucket>.cos.<region>.myqcloud.com`)
/// or, when the Host names none, the configured one.
pub fn region(st: &State, host: &str) -> String {
    let h = host.to_ascii_lowercase();
    let h = h.split(':').next().unwrap_or("");
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        if let Some(rest) = h.strip_suffix(suffix) {
            let parts: Vec<&str> = rest.split('.').collect();
            match parts.as_slice() {
                [_, cos, region] if cos.starts_with("cos") => return (*region).to_string(),
                [_, region] if !region.starts_with("cos") => return (*region).to_string(),
                _ => {}
            }
        }
    }
    st.cfg.region.clone()
}

/// A temporary credential STS issued, as a request presents it.
pub struct Temporary<'a> {
    /// Its `TmpSecretId` (the signature's `q-ak`).
    pub secret_id: &'a str,
    /// The `x-cos-security-token` sent (header, pre-signed query parameter or form field).
    pub token: Option<&'a str>,
}

impl<'a> Temporary<'a> {
    /// The temporary credential a header-signed or pre-signed request was verified with, if
    /// any. A token sent both as a header and as a query parameter counts only when the two
    /// agree (otherwise none is taken: `InvalidSecurityToken`), so no copy of the request is
    /// read with a token its checks did not see.
    pub fn of(ctx: &'a Ctx<'_>) -> Option<Self> {
        let (Auth::Header(id) | Auth::Presigned(id)) = &ctx.auth else {
            return None;
        };
        if !ctx.temporary {
            return None;
        }
        let token = match (ctx.h("x-cos-security-token"), ctx.q("x-cos-security-token")) {
            (Some(h), Some(q)) if h != q => None,
            (h, q) => h.or(q),
        };
        Some(Temporary {
            secret_id: id,
            token,
        })
    }
}

/// Checks a request signed with a temporary credential against what STS issued: the token,
/// the expiry, and every policy of the credential for the CAM `action` on `bucket`/`key` with
/// the request `facts` (lower-case header names, or for a POST form the fields and the file's
/// `content-length`; `length_pending` before the file is read, see
/// [`CosRequest::length_pending`]). `AccessDenied` / `ExpiredToken` / `InvalidSecurityToken` as
/// COS XML.
pub fn authorize_temporary(
    st: &State,
    ctx: &Ctx<'_>,
    who: &Temporary<'_>,
    action: &str,
    (bucket, key): (&str, &str),
    facts: &[(String, String)],
    length_pending: bool,
) -> CosResult<()> {
    // Judged as stored: values trimmed (HTTP trims headers, not POST fields; the ACL, SSE and
    // storage class are stored trimmed) and the storage class upper-cased
    // (`objio::parse_storage_class`), or ` public-read` / `archive` would pass a deny of
    // `public-read` / `ARCHIVE` and be stored as such.
    let facts: Vec<(String, String)> = facts
        .iter()
        .map(|(k, v)| match k.as_str() {
            "x-cos-storage-class" => (k.clone(), v.trim().to_ascii_uppercase()),
            _ => (k.clone(), v.trim().to_string()),
        })
        .collect();
    let req = CosRequest {
        action,
        resource: cos_resource(&region(st, &ctx.host), bucket, key),
        headers: &facts,
        source_ip: Some(ctx.peer),
        secure: false,
        length_pending,
    };
    let sts = st
        .sts
        .lock()
        .map_err(|_| crate::error::internal("STS state poisoned"))?;
    sts.authorize(who.secret_id, who.token, st.now(), &req)
        .map_err(|d| {
            let message = match d.code {
                "ExpiredToken" => "The provided token has expired.",
                "InvalidSecurityToken" => "The provided security token is missing or invalid.",
                _ => {
                    "Access Denied: the temporary credential's policy does not allow this request."
                }
            };
            crate::error::CosError::new(d.status, d.code, message)
        })
}

/// A body whose length was not known when the request was authorized (chunked): a
/// temporary credential's policy is decided again with `content-length` = the `size`
/// written, so `deny` and `_if_exist` size limits hold for streamed bodies too. The caller
/// discards what it wrote when this refuses.
pub fn authorize_written(st: &State, ctx: &Ctx<'_>, size: u64) -> CosResult<()> {
    let Some(who) = Temporary::of(ctx) else {
        return Ok(());
    };
    if ctx.h("content-length").is_some() {
        return Ok(());
    }
    let mut facts = ctx.headers.clone();
    facts.push(("content-length".into(), size.to_string()));
    let target = (ctx.bucket.as_deref().unwrap_or(""), ctx.key.as_str());
    authorize_temporary(st, ctx, &who, request_action(ctx), target, &facts, false)
}

/// Whether a request's body length is still unknown when it is authorized (no
/// Content-Length: chunked).
pub fn length_pending(ctx: &Ctx<'_>) -> bool {
    ctx.h("content-length").is_none()
}

/// The CAM action of a request the router chose (see [`cos_action`]); `GetService` (List
/// Buckets) when it names no bucket.
pub fn request_action(ctx: &Ctx<'_>) -> &'static str {
    if ctx.bucket.is_none() {
        return "GetService";
    }
    let params: Vec<&str> = ctx
        .query
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !AUTH_PARAMS.contains(&k.to_ascii_lowercase().as_str()))
        .collect();
    cos_action(&ctx.head.method, &params, !ctx.key.is_empty(), false)
}

/// The bucket of a virtual-hosted Host (`<bucket>.cos.<region>.myqcloud.com`,
/// `.tencentcos.cn`, `<bucket>.localhost`), if any.
pub fn bucket_from_host(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let name = host.rsplit_once(':').map(|(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h.to_string()
        } else {
            host.clone()
        }
    });
    let host = name.unwrap_or(host);
    if let Some(b) = host.strip_suffix(".localhost") {
        return Some(b.to_string());
    }
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        if let Some(rest) = host.strip_suffix(suffix) {
            // <bucket>.cos.<region> | <bucket>.cos-internal.<region> | <bucket>.<legacy region>
            let parts: Vec<&str> = rest.split('.').collect();
            if parts.len() >= 3 && parts[1].starts_with("cos") {
                return Some(parts[0].to_string());
            }
            if parts.len() == 2 && !parts[0].starts_with("cos") && parts[0] != "service" {
                return Some(parts[0].to_string());
            }
            return None;
        }
    }
    None
}

/// Whether the Host is a COS domain (path-style is then refused, as COS does for new buckets).
pub fn is_cos_service_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    let h = h.split(':').next().unwrap_or("");
    h.ends_with(".myqcloud.com") || h.ends_with(".tencentcos.cn")
}

/// COS bucket names: `<name>-<APPID>`, lower-case letters, digits and `-`, at most 60 characters.
pub fn valid_bucket(b: &str) -> bool {
    match b.rsplit_once('-') {
        Some((name, appid)) => {
            !name.is_empty()
                && !appid.is_empty()
                && appid.bytes().all(|c| c.is_ascii_digit())
                && name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && b.len() <= 60
        }
        None => false,
    }
}

/// Anonymous requests may only read public objects.
pub fn require_signed(ctx: &Ctx<'_>) -> CosResult<()> {
    if ctx.signed() {
        Ok(())
    } else {
        Err(access_denied())
    }
}

/// Header lookup by any-case name, as a [`Getter`].
pub fn header_getter<'a>(ctx: &'a Ctx<'a>) -> impl Fn(&str) -> Option<String> + 'a {
    move |n: &str| ctx.h(&n.to_ascii_lowercase()).map(str::to_string)
}

/// All header names (lower case).
pub fn header_names(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.headers.iter().map(|(k, _)| k.clone()).collect()
}

fn split_list(list: &str) -> Vec<String> {
    list.split(';')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}

/// UNCONFIRMED (COS documents what is signed, not what it does with unsigned additions): a
/// signed request may carry query parameters that are not sub-resources (`marker`,
/// `max-keys` on GET Service as the official Python SDK's `list_buckets` sends them, unknown
/// names) without signing them; they are accepted and dropped from the request model, so they
/// change nothing. Sub-resources ([`is_sub_resource`]) are never accepted unsigned.
pub const UNSIGNED_PLAIN_PARAMS_IGNORED: bool = true;
/// UNCONFIRMED: an unsigned `x-cos-meta-*` header with an empty value (the browser SDK sends
/// one) is accepted and dropped (nothing stored). A non-empty one is refused.
pub const UNSIGNED_EMPTY_META_IGNORED: bool = true;

/// Query parameter names that select or change an operation (COS sub-resources, response
/// overrides, `x-cos-*`): never accepted unsigned on a signed request, and one the chosen
/// operation does not take is refused (`router.rs`). Lower case.
pub const SUB_RESOURCES: [&str; 40] = [
    "acl",
    "append",
    "position",
    "restore",
    "uploads",
    "uploadid",
    "partnumber",
    "delete",
    "encryption",
    "tagging",
    "versionid",
    "versioning",
    "versions",
    "cors",
    "lifecycle",
    "policy",
    "website",
    "referer",
    "logging",
    "inventory",
    "replication",
    "domain",
    "origin",
    "accelerate",
    "intelligenttiering",
    "object-lock",
    "retention",
    "select",
    "select-type",
    "notification",
    "torrent",
    "location",
    "requestpayment",
    "publicaccessblock",
    "ci-process",
    "watermark",
    "imagemogr2",
    "imageview2",
    "rename",
    "symlink",
];

/// Whether a (decoded) query parameter name is a sub-resource in the sense of
/// [`SUB_RESOURCES`]: listed, a `response-*` override or an `x-cos-*` name.
pub fn is_sub_resource(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    SUB_RESOURCES.contains(&n.as_str()) || n.starts_with("response-") || n.starts_with("x-cos-")
}

/// Strict stance: on a signed request, every `x-cos-*` header and every sub-resource query
/// parameter (other than the signature's own) must be covered by the signature. COS documents
/// that the listed headers and parameters are signed, not what it does with unlisted ones;
/// honouring them would let a pre-signed URL for one operation authorize another (`?acl`
/// appended, `x-cos-copy-source` added). Names are compared URL-encoded and lower-cased, as
/// `q-header-list` / `q-url-param-list` carry them. Exceptions, because they grant nothing:
/// the security token (checked against the credential), SSE-C key headers that only unlock a
/// read (GET/HEAD, or a copy source: a page may hold a key its signer never saw), an SSE-C key
/// whose signed key-MD5 pins it, and — dropped from the model, so they change nothing —
/// unsigned empty `x-cos-meta-*` values ([`UNSIGNED_EMPTY_META_IGNORED`]) and unsigned
/// parameters that are not sub-resources ([`UNSIGNED_PLAIN_PARAMS_IGNORED`]).
fn refuse_unsigned_additions(ctx: &mut Ctx<'_>) -> CosResult<()> {
    let read = matches!(ctx.head.method.as_str(), "GET" | "HEAD");
    let signed_headers = &ctx.signed_headers;
    let signed = |n: &str| signed_headers.iter().any(|s| s == n);
    let mut ignored_headers = Vec::new();
    for (k, v) in &ctx.headers {
        let ek = url_encode(k).to_ascii_lowercase();
        if !k.starts_with("x-cos-") || signed(&ek) || UNSIGNED_XCOS_OK.contains(&k.as_str()) {
            continue;
        }
        if UNSIGNED_EMPTY_META_IGNORED && k.starts_with("x-cos-meta-") && v.trim().is_empty() {
            ignored_headers.push(k.clone());
            continue;
        }
        let unlock_only = k.starts_with(SSEC_SOURCE_PREFIX) || (read && k.starts_with(SSEC_PREFIX));
        let pinned = k.starts_with(SSEC_PREFIX) && signed(&format!("{SSEC_PREFIX}key-md5"));
        if !unlock_only && !pinned {
            return Err(forbidden(
                "AccessDenied",
                format!("Header {k} is not covered by the signature (q-header-list)"),
            ));
        }
    }
    let mut ignored_params = Vec::new();
    for (k, _) in &ctx.query {
        let lk = url_encode(k).to_ascii_lowercase();
        if AUTH_PARAMS.contains(&lk.as_str()) || ctx.signed_params.contains(&lk) {
            continue;
        }
        if UNSIGNED_PLAIN_PARAMS_IGNORED && !is_sub_resource(k) {
            ignored_params.push(k.clone());
            continue;
        }
        return Err(forbidden(
            "AccessDenied",
            format!("Parameter {k} is not covered by the signature (q-url-param-list)"),
        ));
    }
    ctx.headers.retain(|(k, _)| !ignored_headers.contains(k));
    ctx.query.retain(|(k, _)| !ignored_params.contains(k));
    Ok(())
}

/// Standard headers COS stores with an object and serves back on every GET. UNCONFIRMED:
/// whether COS accepts them unsigned on a pre-signed write (issue 25 saw the emulator store
/// them). Safest: a pre-signed PUT/POST carrying one that the signature does not cover is
/// refused, so whoever signed the URL decides how the object is served (README, strict stances).
const PRESIGNED_WRITE_SIGNED_HEADERS: [&str; 4] = [
    "content-disposition",
    "cache-control",
    "content-encoding",
    "expires",
];

/// [`PRESIGNED_WRITE_SIGNED_HEADERS`] on a pre-signed write must be signed: 403 `AccessDenied`.
fn refuse_unsigned_stored_headers(ctx: &Ctx<'_>) -> CosResult<()> {
    if !matches!(ctx.head.method.as_str(), "PUT" | "POST") {
        return Ok(());
    }
    for (k, _) in &ctx.headers {
        let stored = PRESIGNED_WRITE_SIGNED_HEADERS.contains(&k.as_str());
        if stored && !ctx.signed_headers.iter().any(|s| s == k) {
            return Err(forbidden(
                "AccessDenied",
                format!(
                    "Header {k} is not covered by the pre-signed URL's signature (q-header-list)"
                ),
            ));
        }
    }
    Ok(())
}

/// Strict stance: a key must be text XML 1.0 can carry, so that every listing stays valid XML
/// (COS's own rule for control characters is UNCONFIRMED). Refused with 400 `InvalidURI`.
pub fn check_key_chars(key: &str) -> CosResult<()> {
    if key.chars().all(crate::xml::is_xml_char) {
        Ok(())
    } else {
        Err(bad_request(
            "InvalidURI",
            "The object key contains a character XML cannot carry",
        ))
    }
}
