//! The verifier accepts every non-rejected case of the shared signing vectors
//! (produced by the official SDKs) and the worked examples of the COS docs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cos_emulator::auth::{self, Credential, SignedRequest};
use cos_emulator::util::{b64, parse_query, url_decode};
use serde_json::Value;

fn vectors() -> Value {
    // The official-SDK vectors kept in the repository (tests/vectors/), or $COS_VECTORS.
    let p = std::env::var("COS_VECTORS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/vectors/cos-signing.json"
        )
        .to_owned()
    });
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}")))
        .unwrap()
}

fn cred(input: &Value) -> Vec<Credential> {
    vec![Credential {
        secret_id: input["secret_id"].as_str().unwrap().into(),
        secret_key: input["secret_key"].as_str().unwrap().into(),
        token: None,
    }]
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::Null => String::new(),
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), s)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn auth_vectors_verify() {
    let v = vectors();
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        if c["kind"] != "auth" || c["expected"]["reject"].as_bool() == Some(true) {
            continue;
        }
        let input = &c["input"];
        let path = input["path"].as_str().unwrap();
        let path = if path.starts_with('/') {
            path.to_string()
        } else {
            format!("/{path}")
        };
        let query = pairs(&input["query"]);
        let headers = pairs(&input["headers"]);
        let params =
            auth::parse_authorization(c["expected"]["authorization"].as_str().unwrap()).unwrap();
        let req = SignedRequest {
            method: input["method"].as_str().unwrap(),
            path: &path,
            query: &query,
            headers: &headers,
        };
        let creds = cred(input);
        if let Err(e) = auth::verify(&req, &params, &creds, None, 900) {
            panic!("{}: {} {}", c["id"], e.code, e.message);
        }
        // and a tampered signature is refused
        let mut bad = params.clone();
        bad.signature = format!("{}0", &bad.signature[..39]);
        if bad.signature == params.signature {
            bad.signature = format!("{}1", &bad.signature[..39]);
        }
        let e = auth::verify(&req, &bad, &creds, None, 900).unwrap_err();
        assert_eq!(e.code, "SignatureDoesNotMatch", "{}", c["id"]);
        n += 1;
    }
    assert!(n >= 30, "only {n} auth cases");
}

#[test]
fn presign_vectors_verify() {
    let v = vectors();
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        if c["kind"] != "presign" || c["expected"]["url"].is_null() {
            continue;
        }
        let input = &c["input"];
        let url = c["expected"]["url"].as_str().unwrap();
        let rest = url.split_once("://").unwrap().1;
        let (host, pq) = rest.split_at(rest.find('/').unwrap());
        let (raw_path, raw_query) = pq.split_once('?').unwrap_or((pq, ""));
        let path = url_decode(raw_path).unwrap();
        let query = parse_query(raw_query).unwrap();
        let mut headers = pairs(&input["headers"]);
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            headers.push(("host".into(), host.to_string()));
        }
        let params = auth::from_pairs(&query).unwrap();
        let req = SignedRequest {
            method: input["method"].as_str().unwrap(),
            path: &path,
            query: &query,
            headers: &headers,
        };
        if let Err(e) = auth::verify(&req, &params, &cred(input), None, 900) {
            panic!("{}: {} {} {:?}", c["id"], e.code, e.message, e.extra);
        }
        n += 1;
    }
    assert!(n >= 15, "only {n} presign cases");
}

#[test]
fn post_policy_vectors_verify() {
    let v = vectors();
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        if c["kind"] != "post_policy" {
            continue;
        }
        let input = &c["input"];
        let fields: Vec<(String, String)> = pairs(&c["expected"]["fields"]);
        let kt = input["key_time"].as_str().unwrap();
        let start: i64 = kt.split(';').next().unwrap().parse().unwrap();
        let policy: Value =
            serde_json::from_str(c["expected"]["policy_json"].as_str().unwrap()).unwrap();
        let mut len = 0;
        for cond in policy["conditions"].as_array().unwrap() {
            if cond[0] == "content-length-range" {
                len = cond[1].as_u64().unwrap();
            }
        }
        let key = fields.iter().find(|(k, _)| k == "key").unwrap().1.clone();
        let creds = cred(input);
        let r = auth::verify_post_policy(
            &fields,
            input["bucket"].as_str().unwrap(),
            &key,
            len,
            &creds,
            start + 1,
            900,
        );
        if let Err(e) = r {
            panic!("{}: {} {}", c["id"], e.code, e.message);
        }
        n += 1;
    }
    assert!(n >= 5);
}

const DOC_AK: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const DOC_SK: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";

fn doc_cred() -> Vec<Credential> {
    vec![Credential {
        secret_id: DOC_AK.into(),
        secret_key: DOC_SK.into(),
        token: None,
    }]
}

#[test]
fn doc_worked_example_put() {
    let headers: Vec<(String, String)> = [
        ("Date", "Thu, 16 May 2019 06:45:51 GMT"),
        (
            "Host",
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com",
        ),
        ("Content-Type", "text/plain"),
        ("Content-Length", "13"),
        ("Content-MD5", "mQ/fVh815F3k6TAUm8m0eg=="),
        ("x-cos-acl", "private"),
        ("x-cos-grant-read", "uin=\"100000000011\""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let path = url_decode("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)").unwrap();
    let authz = "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989151;1557996351&q-key-time=1557989151;1557996351&q-header-list=content-length;content-md5;content-type;date;host;x-cos-acl;x-cos-grant-read&q-url-param-list=&q-signature=3b8851a11a569213c17ba8fa7dcf2abec6935172";
    let req = SignedRequest {
        method: "PUT",
        path: &path,
        query: &[],
        headers: &headers,
    };
    let p = auth::parse_authorization(authz).unwrap();
    auth::verify(&req, &p, &doc_cred(), Some(1557989151 + 5), 900).unwrap();
    // expired
    let e = auth::verify(&req, &p, &doc_cred(), Some(1557996351 + 1), 900).unwrap_err();
    assert_eq!((e.status, e.code), (403, "AccessDenied"));
    assert!(e.message.contains("Request has expired"));
    // missing signed header
    let short: Vec<(String, String)> = headers[1..].to_vec();
    let req2 = SignedRequest {
        headers: &short,
        ..req
    };
    assert!(auth::verify(&req2, &p, &doc_cred(), None, 900).is_err());
    // changed header value
    let mut changed = headers.clone();
    changed[6].1 = "uin=\"100000000012\"".into();
    let req3 = SignedRequest {
        method: "PUT",
        path: &path,
        query: &[],
        headers: &changed,
    };
    let e = auth::verify(&req3, &p, &doc_cred(), None, 900).unwrap_err();
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert!(e.extra.iter().any(|(k, _)| *k == "FormatString"));
}

#[test]
fn doc_worked_example_get() {
    let headers = vec![
        (
            "Date".to_string(),
            "Thu, 16 May 2019 06:55:53 GMT".to_string(),
        ),
        (
            "Host".to_string(),
            "examplebucket-1250000000.cos.ap-beijing.myqcloud.com".to_string(),
        ),
    ];
    let query = parse_query(
        "response-content-type=application%2Foctet-stream&response-cache-control=max-age%3D600",
    )
    .unwrap();
    let path = url_decode("/exampleobject(%E8%85%BE%E8%AE%AF%E4%BA%91)").unwrap();
    let authz = "q-sign-algorithm=sha1&q-ak=AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q&q-sign-time=1557989753;1557996953&q-key-time=1557989753;1557996953&q-header-list=date;host&q-url-param-list=response-cache-control;response-content-type&q-signature=01681b8c9d798a678e43b685a9f1bba0f6c0e012";
    let req = SignedRequest {
        method: "GET",
        path: &path,
        query: &query,
        headers: &headers,
    };
    auth::verify(
        &req,
        &auth::parse_authorization(authz).unwrap(),
        &doc_cred(),
        None,
        900,
    )
    .unwrap();
}

#[test]
fn doc_worked_example_post_policy() {
    let policy = "{\n    \"expiration\": \"2019-08-30T09:38:12.414Z\",\n    \"conditions\": [\n        { \"acl\": \"default\" },\n        { \"bucket\": \"examplebucket-1250000000\" },\n        [ \"starts-with\", \"$key\", \"folder/subfolder/\" ],\n        [ \"starts-with\", \"$Content-Type\", \"image/\" ],\n        [ \"starts-with\", \"$success_action_redirect\", \"https://my.website/\" ],\n        [ \"eq\", \"$x-cos-server-side-encryption\", \"AES256\" ],\n        { \"q-sign-algorithm\": \"sha1\" },\n        { \"q-ak\": \"AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q\" },\n        { \"q-sign-time\": \"1567150692;1567157892\" }\n    ]\n}";
    let b = b64(policy.as_bytes());
    assert!(b.starts_with("ewogICAgImV4cGlyYXRpb24iOiAiMjAxOS0wOC0zMFQwOTozODoxMi40MTRaIiwK"));
    let mut fields: Vec<(String, String)> = [
        ("key", "folder/subfolder/${filename}"),
        ("acl", "default"),
        ("Content-Type", "image/png"),
        ("success_action_redirect", "https://my.website/done"),
        ("x-cos-server-side-encryption", "AES256"),
        ("q-sign-algorithm", "sha1"),
        ("q-ak", DOC_AK),
        ("q-key-time", "1567150692;1567157892"),
        ("q-signature", "7758dc9a832e9d301dca704cacbf9d9f8172fdef"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    fields.push(("policy".into(), b.clone()));
    let creds = doc_cred();
    let ok = auth::verify_post_policy(
        &fields,
        "examplebucket-1250000000",
        "folder/subfolder/a.png",
        10,
        &creds,
        1567150700,
        900,
    );
    ok.unwrap();
    // starts-with violated
    let e = auth::verify_post_policy(
        &fields,
        "examplebucket-1250000000",
        "other/a.png",
        10,
        &creds,
        1567150700,
        900,
    )
    .unwrap_err();
    assert_eq!(e.code, "AccessDenied");
    // past the policy expiration (2019-08-30T09:38:12Z)
    let e = auth::verify_post_policy(
        &fields,
        "examplebucket-1250000000",
        "folder/subfolder/a.png",
        10,
        &creds,
        1567157893,
        900,
    )
    .unwrap_err();
    assert_eq!((e.status, e.code), (403, "AccessDenied"));
}
