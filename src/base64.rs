//! Base64, hand-written: standard (RFC 4648 §4, `+/`, `=` padding: `Content-MD5`, SSE-C
//! headers, POST policies) and URL-safe unpadded (§5, `-_`: key envelopes, KDF parameters),
//! each with a strict decode that accepts exactly what the `base64` crate's `STANDARD` and
//! `URL_SAFE_NO_PAD` engines accept (canonical: the bits a last symbol does not use must be
//! zero; no whitespace, no symbols of the other alphabet; padding required, respectively
//! refused). The crate's general-purpose engine (a configurable, chunked decoder and encoder,
//! plus its panic location strings) was the largest generic code in the signer's `.wasm`
//! for call sites that need none of its options. Replacing it saved, per entry's optimised
//! `.wasm` (raw / gzip -9, `node scripts/build.mjs`): signer 11.4 KB / 4.5 KB, `keys`
//! 9.9 / 3.3 KB, `hash` 5.8 / 2.1 KB. The property tests
//! below check both variants against the crate, kept as a dev-dependency only.

use zeroize::Zeroize as _;

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 of `bytes`, padded (`STANDARD`). The output is allocated at its final
/// size, so no reallocation leaves a copy of a secret's encoding behind.
#[must_use]
pub fn encode(bytes: &[u8]) -> String {
    encode_as(bytes, false)
}

/// URL-safe base64 of `bytes` (`-_`), unpadded (`URL_SAFE_NO_PAD`): key envelopes and
/// KDF parameter strings.
#[must_use]
pub fn encode_url(bytes: &[u8]) -> String {
    encode_as(bytes, true)
}

/// Decodes padded standard base64; `None` for anything the `base64` crate's `STANDARD`
/// engine rejects.
#[must_use]
pub fn decode(text: &str) -> Option<Vec<u8>> {
    decode_as(text, false)
}

/// Decodes unpadded URL-safe base64; `None` for anything the `base64` crate's
/// `URL_SAFE_NO_PAD` engine rejects (any `=`, `+` or `/`, a length of 4n+1).
#[must_use]
pub fn decode_url(text: &str) -> Option<Vec<u8>> {
    decode_as(text, true)
}

fn encode_as(bytes: &[u8], url: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = byte(0) << 16 | byte(1) << 8 | byte(2);
        // `chunk.len() + 1` symbols carry the chunk's bits; padding fills the group.
        for k in 0..=chunk.len() {
            let v = (n >> (18 - 6 * k)) & 63;
            let c = match v {
                62 if url => b'-',
                63 if url => b'_',
                _ => STANDARD.get(v as usize).copied().unwrap_or(b'='),
            };
            out.push(char::from(c));
        }
        if !url {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// A partly decoded buffer is zeroized before `None` is returned (the text may be a key).
fn decode_as(text: &str, url: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    if decode_into(text.as_bytes(), url, &mut out).is_none() {
        out.zeroize();
        return None;
    }
    Some(out)
}

fn decode_into(text: &[u8], url: bool, out: &mut Vec<u8>) -> Option<()> {
    let mut data = text;
    if !url {
        // Padded: whole groups of four, the last ending in at most two `=`.
        if text.len() % 4 != 0 {
            return None;
        }
        let pad = text.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        data = text.get(..text.len() - pad)?;
    }
    // A last group of one symbol (6 bits) cannot hold a byte.
    if data.len() % 4 == 1 {
        return None;
    }
    for group in data.chunks(4) {
        let mut n = 0u32;
        for &c in group {
            n = n << 6 | value(c, url)?;
        }
        n <<= 6 * (4 - group.len()) as u32;
        // 2, 3 or 4 symbols carry 1, 2 or 3 bytes (the top ones of the 24 bits in `n`).
        let kept = group.len() - 1;
        // Canonical only: the bits of the last symbol that no byte uses must be zero.
        if n & (0x00FF_FFFF >> (8 * kept)) != 0 {
            return None;
        }
        out.extend_from_slice(n.to_be_bytes().get(1..=kept)?);
    }
    Some(())
}

fn value(c: u8, url: bool) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' if !url => 62,
        b'/' if !url => 63,
        b'-' if url => 62,
        b'_' if url => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::{decode, decode_url, encode, encode_url};
    use ::base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    use ::base64::Engine as _;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
            let url = coded.trim_end_matches('=');
            assert_eq!(encode_url(plain.as_bytes()), url);
            assert_eq!(decode_url(url).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode(&[0xfb, 0xff]), "+/8=");
        assert_eq!(encode_url(&[0xfb, 0xff]), "-_8");
        for bad in [
            "Zg",
            "Zg=",
            "Zh==",
            "Zm9=",
            "Zg==Zg==",
            "Z===",
            "====",
            " Zg==",
            "Zg==\n",
            "-_8=",
            "Zm9v\u{e9}AAA",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        for bad in ["Z", "Zg==", "Zh", "Zm9", "+/8", "Zm9vY", " Zg", "Zg\n"] {
            assert_eq!(decode_url(bad), None, "{bad:?}");
        }
    }

    /// Text near valid base64 of either alphabet: a valid encoding with one edit (a
    /// changed, inserted or removed character from either alphabet, `=`, whitespace or
    /// non-ASCII, or a last data symbol moved to a neighbour, which sets trailing bits).
    fn near_valid() -> impl Strategy<Value = String> {
        let edit_char = prop::sample::select(vec![
            'A', 'Q', 'g', 'w', 'z', '0', '+', '/', '=', '-', '_', ' ', '\n', '\r', '\t', '.',
            '\u{e9}',
        ]);
        (
            prop::collection::vec(any::<u8>(), 0..20),
            any::<bool>(),
            0u8..4,
            any::<prop::sample::Index>(),
            edit_char,
        )
            .prop_map(|(bytes, url, op, at, c)| {
                let coded = if url {
                    URL_SAFE_NO_PAD.encode(bytes)
                } else {
                    STANDARD.encode(bytes)
                };
                let mut chars: Vec<char> = coded.chars().collect();
                let i = at.index(chars.len() + 1);
                match op {
                    0 if i < chars.len() => chars[i] = c,
                    1 => chars.insert(i, c),
                    2 if i < chars.len() => {
                        chars.remove(i);
                    }
                    _ => {
                        if let Some(last) = chars.iter().rposition(|&c| c != '=') {
                            chars[last] = neighbour(chars[last], i);
                        }
                    }
                }
                chars.into_iter().collect()
            })
    }

    /// The symbol 1 to 3 places after `c` in the standard alphabet (wrapping).
    fn neighbour(c: char, k: usize) -> char {
        let alphabet = super::STANDARD;
        let pos = alphabet
            .iter()
            .position(|&a| char::from(a) == c)
            .unwrap_or(0);
        char::from(alphabet[(pos + 1 + k % 3) % 64])
    }

    fn agrees(text: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            decode(text),
            STANDARD.decode(text).ok(),
            "STANDARD {:?}",
            text
        );
        prop_assert_eq!(
            decode_url(text),
            URL_SAFE_NO_PAD.decode(text).ok(),
            "URL_SAFE_NO_PAD {:?}",
            text
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn encode_equals_crate(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
            let coded = encode(&bytes);
            prop_assert_eq!(&coded, &STANDARD.encode(&bytes));
            prop_assert_eq!(decode(&coded), Some(bytes.clone()));
            let coded = encode_url(&bytes);
            prop_assert_eq!(&coded, &URL_SAFE_NO_PAD.encode(&bytes));
            prop_assert_eq!(decode_url(&coded), Some(bytes));
        }

        #[test]
        fn decode_agrees_on_near_valid_text(text in near_valid()) {
            agrees(&text)?;
        }

        #[test]
        fn decode_agrees_on_base64ish_text(text in "[A-Za-z0-9+/=\\-_ \n]{0,16}") {
            agrees(&text)?;
        }

        #[test]
        fn decode_agrees_on_any_text(text in any::<String>()) {
            agrees(&text)?;
        }
    }
}
