//! The TypeScript `CosErrorCode` union in pkg-template/index.d.ts must list exactly the
//! codes of `ErrorCode`, so JS callers can switch on every code the wasm can throw.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use cos_wasm::ErrorCode;

#[test]
fn typescript_union_matches_rust_codes() {
    let dts = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pkg-template/index.d.ts"
    ))
    .unwrap();
    let start = dts.find("export type CosErrorCode =").unwrap();
    let end = start + dts[start..].find(';').unwrap();
    let union: Vec<&str> = dts[start..end]
        .split('\'')
        .filter(|s| s.starts_with("ERR_"))
        .collect();
    let rust: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(union, rust);
}

/// Codes of Node's own errors that pkg-template/node.js reads (never throws) when it looks
/// for the .wasm: not cos-wasm codes.
const FOREIGN_CODES: &[&str] = &["ERR_INVALID_URL_SCHEME", "ERR_PACKAGE_PATH_NOT_EXPORTED"];

fn js_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            js_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "js" || e == "cjs" || e == "mjs")
        {
            out.push(path);
        }
    }
}

/// Issue 23 item 4: every code a JS file of the package names (`'ERR_…'`, thrown by
/// `cosError(code, …)` or passed to a guard.js reader as the code to throw) is a code of
/// Rust's `ErrorCode`, the one registry, and so of the TypeScript union checked above.
#[test]
fn every_code_the_js_throws_is_registered() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/pkg-template"));
    let mut files = Vec::new();
    js_files(root, &mut files);
    assert!(files.len() > 10, "{files:?}");
    let rust: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let mut unknown = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(i) = text[at..].find("ERR_") {
            let start = at + i;
            let len = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
                .count();
            let end = start + len;
            at = end;
            let quoted = start > 0
                && matches!(bytes[start - 1], b'\'' | b'"' | b'`')
                && bytes.get(end) == Some(&bytes[start - 1]);
            let code = &text[start..end];
            if quoted && !rust.contains(&code) && !FOREIGN_CODES.contains(&code) {
                unknown.push(format!("{}: {code}", file.display()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "codes thrown from JS but missing from ErrorCode: {unknown:?}"
    );
}

/// Issue 23 item 4: the causes of `explainSignatureMismatch` are a typed union, equal to
/// `MISMATCH_CAUSES`, and every cause literal of src/explain.rs is in it.
#[test]
fn mismatch_causes_match_the_typescript_union() {
    let dts = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pkg-template/index.d.ts"
    ))
    .unwrap();
    let start = dts.find("export type MismatchCause =").unwrap();
    let end = start + dts[start..].find(';').unwrap();
    let union: Vec<&str> = dts[start..end].split('\'').skip(1).step_by(2).collect();
    assert_eq!(union, cos_wasm::explain::MISMATCH_CAUSES);
    let src =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/explain.rs")).unwrap();
    let code = &src[..src.find("#[cfg(test)]").unwrap()];
    for piece in code.split('"').skip(1).step_by(2) {
        let is_cause = piece.len() > 2
            && piece.contains('_')
            && piece.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
        if is_cause {
            assert!(
                union.contains(&piece),
                "cause {piece} is not in MismatchCause"
            );
        }
    }
}
