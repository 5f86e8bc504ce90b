#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Protocol §5 data integrity: CRC-64/XZ, crc64_combine, MD5 / SHA-1 hashers, verify_crc64.

use cos_wasm::hash::{
    content_md5, crc64, crc64_combine, crc64_to_string, verify_crc64, Crc64, Md5Hasher, Sha1Hasher,
};
use cos_wasm::ErrorCode;
use proptest::prelude::*;
use serde_json::Value;

mod common;
use common::vector_file;

/// Bit-at-a-time reference CRC-64/XZ, straight from the parameters in protocol §5.
fn crc64_bitwise(data: &[u8]) -> u64 {
    let mut crc = u64::MAX;
    for &b in data {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xC96C_5795_D787_0F42
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// The zlib 1.2.11 / Go SDK `CRC64Combine` GF(2) matrix method, as an independent oracle.
fn combine_matrix(mut crc1: u64, crc2: u64, mut len2: u64) -> u64 {
    fn times(mat: &[u64; 64], mut vec: u64) -> u64 {
        let mut sum = 0;
        let mut i = 0;
        while vec != 0 {
            if vec & 1 == 1 {
                sum ^= mat[i];
            }
            vec >>= 1;
            i += 1;
        }
        sum
    }
    fn square(sq: &mut [u64; 64], mat: &[u64; 64]) {
        for n in 0..64 {
            sq[n] = times(mat, mat[n]);
        }
    }
    if len2 == 0 {
        return crc1;
    }
    let mut even = [0u64; 64];
    let mut odd = [0u64; 64];
    odd[0] = 0xC96C_5795_D787_0F42;
    let mut row = 1u64;
    for slot in odd.iter_mut().skip(1) {
        *slot = row;
        row <<= 1;
    }
    square(&mut even, &odd);
    square(&mut odd, &even);
    loop {
        square(&mut even, &odd);
        if len2 & 1 == 1 {
            crc1 = times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        square(&mut odd, &even);
        if len2 & 1 == 1 {
            crc1 = times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    crc1 ^ crc2
}

// ---- CRC-64 known answers ------------------------------------------------------------

/// The cases of `tests/vectors/hashes.json` under `section`.
fn cases(section: &str) -> Vec<Value> {
    vector_file("hashes.json")[section]
        .as_array()
        .expect(section)
        .clone()
}

/// A vector's input bytes: UTF-8 `input`, `repeat` times.
fn input(case: &Value) -> Vec<u8> {
    let n = case["repeat"].as_u64().unwrap_or(1);
    case["input"]
        .as_str()
        .expect("input")
        .repeat(usize::try_from(n).unwrap())
        .into_bytes()
}

#[test]
fn crc64_known_answers() {
    for case in cases("crc64") {
        let want = case["crc64"].as_str().unwrap();
        let data = input(&case);
        assert_eq!(crc64_to_string(crc64(&data)), want, "{case}");
        assert_eq!(crc64(&data), crc64_bitwise(&data), "{case}");
        verify_crc64(crc64(&data), want).unwrap();
    }
    assert_eq!(Crc64::new().value(), 0);
    assert_eq!(crc64_to_string(u64::MAX), "18446744073709551615");
    assert_eq!(crc64_to_string(0), "0");
}

#[test]
fn crc64_matches_bitwise_reference_for_every_length_up_to_300() {
    let data: Vec<u8> = (0..300u32).map(|i| (i * 131 + 7) as u8).collect();
    for n in 0..=data.len() {
        assert_eq!(crc64(&data[..n]), crc64_bitwise(&data[..n]), "len {n}");
        // Also at every alignment within the slice.
        if n >= 17 {
            assert_eq!(
                crc64(&data[1..n]),
                crc64_bitwise(&data[1..n]),
                "off 1 len {n}"
            );
        }
    }
}

#[test]
fn crc64_streaming_value_reset_and_resume() {
    let mut c = Crc64::default();
    c.update(b"12345");
    let mid = c.value();
    assert_eq!(mid, crc64(b"12345"));
    assert_eq!(c.value(), mid, "value() is non-consuming");
    c.update(b"6789");
    assert_eq!(c.value(), crc64(b"123456789"));
    c.reset();
    assert_eq!(c.value(), 0);
    c.update(b"[Object Part]");
    assert_eq!(c.value(), crc64(b"[Object Part]"));

    let mut resumed = Crc64::from_value(crc64(b"1234"));
    resumed.update(b"56789");
    assert_eq!(resumed.value(), crc64(b"123456789"));
}

#[test]
fn crc64_one_mebibyte_of_zeros_matches_reference() {
    let zeros = vec![0u8; 1 << 20];
    assert_eq!(crc64(&zeros), crc64_bitwise(&zeros));
}

// ---- crc64_combine ---------------------------------------------------------------------

#[test]
fn combine_known_parts() {
    for case in cases("crc64_combine") {
        let a = case["part1"].as_str().unwrap().as_bytes();
        let b = case["part2"].as_str().unwrap().as_bytes();
        let got = crc64_combine(crc64(a), crc64(b), b.len() as u64);
        assert_eq!(
            crc64_to_string(got),
            case["crc64"].as_str().unwrap(),
            "{case}"
        );
    }
    assert_eq!(crc64_combine(0x1234, 0, 0), 0x1234, "empty second part");
    assert_eq!(crc64_combine(0, 0, 0), 0);
}

#[test]
fn combine_zero_run_of_one_mebibyte() {
    let zeros = vec![0u8; 1 << 20];
    let mut whole = b"head".to_vec();
    whole.extend_from_slice(&zeros);
    assert_eq!(
        crc64_combine(crc64(b"head"), crc64(&zeros), zeros.len() as u64),
        crc64(&whole)
    );
}

#[test]
fn combine_huge_lengths_are_fast_and_match_matrix_method() {
    let start = std::time::Instant::now();
    let a = crc64(b"[Object Content]");
    let b = crc64(b"[Object Part]");
    for len2 in [
        1u64 << 40,
        (1 << 40) + 12_345,
        5 * (1 << 30),
        u64::MAX,
        u64::MAX - 1,
        1 << 63,
    ] {
        assert_eq!(
            crc64_combine(a, b, len2),
            combine_matrix(a, b, len2),
            "{len2}"
        );
    }
    // 10k combines at 2^40 must be far under a second (O(log n)).
    let mut acc = 0u64;
    for i in 0..10_000u64 {
        acc ^= crc64_combine(a ^ i, b, (1 << 40) + i);
    }
    assert_ne!(acc, 1);
    assert!(start.elapsed().as_secs() < 5, "crc64_combine too slow");
}

#[test]
fn combine_multipart_fold() {
    let data: Vec<u8> = (0..100_000u32).map(|i| (i ^ (i >> 7)) as u8).collect();
    let parts = [0usize, 1, 16, 33_333, 0, 66_650];
    assert_eq!(parts.iter().sum::<usize>(), data.len());
    let mut off = 0;
    let mut total = 0u64;
    for &n in &parts {
        let part = &data[off..off + n];
        total = crc64_combine(total, crc64(part), n as u64);
        off += n;
    }
    assert_eq!(total, crc64(&data));
}

proptest! {
    #[test]
    fn combine_equals_concatenation(
        a in proptest::collection::vec(any::<u8>(), 0..600),
        b in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let mut ab = a.clone();
        ab.extend_from_slice(&b);
        let combined = crc64_combine(crc64(&a), crc64(&b), b.len() as u64);
        prop_assert_eq!(combined, crc64(&ab));
        prop_assert_eq!(combined, combine_matrix(crc64(&a), crc64(&b), b.len() as u64));
    }

    #[test]
    fn combine_matches_matrix_for_any_len(c1 in any::<u64>(), c2 in any::<u64>(), len2 in any::<u64>()) {
        prop_assert_eq!(crc64_combine(c1, c2, len2), combine_matrix(c1, c2, len2));
    }

    #[test]
    fn streaming_any_split_equals_one_shot(
        data in proptest::collection::vec(any::<u8>(), 0..2000),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (data.len() + 1)).collect();
        cuts.sort_unstable();
        let mut c = Crc64::new();
        let mut m = Md5Hasher::new();
        let mut s = Sha1Hasher::new();
        let mut prev = 0;
        for cut in cuts.into_iter().chain([data.len()]) {
            let chunk = &data[prev..cut];
            c.update(chunk);
            m.update(chunk).unwrap();
            s.update(chunk).unwrap();
            prev = cut;
        }
        prop_assert_eq!(c.value(), crc64(&data));
        prop_assert_eq!(c.value(), crc64_bitwise(&data));
        let mut m1 = Md5Hasher::new();
        m1.update(&data).unwrap();
        prop_assert_eq!(m.digest().unwrap(), m1.digest().unwrap());
        let mut s1 = Sha1Hasher::new();
        s1.update(&data).unwrap();
        prop_assert_eq!(s.digest().unwrap(), s1.digest().unwrap());
    }
}

// ---- MD5 / SHA-1 -------------------------------------------------------------------------

fn md5_hex(data: &[u8]) -> String {
    let mut h = Md5Hasher::new();
    h.update(data).unwrap();
    h.digest_hex().unwrap()
}

/// RFC 1321 and COS documentation examples, one-shot and fed in two pieces.
#[test]
fn md5_known_answers() {
    for case in cases("md5") {
        let data = input(&case);
        assert_eq!(md5_hex(&data), case["hex"].as_str().unwrap(), "{case}");
        let mut h = Md5Hasher::new();
        let (a, b) = data.split_at(data.len() / 2);
        h.update(a).unwrap();
        h.update(b).unwrap();
        assert_eq!(h.digest_hex().unwrap(), case["hex"].as_str().unwrap());
        if let Some(b64) = case["base64"].as_str() {
            assert_eq!(content_md5(&data), b64, "{case}");
            let mut h = Md5Hasher::new();
            h.update(&data).unwrap();
            assert_eq!(h.digest_base64().unwrap(), b64);
        }
    }
}

/// FIPS 180-2 examples (one million `a` fed in 1000-byte blocks).
#[test]
fn sha1_known_answers() {
    for case in cases("sha1") {
        let data = input(&case);
        let mut h = Sha1Hasher::new();
        for block in data.chunks(1000) {
            h.update(block).unwrap();
        }
        assert_eq!(
            h.digest_hex().unwrap(),
            case["hex"].as_str().unwrap(),
            "{case}"
        );
    }
}

#[test]
fn hashers_report_use_after_digest_and_can_reset() {
    let mut m = Md5Hasher::new();
    assert!(!m.is_finished());
    m.update(b"abc").unwrap();
    assert_eq!(m.digest().unwrap().len(), Md5Hasher::OUTPUT_LEN);
    assert!(m.is_finished());
    assert_eq!(m.update(b"x").unwrap_err().code(), ErrorCode::UseAfterFree);
    assert_eq!(m.digest().unwrap_err().code(), ErrorCode::UseAfterFree);
    assert_eq!(m.digest_hex().unwrap_err().code(), ErrorCode::UseAfterFree);
    assert_eq!(
        m.digest_base64().unwrap_err().code(),
        ErrorCode::UseAfterFree
    );
    m.reset();
    m.update(b"abc").unwrap();
    assert_eq!(m.digest_hex().unwrap(), "900150983cd24fb0d6963f7d28e17f72");

    let mut s = Sha1Hasher::default();
    s.update(b"abc").unwrap();
    assert_eq!(s.digest().unwrap().len(), Sha1Hasher::OUTPUT_LEN);
    let e = s.update(b"x").unwrap_err();
    assert_eq!(e.code(), ErrorCode::UseAfterFree);
    assert!(e.message().contains("SHA-1"));
    assert_eq!(s.digest_hex().unwrap_err().code(), ErrorCode::UseAfterFree);
    s.reset();
    assert_eq!(
        s.digest_hex().unwrap(),
        "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    );
}

// ---- verify_crc64 --------------------------------------------------------------------------

#[test]
fn verify_crc64_success() {
    let local = crc64(b"[Object Content]");
    let text = crc64_to_string(local);
    verify_crc64(local, &text).unwrap();
    verify_crc64(local, &format!("  {text}\r\n")).unwrap();
    verify_crc64(0, "0").unwrap();
    verify_crc64(u64::MAX, "18446744073709551615").unwrap();
    verify_crc64(5, "0005").unwrap();
}

#[test]
fn verify_crc64_mismatch_names_both_values() {
    let local = crc64(b"[Object Content]");
    let remote = crc64_to_string(crc64(b"[Object Part]"));
    let e = verify_crc64(local, &remote).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Crc64Mismatch);
    for value in [crc64_to_string(local), remote] {
        assert!(e.message().contains(&value), "{}", e.message());
    }
}

#[test]
fn verify_crc64_rejects_garbage() {
    for bad in [
        "",
        "   ",
        "abc",
        "-1",
        "+1",
        "0x995DC9BBDF1939FA",
        "995DC9BBDF1939FA",
        "18446744073709551616",
        "1 2",
        "1.0",
        "16749565679157681890,16749565679157681890",
    ] {
        let e = verify_crc64(0, bad).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad:?}");
        assert!(e.message().contains("x-cos-hash-crc64ecma"));
    }
    let long = "x".repeat(10_000);
    assert!(verify_crc64(0, &long).unwrap_err().message().len() < 200);
}
