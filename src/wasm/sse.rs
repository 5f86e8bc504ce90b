//! SSE descriptions (`{ type: 'SSE-C', key }` …), SSE headers and object URLs. (Bucket
//! default encryption XML is in `bucket.rs`, of the `cos-wasm/explain` entry.)

use wasm_bindgen::prelude::*;

use super::options::{
    endpoint, get, is_array, js_text, json_text, opt_algorithm, opt_bytes, opt_str, options,
};
use super::output::headers_object;
#[cfg(feature = "entry-keys")]
use super::registry::{lookup, CUSTOMER_KEYS};
use crate::algorithm::SseAlgorithm;
use crate::error::{err, Result};
use crate::keys::CustomerKey;
use crate::request::object_url;
use crate::sse::{copy_source_sse_headers, sse_headers, Operation, Sse};

/// A customer key given as a `CustomerKey`, raw bytes (any typed array, `DataView` or
/// `ArrayBuffer`, see [`opt_bytes`]) or base64 text. A `CustomerKey` carries its own
/// algorithm; `explicit`, when given, must match it. Raw bytes and text use `explicit` or
/// the default (AES256).
pub(super) fn customer_key(
    value: &JsValue,
    explicit: Option<SseAlgorithm>,
    what: &str,
) -> Result<CustomerKey> {
    let alg = explicit.unwrap_or_default();
    if let Some(text) = value.as_string() {
        return CustomerKey::from_base64(alg, &zeroize::Zeroizing::new(text));
    }
    #[cfg(feature = "entry-keys")]
    let found = lookup(&CUSTOMER_KEYS, value, "__cosKeyHandle", "this CustomerKey")?;
    #[cfg(not(feature = "entry-keys"))]
    let found = keys_entry_key(value)?;
    if let Some(key) = found {
        if let Some(explicit) = explicit.filter(|a| *a != key.algorithm()) {
            return Err(err!(
                InvalidSse,
                "SSE-C `algorithm` {} does not match the key's {}",
                explicit.as_str(),
                key.algorithm().as_str()
            ));
        }
        return Ok(key);
    }
    if value.is_object() {
        if let Some(raw) = opt_bytes(value, what)? {
            return CustomerKey::from_bytes(alg, &raw);
        }
    }
    Err(err!(
        InvalidSse,
        "{} must be a CustomerKey, the key bytes (a Uint8Array) or base64 text",
        what
    ))
}

/// A `CustomerKey` of the `cos-wasm/keys` entry, which lives in another wasm instance (the
/// signer entry is built without `entry-keys`): recognised by its class's `__cosKeyHandle`
/// getter (on its prototype, as in `registry::lookup`, so a look-alike `{ __cosKeyHandle }`
/// is not a key) and read through its class's `algorithm` and `keyBase64` getters, which
/// the package's lifetime guard makes throw for a freed key.
#[cfg(not(feature = "entry-keys"))]
fn keys_entry_key(value: &JsValue) -> Result<Option<CustomerKey>> {
    use super::options::{callable, get_prototype_of_probe};
    use js_sys::Reflect;
    use wasm_bindgen::JsCast;
    if !value.is_object() || get_prototype_of_probe(value).is_err() {
        return Ok(None);
    }
    let Ok(proto) = Reflect::get_prototype_of(value) else {
        return Ok(None);
    };
    let getter = |name: &str| -> Option<js_sys::Function> {
        let desc = Reflect::get_own_property_descriptor(&proto, &name.into()).ok()?;
        if desc.is_undefined() {
            return None;
        }
        Reflect::get(&desc, &"get".into()).ok()?.dyn_into().ok()
    };
    let (Some(_), Some(alg), Some(key)) = (
        getter("__cosKeyHandle"),
        getter("algorithm"),
        getter("keyBase64"),
    ) else {
        return Ok(None);
    };
    let freed = |_| err!(UseAfterFree, "this CustomerKey was freed");
    let read = |g: &js_sys::Function| -> Result<Option<String>> {
        // Probe first: an exception caught by a value-returning import leaks (options.rs).
        callable(g).call0_unit(value).map_err(freed)?;
        Ok(Reflect::apply(g, value, &js_sys::Array::new())
            .map_err(freed)?
            .as_string())
    };
    let (Some(alg), Some(text)) = (read(&alg)?, read(&key)?) else {
        return Ok(None);
    };
    let text = zeroize::Zeroizing::new(text);
    CustomerKey::from_base64(SseAlgorithm::parse(&alg)?, &text).map(Some)
}

/// `{ type: 'SSE-COS' | 'SSE-KMS' | 'SSE-C', ... }`.
pub(super) fn sse(value: &JsValue) -> Result<Option<Sse>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() {
        return Err(err!(
            InvalidSse,
            "`sse` must be an object such as { type: 'SSE-COS' }"
        ));
    }
    let ty = opt_str(value, "type")?.unwrap_or_default();
    let explicit = opt_algorithm(value)?;
    let alg = explicit.unwrap_or_default();
    Ok(Some(match ty.as_str() {
        "SSE-COS" => Sse::Cos { algorithm: alg },
        "SSE-KMS" => {
            let ctx = get(value, "context")?;
            let context_json = if ctx.is_undefined() || ctx.is_null() {
                None
            } else if ctx.is_object() && !is_array(&ctx) {
                Some(json_text(
                    &ctx,
                    "sse.context",
                    crate::ErrorCode::InvalidSse,
                )?)
            } else {
                return Err(err!(InvalidSse, "SSE-KMS `context` must be an object"));
            };
            Sse::Kms {
                key_id: opt_str(value, "kmsKeyId")?,
                context_json,
                algorithm: alg,
            }
        }
        "SSE-C" => {
            let key = customer_key(&get(value, "key")?, explicit, "SSE-C `key`")?;
            match opt_str(value, "keyMd5")? {
                Some(md5) => Sse::customer_with_md5(key, &md5)?,
                None => Sse::Customer(key),
            }
        }
        _ => {
            return Err(err!(
                InvalidSse,
                "`sse.type` must be 'SSE-COS', 'SSE-KMS' or 'SSE-C'"
            ))
        }
    }))
}

pub(super) fn operation(obj: &JsValue) -> Result<Option<Operation>> {
    opt_str(obj, "operation")?
        .map(|o| Operation::parse(&o))
        .transpose()
}

/// `sseHeaders(sse, operation)`: the SSE headers (or POST form fields) for one operation.
#[wasm_bindgen(js_name = sseHeaders)]
pub fn sse_headers_js(sse_value: JsValue, op: JsValue) -> Result<JsValue> {
    let op = Operation::parse(&js_text(&op, "operation")?.ok_or_else(|| {
        err!(
            UnknownOperation,
            "`operation` must be a string such as 'PutObject'"
        )
    })?)?;
    let sse = sse(&sse_value)?.ok_or_else(|| err!(InvalidSse, "`sse` is required"))?;
    Ok(headers_object(&sse_headers(&sse, op)?))
}

/// `copySourceSseHeaders(key)`: the `x-cos-copy-source-server-side-encryption-customer-*` triple.
#[wasm_bindgen(js_name = copySourceSseHeaders)]
pub fn copy_source_sse_headers_js(key: JsValue, alg: JsValue) -> Result<JsValue> {
    let alg = if alg.is_undefined() || alg.is_null() {
        None
    } else {
        Some(SseAlgorithm::parse(
            &js_text(&alg, "algorithm")?
                .ok_or_else(|| err!(InvalidSse, "algorithm must be 'AES256' or 'SM4'"))?,
        )?)
    };
    Ok(headers_object(&copy_source_sse_headers(&customer_key(
        &key,
        alg,
        "copy-source key",
    )?)))
}

/// `objectUrl({ bucket, region, key, sse?, ... })`: an unsigned URL for public objects.
#[wasm_bindgen(js_name = objectUrl)]
pub fn object_url_js(opts: JsValue) -> Result<String> {
    options(&opts, "objectUrl()")?;
    object_url(
        &endpoint(&opts)?,
        &opt_str(&opts, "key")?.unwrap_or_default(),
        sse(&get(&opts, "sse")?)?.as_ref(),
    )
}
