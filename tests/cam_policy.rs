//! The COS policy builder: exact output for the common grants (checked against the policies
//! inside tests/vectors/tc3-signing.json, which follow Tencent's STS samples), conditions
//! attached only where COS evaluates them, and a code for every refusal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::cam_policy::{ConditionValue, CosPolicy, Grant};
use cos_wasm::{Error, ErrorCode};
use serde_json::{json, Value};

mod common;

const BUCKET: &str = "examplebucket-1250000000";
const REGION: &str = "ap-guangzhou";

fn grant(actions: &[&str], prefix: &str, conds: &[(&str, ConditionValue)]) -> Result<Grant, Error> {
    let mut g = Grant::default();
    g.actions(actions)?;
    g.prefix(prefix)?;
    for (k, v) in conds {
        g.condition(k, v.clone())?;
    }
    Ok(g)
}

fn policy(grants: Vec<Grant>) -> Result<String, Error> {
    grants
        .into_iter()
        .fold(CosPolicy::new(BUCKET, REGION)?, CosPolicy::allow)
        .to_json()
}

fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorCode {
    r.expect_err("expected an error").code()
}

/// The `Policy` parameters of the TC3 vectors, URL-decoded.
fn vector_policies() -> Vec<String> {
    let mut out = Vec::new();
    for c in common::tc3_vectors() {
        let body = c["input"]["body"].as_str().unwrap();
        if let Ok(b) = serde_json::from_str::<Value>(body) {
            if let Some(p) = b["Policy"].as_str() {
                let p = common::percent_decode(p).unwrap();
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// The action set of Tencent's STS samples for direct uploads, which the TC3 vectors' policies
/// carry; the `upload` preset is that set plus what the resumable uploaders list first.
const SAMPLE_UPLOAD_ACTIONS: [&str; 5] = [
    "PostObject",
    "PutObject",
    "InitiateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
];

#[test]
fn sample_upload_actions_reproduce_the_vector_policies() {
    let vectors = vector_policies();
    for prefix in ["users/alice/", "用户/上传者/", "tmp/"] {
        let ours = policy(vec![grant(&SAMPLE_UPLOAD_ACTIONS, prefix, &[]).unwrap()]).unwrap();
        assert!(vectors.contains(&ours), "{ours}");
    }
}

/// Issue 26: the official resumable uploaders (`sliceUploadFile`, the Python SDK's
/// `upload_file`) start with `GET /?uploads` and then `ListParts`; the preset grants both,
/// and `ListMultipartUploads` can be named on its own.
#[test]
fn upload_preset_grants_what_the_resumable_uploaders_list() {
    let p = policy(vec![grant(&["upload"], "u/", &[]).unwrap()]).unwrap();
    let v: Value = serde_json::from_str(&p).unwrap();
    let actions: Vec<&str> = v["statement"][0]["action"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for a in SAMPLE_UPLOAD_ACTIONS
        .iter()
        .chain(&["ListMultipartUploads", "ListParts"])
    {
        assert!(
            actions.contains(&format!("name/cos:{a}").as_str()),
            "{a}: {p}"
        );
    }
    assert!(policy(vec![grant(&["ListMultipartUploads"], "u/", &[]).unwrap()]).is_ok());
}

#[test]
fn conditions_go_only_where_cos_evaluates_them() {
    let p = policy(vec![grant(
        &["upload"],
        "users/bob/",
        &[
            ("maxContentLength", ConditionValue::Integer(10_485_760)),
            (
                "contentTypes",
                ConditionValue::List(vec!["image/png".into(), "image/jpeg".into()]),
            ),
            ("requireSse", ConditionValue::Text("SSE-COS".into())),
        ],
    )
    .unwrap()])
    .unwrap();
    let v: Value = serde_json::from_str(&p).unwrap();
    let res = json!(["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/users/bob/*"]);
    let types = json!(["image/png", "image/jpeg"]);
    assert_eq!(
        v,
        json!({"version": "2.0", "statement": [
            {"effect": "allow", "action": ["name/cos:PostObject", "name/cos:PutObject"], "resource": res,
             "condition": {"numeric_less_than_equal": {"cos:content-length": 10_485_760},
                           "string_equal": {"cos:content-type": types, "cos:x-cos-server-side-encryption": "AES256"}}},
            {"effect": "allow", "action": ["name/cos:InitiateMultipartUpload"], "resource": res,
             "condition": {"string_equal": {"cos:content-type": types, "cos:x-cos-server-side-encryption": "AES256"}}},
            {"effect": "allow", "action": ["name/cos:UploadPart"], "resource": res,
             "condition": {"numeric_less_than_equal": {"cos:content-length": 10_485_760}}},
            {"effect": "allow", "action": ["name/cos:CompleteMultipartUpload", "name/cos:ListMultipartUploads", "name/cos:ListParts"], "resource": res},
        ]})
    );
}

#[test]
fn every_condition_and_scope() {
    let mut g = Grant::default();
    g.actions(&["name/cos:PutObject", "GetObject", "PutObject"])
        .unwrap();
    g.keys(&["a.txt", "dir/b c.png"]).unwrap();
    g.condition("minContentLength", ConditionValue::Integer(1))
        .unwrap();
    g.condition("storageClasses", ConditionValue::Text("STANDARD_IA".into()))
        .unwrap();
    g.condition(
        "sourceIps",
        ConditionValue::List(vec!["10.0.0.0/8".into(), "::1".into()]),
    )
    .unwrap();
    g.condition("requireSse", ConditionValue::Text("SSE-C".into()))
        .unwrap();
    let v: Value = serde_json::from_str(&policy(vec![g]).unwrap()).unwrap();
    let base = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/";
    let res = json!([format!("{base}a.txt"), format!("{base}dir/b c.png")]);
    let ips = json!({"qcs:ip": ["10.0.0.0/8", "::1"]});
    assert_eq!(
        v["statement"],
        json!([
            {"effect": "allow", "action": ["name/cos:PutObject"], "resource": res, "condition": {
                "numeric_greater_than_equal": {"cos:content-length": 1},
                "string_equal": {"cos:x-cos-server-side-encryption-customer-algorithm": "AES256", "cos:x-cos-storage-class": ["STANDARD_IA"]},
                "ip_equal": ips}},
            {"effect": "allow", "action": ["name/cos:GetObject"], "resource": res, "condition": {"ip_equal": ips}},
        ])
    );
    // SSE-KMS and download.
    let p = policy(vec![
        grant(
            &["PutObject"],
            "k/",
            &[("requireSse", ConditionValue::Text("SSE-KMS".into()))],
        )
        .unwrap(),
        grant(&["download"], "pub/", &[]).unwrap(),
    ])
    .unwrap();
    assert!(
        p.contains(r#""cos:x-cos-server-side-encryption":"cos/kms""#),
        "{p}"
    );
    assert!(
        p.contains(r#""action":["name/cos:GetObject","name/cos:HeadObject"]"#),
        "{p}"
    );
}

#[test]
fn every_refusal_has_a_code() {
    let g = |actions: &[&str], prefix: &str| grant(actions, prefix, &[]);
    // Actions.
    for bad in [
        "*",
        "name/cos:*",
        "putobject",
        "GetBucket",
        "ListBucket",
        "cos:PutObject",
        "",
        "uploads",
    ] {
        assert_eq!(code(g(&[bad], "a/")), ErrorCode::UnknownAction, "{bad}");
    }
    // Prefixes and keys.
    for bad in [
        "",
        "a",
        "a/*",
        "*",
        "/a/",
        "a\n/",
        &format!("{}/", "x".repeat(850)),
    ] {
        assert_eq!(
            code(g(&["upload"], bad)),
            ErrorCode::InvalidCamPolicy,
            "{bad:?}"
        );
    }
    let mut two = Grant::default();
    two.prefix("a/").unwrap();
    assert_eq!(code(two.keys(&["b"])), ErrorCode::InvalidCamPolicy);
    assert_eq!(
        code(Grant::default().keys::<&str>(&[])),
        ErrorCode::InvalidCamPolicy
    );
    assert_eq!(
        code(Grant::default().keys(&["a*"])),
        ErrorCode::InvalidCamPolicy
    );
    // Conditions: unknown names (the classic typos) and bad values.
    for name in [
        "content_length",
        "content-length",
        "maxContentLenght",
        "cos:content-length",
        "MaxContentLength",
    ] {
        assert_eq!(
            code(grant(
                &["upload"],
                "a/",
                &[(name, ConditionValue::Integer(1))]
            )),
            ErrorCode::UnknownCondition,
            "{name}"
        );
    }
    for (name, v) in [
        ("maxContentLength", ConditionValue::Integer(0)),
        (
            "maxContentLength",
            ConditionValue::Integer(5 * 1024 * 1024 * 1024 + 1),
        ),
        ("maxContentLength", ConditionValue::Text("10".into())),
        ("contentTypes", ConditionValue::List(vec![])),
        ("contentTypes", ConditionValue::Text("a\nb".into())),
        ("contentTypes", ConditionValue::Integer(1)),
        ("requireSse", ConditionValue::Text("AES256".into())),
        ("requireSse", ConditionValue::List(vec!["SSE-COS".into()])),
        ("storageClasses", ConditionValue::Text("standard".into())),
        ("sourceIps", ConditionValue::Text("10.0.0.1 or 1=1".into())),
        ("acl", ConditionValue::Text("public-read-write".into())),
        ("acl", ConditionValue::Text("PRIVATE".into())),
        ("acl", ConditionValue::Integer(1)),
        ("acl", ConditionValue::List(vec![])),
    ] {
        assert_eq!(
            code(grant(&["upload"], "a/", &[(name, v.clone())])),
            ErrorCode::InvalidCamPolicy,
            "{name} {v:?}"
        );
    }
    let minmax = [
        ("maxContentLength", ConditionValue::Integer(5)),
        ("minContentLength", ConditionValue::Integer(6)),
    ];
    assert_eq!(
        code(grant(&["upload"], "a/", &minmax)),
        ErrorCode::InvalidCamPolicy
    );
    // Conditions that would apply to none of the actions.
    let c = [("maxContentLength", ConditionValue::Integer(5))];
    assert_eq!(
        code(policy(vec![grant(&["download"], "a/", &c).unwrap()])),
        ErrorCode::InvalidCamPolicy
    );
    let c = [("contentTypes", ConditionValue::Text("a/b".into()))];
    assert_eq!(
        code(policy(vec![grant(&["UploadPart"], "a/", &c).unwrap()])),
        ErrorCode::InvalidCamPolicy
    );
    let c = [("acl", ConditionValue::Text("private".into()))];
    assert_eq!(
        code(policy(vec![grant(&["download"], "a/", &c).unwrap()])),
        ErrorCode::InvalidCamPolicy
    );
    // acl goes on PutObjectACL too (it carries x-cos-acl), not on GetObject
    let v: Value = serde_json::from_str(
        &policy(vec![
            grant(&["PutObjectACL", "GetObject"], "a/", &c).unwrap()
        ])
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        v["statement"][0]["condition"],
        json!({"string_equal": {"cos:x-cos-acl": ["private"]}})
    );
    assert!(v["statement"][1]["condition"].is_null());
    // Empty policy, grant without actions or scope, bad bucket and region.
    assert_eq!(code(policy(vec![])), ErrorCode::InvalidCamPolicy);
    let mut no_actions = Grant::default();
    no_actions.prefix("a/").unwrap();
    assert_eq!(code(policy(vec![no_actions])), ErrorCode::InvalidCamPolicy);
    let mut no_scope = Grant::default();
    no_scope.actions(&["upload"]).unwrap();
    assert_eq!(code(policy(vec![no_scope])), ErrorCode::InvalidCamPolicy);
    assert_eq!(
        code(CosPolicy::new("examplebucket", REGION)),
        ErrorCode::InvalidBucket
    );
    assert_eq!(
        code(CosPolicy::new(BUCKET, "ap guangzhou")),
        ErrorCode::InvalidRegion
    );
}

#[test]
fn output_is_valid_json_with_escaped_keys() {
    let p = policy(vec![grant(
        &["upload"],
        "q\"uote\\/",
        &[(
            "contentTypes",
            ConditionValue::Text("text/plain; charset=\"utf-8\"".into()),
        )],
    )
    .unwrap()])
    .unwrap();
    let v: Value = serde_json::from_str(&p).unwrap();
    assert!(v["statement"][0]["resource"][0]
        .as_str()
        .unwrap()
        .ends_with("q\"uote\\/*"));
}

/// A grant from the JS-shaped description of tests/vectors/cam-policies.json.
fn grant_from_json(g: &Value) -> Grant {
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().map(|s| s.as_str().unwrap().to_owned()).collect(),
            _ => panic!("not a string list: {v}"),
        }
    };
    let mut out = Grant::default();
    out.actions(&list(&g["actions"])).unwrap();
    if let Some(p) = g["prefix"].as_str() {
        out.prefix(p).unwrap();
    }
    if !g["keys"].is_null() {
        out.keys(&list(&g["keys"])).unwrap();
    }
    if let Some(conds) = g["conditions"].as_object() {
        for (name, v) in conds {
            let value = match v {
                Value::Number(n) => ConditionValue::Integer(n.as_u64().unwrap()),
                Value::String(s) => ConditionValue::Text(s.clone()),
                other => ConditionValue::List(list(other)),
            };
            out.condition(name, value).unwrap();
        }
    }
    out
}

/// The policies the emulator's evaluator is tested with (cos-emulator/tests/sts.rs) are
/// exactly what the builder writes.
#[test]
fn builder_writes_the_emulator_fixtures() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/cam-policies.json"
    ))
    .unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let input = &c["input"];
        let policy = input["allow"]
            .as_array()
            .unwrap()
            .iter()
            .map(grant_from_json)
            .fold(
                CosPolicy::new(
                    input["bucket"].as_str().unwrap(),
                    input["region"].as_str().unwrap(),
                )
                .unwrap(),
                CosPolicy::allow,
            )
            .to_json()
            .unwrap();
        assert_eq!(policy, c["policy"].as_str().unwrap(), "{}", c["id"]);
    }
}

proptest::proptest! {
    /// Arbitrary names, prefixes and values never panic the builder, and whatever it accepts
    /// is valid JSON whose resources all start with the bucket's resource prefix.
    #[test]
    fn any_grant_builds_or_errs(
        action in "(upload|download|PutObject|name/cos:GetObject|\\PC{0,10})",
        prefix in "\\PC{0,12}/?", cond in "(maxContentLength|contentTypes|requireSse|sourceIps|storageClasses|acl|\\PC{0,8})",
        n in 0u64..6_000_000_000, text in "\\PC{0,12}",
    ) {
        let mut g = Grant::default();
        let _ = g.actions(&[action]);
        let _ = g.prefix(&prefix);
        let _ = g.condition(&cond, ConditionValue::Integer(n));
        let _ = g.condition(&cond, ConditionValue::Text(text.clone()));
        let _ = g.condition(&cond, ConditionValue::List(vec![text]));
        if let Ok(p) = CosPolicy::new(BUCKET, REGION).map(|p| p.allow(g)).and_then(|p| p.to_json()) {
            let v: Value = serde_json::from_str(&p).unwrap();
            for s in v["statement"].as_array().unwrap() {
                for r in s["resource"].as_array().unwrap() {
                    proptest::prop_assert!(r.as_str().unwrap().starts_with("qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/"));
                }
            }
        }
    }
}

/// Issue 25: a prefix or key with a `.` or `..` segment is refused (a normalising client
/// would reach another key than the one granted).
#[test]
fn dot_segments_are_refused() {
    for bad in [
        "../",
        "../x/",
        "users/../alice/",
        "users/./",
        "a/..",
        "./a/",
    ] {
        let mut g = Grant::default();
        let r = if bad.ends_with('/') {
            g.prefix(bad)
        } else {
            g.keys(&[bad])
        };
        assert_eq!(r.unwrap_err().code(), ErrorCode::InvalidCamPolicy, "{bad}");
    }
    assert!(grant(&["PutObject"], "users/a..b/", &[]).is_ok());
}
