//! CAM policies for COS temporary credentials: the `Policy` of STS `GetFederationToken` /
//! `AssumeRole` that scopes temporary keys to one bucket, one prefix (or a few keys), a set
//! of actions and a few conditions. See `docs/sts.md` for the sources and what is
//! UNCONFIRMED.
//!
//! The builder makes the usual mistakes impossible:
//! - action names come from a fixed list (`PutObject`, …) or the presets `upload` and
//!   `download`; an unknown name is `ERR_UNKNOWN_ACTION`, not a policy that silently grants
//!   nothing;
//! - condition names come from a fixed list (`maxContentLength`, …) and are written with the
//!   documented COS condition keys (`cos:content-length`, never `content_length`); an unknown
//!   name is `ERR_UNKNOWN_CONDITION`;
//! - each condition is attached only to the actions whose requests carry its header (COS
//!   evaluates a missing header as "condition not met", so a `cos:content-type` condition
//!   on `UploadPart` would refuse every part); actions are grouped into one statement per
//!   distinct condition set;
//! - a prefix must end with `/` and contain no `*`, so `users/1` cannot also grant
//!   `users/10/…`.
//!
//! ```
//! use cos_wasm::cam_policy::{ConditionValue, CosPolicy, Grant};
//! let mut grant = Grant::default();
//! grant.actions(&["upload"])?;
//! grant.prefix("users/alice/")?;
//! grant.condition("maxContentLength", ConditionValue::Integer(10 * 1024 * 1024))?;
//! let policy = CosPolicy::new("examplebucket-1250000000", "ap-guangzhou")?.allow(grant).to_json()?;
//! assert!(policy.contains(r#""numeric_less_than_equal":{"cos:content-length":10485760}"#));
//! # Ok::<(), cos_wasm::Error>(())
//! ```

use crate::endpoint::{Bucket, Region};
use crate::error::{cat, err, q, QuotedList, Result};
use crate::json;
use crate::sign::MAX_OBJECT_KEY_BYTES;
use crate::text::{find_str, join, rsplit_once_ascii, split_ascii};

/// The CAM policy language version COS documents.
pub const CAM_POLICY_VERSION: &str = "2.0";

/// Condition key of the request body length (numeric), documented for "requests with a body".
pub const KEY_CONTENT_LENGTH: &str = "cos:content-length";
/// Condition key of the `Content-Type` request header (string, case-sensitive).
pub const KEY_CONTENT_TYPE: &str = "cos:content-type";
/// Condition key of `x-cos-storage-class` (string).
pub const KEY_STORAGE_CLASS: &str = "cos:x-cos-storage-class";
/// Condition key of the `x-cos-acl` request header (string), listed in COS's condition-key
/// table. UNCONFIRMED: which actions COS evaluates it on (taken here: the object-creating
/// actions and `PutObjectACL`), and whether a POST form's `acl` field counts. A request
/// without the header does not meet the condition, so uploads must send the pinned ACL.
pub const KEY_ACL: &str = "cos:x-cos-acl";
/// Condition key of the request's source IP (`ip_equal`, CIDR or address).
pub const KEY_SOURCE_IP: &str = "qcs:ip";
/// Condition key for SSE-COS / SSE-KMS uploads: the `x-cos-server-side-encryption` header.
/// UNCONFIRMED: COS's condition-key table lists `cos:content-type`, `cos:content-length`,
/// `cos:x-cos-storage-class`, `cos:x-cos-acl` … but no SSE key; this follows the documented
/// `cos:<header name>` pattern. Should COS not know the key, the condition is never met and
/// uploads are refused (fails closed).
pub const KEY_SSE: &str = "cos:x-cos-server-side-encryption";
/// Condition key for SSE-C uploads (`x-cos-server-side-encryption-customer-algorithm`).
/// UNCONFIRMED, as [`KEY_SSE`].
pub const KEY_SSE_C: &str = "cos:x-cos-server-side-encryption-customer-algorithm";

/// The `upload` preset: simple PUT, POST form and multipart uploads, and what the official
/// resumable uploaders call before they upload: `sliceUploadFile` (Node, browser) and the
/// Python SDK's `upload_file` start with `GET /?uploads&prefix=<key>`
/// (`ListMultipartUploads`), then `ListParts` of an upload they may resume. Tencent's STS
/// demo grants the same two.
pub const UPLOAD_ACTIONS: &[&str] = &[
    "PostObject",
    "PutObject",
    "InitiateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "ListMultipartUploads",
    "ListParts",
];
/// The `download` preset.
pub const DOWNLOAD_ACTIONS: &[&str] = &["GetObject", "HeadObject"];

/// What a request of an action carries, which decides the conditions that apply to it.
#[derive(Clone, Copy)]
struct ActionInfo {
    name: &'static str,
    /// Sends the object data as its body (`cos:content-length` applies).
    body: bool,
    /// Creates an object and carries its metadata headers (content type, SSE, storage class).
    creates: bool,
    /// May carry `x-cos-acl` (the creating actions and `PutObjectACL`).
    acl: bool,
}

const fn act(name: &'static str, body: bool, creates: bool) -> ActionInfo {
    ActionInfo {
        name,
        body,
        creates,
        acl: creates,
    }
}

/// The object-level COS actions a prefix- or key-scoped grant can name, and
/// `ListMultipartUploads`, which COS judges on the grant's key-prefix resource for a listing
/// with `prefix=<key>` (how Tencent's STS demo grants it to the resumable uploaders). Other
/// bucket-level actions (`GetBucket`, …) need a bucket resource and are refused.
const ACTIONS: &[ActionInfo] = &[
    act("GetObject", false, false),
    act("HeadObject", false, false),
    act("OptionsObject", false, false),
    act("PutObject", true, true),
    act("PostObject", true, true),
    act("AppendObject", true, true),
    act("DeleteObject", false, false),
    act("InitiateMultipartUpload", false, true),
    act("UploadPart", true, false),
    act("CompleteMultipartUpload", false, false),
    act("AbortMultipartUpload", false, false),
    act("ListParts", false, false),
    act("ListMultipartUploads", false, false),
    act("GetObjectACL", false, false),
    ActionInfo {
        name: "PutObjectACL",
        body: false,
        creates: false,
        acl: true,
    },
    act("GetObjectTagging", false, false),
    act("PutObjectTagging", false, false),
    act("DeleteObjectTagging", false, false),
    act("PostObjectRestore", false, false),
];

/// Storage classes accepted by `storageClasses` (the `x-cos-storage-class` values).
pub const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "STANDARD_IA",
    "ARCHIVE",
    "DEEP_ARCHIVE",
    "INTELLIGENT_TIERING",
    "MAZ_STANDARD",
    "MAZ_STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING",
];

/// The condition names a grant accepts (the JS option names).
pub const CONDITION_NAMES: &[&str] = &[
    "maxContentLength",
    "minContentLength",
    "contentTypes",
    "requireSse",
    "storageClasses",
    "sourceIps",
    "acl",
];

/// Object ACLs accepted by `acl` (COS's preset object ACLs; `default` inherits the bucket's).
pub const OBJECT_ACLS: &[&str] = &["default", "private", "public-read"];

/// Largest `maxContentLength`: 5 GiB, COS's limit for one PUT, POST or part.
pub const MAX_CONTENT_LENGTH_LIMIT: u64 = 5 * 1024 * 1024 * 1024;

/// A condition value as given by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConditionValue {
    /// A non-negative integer (lengths).
    Integer(u64),
    /// One string.
    Text(String),
    /// Several strings (any of them matches).
    List(Vec<String>),
}

impl ConditionValue {
    fn into_list(self, name: &str) -> Result<Vec<String>> {
        let list = match self {
            Self::Text(s) => vec![s],
            Self::List(l) => l,
            Self::Integer(_) => {
                return Err(err!(
                    InvalidCamPolicy,
                    "{} takes a string or a list of strings",
                    name
                ))
            }
        };
        if list.is_empty() || list.len() > 64 {
            return Err(err!(InvalidCamPolicy, "{} takes 1 to 64 values", name));
        }
        Ok(list)
    }
}

/// Which SSE mode uploads must request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequiredSse {
    /// `x-cos-server-side-encryption: AES256`.
    Cos,
    /// `x-cos-server-side-encryption: cos/kms`.
    Kms,
    /// `x-cos-server-side-encryption-customer-algorithm: AES256`.
    CustomerKey,
}

impl RequiredSse {
    fn key_value(self) -> (&'static str, &'static str) {
        match self {
            Self::Cos => (KEY_SSE, "AES256"),
            Self::Kms => (KEY_SSE, "cos/kms"),
            Self::CustomerKey => (KEY_SSE_C, "AES256"),
        }
    }
}

/// The conditions of one grant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Conditions {
    max_content_length: Option<u64>,
    min_content_length: Option<u64>,
    content_types: Vec<String>,
    require_sse: Option<RequiredSse>,
    storage_classes: Vec<String>,
    source_ips: Vec<String>,
    acls: Vec<String>,
}

impl Conditions {
    /// The `condition` object for one action, or `None` when nothing applies to it.
    fn for_action(&self, a: ActionInfo) -> Option<String> {
        let mut ops: Vec<(&str, Vec<String>)> = Vec::new();
        let mut add = |op: &'static str, entry: String| {
            if let Some((_, list)) = ops.iter_mut().find(|(o, _)| *o == op) {
                list.push(entry);
            } else {
                ops.push((op, vec![entry]));
            }
        };
        let list = |items: &[String]| {
            let inner: Vec<String> = items.iter().map(|s| json::string(s)).collect();
            cat!("[{}]", join(&inner, ","))
        };
        if a.body {
            if let Some(max) = self.max_content_length {
                add(
                    "numeric_less_than_equal",
                    cat!("{}:{}", json::string(KEY_CONTENT_LENGTH), max),
                );
            }
            if let Some(min) = self.min_content_length {
                add(
                    "numeric_greater_than_equal",
                    cat!("{}:{}", json::string(KEY_CONTENT_LENGTH), min),
                );
            }
        }
        if a.creates {
            if !self.content_types.is_empty() {
                add(
                    "string_equal",
                    cat!(
                        "{}:{}",
                        json::string(KEY_CONTENT_TYPE),
                        list(&self.content_types)
                    ),
                );
            }
            if let Some(sse) = self.require_sse {
                let (k, v) = sse.key_value();
                add(
                    "string_equal",
                    cat!("{}:{}", json::string(k), json::string(v)),
                );
            }
            if !self.storage_classes.is_empty() {
                add(
                    "string_equal",
                    cat!(
                        "{}:{}",
                        json::string(KEY_STORAGE_CLASS),
                        list(&self.storage_classes)
                    ),
                );
            }
        }
        if a.acl && !self.acls.is_empty() {
            add(
                "string_equal",
                cat!("{}:{}", json::string(KEY_ACL), list(&self.acls)),
            );
        }
        if !self.source_ips.is_empty() {
            add(
                "ip_equal",
                cat!("{}:{}", json::string(KEY_SOURCE_IP), list(&self.source_ips)),
            );
        }
        if ops.is_empty() {
            return None;
        }
        let parts: Vec<String> = ops
            .iter()
            .map(|(op, entries)| cat!("{}:{{}}", json::string(op), join(entries, ",")))
            .collect();
        Some(cat!("{{}}", join(&parts, ",")))
    }

    /// Whether a condition was set that needs a body / creating / ACL-carrying action to
    /// apply to.
    fn needs(&self) -> (bool, bool, bool) {
        let body = self.max_content_length.is_some() || self.min_content_length.is_some();
        let creates = !self.content_types.is_empty()
            || self.require_sse.is_some()
            || !self.storage_classes.is_empty();
        (body, creates, !self.acls.is_empty())
    }
}

/// What a grant covers: every key under a prefix, or a list of exact keys.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    Prefix(String),
    Keys(Vec<String>),
}

/// One `allow` grant: actions on a prefix or keys, under conditions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    actions: Vec<ActionInfo>,
    scope: Option<Scope>,
    conditions: Conditions,
}

impl PartialEq for ActionInfo {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}
impl Eq for ActionInfo {}
impl core::fmt::Debug for ActionInfo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name)
    }
}

/// A key or prefix COS and CAM read literally: no `*` (a CAM wildcard), no control
/// characters, no leading `/`, at most 850 bytes.
fn check_key_text(what: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(err!(
            InvalidCamPolicy,
            "{} must not be empty (a whole-bucket grant is not offered)",
            what
        ));
    }
    if s.len() > MAX_OBJECT_KEY_BYTES {
        return Err(err!(
            InvalidCamPolicy,
            "{} is longer than {} bytes",
            what,
            MAX_OBJECT_KEY_BYTES
        ));
    }
    if find_str(s, "*").is_some() {
        return Err(err!(
            InvalidCamPolicy,
            "{} contains '*', which CAM reads as a wildcard",
            what
        ));
    }
    if s.starts_with('/') {
        return Err(err!(
            InvalidCamPolicy,
            "{} must not start with '/' (COS keys have no leading slash)",
            what
        ));
    }
    // A `.` or `..` segment (`../`, `users/../x/`, `a/./`): a client or a proxy that
    // normalises paths would send the request for another key than the one granted, and a
    // grant reading as "users/alice/../" says nothing a reader can trust (issue 25).
    if split_ascii(s, b'/').any(|seg| seg == "." || seg == "..") {
        return Err(err!(
            InvalidCamPolicy,
            "{} must not contain a '.' or '..' path segment",
            what
        ));
    }
    if s.chars().any(char::is_control) {
        return Err(err!(
            InvalidCamPolicy,
            "{} contains a control character",
            what
        ));
    }
    Ok(())
}

fn find_action(name: &str) -> Option<ActionInfo> {
    let bare = name.strip_prefix("name/cos:").unwrap_or(name);
    ACTIONS.iter().copied().find(|a| a.name == bare)
}

/// `list` when every entry is one of `allowed` (condition `name`, values called `what`).
fn one_of(
    name: &str,
    list: Vec<String>,
    what: &str,
    allowed: &'static [&'static str],
) -> Result<Vec<String>> {
    match list.iter().find(|s| !allowed.contains(&s.as_str())) {
        Some(bad) => Err(err!(
            InvalidCamPolicy,
            "{}: unknown {} {}; use one of {}",
            name,
            what,
            q(bad),
            QuotedList(allowed)
        )),
        None => Ok(list),
    }
}

fn text_value(
    name: &str,
    list: &[String],
    max_len: usize,
    ok: impl Fn(char) -> bool,
) -> Result<()> {
    for v in list {
        if v.is_empty() || v.len() > max_len || !v.chars().all(&ok) {
            return Err(err!(
                InvalidCamPolicy,
                "{}: {} is not a valid value",
                name,
                q(v)
            ));
        }
    }
    Ok(())
}

impl Grant {
    /// Adds actions: the presets `upload` ([`UPLOAD_ACTIONS`]) and `download`
    /// ([`DOWNLOAD_ACTIONS`]), or COS action names (`PutObject` or `name/cos:PutObject`).
    ///
    /// # Errors
    /// `ERR_UNKNOWN_ACTION` for anything else (including `*` and bucket-level actions).
    pub fn actions<S: AsRef<str>>(&mut self, names: &[S]) -> Result<()> {
        for name in names {
            let name = name.as_ref();
            let found: Vec<ActionInfo> = match name {
                "upload" => UPLOAD_ACTIONS
                    .iter()
                    .filter_map(|n| find_action(n))
                    .collect(),
                "download" => DOWNLOAD_ACTIONS
                    .iter()
                    .filter_map(|n| find_action(n))
                    .collect(),
                _ => vec![find_action(name).ok_or_else(|| {
                    err!(UnknownAction, "unknown COS object action {}; use 'upload', 'download' or names such as 'PutObject', 'GetObject'", q(name))
                })?],
            };
            for a in found {
                if !self.actions.contains(&a) {
                    self.actions.push(a);
                }
            }
        }
        Ok(())
    }

    /// Grants every key under `prefix`, which must end with `/`.
    ///
    /// # Errors
    /// `ERR_INVALID_CAM_POLICY` if the prefix is empty, does not end with `/`, contains
    /// `*` or control characters, starts with `/`, or a scope was already set.
    pub fn prefix(&mut self, prefix: &str) -> Result<()> {
        check_key_text("prefix", prefix)?;
        if !prefix.ends_with('/') {
            return Err(err!(InvalidCamPolicy, "prefix must end with '/' (\"users/1\" would also grant \"users/10/…\"); grant exact objects with keys"));
        }
        self.set_scope(Scope::Prefix(prefix.to_owned()))
    }

    /// Grants exactly these object keys.
    ///
    /// # Errors
    /// `ERR_INVALID_CAM_POLICY` if the list is empty or longer than 100, a key is empty,
    /// contains `*` or control characters, or a scope was already set.
    pub fn keys<S: AsRef<str>>(&mut self, keys: &[S]) -> Result<()> {
        if keys.is_empty() || keys.len() > 100 {
            return Err(err!(InvalidCamPolicy, "keys takes 1 to 100 object keys"));
        }
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            check_key_text("key", k.as_ref())?;
            out.push(k.as_ref().to_owned());
        }
        self.set_scope(Scope::Keys(out))
    }

    fn set_scope(&mut self, scope: Scope) -> Result<()> {
        if self.scope.is_some() {
            return Err(err!(
                InvalidCamPolicy,
                "a grant takes either prefix or keys, not both"
            ));
        }
        self.scope = Some(scope);
        Ok(())
    }

    /// Sets a condition by its option name (see [`CONDITION_NAMES`]):
    /// - `maxContentLength` / `minContentLength`: bytes, on actions that send object data
    ///   (`cos:content-length`, `numeric_less_than_equal` / `numeric_greater_than_equal`);
    ///   it bounds each request, so each part of a multipart upload, not the whole object;
    /// - `contentTypes`: the exact `Content-Type` values allowed (`cos:content-type`);
    /// - `requireSse`: `SSE-COS`, `SSE-KMS` or `SSE-C` ([`KEY_SSE`], [`KEY_SSE_C`]);
    /// - `storageClasses`: allowed `x-cos-storage-class` values;
    /// - `sourceIps`: addresses or CIDR ranges (`qcs:ip`, every action);
    /// - `acl`: the allowed `x-cos-acl` values ([`OBJECT_ACLS`], [`KEY_ACL`]) on the creating
    ///   actions and `PutObjectACL`; uploads must then send `x-cos-acl`.
    ///
    /// # Errors
    /// `ERR_UNKNOWN_CONDITION` for another name; `ERR_INVALID_CAM_POLICY` for a value of the
    /// wrong type or out of range.
    pub fn condition(&mut self, name: &str, value: ConditionValue) -> Result<()> {
        let c = &mut self.conditions;
        match name {
            "maxContentLength" | "minContentLength" => {
                let ConditionValue::Integer(n) = value else {
                    return Err(err!(
                        InvalidCamPolicy,
                        "{} takes a whole number of bytes",
                        name
                    ));
                };
                if n > MAX_CONTENT_LENGTH_LIMIT || (name == "maxContentLength" && n == 0) {
                    return Err(err!(
                        InvalidCamPolicy,
                        "{} must be between 1 and {} bytes",
                        name,
                        MAX_CONTENT_LENGTH_LIMIT
                    ));
                }
                if name == "maxContentLength" {
                    c.max_content_length = Some(n);
                } else {
                    c.min_content_length = Some(n);
                }
            }
            "contentTypes" => {
                let list = value.into_list(name)?;
                text_value(name, &list, 256, |ch| ch == ' ' || ch.is_ascii_graphic())?;
                c.content_types = list;
            }
            "requireSse" => {
                c.require_sse = Some(match value {
                    ConditionValue::Text(t) if t == "SSE-COS" => RequiredSse::Cos,
                    ConditionValue::Text(t) if t == "SSE-KMS" => RequiredSse::Kms,
                    ConditionValue::Text(t) if t == "SSE-C" => RequiredSse::CustomerKey,
                    _ => {
                        return Err(err!(
                            InvalidCamPolicy,
                            "requireSse takes 'SSE-COS', 'SSE-KMS' or 'SSE-C'"
                        ))
                    }
                });
            }
            "storageClasses" => {
                c.storage_classes = one_of(
                    name,
                    value.into_list(name)?,
                    "storage class",
                    STORAGE_CLASSES,
                )?;
            }
            "acl" => c.acls = one_of(name, value.into_list(name)?, "object ACL", OBJECT_ACLS)?,
            "sourceIps" => {
                let list = value.into_list(name)?;
                text_value(name, &list, 64, |ch| {
                    ch.is_ascii_hexdigit() || matches!(ch, '.' | ':' | '/')
                })?;
                c.source_ips = list;
            }
            _ => {
                return Err(err!(
                    UnknownCondition,
                    "unknown condition {}; use one of {}",
                    q(name),
                    QuotedList(CONDITION_NAMES)
                ))
            }
        }
        if let (Some(min), Some(max)) = (c.min_content_length, c.max_content_length) {
            if min > max {
                return Err(err!(
                    InvalidCamPolicy,
                    "minContentLength is larger than maxContentLength"
                ));
            }
        }
        Ok(())
    }
}

/// A CAM policy for COS temporary credentials on one bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosPolicy {
    bucket: Bucket,
    region: Region,
    grants: Vec<Grant>,
}

impl CosPolicy {
    /// A policy on `bucket` (`<name>-<APPID>`) in `region`.
    ///
    /// # Errors
    /// `ERR_INVALID_BUCKET`, `ERR_INVALID_REGION`.
    pub fn new(bucket: &str, region: &str) -> Result<Self> {
        Ok(Self {
            bucket: Bucket::new(bucket)?,
            region: Region::new(region)?,
            grants: Vec::new(),
        })
    }

    /// Adds an `allow` grant.
    #[must_use]
    pub fn allow(mut self, grant: Grant) -> Self {
        self.grants.push(grant);
        self
    }

    /// `qcs::cos:<region>:uid/<appid>:<bucket>/` — the resource prefix of this bucket.
    fn resource_base(&self) -> String {
        let bucket = self.bucket.as_str();
        let appid = rsplit_once_ascii(bucket, b'-').map_or("", |(_, a)| a);
        cat!(
            "qcs::cos:{}:uid/{}:{}/",
            self.region.as_str(),
            appid,
            bucket
        )
    }

    /// The policy JSON (compact, deterministic): `{"version":"2.0","statement":[…]}`, one
    /// statement per grant and distinct condition set. Pass it as STS's `Policy` (the STS
    /// client URL-encodes it).
    ///
    /// # Errors
    /// `ERR_INVALID_CAM_POLICY` when there is no grant, a grant has no actions or no prefix
    /// or keys, or a condition applies to none of its actions (it would be silently ignored).
    pub fn to_json(&self) -> Result<String> {
        if self.grants.is_empty() {
            return Err(err!(InvalidCamPolicy, "allow must list at least one grant"));
        }
        let base = self.resource_base();
        let mut statements = Vec::new();
        for (i, g) in self.grants.iter().enumerate() {
            if g.actions.is_empty() {
                return Err(err!(InvalidCamPolicy, "grant {} has no actions", i));
            }
            let resources: Vec<String> = match &g.scope {
                None => return Err(err!(InvalidCamPolicy, "grant {} needs prefix or keys", i)),
                Some(Scope::Prefix(p)) => vec![json::string(&cat!("{}{}*", base, p))],
                Some(Scope::Keys(keys)) => keys
                    .iter()
                    .map(|k| json::string(&cat!("{}{}", base, k)))
                    .collect(),
            };
            let (needs_body, needs_creates, needs_acl) = g.conditions.needs();
            if needs_body && !g.actions.iter().any(|a| a.body) {
                return Err(err!(InvalidCamPolicy, "grant {}: content-length limits apply to none of its actions (they send no object data)", i));
            }
            if needs_creates && !g.actions.iter().any(|a| a.creates) {
                return Err(err!(InvalidCamPolicy, "grant {}: contentTypes, requireSse and storageClasses apply to none of its actions (none creates an object)", i));
            }
            if needs_acl && !g.actions.iter().any(|a| a.acl) {
                return Err(err!(
                    InvalidCamPolicy,
                    "grant {}: acl applies to none of its actions (none creates an object or sets an ACL)",
                    i
                ));
            }
            // Group actions by the condition object that applies to them, in first-seen order.
            let mut groups: Vec<(Option<String>, Vec<&'static str>)> = Vec::new();
            for a in &g.actions {
                let cond = g.conditions.for_action(*a);
                match groups.iter_mut().find(|(c, _)| *c == cond) {
                    Some((_, names)) => names.push(a.name),
                    None => groups.push((cond, vec![a.name])),
                }
            }
            for (cond, names) in groups {
                let actions: Vec<String> = names
                    .iter()
                    .map(|n| json::string(&cat!("name/cos:{}", n)))
                    .collect();
                let mut s = cat!(
                    "{\"effect\":\"allow\",\"action\":[{}],\"resource\":[{}]",
                    join(&actions, ","),
                    join(&resources, ",")
                );
                if let Some(cond) = cond {
                    s.push_str(",\"condition\":");
                    s.push_str(&cond);
                }
                s.push('}');
                statements.push(s);
            }
        }
        Ok(cat!(
            "{\"version\":\"{}\",\"statement\":[{}]}",
            CAM_POLICY_VERSION,
            join(&statements, ",")
        ))
    }
}
