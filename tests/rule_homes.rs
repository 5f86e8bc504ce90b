//! Issue 23 item 5: the loopback-host and secret-transport rules have one home,
//! `src/endpoint.rs`; this checks it against the shared table tests/vectors/rule-homes.json,
//! which tests/js/rule-homes.test.mjs runs through the JS adapter (pkg-template/transport.js)
//! in Node and workerd.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::endpoint::{is_loopback_host, secret_transport_allowed};

fn table() -> serde_json::Value {
    serde_json::from_str(include_str!("vectors/rule-homes.json")).unwrap()
}

#[test]
fn loopback_host_table() {
    let t = table();
    let cases = t["loopback"].as_array().unwrap();
    assert!(cases.len() > 10);
    for c in cases {
        let host = c["host"].as_str().unwrap();
        assert_eq!(
            is_loopback_host(host),
            c["loopback"].as_bool().unwrap(),
            "{host}"
        );
    }
}

#[test]
fn secret_transport_table() {
    let t = table();
    for c in t["transport"].as_array().unwrap() {
        let scheme = c["scheme"].as_str().unwrap();
        let host = c["hostname"].as_str().unwrap();
        let allow = c["allow_local"].as_bool().unwrap();
        assert_eq!(
            secret_transport_allowed(scheme, host, allow),
            c["allowed"].as_bool().unwrap(),
            "{}",
            c["url"]
        );
    }
}
