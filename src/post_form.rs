//! POST Object browser-form uploads (spec §2,
//! [POST Object](https://cloud.tencent.com/document/product/436/14690)).
//!
//! [`Signer::post_object_form`] builds the policy JSON deterministically (compact,
//! `JSON.stringify` escaping), signs it with [`Signer::sign_post_policy`] and returns the
//! form fields in the order a `multipart/form-data` body needs them. **The caller appends
//! the `file` field LAST**: COS ignores fields after `file`.

use core::fmt;

use crate::encode::path_encode;
use crate::endpoint::Endpoint;
use crate::error::{err, Result};
use crate::sign::{
    check_header_name, check_header_value, is_sensitive_header, object_path, KeyTime,
};
use crate::signer::Signer;
use crate::sse::{
    check_archive, check_key_transport, sse_headers, Operation, Sse, HEADER_SSE_C_KEY,
    HEADER_STORAGE_CLASS,
};

/// Whether the STS security token is also added to the policy as an exact-match
/// condition. UNCONFIRMED whether COS requires it (spec §2: the official demos omit it).
/// `true` is the safe choice: COS requires every constrained field to be present with a
/// matching value, and the token field is always sent with temporary credentials, so the
/// extra condition cannot fail, while it binds the policy to these credentials.
pub const POST_POLICY_INCLUDES_SECURITY_TOKEN: bool = true;

/// COS's cap on one `x-cos-meta-*` header, name plus value (spec §2, §6).
pub const MAX_META_BYTES: usize = 2 * 1024;
/// COS's cap on all `x-cos-meta-*` headers together (spec §6).
pub const MAX_META_TOTAL_BYTES: usize = 4 * 1024;
/// The placeholder COS replaces with the uploaded file's name (spec §2 `key`).
pub const FILENAME_PLACEHOLDER: &str = "${filename}";

/// The object key of a POST upload (spec §2 `key`).
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

/// A POST Object form to sign (spec §2). Every fixed field becomes both a form field and
/// an exact-match policy condition.
#[derive(Clone, Debug, Default)]
pub struct PostObjectForm {
    /// The key (exact or prefix).
    pub key: PostKey,
    /// Encryption, sent as `x-cos-server-side-encryption*` form fields (spec §3).
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
    pub conditions: Vec<String>,
    /// Allows SSE-C over plain http, but only to a loopback endpoint.
    pub allow_insecure_local: bool,
}

/// A signed POST form: where to post it and the fields, in order. Append `file` LAST.
#[derive(Clone, PartialEq, Eq)]
pub struct PostForm {
    /// `scheme://host/` (path-style: `scheme://host/<bucket>/`).
    pub url: String,
    /// `(name, value)` pairs: `key`, fixed fields, SSE fields, metadata, then `policy`,
    /// `q-sign-algorithm`, `q-ak`, `q-key-time`, `q-signature` and, with temporary
    /// credentials, `x-cos-security-token`. Contains the SSE-C key when SSE-C is used.
    pub fields: Vec<(String, String)>,
}

impl Drop for PostForm {
    /// The fields may hold an SSE-C key or the security token: wipe them.
    fn drop(&mut self) {
        for (_, value) in &mut self.fields {
            zeroize::Zeroize::zeroize(value);
        }
    }
}

impl fmt::Debug for PostForm {
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
        f.debug_struct("PostForm")
            .field("url", &self.url)
            .field("fields", &fields)
            .finish()
    }
}

/// `YYYY-MM-DDTHH:MM:SS.000Z` for a Unix time (the policy `expiration`, spec §2).
#[must_use]
pub fn iso8601_utc(unix: u64) -> String {
    let days = i64::try_from(unix / 86_400).unwrap_or(i64::MAX / 1024);
    let rem = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Minimal JSON helpers: `JSON.stringify`-compatible string escaping and a validator.
pub(crate) mod json {
    use core::fmt::Write as _;

    /// A JSON string literal escaped exactly like `JSON.stringify`: `\"`, `\\`,
    /// `\b \f \n \r \t`, other control characters as `\u00xx`; no escaping of non-ASCII.
    pub(crate) fn string(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// Whether `text` is one complete JSON object.
    pub(crate) fn is_object_text(text: &str) -> bool {
        text.trim_start().starts_with('{') && is_valid(text)
    }

    /// Whether `text` is one complete JSON object or array (a policy condition).
    pub(crate) fn is_condition_text(text: &str) -> bool {
        text.trim_start().starts_with(['{', '[']) && is_valid(text)
    }

    const MAX_DEPTH: usize = 64;

    fn is_valid(text: &str) -> bool {
        let mut p = Parser {
            b: text.as_bytes(),
            i: 0,
        };
        p.ws();
        if !p.value(0) {
            return false;
        }
        p.ws();
        p.i == p.b.len()
    }

    struct Parser<'a> {
        b: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }
        fn eat(&mut self, c: u8) -> bool {
            if self.peek() == Some(c) {
                self.i += 1;
                true
            } else {
                false
            }
        }
        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }
        fn lit(&mut self, s: &[u8]) -> bool {
            if self.b.get(self.i..self.i + s.len()) == Some(s) {
                self.i += s.len();
                true
            } else {
                false
            }
        }
        fn digits(&mut self) -> bool {
            let start = self.i;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
            self.i > start
        }
        fn value(&mut self, depth: usize) -> bool {
            if depth > MAX_DEPTH {
                return false;
            }
            match self.peek() {
                Some(b'{') => self.object(depth),
                Some(b'[') => self.array(depth),
                Some(b'"') => self.string(),
                Some(b't') => self.lit(b"true"),
                Some(b'f') => self.lit(b"false"),
                Some(b'n') => self.lit(b"null"),
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => false,
            }
        }
        fn object(&mut self, depth: usize) -> bool {
            self.i += 1;
            self.ws();
            if self.eat(b'}') {
                return true;
            }
            loop {
                self.ws();
                if !self.string() {
                    return false;
                }
                self.ws();
                if !self.eat(b':') {
                    return false;
                }
                self.ws();
                if !self.value(depth + 1) {
                    return false;
                }
                self.ws();
                if self.eat(b'}') {
                    return true;
                }
                if !self.eat(b',') {
                    return false;
                }
            }
        }
        fn array(&mut self, depth: usize) -> bool {
            self.i += 1;
            self.ws();
            if self.eat(b']') {
                return true;
            }
            loop {
                self.ws();
                if !self.value(depth + 1) {
                    return false;
                }
                self.ws();
                if self.eat(b']') {
                    return true;
                }
                if !self.eat(b',') {
                    return false;
                }
            }
        }
        fn string(&mut self) -> bool {
            if !self.eat(b'"') {
                return false;
            }
            loop {
                match self.peek() {
                    None => return false,
                    Some(b'"') => {
                        self.i += 1;
                        return true;
                    }
                    Some(b'\\') => {
                        self.i += 1;
                        match self.peek() {
                            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                                self.i += 1;
                            }
                            Some(b'u') => {
                                self.i += 1;
                                for _ in 0..4 {
                                    if !matches!(self.peek(), Some(c) if c.is_ascii_hexdigit()) {
                                        return false;
                                    }
                                    self.i += 1;
                                }
                            }
                            _ => return false,
                        }
                    }
                    Some(c) if c < 0x20 => return false,
                    Some(_) => self.i += 1,
                }
            }
        }
        fn number(&mut self) -> bool {
            self.eat(b'-');
            if !self.eat(b'0') && !self.digits() {
                return false;
            }
            if self.eat(b'.') && !self.digits() {
                return false;
            }
            if self.eat(b'e') || self.eat(b'E') {
                if !self.eat(b'+') {
                    self.eat(b'-');
                }
                if !self.digits() {
                    return false;
                }
            }
            true
        }
    }
}

/// `{"name":"value"}`.
fn exact(name: &str, value: &str) -> String {
    format!("{{{}:{}}}", json::string(name), json::string(value))
}

fn check_field(name: &str, value: &str) -> Result<()> {
    check_header_value(name, value)?;
    if value.trim().is_empty() {
        return Err(err!(
            InvalidArgument,
            "{name} must not be empty; omit it instead"
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
            _ => format!("{PREFIX}{name}"),
        };
        let suffix = full.get(PREFIX.len()..).unwrap_or("");
        if suffix.is_empty() || suffix.contains('_') {
            return Err(err!(
                InvalidHeaderName,
                "metadata name {full:?} is invalid: the part after x-cos-meta- must be non-empty and must not contain '_' (use '-')"
            ));
        }
        check_header_name(&full)?;
        check_header_value(&full, value)?;
        let size = full.len() + value.len();
        if size > MAX_META_BYTES {
            return Err(err!(
                InvalidHeaderValue,
                "metadata {full:?} is {size} bytes (name + value); COS allows at most {MAX_META_BYTES}"
            ));
        }
        total += size;
        if total > MAX_META_TOTAL_BYTES {
            return Err(err!(
                InvalidHeaderValue,
                "metadata totals more than {MAX_META_TOTAL_BYTES} bytes; COS allows at most that"
            ));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(&full)) {
            return Err(err!(
                DuplicateHeader,
                "metadata {full:?} is given twice (names differing only in case); pass it once"
            ));
        }
        out.push((full, value.clone()));
    }
    Ok(out)
}

/// The `key` form field and its policy condition.
fn key_field(key: &PostKey) -> Result<(String, String)> {
    match key {
        PostKey::Exact(k) => {
            let path = object_path(k)?;
            let bare = path.get(1..).unwrap_or("");
            if bare.is_empty() {
                return Err(err!(
                    InvalidObjectKey,
                    "the POST key must not be empty; use PostKey::Prefix(\"\") to accept any file name"
                ));
            }
            if bare.contains(FILENAME_PLACEHOLDER) {
                return Err(err!(
                    InvalidObjectKey,
                    "an exact key containing ${{filename}} never matches the policy (COS substitutes it first); use PostKey::Prefix"
                ));
            }
            Ok((bare.to_owned(), exact("key", bare)))
        }
        PostKey::Prefix(p) => {
            let path = object_path(&format!("{p}{FILENAME_PLACEHOLDER}"))?;
            let bare = path.get(1..).unwrap_or("");
            let prefix = bare.strip_suffix(FILENAME_PLACEHOLDER).unwrap_or("");
            Ok((
                bare.to_owned(),
                format!("[\"starts-with\",\"$key\",{}]", json::string(prefix)),
            ))
        }
    }
}

impl PostObjectForm {
    /// The policy JSON text and the form fields (without the signature fields) for
    /// `bucket`, `q-ak` and `key_time`.
    fn build(
        &self,
        bucket: &str,
        secret_id: &str,
        token: Option<&str>,
        key_time: KeyTime,
    ) -> Result<(String, Vec<(String, String)>)> {
        let mut fields: Vec<(String, String)> = Vec::new();
        let kt = key_time.to_string();
        let mut conds = vec![
            exact("q-sign-algorithm", "sha1"),
            exact("q-ak", secret_id),
            exact("q-sign-time", &kt),
            exact("bucket", bucket),
        ];

        let (key, key_cond) = key_field(&self.key)?;
        fields.push(("key".to_owned(), key));
        conds.push(key_cond);

        let mut fixed: Vec<(&str, String)> = Vec::new();
        if let Some(acl) = &self.acl {
            fixed.push(("acl", acl.clone()));
        }
        if let Some(ct) = &self.content_type {
            fixed.push(("Content-Type", ct.clone()));
        }
        if let Some(url) = &self.success_action_redirect {
            fixed.push(("success_action_redirect", url.clone()));
        }
        if let Some(status) = self.success_action_status {
            if !matches!(status, 200 | 201 | 204) {
                return Err(err!(
                    InvalidPolicy,
                    "success_action_status must be 200, 201 or 204, got {status}"
                ));
            }
            fixed.push(("success_action_status", status.to_string()));
        }
        if let Some(class) = &self.storage_class {
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
                    "content_length_range min ({min}) is greater than max ({max})"
                ));
            }
            conds.push(format!("[\"content-length-range\",{min},{max}]"));
        }
        if let Some(token) = token {
            if POST_POLICY_INCLUDES_SECURITY_TOKEN {
                conds.push(exact("x-cos-security-token", token));
            }
        }
        for c in &self.conditions {
            let c = c.trim();
            if !json::is_condition_text(c) {
                return Err(err!(
                    InvalidPolicy,
                    "each extra condition must be the JSON text of an object or array, e.g. [\"starts-with\",\"$Content-Type\",\"image/\"]"
                ));
            }
            conds.push(c.to_owned());
        }

        let policy = format!(
            "{{\"expiration\":{},\"conditions\":[{}]}}",
            json::string(&iso8601_utc(key_time.end())),
            conds.join(",")
        );
        Ok((policy, fields))
    }
}

impl Signer {
    /// Builds and signs a complete POST Object form (spec §2): policy with
    /// `q-sign-algorithm`, `q-ak`, `q-sign-time`, `bucket`, the key (exact or
    /// `starts-with`), every fixed field, SSE fields (the SSE-C key is pinned by its MD5
    /// condition rather than repeated in the policy), metadata, `content-length-range`,
    /// the security token (see [`POST_POLICY_INCLUDES_SECURITY_TOKEN`]) and the extra
    /// `conditions`; `expiration` is `key_time.end()`.
    ///
    /// Post the fields as `multipart/form-data` to `url`, in order, and append `file` LAST.
    ///
    /// # Errors
    /// - `ERR_INVALID_POLICY`: success_action_status not 200/201/204, range min > max, an
    ///   extra condition that is not a JSON object/array text, a policy over 64 KiB;
    /// - `ERR_INVALID_OBJECT_KEY` / `ERR_OBJECT_KEY_TOO_LONG`: bad key;
    /// - `ERR_INVALID_HEADER_NAME` / `ERR_INVALID_HEADER_VALUE` / `ERR_DUPLICATE_HEADER`:
    ///   bad metadata (`_` in the suffix, over 2 KB, over 4 KB in total, CR/LF);
    /// - `ERR_SSE_ARCHIVE_CONFLICT`: SSE with ARCHIVE / DEEP_ARCHIVE;
    /// - `ERR_SSE_C_REQUIRES_HTTPS`: SSE-C to an http endpoint (unless
    ///   `allow_insecure_local` and loopback);
    /// - `ERR_INVALID_SSE`: malformed SSE-KMS options.
    pub fn post_object_form(
        &self,
        form: &PostObjectForm,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<PostForm> {
        if matches!(form.sse, Some(Sse::Customer(_))) {
            check_key_transport(endpoint, form.allow_insecure_local)?;
        }
        let creds = self.credentials();
        // The policy text carries the security token: wiped once signed.
        let (policy, mut fields) = form.build(
            endpoint.bucket().as_str(),
            creds.secret_id(),
            creds.security_token(),
            key_time,
        )?;
        let policy = zeroize::Zeroizing::new(policy);
        fields.append(&mut self.sign_post_policy(&policy, key_time)?.fields);
        Ok(PostForm {
            url: format!(
                "{}{}",
                endpoint.origin(),
                path_encode(&endpoint.signed_path("/"))
            ),
            fields,
        })
    }

    /// The exact policy JSON text [`Signer::post_object_form`] signs, for debugging
    /// (compare with what COS reports). Contains the security token when present.
    ///
    /// # Errors
    /// As [`Signer::post_object_form`].
    pub fn post_object_policy(
        &self,
        form: &PostObjectForm,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<String> {
        let creds = self.credentials();
        form.build(
            endpoint.bucket().as_str(),
            creds.secret_id(),
            creds.security_token(),
            key_time,
        )
        .map(|(p, _)| p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_735_690_500), "2025-01-01T00:15:00.000Z");
        assert_eq!(iso8601_utc(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601_utc(253_402_300_799), "9999-12-31T23:59:59.000Z");
    }

    #[test]
    fn json_escaping() {
        assert_eq!(
            json::string("a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}é腾"),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001fé腾\""
        );
        assert!(json::is_object_text(r#" {"a":[1,-2.5e3,true,null,{}]} "#));
        for bad in [
            "",
            "{",
            "[]",
            "{\"a\"}",
            "{\"a\":01}",
            "{}x",
            "{\"\u{1}\":1}",
            "{\"a\":1,}",
        ] {
            assert!(!json::is_object_text(bad), "{bad:?}");
        }
        assert!(json::is_condition_text("[\"eq\",\"$a\",\"b\"]"));
        assert!(!json::is_condition_text("\"x\""));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(!json::is_condition_text(&deep));
    }
}
