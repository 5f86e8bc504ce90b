//! A strict local Tencent COS emulator: q-sign signatures, pre-signed URLs, POST policies,
//! SSE-COS / SSE-KMS / SSE-C with encryption at rest, multipart, copy, append, CORS.
//!
//! Start it in-process with [`serve`], or run the `cos-emulator` binary.

pub mod auth;
pub mod crypto;
pub mod error;
pub mod http;
pub mod keys;
pub mod ops;
pub mod post;
pub mod server;
pub mod store;
pub mod util;

pub use auth::Credential;
pub use server::{serve, Config, ServerHandle};
