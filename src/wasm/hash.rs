//! Streaming CRC-64, MD5 and SHA-1, and the CRC-64 helpers.

use wasm_bindgen::prelude::*;

use super::options::with_bytes;
use crate::error::{err, Result};
use crate::hash::{crc64_combine, crc64_to_string, verify_crc64, Crc64, Md5Hasher, Sha1Hasher};

/// Streaming CRC-64/XZ as COS computes it (`x-cos-hash-crc64ecma`).
#[wasm_bindgen(js_name = Crc64)]
#[derive(Default)]
pub struct JsCrc64(Crc64);

#[wasm_bindgen(js_class = Crc64)]
impl JsCrc64 {
    /// A new CRC-64 (empty input).
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> JsCrc64 {
        Self::default()
    }

    /// Adds bytes (a `Uint8Array`, another typed array, or an `ArrayBuffer`).
    pub fn update(&mut self, data: JsValue) -> Result<()> {
        with_bytes(&data, |b| {
            self.0.update(b);
            Ok(())
        })
    }

    /// The CRC so far, as the unsigned decimal string COS returns.
    pub fn digest(&self) -> String {
        crc64_to_string(self.0.value())
    }

    /// The CRC so far, as a BigInt.
    pub fn value(&self) -> u64 {
        self.0.value()
    }

    /// Starts over.
    pub fn reset(&mut self) {
        self.0.reset();
    }
}

pub(super) fn crc_arg(v: &JsValue, name: &str) -> Result<u64> {
    if let Some(s) = v.as_string() {
        return s.trim().parse().map_err(|_| {
            err!(
                InvalidArgument,
                "`{}` must be an unsigned decimal CRC-64",
                name
            )
        });
    }
    if v.is_bigint() {
        return u64::try_from(v.clone())
            .map_err(|_| err!(InvalidArgument, "`{}` must fit in 64 bits", name));
    }
    match v.as_f64() {
        Some(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 =>
        {
            Ok(n as u64)
        }
        _ => Err(err!(
            InvalidArgument,
            "`{}` must be a decimal string, a BigInt or a safe integer",
            name
        )),
    }
}

/// `crc64Combine(crc1, crc2, len2)`: the CRC of part1‖part2 from the parts' CRCs.
#[wasm_bindgen(js_name = crc64Combine)]
pub fn crc64_combine_js(crc1: JsValue, crc2: JsValue, len2: JsValue) -> Result<String> {
    Ok(crc64_to_string(crc64_combine(
        crc_arg(&crc1, "crc1")?,
        crc_arg(&crc2, "crc2")?,
        crc_arg(&len2, "len2")?,
    )))
}

/// `verifyCrc64(local, header)`: throws `ERR_CRC64_MISMATCH` if COS's value differs.
#[wasm_bindgen(js_name = verifyCrc64)]
pub fn verify_crc64_js(local: JsValue, header: JsValue) -> Result<()> {
    let header = header
            .as_string()
            .ok_or_else(|| err!(InvalidArgument, "the x-cos-hash-crc64ecma header is missing; expose it in the bucket's CORS ExposeHeaders"))?;
    verify_crc64(crc_arg(&local, "local")?, &header)
}

macro_rules! js_digest {
    ($js:literal, $name:ident, $inner:ty) => {
        #[doc = concat!("Streaming ", $js, " (`update(bytes)`, then one `digest*()` call).")]
        #[wasm_bindgen(js_name = $js)]
        #[derive(Default)]
        pub struct $name($inner);

        #[wasm_bindgen(js_class = $js)]
        impl $name {
            /// A new hasher.
            #[wasm_bindgen(constructor)]
            #[must_use]
            pub fn new() -> $name {
                Self::default()
            }

            /// Adds bytes (`ERR_USE_AFTER_FREE` after a digest).
            pub fn update(&mut self, data: JsValue) -> Result<()> {
                with_bytes(&data, |b| self.0.update(b))
            }

            /// The raw digest; finishes the hasher.
            pub fn digest(&mut self) -> Result<Vec<u8>> {
                self.0.digest().map(|d| d.to_vec())
            }

            /// The lowercase hex digest; finishes the hasher.
            #[wasm_bindgen(js_name = digestHex)]
            pub fn digest_hex(&mut self) -> Result<String> {
                self.0.digest_hex()
            }

            /// Starts over (also after a digest).
            pub fn reset(&mut self) {
                self.0.reset();
            }
        }
    };
}

js_digest!("Md5", JsMd5, Md5Hasher);

js_digest!("Sha1", JsSha1, Sha1Hasher);

#[wasm_bindgen(js_class = Md5)]
impl JsMd5 {
    /// Base64 of the digest, the `Content-MD5` value; finishes the hasher.
    #[wasm_bindgen(js_name = digestBase64)]
    pub fn digest_base64(&mut self) -> Result<String> {
        self.0.digest_base64()
    }
}
