//! Strict signing buckets (`--strict-sign BUCKET`, `*` for every bucket): since 2025 a COS
//! bucket can demand that `Content-Type` and `Content-Length` be signed. A signed write
//! (PUT or POST) that sends either header without it in `q-header-list` is refused.
//!
//! COS's exact answer is UNCONFIRMED: reports of it are a 403 (PicGo: "开启最严格的模式后
//! ... 403"), and the fixed SDKs treat it as a signature that must cover the two headers.
//! The emulator answers [`STRICT_SIGN_ERROR_CODE`] with a FormatString that hashes the two
//! headers as they were sent, so `explainSignatureMismatch` names the cause (`STRICT_SIGN`).
//! POST Object forms (policy-signed) and anonymous requests are not concerned.

use crate::auth::{format_and_string_to_sign, SignedRequest};
use crate::error::{forbidden, CosResult};

/// The error code of a strict-sign refusal. UNCONFIRMED (COS documents no code for it): a
/// 403 `SignatureDoesNotMatch`, the answer of a bucket that hashes headers the client did
/// not sign. One constant, so a confirmed code is a one-line change.
pub const STRICT_SIGN_ERROR_CODE: &str = "SignatureDoesNotMatch";

/// The headers a strict-sign bucket requires to be signed when they are sent.
pub const STRICT_SIGN_HEADERS: [&str; 2] = ["content-length", "content-type"];

/// Whether `bucket` is in strict-sign mode under the configured list (`*` = every bucket).
#[must_use]
pub fn applies(strict: &[String], bucket: Option<&str>) -> bool {
    strict
        .iter()
        .any(|b| b == "*" || Some(b.as_str()) == bucket)
}

/// Refuses a signed write whose `Content-Type` or `Content-Length` is present but not in
/// `signed_headers` (lower-case names); `signed_params` and `key_time` rebuild the
/// FormatString and StringToSign COS would show.
pub fn check(
    req: &SignedRequest<'_>,
    signed_headers: &[String],
    signed_params: &[String],
    key_time: &str,
) -> CosResult<()> {
    if !matches!(req.method.to_ascii_uppercase().as_str(), "PUT" | "POST") {
        return Ok(());
    }
    let sent = |n: &str| req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
    let unsigned: Vec<&str> = STRICT_SIGN_HEADERS
        .into_iter()
        .filter(|n| sent(n) && !signed_headers.iter().any(|s| s == n))
        .collect();
    if unsigned.is_empty() {
        return Ok(());
    }
    let hashed = |n: &str| {
        let n = n.to_ascii_lowercase();
        signed_headers.contains(&n) || STRICT_SIGN_HEADERS.contains(&n.as_str())
    };
    let hpairs: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| hashed(k))
        .cloned()
        .collect();
    let qpairs: Vec<(String, String)> = req
        .query
        .iter()
        .filter(|(k, _)| signed_params.contains(&crate::util::url_encode(k).to_ascii_lowercase()))
        .cloned()
        .collect();
    let (format_string, string_to_sign) =
        format_and_string_to_sign(req, &qpairs, &hpairs, key_time);
    Err(forbidden(
        STRICT_SIGN_ERROR_CODE,
        format!(
            "The bucket requires Content-Type and Content-Length to be signed; {} was sent but not signed (q-header-list)",
            unsigned.join(" and ")
        ),
    )
    .with("StringToSign", string_to_sign)
    .with("FormatString", format_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(method: &'a str, headers: &'a [(String, String)]) -> SignedRequest<'a> {
        SignedRequest {
            method,
            path: "/a.txt",
            query: &[],
            headers,
        }
    }

    #[test]
    fn refuses_present_unsigned_headers_of_writes() {
        let h = vec![
            ("content-length".to_string(), "3".to_string()),
            ("content-type".to_string(), "text/plain".to_string()),
            ("host".to_string(), "b".to_string()),
        ];
        let all = vec![
            "content-length".into(),
            "content-type".into(),
            "host".into(),
        ];
        assert!(check(&req("PUT", &h), &all, &[], "1;2").is_ok());
        assert!(check(&req("GET", &h), &["host".into()], &[], "1;2").is_ok());
        let e = check(
            &req("PUT", &h),
            &["host".into(), "content-length".into()],
            &[],
            "1;2",
        )
        .err()
        .unwrap();
        assert_eq!(e.code, STRICT_SIGN_ERROR_CODE);
        let xml = e.to_xml("rid", "/a.txt");
        assert!(
            xml.contains("content-length=3&amp;content-type=text%2Fplain&amp;host=b"),
            "{xml}"
        );
        // Not sent, not required (a bodyless request the client sends without them).
        let only_host = vec![("host".to_string(), "b".to_string())];
        assert!(check(&req("POST", &only_host), &["host".into()], &[], "1;2").is_ok());
        assert!(applies(&["*".into()], None));
        assert!(applies(&["b-1".into()], Some("b-1")));
        assert!(!applies(&["b-1".into()], Some("b-2")));
    }
}
