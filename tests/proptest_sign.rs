//! Property tests: arbitrary methods, keys (unicode), header and query maps never panic,
//! and every success is a well-formed Authorization / URL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::{Credentials, Endpoint, Header, KeyTime, Request, Signer};
use proptest::prelude::*;

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIDexample", "secret").unwrap())
}

fn well_formed(auth: &str) -> bool {
    let parts: Vec<&str> = auth.split('&').collect();
    let names: Vec<&str> = parts
        .iter()
        .map(|p| p.split('=').next().unwrap_or(""))
        .collect();
    names
        == [
            "q-sign-algorithm",
            "q-ak",
            "q-sign-time",
            "q-key-time",
            "q-header-list",
            "q-url-param-list",
            "q-signature",
        ]
        && parts[6].len() == "q-signature=".len() + 40
        && parts[6]["q-signature=".len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_and_is_well_formed(
        method in prop_oneof![Just("GET".to_owned()), Just("put".to_owned()), "\\PC{0,8}"],
        key in "\\PC{0,40}|.{0,900}",
        query in proptest::collection::vec(("\\PC{0,8}", proptest::option::of("\\PC{0,16}")), 0..5),
        headers in proptest::collection::vec(("[!-~]{0,12}|x-cos-[a-z|]{0,6}|\\PC{0,6}", "\\PC{0,20}|.{0,5}"), 0..5),
        start in 0u64..2_000_000_000,
        span in 0u64..100_000,
    ) {
        let mut req = Request::new(&method, &key);
        req.query = query.into_iter().collect();
        req.headers = headers.iter().map(|(k, v)| Header::new(k.clone(), v.clone())).collect();
        let Ok(kt) = KeyTime::new(start, start + span) else { return Ok(()); };
        let s = signer();
        if let Ok(auth) = s.authorization(&req, kt) {
            prop_assert!(well_formed(&auth), "{auth}");
            prop_assert!(!auth.contains('\n'));
        }
        let ep = Endpoint::new("examplebucket-1250000000", "ap-guangzhou").unwrap();
        if let Ok(url) = s.presign_url(&req, &ep, kt) {
            prop_assert!(url.starts_with("https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"));
            prop_assert!(url.bytes().all(|b| b.is_ascii_graphic()), "{url}");
            prop_assert!(url.contains("q-signature="));
        }
        let _ = s.sign_post_policy(&key, kt);
    }

    #[test]
    fn key_time_parse_never_panics(s in "\\PC{0,30}|[0-9;]{0,30}") {
        if let Ok(kt) = KeyTime::parse(&s) {
            prop_assert!(kt.start() < kt.end());
            prop_assert_eq!(KeyTime::parse(&kt.to_string()).unwrap(), kt);
        }
    }

    #[test]
    fn endpoints_never_panic(bucket in "\\PC{0,20}|[a-z0-9-]{1,20}-[0-9]{1,10}", region in "\\PC{0,10}|[a-z-]{1,12}", domain in "\\PC{0,20}|[a-z.:0-9{}A-Z]{0,30}") {
        if let Ok(ep) = Endpoint::new(&bucket, &region) {
            if let Ok(ep) = ep.with_domain(&domain) {
                prop_assert!(ep.origin().starts_with("https://"));
            }
        }
    }
}
