//! Helpers shared by the integration tests that read the official-SDK vector file.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use cos_wasm::encode::percent_decode;
use serde_json::Value;

/// The cases of `tests/vectors/cos-signing.json` (or `$COS_VECTORS`).
pub fn vectors() -> Vec<Value> {
    let path = std::env::var("COS_VECTORS").unwrap_or_else(|_| {
        format!(
            "{}/tests/vectors/cos-signing.json",
            env!("CARGO_MANIFEST_DIR")
        )
    });
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let v: Value = serde_json::from_str(&text).expect("vector JSON");
    v["cases"].as_array().expect("cases").clone()
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
