//! Tencent CDN / EdgeOne URL authentication: every case of `tests/vectors/cdn-auth.json`
//! (the documents' worked examples, cos-wasm's own cases, the refusals) through the native
//! `cdn_auth_url`. The JS suite (`tests/js/suite.mjs`) runs the same file in Node, Chromium
//! and workerd.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::cdn::{cdn_auth_url, CdnAuthOptions, CdnAuthType, CdnTimeFormat};
use cos_wasm::Result;
use serde_json::Value;

mod common;
use common::vector_file;

/// The core's answer for a vector input; `None` when the input is one only JS can pass
/// (a negative, fractional or string timestamp: the native API takes a `u64`).
fn run(input: &Value) -> Option<Result<String>> {
    let s = |name: &str| input.get(name).and_then(Value::as_str).map(str::to_owned);
    let timestamp = input["timestamp"].as_u64()?;
    let auth_type = match CdnAuthType::parse(input["type"].as_str().expect("type")) {
        Ok(t) => t,
        Err(e) => return Some(Err(e)),
    };
    let time_format = match s("timeFormat")
        .map(|f| CdnTimeFormat::parse(&f))
        .transpose()
    {
        Ok(f) => f,
        Err(e) => return Some(Err(e)),
    };
    let opts = CdnAuthOptions {
        auth_type,
        url: s("url").expect("url"),
        key: s("key").expect("key").into(),
        timestamp,
        rand: s("rand"),
        uid: s("uid"),
        sign_param: s("signParam"),
        time_param: s("timeParam"),
        time_format,
    };
    Some(cdn_auth_url(&opts))
}

#[test]
fn cdn_auth_vectors() {
    let file = vector_file("cdn-auth.json");
    let cases = file["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    let mut ran = 0;
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let Some(got) = run(&case["input"]) else {
            assert!(
                case["expected"]["error"].is_string(),
                "{id}: only refusals are JS-only"
            );
            continue;
        };
        ran += 1;
        match (&case["expected"]["url"], &case["expected"]["error"], got) {
            (Value::String(url), _, Ok(got)) => assert_eq!(&got, url, "{id}"),
            (_, Value::String(code), Err(e)) => {
                assert_eq!(e.code().as_str(), code, "{id}: {e}");
                let key = case["input"]["key"].as_str().unwrap();
                assert!(
                    key.len() < 6 || !e.message().contains(key.trim()),
                    "{id}: key in message"
                );
            }
            (_, _, got) => panic!("{id}: got {got:?}"),
        }
    }
    assert!(ran >= 30, "{ran}");
}

#[test]
fn debug_never_shows_the_key() {
    let opts = CdnAuthOptions {
        auth_type: CdnAuthType::D,
        url: "https://cdn.example.com/a.jpg".into(),
        key: String::from("SecretKey0123456789").into(),
        timestamp: 1,
        rand: None,
        uid: None,
        sign_param: None,
        time_param: None,
        time_format: None,
    };
    assert!(!format!("{opts:?}").contains("SecretKey0123456789"));
}
