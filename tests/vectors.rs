//! Runs every case of the official-SDK vector file (`tests/vectors/cos-signing.json`, or
//! `$COS_VECTORS`) and of COS's documented examples (`cos-doc-signing.json`) through the
//! native signer, step by step: the intermediate values of `cos-signing-steps.json`
//! (HeaderList, UrlParamList, HttpString, StringToSign, then the signature) are checked in
//! order, so a failure names the first step that differs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::hash::Sha1Hasher;
use cos_wasm::{Credentials, Endpoint, Header, KeyTime, Request, SignatureParts, Signer};
use serde_json::Value;

mod common;
use common::{canonical, vector_file, vectors};

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
    if let Some(names) = input["sign_headers"].as_array() {
        req.sign_headers = names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect();
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

/// The first step where `got` differs from the vector's `steps`, in signing order.
fn first_wrong_step(got: &[(&str, &str)], steps: &Value) -> Option<String> {
    for (step, value) in got {
        let want = steps[*step]
            .as_str()
            .unwrap_or_else(|| panic!("step {step} missing"));
        if want != *value {
            let hint = if *step == "signature" {
                // Everything before matched: the key derivation or the final HMAC is wrong.
                format!(
                    " (StringToSign matches, so SignKey = HMAC-SHA1(SecretKey, KeyTime) = {:?} or the final HMAC differs)",
                    steps["sign_key"].as_str().unwrap_or("?")
                )
            } else {
                String::new()
            };
            return Some(format!("step {step}: got {value:?}, want {want:?}{hint}"));
        }
    }
    None
}

fn parts_steps(p: &SignatureParts) -> Vec<(&str, &str)> {
    vec![
        ("header_list", p.header_list.as_str()),
        ("url_param_list", p.url_param_list.as_str()),
        ("http_string", p.http_string.as_str()),
        ("string_to_sign", p.string_to_sign.as_str()),
        ("signature", p.signature.as_str()),
    ]
}

fn sha1_hex(text: &str) -> String {
    let mut h = Sha1Hasher::new();
    h.update(text.as_bytes()).unwrap();
    h.digest_hex().unwrap()
}

/// The code cos-wasm deliberately refuses a case with instead of the SDKs' answer
/// (`tests/vectors/cos-wasm-refusals.json`).
fn refusal(id: &str) -> Option<String> {
    vector_file("cos-wasm-refusals.json")["cases"][id]["code"]
        .as_str()
        .map(str::to_owned)
}

/// Checks one case; returns what differs.
fn check(case: &Value, steps: Option<&Value>) -> Result<(), String> {
    let input = &case["input"];
    let expected = &case["expected"];
    let kt = KeyTime::parse(input["key_time"].as_str().expect("key_time")).expect("key_time");
    let signer = signer(input);
    if let Some(code) = refusal(case["id"].as_str().expect("id")) {
        return match signer.authorization(&request(input), kt) {
            Err(e) if e.code().as_str() == code => Ok(()),
            other => Err(format!(
                "cos-wasm refuses this case with {code}, got {other:?}"
            )),
        };
    }
    let rejects = input["reference"] == "reject" || expected.get("reject").is_some();
    let step_error = |got: &[(&str, &str)]| match steps {
        Some(s) => first_wrong_step(got, s).map_or(Ok(()), Err),
        None => Ok(()),
    };
    match case["kind"].as_str().expect("kind") {
        "auth" => {
            let got = signer.authorization(&request(input), kt);
            if rejects {
                return match got {
                    Err(_) => Ok(()),
                    Ok(a) => Err(format!("expected a rejection, got {a}")),
                };
            }
            let parts = signer
                .signature_parts(&request(input), kt)
                .map_err(|e| e.to_string())?;
            step_error(&parts_steps(&parts))?;
            let want = expected["authorization"].as_str().expect("auth");
            match got {
                Ok(a) if a == want => Ok(()),
                other => Err(format!("authorization: got {other:?}, want {want}")),
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
                return got.map_or(Ok(()), |u| Err(format!("expected a rejection, got {u}")));
            }
            // A pre-signed URL signs the endpoint's host unless the request names one.
            let mut req = request(input);
            if req.header_value("host").is_none() {
                req.headers.push(Header::new("host", ep.host_header()));
            }
            let parts = signer
                .signature_parts(&req, kt)
                .map_err(|e| e.to_string())?;
            step_error(&parts_steps(&parts))?;
            let url = got.map_err(|e| e.to_string())?;
            if canonical(&url) == expected["canonical"] {
                Ok(())
            } else {
                Err(format!("presigned URL {url}"))
            }
        }
        "post_policy" => {
            let text = expected["policy_json"].as_str().expect("policy_json");
            if input["policy"].is_object() {
                // The vector's policy object, serialised like JSON.stringify, is the same text.
                let ser = serde_json::to_string(&input["policy"]).expect("ser");
                if ser != text {
                    return Err(format!("policy serialises to {ser}"));
                }
            }
            let fields = signer
                .sign_post_policy(text, kt)
                .map_err(|e| e.to_string())?
                .fields;
            let signature = fields
                .iter()
                .find(|(k, _)| k == "q-signature")
                .map_or("", |(_, v)| v.as_str());
            // StringToSign is the SHA-1 of the exact policy text (protocol §2).
            step_error(&[
                ("string_to_sign", &sha1_hex(text)),
                ("signature", signature),
            ])?;
            for (k, v) in &fields {
                if Some(v.as_str()) != expected["fields"][k].as_str() {
                    return Err(format!("field {k}: got {v:?}"));
                }
            }
            Ok(())
        }
        other => Err(format!("unknown kind {other}")),
    }
}

fn run(cases: &[Value], require_steps: bool) {
    let steps = vector_file("cos-signing-steps.json");
    let mut failures = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let rejects =
            case["input"]["reference"] == "reject" || case["expected"].get("reject").is_some();
        let case_steps = steps["cases"].get(id);
        if require_steps && !rejects && case_steps.is_none() {
            failures.push(format!(
                "{id}: no steps in cos-signing-steps.json (rerun signing-steps.py)"
            ));
        }
        if let Err(e) = check(case, case_steps) {
            failures.push(format!("{id}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn official_sdk_vectors() {
    let cases = vectors();
    assert!(!cases.is_empty());
    run(&cases, std::env::var_os("COS_VECTORS").is_none());
}

#[test]
fn cos_documented_examples() {
    let cases = vector_file("cos-doc-signing.json")["cases"]
        .as_array()
        .expect("cases")
        .clone();
    assert_eq!(cases.len(), 3);
    run(&cases, true);
}

/// The steps file covers exactly the signed cases, so a stale file is noticed.
#[test]
fn steps_file_matches_the_vectors() {
    let steps = vector_file("cos-signing-steps.json");
    let mut ids: Vec<String> = vector_file("cos-signing.json")["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            vector_file("cos-doc-signing.json")["cases"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter(|c| c["input"]["reference"] != "reject" && c["expected"].get("reject").is_none())
        .map(|c| c["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    let mut keys: Vec<String> = steps["cases"]
        .as_object()
        .expect("cases")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    assert_eq!(keys, ids);
}
