//! SSE-C key preparation (issue 4): known-answer tests for every primitive
//! (`tests/vectors/crypto-kat.json`), cross-language vectors for the cos-wasm formats
//! (`tests/vectors/keys.json`, computed independently by `tests/vectors/keys.py` with Python
//! `hashlib`/`hmac`/`cryptography`), tamper, fuzz and leak tests.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::Aes256Gcm;
use base64::Engine as _;
use cos_wasm::keys::{
    derive_from_passphrase, derive_hkdf, hkdf_info, hkdf_sha256, pbkdf2_hmac_sha256, unwrap, wrap,
    CustomerKey, KdfParams, Sm4Gcm, WrapAlgorithm, WrappingKey, PBKDF2_DEFAULT_ITERATIONS,
    PBKDF2_MAX_ITERATIONS, PBKDF2_MIN_ITERATIONS,
};
use cos_wasm::sse::SseAlgorithm;
use cos_wasm::{Error, ErrorCode};
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::vector_file;

fn h(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn hx(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn code<T: std::fmt::Debug>(r: Result<T, Error>) -> ErrorCode {
    r.expect_err("expected an error").code()
}

const NONCE: [u8; 12] = [
    0xca, 0xfe, 0xba, 0xbe, 0xfa, 0xce, 0xdb, 0xad, 0xde, 0xca, 0xf8, 0x88,
];
const AAD: &[u8] = b"examplebucket-1250000000/photos/cat.jpg";
const DOC_KEY: &[u8] = b"0123456789ABCDEF0123456789ABCDEF";

fn wk32() -> WrappingKey {
    WrappingKey::from_bytes(WrapAlgorithm::Aes256Gcm, &(0u8..32).collect::<Vec<_>>()).unwrap()
}
fn wk16() -> WrappingKey {
    WrappingKey::from_bytes(WrapAlgorithm::Sm4Gcm, &(0u8..16).collect::<Vec<_>>()).unwrap()
}

// ---------------------------------------------------------------- primitive KATs

/// The entries of `tests/vectors/<file>` under `section`.
fn entries(file: &str, section: &str) -> Vec<Value> {
    vector_file(file)[section]
        .as_array()
        .expect(section)
        .clone()
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {v}"))
}

/// GB/T 32907-2016 (and GM/T 0002-2012) Appendix A, example 1.
#[test]
fn sm4_block_kat() {
    use sm4::cipher::{BlockCipherDecrypt, BlockCipherEncrypt};
    for v in entries("crypto-kat.json", "sm4_block") {
        let cipher = sm4::Sm4::new_from_slice(&h(text(&v, "key"))).unwrap();
        let plain = h(text(&v, "plaintext"));
        let mut block = sm4::cipher::Block::<sm4::Sm4>::try_from(plain.as_slice()).unwrap();
        cipher.encrypt_block(&mut block);
        assert_eq!(hx(&block), text(&v, "ciphertext"), "{}", v["source"]);
        cipher.decrypt_block(&mut block);
        assert_eq!(block.as_slice(), plain.as_slice());
    }
}

fn gcm_kat<C>(v: &Value)
where
    C: KeyInit
        + AeadInOut
        + aes_gcm::aead::AeadCore<
            NonceSize = aes_gcm::aead::consts::U12,
            TagSize = aes_gcm::aead::consts::U16,
        >,
{
    let cipher = C::new_from_slice(&h(text(v, "key"))).unwrap();
    let nonce: [u8; 12] = h(text(v, "iv")).try_into().unwrap();
    let (aad, pt) = (h(text(v, "aad")), h(text(v, "plaintext")));
    let mut buf = pt.clone();
    let t = cipher
        .encrypt_inout_detached(&nonce.into(), &aad, buf.as_mut_slice().into())
        .unwrap();
    assert_eq!(
        hx(&buf),
        text(v, "ciphertext").to_lowercase(),
        "{}",
        v["source"]
    );
    assert_eq!(hx(&t), text(v, "tag").to_lowercase(), "{}", v["source"]);
    cipher
        .decrypt_inout_detached(&nonce.into(), &aad, buf.as_mut_slice().into(), &t)
        .unwrap();
    assert_eq!(buf, pt);
}

/// RFC 8998 Appendix A.1 (SM4-GCM test vector).
#[test]
fn sm4_gcm_rfc8998_a1() {
    for v in entries("crypto-kat.json", "sm4_gcm") {
        gcm_kat::<Sm4Gcm>(&v);
    }
}

/// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (the specification
/// submitted to NIST for SP 800-38D), Appendix B test cases 13, 14 and 16 (256-bit keys).
#[test]
fn aes256_gcm_nist_test_cases() {
    for v in entries("crypto-kat.json", "aes256_gcm") {
        gcm_kat::<Aes256Gcm>(&v);
    }
}

/// RFC 5869 Appendix A, test cases 1 and 3 (HKDF-SHA256).
#[test]
fn hkdf_rfc5869() {
    for v in entries("crypto-kat.json", "hkdf_sha256") {
        let want = text(&v, "okm");
        let mut okm = vec![0u8; want.len() / 2];
        hkdf_sha256(
            &h(text(&v, "salt")),
            &h(text(&v, "ikm")),
            &h(text(&v, "info")),
            &mut okm,
        )
        .unwrap();
        assert_eq!(hx(&okm), want, "{}", v["source"]);
    }
    assert_eq!(
        code(hkdf_sha256(&[], &[1; 32], &[], &mut [])),
        ErrorCode::InvalidKdfParams
    );
    let mut too_long = vec![0u8; 255 * 32 + 1];
    assert_eq!(
        code(hkdf_sha256(&[], &[1; 32], &[], &mut too_long)),
        ErrorCode::InvalidKdfParams
    );
}

/// PBKDF2-HMAC-SHA256: RFC 7914 §11 and the widely published `password`/`salt` values.
#[test]
fn pbkdf2_published_vectors() {
    for v in entries("crypto-kat.json", "pbkdf2_hmac_sha256") {
        let want = text(&v, "dk");
        let mut out = vec![0u8; want.len() / 2];
        let c = u32::try_from(v["iterations"].as_u64().unwrap()).unwrap();
        pbkdf2_hmac_sha256(
            text(&v, "password").as_bytes(),
            text(&v, "salt").as_bytes(),
            c,
            &mut out,
        )
        .unwrap();
        assert_eq!(hx(&out), want, "{} c={c}", v["source"]);
    }
    assert_eq!(
        code(pbkdf2_hmac_sha256(b"p", b"s", 0, &mut [0; 32])),
        ErrorCode::InvalidKdfParams
    );
    assert_eq!(
        code(pbkdf2_hmac_sha256(b"p", b"s", 1, &mut [])),
        ErrorCode::InvalidKdfParams
    );
}

/// COS SSE-C documentation example (protocol §3; `tests/vectors/sse-headers.json`).
#[test]
fn cos_documented_sse_c_example() {
    for v in entries("sse-headers.json", "customer_keys") {
        let alg = SseAlgorithm::parse(text(&v, "algorithm")).unwrap();
        let hex = text(&v, "key_hex");
        // The same key through the hex importer in both cases, and the base64 importer.
        for t in [hex.to_owned(), hex.to_uppercase(), format!("  {hex}\n")] {
            let k = CustomerKey::from_hex(alg, &t).unwrap();
            assert_eq!(
                k.key_base64().as_str(),
                text(&v, "key_base64"),
                "{}",
                v["id"]
            );
            assert_eq!(k.md5_base64(), text(&v, "key_md5"), "{}", v["id"]);
        }
        let k = CustomerKey::from_base64(alg, text(&v, "key_base64")).unwrap();
        assert_eq!(hx(k.expose_bytes()), hex);
    }
}

// ---------------------------------------------------------------- CustomerKey

#[test]
fn generate_checks_the_random_buffer() {
    let r: Vec<u8> = (1..=32).collect();
    let k = CustomerKey::generate(SseAlgorithm::Aes256, &r).unwrap();
    assert_eq!(k.expose_bytes(), r.as_slice());
    assert_eq!(k.algorithm(), SseAlgorithm::Aes256);
    let k = CustomerKey::generate(SseAlgorithm::Sm4, &r[..16]).unwrap();
    assert_eq!(k.expose_bytes().len(), 16);
    assert_eq!(
        code(CustomerKey::generate(SseAlgorithm::Aes256, &r[..16])),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(CustomerKey::generate(SseAlgorithm::Sm4, &r)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(CustomerKey::generate(SseAlgorithm::Aes256, &[0; 32])),
        ErrorCode::RandomUnavailable
    );
    assert_eq!(
        code(CustomerKey::generate(SseAlgorithm::Sm4, &[0xff; 16])),
        ErrorCode::RandomUnavailable
    );
    assert_eq!(
        code(WrappingKey::generate(WrapAlgorithm::Sm4Gcm, &[7; 16])),
        ErrorCode::RandomUnavailable
    );
    assert_eq!(
        code(WrappingKey::generate(WrapAlgorithm::Aes256Gcm, &r[..16])),
        ErrorCode::InvalidArgument
    );
    assert!(WrappingKey::generate(WrapAlgorithm::Aes256Gcm, &r).is_ok());
}

#[test]
fn from_hex_rejects_bad_input() {
    let a = SseAlgorithm::Aes256;
    let s = SseAlgorithm::Sm4;
    assert_eq!(
        code(CustomerKey::from_hex(a, "")),
        ErrorCode::InvalidKeyLength
    );
    assert_eq!(
        code(CustomerKey::from_hex(a, &"0".repeat(63))),
        ErrorCode::InvalidKeyEncoding
    );
    assert_eq!(
        code(CustomerKey::from_hex(a, &"0".repeat(62))),
        ErrorCode::InvalidKeyLength
    );
    assert_eq!(
        code(CustomerKey::from_hex(a, &"0".repeat(66))),
        ErrorCode::InvalidKeyLength
    );
    assert_eq!(
        code(CustomerKey::from_hex(s, &"0".repeat(64))),
        ErrorCode::InvalidKeyLength
    );
    assert!(CustomerKey::from_hex(s, "0123456789abcdefFEDCBA9876543210").is_ok());
    for bad in [
        format!("0x{}", "0".repeat(62)),
        format!("{}g", "0".repeat(63)),
        format!("{} {}", "0".repeat(32), "0".repeat(31)),
        format!("{}é", "0".repeat(62)),
        format!("{}-", "0".repeat(63)),
    ] {
        assert_eq!(
            code(CustomerKey::from_hex(a, &bad)),
            ErrorCode::InvalidKeyEncoding,
            "{bad:?}"
        );
    }
}

/// Cross-language values from `tests/vectors/keys.json`.
#[test]
fn fingerprint_is_keyed_and_short() {
    for v in entries("keys.json", "fingerprints") {
        let alg = SseAlgorithm::parse(text(&v, "algorithm")).unwrap();
        let k = CustomerKey::from_hex(alg, text(&v, "key_hex")).unwrap();
        assert_eq!(k.fingerprint(), text(&v, "fingerprint"));
    }
    let k = CustomerKey::from_bytes(SseAlgorithm::Aes256, DOC_KEY).unwrap();
    assert_eq!(k.fingerprint().len(), 16);
    // Not derived from the MD5 header value.
    let md5_hex = hx(&base64::engine::general_purpose::STANDARD
        .decode(k.md5_base64())
        .unwrap());
    assert!(!md5_hex.starts_with(&k.fingerprint()));
    // Different keys, different fingerprints; wrapping keys are domain-separated.
    let other = CustomerKey::from_bytes(SseAlgorithm::Aes256, &[9; 32]).unwrap();
    assert_ne!(k.fingerprint(), other.fingerprint());
    let w = WrappingKey::from_bytes(WrapAlgorithm::Aes256Gcm, DOC_KEY).unwrap();
    assert_ne!(w.fingerprint(), k.fingerprint());
    assert_eq!(w.fingerprint().len(), 16);
}

// ---------------------------------------------------------------- HKDF derivation

#[test]
fn derive_hkdf_cross_language_vectors() {
    for v in entries("keys.json", "hkdf") {
        let alg = SseAlgorithm::parse(text(&v, "algorithm")).unwrap();
        let k = derive_hkdf(
            &h(text(&v, "master_hex")),
            &h(text(&v, "salt_hex")),
            text(&v, "bucket"),
            text(&v, "key"),
            alg,
        )
        .unwrap();
        assert_eq!(hx(k.expose_bytes()), text(&v, "key_hex"), "{alg:?}");
        assert_eq!(k.algorithm(), alg);
    }
}

#[test]
fn derive_hkdf_binds_every_field() {
    let m = [7u8; 16];
    let base = derive_hkdf(&m, b"s", "b-1250000000", "a/b", SseAlgorithm::Aes256).unwrap();
    let same = derive_hkdf(&m, b"s", "b-1250000000", "a/b", SseAlgorithm::Aes256).unwrap();
    assert_eq!(base.expose_bytes(), same.expose_bytes());
    for other in [
        derive_hkdf(&m, b"s", "b-1250000000", "a/c", SseAlgorithm::Aes256),
        derive_hkdf(&m, b"s", "b-1250000001", "a/b", SseAlgorithm::Aes256),
        derive_hkdf(&m, b"t", "b-1250000000", "a/b", SseAlgorithm::Aes256),
        derive_hkdf(&[8; 16], b"s", "b-1250000000", "a/b", SseAlgorithm::Aes256),
        derive_hkdf(&m, b"s", "b-1250000000", "/a/b", SseAlgorithm::Aes256),
    ] {
        assert_ne!(other.unwrap().expose_bytes(), base.expose_bytes());
    }
    // SM4 is not a prefix of the AES256 key: the algorithm is in the info.
    let sm4 = derive_hkdf(&m, b"s", "b-1250000000", "a/b", SseAlgorithm::Sm4).unwrap();
    assert_ne!(sm4.expose_bytes(), &base.expose_bytes()[..16]);
    // Length prefixes: moving a '/' between bucket and key changes the info.
    assert_ne!(
        hkdf_info(SseAlgorithm::Aes256, "a/b", "c").unwrap(),
        hkdf_info(SseAlgorithm::Aes256, "a", "b/c").unwrap()
    );
    assert_eq!(
        hkdf_info(SseAlgorithm::Sm4, "bk", "k").unwrap(),
        b"cos-wasm/sse-c/v1\0\0\0\0\x03SM4\0\0\0\x02bk\0\0\0\x01k".to_vec()
    );
}

#[test]
fn derive_hkdf_validates() {
    let a = SseAlgorithm::Aes256;
    assert_eq!(
        code(derive_hkdf(&[1; 15], b"", "b", "k", a)),
        ErrorCode::InvalidKdfParams
    );
    assert_eq!(
        code(derive_hkdf(&[], b"", "b", "k", a)),
        ErrorCode::InvalidKdfParams
    );
    assert_eq!(
        code(derive_hkdf(&[1; 16], b"", "", "k", a)),
        ErrorCode::InvalidKdfParams
    );
    assert_eq!(
        code(derive_hkdf(&[1; 16], b"", "b", "", a)),
        ErrorCode::InvalidKdfParams
    );
    assert!(derive_hkdf(&[1; 16], b"", "b", "k", a).is_ok());
}

// ---------------------------------------------------------------- passphrase derivation

/// Cross-language values from `tests/vectors/keys.json` (100,000 iterations, the floor, to
/// keep the debug-build test fast). SSE-C and wrapping keys from the same PBKDF2 output are
/// unrelated (the purpose is in the HKDF info).
#[test]
fn passphrase_cross_language_vectors() {
    for v in entries("keys.json", "passphrase") {
        let salt = h(text(&v, "salt_hex"));
        let iterations = u32::try_from(v["iterations"].as_u64().unwrap()).unwrap();
        let params = KdfParams::pbkdf2_sha256(iterations, &salt).unwrap();
        let stored = text(&v, "params");
        assert_eq!(params.to_string(), stored);
        assert_eq!(KdfParams::parse(stored).unwrap(), params);
        let pass = text(&v, "passphrase");
        let want = text(&v, "key_hex");
        let alg = text(&v, "algorithm");
        match text(&v, "purpose") {
            "sse-c" => {
                let alg = SseAlgorithm::parse(alg).unwrap();
                let d = derive_from_passphrase(pass, params, alg).unwrap();
                assert_eq!(hx(d.key.expose_bytes()), want, "{alg:?}");
                assert_eq!(d.params.to_string(), stored);
            }
            "wrap" => {
                // Re-derived "on another device" from the stored string.
                let alg = WrapAlgorithm::parse(alg).unwrap();
                let w = WrappingKey::derive_from_passphrase(pass, stored.parse().unwrap(), alg)
                    .unwrap();
                let w_ref = WrappingKey::from_bytes(alg, &h(want)).unwrap();
                assert_eq!(w.key.fingerprint(), w_ref.fingerprint(), "{alg:?}");
            }
            other => panic!("unknown purpose {other}"),
        }
    }
    let params = KdfParams::pbkdf2_sha256(100_000, &[1; 16]).unwrap();
    assert_eq!(
        code(derive_from_passphrase("", params, SseAlgorithm::Sm4)),
        ErrorCode::InvalidKdfParams
    );
}

#[test]
fn kdf_params_validation() {
    let salt = [5u8; 16];
    assert_eq!(PBKDF2_DEFAULT_ITERATIONS, 600_000);
    assert!(KdfParams::pbkdf2_sha256(PBKDF2_DEFAULT_ITERATIONS, &salt).is_ok());
    assert!(KdfParams::pbkdf2_sha256(PBKDF2_MIN_ITERATIONS, &salt).is_ok());
    assert!(KdfParams::pbkdf2_sha256(PBKDF2_MAX_ITERATIONS, &salt).is_ok());
    for (i, s) in [
        (PBKDF2_MIN_ITERATIONS - 1, &salt[..]),
        (PBKDF2_MAX_ITERATIONS + 1, &salt[..]),
        (0, &salt[..]),
        (600_000, &salt[..15]),
        (600_000, &[][..]),
        (600_000, &[1u8; 1025][..]),
    ] {
        assert_eq!(
            code(KdfParams::pbkdf2_sha256(i, s)),
            ErrorCode::InvalidKdfParams
        );
    }
    let good = "pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ";
    let p = KdfParams::parse(good).unwrap();
    assert_eq!(p.iterations(), 600_000);
    assert_eq!(p.salt(), &salt);
    assert!(format!("{p:?}").contains(good));
    for bad in [
        "",
        "pbkdf2-sha256",
        "pbkdf2-sha256$v=1$i=600000",
        "pbkdf2-sha256$v=2$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha512$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "PBKDF2-SHA256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=0600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=+600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=99999$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=99999999999$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=4294967296$salt=BQUFBQUFBQUFBQUFBQUFBQ",
        "pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ==",
        "pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBR",
        "pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUF",
        "pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ$",
        "pbkdf2-sha256$v=1$salt=BQUFBQUFBQUFBQUFBQUFBQ$i=600000",
        " pbkdf2-sha256$v=1$i=600000$salt=BQUFBQUFBQUFBQUFBQUFBQ",
    ] {
        assert_eq!(
            code(KdfParams::parse(bad)),
            ErrorCode::InvalidKdfParams,
            "{bad:?}"
        );
    }
}

// ---------------------------------------------------------------- envelopes

/// The known-answer envelopes of `tests/vectors/keys.json`.
fn envelope_vectors() -> Vec<Value> {
    entries("keys.json", "envelopes")
}

/// The three known envelopes: AES key under AES-GCM, SM4 key under SM4-GCM, AES key under SM4-GCM.
fn envelopes() -> Vec<String> {
    envelope_vectors()
        .iter()
        .map(|v| text(v, "envelope").to_owned())
        .collect()
}

fn sm4_key() -> CustomerKey {
    CustomerKey::from_hex(SseAlgorithm::Sm4, "0123456789abcdeffedcba9876543210").unwrap()
}

fn env_sm4_aes() -> String {
    envelopes()
        .into_iter()
        .find(|e| e.starts_with("cosk1.sm4gcm.aes256."))
        .unwrap()
}

fn env_aes_aes() -> String {
    envelopes()
        .into_iter()
        .find(|e| e.starts_with("cosk1.aes256gcm.aes256."))
        .unwrap()
}

/// Envelopes computed by the independent Python implementation of `docs/key-envelope.md`.
#[test]
fn envelope_known_answer() {
    for v in envelope_vectors() {
        let alg = SseAlgorithm::parse(text(&v, "algorithm")).unwrap();
        let key = CustomerKey::from_hex(alg, text(&v, "key_hex")).unwrap();
        let wk = WrappingKey::from_bytes(
            WrapAlgorithm::parse(text(&v, "wrap_algorithm")).unwrap(),
            &h(text(&v, "wrapping_key_hex")),
        )
        .unwrap();
        let aad = text(&v, "aad").as_bytes();
        let nonce: [u8; 12] = h(text(&v, "nonce_hex")).try_into().unwrap();
        let env = text(&v, "envelope");
        assert_eq!(wrap(&key, &wk, aad, &nonce).unwrap(), env);
        let back = unwrap(env, &wk, aad).unwrap();
        assert_eq!(back.expose_bytes(), key.expose_bytes());
        assert_eq!(back.algorithm(), alg);
        let back = unwrap(&format!("  {env}\n"), &wk, aad).unwrap();
        assert_eq!(back.md5_base64(), key.md5_base64());
    }
}

#[test]
fn envelope_roundtrip_and_wrong_context() {
    let aes = CustomerKey::generate(
        SseAlgorithm::Aes256,
        &[3u8; 31].iter().chain(&[4]).copied().collect::<Vec<_>>(),
    )
    .unwrap();
    for (key, wk) in [
        (aes.clone(), wk32()),
        (aes.clone(), wk16()),
        (sm4_key(), wk32()),
        (sm4_key(), wk16()),
    ] {
        let env = wrap(&key, &wk, AAD, &NONCE).unwrap();
        assert!(env.is_ascii() && env.len() <= 104);
        assert_eq!(
            unwrap(&env, &wk, AAD).unwrap().expose_bytes(),
            key.expose_bytes()
        );
        // Wrong AAD: another object, empty, a prefix, an extension.
        for aad in [
            &b"examplebucket-1250000000/photos/dog.jpg"[..],
            b"",
            &AAD[..AAD.len() - 1],
            b"examplebucket-1250000000/photos/cat.jpg\0",
        ] {
            assert_eq!(code(unwrap(&env, &wk, aad)), ErrorCode::UnwrapFailed);
        }
        // Wrong key of the same algorithm, and a key of the other algorithm.
        let mut other = vec![0x42u8; wk.algorithm().key_len()];
        other[0] = 0x43;
        let wrong = WrappingKey::from_bytes(wk.algorithm(), &other).unwrap();
        assert_eq!(code(unwrap(&env, &wrong, AAD)), ErrorCode::UnwrapFailed);
        let cross = if wk.algorithm() == WrapAlgorithm::Aes256Gcm {
            wk16()
        } else {
            wk32()
        };
        assert_eq!(code(unwrap(&env, &cross, AAD)), ErrorCode::UnwrapFailed);
    }
    // The nonce must look random.
    assert_eq!(
        code(wrap(&aes, &wk32(), AAD, &[0; 12])),
        ErrorCode::RandomUnavailable
    );
}

/// Editing a header field (even to another valid value) breaks authentication, because
/// the header is part of the AAD.
#[test]
fn envelope_header_is_authenticated() {
    // Claim the SM4-wrapped AES key is an SM4 key: lengths no longer match.
    let edited = env_sm4_aes().replacen(".aes256.", ".sm4.", 1);
    assert_eq!(
        code(unwrap(&edited, &wk16(), AAD)),
        ErrorCode::InvalidEnvelope
    );
    // Claim it was sealed with AES-256-GCM: the wrapping key's algorithm differs.
    let edited = env_sm4_aes().replacen(".sm4gcm.", ".aes256gcm.", 1);
    assert_eq!(code(unwrap(&edited, &wk16(), AAD)), ErrorCode::UnwrapFailed);
    assert_eq!(code(unwrap(&edited, &wk32(), AAD)), ErrorCode::UnwrapFailed);
    // Same AEAD and key, header moved into the caller AAD: still fails.
    for version in ["cosk0", "cosk2", "COSK1", "cosk", "cosk1 "] {
        let edited = env_aes_aes().replacen("cosk1", version, 1);
        assert_eq!(
            code(unwrap(&edited, &wk32(), AAD)),
            ErrorCode::InvalidEnvelope
        );
    }
}

fn assert_rejected(env: &str, what: &str) {
    for wk in [wk32(), wk16()] {
        match unwrap(env, &wk, AAD) {
            Ok(_) => panic!("{what}: accepted {env:?}"),
            Err(e) => assert!(
                matches!(
                    e.code(),
                    ErrorCode::InvalidEnvelope | ErrorCode::UnwrapFailed
                ),
                "{what}: {e}"
            ),
        }
    }
}

#[test]
fn envelope_every_byte_mutated() {
    let charset: Vec<char> = (0x20u8..0x7f)
        .map(char::from)
        .chain(['\0', '\t', '\n', 'é', '猫', '\u{feff}'])
        .collect();
    for env in &envelopes() {
        let chars: Vec<char> = env.chars().collect();
        for i in 0..chars.len() {
            for &c in &charset {
                if c == chars[i] {
                    continue;
                }
                let mut m = chars.clone();
                m[i] = c;
                let m: String = m.into_iter().collect();
                assert_rejected(&m, &format!("byte {i} -> {c:?}"));
            }
            // Deletion and insertion at every position too.
            let mut del = chars.clone();
            del.remove(i);
            assert_rejected(&del.into_iter().collect::<String>(), "deleted");
            let mut ins = chars.clone();
            ins.insert(i, 'A');
            assert_rejected(&ins.into_iter().collect::<String>(), "inserted");
        }
    }
}

#[test]
fn envelope_every_payload_bit_flipped() {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for env in &envelopes() {
        let parts: Vec<&str> = env.split('.').collect();
        let header = parts[..3].join(".");
        for field in [3, 4] {
            let bytes = b64.decode(parts[field]).unwrap();
            for bit in 0..bytes.len() * 8 {
                let mut b = bytes.clone();
                b[bit / 8] ^= 1 << (bit % 8);
                let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
                p[field] = b64.encode(&b);
                let m = p.join(".");
                for wk in [wk32(), wk16()] {
                    assert_eq!(
                        code(unwrap(&m, &wk, AAD)),
                        ErrorCode::UnwrapFailed,
                        "{header} field {field} bit {bit}"
                    );
                }
            }
        }
    }
}

#[test]
fn envelope_truncated_and_extended() {
    for env in &envelopes() {
        for n in 0..env.len() {
            assert_rejected(&env[..n], &format!("truncated to {n}"));
            assert_rejected(&env[n + 1..], &format!("first {} removed", n + 1));
        }
        for suffix in ["A", "AA", "AAAA", ".", ".A", "=", "=="] {
            assert_rejected(&format!("{env}{suffix}"), suffix);
        }
        assert_rejected(&format!("{env}{}", "A".repeat(300)), "very long");
    }
    assert_eq!(
        code(unwrap(&"x".repeat(10_000), &wk32(), AAD)),
        ErrorCode::InvalidEnvelope
    );
}

// ---------------------------------------------------------------- fuzz

proptest! {
    #[test]
    fn arbitrary_strings_never_panic(s in ".{0,300}") {
        let _ = unwrap(&s, &wk32(), AAD);
        let _ = unwrap(&s, &wk16(), b"");
        let _ = CustomerKey::from_base64(SseAlgorithm::Aes256, &s);
        let _ = CustomerKey::from_base64(SseAlgorithm::Sm4, &s);
        let _ = CustomerKey::from_hex(SseAlgorithm::Aes256, &s);
        let _ = CustomerKey::from_hex(SseAlgorithm::Sm4, &s);
        let _ = KdfParams::parse(&s);
        let _ = WrapAlgorithm::parse(&s);
    }

    #[test]
    fn envelope_shaped_strings_never_panic(
        v in "(cosk1|cosk2|)",
        a in "(aes256gcm|sm4gcm|x|)",
        k in "(aes256|sm4|y|)",
        n in "[A-Za-z0-9_=+/-]{0,20}",
        c in "[A-Za-z0-9_=+/-]{0,70}",
        extra in "(\\.[A-Za-z0-9]{0,4})?",
    ) {
        let env = format!("{v}.{a}.{k}.{n}.{c}{extra}");
        for wk in [wk32(), wk16()] {
            if let Err(e) = unwrap(&env, &wk, AAD) {
                prop_assert!(matches!(e.code(), ErrorCode::InvalidEnvelope | ErrorCode::UnwrapFailed));
            }
        }
    }

    #[test]
    fn wrap_unwrap_roundtrip(
        key in proptest::collection::vec(any::<u8>(), 32),
        wrap_key in proptest::collection::vec(any::<u8>(), 32),
        nonce in proptest::array::uniform12(any::<u8>()),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
        sm4 in any::<bool>(),
    ) {
        prop_assume!(nonce.iter().any(|b| *b != nonce[0]));
        let (alg, klen) = if sm4 { (SseAlgorithm::Sm4, 16) } else { (SseAlgorithm::Aes256, 32) };
        let ck = CustomerKey::from_bytes(alg, &key[..klen]).unwrap();
        let wa = if sm4 { WrapAlgorithm::Aes256Gcm } else { WrapAlgorithm::Sm4Gcm };
        let wk = WrappingKey::from_bytes(wa, &wrap_key[..wa.key_len()]).unwrap();
        let env = wrap(&ck, &wk, &aad, &nonce).unwrap();
        let back = unwrap(&env, &wk, &aad).unwrap();
        prop_assert_eq!(back.expose_bytes(), ck.expose_bytes());
        prop_assert_eq!(back.algorithm(), alg);
    }
}

// ---------------------------------------------------------------- leaks

/// No `Debug` output and no error message contains the key in raw, hex (either case) or
/// base64 (standard or url-safe) form.
#[test]
fn no_key_material_in_debug_or_errors() {
    let raw = DOC_KEY;
    let secret_forms = |bytes: &[u8]| {
        let mut v = vec![
            hx(bytes),
            hx(bytes).to_uppercase(),
            base64::engine::general_purpose::STANDARD.encode(bytes),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes),
            String::from_utf8_lossy(bytes).into_owned(),
        ];
        // Partial leaks: any 8-byte window in hex.
        for w in bytes.windows(8) {
            v.push(hx(w));
        }
        v
    };
    let ck = CustomerKey::from_bytes(SseAlgorithm::Aes256, raw).unwrap();
    let wk = WrappingKey::from_bytes(WrapAlgorithm::Aes256Gcm, raw).unwrap();
    let params = KdfParams::pbkdf2_sha256(100_000, &[1u8; 16]).unwrap();
    let derived =
        derive_from_passphrase("hunter2 passphrase", params, SseAlgorithm::Aes256).unwrap();
    let dk_forms = secret_forms(derived.key.expose_bytes());

    let mut outputs = vec![
        format!("{ck:?}"),
        format!("{wk:?}"),
        format!("{derived:?}"),
        format!("{:?}", derived.params),
        ck.fingerprint(),
        wk.fingerprint(),
    ];
    // Errors from every entry point that sees the key or text close to it.
    let hex = hx(raw);
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let errors: Vec<Error> = vec![
        CustomerKey::from_bytes(SseAlgorithm::Sm4, raw).unwrap_err(),
        CustomerKey::from_hex(SseAlgorithm::Sm4, &hex).unwrap_err(),
        CustomerKey::from_hex(SseAlgorithm::Aes256, &format!("{hex}z")).unwrap_err(),
        CustomerKey::from_hex(SseAlgorithm::Aes256, &format!("{hex}0")).unwrap_err(),
        CustomerKey::from_base64(SseAlgorithm::Sm4, &b64).unwrap_err(),
        CustomerKey::from_base64(SseAlgorithm::Aes256, &format!("{b64}!")).unwrap_err(),
        CustomerKey::generate(SseAlgorithm::Sm4, raw).unwrap_err(),
        WrappingKey::from_bytes(WrapAlgorithm::Sm4Gcm, raw).unwrap_err(),
        WrappingKey::generate(WrapAlgorithm::Sm4Gcm, raw).unwrap_err(),
        derive_hkdf(&raw[..15], b"", "b", "k", SseAlgorithm::Aes256).unwrap_err(),
        KdfParams::parse(&hex).unwrap_err(),
        KdfParams::parse(&format!("pbkdf2-sha256$v=1$i=1$salt={b64}")).unwrap_err(),
        unwrap(&hex, &wk, AAD).unwrap_err(),
        unwrap(&format!("cosk1.aes256gcm.aes256.{b64}.{b64}"), &wk, AAD).unwrap_err(),
        unwrap(&env_aes_aes(), &wk, AAD).unwrap_err(),
        unwrap(&env_aes_aes(), &wk32(), b"other").unwrap_err(),
        unwrap(&env_aes_aes(), &wk16(), AAD).unwrap_err(),
    ];
    for e in &errors {
        outputs.push(format!("{e:?}"));
        outputs.push(e.to_string());
    }
    for out in &outputs {
        for form in secret_forms(raw).iter().chain(&dk_forms) {
            assert!(!out.contains(form.as_str()), "{out:?} leaks {form:?}");
        }
        assert!(!out.contains("hunter2"), "{out:?} leaks the passphrase");
    }
}
