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

/// A vector file of the repository's `tests/vectors/`: `cos-signing.json` (the official
/// SDKs' answers; `$COS_VECTORS` overrides it) or `cos-doc-signing.json` (COS's worked
/// examples).
fn vectors(file: &str) -> Value {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");
    let p = match std::env::var("COS_VECTORS") {
        Ok(p) if file == "cos-signing.json" => p,
        _ => format!("{dir}{file}"),
    };
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {p}: {e}")))
        .unwrap()
}

/// Every case of both vector files.
fn cases() -> Vec<Value> {
    ["cos-signing.json", "cos-doc-signing.json"]
        .iter()
        .flat_map(|f| vectors(f)["cases"].as_array().unwrap().clone())
        .collect()
}

/// One case of `cos-doc-signing.json` by id.
fn doc_case(id: &str) -> Value {
    vectors("cos-doc-signing.json")["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no doc case {id}"))
        .clone()
}

/// An auth case as the verifier sees it: path, query, headers and the parsed
/// `Authorization`.
struct AuthCase {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    params: auth::SigParams,
}

impl AuthCase {
    fn new(c: &Value) -> Self {
        let input = &c["input"];
        let path = input["path"].as_str().unwrap();
        AuthCase {
            method: input["method"].as_str().unwrap().into(),
            path: if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            },
            query: pairs(&input["query"]),
            headers: pairs(&input["headers"]),
            params: auth::parse_authorization(c["expected"]["authorization"].as_str().unwrap())
                .unwrap(),
        }
    }

    fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
        }
    }
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
    let mut n = 0;
    for c in cases() {
        if c["kind"] != "auth" || c["expected"]["reject"].as_bool() == Some(true) {
            continue;
        }
        let case = AuthCase::new(&c);
        let (req, params) = (case.request(), &case.params);
        let creds = cred(&c["input"]);
        if let Err(e) = auth::verify(&req, params, &creds, None, 900) {
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
    assert!(n >= 37, "only {n} auth cases");
}

#[test]
fn presign_vectors_verify() {
    let mut n = 0;
    for c in cases() {
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
    let mut n = 0;
    // The doc example's form fields are in doc_worked_example_post_policy.
    for c in vectors("cos-signing.json")["cases"].as_array().unwrap() {
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

/// The documented PUT example (verified with the SDK cases above) with its validity window
/// and each kind of tampering.
#[test]
fn doc_worked_example_put_tampered() {
    let c = doc_case("doc-7778-put");
    let case = AuthCase::new(&c);
    let (req, p, creds) = (case.request(), &case.params, cred(&c["input"]));
    auth::verify(&req, p, &creds, Some(1557989151 + 5), 900).unwrap();
    // expired
    let e = auth::verify(&req, p, &creds, Some(1557996351 + 1), 900).unwrap_err();
    assert_eq!((e.status, e.code), (403, "AccessDenied"));
    assert!(e.message.contains("Request has expired"));
    // missing signed header
    let short: Vec<(String, String)> = case.headers[1..].to_vec();
    let req2 = SignedRequest {
        headers: &short,
        ..req
    };
    assert!(auth::verify(&req2, p, &creds, None, 900).is_err());
    // changed header value
    let mut changed = case.headers.clone();
    let grant = changed
        .iter_mut()
        .find(|(k, _)| k == "x-cos-grant-read")
        .unwrap();
    grant.1 = "uin=\"100000000012\"".into();
    let req3 = SignedRequest {
        headers: &changed,
        ..req
    };
    let e = auth::verify(&req3, p, &creds, None, 900).unwrap_err();
    assert_eq!(e.code, "SignatureDoesNotMatch");
    assert!(e.extra.iter().any(|(k, _)| *k == "FormatString"));
}

/// The documented POST Object example: the page's policy and signature, with the form
/// fields its policy names.
#[test]
fn doc_worked_example_post_policy() {
    let c = doc_case("doc-14690-post");
    let policy = c["input"]["policy"].as_str().unwrap();
    let mut fields = pairs(&c["expected"]["fields"]);
    assert_eq!(
        fields.iter().find(|(k, _)| k == "policy").unwrap().1,
        b64(policy.as_bytes())
    );
    for (k, v) in [
        ("key", "folder/subfolder/${filename}"),
        ("acl", "default"),
        ("Content-Type", "image/png"),
        ("success_action_redirect", "https://my.website/done"),
        ("x-cos-server-side-encryption", "AES256"),
    ] {
        fields.push((k.into(), v.into()));
    }
    let creds = cred(&c["input"]);
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
