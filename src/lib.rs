//! # cos-wasm
//!
//! Tencent Cloud Object Storage (COS) request signing, pre-signed URLs and POST-form
//! policies, as a pure Rust core compiled to WebAssembly for browsers, Node and edge
//! workers. Time and randomness are inputs; only `src/wasm/` (feature `wasm`) touches
//! JS types.
//!
//! Protocol reference: the COS [request signature](https://cloud.tencent.com/document/product/436/7778)
//! and [POST Object](https://cloud.tencent.com/document/product/436/14690) docs, summarised
//! in `docs/protocol.md`. Comments cite its sections as "protocol §N".
//!
//! ```
//! use cos_wasm::{Credentials, Endpoint, KeyTime, Request, Signer};
//! let signer = Signer::new(Credentials::new("AKIDexample", "secret")?);
//! let endpoint = Endpoint::new("examplebucket-1250000000", "ap-guangzhou")?;
//! let url = signer.presign_url(
//!     &Request::new("GET", "photos/cat.jpg"),
//!     &endpoint,
//!     KeyTime::parse("1700000000;1700003600")?,
//! )?;
//! assert!(url.starts_with("https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/photos/cat.jpg?q-sign-algorithm=sha1"));
//! # Ok::<(), cos_wasm::Error>(())
//! ```

pub mod algorithm;
mod base64;
pub mod bucket_encryption;
pub mod cam_policy;
pub mod cdn;
pub mod credentials;
mod crypto;
mod encode;
pub mod endpoint;
pub mod error;
pub mod explain;
pub mod hash;
mod json;
pub mod keys;
pub mod post_form;
pub mod request;
pub mod sign;
pub mod signer;
pub mod sse;
pub mod tc3;
mod text;
pub mod time;
mod xml;

#[cfg(feature = "wasm-base")]
mod wasm;

pub use algorithm::SseAlgorithm;
pub use bucket_encryption::BucketEncryption;
pub use cdn::{cdn_auth_url, CdnAuthOptions, CdnAuthType, CdnTimeFormat};
pub use credentials::Credentials;
pub use endpoint::{Bucket, Endpoint, Protocol, Region};
pub use error::{Error, ErrorCode, Result};
pub use hash::{
    content_md5, crc64, crc64_combine, crc64_to_string, verify_crc64, Crc64, Md5Hasher, Sha1Hasher,
};
pub use keys::{
    derive_from_passphrase, derive_hkdf, unwrap, wrap, CustomerKey, DerivedKey, KdfParams,
    WrapAlgorithm, WrappingKey,
};
pub use post_form::{PostKey, PostObjectForm, PostObjectFormOptions};
pub use request::{
    apply_strict, object_url, strict_headers, Pin, SignRequestOptions, SignedRequest,
};
pub use sign::{
    Header, KeyTime, Request, SignatureParts, DEFAULT_ACL, DEFAULT_CONTENT_TYPE,
    DEFAULT_SIGNED_HEADERS, DEFAULT_STORAGE_CLASS, MAX_OBJECT_KEY_BYTES,
};
pub use signer::{PostPolicyFields, Signer};
pub use sse::{check_key_md5, copy_source_sse_headers, sse_headers, Operation, Sse};
