//! `CustomerKey` and `WrappingKey`: key material lives in wasm memory, behind handles.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::options::{
    algorithm, bytes_arg, get, js_text, opt_bytes, opt_str, opt_u64, options, random_bytes, req_str,
};
use super::registry::{lookup, public_handle, CUSTOMER_KEYS, WRAPPING_KEYS};
use crate::algorithm::SseAlgorithm;
use crate::error::{err, Result};
use crate::keys::{
    derive_from_passphrase, derive_hkdf, unwrap, wrap, CustomerKey, KdfParams, WrapAlgorithm,
    WrappingKey, PBKDF2_DEFAULT_ITERATIONS,
};

/// An SSE-C customer key held inside wasm memory (zeroized on `free()`).
#[wasm_bindgen(js_name = CustomerKey)]
pub struct JsCustomerKey {
    handle: u32,
    algorithm: SseAlgorithm,
}

impl JsCustomerKey {
    fn register(key: CustomerKey) -> Self {
        let algorithm = key.algorithm();
        let handle = CUSTOMER_KEYS.with(|r| r.borrow_mut().insert(key));
        Self { handle, algorithm }
    }

    fn with<T>(&self, f: impl FnOnce(&CustomerKey) -> T) -> Result<T> {
        CUSTOMER_KEYS
            .with(|r| r.borrow().get(self.handle).map(f))
            .ok_or_else(|| err!(UseAfterFree, "this CustomerKey was freed"))
    }
}

impl Drop for JsCustomerKey {
    fn drop(&mut self) {
        CUSTOMER_KEYS.with(|r| r.borrow_mut().remove(self.handle));
    }
}

pub(super) fn parse_alg(alg: &JsValue) -> Result<SseAlgorithm> {
    match alg.as_string() {
        Some(a) => SseAlgorithm::parse(&a),
        None if alg.is_undefined() => Ok(SseAlgorithm::default()),
        None => Err(err!(InvalidSse, "algorithm must be 'AES256' or 'SM4'")),
    }
}

#[wasm_bindgen(js_class = CustomerKey)]
impl JsCustomerKey {
    /// Imports raw key bytes (32 for AES256, 16 for SM4).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(algorithm: JsValue, bytes: JsValue) -> Result<JsCustomerKey> {
        let alg = parse_alg(&algorithm)?;
        Ok(Self::register(CustomerKey::from_bytes(
            alg,
            &bytes_arg(&bytes, "bytes")?,
        )?))
    }

    /// Imports a base64 key.
    #[wasm_bindgen(js_name = fromBase64)]
    pub fn from_base64(algorithm: JsValue, text: JsValue) -> Result<JsCustomerKey> {
        let alg = parse_alg(&algorithm)?;
        let text = zeroize::Zeroizing::new(
            text.as_string()
                .ok_or_else(|| err!(InvalidKeyEncoding, "base64 key must be a string"))?,
        );
        Ok(Self::register(CustomerKey::from_base64(alg, &text)?))
    }

    /// `AES256` or `SM4`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.algorithm.as_str().to_owned()
    }

    /// Base64 of the MD5 of the key: the `…-customer-key-MD5` header value.
    #[wasm_bindgen(getter, js_name = md5Base64)]
    pub fn md5_base64(&self) -> Result<String> {
        self.with(CustomerKey::md5_base64)
    }

    /// Base64 of the key: the `…-customer-key` header value (secret).
    #[wasm_bindgen(getter, js_name = keyBase64)]
    pub fn key_base64(&self) -> Result<JsValue> {
        self.with(|k| JsValue::from_str(&k.key_base64()))
    }

    /// A new random key from the platform CSPRNG (`crypto.getRandomValues`).
    pub fn generate(algorithm: JsValue) -> Result<JsCustomerKey> {
        let alg = parse_alg(&algorithm)?;
        let random = random_bytes(crate::keys::customer_key_len(alg))?;
        Ok(Self::register(CustomerKey::generate(alg, &random)?))
    }

    /// Imports a hex key.
    #[wasm_bindgen(js_name = fromHex)]
    pub fn from_hex(algorithm: JsValue, text: JsValue) -> Result<JsCustomerKey> {
        let alg = parse_alg(&algorithm)?;
        let text = zeroize::Zeroizing::new(
            text.as_string()
                .ok_or_else(|| err!(InvalidKeyEncoding, "hex key must be a string"))?,
        );
        Ok(Self::register(CustomerKey::from_hex(alg, &text)?))
    }

    /// HKDF-SHA256 from a master secret, bound to bucket, object key and algorithm.
    #[wasm_bindgen(js_name = deriveHkdf)]
    pub fn derive_hkdf(opts: JsValue) -> Result<JsCustomerKey> {
        options(&opts, "CustomerKey.deriveHkdf()")?;
        let master = bytes_arg(&get(&opts, "master")?, "master")?;
        let salt = opt_bytes(&get(&opts, "salt")?, "salt")?.unwrap_or_default();
        let alg = algorithm(&opts)?;
        Ok(Self::register(derive_hkdf(
            &master,
            &salt,
            &req_str(&opts, "bucket")?,
            &req_str(&opts, "key")?,
            alg,
        )?))
    }

    /// PBKDF2-HMAC-SHA256 from a passphrase: `{ key, params }`; store `params` to re-derive.
    #[wasm_bindgen(js_name = fromPassphrase)]
    pub fn from_passphrase(opts: JsValue) -> Result<JsValue> {
        options(&opts, "CustomerKey.fromPassphrase()")?;
        let (passphrase, params) = passphrase_params(&opts)?;
        let derived = derive_from_passphrase(&passphrase, params, algorithm(&opts)?)?;
        Ok(key_and_params(
            Self::register(derived.key).into(),
            &derived.params,
        ))
    }

    /// A short keyed hash, safe to log (not the MD5).
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> Result<String> {
        self.with(CustomerKey::fingerprint)
    }

    /// Wraps (encrypts) this key for storage: a versioned envelope string.
    pub fn wrap(&self, wrapping: JsValue, opts: JsValue) -> Result<String> {
        let aad = aad(&opts)?;
        let nonce_vec = random_bytes(crate::keys::ENVELOPE_NONCE_LEN)?;
        let nonce: [u8; crate::keys::ENVELOPE_NONCE_LEN] = nonce_vec
            .as_slice()
            .try_into()
            .map_err(|_| err!(RandomUnavailable, "nonce generation failed"))?;
        let wrapping = wrapping_key(&wrapping)?;
        self.with(|k| wrap(k, &wrapping, &aad, &nonce))?
    }

    /// Unwraps an envelope made by `wrap` with the same wrapping key and `aad`.
    pub fn unwrap(envelope: JsValue, wrapping: JsValue, opts: JsValue) -> Result<JsCustomerKey> {
        let text = envelope
            .as_string()
            .ok_or_else(|| err!(InvalidEnvelope, "the envelope must be a string"))?;
        Ok(Self::register(unwrap(
            &text,
            &wrapping_key(&wrapping)?,
            &aad(&opts)?,
        )?))
    }

    /// Internal: lets option objects refer to this key. Not part of the typed API.
    #[wasm_bindgen(getter, js_name = __cosKeyHandle)]
    pub fn handle(&self) -> f64 {
        public_handle(self.handle)
    }
}

/// `{ aad?: string | Uint8Array }`: the caller's context bound into an envelope.
pub(super) fn aad(opts: &JsValue) -> Result<Vec<u8>> {
    let v = get(opts, "aad")?;
    if let Some(s) = js_text(&v, "aad")? {
        return Ok(s.into_bytes());
    }
    Ok(opt_bytes(&v, "aad")?
        .map(|b| b.to_vec())
        .unwrap_or_default())
}

/// `{ params, key }`, the answer of both `fromPassphrase()`s: the parameters to store (text)
/// and the registered key handle.
fn key_and_params(key: JsValue, params: &KdfParams) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(
        &o,
        &"params".into(),
        &crate::error::cat!("{}", params).into(),
    );
    let _ = Reflect::set(&o, &"key".into(), &key);
    o.into()
}

/// `{ passphrase, params? }` or `{ passphrase, salt?, iterations? }` (a random 16-byte
/// salt and 600,000 iterations by default). Passphrases are NFC-normalised.
pub(super) fn passphrase_params(opts: &JsValue) -> Result<(zeroize::Zeroizing<String>, KdfParams)> {
    let raw = get(opts, "passphrase")?;
    let pass = raw
        .dyn_ref::<js_sys::JsString>()
        .map(|s| s.normalize("NFC"))
        .and_then(|s| s.as_string())
        .map(zeroize::Zeroizing::new)
        .ok_or_else(|| err!(InvalidKdfParams, "`passphrase` must be a string"))?;
    let params = if let Some(p) = opt_str(opts, "params")? {
        KdfParams::parse(&p)?
    } else {
        let salt = match opt_bytes(&get(opts, "salt")?, "salt")? {
            Some(s) => s,
            None => random_bytes(16)?,
        };
        let iterations = match opt_u64(opts, "iterations")? {
            Some(i) => {
                u32::try_from(i).map_err(|_| err!(InvalidKdfParams, "`iterations` is too large"))?
            }
            None => PBKDF2_DEFAULT_ITERATIONS,
        };
        KdfParams::pbkdf2_sha256(iterations, &salt)?
    };
    Ok((pass, params))
}

pub(super) fn wrap_alg(v: &JsValue) -> Result<WrapAlgorithm> {
    match v.as_string().as_deref() {
        None if v.is_undefined() => Ok(WrapAlgorithm::Aes256Gcm),
        Some("AES-256-GCM") => Ok(WrapAlgorithm::Aes256Gcm),
        Some("SM4-GCM") => Ok(WrapAlgorithm::Sm4Gcm),
        _ => Err(err!(
            InvalidArgument,
            "wrapping algorithm must be 'AES-256-GCM' or 'SM4-GCM'"
        )),
    }
}

/// A key-wrapping key (AES-256-GCM or SM4-GCM) for storing customer keys.
#[wasm_bindgen(js_name = WrappingKey)]
pub struct JsWrappingKey {
    handle: u32,
}

impl JsWrappingKey {
    fn register(key: WrappingKey) -> Self {
        Self {
            handle: WRAPPING_KEYS.with(|r| r.borrow_mut().insert(key)),
        }
    }
}

impl Drop for JsWrappingKey {
    fn drop(&mut self) {
        WRAPPING_KEYS.with(|r| r.borrow_mut().remove(self.handle));
    }
}

pub(super) fn wrapping_key(value: &JsValue) -> Result<WrappingKey> {
    lookup(
        &WRAPPING_KEYS,
        value,
        "__cosWrappingKeyHandle",
        "this WrappingKey",
    )?
    .ok_or_else(|| err!(InvalidArgument, "expected a WrappingKey"))
}

#[wasm_bindgen(js_class = WrappingKey)]
impl JsWrappingKey {
    /// A new random wrapping key.
    pub fn generate(algorithm: JsValue) -> Result<JsWrappingKey> {
        let alg = wrap_alg(&algorithm)?;
        Ok(JsWrappingKey::register(WrappingKey::generate(
            alg,
            &random_bytes(alg.key_len())?,
        )?))
    }

    /// Imports raw wrapping-key bytes (32 for AES-256-GCM, 16 for SM4-GCM).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(algorithm: JsValue, bytes: JsValue) -> Result<JsWrappingKey> {
        Ok(JsWrappingKey::register(WrappingKey::from_bytes(
            wrap_alg(&algorithm)?,
            &bytes_arg(&bytes, "bytes")?,
        )?))
    }

    /// Derives a wrapping key from a passphrase: `{ key, params }`.
    #[wasm_bindgen(js_name = fromPassphrase)]
    pub fn from_passphrase(opts: JsValue) -> Result<JsValue> {
        options(&opts, "WrappingKey.fromPassphrase()")?;
        let (passphrase, params) = passphrase_params(&opts)?;
        let derived = WrappingKey::derive_from_passphrase(
            &passphrase,
            params,
            wrap_alg(&get(&opts, "algorithm")?)?,
        )?;
        Ok(key_and_params(
            JsWrappingKey::register(derived.key).into(),
            &derived.params,
        ))
    }

    /// A short keyed hash, safe to log.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> Result<String> {
        WRAPPING_KEYS
            .with(|r| r.borrow().get(self.handle).map(WrappingKey::fingerprint))
            .ok_or_else(|| err!(UseAfterFree, "this WrappingKey was freed"))
    }

    /// Internal: lets arguments refer to this key. Not part of the typed API.
    #[wasm_bindgen(getter, js_name = __cosWrappingKeyHandle)]
    pub fn handle(&self) -> f64 {
        public_handle(self.handle)
    }
}
