//! COS percent-encoding ([protocol §1 UrlEncode](https://cloud.tencent.com/document/product/436/7778)).
//!
//! UTF-8 bytes, uppercase hex, only `A-Za-z0-9-_.~` left unescaped; space is `%20`, never `+`.

use crate::text::{push_hex_byte, split_ascii, HEX_UPPER};

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

fn encode_into(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(char::from(b));
        } else {
            out.push('%');
            push_hex_byte(out, b, HEX_UPPER);
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
///
/// Dot segments (`.` and `..`, as in the key `a/../b`) are kept from being removed by the
/// URL parser of every browser and of Node's `fetch` (WHATWG URL removes them, and treats
/// `%2E` like `.`): the `/` that follows a dot segment (or, for a final one, precedes it) is
/// sent as `%2F`, so no segment on the wire is a dot segment. COS decodes the path before
/// signing, so the signed path is unchanged (protocol §1 "UriPathname"; whether COS decodes
/// `%2F` in a path is UNCONFIRMED, see [`ENCODE_DOT_SEGMENT_SLASHES`]). A key that is only
/// `.` or `..` cannot be sent this way; [`crate::sign::object_path`] refuses it.
#[must_use]
pub fn path_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    let segments: Vec<&str> = split_ascii(s, b'/').collect();
    let is_dot = |i: usize| matches!(segments.get(i), Some(&("." | "..")));
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            // The separator between segment i-1 and i.
            let glue = ENCODE_DOT_SEGMENT_SLASHES
                && i > 1
                && (is_dot(i - 1) || (is_dot(i) && i + 1 == segments.len()));
            out.push_str(if glue { "%2F" } else { "/" });
        }
        encode_into(&mut out, segment, false);
    }
    out
}

/// Whether [`path_encode`] sends the `/` next to a dot segment as `%2F`. UNCONFIRMED that
/// COS decodes `%2F` in a path to `/` (its signature doc decodes the whole path; the local
/// emulator does). `true` is the safe choice: without it the URL parser rewrites the path
/// and the request fails (403) or reaches another key; with it the path arrives as signed.
pub const ENCODE_DOT_SEGMENT_SLASHES: bool = true;

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

    /// What a WHATWG URL parser does to a path: split at `/`, drop `.` and `%2e` segments,
    /// pop for `..` and its encoded forms.
    fn whatwg_path(path: &str) -> String {
        let mut out: Vec<&str> = Vec::new();
        let segs: Vec<&str> = path.split('/').skip(1).collect();
        for (i, seg) in segs.iter().enumerate() {
            let lower = seg.to_ascii_lowercase();
            let last = i + 1 == segs.len();
            match lower.as_str() {
                "." | "%2e" => {
                    if last {
                        out.push("");
                    }
                }
                ".." | ".%2e" | "%2e." | "%2e%2e" => {
                    out.pop();
                    if last {
                        out.push("");
                    }
                }
                _ => out.push(seg),
            }
        }
        format!("/{}", out.join("/"))
    }

    #[test]
    fn dot_segments_survive_url_parsers() {
        for (path, wire) in [
            ("/a/../b", "/a/..%2Fb"),
            ("/a/./b/../c.txt", "/a/.%2Fb/..%2Fc.txt"),
            ("/a/..", "/a%2F.."),
            ("/../x", "/..%2Fx"),
            ("/a/../..", "/a/..%2F.."),
            ("/./", "/.%2F"),
            ("/bucket/..", "/bucket%2F.."),
            ("/a.b/..c/...", "/a.b/..c/..."),
        ] {
            let got = path_encode(path);
            assert_eq!(got, wire, "{path}");
            assert_eq!(whatwg_path(&got), got, "a URL parser rewrites {got}");
            assert_eq!(percent_decode(&got).as_deref(), Some(path));
        }
    }

    proptest::proptest! {
        #[test]
        fn encoded_paths_are_stable_and_decode_back(segs in proptest::collection::vec("[a./%+ ]{0,3}", 1..6)) {
            let path = format!("/{}", segs.join("/"));
            if path == "/." || path == "/.." {
                return Ok(());
            }
            let wire = path_encode(&path);
            proptest::prop_assert_eq!(whatwg_path(&wire), wire.clone());
            proptest::prop_assert_eq!(percent_decode(&wire), Some(path));
        }
    }
}
