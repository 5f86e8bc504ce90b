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
