//! SSE, signing with SSE, POST forms and bucket encryption (issue 3), checked against the
//! protocol notes (`docs/protocol.md` §2–§4) and the official-SDK vectors in `tests/vectors/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::bucket_encryption::BucketEncryption;
use cos_wasm::keys::CustomerKey;
use cos_wasm::post_form::{PostKey, PostObjectFormOptions};
use cos_wasm::request::{object_url, SignRequestOptions};
use cos_wasm::sse::{
    check_key_md5, copy_source_sse_headers, sse_headers, Operation, Sse, SseAlgorithm,
    APPEND_OBJECT_ACCEPTS_SSE,
};
use cos_wasm::time::iso8601_utc;
use cos_wasm::{Credentials, Endpoint, ErrorCode, Header, KeyTime, Protocol, Request, Signer};
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::{b64, b64_decode, canonical, hex, uri_encode, vector_file, vectors};

const ID: &str = "AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q";
const SECRET: &str = "BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz";
const DOC_KEY: &[u8; 32] = b"0123456789ABCDEF0123456789ABCDEF";

fn signer() -> Signer {
    Signer::new(Credentials::new(ID, SECRET).unwrap())
}

fn temp_signer() -> Signer {
    Signer::new(
        Credentials::new(ID, SECRET)
            .unwrap()
            .with_security_token("TOKEN-abc/123+=")
            .unwrap(),
    )
}

fn endpoint() -> Endpoint {
    Endpoint::new("examplebucket-1250000000", "ap-guangzhou").unwrap()
}

fn http_endpoint(domain: &str) -> Endpoint {
    endpoint()
        .with_domain(domain)
        .unwrap()
        .with_protocol(Protocol::Http)
}

fn kt() -> KeyTime {
    KeyTime::parse("1557989151;1557996351").unwrap()
}

fn aes_key() -> CustomerKey {
    CustomerKey::from_bytes(SseAlgorithm::Aes256, DOC_KEY).unwrap()
}

fn pairs(h: &[Header]) -> Vec<(String, String)> {
    h.iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect()
}

fn p(n: &str, v: &str) -> (String, String) {
    (n.to_owned(), v.to_owned())
}

fn header<'a>(h: &'a [Header], name: &str) -> Option<&'a str> {
    h.iter()
        .find(|x| x.name.eq_ignore_ascii_case(name))
        .map(|x| x.value.as_str())
}

// ---------------------------------------------------------------------------------------
// Header sets: every operation × mode × algorithm (protocol §3)
// ---------------------------------------------------------------------------------------

/// `tests/vectors/sse-headers.json`: the headers of each mode and which operations take it.
fn sse_vectors() -> Value {
    vector_file("sse-headers.json")
}

/// An [`Sse`] from a vector's description (the shape the JS API takes).
fn sse_of(v: &Value) -> Sse {
    let algorithm = v["algorithm"]
        .as_str()
        .map_or(SseAlgorithm::Aes256, |a| SseAlgorithm::parse(a).unwrap());
    match v["type"].as_str().unwrap() {
        "SSE-COS" => Sse::Cos { algorithm },
        "SSE-KMS" => Sse::Kms {
            key_id: v["kmsKeyId"].as_str().map(str::to_owned),
            context_json: v.get("context").map(|c| serde_json::to_string(c).unwrap()),
            algorithm,
        },
        "SSE-C" => {
            Sse::Customer(CustomerKey::from_base64(algorithm, v["key"].as_str().unwrap()).unwrap())
        }
        other => panic!("unknown SSE type {other}"),
    }
}

/// A vector's `[[name, value], …]`.
fn header_pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|pair| p(pair[0].as_str().unwrap(), pair[1].as_str().unwrap()))
        .collect()
}

/// Which modes each operation takes (protocol §3 "Which APIs take which headers").
fn accepts(op: Operation, sse: &Sse) -> bool {
    sse_vectors()["operations"][op.as_str()]
        .as_array()
        .unwrap_or_else(|| panic!("{op} missing in sse-headers.json"))
        .iter()
        .any(|m| m == sse.mode_name())
}

#[test]
fn header_matrix() {
    let v = sse_vectors();
    let modes = v["modes"].as_array().unwrap();
    let mut checked = 0;
    for op in Operation::ALL {
        for mode in modes {
            let sse = sse_of(&mode["sse"]);
            let want = header_pairs(&mode["headers"]);
            let got = sse_headers(&sse, *op);
            if accepts(*op, &sse) {
                let got = got.unwrap_or_else(|e| panic!("{op} {}: {e}", mode["id"]));
                assert_eq!(pairs(&got), want, "{op} {}", mode["id"]);
                for h in &got {
                    assert_eq!(h.sensitive, h.name.ends_with("-customer-key"), "{}", h.name);
                }
            } else {
                let e = got.unwrap_err();
                assert_eq!(e.code(), ErrorCode::SseNotAllowed, "{op} {}", mode["id"]);
                assert!(e.message().contains(op.as_str()), "{e}");
                assert!(e.message().contains(sse.mode_name()), "{e}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, Operation::ALL.len() * modes.len());
    assert_eq!(
        v["operations"].as_object().unwrap().len(),
        Operation::ALL.len()
    );
    // The vector file and the crate agree that AppendObject takes no SSE (UNCONFIRMED).
    assert_eq!(
        accepts(Operation::AppendObject, &sse_of(&modes[0]["sse"])),
        APPEND_OBJECT_ACCEPTS_SSE
    );
}

#[test]
fn get_with_sse_cos_says_reads_decrypt() {
    for op in [Operation::GetObject, Operation::HeadObject] {
        let e = sse_headers(
            &Sse::Cos {
                algorithm: SseAlgorithm::Aes256,
            },
            op,
        )
        .unwrap_err();
        assert!(e.message().contains("decrypt automatically"), "{e}");
    }
}

#[test]
fn append_is_refused_safely() {
    const { assert!(!APPEND_OBJECT_ACCEPTS_SSE) };
    let e = sse_headers(&Sse::Customer(aes_key()), Operation::AppendObject).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SseNotAllowed);
    assert!(e.message().contains("AppendObject"));
}

#[test]
fn copy_source_triple() {
    for v in sse_vectors()["copy_source"].as_array().unwrap() {
        let alg = SseAlgorithm::parse(v["algorithm"].as_str().unwrap()).unwrap();
        let key = CustomerKey::from_base64(alg, v["key"].as_str().unwrap()).unwrap();
        let got = copy_source_sse_headers(&key);
        assert_eq!(pairs(&got), header_pairs(&v["headers"]));
        assert!(got[1].sensitive && !got[0].sensitive && !got[2].sensitive);
    }
}

/// COS's documented SSE-C key: its MD5 passes `check_key_md5`.
#[test]
fn documented_examples() {
    for v in sse_vectors()["customer_keys"].as_array().unwrap() {
        let alg = SseAlgorithm::parse(v["algorithm"].as_str().unwrap()).unwrap();
        let k = CustomerKey::from_base64(alg, v["key_base64"].as_str().unwrap()).unwrap();
        assert_eq!(k.md5_base64(), v["key_md5"].as_str().unwrap());
        check_key_md5(&k, v["key_md5"].as_str().unwrap()).unwrap();
    }
}

#[test]
fn operation_parse() {
    for op in Operation::ALL {
        assert_eq!(Operation::parse(op.as_str()).unwrap(), *op);
    }
    for bad in ["", "putObject", "PUT", "Copy"] {
        assert_eq!(
            Operation::parse(bad).unwrap_err().code(),
            ErrorCode::UnknownOperation
        );
    }
    assert_eq!(
        SseAlgorithm::parse("aes256").unwrap_err().code(),
        ErrorCode::InvalidSse
    );
}

#[test]
fn operation_inference() {
    let q = |names: &[&str]| -> Vec<(String, Option<String>)> {
        names
            .iter()
            .map(|n| ((*n).to_owned(), Some("1".to_owned())))
            .collect()
    };
    let copy = vec![Header::new("x-cos-copy-source", "b/k")];
    type Query = Vec<(String, Option<String>)>;
    let cases: Vec<(&str, Query, Vec<Header>, Option<Operation>)> = vec![
        ("PUT", q(&[]), vec![], Some(Operation::PutObject)),
        (
            "put",
            q(&["partNumber", "uploadId"]),
            vec![],
            Some(Operation::UploadPart),
        ),
        ("PUT", q(&[]), copy.clone(), Some(Operation::CopyObject)),
        (
            "PUT",
            q(&["partNumber", "uploadId"]),
            copy,
            Some(Operation::UploadPartCopy),
        ),
        (
            "POST",
            q(&["uploads"]),
            vec![],
            Some(Operation::InitiateMultipartUpload),
        ),
        (
            "POST",
            q(&["uploadId"]),
            vec![],
            Some(Operation::CompleteMultipartUpload),
        ),
        (
            "POST",
            q(&["append", "position"]),
            vec![],
            Some(Operation::AppendObject),
        ),
        ("GET", q(&[]), vec![], Some(Operation::GetObject)),
        ("HEAD", q(&[]), vec![], Some(Operation::HeadObject)),
        ("POST", q(&["restore"]), vec![], None),
        ("DELETE", q(&[]), vec![], None),
    ];
    for (m, q, h, want) in cases {
        assert_eq!(Operation::infer(m, &q, &h), want, "{m} {q:?}");
    }
}

// ---------------------------------------------------------------------------------------
// sign_request / presign_request
// ---------------------------------------------------------------------------------------

fn vector(id: &str) -> Value {
    vectors()
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no vector {id}"))
}

/// Splits a vector's raw headers into an `Sse`, a copy-source key and the other headers.
fn split_sse(
    headers: &serde_json::Map<String, Value>,
) -> (Option<Sse>, Option<CustomerKey>, Vec<Header>) {
    let get = |n: &str| headers.get(n).and_then(Value::as_str);
    let alg = |n: &str| SseAlgorithm::parse(get(n).unwrap_or("AES256")).unwrap();
    let sse = if let Some(k) = get("x-cos-server-side-encryption-customer-key") {
        let key =
            CustomerKey::from_base64(alg("x-cos-server-side-encryption-customer-algorithm"), k)
                .unwrap();
        Some(
            Sse::customer_with_md5(
                key,
                get("x-cos-server-side-encryption-customer-key-MD5").unwrap(),
            )
            .unwrap(),
        )
    } else {
        match get("x-cos-server-side-encryption") {
            Some("cos/kms") => Some(Sse::Kms {
                key_id: get("x-cos-server-side-encryption-cos-kms-key-id").map(str::to_owned),
                context_json: get("x-cos-server-side-encryption-context")
                    .map(|c| String::from_utf8(b64_decode(c).unwrap()).unwrap()),
                algorithm: if get("x-cos-server-side-encryption-cos-kms-algorithm") == Some("SM4") {
                    SseAlgorithm::Sm4
                } else {
                    SseAlgorithm::Aes256
                },
            }),
            Some(a) => Some(Sse::Cos {
                algorithm: SseAlgorithm::parse(a).unwrap(),
            }),
            None => None,
        }
    };
    let src = get("x-cos-copy-source-server-side-encryption-customer-key").map(|k| {
        CustomerKey::from_base64(
            alg("x-cos-copy-source-server-side-encryption-customer-algorithm"),
            k,
        )
        .unwrap()
    });
    let rest = headers
        .iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !k.starts_with("x-cos-server-side-encryption")
                && !k.starts_with("x-cos-copy-source-server-side-encryption")
        })
        .map(|(k, v)| Header::new(k, v.as_str().unwrap()))
        .collect();
    (sse, src, rest)
}

fn query_of(input: &Value) -> Vec<(String, Option<String>)> {
    input["query"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_owned)))
        .collect()
}

/// The SSE headers this crate builds equal, name for name and value for value, those the
/// official SDKs sent in every SSE vector, and sign to the same Authorization.
#[test]
fn sse_vectors_match_official_sdks() {
    let ids = [
        "auth-sse-kms",
        "auth-sse-kms-initiate-multipart",
        "auth-sse-c-put",
        "auth-sse-c-get-range",
        "auth-copy-sse-c-to-sse-c",
        "auth-upload-part-copy-sse-c",
    ];
    for id in ids {
        let case = vector(id);
        let input = &case["input"];
        let raw = input["headers"].as_object().unwrap();
        let (sse, src, rest) = split_sse(raw);
        let method = input["method"].as_str().unwrap();
        let query = query_of(input);
        let op = Operation::infer(method, &query, &rest).unwrap();
        let mut built = rest.clone();
        if let Some(sse) = &sse {
            built.extend(sse_headers(sse, op).unwrap());
        }
        if let Some(src) = &src {
            built.extend(copy_source_sse_headers(src));
        }
        let mut want: Vec<(String, String)> = raw
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let mut got = pairs(&built);
        want.sort();
        got.sort();
        assert_eq!(got, want, "{id}");

        let req = Request {
            method: method.to_owned(),
            key: input["path"].as_str().unwrap().to_owned(),
            query: query.clone(),
            headers: built,
            sign_headers: vec![],
        };
        let expected = case["expected"]["authorization"].as_str().unwrap();
        assert_eq!(
            signer().authorization(&req, kt()).unwrap(),
            expected,
            "{id}"
        );

        // Vectors that sign the standard host go through sign_request end to end.
        if raw.contains_key("host") {
            let sreq = SignRequestOptions {
                method: method.to_owned(),
                key: req.key.clone(),
                query,
                headers: rest
                    .into_iter()
                    .filter(|h| !h.name.eq_ignore_ascii_case("host"))
                    .collect(),
                sse,
                copy_source_sse: src,
                ..SignRequestOptions::default()
            };
            let signed = signer().sign_request(&sreq, &endpoint(), kt()).unwrap();
            assert_eq!(
                header(&signed.headers, "authorization"),
                Some(expected),
                "{id}"
            );
            assert!(header(&signed.headers, "host").is_none());
        }
    }
}

#[test]
fn presign_kms_matches_vector() {
    let case = vector("presign-put-sse-kms");
    let input = &case["input"];
    let (sse, _, rest) = split_sse(input["headers"].as_object().unwrap());
    let req = SignRequestOptions {
        method: "PUT".into(),
        key: input["path"].as_str().unwrap().into(),
        headers: rest,
        sse,
        ..SignRequestOptions::default()
    };
    let kt = KeyTime::parse(input["key_time"].as_str().unwrap()).unwrap();
    let pre = signer().presign_request(&req, &endpoint(), kt).unwrap();
    assert_eq!(canonical(&pre.url), case["expected"]["canonical"]);
    assert_eq!(
        header(&pre.headers, "x-cos-server-side-encryption"),
        Some("cos/kms")
    );
    assert_eq!(pre.headers.len(), 3);
}

#[test]
fn presign_sse_c_get_keeps_key_out_of_url() {
    let req = SignRequestOptions {
        method: "GET".into(),
        key: "secret/file.bin".into(),
        query: vec![("response-content-type".into(), Some("text/plain".into()))],
        sse: Some(Sse::Customer(aes_key())),
        ..SignRequestOptions::default()
    };
    let pre = temp_signer()
        .presign_request(&req, &endpoint(), kt())
        .unwrap();
    assert!(pre.url.contains("q-header-list=host%3Bx-cos-server-side-encryption-customer-algorithm%3Bx-cos-server-side-encryption-customer-key%3Bx-cos-server-side-encryption-customer-key-md5"), "{}", pre.url);
    assert!(pre.url.contains("response-content-type=text%2Fplain"));
    assert!(pre
        .url
        .contains("x-cos-security-token=TOKEN-abc%2F123%2B%3D"));
    assert_eq!(pre.headers.len(), 3);
    assert_no_key(&pre.url, DOC_KEY);
}

#[test]
fn sign_request_adds_token_signed_and_builds_url() {
    let req = SignRequestOptions {
        method: "PUT".into(),
        key: "dir/a b+c.txt".into(),
        query: vec![
            ("partNumber".into(), Some("1".into())),
            ("uploadId".into(), Some("x/y".into())),
            ("flag".into(), None),
        ],
        headers: vec![Header::new("Content-Length", "3")],
        sse: Some(Sse::Customer(aes_key())),
        ..SignRequestOptions::default()
    };
    let s = temp_signer().sign_request(&req, &endpoint(), kt()).unwrap();
    assert_eq!(
        s.url,
        "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b%2Bc.txt?partNumber=1&uploadId=x%2Fy&flag"
    );
    let names: Vec<&str> = s.headers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Content-Length",
            "x-cos-server-side-encryption-customer-algorithm",
            "x-cos-server-side-encryption-customer-key",
            "x-cos-server-side-encryption-customer-key-MD5",
            "x-cos-security-token",
            "Authorization"
        ]
    );
    let auth = header(&s.headers, "authorization").unwrap();
    assert!(auth.contains("q-header-list=content-length;host;x-cos-security-token;x-cos-server-side-encryption-customer-algorithm;x-cos-server-side-encryption-customer-key;x-cos-server-side-encryption-customer-key-md5&q-url-param-list=flag;partnumber;uploadid&"), "{auth}");
    assert!(!s.url.contains("TOKEN"));

    // Path-style endpoints sign and address /<bucket>/<key>.
    let e = http_endpoint("127.0.0.1:9000").with_path_style(true);
    let s = signer()
        .sign_request(
            &SignRequestOptions {
                method: "GET".into(),
                key: "k".into(),
                ..SignRequestOptions::default()
            },
            &e,
            kt(),
        )
        .unwrap();
    assert_eq!(s.url, "http://127.0.0.1:9000/examplebucket-1250000000/k");
}

// ---------------------------------------------------------------------------------------
// One failing input per rule
// ---------------------------------------------------------------------------------------

fn put(sse: Sse) -> SignRequestOptions {
    SignRequestOptions {
        method: "PUT".into(),
        key: "a.bin".into(),
        sse: Some(sse),
        ..SignRequestOptions::default()
    }
}

fn code<T: std::fmt::Debug>(r: cos_wasm::Result<T>) -> ErrorCode {
    r.unwrap_err().code()
}

#[test]
fn rule_sse_c_requires_https() {
    let s = signer();
    let remote = http_endpoint("cos.example.com");
    let local = http_endpoint("127.0.0.1:9000");
    let req = put(Sse::Customer(aes_key()));
    assert_eq!(
        code(s.sign_request(&req, &remote, kt())),
        ErrorCode::SseCRequiresHttps
    );
    assert_eq!(
        code(s.sign_request(&req, &local, kt())),
        ErrorCode::SseCRequiresHttps
    );
    assert_eq!(
        code(s.presign_request(&req, &local, kt())),
        ErrorCode::SseCRequiresHttps
    );
    // The opt-out is the endpoint's, and only counts for a loopback host.
    let allow = |e: Endpoint| e.allow_insecure_local(true);
    assert_eq!(
        code(s.sign_request(&req, &allow(remote.clone()), kt())),
        ErrorCode::SseCRequiresHttps
    );
    assert!(s.sign_request(&req, &allow(local), kt()).is_ok());
    assert!(s
        .sign_request(&req, &allow(http_endpoint("localhost:9000")), kt())
        .is_ok());

    // The copy-source key counts too.
    let copy = SignRequestOptions {
        method: "PUT".into(),
        key: "dst".into(),
        headers: vec![Header::new("x-cos-copy-source", "b.cos.r.myqcloud.com/src")],
        copy_source_sse: Some(aes_key()),
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.sign_request(&copy, &remote, kt())),
        ErrorCode::SseCRequiresHttps
    );
    // Raw SSE-C headers too.
    let raw = SignRequestOptions {
        method: "GET".into(),
        key: "k".into(),
        headers: copy_source_sse_headers(&aes_key())
            .into_iter()
            .map(|h| Header::new(h.name.replace("copy-source-", ""), h.value.clone()))
            .collect(),
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.sign_request(&raw, &remote, kt())),
        ErrorCode::SseCRequiresHttps
    );
    // SSE-KMS carries no key material: allowed over http.
    assert!(s
        .sign_request(
            &put(Sse::Kms {
                key_id: None,
                context_json: None,
                algorithm: SseAlgorithm::Aes256
            }),
            &remote,
            kt()
        )
        .is_ok());
    // POST forms.
    let form = PostObjectFormOptions {
        key: PostKey::Exact("a".into()),
        sse: Some(Sse::Customer(aes_key())),
        ..PostObjectFormOptions::default()
    };
    assert_eq!(
        code(s.post_object_form(&form, &remote, kt())),
        ErrorCode::SseCRequiresHttps
    );
}

#[test]
fn rule_archive_conflict() {
    let s = signer();
    for class in ["ARCHIVE", "deep_archive", "Archive"] {
        let mut req = put(Sse::Cos {
            algorithm: SseAlgorithm::Aes256,
        });
        req.headers.push(Header::new("x-cos-storage-class", class));
        assert_eq!(
            code(s.sign_request(&req, &endpoint(), kt())),
            ErrorCode::SseArchiveConflict
        );
        let form = PostObjectFormOptions {
            key: PostKey::Exact("a".into()),
            sse: Some(Sse::Customer(aes_key())),
            storage_class: Some(class.into()),
            ..PostObjectFormOptions::default()
        };
        assert_eq!(
            code(s.post_object_form(&form, &endpoint(), kt())),
            ErrorCode::SseArchiveConflict
        );
    }
    // Raw SSE headers with ARCHIVE as well.
    let req = SignRequestOptions {
        method: "PUT".into(),
        key: "a".into(),
        headers: vec![
            Header::new("x-cos-server-side-encryption", "AES256"),
            Header::new("X-Cos-Storage-Class", "ARCHIVE"),
        ],
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.sign_request(&req, &endpoint(), kt())),
        ErrorCode::SseArchiveConflict
    );
    // Non-archive classes are fine.
    let mut ok = put(Sse::Customer(aes_key()));
    ok.headers
        .push(Header::new("x-cos-storage-class", "STANDARD_IA"));
    assert!(s.sign_request(&ok, &endpoint(), kt()).is_ok());
}

#[test]
fn rule_sse_cos_presigned_upload() {
    let s = signer();
    for m in ["PUT", "POST"] {
        for alg in [SseAlgorithm::Aes256, SseAlgorithm::Sm4] {
            let mut req = put(Sse::Cos { algorithm: alg });
            req.method = m.into();
            if m == "POST" {
                req.query.push(("uploads".into(), None));
            }
            assert_eq!(
                code(s.presign_request(&req, &endpoint(), kt())),
                ErrorCode::SsePresignedUpload,
                "{m}"
            );
            assert!(s.sign_request(&req, &endpoint(), kt()).is_ok());
        }
    }
    let raw = SignRequestOptions {
        method: "PUT".into(),
        key: "a".into(),
        headers: vec![Header::new("x-cos-server-side-encryption", "AES256")],
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.presign_request(&raw, &endpoint(), kt())),
        ErrorCode::SsePresignedUpload
    );
    // SSE-KMS and SSE-C presigned uploads are allowed (headers returned).
    assert!(s
        .presign_request(&put(Sse::Customer(aes_key())), &endpoint(), kt())
        .is_ok());
}

#[test]
fn rule_kms_anonymous_and_object_url() {
    let e = endpoint();
    assert_eq!(
        object_url(&e, "a b/c+d.txt", None).unwrap(),
        "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/c%2Bd.txt"
    );
    assert!(object_url(
        &e,
        "a",
        Some(&Sse::Cos {
            algorithm: SseAlgorithm::Sm4
        })
    )
    .is_ok());
    let kms = Sse::Kms {
        key_id: None,
        context_json: None,
        algorithm: SseAlgorithm::Aes256,
    };
    assert_eq!(
        code(object_url(&e, "a", Some(&kms))),
        ErrorCode::SseKmsAnonymous
    );
    assert_eq!(
        code(object_url(&e, "a", Some(&Sse::Customer(aes_key())))),
        ErrorCode::SseNotAllowed
    );
    assert_eq!(
        code(object_url(&e, "a\u{1b}", None)),
        ErrorCode::InvalidObjectKey
    );
}

#[test]
fn rule_key_length_and_md5() {
    assert_eq!(
        code(CustomerKey::from_bytes(SseAlgorithm::Aes256, &[0; 16])),
        ErrorCode::InvalidKeyLength
    );
    assert_eq!(
        code(CustomerKey::from_bytes(SseAlgorithm::Sm4, &[0; 32])),
        ErrorCode::InvalidKeyLength
    );
    let e = check_key_md5(&aes_key(), "tP/LI3N87DFaSk0aoqYgzg==").unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeyMd5Mismatch);
    assert!(!e.message().contains("tP/LI3N87DFaSk0aoqYgzg=="));
    assert!(!e.message().contains(&aes_key().md5_base64()));
    assert_eq!(
        code(Sse::customer_with_md5(aes_key(), "bad")),
        ErrorCode::KeyMd5Mismatch
    );
    // Raw headers with a wrong MD5 or a wrong-length key are caught before signing.
    let mut h = sse_headers(&Sse::Customer(aes_key()), Operation::GetObject).unwrap();
    h[2].value = "tP/LI3N87DFaSk0aoqYgzg==".into();
    let req = SignRequestOptions {
        method: "GET".into(),
        key: "a".into(),
        headers: h.clone(),
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(signer().sign_request(&req, &endpoint(), kt())),
        ErrorCode::KeyMd5Mismatch
    );
    h[1].value = b64(&[1; 16]);
    let req = SignRequestOptions { headers: h, ..req };
    assert_eq!(
        code(signer().sign_request(&req, &endpoint(), kt())),
        ErrorCode::InvalidKeyLength
    );
}

#[test]
fn rule_operation_and_mode_errors() {
    let s = signer();
    // A pre-signed Authorization header is refused.
    let mut a = put(Sse::Customer(aes_key()));
    a.headers
        .push(Header::new("authorization", "q-sign-algorithm=sha1"));
    assert_eq!(
        code(s.sign_request(&a, &endpoint(), kt())),
        ErrorCode::InvalidArgument
    );
    // Unknown operation with SSE.
    let mut req = put(Sse::Customer(aes_key()));
    req.method = "DELETE".into();
    let e = s.sign_request(&req, &endpoint(), kt()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownOperation);
    assert!(e.message().contains("operation"));
    // No SSE: any method signs.
    req.sse = None;
    assert!(s.sign_request(&req, &endpoint(), kt()).is_ok());
    // SSE-COS on a GET.
    let get = SignRequestOptions {
        method: "GET".into(),
        key: "a".into(),
        sse: Some(Sse::Cos {
            algorithm: SseAlgorithm::Aes256,
        }),
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.sign_request(&get, &endpoint(), kt())),
        ErrorCode::SseNotAllowed
    );
    // Explicit operation that disagrees with the method.
    let mut bad = put(Sse::Customer(aes_key()));
    bad.operation = Some(Operation::GetObject);
    assert_eq!(
        code(s.sign_request(&bad, &endpoint(), kt())),
        ErrorCode::InvalidArgument
    );
    bad.operation = Some(Operation::PostObject);
    bad.method = "POST".into();
    assert_eq!(
        code(s.sign_request(&bad, &endpoint(), kt())),
        ErrorCode::InvalidArgument
    );
    // Explicit Complete with SSE.
    let mut c = put(Sse::Customer(aes_key()));
    c.method = "POST".into();
    c.operation = Some(Operation::CompleteMultipartUpload);
    assert_eq!(
        code(s.sign_request(&c, &endpoint(), kt())),
        ErrorCode::SseNotAllowed
    );
    // Copy-source key on a non-copy operation.
    let mut p = put(Sse::Customer(aes_key()));
    p.copy_source_sse = Some(aes_key());
    assert_eq!(
        code(s.sign_request(&p, &endpoint(), kt())),
        ErrorCode::SseNotAllowed
    );
    // SSE both as option and as headers; SSE parameters in the query; mixed raw modes.
    let mut dup = put(Sse::Customer(aes_key()));
    dup.headers
        .push(Header::new("x-cos-server-side-encryption", "AES256"));
    assert_eq!(
        code(s.sign_request(&dup, &endpoint(), kt())),
        ErrorCode::InvalidSse
    );
    let mut q = put(Sse::Customer(aes_key()));
    q.query.push((
        "x-cos-server-side-encryption-customer-key".into(),
        Some("x".into()),
    ));
    assert_eq!(
        code(s.presign_request(&q, &endpoint(), kt())),
        ErrorCode::InvalidSse
    );
    let mut mixed = sse_headers(&Sse::Customer(aes_key()), Operation::PutObject).unwrap();
    mixed.push(Header::new("x-cos-server-side-encryption", "AES256"));
    let m = SignRequestOptions {
        method: "PUT".into(),
        key: "a".into(),
        headers: mixed,
        ..SignRequestOptions::default()
    };
    assert_eq!(
        code(s.sign_request(&m, &endpoint(), kt())),
        ErrorCode::InvalidSse
    );
    // Bad KMS options.
    for (key_id, ctx) in [
        (Some(""), None),
        (None, Some("[1]")),
        (None, Some("{\"a\":")),
        (None, Some("not json")),
    ] {
        let kms = Sse::Kms {
            key_id: key_id.map(str::to_owned),
            context_json: ctx.map(str::to_owned),
            algorithm: SseAlgorithm::Aes256,
        };
        assert_eq!(
            code(s.sign_request(&put(kms), &endpoint(), kt())),
            ErrorCode::InvalidSse
        );
    }
}

// ---------------------------------------------------------------------------------------
// POST forms (protocol §2)
// ---------------------------------------------------------------------------------------

fn vector_signer(input: &Value) -> Signer {
    Signer::new(
        Credentials::new(
            input["secret_id"].as_str().unwrap(),
            input["secret_key"].as_str().unwrap(),
        )
        .unwrap(),
    )
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Every POST vector: signing its policy text gives its q-signature; its SSE fields are
/// what `sse_headers(.., PostObject)` puts in the form.
#[test]
fn post_vectors() {
    let mut n = 0;
    for case in vectors().into_iter().filter(|c| c["kind"] == "post_policy") {
        let id = case["id"].as_str().unwrap();
        let input = &case["input"];
        let expected = &case["expected"];
        let kt = KeyTime::parse(input["key_time"].as_str().unwrap()).unwrap();
        let s = vector_signer(input);
        let signed = s
            .sign_post_policy(expected["policy_json"].as_str().unwrap(), kt)
            .unwrap();
        assert_eq!(
            field(&signed.fields, "q-signature"),
            expected["fields"]["q-signature"].as_str(),
            "{id}"
        );
        let (sse, _, _) = split_sse(input["headers"].as_object().unwrap());
        if let Some(sse) = sse {
            for h in sse_headers(&sse, Operation::PostObject).unwrap() {
                assert_eq!(
                    expected["fields"][&h.name].as_str(),
                    Some(h.value.as_str()),
                    "{id}: {}",
                    h.name
                );
            }
        }
        assert_eq!(iso8601_utc(kt.end()), "2025-01-01T00:15:00.000Z");
        n += 1;
    }
    assert!(n >= 6);
}

/// Forms whose policy uses only exact `{…}` conditions and `starts-with` keys are
/// reproduced byte for byte.
#[test]
fn post_form_reproduces_vectors() {
    let cases = [
        ("post-basic", PostKey::Exact("uploads/a.txt".into()), None),
        (
            "post-sse-cos-sm4",
            PostKey::Exact("uploads/sm4.bin".into()),
            Some(Sse::Cos {
                algorithm: SseAlgorithm::Sm4,
            }),
        ),
        ("post-unicode-key", PostKey::Prefix("上传/".into()), None),
    ];
    for (id, key, sse) in cases {
        let case = vector(id);
        let input = &case["input"];
        let expected = &case["expected"];
        let kt = KeyTime::parse(input["key_time"].as_str().unwrap()).unwrap();
        let s = vector_signer(input);
        let form = PostObjectFormOptions {
            key,
            sse,
            ..PostObjectFormOptions::default()
        };
        assert_eq!(
            s.post_object_policy(&form, &endpoint(), kt).unwrap(),
            expected["policy_json"].as_str().unwrap(),
            "{id}"
        );
        let f = s.post_object_form(&form, &endpoint(), kt).unwrap();
        for k in [
            "policy",
            "q-signature",
            "q-ak",
            "q-key-time",
            "q-sign-algorithm",
        ] {
            assert_eq!(
                field(&f.fields, k),
                expected["fields"][k].as_str(),
                "{id} {k}"
            );
        }
        assert_eq!(
            f.url,
            "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
        );
    }
}

#[test]
fn post_form_full() {
    let form = PostObjectFormOptions {
        key: PostKey::Prefix("user/42/".into()),
        sse: Some(Sse::Customer(aes_key())),
        content_length_range: Some((1, 10_485_760)),
        content_type: Some("image/png".into()),
        success_action_status: Some(201),
        success_action_redirect: Some("https://app.example.com/done?x=1&y=\"2\"".into()),
        meta: vec![
            ("owner".into(), "alice".into()),
            ("X-Cos-Meta-Tag".into(), "腾讯".into()),
        ],
        storage_class: Some("STANDARD_IA".into()),
        acl: Some("private".into()),
        conditions: vec![r#"["starts-with","$Cache-Control",""]"#.into()],
    };
    let s = temp_signer();
    let f = s.post_object_form(&form, &endpoint(), kt()).unwrap();
    let names: Vec<&str> = f.fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "acl",
            "Content-Type",
            "success_action_redirect",
            "success_action_status",
            "x-cos-storage-class",
            "x-cos-server-side-encryption-customer-algorithm",
            "x-cos-server-side-encryption-customer-key",
            "x-cos-server-side-encryption-customer-key-MD5",
            "x-cos-meta-owner",
            "X-Cos-Meta-Tag",
            "policy",
            "q-sign-algorithm",
            "q-ak",
            "q-key-time",
            "q-signature",
            "x-cos-security-token",
        ]
    );
    assert_eq!(field(&f.fields, "key"), Some("user/42/${filename}"));
    let policy_text =
        String::from_utf8(b64_decode(field(&f.fields, "policy").unwrap()).unwrap()).unwrap();
    assert_eq!(
        policy_text,
        s.post_object_policy(&form, &endpoint(), kt()).unwrap()
    );
    let policy: Value = serde_json::from_str(&policy_text).unwrap();
    assert_eq!(policy["expiration"], "2019-05-16T08:45:51.000Z");
    let conds = policy["conditions"].as_array().unwrap();
    let has = |c: Value| conds.contains(&c);
    assert!(has(serde_json::json!({"q-sign-algorithm": "sha1"})));
    assert!(has(serde_json::json!({"q-ak": ID})));
    assert!(has(
        serde_json::json!({"q-sign-time": "1557989151;1557996351"})
    ));
    assert!(has(
        serde_json::json!({"bucket": "examplebucket-1250000000"})
    ));
    assert!(has(serde_json::json!(["starts-with", "$key", "user/42/"])));
    assert!(has(serde_json::json!({"Content-Type": "image/png"})));
    assert!(has(serde_json::json!({"success_action_status": "201"})));
    assert!(has(
        serde_json::json!({"success_action_redirect": "https://app.example.com/done?x=1&y=\"2\""})
    ));
    assert!(has(
        serde_json::json!({"x-cos-storage-class": "STANDARD_IA"})
    ));
    assert!(has(serde_json::json!({"acl": "private"})));
    assert!(has(
        serde_json::json!({"x-cos-server-side-encryption-customer-algorithm": "AES256"})
    ));
    assert!(has(
        serde_json::json!({"x-cos-server-side-encryption-customer-key-MD5": aes_key().md5_base64()})
    ));
    assert!(has(serde_json::json!({"x-cos-meta-owner": "alice"})));
    assert!(has(serde_json::json!({"X-Cos-Meta-Tag": "腾讯"})));
    assert!(has(serde_json::json!([
        "content-length-range",
        1,
        10_485_760
    ])));
    assert!(has(
        serde_json::json!({"x-cos-security-token": "TOKEN-abc/123+="})
    ));
    assert!(has(serde_json::json!([
        "starts-with",
        "$Cache-Control",
        ""
    ])));
    // The key itself is pinned by its MD5, not repeated in the policy.
    assert!(!policy_text.contains(aes_key().key_base64().as_str()));
    assert!(policy_text.contains("腾讯"), "no \\u escaping of non-ASCII");
    // Signature is the policy signature of that exact text.
    let again = s.sign_post_policy(&policy_text, kt()).unwrap();
    assert_eq!(
        field(&again.fields, "q-signature"),
        field(&f.fields, "q-signature")
    );
}

#[test]
fn post_form_rules() {
    let s = signer();
    let e = endpoint();
    let base = || PostObjectFormOptions {
        key: PostKey::Exact("a.txt".into()),
        ..PostObjectFormOptions::default()
    };
    let run = |f: PostObjectFormOptions| code(s.post_object_form(&f, &e, kt()));
    assert_eq!(
        run(PostObjectFormOptions {
            success_action_status: Some(202),
            ..base()
        }),
        ErrorCode::InvalidPolicy
    );
    assert!(s
        .post_object_form(
            &PostObjectFormOptions {
                success_action_status: Some(204),
                ..base()
            },
            &e,
            kt()
        )
        .is_ok());
    assert_eq!(
        run(PostObjectFormOptions {
            content_length_range: Some((10, 9)),
            ..base()
        }),
        ErrorCode::InvalidPolicy
    );
    assert!(s
        .post_object_form(
            &PostObjectFormOptions {
                content_length_range: Some((0, 0)),
                ..base()
            },
            &e,
            kt()
        )
        .is_ok());
    assert_eq!(
        run(PostObjectFormOptions {
            meta: vec![("my_tag".into(), "v".into())],
            ..base()
        }),
        ErrorCode::InvalidHeaderName
    );
    assert_eq!(
        run(PostObjectFormOptions {
            meta: vec![("x-cos-meta-".into(), "v".into())],
            ..base()
        }),
        ErrorCode::InvalidHeaderName
    );
    assert_eq!(
        run(PostObjectFormOptions {
            meta: vec![("a".into(), "v".repeat(2040))],
            ..base()
        }),
        ErrorCode::InvalidHeaderValue
    );
    assert_eq!(
        run(PostObjectFormOptions {
            meta: (0..3)
                .map(|i| (format!("m{i}"), "v".repeat(1500)))
                .collect(),
            ..base()
        }),
        ErrorCode::InvalidHeaderValue
    );
    assert_eq!(
        run(PostObjectFormOptions {
            meta: vec![("a".into(), "1".into()), ("A".into(), "2".into())],
            ..base()
        }),
        ErrorCode::DuplicateHeader
    );
    assert_eq!(
        run(PostObjectFormOptions {
            meta: vec![("a".into(), "x\ny".into())],
            ..base()
        }),
        ErrorCode::InvalidHeaderValue
    );
    assert_eq!(
        run(PostObjectFormOptions {
            conditions: vec!["{\"a\":".into()],
            ..base()
        }),
        ErrorCode::InvalidPolicy
    );
    assert_eq!(
        run(PostObjectFormOptions {
            conditions: vec!["\"str\"".into()],
            ..base()
        }),
        ErrorCode::InvalidPolicy
    );
    assert_eq!(
        run(PostObjectFormOptions {
            key: PostKey::Exact(String::new()),
            ..base()
        }),
        ErrorCode::InvalidObjectKey
    );
    assert_eq!(
        run(PostObjectFormOptions {
            key: PostKey::Exact("a/${filename}".into()),
            ..base()
        }),
        ErrorCode::InvalidObjectKey
    );
    assert_eq!(
        run(PostObjectFormOptions {
            key: PostKey::Exact("x".repeat(851)),
            ..base()
        }),
        ErrorCode::ObjectKeyTooLong
    );
    assert_eq!(
        run(PostObjectFormOptions {
            sse: Some(Sse::Kms {
                key_id: None,
                context_json: Some("[]".into()),
                algorithm: SseAlgorithm::Aes256
            }),
            ..base()
        }),
        ErrorCode::InvalidSse
    );
    // SSE-C to a loopback http endpoint with the opt-out.
    let local = http_endpoint("localhost:9000")
        .with_path_style(true)
        .allow_insecure_local(true);
    let f = s
        .post_object_form(
            &PostObjectFormOptions {
                sse: Some(Sse::Customer(aes_key())),
                ..base()
            },
            &local,
            kt(),
        )
        .unwrap();
    assert_eq!(f.url, "http://localhost:9000/examplebucket-1250000000/");
}

#[test]
fn iso8601_known_dates() {
    for (t, want) in [
        (0, "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:01.000Z"),
        (68_255_999, "1972-02-29T23:59:59.000Z"),
        (946_684_799, "1999-12-31T23:59:59.000Z"),
        (951_868_800, "2000-03-01T00:00:00.000Z"),
        (1_567_157_892, "2019-08-30T09:38:12.000Z"),
        (1_557_996_351, "2019-05-16T08:45:51.000Z"),
        (1_735_690_500, "2025-01-01T00:15:00.000Z"),
        (4_102_444_800, "2100-01-01T00:00:00.000Z"),
        (4_107_456_000, "2100-02-28T00:00:00.000Z"),
        (4_107_542_400, "2100-03-01T00:00:00.000Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000Z"),
    ] {
        assert_eq!(iso8601_utc(t), want, "{t}");
    }
}

// ---------------------------------------------------------------------------------------
// Bucket encryption (protocol §4)
// ---------------------------------------------------------------------------------------

#[test]
fn bucket_encryption_xml() {
    assert_eq!(
        BucketEncryption::kms(Some("cmk-1")).unwrap().to_xml(),
        "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>cmk-1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
    );
    assert!(!BucketEncryption::Sm4.to_xml().contains("KMSMasterKeyID"));
    assert_eq!(
        BucketEncryption::parse_xml(
            "<ServerSideEncryptionConfiguration>\n <Rule>\n  <ApplyServerSideEncryptionByDefault>\n   <SSEAlgorithm>SM4</SSEAlgorithm>\n  </ApplyServerSideEncryptionByDefault>\n </Rule>\n</ServerSideEncryptionConfiguration>"
        )
        .unwrap(),
        BucketEncryption::Sm4
    );
    assert_eq!(
        BucketEncryption::parse_xml("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>a&amp;b&#x41;&#66;</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>").unwrap(),
        BucketEncryption::Kms { key_id: Some("a&bAB".into()) }
    );
    assert_eq!(
        code(BucketEncryption::parse_xml("<html>404</html>")),
        ErrorCode::InvalidXml
    );
    assert_eq!(
        code(BucketEncryption::kms(Some(" "))),
        ErrorCode::InvalidSse
    );
}

// ---------------------------------------------------------------------------------------
// No key material anywhere: Debug, error messages, URLs
// ---------------------------------------------------------------------------------------

fn forms_of_key(key: &[u8]) -> Vec<String> {
    let mut v = vec![hex(key), hex(key).to_ascii_uppercase(), b64(key)];
    if let Ok(s) = std::str::from_utf8(key) {
        v.push(s.to_owned());
    }
    // The URL-encoded base64 too.
    v.push(uri_encode(&b64(key)));
    v
}

fn assert_no_key(text: &str, key: &[u8]) {
    for f in forms_of_key(key) {
        assert!(!text.contains(&f), "key material {f:?} leaked in: {text}");
    }
}

#[test]
fn no_key_material_leaks() {
    let dest: &[u8] = DOC_KEY;
    let src: &[u8] = b"SRCKEY-SRCKEY-SRCKEY-SRCKEY-1234";
    let dest_key = CustomerKey::from_bytes(SseAlgorithm::Aes256, dest).unwrap();
    let src_key = CustomerKey::from_bytes(SseAlgorithm::Aes256, src).unwrap();
    let mut texts: Vec<String> = Vec::new();

    let sse = Sse::Customer(dest_key.clone());
    texts.push(format!("{sse:?}"));
    texts.push(format!("{dest_key:?}"));
    texts.push(format!(
        "{:?}",
        sse_headers(&sse, Operation::PutObject).unwrap()
    ));
    texts.push(format!("{:?}", copy_source_sse_headers(&src_key)));

    let copy = SignRequestOptions {
        method: "PUT".into(),
        key: "dst".into(),
        headers: vec![
            Header::new(
                "x-cos-copy-source",
                "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/src",
            ),
            // A caller-built header with the wrong flag is still redacted by SignRequestOptions's Debug.
            Header {
                name: "x-cos-meta-note".into(),
                value: "public".into(),
                sensitive: false,
            },
        ],
        sse: Some(sse.clone()),
        copy_source_sse: Some(src_key.clone()),
        ..SignRequestOptions::default()
    };
    texts.push(format!("{copy:?}"));
    let signed = temp_signer()
        .sign_request(&copy, &endpoint(), kt())
        .unwrap();
    texts.push(signed.url.clone());
    texts.push(format!("{signed:?}"));
    let pre = temp_signer()
        .presign_request(&copy, &endpoint(), kt())
        .unwrap();
    texts.push(pre.url.clone());
    texts.push(format!("{pre:?}"));
    let get = SignRequestOptions {
        method: "GET".into(),
        key: "dst".into(),
        sse: Some(sse.clone()),
        ..SignRequestOptions::default()
    };
    let pre_get = signer().presign_request(&get, &endpoint(), kt()).unwrap();
    texts.push(pre_get.url.clone());

    let form = PostObjectFormOptions {
        key: PostKey::Exact("a".into()),
        sse: Some(sse.clone()),
        ..PostObjectFormOptions::default()
    };
    texts.push(format!("{form:?}"));
    let pf = temp_signer()
        .post_object_form(&form, &endpoint(), kt())
        .unwrap();
    texts.push(pf.url.clone());
    texts.push(format!("{pf:?}"));
    for dbg in [format!("{signed:?}"), format!("{pre:?}"), format!("{pf:?}")] {
        assert!(!dbg.contains("TOKEN-abc"), "security token in Debug: {dbg}");
    }
    let policy =
        String::from_utf8(b64_decode(field(&pf.fields, "policy").unwrap()).unwrap()).unwrap();
    texts.push(policy);

    // Every error that can involve a key.
    let remote = http_endpoint("cos.example.com");
    let errors = vec![
        temp_signer()
            .sign_request(&copy, &remote, kt())
            .unwrap_err(),
        check_key_md5(&dest_key, "AAAAAAAAAAAAAAAAAAAAAA==").unwrap_err(),
        sse_headers(&sse, Operation::CompleteMultipartUpload).unwrap_err(),
        sse_headers(&sse, Operation::AppendObject).unwrap_err(),
        object_url(&endpoint(), "a", Some(&sse)).unwrap_err(),
        CustomerKey::from_bytes(SseAlgorithm::Sm4, dest).unwrap_err(),
        CustomerKey::from_base64(SseAlgorithm::Aes256, &b64(&dest[..31])).unwrap_err(),
        CustomerKey::from_base64(SseAlgorithm::Aes256, &format!("{}!", b64(dest))).unwrap_err(),
        signer()
            .post_object_form(
                &PostObjectFormOptions {
                    storage_class: Some("ARCHIVE".into()),
                    ..form.clone()
                },
                &endpoint(),
                kt(),
            )
            .unwrap_err(),
        signer().post_object_form(&form, &remote, kt()).unwrap_err(),
        signer()
            .sign_request(
                &SignRequestOptions {
                    method: "GET".into(),
                    key: "a".into(),
                    headers: vec![
                        Header::new("x-cos-server-side-encryption-customer-key", b64(dest)),
                        Header::new(
                            "x-cos-server-side-encryption-customer-key-MD5",
                            "AAAAAAAAAAAAAAAAAAAAAA==",
                        ),
                    ],
                    ..SignRequestOptions::default()
                },
                &endpoint(),
                kt(),
            )
            .unwrap_err(),
        signer()
            .presign_request(
                &SignRequestOptions {
                    method: "GET".into(),
                    key: "a".into(),
                    query: vec![(
                        "x-cos-server-side-encryption-customer-key".into(),
                        Some(b64(dest)),
                    )],
                    ..SignRequestOptions::default()
                },
                &endpoint(),
                kt(),
            )
            .unwrap_err(),
    ];
    for e in &errors {
        texts.push(format!("{e:?}"));
        texts.push(e.to_string());
    }
    for t in &texts {
        assert_no_key(t, dest);
        assert_no_key(t, src);
    }
}

// ---------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Arbitrary keys, metadata and conditions never panic, and every policy built is
    /// valid JSON whose key condition round-trips.
    #[test]
    fn post_policy_is_valid_json(
        key in any::<String>(),
        prefix in any::<bool>(),
        meta in proptest::collection::vec(
            (prop_oneof![3 => "[a-zA-Z0-9-]{1,12}", 1 => any::<String>()], any::<String>()),
            0..4,
        ),
        conditions in proptest::collection::vec(
            prop_oneof![
                1 => any::<String>(),
                2 => "\\[\"eq\",\"\\$[a-z]{1,5}\",\"[^\"\\\\]{0,8}\"\\]",
                2 => "\\{\"[a-z]{1,4}\":[0-9]{1,3}\\}",
                1 => "[\\[\\]{}\",:0-9a-z ]{0,12}",
            ],
            0..3,
        ),
        content_type in proptest::option::of(any::<String>()),
        status in proptest::option::of(prop_oneof![Just(200u16), Just(201), Just(204), any::<u16>()]),
        range in proptest::option::of(prop_oneof![(0u64..100, 100u64..u64::MAX), (any::<u64>(), any::<u64>())]),
        key_bytes in proptest::collection::vec(any::<u8>(), 32..=32),
    ) {
        let form = PostObjectFormOptions {
            key: if prefix { PostKey::Prefix(key.clone()) } else { PostKey::Exact(key.clone()) },
            sse: Some(Sse::Customer(CustomerKey::from_bytes(SseAlgorithm::Aes256, &key_bytes).unwrap())),
            content_length_range: range,
            content_type,
            success_action_status: status,
            meta,
            conditions,
            ..PostObjectFormOptions::default()
        };
        let s = temp_signer();
        let built = s.post_object_policy(&form, &endpoint(), kt());
        if let Err(e) = &built {
            assert_no_key(&e.to_string(), &key_bytes);
        }
        if let Ok(text) = built {
            let v: Value = serde_json::from_str(&text).expect("policy must be JSON");
            prop_assert!(v["conditions"].is_array());
            // Byte-identical to serde_json's (JSON.stringify-compatible) serialisation of
            // the same string, when the key is exact.
            let k = key.strip_prefix('/').unwrap_or(&key);
            if !prefix {
                let want = serde_json::json!({"key": k});
                prop_assert!(text.contains(&serde_json::to_string(&want).unwrap()));
            }
            let f = s.post_object_form(&form, &endpoint(), kt()).unwrap();
            prop_assert_eq!(&f.fields[0].0, "key");
            assert_no_key(&format!("{f:?}"), &key_bytes);
            assert_no_key(&text, &key_bytes);
        }
    }

    /// Signing with arbitrary keys, headers and SSE-C keys never panics or leaks the key.
    #[test]
    fn sign_request_never_panics(
        method in prop_oneof![Just("GET".to_owned()), Just("PUT".to_owned()), Just("POST".to_owned()), any::<String>()],
        key in any::<String>(),
        query in proptest::collection::vec((any::<String>(), proptest::option::of(any::<String>())), 0..3),
        headers in proptest::collection::vec((any::<String>(), any::<String>()), 0..3),
        key_bytes in proptest::collection::vec(any::<u8>(), 16..=32),
    ) {
        let sse = CustomerKey::from_bytes(SseAlgorithm::Aes256, &key_bytes)
            .or_else(|_| CustomerKey::from_bytes(SseAlgorithm::Sm4, &key_bytes))
            .ok()
            .map(Sse::Customer);
        let req = SignRequestOptions {
            method,
            key,
            query,
            headers: headers.into_iter().map(|(n, v)| Header::new(n, v)).collect(),
            sse,
            ..SignRequestOptions::default()
        };
        for r in [
            signer().sign_request(&req, &endpoint(), kt()).map(|s| (s.url.clone(), format!("{s:?}"))),
            signer().presign_request(&req, &endpoint(), kt()).map(|s| (s.url.clone(), format!("{s:?}"))),
        ] {
            match r {
                Ok((url, dbg)) => {
                    assert_no_key(&url, &key_bytes);
                    assert_no_key(&dbg, &key_bytes);
                }
                Err(e) => assert_no_key(&e.to_string(), &key_bytes),
            }
        }
        assert_no_key(&format!("{req:?}"), &key_bytes);
    }

    /// The XML parser never panics on arbitrary input and round-trips what it writes.
    #[test]
    fn bucket_xml_never_panics(text in any::<String>(), id in "[ -~]{1,20}") {
        let _ = BucketEncryption::parse_xml(&text);
        let _ = BucketEncryption::parse_xml(&format!("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{text}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"));
        if let Ok(e) = BucketEncryption::kms(Some(&id)) {
            prop_assert_eq!(BucketEncryption::parse_xml(&e.to_xml()).unwrap(), e);
        }
    }

    /// KMS context: any JSON object serde_json writes is accepted and base64'd verbatim.
    #[test]
    fn kms_context_roundtrip(map in proptest::collection::btree_map(any::<String>(), any::<String>(), 0..4)) {
        let text = serde_json::to_string(&map).unwrap();
        let h = sse_headers(
            &Sse::Kms { key_id: None, context_json: Some(text.clone()), algorithm: SseAlgorithm::Aes256 },
            Operation::InitiateMultipartUpload,
        ).unwrap();
        let want = b64(text.as_bytes());
        prop_assert_eq!(header(&h, "x-cos-server-side-encryption-context"), Some(want.as_str()));
    }
}
