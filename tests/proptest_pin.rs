//! Issue 17: no signed form or URL allows more than the issuer's inputs.
//!
//! POST forms: the policy is decoded and evaluated the way COS documents it (protocol §2:
//! every field a condition names must be present with a matching value), once as a lenient
//! server that ignores fields the policy does not name (what COS may do, UNCONFIRMED) and
//! once as a strict one (S3's documented rule, the local emulator's default). A holder
//! rewrites, adds and removes fields at will; whenever a server accepts the result, what it
//! would store is what the issuer decided: the key, Content-Type, ACL and storage class on
//! both servers, plus metadata and redirect on the strict one.
//!
//! Requests: every header the issuer set, and `x-cos-acl` on writes, is in the signed list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use cos_wasm::{
    Credentials, Endpoint, ErrorCode, Header, KeyTime, Pin, PostKey, PostObjectFormOptions,
    SignRequestOptions, Signer, DEFAULT_ACL, DEFAULT_CONTENT_TYPE, DEFAULT_STORAGE_CLASS,
};
use proptest::prelude::*;
use serde_json::Value;

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIDexample", "secret").unwrap())
}

fn endpoint() -> Endpoint {
    Endpoint::new("examplebucket-1250000000", "ap-guangzhou").unwrap()
}

fn kt() -> KeyTime {
    KeyTime::parse("1700000000;1700000600").unwrap()
}

/// Fields a server takes without any condition (signature fields and the key itself,
/// which `key`'s own condition covers).
const EXEMPT: &[&str] = &[
    "key",
    "policy",
    "q-sign-algorithm",
    "q-ak",
    "q-key-time",
    "q-signature",
    "x-cos-security-token",
];

/// The value of field `name` (case-insensitive); `key` has `${filename}` substituted.
fn value(fields: &[(String, String)], name: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(k, v)| {
            if k == "key" {
                v.replace("${filename}", "cat.png")
            } else {
                v.clone()
            }
        })
}

/// Whether a server accepts `fields` under `policy` (file size 1). `strict`: every field
/// must be named by a condition. Duplicated fields are refused (both emulators do; COS
/// UNCONFIRMED, so the generator never duplicates).
fn accepts(policy: &Value, fields: &[(String, String)], strict: bool) -> bool {
    let mut named: Vec<String> = Vec::new();
    let field_value = |name: &str| -> Option<String> {
        match name.to_ascii_lowercase().as_str() {
            "bucket" => Some("examplebucket-1250000000".into()),
            "q-sign-time" => value(fields, "q-key-time"),
            _ => value(fields, name),
        }
    };
    for c in policy["conditions"].as_array().unwrap() {
        let ok = if let Some(obj) = c.as_object() {
            obj.iter().all(|(k, v)| {
                named.push(k.to_ascii_lowercase());
                field_value(k).as_deref() == v.as_str()
            })
        } else {
            let a = c.as_array().unwrap();
            match a[0].as_str().unwrap() {
                "content-length-range" => {
                    a[1].as_u64().unwrap() <= 1 && 1 <= a[2].as_u64().unwrap()
                }
                op => {
                    let name = a[1].as_str().unwrap().trim_start_matches('$');
                    named.push(name.to_ascii_lowercase());
                    let want = a[2].as_str().unwrap();
                    match (op, field_value(name)) {
                        ("eq", Some(v)) => v == want,
                        ("starts-with", Some(v)) => v.starts_with(want),
                        _ => false,
                    }
                }
            }
        };
        if !ok {
            return false;
        }
    }
    !strict
        || fields.iter().all(|(k, _)| {
            let k = k.to_ascii_lowercase();
            EXEMPT.contains(&k.as_str()) || named.contains(&k)
        })
}

fn opt(values: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    proptest::option::of(proptest::sample::select(values).prop_map(String::from))
}

prop_compose! {
    fn form_options()(
        exact in any::<bool>(),
        key in "[a-z]{1,3}(/[a-z]{1,3}){0,2}/?",
        content_type in opt(&["image/png", "text/plain", "application/pdf"]),
        acl in opt(&["private", "default", "public-read"]),
        storage_class in opt(&["STANDARD", "STANDARD_IA", "MAZ_STANDARD"]),
        redirect in opt(&["https://app.example/done"]),
        status in proptest::option::of(proptest::sample::select(vec![200u16, 201, 204])),
        meta in proptest::collection::vec(("(owner|tag|note)", "[a-z]{0,4}"), 0..3),
        strict in any::<bool>(),
    ) -> PostObjectFormOptions {
        let mut meta = meta;
        meta.sort();
        meta.dedup_by(|a, b| a.0 == b.0);
        PostObjectFormOptions {
            key: if exact { PostKey::Exact(key) } else { PostKey::Prefix(key) },
            content_type,
            acl,
            storage_class,
            success_action_redirect: redirect,
            success_action_status: status,
            meta,
            content_length_range: Some((1, 10)),
            strict,
            ..PostObjectFormOptions::default()
        }
    }
}

/// One edit by the holder: set (add or replace) or remove a field.
fn edit() -> impl Strategy<Value = (String, Option<String>)> {
    (
        proptest::sample::select(vec![
            "key",
            "Content-Type",
            "content-type",
            "acl",
            "x-cos-acl",
            "x-cos-storage-class",
            "success_action_redirect",
            "success_action_status",
            "x-cos-meta-owner",
            "x-cos-meta-evil",
        ]),
        proptest::option::of(proptest::sample::select(vec![
            "text/html",
            "image/svg+xml",
            "public-read",
            "ARCHIVE",
            "https://evil.example/",
            "other/${filename}",
            "",
            "x",
        ])),
    )
        .prop_map(|(n, v)| (n.to_owned(), v.map(String::from)))
}

fn apply(fields: &mut Vec<(String, String)>, (name, v): &(String, Option<String>)) {
    let at = fields
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case(name));
    match (at, v) {
        (Some(i), Some(v)) => fields[i].1.clone_from(v),
        (None, Some(v)) => fields.insert(0, (name.clone(), v.clone())),
        (Some(i), None) => {
            fields.remove(i);
        }
        (None, None) => {}
    }
}

/// What the issuer decided for `field` (the given value, else the strict default).
fn decided(given: Option<&String>, strict: bool, default: &str) -> Option<String> {
    given
        .cloned()
        .or_else(|| strict.then(|| default.to_owned()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn no_form_allows_more_than_its_inputs(
        opts in form_options(),
        edits in proptest::collection::vec(edit(), 0..4),
    ) {
        let form = signer().post_object_form(&opts, &endpoint(), kt()).unwrap();
        let policy_b64 = value(&form.fields, "policy").unwrap();
        let policy: Value =
            serde_json::from_slice(&common::b64_decode(&policy_b64).unwrap()).unwrap();
        // the issuer's own form passes the strict server
        let mut fields: Vec<(String, String)> = form.fields.clone();
        prop_assert!(accepts(&policy, &fields, true));

        for e in &edits {
            apply(&mut fields, e);
        }
        for strict_server in [false, true] {
            if !accepts(&policy, &fields, strict_server) {
                continue;
            }
            let key = value(&fields, "key").unwrap();
            match &opts.key {
                PostKey::Exact(k) => prop_assert_eq!(&key, k),
                PostKey::Prefix(p) => prop_assert!(key.starts_with(p.as_str()), "{key} outside {p}"),
            }
            for (name, given, default) in [
                ("Content-Type", opts.content_type.as_ref(), DEFAULT_CONTENT_TYPE),
                ("acl", opts.acl.as_ref(), DEFAULT_ACL),
                ("x-cos-storage-class", opts.storage_class.as_ref(), DEFAULT_STORAGE_CLASS),
            ] {
                if let Some(want) = decided(given, opts.strict, default) {
                    prop_assert_eq!(value(&fields, name), Some(want), "{}", name);
                }
            }
            // an issuer-given redirect or metadata is pinned on any server
            if let Some(r) = &opts.success_action_redirect {
                prop_assert_eq!(value(&fields, "success_action_redirect"), Some(r.clone()));
            }
            for (k, v) in &opts.meta {
                prop_assert_eq!(value(&fields, &format!("x-cos-meta-{k}")), Some(v.clone()));
            }
            if strict_server {
                // nothing beyond the issuer's fields: no redirect, no metadata of the holder's
                prop_assert_eq!(
                    value(&fields, "success_action_redirect"),
                    opts.success_action_redirect.clone()
                );
                for (k, _) in &fields {
                    if let Some(m) = k.to_ascii_lowercase().strip_prefix("x-cos-meta-") {
                        prop_assert!(opts.meta.iter().any(|(n, _)| n == m), "extra metadata {k}");
                    }
                }
                prop_assert!(value(&fields, "x-cos-acl").is_none());
            }
        }
    }

    /// Every exact condition of a decoded policy is a field of the form with the same value
    /// (the SSE-C key aside, pinned by its MD5): the policy names nothing the form lacks.
    #[test]
    fn policy_conditions_are_the_form_fields(opts in form_options()) {
        let form = signer().post_object_form(&opts, &endpoint(), kt()).unwrap();
        let policy: Value = serde_json::from_slice(
            &common::b64_decode(&value(&form.fields, "policy").unwrap()).unwrap(),
        )
        .unwrap();
        for c in policy["conditions"].as_array().unwrap() {
            if let Some(obj) = c.as_object() {
                for (k, v) in obj {
                    if k == "bucket" || k == "q-sign-time" {
                        continue;
                    }
                    prop_assert_eq!(value(&form.fields, k), v.as_str().map(String::from), "{}", k);
                }
            }
        }
    }

    /// Every header the issuer set is signed; writes sign x-cos-acl unless pin.acl is off.
    #[test]
    fn requests_sign_every_issuer_header(
        method in proptest::sample::select(vec!["PUT", "GET", "POST"]),
        headers in proptest::collection::vec(
            ("(Content-Type|Cache-Control|Content-Disposition|X-Custom|x-cos-meta-a|x-cos-storage-class)", "[a-z]{1,5}"),
            0..4,
        ),
        pin_acl in any::<bool>(),
        presign in any::<bool>(),
    ) {
        let mut hs: Vec<Header> = Vec::new();
        for (n, v) in headers {
            if !hs.iter().any(|h| h.name.eq_ignore_ascii_case(&n)) {
                hs.push(Header::new(n, v));
            }
        }
        let query = if method == "POST" { vec![("uploads".to_owned(), None)] } else { vec![] };
        let req = SignRequestOptions {
            method: method.into(),
            key: "a/b.txt".into(),
            query,
            headers: hs.clone(),
            pin: Pin { acl: pin_acl, ..Pin::default() },
            ..SignRequestOptions::default()
        };
        let signed = if presign {
            signer().presign_request(&req, &endpoint(), kt()).unwrap()
        } else {
            signer().sign_request(&req, &endpoint(), kt()).unwrap()
        };
        let list = if presign {
            common::percent_decode(
                signed.url.split("q-header-list=").nth(1).unwrap().split('&').next().unwrap(),
            )
            .unwrap()
        } else {
            let auth = &signed.headers.iter().find(|h| h.name == "Authorization").unwrap().value;
            auth.split("q-header-list=").nth(1).unwrap().split('&').next().unwrap().to_owned()
        };
        let list: Vec<&str> = list.split(';').collect();
        for h in &hs {
            prop_assert!(list.contains(&h.name.to_ascii_lowercase().as_str()), "{} unsigned", h.name);
        }
        let writes = method != "GET";
        prop_assert_eq!(list.contains(&"x-cos-acl"), writes && pin_acl);
        prop_assert_eq!(
            signed.headers.iter().any(|h| h.name == "x-cos-acl" && h.value == DEFAULT_ACL),
            writes && pin_acl
        );
    }
}

#[test]
fn empty_key_prefix_is_refused_unless_allowed() {
    for p in ["", "/"] {
        let mut opts = PostObjectFormOptions {
            key: PostKey::Prefix(p.into()),
            ..PostObjectFormOptions::default()
        };
        let e = signer()
            .post_object_form(&opts, &endpoint(), kt())
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::KeyPrefixEmpty, "{p:?}");
        opts.allow_empty_key_prefix = true;
        assert!(signer().post_object_form(&opts, &endpoint(), kt()).is_ok());
    }
}

#[test]
fn strict_default_next_to_a_condition_on_the_same_field_is_refused() {
    let mut opts = PostObjectFormOptions {
        key: PostKey::Exact("a.png".into()),
        conditions: vec![r#"["starts-with","$Content-Type","image/"]"#.into()],
        ..PostObjectFormOptions::default()
    };
    let e = signer()
        .post_object_form(&opts, &endpoint(), kt())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidPolicy);
    opts.strict = false;
    assert!(signer().post_object_form(&opts, &endpoint(), kt()).is_ok());
    opts.strict = true;
    opts.content_type = Some("image/png".into());
    assert!(signer().post_object_form(&opts, &endpoint(), kt()).is_ok());
}
