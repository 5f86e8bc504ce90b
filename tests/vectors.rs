//! Runs every case of the shared official-SDK vector file (`tests/vectors/cos-signing.json`,
//! or `$COS_VECTORS`) through the native signer.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::{Credentials, Endpoint, KeyTime, Request, Signer};
use serde_json::Value;

mod common;
use common::{canonical, vectors};

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn request(input: &Value) -> Request {
    let mut req = Request::new(
        input["method"].as_str().expect("method"),
        input["path"].as_str().expect("path"),
    );
    for (k, v) in input["query"].as_object().expect("query") {
        req = req.query(k, scalar(v).as_deref());
    }
    for (k, v) in input["headers"].as_object().expect("headers") {
        req = req.header(k, &scalar(v).expect("header value"));
    }
    req
}

fn signer(input: &Value) -> Signer {
    let mut c = Credentials::new(
        input["secret_id"].as_str().expect("id"),
        input["secret_key"].as_str().expect("key"),
    )
    .expect("creds");
    if let Some(t) = input["security_token"].as_str() {
        c = c.with_security_token(t).expect("token");
    }
    Signer::new(c)
}

#[test]
fn official_sdk_vectors() {
    let cases = vectors();
    assert!(!cases.is_empty());
    let mut checked = 0;
    for case in &cases {
        let id = case["id"].as_str().expect("id");
        let input = &case["input"];
        let expected = &case["expected"];
        let kt = KeyTime::parse(input["key_time"].as_str().expect("key_time")).expect("key_time");
        let signer = signer(input);
        let rejects = input["reference"] == "reject" || expected.get("reject").is_some();
        match case["kind"].as_str().expect("kind") {
            "auth" => {
                let got = signer.authorization(&request(input), kt);
                if rejects {
                    assert!(got.is_err(), "{id}: expected a rejection, got {got:?}");
                } else {
                    assert_eq!(
                        got.expect(id),
                        expected["authorization"].as_str().expect("auth"),
                        "{id}"
                    );
                }
            }
            "presign" => {
                let ep = Endpoint::new(
                    input["bucket"].as_str().expect("b"),
                    input["region"].as_str().expect("r"),
                )
                .expect("endpoint");
                let got = signer.presign_url(&request(input), &ep, kt);
                if rejects {
                    assert!(got.is_err(), "{id}: expected a rejection");
                } else {
                    assert_eq!(canonical(&got.expect(id)), expected["canonical"], "{id}");
                }
            }
            "post_policy" => {
                let text = expected["policy_json"].as_str().expect("policy_json");
                // The vector's policy object, serialised like JSON.stringify, is the same text.
                assert_eq!(
                    serde_json::to_string(&input["policy"]).expect("ser"),
                    text,
                    "{id}"
                );
                let fields = signer.sign_post_policy(text, kt).expect(id).fields;
                for (k, v) in fields {
                    assert_eq!(
                        Some(v.as_str()),
                        expected["fields"][&k].as_str(),
                        "{id}: field {k}"
                    );
                }
            }
            other => panic!("{id}: unknown kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, cases.len());
}
