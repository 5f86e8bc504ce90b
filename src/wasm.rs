//! JS boundary (feature `wasm`). Only this module names wasm-bindgen / js-sys types.
