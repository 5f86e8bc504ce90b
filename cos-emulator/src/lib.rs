//! A strict local Tencent COS emulator: q-sign signatures, pre-signed URLs, POST policies,
//! SSE-COS / SSE-KMS / SSE-C with encryption at rest, multipart, copy, append, CORS.
//!
//! Start it in-process with [`serve`], or run the `cos-emulator` binary.
//!
//! Layers (each module imports only from the ones above it; `tests/layers.rs` checks it):
//! `util`, `error` → `crypto`, `auth`, `keys`, `store`, `config`, `http` → `state` → `ctx`
//! (request model, authentication) → `sse`, `objio` → `ops::*` (one file per operation family)
//! → `router` → `cors`, `server`.

pub mod auth;
pub mod config;
pub mod cors;
pub mod crypto;
pub mod ctx;
pub mod error;
pub mod http;
pub mod keys;
pub mod objio;
pub mod ops;
pub mod router;
pub mod server;
pub mod sse;
pub mod state;
pub mod store;
pub mod util;
pub mod xml;

pub use auth::Credential;
pub use config::Config;
pub use server::{serve, ServerHandle};
