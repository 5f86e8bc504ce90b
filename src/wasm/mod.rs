//! JS boundary (feature `wasm`). Only this module tree names wasm-bindgen / js-sys types:
//! it decodes the arguments' snapshots (and reads `keys`' and `hash`' arguments), supplies
//! the clock and randomness, and turns [`Error`] into a JS
//! `Error` whose `name` is `CosError` and whose `code` is the stable
//! [`ErrorCode`](crate::ErrorCode) string.
//!
//! Layers, one way: `options` (reading arguments as JS objects, and the cap on secret inputs),
//! `output` (building results) and `registry` (key handles) are leaves; `snapshot` (decoding
//! the one-crossing snapshot of the arguments, see its docs) uses `options`' cap; `sse` (on `snapshot`) and `keys` build on them;
//! `signer` on `sse`; `cdn` (CDN / EdgeOne URL authentication, signer entry), `sts` (TC3
//! signing, CAM policies), `explain` and `bucket` (bucket encryption XML) on `snapshot`;
//! `hash` on `options`.
#![cfg_attr(not(feature = "wasm"), allow(dead_code, unused_imports))]

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::Error;
use options::raw_get;

// One module per npm entry, each behind its cargo feature (Cargo.toml); `options` and
// `output` are shared, and what an entry does not use of them is dropped by LTO.
#[cfg(feature = "entry-explain")]
mod bucket;
#[cfg(feature = "entry-signer")]
mod cdn;
#[cfg(feature = "entry-explain")]
mod explain;
#[cfg(feature = "entry-hash")]
mod hash;
#[cfg(feature = "entry-keys")]
mod keys;
mod options;
mod output;
#[cfg(feature = "entry-keys")]
mod registry;
#[cfg(feature = "entry-signer")]
mod signer;
mod snapshot;
#[cfg(feature = "entry-signer")]
mod sse;
#[cfg(feature = "entry-sts")]
mod sts;

/// A core error becomes a thrown JS `Error` (`name: "CosError"`, `code`), so exported
/// functions return `Result<T, Error>`.
impl From<Error> for JsValue {
    fn from(e: Error) -> JsValue {
        let js = js_sys::Error::new(e.message());
        js.set_name("CosError");
        let _ = Reflect::set(&js, &"code".into(), &e.code().as_str().into());
        js.into()
    }
}

/// Runs when the module is instantiated: captures the built-ins the boundary calls before
/// application code can replace them.
#[wasm_bindgen(start)]
fn start() {
    // Only the entries that still read JS values from wasm need them (`keys`' options,
    // `hash`'s byte views); the signer, sts and explain read a snapshot that JS took.
    #[cfg(any(feature = "entry-keys", feature = "entry-hash"))]
    options::capture_intrinsics();
}

/// `true` for errors thrown by this package.
#[wasm_bindgen(js_name = isCosError)]
#[must_use]
pub fn is_cos_error(value: &JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && raw_get(value, "name").as_string().as_deref() == Some("CosError")
        && raw_get(value, "code").as_string().is_some()
}

/// Whether `host` (a WHATWG URL `hostname`) is literal loopback: the one rule
/// (`crate::endpoint::is_loopback_host`), in every entry for `pkg-template/transport.js`.
#[wasm_bindgen(js_name = isLoopbackHost)]
#[must_use]
pub fn is_loopback_host(host: &str) -> bool {
    crate::endpoint::is_loopback_host(host)
}

/// Whether a secret may travel over `scheme` (`https:`, `http:`) to `host`: the one rule
/// (`crate::endpoint::secret_transport_allowed`), in every entry for `pkg-template/transport.js`.
#[wasm_bindgen(js_name = secretTransportAllowed)]
#[must_use]
pub fn secret_transport_allowed(scheme: &str, host: &str, allow_local: bool) -> bool {
    crate::endpoint::secret_transport_allowed(scheme, host, allow_local)
}

/// The allocator of the .wasm: Talc instead of Rust's default dlmalloc, smaller in every
/// entry (each .wasm carries its own allocator; BENCHMARKS.md, "Per entry").
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
