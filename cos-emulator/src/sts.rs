//! Tencent Cloud STS for the emulator (issue 14): TC3-HMAC-SHA256 verification,
//! `GetFederationToken` / `AssumeRole`, temporary credentials with expiry, and the CAM
//! policy decision for COS requests signed with them.
//!
//! Independent of cos-wasm (an oracle for its `tc3Authorization`, `cosPolicy` and STS
//! client) and of the HTTP layer: it only uses `util`'s hashing, encoding and date helpers,
//! so any server loop can call it. Time and randomness are inputs. What COS/STS do that the
//! docs leave open is marked UNCONFIRMED and is a constant below, set to fail closed.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;

use crate::util::{ct_eq, hex, hmac_sha256 as hmac, iso_date, url_decode};

/// STS API version.
pub const STS_VERSION: &str = "2018-08-13";
/// Largest |X-TC-Timestamp − now| accepted. UNCONFIRMED: the TC3 doc says 5 minutes.
pub const MAX_SKEW_SECONDS: i64 = 300;
/// Longest `GetFederationToken` DurationSeconds.
pub const MAX_FEDERATION_SECONDS: i64 = 7200;
/// Longest `AssumeRole` DurationSeconds.
pub const MAX_ROLE_SECONDS: i64 = 43200;
/// Longest policy, in characters (CAM documents 6,144 characters per policy). Longer:
/// `InvalidParameter.PolicyTooLong`.
pub const MAX_POLICY_CHARS: usize = 6144;
/// Most unexpired temporary credentials kept at once; beyond, STS answers
/// `RequestLimitExceeded` (UNCONFIRMED: Tencent's STS limits the call rate, not the live
/// credentials). Each holds its parsed policies (about 20 KB for a 6,144-character one), so
/// the state stays under about 40 MB.
pub const MAX_ISSUED: usize = 2048;
/// How long an expired credential is still recognised (its requests get `ExpiredToken`
/// rather than `InvalidAccessKeyId`) before it is freed.
pub const EXPIRED_KEPT_SECONDS: i64 = 300;
/// Default DurationSeconds of both actions.
pub const DEFAULT_DURATION_SECONDS: i64 = 1800;
/// HTTP status and COS code for a temporary credential used after its expiry.
/// UNCONFIRMED: COS's status for `ExpiredToken` (S3 answers 400).
pub const EXPIRED_TOKEN: (u16, &str) = (400, "ExpiredToken");
/// HTTP status and COS code for a missing or wrong `x-cos-security-token`.
/// UNCONFIRMED status.
pub const INVALID_TOKEN: (u16, &str) = (403, "InvalidSecurityToken");
/// HTTP status and COS code for a request the credential's policy does not allow.
pub const ACCESS_DENIED: (u16, &str) = (403, "AccessDenied");

/// A Tencent Cloud API error: `Response.Error.{Code, Message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    /// e.g. `AuthFailure.SignatureFailure`.
    pub code: &'static str,
    /// Human message (never a secret).
    pub message: String,
}

fn fail<T>(code: &'static str, message: impl Into<String>) -> Result<T, StsError> {
    Err(StsError {
        code,
        message: message.into(),
    })
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// `YYYY-MM-DD` (UTC) of Unix seconds: the TC3 credential scope date.
fn utc_date(ts: i64) -> String {
    iso_date(ts).chars().take(10).collect()
}

/// An STS HTTP request as the emulator received it.
#[derive(Debug, Clone, Copy)]
pub struct Tc3Request<'a> {
    /// `POST` or `GET`.
    pub method: &'a str,
    /// Request path as received (percent-encoded).
    pub path: &'a str,
    /// Raw query string (without `?`).
    pub query: &'a str,
    /// Headers, names lower-case.
    pub headers: &'a [(String, String)],
    /// Raw body.
    pub body: &'a [u8],
}

impl<'a> Tc3Request<'a> {
    fn header(&self, name: &str) -> Result<&'a str, StsError> {
        let mut found = self.headers.iter().filter(|(k, _)| k == name);
        match (found.next(), found.next()) {
            (Some((_, v)), None) => Ok(v.as_str()),
            (None, _) => fail("MissingParameter", format!("missing header {name}")),
            _ => fail("InvalidParameter", format!("header {name} appears twice")),
        }
    }
}

/// Verifies a TC3-HMAC-SHA256 request as strictly as COS signatures: exact `Authorization`
/// format, `content-type` and `host` signed, credential date = timestamp date, service
/// `sts`, |timestamp − now| ≤ [`MAX_SKEW_SECONDS`], `X-TC-Version` = [`STS_VERSION`].
/// `host` is signed without its port (the official SDKs sign `URL.hostname`).
/// Returns the SecretId and the action.
///
/// # Errors
/// `AuthFailure.*`, `MissingParameter`, `InvalidParameter`, `InvalidAction`.
pub fn verify_tc3<'a>(
    req: &Tc3Request<'a>,
    now: i64,
    secret_for: impl Fn(&str) -> Option<String>,
) -> Result<(String, &'a str), StsError> {
    let auth = req.header("authorization")?;
    let bad = || {
        fail(
            "AuthFailure.InvalidAuthorization",
            "Authorization is not TC3-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…",
        )
    };
    let Some(rest) = auth.strip_prefix("TC3-HMAC-SHA256 Credential=") else {
        return bad();
    };
    let mut parts = rest.split(", ");
    let (Some(cred), Some(signed), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return bad();
    };
    let (Some(signed), Some(sig)) = (
        signed.strip_prefix("SignedHeaders="),
        sig.strip_prefix("Signature="),
    ) else {
        return bad();
    };
    let c: Vec<&str> = cred.split('/').collect();
    let [secret_id, date, service, "tc3_request"] = c.as_slice() else {
        return bad();
    };
    if sig.len() != 64
        || !sig
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return bad();
    }
    let names: Vec<&str> = signed.split(';').collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted != names
        || !names.contains(&"content-type")
        || !names.contains(&"host")
        || names
            .iter()
            .any(|n| n.is_empty() || n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return fail(
            "AuthFailure.InvalidAuthorization",
            "SignedHeaders must be sorted lower-case names including content-type and host",
        );
    }
    let action = req.header("x-tc-action")?;
    if req.header("x-tc-version")? != STS_VERSION {
        return fail(
            "InvalidParameter",
            format!("X-TC-Version must be {STS_VERSION}"),
        );
    }
    req.header("x-tc-region")?;
    let ts_text = req.header("x-tc-timestamp")?;
    let Ok(ts) = ts_text.parse::<i64>() else {
        return fail("InvalidParameter", "X-TC-Timestamp is not Unix seconds");
    };
    if (ts - now).abs() > MAX_SKEW_SECONDS {
        return fail(
            "AuthFailure.SignatureExpire",
            "X-TC-Timestamp is too far from the server clock",
        );
    }
    if *service != "sts" || *date != utc_date(ts) {
        return fail(
            "AuthFailure.InvalidAuthorization",
            "credential scope must be <date of X-TC-Timestamp>/sts/tc3_request",
        );
    }
    let Some(secret_key) = secret_for(secret_id) else {
        return fail("AuthFailure.SecretIdNotFound", "SecretId not found");
    };
    let mut canonical_headers = String::new();
    for name in &names {
        let value = req.header(name)?;
        let value = if *name == "host" {
            value
                .rsplit_once(':')
                .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
                .map_or(value, |(h, _)| h)
        } else {
            value
        };
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let canonical = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed}\n{}",
        req.method,
        req.path,
        req.query,
        sha256_hex(req.body)
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/sts/tc3_request\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k = hmac(
        &hmac(
            &hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes()),
            b"sts",
        ),
        b"tc3_request",
    );
    let expected = hex(&hmac(&k, string_to_sign.as_bytes()));
    if !ct_eq(expected.as_bytes(), sig.as_bytes()) {
        return fail(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated.",
        );
    }
    Ok((secret_id.to_string(), action))
}

// ---------------------------------------------------------------------------------------
// CAM policies.

/// One condition test: operator (without `_if_exist`), key, accepted values.
#[derive(Debug, Clone)]
struct Condition {
    op: String,
    if_exist: bool,
    key: String,
    values: Vec<Value>,
}

#[derive(Debug, Clone)]
struct Statement {
    allow: bool,
    actions: Vec<String>,
    resources: Vec<String>,
    conditions: Vec<Condition>,
}

/// A parsed CAM policy (version 2.0).
#[derive(Debug, Clone)]
pub struct Policy {
    statements: Vec<Statement>,
}

fn strings(v: &Value, what: &str) -> Result<Vec<String>, String> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{what} must hold strings"))
            })
            .collect(),
        _ => Err(format!(
            "{what} must be a string or a non-empty array of strings"
        )),
    }
}

impl Policy {
    /// Parses a policy strictly: `version` "2.0", `statement` array, each with `effect`
    /// allow/deny, `action`, `resource`, optional `condition` and `principal`; nothing else.
    ///
    /// # Errors
    /// A message saying what is malformed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|_| "policy is not JSON".to_string())?;
        let obj = v.as_object().ok_or("policy is not an object")?;
        if obj.keys().any(|k| k != "version" && k != "statement") {
            return Err("policy has fields other than version and statement".into());
        }
        if obj.get("version").and_then(Value::as_str) != Some("2.0") {
            return Err("policy version must be \"2.0\"".into());
        }
        let list = obj
            .get("statement")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or("statement must be a non-empty array")?;
        let mut statements = Vec::new();
        for s in list {
            let s = s.as_object().ok_or("a statement is not an object")?;
            if s.keys().any(|k| {
                !["effect", "action", "resource", "condition", "principal"].contains(&k.as_str())
            }) {
                return Err("a statement has an unknown field".into());
            }
            let allow = match s.get("effect").and_then(Value::as_str) {
                Some("allow") => true,
                Some("deny") => false,
                _ => return Err("effect must be allow or deny".into()),
            };
            let actions = strings(s.get("action").unwrap_or(&Value::Null), "action")?;
            let resources = strings(s.get("resource").unwrap_or(&Value::Null), "resource")?;
            let mut conditions = Vec::new();
            if let Some(c) = s.get("condition") {
                for (op, keys) in c.as_object().ok_or("condition must be an object")? {
                    let (base, if_exist) = op
                        .strip_suffix("_if_exist")
                        .map_or((op.as_str(), false), |b| (b, true));
                    for (key, value) in keys
                        .as_object()
                        .ok_or("a condition operator must map keys to values")?
                    {
                        let values = match value {
                            Value::Array(a) => a.clone(),
                            v => vec![v.clone()],
                        };
                        conditions.push(Condition {
                            op: base.to_string(),
                            if_exist,
                            key: key.clone(),
                            values,
                        });
                    }
                }
            }
            statements.push(Statement {
                allow,
                actions,
                resources,
                conditions,
            });
        }
        Ok(Self { statements })
    }

    /// Whether `req` is allowed: some allow statement matches and no deny statement does.
    #[must_use]
    pub fn allows(&self, req: &CosRequest<'_>) -> bool {
        let matches = |s: &Statement| {
            s.actions.iter().any(|a| action_matches(a, req.action))
                && s.resources
                    .iter()
                    .any(|r| resource_matches(r, &req.resource))
                && s.conditions
                    .iter()
                    .all(|c| condition_holds(c, req, s.allow))
        };
        let mut allowed = false;
        for s in &self.statements {
            if matches(s) {
                if !s.allow {
                    return false;
                }
                allowed = true;
            }
        }
        allowed
    }
}

/// CAM action match: `*` anywhere (`name/cos:Get*`, as in COS's preset policies), names
/// compared without case. A deny statement with a wildcard must apply, not be skipped.
fn action_matches(pattern: &str, action: &str) -> bool {
    pattern == "*"
        || glob(
            &pattern.to_ascii_lowercase(),
            &format!("name/cos:{}", action.to_ascii_lowercase()),
        )
}

/// CAM resource match, segment by segment as CAM matches: `qcs::cos:<region>:uid/<appid>:
/// <bucket>/<key>`. A `*` in the region, uid, appid or bucket matches within that segment
/// only (never across `:` or `/`: `…:examplebucket-*` names buckets, not their objects); in
/// the key it matches any run of characters (`prefix/*`). A bare `*` resource, or a bare `*`
/// for `<bucket>/<key>`, matches everything there. A pattern of another shape matches
/// nothing (fails closed).
fn resource_matches(pattern: &str, resource: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (Some((ph, pobj)), Some((th, tobj))) = (split_resource(pattern), split_resource(resource))
    else {
        return false;
    };
    if !ph.iter().zip(th.iter()).all(|(p, t)| glob(p, t)) {
        return false;
    }
    if pobj == "*" {
        return true;
    }
    match (pobj.split_once('/'), tobj.split_once('/')) {
        (Some((pb, pk)), Some((tb, tk))) => glob(pb, tb) && glob(pk, tk),
        (None, None) => glob(pobj, tobj),
        (None, Some((tb, ""))) => glob(pobj, tb),
        _ => false,
    }
}

/// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` as its fixed segments (`qcs`, ``, `cos`,
/// region, `uid`, appid) and the rest (`<bucket>/<key>`, which may hold `:`).
fn split_resource(r: &str) -> Option<([&str; 6], &str)> {
    let mut it = r.splitn(6, ':');
    let (qcs, empty, service, region, owner, rest) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    let (uid, appid) = owner.split_once('/')?;
    Some(([qcs, empty, service, region, uid, appid], rest))
}

/// `*` matches any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    if parts.len() == 1 {
        return pattern == text;
    }
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

fn ip_in(range: &str, ip: IpAddr) -> bool {
    let (addr, bits) = range
        .split_once('/')
        .map_or((range, None), |(a, b)| (a, b.parse::<u32>().ok()));
    match (addr.parse::<IpAddr>(), ip) {
        (Ok(IpAddr::V4(net)), IpAddr::V4(ip)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(net) & mask == u32::from(ip) & mask
        }
        (Ok(IpAddr::V6(net)), IpAddr::V6(ip)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(net) & mask == u128::from(ip) & mask
        }
        _ => false,
    }
}

/// Evaluates one condition of an allow (`allow`) or deny statement. An operator or key the
/// emulator does not evaluate fails closed: it never holds in an allow statement and always
/// holds in a deny statement (so the deny applies). A `cos:content-length` condition while the length is pending
/// ([`CosRequest::length_pending`]) is taken to hold in allow statements and not in deny
/// statements: the early check refuses only what the final check would refuse too.
fn condition_holds(c: &Condition, req: &CosRequest<'_>, allow: bool) -> bool {
    if req.length_pending && c.key == "cos:content-length" {
        return allow;
    }
    if !KNOWN_OPS.contains(&c.op.as_str()) || !KNOWN_KEYS.contains(&c.key.as_str()) {
        return !allow;
    }
    let present = req.condition_value(&c.key);
    let Some(actual) = present else {
        return c.if_exist;
    };
    let text = |v: &Value| {
        v.as_str()
            .map(str::to_owned)
            .or_else(|| v.as_i64().map(|n| n.to_string()))
    };
    let num = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    let actual_num = actual.parse::<f64>().ok();
    let any = |f: &dyn Fn(&Value) -> bool| c.values.iter().any(f);
    match c.op.as_str() {
        "string_equal" => any(&|v| text(v).as_deref() == Some(actual.as_str())),
        "string_not_equal" => !any(&|v| text(v).as_deref() == Some(actual.as_str())),
        "string_like" => any(&|v| text(v).is_some_and(|p| glob(&p, &actual))),
        "string_not_like" => !any(&|v| text(v).is_some_and(|p| glob(&p, &actual))),
        "numeric_equal"
        | "numeric_not_equal"
        | "numeric_less_than"
        | "numeric_less_than_equal"
        | "numeric_greater_than"
        | "numeric_greater_than_equal" => {
            let Some(a) = actual_num else { return false };
            let test = |v: &Value| {
                num(v).is_some_and(|n| match c.op.as_str() {
                    "numeric_equal" | "numeric_not_equal" => (a - n).abs() < f64::EPSILON,
                    "numeric_less_than" => a < n,
                    "numeric_less_than_equal" => a <= n,
                    "numeric_greater_than" => a > n,
                    _ => a >= n,
                })
            };
            if c.op == "numeric_not_equal" {
                !any(&test)
            } else {
                any(&test)
            }
        }
        "ip_equal" | "ip_not_equal" => {
            let Ok(ip) = actual.parse::<IpAddr>() else {
                return false;
            };
            let inside = any(&|v| v.as_str().is_some_and(|r| ip_in(r, ip)));
            inside == (c.op == "ip_equal")
        }
        "bool_equal" => any(&|v| {
            text(v)
                .or_else(|| v.as_bool().map(|b| b.to_string()))
                .as_deref()
                == Some(actual.as_str())
        }),
        _ => !allow,
    }
}

/// The condition operators the emulator evaluates (each also with `_if_exist`).
pub const KNOWN_OPS: &[&str] = &[
    "string_equal",
    "string_not_equal",
    "string_like",
    "string_not_like",
    "numeric_equal",
    "numeric_not_equal",
    "numeric_less_than",
    "numeric_less_than_equal",
    "numeric_greater_than",
    "numeric_greater_than_equal",
    "ip_equal",
    "ip_not_equal",
    "bool_equal",
];

/// The condition keys the emulator evaluates (COS's documented keys, and the SSE header keys
/// cos-wasm's `cosPolicy` writes, which are UNCONFIRMED for COS).
pub const KNOWN_KEYS: &[&str] = &[
    "cos:content-length",
    "cos:content-type",
    "cos:x-cos-storage-class",
    "cos:x-cos-acl",
    "cos:x-cos-server-side-encryption",
    "cos:x-cos-server-side-encryption-customer-algorithm",
    "cos:secure-transport",
    "qcs:ip",
];

/// What the policy decision needs to know about a COS request.
#[derive(Debug, Clone)]
pub struct CosRequest<'a> {
    /// The CAM action name without `name/cos:` (see [`cos_action`]).
    pub action: &'a str,
    /// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>` (see [`cos_resource`]).
    pub resource: String,
    /// Request headers, names lower-case. For a POST form, the form fields the COS request
    /// would carry as headers (e.g. `content-type` of the file, `x-cos-server-side-encryption`).
    pub headers: &'a [(String, String)],
    /// The client address.
    pub source_ip: Option<IpAddr>,
    /// Whether the request came over HTTPS.
    pub secure: bool,
    /// The body length is not known yet (a POST form before its file is read): an early,
    /// optimistic check; the request is decided again once the length is known.
    pub length_pending: bool,
}

impl CosRequest<'_> {
    fn condition_value(&self, key: &str) -> Option<String> {
        match key {
            // an IPv4-mapped IPv6 peer (a dual-stack listener) is its IPv4 address, so IPv4
            // ranges in allow and deny statements apply to it
            "qcs:ip" => self.source_ip.map(|ip| ip.to_canonical().to_string()),
            "cos:secure-transport" => Some(self.secure.to_string()),
            k if KNOWN_KEYS.contains(&k) => {
                let name = k.strip_prefix("cos:")?;
                self.headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            }
            _ => None,
        }
    }
}

/// `qcs::cos:<region>:uid/<appid>:<bucket>/<key>`; `<appid>` is the bucket's suffix.
#[must_use]
pub fn cos_resource(region: &str, bucket: &str, key: &str) -> String {
    let appid = bucket.rsplit_once('-').map_or("", |(_, a)| a);
    format!("qcs::cos:{region}:uid/{appid}:{bucket}/{key}")
}

/// The CAM action of a COS request: method, the names of its query parameters, whether it
/// names an object, whether it is a POST form upload.
#[must_use]
pub fn cos_action(method: &str, params: &[&str], has_key: bool, post_form: bool) -> &'static str {
    let has = |p: &str| params.iter().any(|q| q.eq_ignore_ascii_case(p));
    match (method, has_key) {
        ("POST", _) if post_form => "PostObject",
        ("GET", true) if has("uploadId") => "ListParts",
        ("GET", true) if has("acl") => "GetObjectACL",
        ("GET", true) if has("tagging") => "GetObjectTagging",
        ("GET", true) => "GetObject",
        ("HEAD", true) => "HeadObject",
        ("PUT", true) if has("partNumber") && has("uploadId") => "UploadPart",
        ("PUT", true) if has("acl") => "PutObjectACL",
        ("PUT", true) if has("tagging") => "PutObjectTagging",
        ("PUT", true) => "PutObject",
        ("POST", true) if has("uploads") => "InitiateMultipartUpload",
        ("POST", true) if has("uploadId") => "CompleteMultipartUpload",
        ("POST", true) if has("append") => "AppendObject",
        ("POST", true) if has("restore") => "PostObjectRestore",
        ("DELETE", true) if has("uploadId") => "AbortMultipartUpload",
        ("DELETE", true) if has("tagging") => "DeleteObjectTagging",
        ("DELETE", true) => "DeleteObject",
        ("OPTIONS", true) => "OptionsObject",
        ("GET", false) if has("encryption") => "GetBucketEncryption",
        ("PUT", false) if has("encryption") => "PutBucketEncryption",
        ("DELETE", false) if has("encryption") => "DeleteBucketEncryption",
        ("GET", false) if has("uploads") => "ListMultipartUploads",
        ("GET", false) => "GetBucket",
        ("HEAD", false) => "HeadBucket",
        ("POST", false) if has("delete") => "DeleteMultipleObjects",
        ("PUT", false) => "PutBucket",
        ("DELETE", false) => "DeleteBucket",
        _ => "Unknown",
    }
}

// ---------------------------------------------------------------------------------------
// Issuing and checking temporary credentials.

/// A role `AssumeRole` may assume, with the policy it carries.
#[derive(Debug, Clone)]
pub struct Role {
    /// `qcs::cam::uin/<uin>:roleName/<name>`.
    pub arn: String,
    /// The role's CAM policy (JSON text).
    pub policy: String,
}

/// Temporary credentials the emulator issued. `Debug` shows neither the key nor the token.
#[derive(Clone)]
pub struct TempCredential {
    /// `TmpSecretId`.
    pub secret_id: String,
    /// `TmpSecretKey`.
    pub secret_key: String,
    /// `Token` (the `x-cos-security-token`).
    pub token: String,
    /// `ExpiredTime`.
    pub expired_time: i64,
    /// Policies that must all allow a request (role policy and session policy).
    policies: Vec<Policy>,
}

impl std::fmt::Debug for TempCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TempCredential")
            .field("secret_id", &self.secret_id)
            .field("expired_time", &self.expired_time)
            .finish_non_exhaustive()
    }
}

/// The emulator's STS state.
#[derive(Debug, Default)]
pub struct Sts {
    roles: Vec<Role>,
    issued: HashMap<String, TempCredential>,
    /// When [`Sts::purge`] last ran.
    purged_at: i64,
}

fn param<'a>(p: &'a Map<String, Value>, name: &str) -> Result<&'a str, StsError> {
    match p.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        None => fail("MissingParameter", format!("missing parameter {name}")),
        _ => fail(
            "InvalidParameter",
            format!("{name} must be a non-empty string"),
        ),
    }
}

fn duration(p: &Map<String, Value>, max: i64) -> Result<i64, StsError> {
    match p.get("DurationSeconds") {
        None => Ok(DEFAULT_DURATION_SECONDS.min(max)),
        Some(v) => match v.as_i64() {
            Some(d) if (1..=max).contains(&d) => Ok(d),
            _ => fail(
                "InvalidParameter.DurationSecondsOutOfRange",
                format!("DurationSeconds must be 1..={max}"),
            ),
        },
    }
}

fn policy_param(p: &Map<String, Value>) -> Result<Option<Policy>, StsError> {
    let Some(v) = p.get("Policy") else {
        return Ok(None);
    };
    let Some(encoded) = v.as_str() else {
        return fail(
            "InvalidParameter.PolicyFormatError",
            "Policy must be a string",
        );
    };
    // The Policy parameter is URL-encoded JSON (STS doc note 1).
    let decoded = url_decode(encoded).ok_or(StsError {
        code: "InvalidParameter.PolicyFormatError",
        message: "Policy is not URL-encoded UTF-8".into(),
    })?;
    if decoded.chars().count() > MAX_POLICY_CHARS {
        return fail(
            "InvalidParameter.PolicyTooLong",
            format!("Policy is longer than {MAX_POLICY_CHARS} characters"),
        );
    }
    Policy::parse(&decoded).map(Some).map_err(|m| StsError {
        code: "InvalidParameter.PolicyFormatError",
        message: m,
    })
}

/// How a COS request signed with a temporary credential fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// HTTP status.
    pub status: u16,
    /// COS error code.
    pub code: &'static str,
}

impl Sts {
    /// An STS that knows `roles` for `AssumeRole`.
    #[must_use]
    pub fn new(roles: Vec<Role>) -> Self {
        Self {
            roles,
            issued: HashMap::new(),
            purged_at: i64::MIN,
        }
    }

    /// Frees the credentials that expired more than [`EXPIRED_KEPT_SECONDS`] ago. Runs at
    /// most once a second (it walks every credential); the server calls it on every STS call
    /// and every lookup of a temporary SecretId.
    pub fn purge(&mut self, now: i64) {
        if now == self.purged_at {
            return;
        }
        self.purged_at = now;
        self.issued
            .retain(|_, c| now < c.expired_time.saturating_add(EXPIRED_KEPT_SECONDS));
        if self.issued.capacity() > 2 * self.issued.len() + 64 {
            self.issued.shrink_to_fit();
        }
    }

    /// How many credentials are held (live, or expired less than [`EXPIRED_KEPT_SECONDS`]
    /// ago).
    #[must_use]
    pub fn issued_count(&self) -> usize {
        self.issued.len()
    }

    /// Runs `action` with the JSON `body`; returns the `Response` object (without
    /// `RequestId`). `random_hex(n)` supplies n random bytes as hex.
    ///
    /// # Errors
    /// Tencent Cloud API error codes.
    pub fn handle(
        &mut self,
        action: &str,
        body: &[u8],
        now: i64,
        random_hex: &mut dyn FnMut(usize) -> String,
    ) -> Result<Value, StsError> {
        self.purge(now);
        let p: Map<String, Value> = match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            _ => return fail("InvalidParameter", "the body is not a JSON object"),
        };
        let (duration, policies) = match action {
            "GetFederationToken" => {
                param(&p, "Name")?;
                let Some(policy) = policy_param(&p)? else {
                    return fail("MissingParameter", "missing parameter Policy");
                };
                (duration(&p, MAX_FEDERATION_SECONDS)?, vec![policy])
            }
            "AssumeRole" => {
                let arn = param(&p, "RoleArn")?;
                param(&p, "RoleSessionName")?;
                let Some(role) = self.roles.iter().find(|r| r.arn == arn) else {
                    return fail("InvalidParameter.RoleNotExist", "role not found");
                };
                let mut policies = vec![Policy::parse(&role.policy).map_err(|m| StsError {
                    code: "InternalError",
                    message: m,
                })?];
                policies.extend(policy_param(&p)?);
                (duration(&p, MAX_ROLE_SECONDS)?, policies)
            }
            _ => return fail("InvalidAction", format!("STS has no action {action}")),
        };
        if self.issued.len() >= MAX_ISSUED {
            return fail(
                "RequestLimitExceeded",
                format!("the emulator holds {MAX_ISSUED} unexpired temporary credentials"),
            );
        }
        let cred = TempCredential {
            secret_id: format!("AKIDtmp{}", random_hex(16)),
            secret_key: random_hex(24),
            token: random_hex(32),
            expired_time: now + duration,
            policies,
        };
        let out = json!({
            "Credentials": { "Token": cred.token, "TmpSecretId": cred.secret_id, "TmpSecretKey": cred.secret_key },
            "ExpiredTime": cred.expired_time,
            "Expiration": iso_date(cred.expired_time).replace(".000Z", "Z"),
        });
        self.issued.insert(cred.secret_id.clone(), cred);
        Ok(out)
    }

    /// The secret key of an issued temporary SecretId (for the COS signature check).
    #[must_use]
    pub fn secret_key(&self, secret_id: &str) -> Option<&str> {
        self.issued.get(secret_id).map(|c| c.secret_key.as_str())
    }

    /// Whether `secret_id` is one of ours (then [`Sts::authorize`] must run).
    #[must_use]
    pub fn is_temporary(&self, secret_id: &str) -> bool {
        self.issued.contains_key(secret_id)
    }

    /// Checks a COS request whose signature verified with an issued temporary key: the
    /// token, the expiry, then every policy of the credential.
    ///
    /// # Errors
    /// [`INVALID_TOKEN`], [`EXPIRED_TOKEN`] or [`ACCESS_DENIED`].
    pub fn authorize(
        &self,
        secret_id: &str,
        token: Option<&str>,
        now: i64,
        req: &CosRequest<'_>,
    ) -> Result<(), Denied> {
        let deny = |(status, code): (u16, &'static str)| Err(Denied { status, code });
        let Some(c) = self.issued.get(secret_id) else {
            return deny(INVALID_TOKEN);
        };
        if !token.is_some_and(|t| ct_eq(t.as_bytes(), c.token.as_bytes())) {
            return deny(INVALID_TOKEN);
        }
        if now >= c.expired_time {
            return deny(EXPIRED_TOKEN);
        }
        if !c.policies.iter().all(|p| p.allows(req)) {
            return deny(ACCESS_DENIED);
        }
        Ok(())
    }
}

/// The JSON body STS answers: `{"Response": {..., "RequestId"}}` or an `Error`.
#[must_use]
pub fn response_body(result: &Result<Value, StsError>, request_id: &str) -> String {
    let mut response = match result {
        Ok(v) => v.clone(),
        Err(e) => json!({ "Error": { "Code": e.code, "Message": e.message } }),
    };
    if let Some(o) = response.as_object_mut() {
        o.insert("RequestId".into(), Value::String(request_id.into()));
    }
    json!({ "Response": response }).to_string()
}
