//! Independent verifier for COS `q-sign-algorithm=sha1` signatures (protocol §1) and POST policies (§2).

use crate::error::{bad_request, forbidden, CosError, CosResult};
use crate::util::{ct_eq, hex_hmac_sha1, hex_sha1, parse_iso8601, unb64, url_decode, url_encode};

/// A configured credential. `Debug` shows neither the key nor the token.
#[derive(Clone)]
pub struct Credential {
    /// SecretId (q-ak).
    pub secret_id: String,
    /// SecretKey.
    pub secret_key: String,
    /// Security token for temporary credentials.
    pub token: Option<String>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("secret_id", &self.secret_id)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The parsed `q-*` signature fields.
#[derive(Debug, Clone, Default)]
pub struct SigParams {
    /// q-sign-algorithm
    pub algorithm: String,
    /// q-ak
    pub ak: String,
    /// q-sign-time
    pub sign_time: Option<String>,
    /// q-key-time
    pub key_time: String,
    /// q-header-list
    pub header_list: String,
    /// q-url-param-list
    pub url_param_list: String,
    /// q-signature
    pub signature: String,
}

/// Parses an Authorization header value (`q-sign-algorithm=sha1&q-ak=…`).
pub fn parse_authorization(s: &str) -> CosResult<SigParams> {
    let pairs: Vec<(String, String)> = s
        .trim()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
            None => (p.trim().to_string(), String::new()),
        })
        .collect();
    from_pairs(&pairs)
}

/// Builds SigParams from decoded (name, value) pairs (query string or Authorization).
pub fn from_pairs(pairs: &[(String, String)]) -> CosResult<SigParams> {
    let get = |name: &str| -> Option<String> {
        pairs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let missing = |f: &str| {
        forbidden(
            "AccessDenied",
            format!("The authorization is malformed: missing {f}"),
        )
    };
    Ok(SigParams {
        algorithm: get("q-sign-algorithm").ok_or_else(|| missing("q-sign-algorithm"))?,
        ak: get("q-ak").ok_or_else(|| missing("q-ak"))?,
        sign_time: get("q-sign-time"),
        key_time: get("q-key-time").ok_or_else(|| missing("q-key-time"))?,
        header_list: get("q-header-list").ok_or_else(|| missing("q-header-list"))?,
        url_param_list: get("q-url-param-list").ok_or_else(|| missing("q-url-param-list"))?,
        signature: get("q-signature").ok_or_else(|| missing("q-signature"))?,
    })
}

/// Parses `start;end`.
pub fn parse_key_time(kt: &str) -> Option<(i64, i64)> {
    let (a, b) = kt.split_once(';')?;
    let a: i64 = a.trim().parse().ok()?;
    let b: i64 = b.trim().parse().ok()?;
    if a > b {
        return None;
    }
    Some((a, b))
}

/// Clock window checks shared by header, query and policy signatures.
/// `max_future_skew`: how far in the future a KeyTime start may lie.
pub fn check_time(kt: &str, now: i64, max_future_skew: i64) -> CosResult<()> {
    let (start, end) = parse_key_time(kt)
        .ok_or_else(|| forbidden("AccessDenied", format!("Invalid q-key-time: {kt}")))?;
    if now > end {
        return Err(forbidden("AccessDenied", "Request has expired"));
    }
    if start > now + max_future_skew {
        return Err(forbidden(
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large",
        ));
    }
    Ok(())
}

/// Canonical `k=v&k=v` / `k;k` from lists of (raw name, raw value); sorted by encoded+lowercased
/// name (the doc / Python / Go order).
pub fn canonical(pairs: &[(String, String)]) -> (String, String) {
    let mut enc: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (url_encode(k).to_ascii_lowercase(), url_encode(v)))
        .collect();
    enc.sort();
    let list = enc
        .iter()
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let kv = enc
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    (kv, list)
}

/// What a verifier needs from the request.
pub struct SignedRequest<'a> {
    /// HTTP method (any case).
    pub method: &'a str,
    /// Decoded UriPathname, starting with `/`.
    pub path: &'a str,
    /// Decoded query pairs (signature fields may be among them; they are never in the list).
    pub query: &'a [(String, String)],
    /// Request headers (names any case; duplicates already joined).
    pub headers: &'a [(String, String)],
}

/// Recomputes the signature from the lists named in `p` and compares.
/// Returns the matched credential.
pub fn verify<'c>(
    req: &SignedRequest<'_>,
    p: &SigParams,
    creds: &'c [Credential],
    now: Option<i64>,
    max_future_skew: i64,
) -> CosResult<&'c Credential> {
    if !p.algorithm.eq_ignore_ascii_case("sha1") {
        return Err(forbidden(
            "AccessDenied",
            format!("Unsupported q-sign-algorithm: {}", p.algorithm),
        ));
    }
    let cred = creds.iter().find(|c| c.secret_id == p.ak).ok_or_else(|| {
        forbidden(
            "InvalidAccessKeyId",
            "The access key Id format you provided is invalid or does not exist",
        )
    })?;
    if let Some(now) = now {
        check_time(&p.key_time, now, max_future_skew)?;
        if let Some(st) = &p.sign_time {
            check_time(st, now, max_future_skew)?;
        }
    } else if parse_key_time(&p.key_time).is_none() {
        return Err(forbidden("AccessDenied", "Invalid q-key-time"));
    }

    // Headers named in q-header-list and parameters named in q-url-param-list must be
    // present once each; their values are signed.
    let hpairs = signed_pairs(&p.header_list, req.headers, "Header", "q-header-list")?;
    let qpairs = signed_pairs(
        &p.url_param_list,
        req.query,
        "Parameter",
        "q-url-param-list",
    )?;
    let (format_string, string_to_sign) =
        format_and_string_to_sign(req, &qpairs, &hpairs, &p.key_time);
    let sign_key = hex_hmac_sha1(cred.secret_key.as_bytes(), p.key_time.as_bytes());
    let expected = hex_hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes());
    if !ct_eq(
        expected.as_bytes(),
        p.signature.to_ascii_lowercase().as_bytes(),
    ) {
        return Err(signature_mismatch(&string_to_sign, &format_string));
    }
    Ok(cred)
}

/// COS's `FormatString` (`method\npath\nparams\nheaders\n` over the given signed pairs)
/// and the `StringToSign` over it for `key_time`: what a signature is computed from, and what
/// a SignatureDoesNotMatch answer shows.
pub fn format_and_string_to_sign(
    req: &SignedRequest<'_>,
    qpairs: &[(String, String)],
    hpairs: &[(String, String)],
    key_time: &str,
) -> (String, String) {
    let (http_params, _) = canonical(qpairs);
    let (http_headers, _) = canonical(hpairs);
    let format_string = format!(
        "{}\n{}\n{}\n{}\n",
        req.method.to_ascii_lowercase(),
        req.path,
        http_params,
        http_headers
    );
    let string_to_sign = format!("sha1\n{key_time}\n{}\n", hex_sha1(format_string.as_bytes()));
    (format_string, string_to_sign)
}

/// The COS SignatureDoesNotMatch error with debugging elements.
pub fn signature_mismatch(string_to_sign: &str, format_string: &str) -> CosError {
    forbidden(
        "SignatureDoesNotMatch",
        "The Signature you specified does not match the calculated signature",
    )
    .with("StringToSign", string_to_sign)
    .with("FormatString", format_string)
}

/// Checks the security token for temporary credentials.
pub fn check_token(cred: &Credential, header: Option<&str>, query: Option<&str>) -> CosResult<()> {
    if let Some(tok) = &cred.token {
        let given = header.or(query);
        match given {
            Some(g) if ct_eq(g.as_bytes(), tok.as_bytes()) => Ok(()),
            Some(_) => Err(forbidden(
                "InvalidAccessKeyId",
                "The x-cos-security-token does not match the temporary SecretId",
            )),
            None => Err(forbidden(
                "InvalidAccessKeyId",
                "A temporary SecretId requires x-cos-security-token",
            )),
        }
    } else {
        Ok(())
    }
}

/// Decoded query pairs of a `sign=<urlencoded Authorization>` parameter.
pub fn parse_merged_sign(value: &str) -> CosResult<SigParams> {
    // value is already URL-decoded once by query parsing; tolerate a second encoding layer.
    let v = if value.contains("q-sign-algorithm") {
        value.to_string()
    } else {
        url_decode(value).unwrap_or_else(|| value.to_string())
    };
    parse_authorization(&v)
}

/// A POST form's fields (all but `file`), names as sent.
pub type FormFields = Vec<(String, String)>;

fn field<'a>(fields: &'a FormFields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Verifies a POST Object policy and signature (protocol §2). `key` is the key after `${filename}`
/// substitution; `file_len` the file part length. Returns the matched credential.
pub fn verify_post_policy<'c>(
    fields: &FormFields,
    bucket: &str,
    key: &str,
    file_len: u64,
    creds: &'c [Credential],
    now: i64,
    max_future_skew: i64,
) -> CosResult<&'c Credential> {
    let p = check_post_policy(fields, bucket, key, creds, now, max_future_skew)?;
    p.check_length(file_len)?;
    Ok(p.cred)
}

/// A verified POST policy: what it still says about the file, checked once its size is known.
#[derive(Debug)]
pub struct PostPolicy<'c> {
    /// The credential that signed it.
    pub cred: &'c Credential,
    /// `content-length-range` conditions (min, max).
    pub length_ranges: Vec<(u64, u64)>,
    /// Lower-case names of the fields the policy constrains (`eq`, object form, `starts-with`).
    pub constrained: Vec<String>,
}

impl PostPolicy<'_> {
    /// The largest file the policy allows (None: no `content-length-range`).
    pub fn max_len(&self) -> Option<u64> {
        self.length_ranges.iter().map(|r| r.1).min()
    }

    /// Checks the file size against every `content-length-range`.
    pub fn check_length(&self, file_len: u64) -> CosResult<()> {
        for &(lo, hi) in &self.length_ranges {
            if file_len > hi {
                return Err(bad_request(
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size",
                ));
            }
            if file_len < lo {
                return Err(bad_request(
                    "EntityTooSmall",
                    "Your proposed upload is smaller than the minimum allowed size",
                ));
            }
        }
        Ok(())
    }
}

/// Verifies a POST policy from the form fields that precede `file` (protocol §2): signature,
/// expiration, and every condition except `content-length-range`, which is returned for
/// [`PostPolicy::check_length`] once the file has been read.
pub fn check_post_policy<'c>(
    fields: &FormFields,
    bucket: &str,
    key: &str,
    creds: &'c [Credential],
    now: i64,
    max_future_skew: i64,
) -> CosResult<PostPolicy<'c>> {
    let policy_b64 = field(fields, "policy")
        .ok_or_else(|| bad_request("InvalidArgument", "POST form is missing the policy field"))?;
    let algorithm = field(fields, "q-sign-algorithm")
        .ok_or_else(|| bad_request("InvalidArgument", "missing q-sign-algorithm"))?;
    let ak = field(fields, "q-ak").ok_or_else(|| bad_request("InvalidArgument", "missing q-ak"))?;
    let key_time = field(fields, "q-key-time")
        .or_else(|| field(fields, "q-sign-time"))
        .ok_or_else(|| bad_request("InvalidArgument", "missing q-key-time"))?;
    let signature = field(fields, "q-signature")
        .ok_or_else(|| bad_request("InvalidArgument", "missing q-signature"))?;
    if !algorithm.eq_ignore_ascii_case("sha1") {
        return Err(forbidden("AccessDenied", "Unsupported q-sign-algorithm"));
    }
    let cred = creds.iter().find(|c| c.secret_id == ak).ok_or_else(|| {
        forbidden(
            "InvalidAccessKeyId",
            "The access key Id format you provided is invalid or does not exist",
        )
    })?;
    check_time(key_time, now, max_future_skew)?;
    let policy_bytes = unb64(policy_b64.trim())
        .ok_or_else(|| bad_request("InvalidPolicyDocument", "policy is not valid base64"))?;
    // signature over the exact policy text
    let sign_key = hex_hmac_sha1(cred.secret_key.as_bytes(), key_time.as_bytes());
    let string_to_sign = hex_sha1(&policy_bytes);
    let expected = hex_hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes());
    if !ct_eq(
        expected.as_bytes(),
        signature.to_ascii_lowercase().as_bytes(),
    ) {
        return Err(signature_mismatch(
            &string_to_sign,
            &String::from_utf8_lossy(&policy_bytes),
        ));
    }
    let policy: serde_json::Value = serde_json::from_slice(&policy_bytes)
        .map_err(|_| bad_request("InvalidPolicyDocument", "policy is not valid JSON"))?;
    let exp = policy
        .get("expiration")
        .and_then(|v| v.as_str())
        .ok_or_else(|| bad_request("InvalidPolicyDocument", "policy has no expiration"))?;
    let exp_ts = parse_iso8601(exp)
        .ok_or_else(|| bad_request("InvalidPolicyDocument", "invalid policy expiration"))?;
    if now > exp_ts {
        return Err(forbidden(
            "AccessDenied",
            "Invalid according to Policy: Policy expired.",
        ));
    }
    let conditions = policy
        .get("conditions")
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad_request("InvalidPolicyDocument", "policy has no conditions"))?;

    // effective form values: key is the substituted key; bucket is the target bucket
    let value_of = |name: &str| -> Option<String> {
        let n = name.to_ascii_lowercase();
        match n.as_str() {
            "key" => Some(key.to_string()),
            "bucket" => Some(bucket.to_string()),
            "q-sign-time" => field(fields, "q-sign-time")
                .or_else(|| field(fields, "q-key-time"))
                .map(str::to_string),
            _ => field(fields, name).map(str::to_string),
        }
    };
    let policy_fail = |msg: String| {
        forbidden(
            "AccessDenied",
            format!("Invalid according to Policy: {msg}"),
        )
    };
    let mut required_sign = ["q-sign-algorithm", "q-ak", "q-sign-time"].map(|n| (n, false));
    let mut constrained: Vec<String> = Vec::new();
    let mut check_exact = |name: &str, want: &str| -> CosResult<()> {
        constrained.push(name.to_ascii_lowercase());
        for r in required_sign.iter_mut() {
            if r.0.eq_ignore_ascii_case(name) {
                r.1 = true;
            }
        }
        match value_of(name) {
            Some(v) if v == want => Ok(()),
            Some(_) => Err(policy_fail(format!(
                "Policy Condition failed: [\"eq\", \"${name}\", \"{want}\"]"
            ))),
            None => Err(policy_fail(format!("Extra input fields: missing {name}"))),
        }
    };
    let mut ranges = Vec::new();
    let mut prefixes = Vec::new();
    for c in conditions {
        if let Some(obj) = c.as_object() {
            for (k, v) in obj {
                let want = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                check_exact(k, &want)?;
            }
        } else if let Some(arr) = c.as_array() {
            let op = arr.first().and_then(|v| v.as_str()).unwrap_or("");
            match op.to_ascii_lowercase().as_str() {
                "eq" | "starts-with" => {
                    let name = arr
                        .get(1)
                        .and_then(|v| v.as_str())
                        .and_then(|s| s.strip_prefix('$'))
                        .ok_or_else(|| bad_request("InvalidPolicyDocument", "bad condition"))?;
                    let want = arr
                        .get(2)
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| bad_request("InvalidPolicyDocument", "bad condition"))?;
                    if op.eq_ignore_ascii_case("eq") {
                        check_exact(name, want)?;
                    } else {
                        prefixes.push((name.to_string(), want.to_string()));
                    }
                }
                "content-length-range" => {
                    let lo = arr.get(1).and_then(|v| v.as_u64());
                    let hi = arr.get(2).and_then(|v| v.as_u64());
                    match (lo, hi) {
                        (Some(lo), Some(hi)) => ranges.push((lo, hi)),
                        _ => {
                            return Err(bad_request(
                                "InvalidPolicyDocument",
                                "bad content-length-range",
                            ))
                        }
                    }
                }
                _ => {
                    return Err(bad_request(
                        "InvalidPolicyDocument",
                        format!("unknown condition {op}"),
                    ))
                }
            }
        } else {
            return Err(bad_request("InvalidPolicyDocument", "bad condition"));
        }
    }
    let mut prefixes_seen = Vec::new();
    for (name, prefix) in prefixes {
        prefixes_seen.push(name.to_ascii_lowercase());
        match value_of(&name) {
            Some(v) if v.starts_with(&prefix) => {}
            Some(_) => {
                return Err(policy_fail(format!(
                    "Policy Condition failed: [\"starts-with\", \"${name}\", \"{prefix}\"]"
                )))
            }
            None => return Err(policy_fail(format!("Extra input fields: missing {name}"))),
        }
    }
    if let Some((n, _)) = required_sign.iter().find(|(_, seen)| !seen) {
        return Err(policy_fail(format!(
            "the policy must contain a {n} condition"
        )));
    }
    constrained.extend(prefixes_seen);
    Ok(PostPolicy {
        cred,
        length_ranges: ranges,
        constrained,
    })
}

/// The `(lowercased name, value)` pairs named in a signed list (`a;b;c` of encoded,
/// lowercased names): each must be present exactly once.
fn signed_pairs(
    list: &str,
    pairs: &[(String, String)],
    what: &str,
    list_name: &str,
) -> CosResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for name in list.split(';').filter(|s| !s.is_empty()) {
        let want = name.to_ascii_lowercase();
        let found: Vec<&(String, String)> = pairs
            .iter()
            .filter(|(k, _)| url_encode(k).to_ascii_lowercase() == want)
            .collect();
        match found.as_slice() {
            [] => {
                return Err(forbidden(
                    "AccessDenied",
                    format!("{what} {name} is in {list_name} but not in the request"),
                ))
            }
            [one] => out.push((one.0.to_ascii_lowercase(), one.1.clone())),
            _ => {
                return Err(bad_request(
                    "InvalidArgument",
                    format!("{what} {name} appears more than once"),
                ))
            }
        }
    }
    Ok(out)
}
