//! POST Object browser-form uploads (protocol §2,
//! [POST Object](https://cloud.tencent.com/document/product/436/14690)).
//!
//! [`Signer::post_object_form`](crate::Signer::post_object_form) builds the policy JSON deterministically (compact,
//! `JSON.stringify` escaping), signs it with
//! [`Signer::sign_post_policy`](crate::Signer::sign_post_policy) and returns the
//! form fields in the order a `multipart/form-data` body needs them. **The caller appends
//! the `file` field LAST**: COS ignores fields after `file`.

use core::fmt;

use crate::error::{cat, err, q, Result};
use crate::json;
use crate::sign::{
    check_header_name, check_header_value, is_sensitive_header, object_path, KeyTime, DEFAULT_ACL,
    DEFAULT_CONTENT_TYPE, DEFAULT_STORAGE_CLASS,
};
use crate::sse::{
    check_archive, sse_headers, Operation, Sse, HEADER_SSE_C_KEY, HEADER_STORAGE_CLASS,
};
use crate::text::find_str;
use crate::time::iso8601_utc;

/// Whether the STS security token is also added to the policy as an exact-match
/// condition. UNCONFIRMED whether COS requires it (protocol §2: the official demos omit it).
/// `true` is the safe choice: COS requires every constrained field to be present with a
/// matching value, and the token field is always sent with temporary credentials, so the
/// extra condition cannot fail, while it binds the policy to these credentials.
pub const POST_POLICY_INCLUDES_SECURITY_TOKEN: bool = true;

/// COS's cap on one `x-cos-meta-*` header, name plus value (protocol §2, §6).
pub const MAX_META_BYTES: usize = 2 * 1024;
/// COS's cap on all `x-cos-meta-*` headers together (protocol §6).
pub const MAX_META_TOTAL_BYTES: usize = 4 * 1024;
/// The placeholder COS replaces with the uploaded file's name (protocol §2 `key`).
pub const FILENAME_PLACEHOLDER: &str = "${filename}";

/// The object key of a POST upload (protocol §2 `key`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostKey {
    /// Exactly this key (`{"key":"…"}` condition).
    Exact(String),
    /// Any key under this prefix: the form's `key` field is `prefix + "${filename}"`
    /// (COS substitutes the browser's file name) and the policy has
    /// `["starts-with","$key",prefix]`.
    Prefix(String),
}

impl Default for PostKey {
    fn default() -> Self {
        Self::Exact(String::new())
    }
}

/// A POST Object form to sign (protocol §2). Every fixed field becomes both a form field and
/// an exact-match policy condition.
///
/// By default the form is **strict** ([`PostObjectFormOptions::strict`]): `Content-Type`,
/// `acl` and `x-cos-storage-class` are always fields with exact conditions, the issuer's
/// values or [`DEFAULT_CONTENT_TYPE`], [`DEFAULT_ACL`] and [`DEFAULT_STORAGE_CLASS`]. COS
/// requires every field a condition names to be present with that value (protocol §2), so
/// a holder who changes one of them fails the policy. Metadata and `success_action_redirect`
/// have no value that means "none": the form carries exactly the issuer's, each pinned, and
/// an extra one is refused only by a server that refuses fields the policy does not name
/// (S3 documents that rule; COS does not: UNCONFIRMED, as is how COS treats a field sent
/// twice). The local emulator refuses both.
#[derive(Clone, Debug)]
pub struct PostObjectFormOptions {
    /// The key (exact or prefix).
    pub key: PostKey,
    /// Encryption, sent as `x-cos-server-side-encryption*` form fields (protocol §3).
    pub sse: Option<Sse>,
    /// `["content-length-range",min,max]` in bytes (COS answers `EntityTooSmall` /
    /// `EntityTooLarge` outside it).
    pub content_length_range: Option<(u64, u64)>,
    /// The `Content-Type` field (COS ignores the MIME type of the file part).
    pub content_type: Option<String>,
    /// `success_action_status`: 200, 201 or 204 (COS default 204; ignored with a redirect).
    pub success_action_status: Option<u16>,
    /// `success_action_redirect`: COS answers 303 to `<url>?bucket=…&key=…&etag=…`.
    pub success_action_redirect: Option<String>,
    /// `x-cos-meta-*` metadata: names are suffixes (`owner`) or full names
    /// (`x-cos-meta-owner`); no `_` in the suffix, ≤ 2 KB each, ≤ 4 KB in total.
    pub meta: Vec<(String, String)>,
    /// `x-cos-storage-class` (e.g. `STANDARD_IA`); ARCHIVE / DEEP_ARCHIVE cannot be
    /// combined with `sse`.
    pub storage_class: Option<String>,
    /// `acl` (e.g. `private`, `public-read`, `default`).
    pub acl: Option<String>,
    /// Extra raw policy conditions, each the JSON text of an object or array, e.g.
    /// `["starts-with","$Content-Type","image/"]`. Their fields must be in the form too.
    /// In strict mode a condition on `Content-Type`, `acl` or `x-cos-storage-class` needs
    /// that attribute set (or `strict: false`): it would contradict the pinned default.
    pub conditions: Vec<String>,
    /// Pin `Content-Type`, `acl` and `x-cos-storage-class` to their defaults when not set
    /// (see the type's docs). Default `true`: a form without them lets the holder store
    /// `text/html` as `public-read` wherever the server ignores fields the policy does not
    /// name, which COS may do (UNCONFIRMED).
    pub strict: bool,
    /// Accept a [`PostKey::Prefix`] that is empty after normalisation (`""`, `"/"`): a form
    /// that writes any key of the bucket. Default `false` (`ERR_KEY_PREFIX_EMPTY`).
    pub allow_empty_key_prefix: bool,
}

impl Default for PostObjectFormOptions {
    fn default() -> Self {
        Self {
            key: PostKey::default(),
            sse: None,
            content_length_range: None,
            content_type: None,
            success_action_status: None,
            success_action_redirect: None,
            meta: Vec::new(),
            storage_class: None,
            acl: None,
            conditions: Vec::new(),
            strict: true,
            allow_empty_key_prefix: false,
        }
    }
}

/// A signed POST form: where to post it and the fields, in order. Append `file` LAST.
#[derive(Clone, PartialEq, Eq)]
pub struct PostObjectForm {
    /// `scheme://host/` (path-style: `scheme://host/<bucket>/`).
    pub url: String,
    /// `(name, value)` pairs: `key`, fixed fields, SSE fields, metadata, then `policy`,
    /// `q-sign-algorithm`, `q-ak`, `q-key-time`, `q-signature` and, with temporary
    /// credentials, `x-cos-security-token`. Contains the SSE-C key when SSE-C is used.
    pub fields: Vec<(String, String)>,
}

impl Drop for PostObjectForm {
    /// The fields may hold an SSE-C key or the security token: wipe them.
    fn drop(&mut self) {
        for (_, value) in &mut self.fields {
            zeroize::Zeroize::zeroize(value);
        }
    }
}

impl fmt::Debug for PostObjectForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<(&str, &str)> = self
            .fields
            .iter()
            .map(|(k, v)| {
                if is_sensitive_header(k) {
                    (k.as_str(), "** REDACTED **")
                } else if k == "policy" {
                    // The policy may embed the security token (POST_POLICY_INCLUDES_SECURITY_TOKEN).
                    (k.as_str(), "** REDACTED (base64 policy) **")
                } else {
                    (k.as_str(), v.as_str())
                }
            })
            .collect();
        f.debug_struct("PostObjectForm")
            .field("url", &self.url)
            .field("fields", &fields)
            .finish()
    }
}

/// `{"name":"value"}`.
/// Built at its final size and with the escaped value wiped: the value may be the security
/// token, and a growing `format!` buffer would leave copies of it in freed memory.
fn exact(name: &str, value: &str) -> String {
    let name = json::string(name);
    let value = zeroize::Zeroizing::new(json::string(value));
    let mut out = String::with_capacity(name.len() + value.len() + 3);
    out.push('{');
    out.push_str(&name);
    out.push(':');
    out.push_str(&value);
    out.push('}');
    out
}

fn check_field(name: &str, value: &str) -> Result<()> {
    check_header_value(name, value)?;
    if value.trim().is_empty() {
        return Err(err!(
            InvalidArgument,
            "{} must not be empty; omit it instead",
            name
        ));
    }
    Ok(())
}

/// Validates metadata and returns `(full name, value)` pairs.
fn meta_fields(meta: &[(String, String)]) -> Result<Vec<(String, String)>> {
    const PREFIX: &str = "x-cos-meta-";
    let mut out: Vec<(String, String)> = Vec::with_capacity(meta.len());
    let mut total = 0usize;
    for (name, value) in meta {
        let full = match name.get(..PREFIX.len()) {
            Some(p) if p.eq_ignore_ascii_case(PREFIX) => name.clone(),
            _ => cat!("{}{}", PREFIX, name),
        };
        let suffix = full.get(PREFIX.len()..).unwrap_or("");
        if suffix.is_empty() || find_str(suffix, "_").is_some() {
            return Err(err!(InvalidHeaderName, "metadata name {} is invalid: the part after x-cos-meta- must be non-empty and must not contain '_' (use '-')", q(&full)));
        }
        check_header_name(&full)?;
        check_header_value(&full, value)?;
        let size = full.len() + value.len();
        if size > MAX_META_BYTES {
            return Err(err!(
                InvalidHeaderValue,
                "metadata {} is {} bytes (name + value); COS allows at most {}",
                q(&full),
                size,
                MAX_META_BYTES
            ));
        }
        total += size;
        if total > MAX_META_TOTAL_BYTES {
            return Err(err!(
                InvalidHeaderValue,
                "metadata totals more than {} bytes; COS allows at most that",
                MAX_META_TOTAL_BYTES
            ));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&full)) {
            return Err(err!(
                DuplicateHeader,
                "metadata {} is given twice (names differing only in case); pass it once",
                q(&full)
            ));
        }
        out.push((full, value.clone()));
    }
    Ok(out)
}

/// The `key` form field and its policy condition.
fn key_field(key: &PostKey, allow_empty_prefix: bool) -> Result<(String, String)> {
    match key {
        PostKey::Exact(k) => {
            let path = object_path(k)?;
            let bare = path.get(1..).unwrap_or("");
            if bare.is_empty() {
                return Err(err!(InvalidObjectKey, "the POST key must not be empty; use PostKey::Prefix(\"\") to accept any file name"));
            }
            if find_str(bare, FILENAME_PLACEHOLDER).is_some() {
                return Err(err!(InvalidObjectKey, "an exact key containing {} never matches the policy (COS substitutes it first); use PostKey::Prefix", FILENAME_PLACEHOLDER));
            }
            Ok((bare.to_owned(), exact("key", bare)))
        }
        PostKey::Prefix(p) => {
            let path = object_path(&cat!("{}{}", p, FILENAME_PLACEHOLDER))?;
            let bare = path.get(1..).unwrap_or("");
            let prefix = bare.strip_suffix(FILENAME_PLACEHOLDER).unwrap_or("");
            if prefix.is_empty() && !allow_empty_prefix {
                return Err(err!(KeyPrefixEmpty, "the key prefix {} is empty once normalised, so the form could write any key of the bucket; pass a prefix such as \"uploads/alice/\", or allow_empty_key_prefix", q(p)));
            }
            Ok((
                bare.to_owned(),
                cat!("[\"starts-with\",\"$key\",{}]", json::string(prefix)),
            ))
        }
    }
}

impl PostObjectFormOptions {
    /// The value of a strict-pinned field: the issuer's, else (strict) the default.
    /// A strict default next to an extra condition naming the field is refused: the policy
    /// could never be met. (The check reads the condition texts for the quoted field name,
    /// ignoring case; one it misses still fails closed at COS.)
    fn pinned(&self, given: &Option<String>, field: &str, default: &str) -> Result<Option<String>> {
        if given.is_some() || !self.strict {
            return Ok(given.clone());
        }
        let needles = [
            cat!("\"{}\"", field.to_ascii_lowercase()),
            cat!("\"${}\"", field.to_ascii_lowercase()),
        ];
        if self.conditions.iter().any(|c| {
            let c = c.to_ascii_lowercase();
            needles.iter().any(|n| find_str(&c, n).is_some())
        }) {
            return Err(err!(InvalidPolicy, "a strict form pins {} to {} unless it is given; set it, or pass strict: false to constrain it with your own condition", field, q(default)));
        }
        Ok(Some(default.to_owned()))
    }

    /// The policy JSON text and the form fields (without the signature fields) for
    /// `bucket`, `q-ak` and `key_time`.
    pub(crate) fn build(
        &self,
        bucket: &str,
        secret_id: &str,
        token: Option<&str>,
        key_time: KeyTime,
    ) -> Result<(String, Vec<(String, String)>)> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let kt = cat!("{}", key_time);
        let mut conds = vec![
            exact("q-sign-algorithm", "sha1"),
            exact("q-ak", secret_id),
            exact("q-sign-time", &kt),
            exact("bucket", bucket),
        ];

        let (key, key_cond) = key_field(&self.key, self.allow_empty_key_prefix)?;
        fields.push(("key".to_owned(), key));
        conds.push(key_cond);

        let mut fixed: Vec<(&str, String)> = Vec::new();
        if let Some(acl) = self.pinned(&self.acl, "acl", DEFAULT_ACL)? {
            fixed.push(("acl", acl));
        }
        if let Some(ct) = self.pinned(&self.content_type, "Content-Type", DEFAULT_CONTENT_TYPE)? {
            fixed.push(("Content-Type", ct));
        }
        if let Some(url) = &self.success_action_redirect {
            fixed.push(("success_action_redirect", url.clone()));
        }
        if let Some(status) = self.success_action_status {
            if !matches!(status, 200 | 201 | 204) {
                return Err(err!(
                    InvalidPolicy,
                    "success_action_status must be 200, 201 or 204, got {}",
                    status
                ));
            }
            fixed.push(("success_action_status", cat!("{}", status)));
        }
        if let Some(class) = self.pinned(
            &self.storage_class,
            HEADER_STORAGE_CLASS,
            DEFAULT_STORAGE_CLASS,
        )? {
            fixed.push((HEADER_STORAGE_CLASS, class.trim().to_owned()));
        }
        for (name, value) in fixed {
            check_field(name, &value)?;
            conds.push(exact(name, &value));
            fields.push((name.to_owned(), value));
        }

        if let Some(sse) = &self.sse {
            if let Some(class) = &self.storage_class {
                check_archive(class)?;
            }
            for mut h in sse_headers(sse, Operation::PostObject)? {
                // The SSE-C key itself stays out of the policy: the key-MD5 condition pins
                // it, and the policy text (base64, often logged) then carries no key material.
                if !h.name.eq_ignore_ascii_case(HEADER_SSE_C_KEY) {
                    conds.push(exact(&h.name, &h.value));
                }
                fields.push((std::mem::take(&mut h.name), std::mem::take(&mut h.value)));
            }
        }

        for (name, value) in meta_fields(&self.meta)? {
            conds.push(exact(&name, &value));
            fields.push((name, value));
        }

        if let Some((min, max)) = self.content_length_range {
            if min > max {
                return Err(err!(
                    InvalidPolicy,
                    "content_length_range min ({}) is greater than max ({})",
                    min,
                    max
                ));
            }
            conds.push(cat!("[\"content-length-range\",{},{}]", min, max));
        }
        if let Some(token) = token {
            if POST_POLICY_INCLUDES_SECURITY_TOKEN {
                conds.push(exact("x-cos-security-token", token));
            }
        }
        for c in &self.conditions {
            let c = c.trim();
            if !json::is_condition_text(c) {
                return Err(err!(InvalidPolicy, "each extra condition must be the JSON text of an object or array, e.g. [\"starts-with\",\"$Content-Type\",\"image/\"]"));
            }
            conds.push(c.to_owned());
        }

        // Sized up front and the conditions wiped: they may hold the security token.
        let conds: Vec<zeroize::Zeroizing<String>> =
            conds.into_iter().map(zeroize::Zeroizing::new).collect();
        let expiration = json::string(&iso8601_utc(key_time.end()));
        let mut policy = String::with_capacity(
            40 + expiration.len() + conds.iter().map(|c| c.len() + 1).sum::<usize>(),
        );
        policy.push_str("{\"expiration\":");
        policy.push_str(&expiration);
        policy.push_str(",\"conditions\":[");
        for (i, c) in conds.iter().enumerate() {
            if i > 0 {
                policy.push(',');
            }
            policy.push_str(c);
        }
        policy.push_str("]}");
        Ok((policy, fields))
    }
}
