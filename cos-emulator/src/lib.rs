//! A strict local Tencent COS emulator: q-sign signatures, pre-signed URLs, POST policies,
//! SSE-COS / SSE-KMS / SSE-C with encryption at rest, multipart, copy, append, CORS.
//!
//! Start it in-process with [`serve`], or run the `cos-emulator` binary.
//!
//! Layers (each module imports only from the ones above it; `tests/layers.rs` checks it):
//! `util`, `xml`, `error` → `crypto`, `auth`, `strict_sign`, `sts`, `store`, `keys`, `config`, `http` → `state` → `ctx`
//! (request model, authentication) → `sse`, `objio` → `ops::*` (one file per operation family)
//! → `router` → `cors`, `server`.

/// Signature and POST-policy verifier (independent of the cos-wasm crate).
pub mod auth;
/// Configuration.
pub mod config;
/// CORS preflight and response headers.
pub mod cors;
/// Chunked AES-256-GCM / SM4-GCM at rest and key wrapping.
pub mod crypto;
/// The request model and authentication of the head.
pub mod ctx;
/// COS error responses.
pub mod error;
/// Request/response types and the body reader over hyper.
pub mod http;
/// SSE-COS master keys and the local KMS.
pub mod keys;
/// Object I/O shared by the operations.
pub mod objio;
/// The operations, one file per family.
pub mod ops;
/// Operation choice from method and sub-resources.
pub mod router;
/// The hyper server.
pub mod server;
/// Server-side encryption rules.
pub mod sse;
/// Shared server state.
pub mod state;
/// On-disk layout, atomic commits, crash recovery.
pub mod store;
/// Strict signing buckets (`--strict-sign`): Content-Type and Content-Length must be signed.
pub mod strict_sign;
/// Tencent Cloud STS: TC3 verification, temporary credentials, CAM policy decisions (served
/// by `router::serve_sts`, enforced by `ctx::authorize_temporary`).
pub mod sts;
/// Encoding, hashing, CRC-64, time, randomness.
pub mod util;
/// XML parsing and escaping (quick-xml).
pub mod xml;

pub use auth::Credential;
pub use config::Config;
pub use server::{serve, ServerHandle};
