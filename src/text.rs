//! Text helpers without `core::fmt` or core's string searchers: decimal and hex digits,
//! decimal parsing, byte searches for ASCII separators, replacing and joining. Each is
//! smaller in the `.wasm` than the std function it stands for and is tested against it
//! (below and in `tests/proptest_parsers.rs`). The lowest layer: messages
//! (`crate::error`) and every other module build on it.

/// Appends `n` in decimal.
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    push_ascii(out, digits.get(at..).unwrap_or_default());
}

/// Parses unsigned decimal text exactly as `str::parse::<u64>` does: an optional `+`, then
/// one or more ASCII digits, no overflow. One small loop instead of core's generic parser
/// monomorphised for each integer width (~0.3 KB of `.wasm` each); a narrower width is
/// `parse_u64(s).and_then(|n| u16::try_from(n).ok())`, again equal to `parse::<u16>()`.
/// (The CRC-64 readers of `cos-wasm/hash` keep `parse::<u64>()`: that entry parses nothing
/// else, and there this helper measured 67 B smaller raw but 24 B larger gzipped.)
pub(crate) fn parse_u64(s: &str) -> Option<u64> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() {
        return None;
    }
    let mut n = 0u64;
    for b in digits.bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Appends ASCII bytes as chars: `core::str::from_utf8` would link UTF-8 validation
/// (0.7 KB of `.wasm`) for bytes known to be ASCII.
fn push_ascii(out: &mut String, bytes: &[u8]) {
    out.reserve(bytes.len());
    for &b in bytes {
        out.push(char::from(b));
    }
}

/// Appends `b` as two hex digits from `digits` ([`HEX_LOWER`] or [`HEX_UPPER`]).
pub(crate) fn push_hex_byte(out: &mut String, b: u8, digits: &[u8; 16]) {
    let digit = |nibble: u8| digits.get(usize::from(nibble)).copied().unwrap_or(b'0');
    push_ascii(out, &[digit(b >> 4), digit(b & 0xf)]);
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
pub(crate) fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = String::new();
    push_u64(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// `s.rsplit_once(sep)` for an ASCII `sep`. This and the other `*_ascii` splitters are
/// byte searches instead of core's `CharSearcher` (forward and reverse, `memchr`/`memrchr`,
/// `Split`: ~1.5 KB of `.wasm`). The split points are ASCII bytes, so every part is on char
/// boundaries.
pub(crate) fn rsplit_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = s.bytes().rposition(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s.split_once(sep)` for an ASCII `sep` (see [`rsplit_once_ascii`]).
pub(crate) fn split_once_ascii(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = s.bytes().position(|b| b == sep)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s.split(sep)` for an ASCII `sep` (see [`rsplit_once_ascii`]).
pub(crate) fn split_ascii(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match split_once_ascii(r, sep) {
            Some((part, tail)) => {
                rest = Some(tail);
                Some(part)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Byte offset of the first `needle` in `hay`. A plain search instead of `str::find` /
/// `contains` / `replace` with a `&str` pattern, whose Two-Way searcher (and its
/// char-boundary panic path) costs ~3 KB of `.wasm`; every haystack here is a short
/// header, host, path or XML document. A match of a UTF-8 `needle` starts on a char
/// boundary, so the offset can slice `hay`.
pub(crate) fn find_str(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(first) = needle.first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|b| b == first) {
        let at = from + i;
        if hay.get(at..)?.starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `hay` with every `from` replaced by `to` (see [`find_str`]).
pub(crate) fn replace_str(hay: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(at) = find_str(rest, from).filter(|_| !from.is_empty()) {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push_str(to);
        rest = rest.get(at + from.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// `parts` joined by `sep`, like `[S]::join` but a small loop (core's generic join is
/// ~1 KB of `.wasm` per element type).
pub(crate) fn join<S: AsRef<str>>(parts: &[S], sep: &str) -> String {
    let mut out = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(p.as_ref());
    }
    out
}

/// Lower-case hex digits.
pub(crate) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Upper-case hex digits.
pub(crate) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_u64_edges_match_std() {
        for s in [
            "",
            "+",
            "-",
            "+0",
            "-0",
            "00",
            "0+1",
            "++1",
            "18446744073709551615",
            "18446744073709551616",
            "+18446744073709551615",
            "65535",
            "65536",
            "255",
            "256",
            "٣",
        ] {
            assert_eq!(super::parse_u64(s), s.parse::<u64>().ok(), "{s:?}");
            assert_eq!(
                super::parse_u64(s).and_then(|n| u16::try_from(n).ok()),
                s.parse::<u16>().ok(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn ascii_splitters_match_std() {
        for s in [
            "",
            "-",
            "--",
            "a-b-c",
            "é-1250000000",
            "x:",
            ":y",
            "h:p:q",
            "no sep",
            "é:é",
            "/a//b/",
            "1.2.3.4",
        ] {
            for sep in [b'-', b':', b'/', b'.'] {
                let c = char::from(sep);
                assert_eq!(super::rsplit_once_ascii(s, sep), s.rsplit_once(c), "{s:?}");
                assert_eq!(super::split_once_ascii(s, sep), s.split_once(c), "{s:?}");
                assert_eq!(
                    super::split_ascii(s, sep).collect::<Vec<_>>(),
                    s.split(c).collect::<Vec<_>>(),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn find_and_replace_match_std() {
        for (hay, needle) in [
            ("a..b", ".."),
            ("", "x"),
            ("abc", ""),
            ("x://y", "://"),
            ("é?>é", "?>"),
            ("aaa", "aa"),
        ] {
            assert_eq!(
                find_str(hay, needle),
                hay.find(needle),
                "{hay:?} {needle:?}"
            );
            assert_eq!(
                replace_str(hay, needle, "<>"),
                if needle.is_empty() {
                    hay.to_owned()
                } else {
                    hay.replace(needle, "<>")
                }
            );
        }
    }

    #[test]
    fn hex_and_padding() {
        let mut s = String::new();
        push_hex_byte(&mut s, 0x0f, HEX_UPPER);
        push_hex_byte(&mut s, 0xa0, HEX_LOWER);
        push_padded(&mut s, 7, 2);
        push_padded(&mut s, 2026, 4);
        push_padded(&mut s, 123, 2);
        assert_eq!(s, "0Fa0072026123");
    }

    proptest::proptest! {
        #[test]
        fn parse_u64_matches_std(s in "[+-]?[0-9a+ ]{0,22}|[0-9]{18,21}|.{0,4}") {
            use super::parse_u64;
            proptest::prop_assert_eq!(parse_u64(&s), s.parse::<u64>().ok());
            proptest::prop_assert_eq!(parse_u64(&s).and_then(|n| u32::try_from(n).ok()), s.parse::<u32>().ok());
            proptest::prop_assert_eq!(parse_u64(&s).and_then(|n| u16::try_from(n).ok()), s.parse::<u16>().ok());
            proptest::prop_assert_eq!(parse_u64(&s).and_then(|n| u8::try_from(n).ok()), s.parse::<u8>().ok());
        }
    }
}
