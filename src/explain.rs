//! Explaining COS's refusals of a signed request (protocol §1, §9 "Common problems").
//!
//! A `SignatureDoesNotMatch` body carries what COS hashed: `<FormatString>` (COS's name for
//! the HttpString) and `<StringToSign>`. [`explain`] compares them, part by part, with what
//! was signed here and names each difference: the method, the path (telling apart `+` read
//! as a space, an encoded `/`, dot segments removed by a URL parser and Unicode
//! normalisation), the signed parameters and headers (a value trimmed, re-cased, dropped or
//! changed on the way), the key time, or, when all of those agree, the secret key.
//!
//! Nothing secret is echoed: this module never sees a secret key, and the values of the
//! security token and of SSE-C key headers (which COS does include in its FormatString) are
//! masked in every message.

use crate::encode::{percent_decode, uri_encode};
use crate::endpoint::Endpoint;
use crate::error::{cat, err, q, Result};
use crate::sign::{is_sensitive_header, KeyTime, Request};
use crate::text::{find_str, join, replace_str, split_ascii, split_once_ascii};
use crate::xml::parse_tree;

/// How far ahead of the device a key time may start before the explainer blames the
/// clock (COS's own tolerance for a future start is not documented; 15 minutes is the
/// window the emulator and most S3-style services use).
pub const CLOCK_TOLERANCE_SECS: u64 = 900;

/// The elements of a COS `<Error>` body.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CosErrorBody {
    /// `<Code>`, e.g. `SignatureDoesNotMatch`.
    pub code: String,
    /// `<Message>`.
    pub message: String,
    /// `<RequestId>`, to quote to Tencent Cloud support.
    pub request_id: Option<String>,
    /// `<StringToSign>` (sent with `SignatureDoesNotMatch`).
    pub string_to_sign: Option<String>,
    /// `<FormatString>`: holds signed header values, SSE-C keys and tokens included.
    pub format_string: Option<String>,
}

impl Drop for CosErrorBody {
    fn drop(&mut self) {
        if let Some(fs) = &mut self.format_string {
            zeroize::Zeroize::zeroize(fs);
        }
    }
}

impl core::fmt::Debug for CosErrorBody {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CosErrorBody")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("request_id", &self.request_id)
            .field("string_to_sign", &self.string_to_sign)
            .field(
                "format_string",
                &self.format_string.as_ref().map(|_| "** REDACTED **"),
            )
            .finish()
    }
}

impl CosErrorBody {
    /// Parses the XML body of a COS error response.
    ///
    /// # Errors
    /// `ERR_INVALID_XML` if it is not an `<Error>` document with a `<Code>`.
    pub fn parse(xml: &str) -> Result<Self> {
        let root = parse_tree(xml)?;
        if root.name != "Error" {
            return Err(err!(
                InvalidXml,
                "expected a COS <Error> body, got <{}>",
                root.name
            ));
        }
        let text = |name: &str| root.child(name).map(|n| n.text.clone());
        Ok(Self {
            code: text("Code")
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| err!(InvalidXml, "the <Error> body has no <Code>"))?,
            message: text("Message").unwrap_or_default(),
            request_id: text("RequestId").map(|r| r.trim().to_owned()),
            string_to_sign: text("StringToSign").map(|s| unescape_newlines(&s)),
            format_string: text("FormatString").map(|s| unescape_newlines(&s)),
        })
    }

    /// Whether COS refused the request for its time: `RequestTimeTooSkewed`, or an
    /// `AccessDenied` / `InvalidArgument` whose message says the signature expired.
    #[must_use]
    pub fn is_clock_error(&self) -> bool {
        let msg = self.message.to_ascii_lowercase();
        self.code == "RequestTimeTooSkewed"
            || self.code == "ExpiredToken"
            || ((self.code == "AccessDenied" || self.code == "InvalidArgument")
                && (find_str(&msg, "expired").is_some() || find_str(&msg, "time").is_some()))
    }
}

/// Some servers print the newlines of these strings as the two characters `\n`.
fn unescape_newlines(s: &str) -> String {
    if find_str(s, "\n").is_some() {
        s.to_owned()
    } else {
        replace_str(s, "\\n", "\n")
    }
}

/// What was signed here, in the form COS hashes it.
pub struct SignedLocally {
    /// The HttpString (`method\npath\nparams\nheaders\n`); holds signed header values.
    pub http_string: zeroize::Zeroizing<String>,
    /// The key time, when known.
    pub key_time: Option<KeyTime>,
}

impl SignedLocally {
    /// From the same request options given to `authorization` or `presign_url`, for
    /// `endpoint`; `key_time` when it is known.
    ///
    /// # Errors
    /// The validation errors of signing (method, key, headers, query).
    pub fn from_request(
        req: &Request,
        endpoint: &Endpoint,
        key_time: Option<KeyTime>,
    ) -> Result<Self> {
        let (signed_path, req) = req.for_endpoint(endpoint)?;
        let mut canonical = req.canonical(&signed_path)?;
        Ok(Self {
            http_string: zeroize::Zeroizing::new(core::mem::take(&mut canonical.http_string)),
            key_time,
        })
    }

    /// From a request as it was sent: its method, URL, and headers (with `Authorization`,
    /// or a pre-signed URL carrying the `q-*` parameters). The signed header and parameter
    /// lists come from the signature itself, so this shows what the signature covered.
    ///
    /// # Errors
    /// `ERR_INVALID_ARGUMENT` if neither the URL nor an `Authorization` header holds a COS
    /// signature, or the URL is not `http(s)://host/path`.
    pub fn from_sent(method: &str, url: &str, headers: &[(String, String)]) -> Result<Self> {
        let bad = || err!(InvalidArgument, "`url` must be an http(s) URL with a path");
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or_else(bad)?;
        let rest = split_ascii(rest, b'#').next().unwrap_or("");
        let (host, path_query) = rest
            .split_at_checked(find_str(rest, "/").unwrap_or(rest.len()))
            .unwrap_or((rest, ""));
        let (path, query) = split_once_ascii(path_query, b'?').unwrap_or((path_query, ""));
        let path = percent_decode(if path.is_empty() { "/" } else { path }).ok_or_else(bad)?;
        let query: Vec<(String, String)> = split_ascii(query, b'&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = split_once_ascii(kv, b'=').unwrap_or((kv, ""));
                (
                    percent_decode(k).unwrap_or_else(|| k.to_owned()),
                    percent_decode(v).unwrap_or_else(|| v.to_owned()),
                )
            })
            .collect();
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        // The q-* pairs: in the query of a pre-signed URL, else in Authorization.
        let auth_pairs: Vec<(String, String)> = match header("authorization") {
            Some(auth) if !query.iter().any(|(k, _)| k == "q-signature") => split_ascii(auth, b'&')
                .map(|kv| {
                    let (k, v) = split_once_ascii(kv, b'=').unwrap_or((kv, ""));
                    (k.trim().to_owned(), v.trim().to_owned())
                })
                .collect(),
            _ => query.clone(),
        };
        let q = |name: &str| {
            auth_pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let Some(key_time) = q("q-key-time") else {
            return Err(err!(InvalidArgument, "neither the URL nor an Authorization header holds a COS signature (q-key-time, q-header-list, q-url-param-list)"));
        };
        let list = |name: &str| -> Vec<String> {
            split_ascii(q(name).unwrap_or(""), b';')
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut params = Vec::new();
        for name in list("q-url-param-list") {
            let value = query
                .iter()
                .find(|(k, _)| uri_encode(k).to_ascii_lowercase() == name)
                .map_or(String::new(), |(_, v)| uri_encode(v));
            params.push(cat!("{}={}", name, value));
        }
        let mut signed_headers = Vec::new();
        for name in list("q-header-list") {
            let value = headers
                .iter()
                .find(|(k, _)| uri_encode(k).to_ascii_lowercase() == name)
                .map(|(_, v)| v.as_str())
                .or_else(|| (name == "host").then_some(host))
                .map_or(String::new(), uri_encode);
            signed_headers.push(cat!("{}={}", name, value));
        }
        let http_string = cat!(
            "{}\n{}\n{}\n{}\n",
            method.to_ascii_lowercase(),
            path,
            join(&params, "&"),
            join(&signed_headers, "&")
        );
        Ok(Self {
            http_string: zeroize::Zeroizing::new(http_string),
            key_time: KeyTime::parse(key_time).ok(),
        })
    }
}

/// The part of a request a [`Difference`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    /// The HTTP method.
    Method,
    /// The path (`UriPathname`).
    Path,
    /// The signed query parameters.
    Params,
    /// The signed headers.
    Headers,
    /// The key time, or the device's clock.
    KeyTime,
    /// The credentials.
    Credentials,
    /// Not a signature problem.
    Other,
}

impl Component {
    /// `method`, `path`, `params`, `headers`, `keyTime`, `credentials` or `other`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Method => "method",
            Self::Path => "path",
            Self::Params => "params",
            Self::Headers => "headers",
            Self::KeyTime => "keyTime",
            Self::Credentials => "credentials",
            Self::Other => "other",
        }
    }
}

/// One difference between what was signed and what COS hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// Which part of the request.
    pub component: Component,
    /// A stable cause code, e.g. `PATH_PLUS_AS_SPACE`, `HEADER_WHITESPACE`, `SECRET_KEY`.
    pub cause: &'static str,
    /// One line for a human; never a secret.
    pub message: String,
}

/// The result of [`explain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// COS's `<Code>`.
    pub cos_code: String,
    /// COS's `<RequestId>`.
    pub request_id: Option<String>,
    /// Every difference found, most specific first; never empty.
    pub differences: Vec<Difference>,
}

/// Every `cause` an explanation can carry: mirrored by the TypeScript `MismatchCause` union
/// (pkg-template/index.d.ts), checked by tests/error_codes.rs.
pub const MISMATCH_CAUSES: &[&str] = &[
    "CLOCK_SKEW",
    "HEADER_CASE",
    "HEADER_LIST",
    "HEADER_MISSING",
    "HEADER_NON_ASCII",
    "HEADER_PLUS",
    "HEADER_VALUE",
    "HEADER_WHITESPACE",
    "KEY_TIME",
    "METHOD",
    "NOT_A_SIGNATURE_ERROR",
    "NO_DETAIL",
    "PARAM_CASE",
    "PARAM_LIST",
    "PARAM_MISSING",
    "PARAM_NON_ASCII",
    "PARAM_PLUS",
    "PARAM_VALUE",
    "PARAM_WHITESPACE",
    "PATH",
    "PATH_DOT_SEGMENTS",
    "PATH_ENCODED_SLASH",
    "PATH_PLUS_AS_SPACE",
    "PATH_SPACE_AS_PLUS",
    "PATH_UNICODE_NORMALIZATION",
    "SECRET_ID",
    "SECRET_KEY",
    "STRICT_SIGN",
];

fn diff(component: Component, cause: &'static str, message: String) -> Difference {
    debug_assert!(
        MISMATCH_CAUSES.contains(&cause),
        "{cause} is not in MISMATCH_CAUSES"
    );
    Difference {
        component,
        cause,
        message,
    }
}

/// The four lines of an HttpString (method, path, params, headers).
fn lines(s: &str) -> [&str; 4] {
    let mut it = split_ascii(s, b'\n');
    [
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
        it.next().unwrap_or(""),
    ]
}

/// `k=v&k=v` into decoded pairs (names as COS lists them: encoded, lower case).
fn pairs(s: &str) -> Vec<(String, String)> {
    split_ascii(s, b'&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = split_once_ascii(kv, b'=').unwrap_or((kv, ""));
            (
                k.to_owned(),
                percent_decode(v).unwrap_or_else(|| v.to_owned()),
            )
        })
        .collect()
}

/// A value safe to print: secret ones masked, long ones cut, quoted.
fn shown(name: &str, value: &str) -> String {
    if is_sensitive_header(name) || name.eq_ignore_ascii_case("x-cos-security-token") {
        return "(secret, not shown)".to_owned();
    }
    let cut: String = value.chars().take(80).collect();
    if cut.len() < value.len() {
        cat!("{}…", q(&cut))
    } else {
        cat!("{}", q(&cut))
    }
}

/// RFC 3986 §5.2.4 dot-segment removal, as URL parsers apply it.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = split_ascii(path, b'/').skip(1).collect();
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        match *seg {
            "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
        if last && matches!(*seg, "." | "..") {
            out.push("");
        }
    }
    cat!("/{}", join(&out, "/"))
}

fn explain_path(local: &str, server: &str, normalize: &dyn Fn(&str) -> String) -> Difference {
    let d = |cause, msg: &str| diff(Component::Path, cause, msg.to_owned());
    if remove_dot_segments(local) == server {
        return d(
            "PATH_DOT_SEGMENTS",
            "a URL parser removed the '.' or '..' segments of the key before sending; sign and send with cos-wasm's own URL (it encodes them), or avoid dot segments in keys",
        );
    }
    if local.replace('+', " ") == server {
        return d(
            "PATH_PLUS_AS_SPACE",
            "a '+' in the key reached COS as a space: the URL was built with form encoding; send the path exactly as signed ('+' as %2B)",
        );
    }
    if local.replace(' ', "+") == server {
        return d(
            "PATH_SPACE_AS_PLUS",
            "a space in the key reached COS as '+': send spaces as %20, never '+'",
        );
    }
    let slash = |s: &str| replace_str(&replace_str(s, "%2F", "/"), "%2f", "/");
    if slash(local) == slash(server) {
        return d(
            "PATH_ENCODED_SLASH",
            "the path differs in an encoded '/' (%2F): a proxy or client decoded or re-encoded it; send the path exactly as signed",
        );
    }
    if normalize(local) == normalize(server) {
        return d(
            "PATH_UNICODE_NORMALIZATION",
            "the key's Unicode normalisation differs (NFC vs NFD, common for file names from macOS): normalise the key (e.g. key.normalize('NFC')) before signing and sending",
        );
    }
    diff(
        Component::Path,
        "PATH",
        cat!(
            "the path differs: signed {}, COS saw {}",
            q(local),
            q(server)
        ),
    )
}

fn explain_pairs(
    component: Component,
    what: &str,
    local: &str,
    server: &str,
    out: &mut Vec<Difference>,
) {
    let (local, server) = (pairs(local), pairs(server));
    let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    let is_headers = component == Component::Headers;
    let pick = |header: &'static str, param: &'static str| if is_headers { header } else { param };
    if names(&local) != names(&server) {
        let missing: Vec<String> = names(&local)
            .into_iter()
            .filter(|n| !server.iter().any(|(k, _)| k == n))
            .collect();
        let extra: Vec<String> = names(&server)
            .into_iter()
            .filter(|n| !local.iter().any(|(k, _)| k == n))
            .collect();
        out.push(diff(
            component,
            pick("HEADER_LIST", "PARAM_LIST"),
            cat!(
                "the signed {} names differ: signed here only [{}], by COS only [{}]",
                what,
                join(&missing, ", "),
                join(&extra, ", ")
            ),
        ));
    }
    for (name, lv) in &local {
        let Some((_, sv)) = server.iter().find(|(k, _)| k == name) else {
            continue;
        };
        if lv == sv {
            continue;
        }
        let (cause, why) = if sv.is_empty() && !lv.is_empty() {
            (
                pick("HEADER_MISSING", "PARAM_MISSING"),
                if is_headers {
                    "COS did not receive it: it was not sent, or a proxy or the browser dropped it"
                } else {
                    "COS did not receive it"
                },
            )
        } else if lv.trim() == sv.trim() {
            (
                pick("HEADER_WHITESPACE", "PARAM_WHITESPACE"),
                "they differ only in surrounding spaces, which HTTP strips: sign the trimmed value",
            )
        } else if lv.eq_ignore_ascii_case(sv) {
            (
                pick("HEADER_CASE", "PARAM_CASE"),
                "they differ only in letter case: something on the way re-cased it",
            )
        } else if lv.replace('+', " ") == *sv || lv.replace(' ', "+") == *sv {
            (
                pick("HEADER_PLUS", "PARAM_PLUS"),
                "'+' and space were exchanged: encode '+' as %2B and spaces as %20",
            )
        } else if !lv.is_ascii() {
            (
                pick("HEADER_NON_ASCII", "PARAM_NON_ASCII"),
                "it holds non-ASCII text, which browsers send as Latin-1 bytes: percent-encode it (x-cos-meta-* values, for instance)",
            )
        } else {
            (
                pick("HEADER_VALUE", "PARAM_VALUE"),
                "it was changed on the way (a proxy, CDN or the client rewrote it)",
            )
        };
        let name_shown = percent_decode(name).unwrap_or_else(|| name.clone());
        out.push(diff(
            component,
            cause,
            cat!(
                "{} {}: signed {}, COS saw {}; {}",
                what,
                name_shown,
                shown(&name_shown, lv),
                shown(&name_shown, sv),
                why
            ),
        ));
    }
}

/// A bucket in COS's strict signing mode hashes `content-type` / `content-length` whether
/// or not they were signed: when COS's FormatString carries them and the local header list
/// does not, the request was signed without strict mode.
fn strict_sign(local: &str, server: &str, out: &mut Vec<Difference>) {
    let (local, server) = (pairs(local), pairs(server));
    let missing: Vec<&str> = ["content-type", "content-length"]
        .into_iter()
        .filter(|n| server.iter().any(|(k, _)| k == n) && !local.iter().any(|(k, _)| k == n))
        .collect();
    if !missing.is_empty() {
        out.push(diff(
            Component::Headers,
            "STRICT_SIGN",
            cat!(
                "COS hashed [{}], which this signature did not cover: the bucket requires Content-Type and Content-Length to be signed (strict signing); sign with strict: true and pass both headers",
                join(&missing, ", ")
            ),
        ));
    }
}

/// Compares what COS hashed (`body`) with what was signed here (`local`). `now` is the
/// device's Unix time, to tell an expired or future key time; `normalize` is Unicode NFC
/// (supplied by the caller: the core carries no Unicode tables).
#[must_use]
pub fn explain(
    body: &CosErrorBody,
    local: &SignedLocally,
    now: Option<u64>,
    normalize: &dyn Fn(&str) -> String,
) -> Explanation {
    let mut out = Vec::new();
    let clock = |kt: KeyTime, out: &mut Vec<Difference>| {
        let Some(now) = now else { return };
        if kt.end() < now {
            out.push(diff(
                Component::KeyTime,
                "CLOCK_SKEW",
                cat!("the signature expired {} s ago by this device's clock: sign again, or correct the clock (CosSigner clockOffset, clockOffsetFromResponse)", now - kt.end()),
            ));
        } else if kt.start() > now + CLOCK_TOLERANCE_SECS {
            out.push(diff(
                Component::KeyTime,
                "CLOCK_SKEW",
                cat!("the key time starts {} s after this device's clock: the clock that signed is ahead; correct it (CosSigner clockOffset)", kt.start() - now),
            ));
        }
    };
    match body.code.as_str() {
        "SignatureDoesNotMatch" => {}
        "InvalidAccessKeyId" => out.push(diff(
            Component::Credentials,
            "SECRET_ID",
            "COS does not know this SecretId (q-ak): check it, and for temporary credentials send their token".to_owned(),
        )),
        _ if body.is_clock_error() => {
            if let Some(kt) = local.key_time {
                clock(kt, &mut out);
            }
            if out.is_empty() {
                out.push(diff(
                    Component::KeyTime,
                    "CLOCK_SKEW",
                    cat!("COS refused the request's time ({}): the device clock is probably wrong; measure the offset with clockOffsetFromResponse and sign again", body.code),
                ));
            }
        }
        code => out.push(diff(
            Component::Other,
            "NOT_A_SIGNATURE_ERROR",
            cat!("COS answered {}, which is not a signature mismatch", code),
        )),
    }
    if body.code != "SignatureDoesNotMatch" {
        return Explanation {
            cos_code: body.code.clone(),
            request_id: body.request_id.clone(),
            differences: out,
        };
    }

    if let Some(server) = &body.format_string {
        let [lm, lp, lq, lh] = lines(&local.http_string);
        let [sm, sp, sq, sh] = lines(server);
        if lm != sm {
            out.push(diff(
                Component::Method,
                "METHOD",
                cat!(
                    "the method differs: signed {}, COS saw {} (sign the method you send)",
                    q(lm),
                    q(sm)
                ),
            ));
        }
        if lp != sp {
            out.push(explain_path(lp, sp, normalize));
        }
        explain_pairs(Component::Params, "query parameter", lq, sq, &mut out);
        strict_sign(lh, sh, &mut out);
        explain_pairs(Component::Headers, "header", lh, sh, &mut out);
    }
    let server_kt = body
        .string_to_sign
        .as_deref()
        .and_then(|s| split_ascii(s, b'\n').nth(1))
        .and_then(|kt| KeyTime::parse(kt).ok());
    match (local.key_time, server_kt) {
        (Some(l), Some(s)) if l != s => out.push(diff(
            Component::KeyTime,
            "KEY_TIME",
            cat!("the key time differs: signed {}, COS used {} (q-sign-time and q-key-time must be the signed KeyTime)", l, s),
        )),
        _ => {}
    }
    if let Some(kt) = server_kt.or(local.key_time) {
        clock(kt, &mut out);
    }
    if out.is_empty() {
        out.push(if body.format_string.is_some() {
            diff(
                Component::Credentials,
                "SECRET_KEY",
                "COS hashed exactly what was signed: the SecretKey differs from the one COS holds for this SecretId (a typo, stray whitespace, or a key of another account)".to_owned(),
            )
        } else {
            diff(
                Component::Other,
                "NO_DETAIL",
                "COS's answer carries no FormatString to compare with".to_owned(),
            )
        });
    }
    Explanation {
        cos_code: body.code.clone(),
        request_id: body.request_id.clone(),
        differences: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(format_string: &str, kt: &str) -> CosErrorBody {
        CosErrorBody {
            code: "SignatureDoesNotMatch".into(),
            message: "m".into(),
            request_id: Some("rid".into()),
            string_to_sign: Some(format!("sha1\n{kt}\nabc\n")),
            format_string: Some(format_string.into()),
        }
    }

    fn local(fs: &str, kt: &str) -> SignedLocally {
        SignedLocally {
            http_string: zeroize::Zeroizing::new(fs.into()),
            key_time: KeyTime::parse(kt).ok(),
        }
    }

    fn causes(e: &Explanation) -> Vec<&'static str> {
        e.differences.iter().map(|d| d.cause).collect()
    }

    const KT: &str = "1700000000;1700003600";

    #[test]
    fn parses_cos_error_bodies() {
        let b = CosErrorBody::parse(
            "<?xml version='1.0' encoding='utf-8' ?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The Signature you specified is invalid.</Message><RequestId>NjU=</RequestId><StringToSign>sha1\\n1;2\\nab\\n</StringToSign><FormatString>get\n/a\n\nhost=x&amp;y\n</FormatString></Error>",
        )
        .unwrap();
        assert_eq!(b.code, "SignatureDoesNotMatch");
        assert_eq!(b.request_id.as_deref(), Some("NjU="));
        assert_eq!(b.string_to_sign.as_deref(), Some("sha1\n1;2\nab\n"));
        assert_eq!(b.format_string.as_deref(), Some("get\n/a\n\nhost=x&y\n"));
        assert!(!format!("{b:?}").contains("host=x"));
        assert!(CosErrorBody::parse("<Error></Error>").is_err());
        assert!(CosErrorBody::parse("<NotError/>").is_err());
    }

    #[test]
    fn names_each_cause() {
        let id = |s: &str| s.to_owned();
        let nfc = |s: &str| s.replace("e\u{301}", "é");
        let cases: &[(&str, &str, &str)] = &[
            ("get\n/a b\n\n\n", "get\n/a+b\n\n\n", "PATH_SPACE_AS_PLUS"),
            ("get\n/a+b\n\n\n", "get\n/a b\n\n\n", "PATH_PLUS_AS_SPACE"),
            ("get\n/a/../b\n\n\n", "get\n/b\n\n\n", "PATH_DOT_SEGMENTS"),
            ("get\n/a%2Fb\n\n\n", "get\n/a/b\n\n\n", "PATH_ENCODED_SLASH"),
            (
                "get\n/caf\u{e9}\n\n\n",
                "get\n/cafe\u{301}\n\n\n",
                "PATH_UNICODE_NORMALIZATION",
            ),
            ("put\n/a\n\n\n", "get\n/a\n\n\n", "METHOD"),
            ("get\n/a\nacl=\n\n", "get\n/a\nacl=x\n\n", "PARAM_VALUE"),
            (
                "get\n/a\n\nx-cos-meta-a=%20v\n",
                "get\n/a\n\nx-cos-meta-a=v\n",
                "HEADER_WHITESPACE",
            ),
            (
                "get\n/a\n\ncontent-type=text%2Fplain\n",
                "get\n/a\n\ncontent-type=TEXT%2FPLAIN\n",
                "HEADER_CASE",
            ),
            (
                "get\n/a\n\ncontent-type=text%2Fplain\n",
                "get\n/a\n\ncontent-type=\n",
                "HEADER_MISSING",
            ),
            (
                "get\n/a\n\nx-cos-meta-a=caf%C3%A9\n",
                "get\n/a\n\nx-cos-meta-a=caf%C3%83%C2%A9\n",
                "HEADER_NON_ASCII",
            ),
            ("get\n/a\n\nhost=a\n", "get\n/a\n\nhost=b\n", "HEADER_VALUE"),
            ("get\n/a\n\nhost=a\n", "get\n/a\n\n\n", "HEADER_LIST"),
            ("get\n/a\n\n\n", "get\n/a\n\n\n", "SECRET_KEY"),
        ];
        for (l, s, want) in cases {
            let e = explain(
                &body(s, KT),
                &local(l, KT),
                None,
                if *want == "PATH_UNICODE_NORMALIZATION" {
                    &nfc
                } else {
                    &id
                },
            );
            assert_eq!(causes(&e).first(), Some(want), "{l:?} vs {s:?}: {e:?}");
        }
        let e = explain(
            &body("get\n/a\n\n\n", "1;2"),
            &local("get\n/a\n\n\n", KT),
            None,
            &id,
        );
        assert_eq!(causes(&e), ["KEY_TIME"]);
        let e = explain(
            &body("get\n/a\n\n\n", KT),
            &local("get\n/a\n\n\n", KT),
            Some(1_700_007_200),
            &id,
        );
        assert_eq!(causes(&e), ["CLOCK_SKEW"]);
    }

    #[test]
    fn recognises_a_strict_sign_refusal() {
        let kt = "1700000000;1700003600";
        let e = explain(
            &body(
                "put\n/a.txt\n\ncontent-length=3&content-type=text%2Fplain&host=b\n",
                kt,
            ),
            &local("put\n/a.txt\n\nhost=b\n", kt),
            None,
            &|s| s.to_owned(),
        );
        assert_eq!(causes(&e).first(), Some(&"STRICT_SIGN"), "{e:?}");
    }

    #[test]
    fn never_shows_secret_values() {
        let secret = "c2VjcmV0LWtleS1tYXRlcmlhbA==";
        let e = explain(
            &body(
                &format!("get\n/a\n\nx-cos-security-token=tok2&x-cos-server-side-encryption-customer-key={secret}x\n"),
                KT,
            ),
            &local(
                &format!("get\n/a\n\nx-cos-security-token=tok1&x-cos-server-side-encryption-customer-key={secret}\n"),
                KT,
            ),
            None,
            &|s: &str| s.to_owned(),
        );
        assert_eq!(causes(&e), ["HEADER_VALUE", "HEADER_VALUE"]);
        let text = format!("{e:?}");
        assert!(!text.contains("tok1") && !text.contains("tok2") && !text.contains(secret));
    }

    #[test]
    fn other_errors_are_named() {
        let mut b = body("", KT);
        b.code = "RequestTimeTooSkewed".into();
        let e = explain(&b, &local("", KT), Some(1_700_000_000), &|s: &str| {
            s.to_owned()
        });
        assert_eq!(causes(&e), ["CLOCK_SKEW"]);
        b.code = "NoSuchKey".into();
        let e = explain(&b, &local("", KT), None, &|s: &str| s.to_owned());
        assert_eq!(causes(&e), ["NOT_A_SIGNATURE_ERROR"]);
    }

    #[test]
    fn rebuilds_what_a_sent_request_signed() {
        let l = SignedLocally::from_sent(
            "PUT",
            "https://b-1.cos.r.myqcloud.com/a%20b?acl=&x=1",
            &[
                ("Authorization".into(), "q-sign-algorithm=sha1&q-ak=AK&q-sign-time=1;2&q-key-time=1;2&q-header-list=content-type;host&q-url-param-list=acl&q-signature=s".into()),
                ("Content-Type".into(), "text/plain".into()),
            ],
        )
        .unwrap();
        assert_eq!(
            l.http_string.as_str(),
            "put\n/a b\nacl=\ncontent-type=text%2Fplain&host=b-1.cos.r.myqcloud.com\n"
        );
        let p = SignedLocally::from_sent(
            "GET",
            "https://h/k?q-sign-algorithm=sha1&q-ak=AK&q-sign-time=1%3B2&q-key-time=1%3B2&q-header-list=host&q-url-param-list=&q-signature=s",
            &[],
        )
        .unwrap();
        assert_eq!(p.http_string.as_str(), "get\n/k\n\nhost=h\n");
        assert_eq!(p.key_time, KeyTime::parse("1;2").ok());
        assert!(SignedLocally::from_sent("GET", "https://h/k", &[]).is_err());
        assert!(SignedLocally::from_sent("GET", "ftp://h/k", &[]).is_err());
    }
}
