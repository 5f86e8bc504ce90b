//! The emulator's STS over HTTP (issue 14): TC3-signed `POST /` with `X-TC-Action` mints
//! temporary credentials, and COS requests signed with them pass or fail on the credential's
//! CAM policy, one request per condition (PUT with headers, pre-signed PUT with the token in
//! the query, POST form with the token as a field).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::*;
use cos_emulator::sts::Role;
use cos_emulator::util::{hex, hmac_sha256, iso_date, url_encode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// The upload grant `cosPolicy` writes for users/1/ with maxContentLength 1024, PNG/JPEG and
/// SSE-COS (tests/vectors/cam-policies.json, case upload-limits).
fn upload_limits_policy() -> String {
    fixture_policy("upload-limits")
}

/// The policy of a case of tests/vectors/cam-policies.json (written by cos-wasm's `cosPolicy`).
fn fixture_policy(id: &str) -> String {
    let path = format!(
        "{}/../tests/vectors/cam-policies.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["policy"]
        .as_str()
        .unwrap()
        .to_string()
}

const ROLE_ARN: &str = "qcs::cam::uin/100000000001:roleName/uploader";

fn start_sts(tag: &str) -> Emu {
    let dir = temp_dir(tag);
    let mut cfg = config(&dir);
    cfg.roles = vec![Role {
        arn: ROLE_ARN.into(),
        policy: json!({"version": "2.0", "statement": [{"effect": "allow",
            "action": ["name/cos:PutObject", "name/cos:GetObject"],
            "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/role/*"]}]})
        .to_string(),
    }];
    Emu {
        handle: cos_emulator::serve(cfg).unwrap(),
        dir,
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex(&Sha256::digest(b))
}

/// A TC3-HMAC-SHA256 STS call as the official SDK sends it: `host` signed without the port.
fn sts_call(port: u16, ak: &str, sk: &str, action: &str, body: &str, signed_host: &str) -> Value {
    let ts = now();
    let date: String = iso_date(ts).chars().take(10).collect();
    let ct = "application/json";
    let canonical = format!(
        "POST\n/\n\ncontent-type:{ct}\nhost:{signed_host}\n\ncontent-type;host\n{}",
        sha256_hex(body.as_bytes())
    );
    let sts = format!(
        "TC3-HMAC-SHA256\n{ts}\n{date}/sts/tc3_request\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let k = hmac_sha256(
        &hmac_sha256(
            &hmac_sha256(format!("TC3{sk}").as_bytes(), date.as_bytes()),
            b"sts",
        ),
        b"tc3_request",
    );
    let sig = hex(&hmac_sha256(&k, sts.as_bytes()));
    let auth = format!("TC3-HMAC-SHA256 Credential={ak}/{date}/sts/tc3_request, SignedHeaders=content-type;host, Signature={sig}");
    let headers = [
        ("Host", format!("127.0.0.1:{port}")),
        ("Authorization", auth),
        ("Content-Type", ct.to_string()),
        ("X-TC-Action", action.to_string()),
        ("X-TC-Version", "2018-08-13".to_string()),
        ("X-TC-Timestamp", ts.to_string()),
        ("X-TC-Region", "ap-guangzhou".to_string()),
    ];
    let r = raw(port, "POST", "/", &headers, body.as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.h("content-type"), Some("application/json"));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(v["Response"]["RequestId"].is_string(), "{v}");
    v["Response"].clone()
}

struct Temp {
    id: String,
    key: String,
    token: String,
}

fn federation(port: u16, policy: &str, duration: i64) -> Temp {
    let body = json!({"Name": "u1", "Policy": url_encode(policy), "DurationSeconds": duration});
    let r = sts_call(
        port,
        AK,
        SK,
        "GetFederationToken",
        &body.to_string(),
        "127.0.0.1",
    );
    let c = &r["Credentials"];
    assert!(r["ExpiredTime"].as_i64().unwrap() > now(), "{r}");
    Temp {
        id: c["TmpSecretId"].as_str().unwrap().into(),
        key: c["TmpSecretKey"].as_str().unwrap().into(),
        token: c["Token"].as_str().unwrap().into(),
    }
}

/// A request signed with the temporary key over host and every header given, token added
/// unsigned.
fn tmp_req(
    port: u16,
    t: &Temp,
    method: &str,
    key: &str,
    hdrs: &[(&str, String)],
    token: Option<&str>,
    body: &[u8],
) -> Resp {
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    headers.extend(hdrs.iter().cloned());
    let path = format!("/{key}");
    let auth = authorization(&t.id, &t.key, method, &path, &[], &headers, &key_time());
    headers.push(("Authorization", auth));
    if let Some(tok) = token {
        headers.push(("x-cos-security-token", tok.to_string()));
    }
    raw(port, method, &format!("/{}", enc_key(key)), &headers, body)
}

fn image(ct: &str, sse: bool) -> Vec<(&'static str, String)> {
    let mut h = vec![("Content-Type", ct.to_string())];
    if sse {
        h.push(("x-cos-server-side-encryption", "AES256".to_string()));
    }
    h
}

#[test]
fn temporary_credentials_enforce_every_condition_of_their_policy() {
    let emu = start_sts("sts-http-put");
    let port = emu.handle.port();
    let t = federation(port, &upload_limits_policy(), 1800);
    let tok = Some(t.token.as_str());
    let png = image("image/png", true);

    let ok = tmp_req(port, &t, "PUT", "users/1/a.png", &png, tok, b"0123456789");
    assert_eq!(ok.status, 200, "in scope: {}", ok.text());

    let denied = |r: Resp, what: &str| {
        assert_eq!(
            (r.status, r.code()),
            (403, "AccessDenied".to_string()),
            "{what}: {}",
            r.text()
        );
    };
    denied(
        tmp_req(port, &t, "PUT", "users/2/a.png", &png, tok, b"x"),
        "out-of-scope key",
    );
    denied(
        tmp_req(port, &t, "PUT", "users/10/a.png", &png, tok, b"x"),
        "sibling prefix",
    );
    denied(
        tmp_req(port, &t, "PUT", "users/1/big.png", &png, tok, &[0u8; 1025]),
        "oversize",
    );
    denied(
        tmp_req(
            port,
            &t,
            "PUT",
            "users/1/a.html",
            &image("text/html", true),
            tok,
            b"x",
        ),
        "wrong content type",
    );
    denied(
        tmp_req(
            port,
            &t,
            "PUT",
            "users/1/a.png",
            &image("image/png", false),
            tok,
            b"x",
        ),
        "missing SSE",
    );
    // wrong action: the grant uploads only
    for method in ["GET", "DELETE", "HEAD"] {
        let r = tmp_req(port, &t, method, "users/1/a.png", &[], tok, b"");
        assert_eq!(r.status, 403, "{method}");
        if method != "HEAD" {
            assert_eq!(r.code(), "AccessDenied", "{method}");
        }
    }

    // token: missing, wrong, another credential's
    for (what, token) in [("missing", None), ("wrong", Some("not-the-token"))] {
        let r = tmp_req(port, &t, "PUT", "users/1/a.png", &png, token, b"x");
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "InvalidSecurityToken"),
            "{what} token: {}",
            r.text()
        );
        assert!(!r.text().contains(&t.token));
    }
    let other = federation(port, &upload_limits_policy(), 1800);
    let r = tmp_req(
        port,
        &t,
        "PUT",
        "users/1/a.png",
        &png,
        Some(&other.token),
        b"x",
    );
    assert_eq!(r.code(), "InvalidSecurityToken");

    // expiry: the same request after ExpiredTime
    emu.handle.set_now(Some(now() + 1801));
    let r = tmp_req(port, &t, "PUT", "users/1/a.png", &png, tok, b"x");
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "ExpiredToken"),
        "{}",
        r.text()
    );
    emu.handle.set_now(None);

    // the temporary key cannot sign for another secret: a tampered signature still fails
    let mut bad = Temp {
        key: "wrong".into(),
        ..t
    };
    bad.token = other.token.clone();
    let r = tmp_req(
        port,
        &bad,
        "PUT",
        "users/1/a.png",
        &png,
        Some(&other.token),
        b"x",
    );
    assert_eq!(r.code(), "SignatureDoesNotMatch");
}

#[test]
fn presigned_url_carries_the_token_as_a_query_parameter() {
    let emu = start_sts("sts-http-presign");
    let port = emu.handle.port();
    // SSE-COS cannot be asked for through a pre-signed URL: the prefix-only grant
    let t = federation(port, &fixture_policy("upload-prefix"), 1800);
    let headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    let kt = key_time();
    let send = |token: &str| {
        let auth = authorization(&t.id, &t.key, "PUT", "/users/1/p.jpg", &[], &headers, &kt);
        let target = format!(
            "/users/1/p.jpg?{}&x-cos-security-token={}",
            auth.replace(';', "%3B"),
            url_encode(token)
        );
        raw(port, "PUT", &target, &headers, b"jpeg")
    };
    let ok = send(&t.token);
    assert_eq!(ok.status, 200, "{}", ok.text());
    let r = send("forged");
    assert_eq!(r.code(), "InvalidSecurityToken", "{}", r.text());
}

#[test]
fn post_form_is_decided_with_the_file_size_and_its_fields() {
    let emu = start_sts("sts-http-post");
    let port = emu.handle.port();
    let t = federation(port, &upload_limits_policy(), 1800);
    let form = |key: &str, ct: &str, token: &str, file: &[u8]| {
        let kt = key_time();
        let policy = json!({"expiration": iso_date(now() + 600), "conditions": [
            {"bucket": BUCKET}, ["starts-with", "$key", "users/"],
            {"q-sign-algorithm": "sha1"}, {"q-ak": t.id}, {"q-sign-time": kt},
            {"Content-Type": ct}, {"x-cos-server-side-encryption": "AES256"},
            {"x-cos-security-token": token}
        ]})
        .to_string();
        let skey = cos_emulator::util::hex_hmac_sha1(t.key.as_bytes(), kt.as_bytes());
        let sig = cos_emulator::util::hex_hmac_sha1(
            skey.as_bytes(),
            cos_emulator::util::hex_sha1(policy.as_bytes()).as_bytes(),
        );
        let fields = vec![
            ("key", key.to_string()),
            ("Content-Type", ct.to_string()),
            ("x-cos-server-side-encryption", "AES256".to_string()),
            ("x-cos-security-token", token.to_string()),
            ("policy", cos_emulator::util::b64(policy.as_bytes())),
            ("q-sign-algorithm", "sha1".into()),
            ("q-ak", t.id.clone()),
            ("q-key-time", kt.clone()),
            ("q-signature", sig),
        ];
        post_form(&fields, "f.png", file)
    };
    let post = |key: &str, ct: &str, token: &str, file: &[u8]| {
        let (ctype, body) = form(key, ct, token, file);
        raw(
            port,
            "POST",
            "/",
            &[("Host", HOST.to_string()), ("Content-Type", ctype)],
            &body,
        )
    };
    let ok = post("users/1/form.png", "image/png", &t.token, b"png");
    assert_eq!(ok.status, 204, "{}", ok.text());
    for (what, r) in [
        (
            "out of scope",
            post("users/2/form.png", "image/png", &t.token, b"png"),
        ),
        (
            "oversize",
            post("users/1/big.png", "image/png", &t.token, &[1u8; 1025]),
        ),
        (
            "wrong type",
            post("users/1/a.txt", "text/plain", &t.token, b"t"),
        ),
    ] {
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "AccessDenied"),
            "{what}: {}",
            r.text()
        );
    }
    let r = post("users/1/form.png", "image/png", "forged", b"png");
    assert_eq!(r.code(), "InvalidSecurityToken", "{}", r.text());
    // refused uploads leave nothing behind
    assert_eq!(get(port, "users/1/big.png", &[]).status, 404);

    // out of scope is refused before the file is read: announce 64 MiB, send only the fields
    let (ctype, body) = form("users/2/early.png", "image/png", &t.token, b"FILEBYTES");
    let cut = body.windows(9).position(|w| w == b"FILEBYTES").unwrap();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        cut + 64 * 1024 * 1024
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..cut]).unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    let r = parse_response(&buf[..n], false);
    assert_eq!((r.status, r.h("x-cos-request-id").is_some()), (403, true));
}

#[test]
fn assume_role_intersects_the_role_policy_with_the_session_policy() {
    let emu = start_sts("sts-http-role");
    let port = emu.handle.port();
    let body = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s1"}).to_string();
    let r = sts_call(port, AK, SK, "AssumeRole", &body, "127.0.0.1");
    let c = &r["Credentials"];
    let t = Temp {
        id: c["TmpSecretId"].as_str().unwrap().into(),
        key: c["TmpSecretKey"].as_str().unwrap().into(),
        token: c["Token"].as_str().unwrap().into(),
    };
    let ok = tmp_req(port, &t, "PUT", "role/a.txt", &[], Some(&t.token), b"r");
    assert_eq!(ok.status, 200, "{}", ok.text());
    let r = tmp_req(port, &t, "PUT", "users/1/a.png", &[], Some(&t.token), b"r");
    assert_eq!(r.code(), "AccessDenied");

    // a session policy narrows the role to role/narrow/
    let narrow = json!({"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:*"],
        "resource": ["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/role/narrow/*"]}]})
    .to_string();
    let body = json!({"RoleArn": ROLE_ARN, "RoleSessionName": "s2", "Policy": url_encode(&narrow)})
        .to_string();
    let r = sts_call(port, AK, SK, "AssumeRole", &body, "127.0.0.1");
    let c = &r["Credentials"];
    let t = Temp {
        id: c["TmpSecretId"].as_str().unwrap().into(),
        key: c["TmpSecretKey"].as_str().unwrap().into(),
        token: c["Token"].as_str().unwrap().into(),
    };
    assert_eq!(
        tmp_req(port, &t, "PUT", "role/narrow/a", &[], Some(&t.token), b"r").status,
        200
    );
    assert_eq!(
        tmp_req(port, &t, "PUT", "role/a.txt", &[], Some(&t.token), b"r").code(),
        "AccessDenied"
    );

    let body = json!({"RoleArn": "qcs::cam::uin/1:roleName/none", "RoleSessionName": "s"});
    let r = sts_call(port, AK, SK, "AssumeRole", &body.to_string(), "127.0.0.1");
    assert_eq!(r["Error"]["Code"], "InvalidParameter.RoleNotExist");
}

#[test]
fn sts_errors_come_back_in_the_tencent_response_shape() {
    let emu = start_sts("sts-http-errors");
    let port = emu.handle.port();
    let body = json!({"Name": "u", "Policy": url_encode(&upload_limits_policy())}).to_string();
    let t = federation(port, &upload_limits_policy(), 60);
    let long = json!({"Name": "u", "Policy": url_encode(&upload_limits_policy()), "DurationSeconds": 7201})
        .to_string();
    // (what, SecretId, SecretKey, action, body, host signed) → Tencent error code
    let cases: [(&str, &str, &str, &str, &str, &str, &str); 7] = [
        (
            "wrong secret",
            AK,
            "wrong",
            "GetFederationToken",
            &body,
            "127.0.0.1",
            "AuthFailure.SignatureFailure",
        ),
        (
            "unknown id",
            "AKIDnobody",
            SK,
            "GetFederationToken",
            &body,
            "127.0.0.1",
            "AuthFailure.SecretIdNotFound",
        ),
        (
            "another host signed",
            AK,
            SK,
            "GetFederationToken",
            &body,
            "sts.tencentcloudapi.com",
            "AuthFailure.SignatureFailure",
        ),
        // a temporary key (configured with a token, or issued) cannot call STS
        (
            "configured temporary key",
            TMP_AK,
            TMP_SK,
            "GetFederationToken",
            &body,
            "127.0.0.1",
            "AuthFailure.SecretIdNotFound",
        ),
        (
            "issued temporary key",
            &t.id,
            &t.key,
            "GetFederationToken",
            &body,
            "127.0.0.1",
            "AuthFailure.SecretIdNotFound",
        ),
        (
            "unknown action",
            AK,
            SK,
            "DeleteEverything",
            &body,
            "127.0.0.1",
            "InvalidAction",
        ),
        (
            "too long",
            AK,
            SK,
            "GetFederationToken",
            &long,
            "127.0.0.1",
            "InvalidParameter.DurationSecondsOutOfRange",
        ),
    ];
    for (what, id, key, action, body, host, want) in cases {
        let r = sts_call(port, id, key, action, body, host);
        assert_eq!(r["Error"]["Code"], want, "{what}: {r}");
        assert!(!r.to_string().contains(key), "{what}: the secret is echoed");
    }
    // unsigned: still the JSON shape, never a COS XML error
    let r = raw(
        port,
        "POST",
        "/",
        &[
            ("Host", format!("127.0.0.1:{port}")),
            ("Content-Type", "application/json".into()),
            ("X-TC-Action", "GetFederationToken".into()),
        ],
        body.as_bytes(),
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["Response"]["Error"]["Code"], "MissingParameter", "{v}");
    assert!(!r.text().contains(SK));
}

#[test]
fn acl_condition_pins_x_cos_acl() {
    let emu = start_sts("sts-http-acl");
    let port = emu.handle.port();
    let t = federation(port, &fixture_policy("upload-acl"), 1800);
    let tok = Some(t.token.as_str());
    let acl = |v: &str| vec![("x-cos-acl", v.to_string())];
    let ok = tmp_req(port, &t, "PUT", "users/1/a", &acl("private"), tok, b"a");
    assert_eq!(ok.status, 200, "{}", ok.text());
    for (what, h) in [
        ("public-read", acl("public-read")),
        ("default", acl("default")),
        ("missing", vec![]),
    ] {
        let r = tmp_req(port, &t, "PUT", "users/1/a", &h, tok, b"a");
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "AccessDenied"),
            "{what}"
        );
    }
}

/// A request signed with the temporary key over host, every header and every query parameter
/// given; the token added as an unsigned header.
fn tmp_signed(
    port: u16,
    t: &Temp,
    (method, key, query): (&str, &str, &[(&str, &str)]),
    hdrs: &[(&str, String)],
    body: &[u8],
) -> Resp {
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    headers.extend(hdrs.iter().cloned());
    let auth = authorization(
        &t.id,
        &t.key,
        method,
        &format!("/{key}"),
        query,
        &headers,
        &key_time(),
    );
    headers.push(("Authorization", auth));
    headers.push(("x-cos-security-token", t.token.clone()));
    let qs = query_string(query);
    let target = format!(
        "/{}{}{qs}",
        enc_key(key),
        if qs.is_empty() { "" } else { "?" }
    );
    raw(port, method, &target, &headers, body)
}

/// A POST form signed with the temporary key: `key` field, file name, `extra` fields (each
/// pinned by the form policy, which the holder writes).
fn tmp_form(
    port: u16,
    t: &Temp,
    (key, filename): (&str, &str),
    extra: &[(&str, String)],
    file: &[u8],
) -> Resp {
    let kt = key_time();
    let mut conds = vec![
        json!({"bucket": BUCKET}),
        json!(["starts-with", "$key", "users/"]),
        json!({"q-sign-algorithm": "sha1"}),
        json!({"q-ak": t.id}),
        json!({"q-sign-time": kt}),
        json!({"x-cos-security-token": t.token}),
    ];
    conds.extend(extra.iter().map(|(k, v)| json!({ *k: v })));
    let policy = json!({"expiration": iso_date(now() + 600), "conditions": conds}).to_string();
    let skey = cos_emulator::util::hex_hmac_sha1(t.key.as_bytes(), kt.as_bytes());
    let sig = cos_emulator::util::hex_hmac_sha1(
        skey.as_bytes(),
        cos_emulator::util::hex_sha1(policy.as_bytes()).as_bytes(),
    );
    let mut fields = vec![("key", key.to_string())];
    fields.extend(extra.iter().cloned());
    fields.extend([
        ("x-cos-security-token", t.token.clone()),
        ("policy", cos_emulator::util::b64(policy.as_bytes())),
        ("q-sign-algorithm", "sha1".into()),
        ("q-ak", t.id.clone()),
        ("q-key-time", kt),
        ("q-signature", sig),
    ]);
    let (ctype, body) = post_form(&fields, filename, file);
    let headers = [("Host", HOST.to_string()), ("Content-Type", ctype)];
    raw(port, "POST", "/", &headers, &body)
}

/// Red-team pass over the enforcement: a holder of a key scoped to users/1/ (≤ 1024 bytes,
/// image/png, ACL private; parts ≤ 1024) that may also read and delete elsewhere except
/// under an explicit deny of secret/. Each row is one attempt. Holes it found, now fixed: a
/// copy stored a 5000-byte or text/html source; a part copied 5000 bytes; a form field named
/// content-length stood in for the file's size; a form's `acl` was judged while its
/// `x-cos-acl` was stored; batch delete removed keys under the deny; a pre-signed URL's forged
/// query token was ignored beside a good header token; GetBucket read `?encryption`; deny
/// statements with `name/cos:Get*`, `string_like` or an unknown operator did not apply; two
/// Content-Type headers slipped past a deny; `x-cos-storage-class: archive` (stored ARCHIVE)
/// slipped past a deny of ARCHIVE, a form's `acl= public-read` past a deny of public-read.
/// The other rows held and stay pinned.
#[test]
fn hostile_holder_of_a_scoped_key_is_refused() {
    let emu = start_sts("sts-http-redteam");
    let port = emu.handle.port();
    let res = |k: &str| format!("qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/{k}");
    let policy = json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": ["name/cos:PutObject", "name/cos:PostObject"],
         "resource": [res("users/1/*")],
         "condition": {"numeric_less_than_equal": {"cos:content-length": 1024},
            "string_equal": {"cos:x-cos-acl": "private", "cos:content-type": "image/png"}}},
        {"effect": "allow", "action": ["name/cos:UploadPart"], "resource": [res("users/1/*")],
         "condition": {"numeric_less_than_equal": {"cos:content-length": 1024}}},
        {"effect": "allow", "action": ["name/cos:GetObject", "name/cos:GetBucket",
            "name/cos:DeleteObject", "name/cos:DeleteMultipleObjects"], "resource": [res("*")]},
        {"effect": "deny", "action": ["name/cos:*"], "resource": [res("secret/*")]}
    ]})
    .to_string();
    let t = federation(port, &policy, 1800);
    let html = [("Content-Type", "text/html".to_string())];
    let png = [("Content-Type", "image/png".to_string())];
    assert_eq!(put(port, "pub/big.png", &png, &[7u8; 5000]).status, 200);
    assert_eq!(put(port, "pub/small.html", &html, b"<b>x</b>").status, 200);
    assert_eq!(put(port, "pub/small.png", &png, b"png").status, 200);
    assert_eq!(put(port, "secret/s", &[], b"s").status, 200);
    let upload = upload_id(&signed(
        port,
        "POST",
        "users/1/mp",
        &[("uploads", "")],
        &[],
        b"",
    ));
    let other_upload = upload_id(&signed(
        port,
        "POST",
        "other/mp",
        &[("uploads", "")],
        &[],
        b"",
    ));
    let src = |k: &str| format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/{k}");
    fn dest<'a>(extra: &[(&'a str, String)]) -> Vec<(&'a str, String)> {
        let mut h = vec![
            ("Content-Type", "image/png".to_string()),
            ("x-cos-acl", "private".to_string()),
        ];
        h.extend(extra.iter().cloned());
        h
    }
    let copy = |k: &str| dest(&[("x-cos-copy-source", src(k))]);
    let part = [("partNumber", "1"), ("uploadId", upload.as_str())];
    let part_copy = |range: Option<&str>| {
        let mut h = vec![("x-cos-copy-source", src("pub/big.png"))];
        h.extend(range.map(|r| ("x-cos-copy-source-range", r.to_string())));
        tmp_signed(port, &t, ("PUT", "users/1/mp", &part), &h, b"")
    };
    let form_png = |extra: &[(&str, String)], file: &[u8]| {
        let mut f = vec![("Content-Type", "image/png".to_string())];
        f.extend(extra.iter().cloned());
        tmp_form(port, &t, ("users/1/form", "f.png"), &f, file)
    };
    let presigned_forged_query = {
        let headers = vec![("Host", HOST.to_string())];
        let auth = authorization(
            &t.id,
            &t.key,
            "GET",
            "/pub/small.png",
            &[],
            &headers,
            &key_time(),
        );
        let target = format!(
            "/pub/small.png?{}&x-cos-security-token=forged",
            auth.replace(';', "%3B")
        );
        let mut h = headers.clone();
        h.push(("x-cos-security-token", t.token.clone()));
        raw(port, "GET", &target, &h, b"")
    };
    let batch = "<Delete><Object><Key>secret/s</Key></Object></Delete>";
    let md5 = cos_emulator::util::b64(&cos_emulator::util::md5(batch.as_bytes()));
    let chunked = {
        let mut b = b"bb8\r\n".to_vec();
        b.extend([1u8; 3000]);
        b.extend(b"\r\n0\r\n\r\n");
        b
    };
    let te = ("Transfer-Encoding", "chunked".to_string());
    let acl_xml = "<AccessControlPolicy><Owner><ID>qcs::cam::uin/1250000000:uin/1250000000</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>";
    let short = federation(port, &policy, 60);

    let rows: Vec<(&str, Resp, u16, &str)> = vec![
        // in scope: what the grant allows still works
        (
            "copy of a small png",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/c.png", &[]),
                &copy("pub/small.png"),
                b"",
            ),
            200,
            "",
        ),
        (
            "part copy of 100 bytes",
            part_copy(Some("bytes=0-99")),
            200,
            "",
        ),
        (
            "form with acl=private",
            form_png(&[("acl", "private".into())], b"png"),
            204,
            "",
        ),
        // holes, fixed
        (
            "copy of a 5000-byte source",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/big.png", &[]),
                &copy("pub/big.png"),
                b"",
            ),
            403,
            "AccessDenied",
        ),
        (
            "copy keeping a text/html source's type",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/x.png", &[]),
                &copy("pub/small.html"),
                b"",
            ),
            403,
            "AccessDenied",
        ),
        (
            "part copy of a 5000-byte source",
            part_copy(None),
            403,
            "AccessDenied",
        ),
        (
            "form field content-length: 1, 3000-byte file",
            form_png(
                &[("acl", "private".into()), ("content-length", "1".into())],
                &[1u8; 3000],
            ),
            403,
            "AccessDenied",
        ),
        (
            "form acl=private and x-cos-acl=public-read",
            form_png(
                &[
                    ("acl", "private".into()),
                    ("x-cos-acl", "public-read".into()),
                ],
                b"png",
            ),
            400,
            "InvalidArgument",
        ),
        (
            "pre-signed, forged query token beside a good header",
            presigned_forged_query,
            403,
            "InvalidSecurityToken",
        ),
        // held
        (
            "Content-Length: 10 with a 3000-byte chunked body",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/te.png", &[]),
                &dest(&[("Content-Length", "10".into()), te.clone()]),
                &chunked,
            ),
            403,
            "AccessDenied",
        ),
        (
            "chunked body without Content-Length",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/te.png", &[]),
                &dest(std::slice::from_ref(&te)),
                &chunked,
            ),
            403,
            "AccessDenied",
        ),
        (
            "abort another key's upload through users/1/",
            tmp_signed(
                port,
                &t,
                (
                    "DELETE",
                    "users/1/mp",
                    &[("uploadId", other_upload.as_str())],
                ),
                &[],
                b"",
            ),
            403,
            "AccessDenied",
        ),
        (
            "part for another key's upload",
            tmp_signed(
                port,
                &t,
                (
                    "PUT",
                    "users/1/mp",
                    &[("partNumber", "1"), ("uploadId", other_upload.as_str())],
                ),
                &[],
                b"p",
            ),
            404,
            "NoSuchUpload",
        ),
        (
            "PUT ?acl with an XML body",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/c.png", &[("acl", "")]),
                &dest(&[]),
                acl_xml.as_bytes(),
            ),
            403,
            "AccessDenied",
        ),
        (
            "form key with ${filename} = ../2/x",
            tmp_form(
                port,
                &t,
                ("users/1/${filename}", "../2/x.png"),
                &[
                    ("Content-Type", "image/png".into()),
                    ("acl", "private".into()),
                ],
                b"png",
            ),
            204,
            "",
        ),
        (
            "read under the deny",
            tmp_signed(port, &t, ("GET", "secret/s", &[]), &[], b""),
            403,
            "AccessDenied",
        ),
        (
            "copy out of the deny",
            tmp_signed(
                port,
                &t,
                ("PUT", "users/1/s.png", &[]),
                &copy("secret/s"),
                b"",
            ),
            403,
            "AccessDenied",
        ),
    ];
    let list_buckets = {
        let headers = vec![("Host", format!("127.0.0.1:{port}"))];
        let auth = authorization(&t.id, &t.key, "GET", "/", &[], &headers, &key_time());
        let mut h = headers.clone();
        h.push(("Authorization", auth));
        h.push(("x-cos-security-token", t.token.clone()));
        raw(port, "GET", "/", &h, b"")
    };
    let mut rows = rows;
    // held: dot segments are part of the key (stored as sent, judged as sent)
    rows.push((
        "PUT users/1/../2/y.png",
        tmp_signed(
            port,
            &t,
            ("PUT", "users/1/../2/y.png", &[]),
            &dest(&[]),
            b"y",
        ),
        200,
        "",
    ));
    rows.extend([
        // hole, fixed: GetBucket (listing) also read the bucket's encryption; GET Service is
        // GetService (it held here only because the resource names no bucket)
        (
            "GET ?encryption with GetBucket only",
            tmp_signed(port, &t, ("GET", "", &[("encryption", "")]), &[], b""),
            403,
            "AccessDenied",
        ),
        (
            "GET Service with GetBucket only",
            list_buckets,
            403,
            "AccessDenied",
        ),
    ]);
    emu.handle.set_now(Some(now() + 60));
    rows.push((
        "exactly at ExpiredTime",
        tmp_signed(
            port,
            &short,
            ("PUT", "users/1/e.png", &[]),
            &dest(&[]),
            b"x",
        ),
        400,
        "ExpiredToken",
    ));
    emu.handle.set_now(None);
    for (what, r, status, code) in rows {
        assert_eq!(
            (r.status, r.code().as_str()),
            (status, code),
            "{what}: {}",
            r.text()
        );
    }
    // nothing out of bounds was stored
    for k in [
        "users/1/big.png",
        "users/1/x.png",
        "users/1/te.png",
        "users/2/x.png",
    ] {
        assert_eq!(get(port, k, &[]).status, 404, "{k}");
    }
    assert!(get(port, "users/1/form", &[]).body.len() <= 1024);

    // deny statements apply whatever they use: an action wildcard (`name/cos:Get*`, as in COS's
    // preset policies), `string_like`, and an operator the emulator does not evaluate (it used
    // to make the deny silently not match: fail open)
    let deny = json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": ["name/cos:*"], "resource": [res("users/1/*")]},
        {"effect": "deny", "action": ["name/cos:Get*"], "resource": [res("users/1/*")]},
        {"effect": "deny", "action": ["name/cos:PutObject"], "resource": [res("users/1/*")],
         "condition": {"string_like": {"cos:content-type": "text/*"}}},
        {"effect": "deny", "action": ["name/cos:PutObject"], "resource": [res("users/1/*")],
         "condition": {"string_equal": {"cos:x-cos-storage-class": "ARCHIVE"}}},
        {"effect": "deny", "action": ["name/cos:PutObject", "name/cos:PostObject"], "resource": [res("users/1/*")],
         "condition": {"string_equal": {"cos:x-cos-acl": "public-read"}}},
        {"effect": "deny", "action": ["name/cos:PutObject"], "resource": [res("users/1/locked/*")],
         "condition": {"date_less_than": {"qcs:current_time": "2100-01-01T00:00:00Z"}}}
    ]})
    .to_string();
    let d = federation(port, &deny, 1800);
    for (what, r, status) in [
        (
            "png",
            tmp_signed(port, &d, ("PUT", "users/1/d.png", &[]), &png, b"p"),
            200,
        ),
        (
            "GET under deny Get*",
            tmp_signed(port, &d, ("GET", "users/1/d.png", &[]), &[], b""),
            403,
        ),
        (
            "text/html under string_like",
            tmp_signed(port, &d, ("PUT", "users/1/d.html", &[]), &html, b"h"),
            403,
        ),
        (
            "unknown operator in a deny",
            tmp_signed(port, &d, ("PUT", "users/1/locked/d.png", &[]), &png, b"p"),
            403,
        ),
        // the emulator stores the storage class upper-cased: "archive" was not ARCHIVE to a deny
        (
            "x-cos-storage-class: archive under a deny of ARCHIVE",
            tmp_signed(
                port,
                &d,
                ("PUT", "users/1/a.png", &[]),
                &[png[0].clone(), ("x-cos-storage-class", "archive".into())],
                b"p",
            ),
            403,
        ),
        // a form field is not trimmed by HTTP: " public-read" was not public-read to a deny,
        // and stored trimmed
        (
            "form acl=\" public-read\" under a deny of public-read",
            tmp_form(
                port,
                &d,
                ("users/1/pub", "f"),
                &[("acl", " public-read".into())],
                b"p",
            ),
            403,
        ),
        // two Content-Type headers were judged joined ("image/png,text/html" is not text/*)
        // and stored so; a browser takes the last one
        (
            "Content-Type twice",
            {
                // signed as the server reads it (joined), sent as two headers
                let joined = [
                    ("Host", HOST.to_string()),
                    ("Content-Type", "image/png,text/html".into()),
                ];
                let auth = authorization(
                    &d.id,
                    &d.key,
                    "PUT",
                    "/users/1/dup.png",
                    &[],
                    &joined,
                    &key_time(),
                );
                let h = [
                    joined[0].clone(),
                    png[0].clone(),
                    html[0].clone(),
                    ("Authorization", auth),
                    ("x-cos-security-token", d.token.clone()),
                ];
                raw(port, "PUT", "/users/1/dup.png", &h, b"<b>")
            },
            400,
        ),
    ] {
        assert_eq!(r.status, status, "{what}: {}", r.text());
    }

    // held: the upload grant of cosPolicy (upload-limits) refuses a multipart upload initiated
    // without SSE or with another type, so no part can follow
    let u = federation(port, &upload_limits_policy(), 1800);
    let init = |hdrs: &[(&str, String)]| {
        tmp_signed(
            port,
            &u,
            ("POST", "users/1/m.png", &[("uploads", "")]),
            hdrs,
            b"",
        )
    };
    assert_eq!(init(&image("image/png", false)).code(), "AccessDenied");
    assert_eq!(init(&image("text/html", true)).code(), "AccessDenied");
    assert_eq!(init(&image("image/png", true)).status, 200);

    // batch delete: each key is judged as DeleteObject, so the deny holds
    let r = tmp_signed(
        port,
        &t,
        ("POST", "", &[("delete", "")]),
        &[("Content-MD5", md5)],
        batch.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text()
            .contains("<Key>secret/s</Key><Code>AccessDenied</Code>"),
        "{}",
        r.text()
    );
    assert_eq!(get(port, "secret/s", &[]).status, 200);
}

/// Issue 26: the official resumable uploaders start with `GET /?uploads&prefix=<key>`; the
/// upload preset of `cosPolicy` (with ListMultipartUploads and ListParts) lets them list the
/// uploads of keys in its scope, and no others.
#[test]
fn list_multipart_uploads_is_judged_on_the_listed_prefix() {
    let e = start_sts("sts-list-uploads");
    let p = e.handle.port();
    let base = format!("qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/");
    let actions: Vec<String> = [
        "PostObject",
        "PutObject",
        "InitiateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "ListMultipartUploads",
        "ListParts",
    ]
    .iter()
    .map(|a| format!("name/cos:{a}"))
    .collect();
    let policy = json!({"version": "2.0", "statement": [
        {"effect": "allow", "action": actions, "resource": [format!("{base}users/1/*")]}
    ]})
    .to_string();
    let t = federation(p, &policy, 1800);
    let init = tmp_signed(
        p,
        &t,
        ("POST", "users/1/big.bin", &[("uploads", "")]),
        &[],
        b"",
    );
    assert_eq!(init.status, 200, "{}", init.text());
    let list = |prefix: &str| {
        tmp_signed(
            p,
            &t,
            ("GET", "", &[("uploads", ""), ("prefix", prefix)]),
            &[],
            b"",
        )
    };
    let r = list("users/1/big.bin");
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.text().contains("<Key>users/1/big.bin</Key>"),
        "{}",
        r.text()
    );
    for other in ["users/2/", "users/", ""] {
        let r = list(other);
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "AccessDenied"),
            "{other}"
        );
    }
    let uid = upload_id(&init);
    let parts = tmp_signed(
        p,
        &t,
        ("GET", "users/1/big.bin", &[("uploadId", &uid)]),
        &[],
        b"",
    );
    assert_eq!(parts.status, 200, "{}", parts.text());
}

/// Issue 26: a chunked PUT (no Content-Length) passed a `deny` and an `_if_exist` size limit
/// (50,000 B stored under a 1,000 B cap). Streamed bodies are decided again with their size.
#[test]
fn streamed_bodies_meet_the_size_conditions() {
    let e = start_sts("sts-streamed");
    let p = e.handle.port();
    let res = format!("qcs::cos:ap-guangzhou:uid/1250000000:{BUCKET}/s/*");
    let put = |t: &Temp, key: &str, body: &[u8], chunked: bool| {
        let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
        let auth = authorization(
            &t.id,
            &t.key,
            "PUT",
            &format!("/{key}"),
            &[],
            &headers,
            &key_time(),
        );
        headers.push(("Authorization", auth));
        headers.push(("x-cos-security-token", t.token.clone()));
        if chunked {
            raw_chunked(p, "PUT", &format!("/{key}"), &headers, body)
        } else {
            raw(p, "PUT", &format!("/{key}"), &headers, body)
        }
    };
    for (name, policy) in [
        (
            "deny over 1000",
            json!({"version": "2.0", "statement": [
                {"effect": "allow", "action": ["name/cos:PutObject"], "resource": [res]},
                {"effect": "deny", "action": ["name/cos:PutObject"], "resource": [res],
                 "condition": {"numeric_greater_than": {"cos:content-length": 1000}}}
            ]}),
        ),
        (
            "allow up to 1000 if it exists",
            json!({"version": "2.0", "statement": [
                {"effect": "allow", "action": ["name/cos:PutObject"], "resource": [res],
                 "condition": {"numeric_less_than_equal_if_exist": {"cos:content-length": 1000}}}
            ]}),
        ),
    ] {
        let t = federation(p, &policy.to_string(), 1800);
        let r = put(&t, "s/big", &vec![b'x'; 50_000], true);
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "AccessDenied"),
            "{name}: {}",
            r.text()
        );
        assert_eq!(get(p, "s/big", &[]).status, 404, "{name}: nothing stored");
        let r = put(&t, "s/small", &[b'y'; 500], true);
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        let r = put(&t, "s/big", &vec![b'x'; 50_000], false);
        assert_eq!(r.status, 403, "{name}");
    }
    // a folder key stays empty when its body is chunked too (the 5 GB cap is the same
    // bounded write with another limit)
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    let auth = authorization(AK, SK, "PUT", "/dir/", &[], &headers, &key_time());
    headers.push(("Authorization", auth));
    let r = raw_chunked(p, "PUT", "/dir/", &headers, b"not empty");
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidArgument"),
        "{}",
        r.text()
    );
    assert_eq!(get(p, "dir/", &[]).status, 404);
    let r = raw_chunked(p, "PUT", "/dir/", &headers, b"");
    assert_eq!(r.status, 200, "{}", r.text());
}
