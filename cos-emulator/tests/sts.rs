//! The emulator's STS: TC3 verification against the official-SDK vectors (and tampered
//! copies), GetFederationToken / AssumeRole, and CAM policy decisions on the policies
//! cos-wasm's `cosPolicy` writes (tests/vectors/cam-policies.json), one request per condition.

use cos_emulator::sts::{
    cos_action, cos_resource, verify_tc3, CosRequest, Denied, Policy, Role, Sts, Tc3Request,
    MAX_SKEW_SECONDS,
};
use serde_json::Value;

fn load(rel: &str) -> Value {
    let path = format!("{}/../{rel}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap()
}

struct Sent {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A TC3 vector as the HTTP request the official SDK sends.
fn sent(case: &Value) -> Sent {
    let i = &case["input"];
    let url = i["url"].as_str().unwrap();
    let rest = url.split_once("://").unwrap().1;
    let (host_path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = host_path.find('/').map_or("/", |p| &host_path[p..]);
    let headers = case["expected"]["headers"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap().to_owned()))
        .collect();
    Sent {
        method: i["method"].as_str().unwrap().into(),
        path: path.into(),
        query: query.into(),
        headers,
        body: i["body"].as_str().unwrap().as_bytes().to_vec(),
    }
}

fn verify(s: &Sent, now: i64, key: &str) -> Result<String, &'static str> {
    let req = Tc3Request {
        method: &s.method,
        path: &s.path,
        query: &s.query,
        headers: &s.headers,
        body: &s.body,
    };
    verify_tc3(&req, now, |_| Some(key.to_owned()))
        .map(|(id, _)| id)
        .map_err(|e| e.code)
}

#[test]
fn tc3_vectors_verify_and_tampering_fails() {
    let v = load("tests/vectors/tc3-signing.json");
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        if c["input"]["service"] != "sts" {
            continue;
        }
        n += 1;
        let id = c["id"].as_str().unwrap();
        let ts = c["input"]["timestamp"].as_i64().unwrap();
        let key = c["input"]["secret_key"].as_str().unwrap();
        let s = sent(c);
        assert_eq!(
            verify(&s, ts, key).as_deref(),
            Ok(c["input"]["secret_id"].as_str().unwrap()),
            "{id}"
        );
        // Host with a port signs as the host without it.
        let mut ported = sent(c);
        for h in &mut ported.headers {
            if h.0 == "host" {
                h.1.push_str(":8443");
            }
        }
        assert!(verify(&ported, ts, key).is_ok(), "{id}");
        assert_eq!(
            verify(&s, ts, "wrong"),
            Err("AuthFailure.SignatureFailure"),
            "{id}"
        );
        assert_eq!(
            verify(&s, ts + MAX_SKEW_SECONDS + 1, key),
            Err("AuthFailure.SignatureExpire"),
            "{id}"
        );
        let mut body = sent(c);
        body.body.push(b' ');
        assert_eq!(
            verify(&body, ts, key),
            Err("AuthFailure.SignatureFailure"),
            "{id}"
        );
        let mut ct = sent(c);
        for h in &mut ct.headers {
            if h.0 == "content-type" {
                h.1 = "text/plain".into();
            }
        }
        assert_eq!(
            verify(&ct, ts, key),
            Err("AuthFailure.SignatureFailure"),
            "{id}"
        );
        let mut version = sent(c);
        version.headers.retain(|h| h.0 != "x-tc-version");
        assert_eq!(verify(&version, ts, key), Err("MissingParameter"), "{id}");
        let mut twice = sent(c);
        twice.headers.push(("host".into(), "evil.example".into()));
        assert_eq!(verify(&twice, ts, key), Err("InvalidParameter"), "{id}");
    }
    assert!(n >= 10, "too few STS vectors");
}

#[test]
fn every_fixture_decision() {
    let v = load("tests/vectors/cam-policies.json");
    for c in v["cases"].as_array().unwrap() {
        let id = c["id"].as_str().unwrap();
        let policy =
            Policy::parse(c["policy"].as_str().unwrap()).unwrap_or_else(|e| panic!("{id}: {e}"));
        let bucket = c["input"]["bucket"].as_str().unwrap();
        let region = c["input"]["region"].as_str().unwrap();
        for r in c["requests"].as_array().unwrap() {
            let headers: Vec<(String, String)> = r["headers"]
                .as_object()
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let req = CosRequest {
                action: r["action"].as_str().unwrap(),
                resource: cos_resource(region, bucket, r["key"].as_str().unwrap()),
                headers: &headers,
                source_ip: r["ip"].as_str().map(|ip| ip.parse().unwrap()),
                secure: true,
                length_pending: false,
            };
            assert_eq!(
                policy.allows(&req),
                r["allowed"].as_bool().unwrap(),
                "{id}: {r}"
            );
        }
    }
}

#[test]
fn policy_parsing_is_strict_and_deny_wins() {
    for bad in [
        "x",
        "{}",
        r#"{"version":"1.0","statement":[]}"#,
        r#"{"version":"2.0","statement":[]}"#,
        r#"{"version":"2.0","statement":[{"effect":"maybe","action":"*","resource":"*"}]}"#,
        r#"{"version":"2.0","statement":[{"effect":"allow","action":[],"resource":"*"}]}"#,
        r#"{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*","extra":1}]}"#,
        r#"{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}],"x":1}"#,
    ] {
        assert!(Policy::parse(bad).is_err(), "{bad}");
    }
    let p = Policy::parse(r#"{"version":"2.0","statement":[
        {"effect":"allow","action":"name/cos:*","resource":"qcs::cos:ap-x:uid/1:b-1/*"},
        {"effect":"deny","action":["name/cos:DeleteObject"],"resource":"qcs::cos:ap-x:uid/1:b-1/keep/*"},
        {"effect":"allow","action":"name/cos:GetObject","resource":"*","condition":{"string_equal":{"cos:unknown-key":"x"},"string_equal_if_exist":{"cos:also-unknown":"y"}}}
    ]}"#).unwrap();
    let req = |action, key: &str| CosRequest {
        action,
        resource: cos_resource("ap-x", "b-1", key),
        headers: &[],
        source_ip: None,
        secure: false,
        length_pending: false,
    };
    assert!(p.allows(&req("DeleteObject", "tmp/a")));
    assert!(!p.allows(&req("DeleteObject", "keep/a")));
    // Unknown condition keys never hold, with or without _if_exist (fail closed).
    let other = CosRequest {
        resource: "qcs::cos:ap-y:uid/2:c-2/a".into(),
        ..req("GetObject", "")
    };
    assert!(!p.allows(&other));
}

/// Issue 26: a `*` in the region or bucket part of a resource matched across `:` and `/`.
#[test]
fn resource_wildcards_stay_within_their_segment() {
    let allows = |resource: &str, region: &str, bucket: &str, key: &str| {
        let p = Policy::parse(&format!(
            r#"{{"version":"2.0","statement":[{{"effect":"allow","action":"name/cos:GetObject","resource":"{resource}"}}]}}"#
        ))
        .unwrap();
        p.allows(&CosRequest {
            action: "GetObject",
            resource: cos_resource(region, bucket, key),
            headers: &[],
            source_ip: None,
            secure: false,
            length_pending: false,
        })
    };
    // within a segment: allowed
    assert!(allows(
        "qcs::cos:*:uid/1250000000:b-1250000000/*",
        "ap-x",
        "b-1250000000",
        "k"
    ));
    assert!(allows(
        "qcs::cos:ap-x:uid/1250000000:b-*/doc/*",
        "ap-x",
        "b-1250000000",
        "doc/a/b"
    ));
    assert!(allows(
        "qcs::cos:ap-x:uid/1250000000:*",
        "ap-x",
        "b-1250000000",
        "any/key"
    ));
    assert!(allows(
        "qcs::cos:ap-x:uid/*:b-1250000000/k",
        "ap-x",
        "b-1250000000",
        "k"
    ));
    assert!(allows("*", "ap-x", "b-1250000000", "k"));
    // across `:` or `/`: refused
    assert!(!allows(
        "qcs::cos:ap-x:uid/1250000000:b-*",
        "ap-x",
        "b-1250000000",
        "doc/a"
    ));
    assert!(!allows("qcs::cos:*/doc/*", "ap-x", "b-1250000000", "doc/a"));
    assert!(!allows(
        "qcs::cos:ap-*/doc/a",
        "ap-x",
        "b-1250000000",
        "doc/a"
    ));
    assert!(!allows(
        "qcs::cos:ap-x:uid/125*/doc/a",
        "ap-x",
        "b-1250000000",
        "doc/a"
    ));
    assert!(!allows(
        "qcs::cos:ap-x:uid/1250000000:b-*doc/a",
        "ap-x",
        "b-1250000000",
        "doc/a"
    ));
    assert!(!allows(
        "qcs::cos:*:b-1250000000/k",
        "ap-x",
        "b-1250000000",
        "k"
    ));
}

/// A pending length (a POST form before its file) is optimistic: size limits of allow
/// statements hold for now, size conditions of deny statements do not match; every other
/// condition is decided as usual.
#[test]
fn pending_length_defers_only_the_size() {
    let p = Policy::parse(r#"{"version":"2.0","statement":[
        {"effect":"allow","action":"name/cos:PostObject","resource":"qcs::cos:ap-x:uid/1:b-1/u/*",
         "condition":{"numeric_less_than_equal":{"cos:content-length":10},"string_equal":{"cos:content-type":"image/png"}}},
        {"effect":"deny","action":"name/cos:PostObject","resource":"*","condition":{"numeric_greater_than":{"cos:content-length":5}}}
    ]}"#).unwrap();
    let png = [("content-type".to_string(), "image/png".to_string())];
    let html = [("content-type".to_string(), "text/html".to_string())];
    let req = |headers, key: &str, pending| CosRequest {
        action: "PostObject",
        resource: cos_resource("ap-x", "b-1", key),
        headers,
        source_ip: None,
        secure: false,
        length_pending: pending,
    };
    assert!(p.allows(&req(&png, "u/a", true)));
    assert!(!p.allows(&req(&html, "u/a", true)), "type still decided");
    assert!(!p.allows(&req(&png, "v/a", true)), "resource still decided");
    // once the length is known it is decided (missing: not met)
    assert!(!p.allows(&req(&png, "u/a", false)));
    let sized = |n: &str| [png[0].clone(), ("content-length".into(), n.into())];
    let (small, large) = (sized("4"), sized("6"));
    assert!(p.allows(&req(&small, "u/a", false)));
    assert!(!p.allows(&req(&large, "u/a", false)), "deny on size");
}

#[test]
fn cos_actions() {
    assert_eq!(cos_action("PUT", &[], true, false), "PutObject");
    // bucket encryption is its own action, not GetBucket/PutBucket/DeleteBucket
    for (method, action) in [
        ("GET", "GetBucketEncryption"),
        ("PUT", "PutBucketEncryption"),
        ("DELETE", "DeleteBucketEncryption"),
    ] {
        assert_eq!(cos_action(method, &["encryption"], false, false), action);
    }
    assert_eq!(
        cos_action("PUT", &["partNumber", "uploadId"], true, false),
        "UploadPart"
    );
    assert_eq!(
        cos_action("POST", &["uploads"], true, false),
        "InitiateMultipartUpload"
    );
    assert_eq!(
        cos_action("POST", &["uploadId"], true, false),
        "CompleteMultipartUpload"
    );
    assert_eq!(
        cos_action("DELETE", &["uploadId"], true, false),
        "AbortMultipartUpload"
    );
    assert_eq!(cos_action("GET", &["uploadId"], true, false), "ListParts");
    assert_eq!(cos_action("POST", &[], false, true), "PostObject");
    assert_eq!(
        cos_action("POST", &["append", "position"], true, false),
        "AppendObject"
    );
    assert_eq!(cos_action("GET", &[], false, false), "GetBucket");
    assert_eq!(cos_action("HEAD", &[], true, false), "HeadObject");
}

#[test]
fn sts_issues_scoped_expiring_credentials() {
    let role_policy = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:PutObject","name/cos:GetObject"],"resource":"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"}]}"#;
    let mut sts = Sts::new(vec![Role {
        arn: "qcs::cam::uin/100000000001:roleName/uploader".into(),
        policy: role_policy.into(),
    }]);
    let mut counter = 0;
    let mut rand = |n: usize| {
        counter += 1;
        format!("{counter:0width$x}", width = n * 2)
    };
    let now = 1_700_000_000;
    let fixtures = load("tests/vectors/cam-policies.json");
    let upload_prefix = fixtures["cases"][0]["policy"].as_str().unwrap();
    let encode = |s: &str| {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect::<String>()
    };
    let body = serde_json::json!({ "Name": "u1", "Policy": encode(upload_prefix), "DurationSeconds": 900 }).to_string();
    let out = sts
        .handle("GetFederationToken", body.as_bytes(), now, &mut rand)
        .unwrap();
    assert_eq!(out["ExpiredTime"], now + 900);
    assert_eq!(out["Expiration"], "2023-11-14T22:28:20Z");
    let id = out["Credentials"]["TmpSecretId"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = out["Credentials"]["Token"].as_str().unwrap().to_owned();
    assert!(
        sts.is_temporary(&id) && sts.secret_key(&id) == out["Credentials"]["TmpSecretKey"].as_str()
    );
    // the issued key and token never show in Debug (logs, panics)
    let shown = format!("{sts:?}");
    assert!(shown.contains(&id));
    for secret in [out["Credentials"]["TmpSecretKey"].as_str().unwrap(), &token] {
        assert!(!shown.contains(secret), "Debug shows a secret: {shown}");
    }
    let configured = cos_emulator::auth::Credential {
        secret_id: "AKIDdebug".into(),
        secret_key: "debug-secret-key".into(),
        token: Some("debug-token".into()),
    };
    let shown = format!("{configured:?}");
    assert!(
        shown.contains("AKIDdebug")
            && !shown.contains("debug-secret-key")
            && !shown.contains("debug-token")
    );
    let put = |key: &str| CosRequest {
        action: "PutObject",
        resource: cos_resource("ap-guangzhou", "examplebucket-1250000000", key),
        headers: &[],
        source_ip: None,
        secure: true,
        length_pending: false,
    };
    assert_eq!(
        sts.authorize(&id, Some(&token), now + 10, &put("users/1/a")),
        Ok(())
    );
    assert_eq!(
        sts.authorize(&id, Some(&token), now + 10, &put("users/2/a")),
        Err(Denied {
            status: 403,
            code: "AccessDenied"
        })
    );
    assert_eq!(
        sts.authorize(&id, None, now + 10, &put("users/1/a")),
        Err(Denied {
            status: 403,
            code: "InvalidSecurityToken"
        })
    );
    assert_eq!(
        sts.authorize(&id, Some("forged"), now + 10, &put("users/1/a")),
        Err(Denied {
            status: 403,
            code: "InvalidSecurityToken"
        })
    );
    assert_eq!(
        sts.authorize(&id, Some(&token), now + 900, &put("users/1/a")),
        Err(Denied {
            status: 400,
            code: "ExpiredToken"
        })
    );
    // AssumeRole: the role policy and the session policy must both allow.
    let body = serde_json::json!({ "RoleArn": "qcs::cam::uin/100000000001:roleName/uploader", "RoleSessionName": "s", "Policy": encode(upload_prefix) }).to_string();
    let out = sts
        .handle("AssumeRole", body.as_bytes(), now, &mut rand)
        .unwrap();
    let (rid, rtoken) = (
        out["Credentials"]["TmpSecretId"].as_str().unwrap(),
        out["Credentials"]["Token"].as_str().unwrap(),
    );
    assert_eq!(out["ExpiredTime"], now + 1800);
    assert!(sts
        .authorize(rid, Some(rtoken), now, &put("users/1/a"))
        .is_ok());
    assert!(sts
        .authorize(rid, Some(rtoken), now, &put("other/a"))
        .is_err());
    // Errors.
    let mut err = |action: &str, body: &str| {
        sts.handle(action, body.as_bytes(), now, &mut |_| String::new())
            .unwrap_err()
            .code
    };
    assert_eq!(
        err("GetFederationToken", r#"{"Name":"u"}"#),
        "MissingParameter"
    );
    assert_eq!(
        err(
            "GetFederationToken",
            r#"{"Name":"u","Policy":"%7B","DurationSeconds":60}"#
        ),
        "InvalidParameter.PolicyFormatError"
    );
    assert_eq!(
        err(
            "GetFederationToken",
            &format!(
                r#"{{"Name":"u","Policy":"{}","DurationSeconds":7201}}"#,
                encode(upload_prefix)
            )
        ),
        "InvalidParameter.DurationSecondsOutOfRange"
    );
    assert_eq!(
        err(
            "AssumeRole",
            r#"{"RoleArn":"qcs::cam::uin/1:roleName/none","RoleSessionName":"s"}"#
        ),
        "InvalidParameter.RoleNotExist"
    );
    assert_eq!(err("DescribeInstances", "{}"), "InvalidAction");
    assert_eq!(err("AssumeRole", "[]"), "InvalidParameter");
}

/// `qcs:ip` sees an IPv4-mapped IPv6 peer as its IPv4 address: a deny of an IPv4 range must
/// not be skipped because a dual-stack listener reported `::ffff:a.b.c.d`.
#[test]
fn ip_conditions_see_ipv4_mapped_peers_as_ipv4() {
    let p = Policy::parse(r#"{"version":"2.0","statement":[
        {"effect":"allow","action":"name/cos:*","resource":"*"},
        {"effect":"deny","action":"name/cos:*","resource":"*","condition":{"ip_equal":{"qcs:ip":"10.0.0.0/8"}}}
    ]}"#).unwrap();
    let from = |ip: &str| CosRequest {
        action: "GetObject",
        resource: cos_resource("ap-x", "b-1", "a"),
        headers: &[],
        source_ip: Some(ip.parse().unwrap()),
        secure: false,
        length_pending: false,
    };
    assert!(p.allows(&from("192.168.0.1")));
    assert!(!p.allows(&from("10.1.2.3")));
    assert!(!p.allows(&from("::ffff:10.1.2.3")));
}

/// Issue 26: 20,000 GetFederationToken calls took RSS from 3 to 501 MB and nothing was freed
/// after the credentials expired; a 7.8 KB policy was accepted (CAM documents 6,144
/// characters).
#[test]
fn sts_state_is_bounded_and_expired_credentials_are_freed() {
    use cos_emulator::sts::{EXPIRED_KEPT_SECONDS, MAX_ISSUED, MAX_POLICY_CHARS};
    let mut sts = Sts::new(Vec::new());
    let mut n = 0u64;
    let mut rand = |len: usize| {
        n += 1;
        format!("{n:0width$x}", width = len * 2)
    };
    let now = 1_700_000_000;
    let grant = r#"{"version":"2.0","statement":[{"effect":"allow","action":"name/cos:GetObject","resource":"qcs::cos:ap-x:uid/1:b-1/"#;
    let policy_of_len = |len: usize| {
        let tail = "*\"}]}";
        let pad = "a".repeat(len - grant.len() - tail.len());
        format!("{grant}{pad}{tail}")
    };
    let body = |policy: &str, duration: i64| {
        serde_json::json!({"Name": "u", "Policy": cos_emulator::util::url_encode(policy), "DurationSeconds": duration})
            .to_string()
    };
    // the policy length bound, in characters
    let at_max = policy_of_len(MAX_POLICY_CHARS);
    assert!(sts
        .handle(
            "GetFederationToken",
            body(&at_max, 60).as_bytes(),
            now,
            &mut rand
        )
        .is_ok());
    let over = policy_of_len(MAX_POLICY_CHARS + 1);
    assert_eq!(
        sts.handle(
            "GetFederationToken",
            body(&over, 60).as_bytes(),
            now,
            &mut rand
        )
        .unwrap_err()
        .code,
        "InvalidParameter.PolicyTooLong"
    );
    let big = policy_of_len(7800);
    assert!(sts
        .handle(
            "GetFederationToken",
            body(&big, 60).as_bytes(),
            now,
            &mut rand
        )
        .is_err());
    // bounded: at most MAX_ISSUED live credentials
    let small = policy_of_len(200);
    for _ in 1..MAX_ISSUED {
        sts.handle(
            "GetFederationToken",
            body(&small, 60).as_bytes(),
            now,
            &mut rand,
        )
        .unwrap();
    }
    assert_eq!(sts.issued_count(), MAX_ISSUED);
    assert_eq!(
        sts.handle(
            "GetFederationToken",
            body(&small, 60).as_bytes(),
            now,
            &mut rand
        )
        .unwrap_err()
        .code,
        "RequestLimitExceeded"
    );
    // expired ones are kept EXPIRED_KEPT_SECONDS (ExpiredToken), then freed
    sts.purge(now + 60 + EXPIRED_KEPT_SECONDS - 1);
    assert_eq!(sts.issued_count(), MAX_ISSUED);
    sts.purge(now + 60 + EXPIRED_KEPT_SECONDS);
    assert_eq!(sts.issued_count(), 0);
    assert!(sts
        .handle(
            "GetFederationToken",
            body(&small, 60).as_bytes(),
            now + 400,
            &mut rand
        )
        .is_ok());
}
