//! Every case of `tests/vectors/tc3-signing.json` (computed by the official
//! `tencentcloud-sdk-nodejs-common` signer), checked step by step: canonical request,
//! string to sign, signature and `Authorization`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::tc3::{tc3_authorization, tc3_sign, Tc3Request};

mod common;

#[test]
fn every_tc3_vector_with_intermediates() {
    let cases = common::tc3_vectors();
    assert!(cases.len() >= 20, "vector file looks truncated");
    for c in &cases {
        let id = c["id"].as_str().unwrap();
        let i = &c["input"];
        let e = &c["expected"];
        let req = Tc3Request {
            method: i["method"].as_str().unwrap(),
            url: i["url"].as_str().unwrap(),
            content_type: i["content_type"].as_str().unwrap(),
            body: i["body"].as_str().unwrap().as_bytes(),
            timestamp: i["timestamp"].as_u64().unwrap(),
            service: i["service"].as_str().unwrap(),
        };
        let (id_, key) = (
            i["secret_id"].as_str().unwrap(),
            i["secret_key"].as_str().unwrap(),
        );
        let got = tc3_sign(id_, key, &req).unwrap_or_else(|err| panic!("{id}: {err}"));
        assert_eq!(
            got.canonical_request,
            e["canonical_request"].as_str().unwrap(),
            "{id}: canonical request"
        );
        assert_eq!(
            got.string_to_sign,
            e["string_to_sign"].as_str().unwrap(),
            "{id}: string to sign"
        );
        assert_eq!(
            got.signature,
            e["signature"].as_str().unwrap(),
            "{id}: signature"
        );
        assert_eq!(
            got.authorization,
            e["authorization"].as_str().unwrap(),
            "{id}: authorization"
        );
        assert_eq!(
            got.authorization,
            e["headers"]["Authorization"].as_str().unwrap(),
            "{id}: header"
        );
        assert_eq!(
            tc3_authorization(id_, key, &req).unwrap(),
            got.authorization,
            "{id}"
        );
        // The headers the SDK sent carry the same content type and timestamp we signed.
        assert_eq!(
            e["headers"]["Content-Type"].as_str(),
            Some(req.content_type),
            "{id}"
        );
        assert_eq!(
            e["headers"]["X-TC-Timestamp"].as_str(),
            Some(req.timestamp.to_string().as_str()),
            "{id}"
        );
    }
}

/// The worked example of the TC3 doc (docs/sts.md): CVM DescribeInstances, 2019-02-25.
#[test]
fn documented_worked_example() {
    let body =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    let s = tc3_sign(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        &Tc3Request {
            method: "POST",
            url: "https://cvm.tencentcloudapi.com/",
            content_type: "application/json; charset=utf-8",
            body: body.as_bytes(),
            timestamp: 1_551_113_065,
            service: "cvm",
        },
    )
    .unwrap();
    assert!(s
        .canonical_request
        .ends_with("35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"));
    assert!(s
        .string_to_sign
        .ends_with("5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"));
    assert_eq!(
        s.signature,
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
}

proptest::proptest! {
    /// Any input is an `Ok` or a coded `Err`, never a panic; an accepted request's
    /// Authorization names the SecretId and the date of its timestamp.
    #[test]
    fn any_input_signs_or_errs(
        id in "\\PC{0,12}", key in "\\PC{0,12}", method in "(GET|POST|PUT|get|)",
        url in "(https?|ftp)://[a-zA-Z0-9.:_@\\[\\]-]{0,20}[/?#%a-z0-9 .é=&]{0,20}",
        ct in "[a-zA-Z/; =\r\n-]{0,20}", body in "\\PC{0,20}", ts in 0u64..300_000_000_000, svc in "[a-zA-Z0-9/]{0,6}",
    ) {
        let body = if method == "GET" { String::new() } else { body };
        let req = Tc3Request { method: &method, url: &url, content_type: &ct, body: body.as_bytes(), timestamp: ts, service: &svc };
        if let Ok(s) = tc3_sign(&id, &key, &req) {
            let prefix = format!("TC3-HMAC-SHA256 Credential={id}/");
            proptest::prop_assert!(s.authorization.starts_with(&prefix));
            let scope = format!("TC3-HMAC-SHA256\n{ts}\n");
            proptest::prop_assert!(s.string_to_sign.starts_with(&scope));
        }
    }
}
