//! `--strict-sign` buckets (`Config::strict_sign`): a signed write that sends `Content-Type`
//! or `Content-Length` without signing it is refused with `STRICT_SIGN_ERROR_CODE`; one that
//! signs both, reads, and buckets not in the list are not concerned.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use cos_emulator::serve;
use cos_emulator::strict_sign::STRICT_SIGN_ERROR_CODE;

fn start_strict(tag: &str, buckets: &[&str]) -> Emu {
    let dir = temp_dir(tag);
    let mut cfg = config(&dir);
    cfg.strict_sign = buckets.iter().map(|b| (*b).to_string()).collect();
    Emu {
        handle: serve(cfg).unwrap(),
        dir,
    }
}

#[test]
fn strict_bucket_refuses_unsigned_type_and_length() {
    let emu = start_strict("strict-sign", &["*"]);
    let port = emu.handle.port();
    let both = [
        ("Content-Type", "text/plain".to_string()),
        ("Content-Length", "3".to_string()),
    ];
    // both signed: stored
    assert_eq!(put(port, "a.txt", &both, b"abc").status, 200);
    // only the type signed: the Content-Length raw() adds is unsigned
    let r = put(
        port,
        "b.txt",
        &[("Content-Type", "text/plain".to_string())],
        b"abc",
    );
    assert_eq!(
        (r.status, r.code()),
        (403, STRICT_SIGN_ERROR_CODE.to_string())
    );
    assert!(
        r.text()
            .contains("content-length=3&amp;content-type=text%2Fplain"),
        "{}",
        r.text()
    );
    // neither signed, type sent
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    let auth = authorization(AK, SK, "PUT", "/c.txt", &[], &headers, &key_time());
    headers.push(("Authorization", auth));
    headers.push(("Content-Type", "text/plain".to_string()));
    let r = raw(port, "PUT", "/c.txt", &headers, b"abc");
    assert_eq!(r.status, 403);
    // reads are not concerned
    assert_eq!(get(port, "a.txt", &[]).status, 200);
    assert_eq!(get(port, "b.txt", &[]).status, 404);
}

#[test]
fn only_listed_buckets_are_strict() {
    let emu = start_strict("strict-sign-other", &["otherbucket-1250000000"]);
    let port = emu.handle.port();
    let r = put(
        port,
        "b.txt",
        &[("Content-Type", "text/plain".to_string())],
        b"abc",
    );
    assert_eq!(r.status, 200, "{}", r.text());
}
