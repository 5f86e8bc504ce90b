//! Minimal JSON for policies: `JSON.stringify`-compatible string escaping and a validator.
//! Hand-written rather than `serde_json`: the wasm build needs only these two operations,
//! and a JSON crate costs tens of KB of `.wasm` (issue #18's size budget).

use crate::text::{push_hex_byte, HEX_LOWER};

/// A JSON string literal escaped exactly like `JSON.stringify`: `\"`, `\\`,
/// `\b \f \n \r \t`, other control characters as `\u00xx`; no escaping of non-ASCII.
pub(crate) fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                push_hex_byte(&mut out, c as u8, HEX_LOWER);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `text` is one complete JSON object.
pub(crate) fn is_object_text(text: &str) -> bool {
    text.trim_start().starts_with('{') && is_valid(text)
}

/// Whether `text` is one complete JSON object or array (a policy condition).
pub(crate) fn is_condition_text(text: &str) -> bool {
    text.trim_start().starts_with(['{', '[']) && is_valid(text)
}

const MAX_DEPTH: usize = 64;

fn is_valid(text: &str) -> bool {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    p.ws();
    if !p.value(0) {
        return false;
    }
    p.ws();
    p.i == p.b.len()
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }
    fn lit(&mut self, s: &[u8]) -> bool {
        if self.b.get(self.i..self.i + s.len()) == Some(s) {
            self.i += s.len();
            true
        } else {
            false
        }
    }
    fn digits(&mut self) -> bool {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i > start
    }
    fn value(&mut self, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string(),
            Some(b't') => self.lit(b"true"),
            Some(b'f') => self.lit(b"false"),
            Some(b'n') => self.lit(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => false,
        }
    }
    fn object(&mut self, depth: usize) -> bool {
        self.i += 1;
        self.ws();
        if self.eat(b'}') {
            return true;
        }
        loop {
            self.ws();
            if !self.string() {
                return false;
            }
            self.ws();
            if !self.eat(b':') {
                return false;
            }
            self.ws();
            if !self.value(depth + 1) {
                return false;
            }
            self.ws();
            if self.eat(b'}') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }
    fn array(&mut self, depth: usize) -> bool {
        self.i += 1;
        self.ws();
        if self.eat(b']') {
            return true;
        }
        loop {
            self.ws();
            if !self.value(depth + 1) {
                return false;
            }
            self.ws();
            if self.eat(b']') {
                return true;
            }
            if !self.eat(b',') {
                return false;
            }
        }
    }
    fn string(&mut self) -> bool {
        if !self.eat(b'"') {
            return false;
        }
        loop {
            match self.peek() {
                None => return false,
                Some(b'"') => {
                    self.i += 1;
                    return true;
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.i += 1;
                        }
                        Some(b'u') => {
                            self.i += 1;
                            for _ in 0..4 {
                                if !matches!(self.peek(), Some(c) if c.is_ascii_hexdigit()) {
                                    return false;
                                }
                                self.i += 1;
                            }
                        }
                        _ => return false,
                    }
                }
                Some(c) if c < 0x20 => return false,
                Some(_) => self.i += 1,
            }
        }
    }
    fn number(&mut self) -> bool {
        self.eat(b'-');
        if !self.eat(b'0') && !self.digits() {
            return false;
        }
        if self.eat(b'.') && !self.digits() {
            return false;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if !self.digits() {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escaping() {
        assert_eq!(
            string("a\"b\\c\u{8}\u{c}\n\r\t\u{1}\u{1f}é腾"),
            "\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001fé腾\""
        );
        assert!(is_object_text(r#" {"a":[1,-2.5e3,true,null,{}]} "#));
        for bad in [
            "",
            "{",
            "[]",
            "{\"a\"}",
            "{\"a\":01}",
            "{}x",
            "{\"\u{1}\":1}",
            "{\"a\":1,}",
        ] {
            assert!(!is_object_text(bad), "{bad:?}");
        }
        assert!(is_condition_text("[\"eq\",\"$a\",\"b\"]"));
        assert!(!is_condition_text("\"x\""));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(!is_condition_text(&deep));
    }
}
