//! COS percent-encoding ([protocol §1 UrlEncode](https://cloud.tencent.com/document/product/436/7778)).
//!
//! UTF-8 bytes, uppercase hex, only `A-Za-z0-9-_.~` left unescaped; space is `%20`, never `+`.

use core::fmt::Write as _;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn encode_into(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// `UrlEncode` of the COS signature doc: every byte except `A-Za-z0-9-_.~` escaped.
#[must_use]
pub fn uri_encode(s: &str) -> String {
    // Worst-case capacity: no reallocation, so no stray partial copies of secret values.
    let mut out = String::with_capacity(s.len() * 3);
    encode_into(&mut out, s, false);
    out
}

/// Encodes an object path for the wire: like [`uri_encode`] but `/` stays literal, so
/// `+` becomes `%2B` and non-ASCII is percent-encoded.
#[must_use]
pub fn path_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    encode_into(&mut out, s, true);
    out
}

/// Decodes `%XX` escapes; `None` if the result is not UTF-8 or an escape is malformed.
/// `+` is kept literally (COS paths and our query values never use form encoding).
#[must_use]
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|c| char::from(*c).to_digit(16))?;
            let lo = bytes.get(i + 2).and_then(|c| char::from(*c).to_digit(16))?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_examples() {
        assert_eq!(uri_encode("example-folder/"), "example-folder%2F");
        assert_eq!(
            uri_encode("uin=\"100000000011\""),
            "uin%3D%22100000000011%22"
        );
        assert_eq!(
            uri_encode("a b+c~d*e!f(g)h'i"),
            "a%20b%2Bc~d%2Ae%21f%28g%29h%27i"
        );
        assert_eq!(path_encode("/a b/+/腾"), "/a%20b/%2B/%E8%85%BE");
    }

    #[test]
    fn decode_roundtrip() {
        for s in ["", "a/b c", "腾讯云 😀", "%", "+"] {
            assert_eq!(percent_decode(&uri_encode(s)).as_deref(), Some(s));
        }
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
