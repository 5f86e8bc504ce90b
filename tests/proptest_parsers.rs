//! Property tests for the pure Rust parsers a hostile caller reaches through the JS
//! boundary (issue 12): POST policy JSON, bucket-encryption XML, wrapped-key envelopes,
//! KDF parameters, key times, header values and CRC-64 headers. Arbitrary text never
//! panics, every failure has a stable code, and what is accepted round-trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::{
    hash::verify_crc64, unwrap, wrap, BucketEncryption, Credentials, CustomerKey, ErrorCode,
    KdfParams, KeyTime, Request, Signer, SseAlgorithm, WrapAlgorithm, WrappingKey,
};
use proptest::prelude::*;

fn signer() -> Signer {
    Signer::new(Credentials::new("AKIDexample", "secret").unwrap())
}

fn kt() -> KeyTime {
    KeyTime::new(1, 2).unwrap()
}

/// JSON-ish text: brackets, strings, numbers, escapes and junk, deeply nested at times.
fn jsonish() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"a\"".to_owned()),
        Just("\"\\u00zz\"".to_owned()),
        Just("\"\\ud800\"".to_owned()),
        Just("-0.5e+3".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just(" ".to_owned()),
        "[^\u{0}]{0,3}",
    ];
    prop::collection::vec(atom, 0..64).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn policy_json_never_panics(text in jsonish(), depth in 0usize..200) {
        let s = signer();
        for t in [text.clone(), format!("{{\"conditions\":[{text}]}}"), format!("{}{}", "[".repeat(depth), "]".repeat(depth))] {
            match s.sign_post_policy(&t, kt()) {
                Ok(f) => prop_assert!(!f.fields.is_empty()),
                Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidPolicy),
            }
        }
    }

    #[test]
    fn bucket_encryption_xml_never_panics_and_round_trips(text in ".{0,200}", id in "[ -~]{0,40}") {
        let _ = BucketEncryption::parse_xml(&text);
        let _ = BucketEncryption::parse_xml(&format!("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{text}</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"));
        if let Ok(cfg) = BucketEncryption::kms(Some(&id)) {
            let back = BucketEncryption::parse_xml(&cfg.to_xml()).unwrap();
            prop_assert_eq!(back.to_xml(), cfg.to_xml());
        }
    }

    #[test]
    fn envelopes_never_panic_and_tampering_never_unwraps(text in ".{0,120}", flip in 0usize..200, aad in prop::collection::vec(any::<u8>(), 0..16)) {
        let wrapping = WrappingKey::from_bytes(WrapAlgorithm::Aes256Gcm, &[7; 32]).unwrap();
        prop_assert!(unwrap(&text, &wrapping, &aad).is_err());
        let key = CustomerKey::from_bytes(SseAlgorithm::Aes256, &[9; 32]).unwrap();
        let nonce: [u8; 12] = core::array::from_fn(|i| i as u8 + 1);
        let env = wrap(&key, &wrapping, &aad, &nonce).unwrap();
        prop_assert_eq!(unwrap(&env, &wrapping, &aad).unwrap().md5_base64(), key.md5_base64());
        let mut bytes = env.into_bytes();
        let i = flip % bytes.len();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        if let Ok(tampered) = String::from_utf8(bytes) {
            if let Ok(k) = unwrap(&tampered, &wrapping, &aad) {
                // Only a change the encoding ignores may unwrap, and then to the same key.
                prop_assert_eq!(k.md5_base64(), key.md5_base64());
            }
        }
    }

    #[test]
    fn kdf_params_and_key_times_never_panic(text in ".{0,80}", a in any::<u64>(), b in any::<u64>()) {
        if let Ok(p) = KdfParams::parse(&text) {
            prop_assert_eq!(KdfParams::parse(&p.to_string()).unwrap().to_string(), p.to_string());
        }
        let _ = KeyTime::parse(&text);
        match KeyTime::parse(&format!("{a};{b}")) {
            Ok(k) => prop_assert_eq!((k.start(), k.end()), (a, b)),
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidKeyTime),
        }
    }

    #[test]
    fn header_values_are_signed_only_as_they_travel(value in ".{0,40}", pad in "[ \t]{0,3}") {
        let s = signer();
        let padded = format!("{pad}{value}{pad}");
        let got = s.authorization(&Request::new("GET", "k").header("x-cos-meta-a", &padded), kt());
        let trimmed = padded.trim_matches([' ', '\t']);
        let printable = trimmed.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
        match got {
            Ok(auth) => {
                prop_assert!(printable);
                // Trimmed before signing: the same signature as the trimmed value.
                let plain = s.authorization(&Request::new("GET", "k").header("x-cos-meta-a", trimmed), kt()).unwrap();
                prop_assert_eq!(auth, plain);
            }
            Err(e) => {
                prop_assert!(!printable);
                prop_assert_eq!(e.code(), ErrorCode::InvalidHeaderValue);
            }
        }
    }

    #[test]
    fn crc64_headers_never_panic(text in ".{0,30}", n in any::<u64>()) {
        let _ = verify_crc64(n, &text);
        prop_assert!(verify_crc64(n, &n.to_string()).is_ok());
    }
}

#[test]
fn size_caps_have_their_codes() {
    let s = signer();
    let long = "x".repeat(cos_wasm::sign::MAX_HEADER_VALUE_BYTES + 1);
    let e = s
        .authorization(
            &Request::new("GET", "k").header("x-cos-meta-a", &long),
            kt(),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::HeaderValueTooLong);
    let mut req = Request::new("GET", "k");
    req.query.push((
        "a".into(),
        Some("y".repeat(cos_wasm::sign::MAX_QUERY_VALUE_BYTES + 1)),
    ));
    assert_eq!(
        s.authorization(&req, kt()).unwrap_err().code(),
        ErrorCode::QueryValueTooLong
    );
    let mut req = Request::new("GET", "k");
    req.query.push((
        "x-cos-server-side-encryption-customer-key".into(),
        Some("a2V5".into()),
    ));
    assert_eq!(
        s.authorization(&req, kt()).unwrap_err().code(),
        ErrorCode::InvalidQueryValue
    );
}
