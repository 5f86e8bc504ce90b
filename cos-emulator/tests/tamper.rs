//! Requests that must be refused (or must not do more than they were signed for), as one table:
//! tampered, expired, skewed, unknown-key and token-less signatures, and the red-team findings
//! of issue 11 (a signature for one operation authorizing another through case-changed
//! sub-resources, unsigned `x-cos-*` additions and appended sub-resources).
//!
//! After every row the victim object `k` must still hold its original bytes and ACL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;

/// One request: what is signed, what is sent, what must come back.
struct Case {
    name: &'static str,
    // signed
    ak: &'static str,
    sk: &'static str,
    sign_method: &'static str,
    sign_path: &'static str,
    sign_query: Vec<(&'static str, &'static str)>,
    sign_headers: Vec<(&'static str, String)>,
    key_time: String,
    /// Auth in the query (pre-signed URL) instead of the Authorization header.
    presigned: bool,
    /// Changes the Authorization / query auth string after signing.
    tamper: fn(String) -> String,
    /// No signature at all.
    anonymous: bool,
    // sent
    method: &'static str,
    /// Path and query as sent, before the auth parameters.
    target: String,
    /// Headers sent besides Host and the signed ones.
    extra: Vec<(&'static str, String)>,
    /// Signed headers sent with another value (name, value).
    override_header: Option<(&'static str, String)>,
    /// Signed headers left out.
    drop_signed: Vec<&'static str>,
    body: &'static [u8],
    // expected
    status: u16,
    code: &'static str,
}

fn base(name: &'static str) -> Case {
    Case {
        name,
        ak: AK,
        sk: SK,
        sign_method: "GET",
        sign_path: "/k",
        sign_query: vec![],
        sign_headers: vec![],
        key_time: key_time(),
        presigned: false,
        tamper: |a| a,
        anonymous: false,
        method: "GET",
        target: "/k".into(),
        extra: vec![],
        override_header: None,
        drop_signed: vec![],
        body: b"",
        status: 403,
        code: "AccessDenied",
    }
}

fn run(port: u16, c: &Case) -> Resp {
    let mut signed_h: Vec<(&str, String)> = vec![("host", HOST.to_string())];
    signed_h.extend(c.sign_headers.iter().cloned());
    let auth = (c.tamper)(authorization(
        c.ak,
        c.sk,
        c.sign_method,
        c.sign_path,
        &c.sign_query,
        &signed_h,
        &c.key_time,
    ));
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    for (k, v) in &c.sign_headers {
        if c.drop_signed.contains(k) {
            continue;
        }
        match &c.override_header {
            Some((ok, ov)) if ok == k => headers.push((k, ov.clone())),
            _ => headers.push((k, v.clone())),
        }
    }
    headers.extend(c.extra.iter().cloned());
    let mut target = c.target.clone();
    if !c.anonymous {
        if c.presigned {
            let q: Vec<String> = auth
                .split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    format!("{k}={}", cos_emulator::util::url_encode(v))
                })
                .collect();
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(&q.join("&"));
        } else {
            headers.push(("Authorization", auth));
        }
    }
    raw(port, c.method, &target, &headers, c.body)
}

#[test]
fn refused_requests_table() {
    let e = start("tamper");
    let p = e.handle.port();
    assert_eq!(put(p, "k", &[], b"x").status, 200);
    assert_eq!(put(p, "other", &[], b"secret").status, 200);
    // an upload of another key, for the case-changed UploadPart row
    let init = signed(p, "POST", "up", &[("uploads", "")], &[], b"");
    let uid = upload_id(&init);
    let uid: &'static str = Box::leak(uid.into_boxed_str());
    let n = now();
    let ck = ssec_headers(&cos_emulator::util::random_bytes(32));
    let cases = vec![
        Case {
            // flip the last hex digit: always a change, whatever the digit was
            tamper: |mut a| {
                let last = a.pop().unwrap();
                a.push(if last == '0' { '1' } else { '0' });
                a
            },
            code: "SignatureDoesNotMatch",
            ..base("tampered signature")
        },
        Case {
            sign_path: "/other",
            code: "SignatureDoesNotMatch",
            ..base("signed another path")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_headers: vec![("x-cos-meta-a", "1".into())],
            override_header: Some(("x-cos-meta-a", "2".into())),
            body: b"y",
            code: "SignatureDoesNotMatch",
            ..base("signed header changed in transit")
        },
        Case {
            sign_headers: vec![("x-cos-meta-a", "1".into())],
            drop_signed: vec!["x-cos-meta-a"],
            ..base("signed header missing")
        },
        Case {
            sign_query: vec![("response-content-type", "text/x")],
            ..base("signed parameter missing")
        },
        Case {
            key_time: format!("{};{}", n - 7200, n - 3600),
            ..base("expired")
        },
        Case {
            key_time: format!("{};{}", n + 7200, n + 9000),
            code: "RequestTimeTooSkewed",
            ..base("not yet valid beyond the skew")
        },
        Case {
            ak: "AKIDunknown",
            code: "InvalidAccessKeyId",
            ..base("unknown q-ak")
        },
        Case {
            anonymous: true,
            ..base("anonymous read of a private object")
        },
        Case {
            ak: TMP_AK,
            sk: TMP_SK,
            code: "InvalidAccessKeyId",
            ..base("temporary key without its token")
        },
        Case {
            ak: TMP_AK,
            sk: TMP_SK,
            extra: vec![("x-cos-security-token", "wrong".into())],
            code: "InvalidAccessKeyId",
            ..base("temporary key with a wrong token")
        },
        Case {
            ak: TMP_AK,
            sk: TMP_SK,
            extra: vec![("x-cos-security-token", TOKEN.into())],
            status: 200,
            code: "",
            ..base("temporary key with its token (accepted)")
        },
        // --- issue 11: a signature for one operation authorizes another
        Case {
            sign_method: "PUT",
            sign_query: vec![("acl", "")],
            presigned: true,
            method: "PUT",
            target: "/k?ACL".into(),
            body: b"REPLACED",
            status: 400,
            code: "MalformedXML",
            ..base("pre-signed PUT ?acl sent as ?ACL with a body (is still PUT ?acl)")
        },
        Case {
            sign_method: "PUT",
            sign_path: "/up",
            sign_query: vec![("partNumber", "1"), ("uploadId", uid)],
            presigned: true,
            method: "PUT",
            target: format!("/up?partnumber=1&uploadid={uid}"),
            body: b"part bytes",
            status: 200,
            code: "",
            ..base("pre-signed UploadPart with lower-cased names (is still UploadPart)")
        },
        Case {
            sign_method: "PUT",
            sign_query: vec![("acl", "")],
            method: "PUT",
            target: "/k?acl&ACL".into(),
            status: 400,
            code: "InvalidArgument",
            ..base("the same sub-resource twice in two cases")
        },
        Case {
            sign_method: "PUT",
            sign_query: vec![("tagging", "")],
            method: "PUT",
            target: "/k?tagging".into(),
            body: b"REPLACED",
            status: 400,
            code: "InvalidArgument",
            ..base("an unknown sub-resource never falls through to PUT Object (a 4xx)")
        },
        Case {
            sign_method: "PUT",
            sign_query: vec![("uploads", "")],
            method: "PUT",
            target: "/k?uploads".into(),
            body: b"REPLACED",
            status: 400,
            code: "InvalidArgument",
            ..base("a known sub-resource that does not belong (PUT ?uploads) is not PUT Object")
        },
        Case {
            sign_method: "PUT",
            sign_query: vec![("response-content-type", "text/html")],
            method: "PUT",
            target: "/k?response-content-type=text%2Fhtml".into(),
            body: b"REPLACED",
            status: 400,
            code: "InvalidArgument",
            ..base("response-* overrides only on GET/HEAD")
        },
        Case {
            presigned: true,
            target: "/k?acl".into(),
            ..base("pre-signed GET with ?acl appended")
        },
        Case {
            presigned: true,
            target: "/k?response-content-type=text%2Fhtml".into(),
            ..base("pre-signed GET with an unsigned response-* override")
        },
        Case {
            sign_method: "PUT",
            sign_path: "/k",
            method: "PUT",
            sign_query: vec![("acl", "")],
            target: "/k?acl".into(),
            extra: vec![("x-cos-acl", "public-read".into())],
            ..base("unsigned x-cos-acl")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            extra: vec![(
                "x-cos-copy-source",
                format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/other"),
            )],
            body: b"",
            ..base("unsigned x-cos-copy-source")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            presigned: true,
            extra: vec![("x-cos-storage-class", "ARCHIVE".into())],
            body: b"REPLACED",
            ..base("unsigned x-cos-storage-class on a pre-signed PUT")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            presigned: true,
            extra: vec![("x-cos-meta-evil", "1".into())],
            body: b"REPLACED",
            ..base("unsigned x-cos-meta-* on a pre-signed PUT")
        },
        // --- issue 26: what the official SDKs send, and what must stay refused
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_path: "/k3",
            target: "/k3".into(),
            sign_headers: vec![
                ("x-cos-meta-a|b", "1".into()),
                ("x-cos-meta-a^b!c", "2".into()),
            ],
            body: b"data",
            status: 200,
            code: "",
            ..base("signed x-cos-* names that need URL-encoding (accepted)")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_path: "/k3",
            target: "/k3".into(),
            presigned: true,
            extra: vec![("x-cos-meta-a|b", "1".into())],
            body: b"data",
            ..base("unsigned x-cos-meta-a|b (refused)")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_path: "/k3",
            target: "/k3".into(),
            extra: vec![("x-cos-meta-empty", "".into())],
            body: b"data",
            status: 200,
            code: "",
            ..base("an unsigned empty x-cos-meta-* header (accepted, not stored)")
        },
        Case {
            sign_path: "/",
            target: "/?marker=&max-keys=".into(),
            status: 200,
            code: "",
            ..base("unsigned marker and max-keys on a bucket listing (accepted, ignored)")
        },
        Case {
            presigned: true,
            target: "/k?foo=bar".into(),
            status: 200,
            code: "",
            ..base("an unsigned unknown parameter on a pre-signed GET (accepted, ignored)")
        },
        Case {
            presigned: true,
            target: "/k?versionId=1".into(),
            ..base("an unsigned sub-resource (versionId) on a pre-signed GET (refused)")
        },
        Case {
            presigned: true,
            target: "/k?partNumber=1".into(),
            ..base("an unsigned partNumber on a pre-signed GET (refused)")
        },
        Case {
            presigned: true,
            target: "/k?x-cos-traffic-limit=1".into(),
            ..base("an unsigned x-cos-* parameter (refused)")
        },
        Case {
            sign_query: vec![("tagging", "")],
            target: "/k?tagging".into(),
            status: 400,
            code: "InvalidArgument",
            ..base("a signed sub-resource the emulator does not serve (400, not a retried 5xx)")
        },
        Case {
            presigned: true,
            extra: ck.clone(),
            status: 400,
            code: "SsecDecryptHeaderInvalid",
            ..base("unsigned SSE-C headers on a pre-signed GET only unlock a read (passes auth)")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_path: "/k2",
            target: "/k2".into(),
            presigned: true,
            extra: ck.clone(),
            body: b"data",
            ..base("unsigned SSE-C headers on a pre-signed PUT")
        },
        Case {
            sign_method: "PUT",
            method: "PUT",
            sign_path: "/k2",
            target: "/k2".into(),
            presigned: true,
            sign_headers: vec![ck[2].clone()],
            extra: ck[..2].to_vec(),
            body: b"data",
            status: 200,
            code: "",
            ..base("an unsigned SSE-C key whose signed key-MD5 pins it (accepted)")
        },
    ];
    let mut failures = Vec::new();
    for c in &cases {
        let r = run(p, c);
        let ok = r.status == c.status && (c.code.is_empty() || r.code() == c.code);
        if !ok {
            failures.push(format!(
                "{}: want {} {}, got {} {} {}",
                c.name,
                c.status,
                c.code,
                r.status,
                r.code(),
                r.text()
            ));
        }
        // the victim object is untouched
        let g = get(p, "k", &[]);
        assert_eq!(g.body, b"x", "after {:?}: object k changed", c.name);
        let acl = signed(p, "GET", "k", &[("acl", "")], &[], b"");
        assert!(
            !acl.text().contains("AllUsers"),
            "after {:?}: ACL changed",
            c.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let first = run(p, &cases[0]);
    assert!(first.text().contains("<StringToSign>") && first.text().contains("<FormatString>"));
    assert!(run(p, &cases[5]).text().contains("Request has expired"));
    // the lower-cased UploadPart went to the upload, not to an object
    let parts = signed(p, "GET", "up", &[("uploadId", uid)], &[], b"");
    assert!(parts.text().contains("<PartNumber>1</PartNumber>"));
    assert_eq!(get(p, "up", &[]).status, 404);
    // the unsigned empty meta header was dropped, not stored
    let k3 = signed(p, "HEAD", "k3", &[], &[], b"");
    assert_eq!(k3.status, 200);
    assert!(k3.h("x-cos-meta-empty").is_none());
}

#[test]
fn fixed_clock_through_the_handle() {
    let e = start("clock");
    let p = e.handle.port();
    put(p, "k", &[], b"x");
    let n = now();
    let old = format!("{};{}", n - 7200, n - 3600);
    let c = Case {
        key_time: old.clone(),
        ..base("expired")
    };
    assert_eq!(run(p, &c).status, 403);
    e.handle.set_now(Some(n - 7000));
    assert_eq!(run(p, &c).status, 200);
    e.handle.set_now(None);
}
