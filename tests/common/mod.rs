//! Helpers shared by the integration tests that read the official-SDK vector file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use base64::Engine as _;
use serde_json::Value;

/// The parsed JSON of `tests/vectors/<name>`.
pub fn vector_file(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    read_json(&path)
}

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The cases of `tests/vectors/cos-signing.json` (or `$COS_VECTORS`).
pub fn vectors() -> Vec<Value> {
    let v = match std::env::var("COS_VECTORS") {
        Ok(path) => read_json(&path),
        Err(_) => vector_file("cos-signing.json"),
    };
    v["cases"].as_array().expect("cases").clone()
}

/// The cases of `tests/vectors/tc3-signing.json` (TC3-HMAC-SHA256, with intermediates).
pub fn tc3_vectors() -> Vec<Value> {
    vector_file("tc3-signing.json")["cases"]
        .as_array()
        .expect("cases")
        .clone()
}

/// origin, decoded path, sorted decoded query pairs — the canonical form of the vectors.
pub fn canonical(url: &str) -> Value {
    let (origin_path, query) = url.split_once('?').unwrap_or((url, ""));
    let scheme_end = origin_path.find("://").expect("scheme") + 3;
    let path_start = origin_path[scheme_end..]
        .find('/')
        .map_or(origin_path.len(), |i| i + scheme_end);
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k).expect("k"), percent_decode(v).expect("v"))
        })
        .collect();
    pairs.sort();
    serde_json::json!({
        "origin": &origin_path[..path_start],
        "path": percent_decode(&origin_path[path_start..]).expect("path"),
        "query": pairs.into_iter().map(|(k, v)| vec![k, v]).collect::<Vec<_>>(),
    })
}

/// Standard padded base64 (the tests' own, independent of the crate's helpers).
pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard padded base64.
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-decodes UTF-8 text (`+` stays `+`); `None` for a bad escape or bad UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Percent-encodes everything but RFC 3986 unreserved characters, uppercase hex.
pub fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
