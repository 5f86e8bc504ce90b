//! Streaming MD5 (`Content-MD5`, ETag) and SHA-1 (`x-cos-content-sha1`) wrappers over
//! RustCrypto, shaped for a JS class: `update` / `digest`, then `ERR_USE_AFTER_FREE`.

use md5::Md5;
use sha1::{Digest, Sha1};

use crate::base64;
use crate::crypto::hex;
use crate::error::{err, Result};

macro_rules! streaming_hasher {
    ($(#[$doc:meta])* $name:ident, $inner:ty, $len:literal, $label:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            /// `None` once a digest method has been called.
            inner: Option<$inner>,
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $name {
            /// Digest length in bytes.
            pub const OUTPUT_LEN: usize = $len;

            /// A fresh hasher.
            #[must_use]
            pub fn new() -> Self {
                Self { inner: Some(<$inner as Digest>::new()) }
            }

            /// Feeds `data`. Fails with `ERR_USE_AFTER_FREE` after a digest method.
            pub fn update(&mut self, data: &[u8]) -> Result<()> {
                match self.inner.as_mut() {
                    Some(h) => {
                        Digest::update(h, data);
                        Ok(())
                    }
                    None => Err(Self::finished()),
                }
            }

            /// The raw digest. Finishes the hasher: any later `update` / digest call fails
            /// with `ERR_USE_AFTER_FREE` until [`Self::reset`].
            pub fn digest(&mut self) -> Result<[u8; $len]> {
                match self.inner.take() {
                    Some(h) => Ok(h.finalize().into()),
                    None => Err(Self::finished()),
                }
            }

            /// Lowercase hex of the digest; finishes the hasher like [`Self::digest`].
            pub fn digest_hex(&mut self) -> Result<String> {
                self.digest().map(|d| hex(&d))
            }

            /// `true` once a digest method has been called (and before [`Self::reset`]).
            #[must_use]
            pub fn is_finished(&self) -> bool {
                self.inner.is_none()
            }

            /// Starts over with an empty input, also after a digest.
            pub fn reset(&mut self) {
                self.inner = Some(<$inner as Digest>::new());
            }

            fn finished() -> crate::error::Error {
                err!(UseAfterFree, "{} hasher used after digest(); create a new one or call reset()", $label)
            }
        }
    };
}

streaming_hasher!(
    /// Streaming MD5 (protocol §5): `Content-MD5` is [`Md5Hasher::digest_base64`], a
    /// single-part ETag is [`Md5Hasher::digest_hex`].
    ///
    /// ```
    /// use cos_wasm::hash::Md5Hasher;
    /// let mut h = Md5Hasher::new();
    /// h.update(b"Object")?;
    /// h.update(b"Content")?;
    /// assert_eq!(h.digest_base64()?, "mQ/fVh815F3k6TAUm8m0eg==");
    /// assert!(h.update(b"more").is_err()); // ERR_USE_AFTER_FREE
    /// # Ok::<(), cos_wasm::Error>(())
    /// ```
    Md5Hasher,
    Md5,
    16,
    "MD5"
);

streaming_hasher!(
    /// Streaming SHA-1 (protocol §5, `x-cos-content-sha1` is 40 lowercase hex).
    ///
    /// ```
    /// use cos_wasm::hash::Sha1Hasher;
    /// let mut h = Sha1Hasher::new();
    /// h.update(b"abc")?;
    /// assert_eq!(h.digest_hex()?, "a9993e364706816aba3e25717850c26c9cd0d89d");
    /// # Ok::<(), cos_wasm::Error>(())
    /// ```
    Sha1Hasher,
    Sha1,
    20,
    "SHA-1"
);

impl Md5Hasher {
    /// Standard padded base64 of the digest, the `Content-MD5` header value (protocol §5,
    /// 24 characters); finishes the hasher like [`Md5Hasher::digest`].
    pub fn digest_base64(&mut self) -> Result<String> {
        self.digest().map(|d| base64::encode(&d))
    }
}

/// One-shot `Content-MD5` header value of `body`: base64 of its MD5 (protocol §5).
#[must_use]
pub fn content_md5(body: &[u8]) -> String {
    base64::encode(&crate::crypto::md5(body))
}
