//! Protocol details the official SDKs rely on (issue 11): ACL XML, Delete Multiple Objects, `+`
//! in queries, `encoding-type=url`, XML-safe listings, and what SSE-C leaves at rest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use cos_emulator::util::{b64, md5, random_bytes};

#[test]
fn object_acl_as_xml() {
    let e = start("acl");
    let p = e.handle.port();
    put(p, "a", &[], b"bytes");
    let r = signed(p, "GET", "a", &[("acl", "")], &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("<AccessControlPolicy>"), "{}", r.text());
    assert!(r.text().contains("<Permission>FULL_CONTROL</Permission>"));
    assert!(!r.text().contains("bytes"));
    // PUT ?acl with an AccessControlPolicy body granting AllUsers READ
    let body = r#"<AccessControlPolicy><Owner><ID>qcs::cam::uin/1:uin/1</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
    let r = signed(p, "PUT", "a", &[("acl", "")], &[], body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        raw(p, "GET", "/a", &[("Host", HOST.into())], b"").body,
        b"bytes"
    );
    let r = signed(p, "GET", "a", &[("acl", "")], &[], b"");
    assert!(r.text().contains("AllUsers") && r.text().contains("<Permission>READ</Permission>"));
    // x-cos-acl header form, and not both at once
    let r = signed(
        p,
        "PUT",
        "a",
        &[("acl", "")],
        &[("x-cos-acl", "private".into())],
        b"",
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        raw(p, "GET", "/a", &[("Host", HOST.into())], b"").status,
        403
    );
    let r = signed(
        p,
        "PUT",
        "a",
        &[("acl", "")],
        &[("x-cos-acl", "private".into())],
        body.as_bytes(),
    );
    assert_eq!(r.status, 400);
    // the object bytes were never replaced
    assert_eq!(get(p, "a", &[]).body, b"bytes");
}

#[test]
fn delete_multiple_objects() {
    let e = start("delete-multi");
    let p = e.handle.port();
    for k in ["d/1", "d/2", "keep"] {
        put(p, k, &[], b"x");
    }
    let body = "<Delete><Quiet>false</Quiet><Object><Key>d/1</Key></Object><Object><Key>d/2</Key></Object><Object><Key>missing</Key></Object></Delete>";
    let md5h = b64(&md5(body.as_bytes()));
    let r = signed(
        p,
        "POST",
        "",
        &[("delete", "")],
        &[("Content-MD5", md5h)],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    for k in ["d/1", "d/2", "missing"] {
        assert!(r
            .text()
            .contains(&format!("<Deleted><Key>{k}</Key></Deleted>")));
    }
    assert_eq!(get(p, "d/1", &[]).status, 404);
    assert_eq!(get(p, "keep", &[]).status, 200);
    // quiet mode lists nothing; a wrong Content-MD5 is refused
    let body = "<Delete><Quiet>true</Quiet><Object><Key>keep</Key></Object></Delete>";
    let r = signed(p, "POST", "", &[("delete", "")], &[], body.as_bytes());
    assert!(!r.text().contains("<Deleted>"), "{}", r.text());
    let r = signed(
        p,
        "POST",
        "",
        &[("delete", "")],
        &[("Content-MD5", b64(&md5(b"other")))],
        body.as_bytes(),
    );
    assert_eq!(r.code(), "BadDigest");
}

/// Lists with a raw query string signed over the decoded pairs.
fn list_raw(p: u16, raw_query: &str, signed_pairs: &[(&str, &str)]) -> Resp {
    let a = authorization(
        AK,
        SK,
        "GET",
        "/",
        signed_pairs,
        &[("host", HOST.into())],
        &key_time(),
    );
    raw(
        p,
        "GET",
        &format!("/?{raw_query}"),
        &[("Host", HOST.into()), ("Authorization", a)],
        b"",
    )
}

#[test]
fn plus_in_query_is_a_space_and_url_encoded_listings() {
    let e = start("list");
    let p = e.handle.port();
    for k in ["a b/1", "a+b/2", "tab\there", "x&<y>"] {
        assert_eq!(put(p, k, &[], b"v").status, 200, "{k}");
    }
    // Python SDK style: space as '+', signed as the decoded value
    let r = list_raw(p, "prefix=a+b", &[("prefix", "a b")]);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<Key>a b/1</Key>") && !r.text().contains("a+b/2"));
    // Node SDK style: %20 for a space, %2B for a plus
    let r = list_raw(p, "prefix=a%2Bb", &[("prefix", "a+b")]);
    assert!(r.text().contains("<Key>a+b/2</Key>") && !r.text().contains("a b/1"));
    // encoding-type=url
    let r = list_raw(
        p,
        "encoding-type=url&prefix=a%20b",
        &[("encoding-type", "url"), ("prefix", "a b")],
    );
    assert!(
        r.text().contains("<EncodingType>url</EncodingType>"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<Key>a%20b%2F1</Key>"), "{}", r.text());
    assert!(r.text().contains("<Prefix>a%20b</Prefix>"));
    // plain listing: every key is valid XML text (& < > escaped, TAB as a reference)
    let r = list_raw(p, "", &[]);
    assert!(
        r.text().contains("<Key>x&amp;&lt;y&gt;</Key>"),
        "{}",
        r.text()
    );
    assert!(r.text().contains("<Key>tab&#x9;here</Key>"), "{}", r.text());
    assert!(cos_emulator::xml::parse(&r.text()).is_some());
}

#[test]
fn keys_xml_cannot_carry_are_refused() {
    let e = start("ctrl-key");
    let p = e.handle.port();
    let r = put(p, "bad\u{1}key", &[], b"v");
    assert_eq!((r.status, r.code().as_str()), (400, "InvalidURI"));
    let r = list_raw(p, "", &[]);
    assert!(cos_emulator::xml::parse(&r.text()).is_some());
}

#[test]
fn ssec_at_rest_only_salt_and_hmac_and_private_key_files() {
    use std::os::unix::fs::PermissionsExt as _;
    let e = start("at-rest");
    let p = e.handle.port();
    let k = random_bytes(32);
    assert_eq!(put(p, "c", &ssec_headers(&k), b"secret").status, 200);
    let key_md5 = b64(&md5(&k));
    assert!(
        !data_dir_contains(&e.dir, key_md5.as_bytes()),
        "key MD5 stored"
    );
    assert!(!data_dir_contains(&e.dir, b64(&k).as_bytes()), "key stored");
    let g = get(p, "c", &ssec_headers(&k));
    assert_eq!(g.body, b"secret");
    assert_eq!(
        g.h("x-cos-server-side-encryption-customer-key-MD5"),
        Some(key_md5.as_str())
    );
    let keys = e.dir.join("keys");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&keys), 0o700);
    for f in ["master-keys.json", "kms-keys.json"] {
        assert_eq!(mode(&keys.join(f)), 0o600, "{f}");
    }
}

/// Issue 26: a range ending at 2^64-1 gave an empty 206 with a bogus Content-Range, and as a
/// copy-source range it made an empty part.
#[test]
fn range_arithmetic_is_checked() {
    let e = start("range");
    let p = e.handle.port();
    assert_eq!(put(p, "r", &[], b"0123456789").status, 200);
    let max = u64::MAX;
    let r = get(p, "r", &[("Range", format!("bytes=0-{max}"))]);
    assert_eq!(r.status, 206);
    assert_eq!(r.h("Content-Range"), Some("bytes 0-9/10"));
    assert_eq!(r.body, b"0123456789");
    let r = get(p, "r", &[("Range", format!("bytes=4-{max}"))]);
    assert_eq!((r.status, r.body.as_slice()), (206, &b"456789"[..]));
    let r = get(p, "r", &[("Range", format!("bytes={max}-{max}"))]);
    assert_eq!(r.status, 416);
    let r = get(p, "r", &[("Range", format!("bytes=-{max}"))]);
    assert_eq!((r.status, r.body.as_slice()), (206, &b"0123456789"[..]));
    // Upload Part - Copy
    let init = signed(p, "POST", "dst", &[("uploads", "")], &[], b"");
    let uid = upload_id(&init);
    let src = format!("{HOST}/r");
    let copy = |range: String| {
        signed(
            p,
            "PUT",
            "dst",
            &[("partNumber", "1"), ("uploadId", &uid)],
            &[
                ("x-cos-copy-source", src.clone()),
                ("x-cos-copy-source-range", range),
            ],
            b"",
        )
    };
    for bad in [
        format!("bytes=0-{max}"),
        "bytes=0-10".into(),
        format!("bytes={max}-{max}"),
    ] {
        let r = copy(bad.clone());
        assert_eq!(
            (r.status, r.code().as_str()),
            (416, "InvalidRange"),
            "{bad}: {}",
            r.text()
        );
    }
    let r = copy("bytes=0-9".into());
    assert_eq!(r.status, 200, "{}", r.text());
    let parts = signed(p, "GET", "dst", &[("uploadId", &uid)], &[], b"");
    assert!(parts.text().contains("<Size>10</Size>"), "{}", parts.text());
}
