//! JS boundary (feature `wasm`). Only this module names wasm-bindgen / js-sys types: it
//! reads option objects, supplies the clock, and turns [`Error`] into a JS `Error` whose
//! `name` is `CosError` and whose `code` is the stable [`ErrorCode`] string.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use std::cell::RefCell;

use crate::error::{err, Error, Result};
use crate::hash::{crc64_combine, crc64_to_string, verify_crc64, Crc64, Md5Hasher, Sha1Hasher};
use crate::keys::{
    derive_from_passphrase, derive_hkdf, unwrap, wrap, KdfParams, WrapAlgorithm, WrappingKey,
    PBKDF2_DEFAULT_ITERATIONS,
};
use crate::post_form::{PostKey, PostObjectForm};
use crate::sse::{
    copy_source_sse_headers, object_url, sse_headers, Operation, SignRequest, Sse, SseAlgorithm,
};
use crate::{
    BucketEncryption, Credentials, CustomerKey, Endpoint, Header, KeyTime, Protocol, Request,
    Signer,
};

/// Converts a core error into a thrown JS `Error` (`name: "CosError"`, `code`).
fn to_js(e: &Error) -> JsValue {
    let js = js_sys::Error::new(e.message());
    js.set_name("CosError");
    let _ = Reflect::set(&js, &"code".into(), &e.code().as_str().into());
    js.into()
}

type JsResult<T> = core::result::Result<T, JsValue>;

fn js<T>(r: Result<T>) -> JsResult<T> {
    r.map_err(|e| to_js(&e))
}

/// `obj[name]`, or `undefined` when `obj` is not an object.
fn get(obj: &JsValue, name: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// Calls `globalThis[object][method](arg)` through `Function.prototype.call`, which catches:
/// user code it may run (getters, proxy traps, iterators) can throw, and a JS exception
/// must never unwind through Rust frames (it would leave `&self` borrowed for good).
fn call_builtin(object: &'static str, method: &'static str, arg: &JsValue) -> Result<JsValue> {
    let (target, f) = BUILTINS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some((_, _, t, f)) = cache
            .iter()
            .find(|(o, m, _, _)| *o == object && *m == method)
        {
            return (t.clone(), f.clone());
        }
        let target = get(&js_sys::global().into(), object);
        // `target` is a constructor (typeof "function"), which `get` would not look into.
        let f = Reflect::get(&target, &method.into()).unwrap_or(JsValue::UNDEFINED);
        cache.push((object, method, target.clone(), f.clone()));
        (target, f)
    });
    let f = f.dyn_ref::<js_sys::Function>().ok_or_else(|| {
        err!(
            InvalidArgument,
            "{object}.{method} is not available in this runtime"
        )
    })?;
    f.call1(&target, arg)
        .map_err(|_| err!(InvalidArgument, "reading an argument threw an exception"))
}

type BuiltinCache = Vec<(&'static str, &'static str, JsValue, JsValue)>;

thread_local! {
    /// `Object.entries`, `Array.from`, `Array.isArray`: looked up once per instance.
    static BUILTINS: RefCell<BuiltinCache> = const { RefCell::new(Vec::new()) };
}

/// `Array.isArray`, false when it throws (a revoked proxy).
fn is_array(value: &JsValue) -> bool {
    value.is_object()
        && call_builtin("Array", "isArray", value)
            .ok()
            .and_then(|b| b.as_bool())
            .unwrap_or(false)
}

/// `Array.from(value)`: a real array, safe to index without running user code.
fn array_from(value: &JsValue) -> Result<Array> {
    Ok(call_builtin("Array", "from", value)?.unchecked_into())
}

fn options(value: &JsValue, what: &str) -> Result<()> {
    if value.is_object() && !is_array(value) {
        Ok(())
    } else {
        Err(err!(InvalidArgument, "{what} expects an options object"))
    }
}

/// A JS string as Rust text. Lone UTF-16 surrogates are refused: converting them would
/// silently turn them into U+FFFD, signing or storing a different name than the one given.
fn js_text(v: &JsValue, name: &str) -> Result<Option<String>> {
    let Some(s) = v.dyn_ref::<js_sys::JsString>() else {
        return Ok(None);
    };
    let text = s.as_string();
    // A lone surrogate arrives as U+FFFD; only then pay for the per-unit check.
    if text.as_deref().is_some_and(|t| t.contains('\u{FFFD}')) && !s.is_valid_utf16() {
        return Err(err!(
            InvalidArgument,
            "`{name}` contains a lone UTF-16 surrogate"
        ));
    }
    Ok(text)
}

fn req_str(obj: &JsValue, name: &str) -> Result<String> {
    js_text(&get(obj, name), name)?
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a string"))
}

fn opt_str(obj: &JsValue, name: &str) -> Result<Option<String>> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    js_text(&v, name)?
        .map(Some)
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a string when given"))
}

fn opt_bool(obj: &JsValue, name: &str) -> Result<bool> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(false);
    }
    v.as_bool()
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a boolean when given"))
}

/// A string, or a finite number rendered as JS `String(n)` does.
fn scalar(v: &JsValue) -> Option<String> {
    if v.is_string() {
        return js_text(v, "").ok().flatten();
    }
    let n = v.as_f64()?;
    if !n.is_finite() {
        return None;
    }
    v.dyn_ref::<js_sys::Number>()
        .and_then(|num| num.to_string_with_radix(10).ok())
        .map(String::from)
}

/// The entries of a plain object or a `Map`, in insertion order.
fn entries(value: &JsValue, name: &str) -> Result<Vec<(String, JsValue)>> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let list: Array = if value.is_instance_of::<js_sys::Map>() {
        array_from(value)?
    } else if value.is_object() && !is_array(value) {
        call_builtin("Object", "entries", value)?.unchecked_into()
    } else {
        return Err(err!(
            InvalidArgument,
            "`{name}` must be an object of name/value pairs"
        ));
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for pair in list.iter() {
        // Reflect.get catches, should a custom Map iterator yield something exotic.
        let at = |i: u32| {
            Reflect::get(&pair, &JsValue::from(i))
                .map_err(|_| err!(InvalidArgument, "`{name}` could not be read"))
        };
        let k = js_text(&at(0)?, name)?
            .ok_or_else(|| err!(InvalidArgument, "`{name}` keys must be strings"))?;
        out.push((k, at(1)?));
    }
    Ok(out)
}

/// Headers: string or number values; `null`/`undefined` entries are skipped (not sent,
/// not signed); anything else is `ERR_INVALID_HEADER_VALUE`.
fn headers(obj: &JsValue) -> Result<Vec<crate::Header>> {
    let mut out = Vec::new();
    for (k, v) in entries(&get(obj, "headers"), "headers")? {
        if v.is_undefined() || v.is_null() {
            continue;
        }
        let value = scalar(&v).ok_or_else(|| {
            err!(
                InvalidHeaderValue,
                "header {k:?} must be a string or a finite number"
            )
        })?;
        out.push(crate::Header::new(k, value));
    }
    Ok(out)
}

/// Query: string or number values; `null`/`undefined`/`""` mean a parameter without a
/// value (`?uploads`), signed as `uploads=` like the official SDKs.
fn query(obj: &JsValue) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for (k, v) in entries(&get(obj, "query"), "query")? {
        if v.is_undefined() || v.is_null() {
            out.push((k, None));
            continue;
        }
        let value = scalar(&v).ok_or_else(|| {
            err!(
                InvalidQueryValue,
                "query parameter {k:?} must be a string, a finite number or null"
            )
        })?;
        out.push((k, Some(value)));
    }
    Ok(out)
}

fn string_list(obj: &JsValue, name: &str) -> Result<Vec<String>> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !is_array(&v) {
        return Err(err!(
            InvalidArgument,
            "`{name}` must be an array of strings"
        ));
    }
    array_from(&v)?
        .iter()
        .map(|s| {
            s.as_string()
                .ok_or_else(|| err!(InvalidArgument, "`{name}` must be an array of strings"))
        })
        .collect()
}

fn now_seconds() -> u64 {
    // Date.now() is milliseconds since the epoch; always finite and positive in practice.
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).floor() as u64
    } else {
        0
    }
}

fn seconds(v: &JsValue, name: &str) -> Result<u64> {
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 253_402_300_799.0 => {
            Ok(n as u64)
        }
        _ => Err(err!(
            InvalidKeyTime,
            "`{name}` must be a whole number of Unix seconds"
        )),
    }
}

/// `keyTime` (`"start;end"` or `{ start, end }`) or `expires` (seconds from now).
fn key_time(obj: &JsValue) -> Result<KeyTime> {
    let kt = get(obj, "keyTime");
    let expires = get(obj, "expires");
    if !kt.is_undefined() && !kt.is_null() {
        if !expires.is_undefined() {
            return Err(err!(
                InvalidKeyTime,
                "pass either `keyTime` or `expires`, not both"
            ));
        }
        if let Some(s) = kt.as_string() {
            return KeyTime::parse(&s);
        }
        if kt.is_object() {
            return KeyTime::new(
                seconds(&get(&kt, "start"), "keyTime.start")?,
                seconds(&get(&kt, "end"), "keyTime.end")?,
            );
        }
        return Err(err!(
            InvalidKeyTime,
            "`keyTime` must be \"start;end\" or {{ start, end }} in Unix seconds"
        ));
    }
    if expires.is_undefined() || expires.is_null() {
        return Err(err!(
            InvalidKeyTime,
            "pass `keyTime` (\"start;end\" or {{ start, end }}) or `expires` (seconds from now)"
        ));
    }
    KeyTime::from_expires(now_seconds(), seconds(&expires, "expires")?)
}

fn request(obj: &JsValue) -> Result<Request> {
    Ok(Request {
        method: req_str(obj, "method")?,
        key: opt_str(obj, "key")?.unwrap_or_default(),
        query: query(obj)?,
        headers: headers(obj)?,
        sign_headers: string_list(obj, "signHeaders")?,
    })
}

fn endpoint(obj: &JsValue) -> Result<Endpoint> {
    let mut ep = Endpoint::new(&req_str(obj, "bucket")?, &req_str(obj, "region")?)?;
    if let Some(p) = opt_str(obj, "protocol")? {
        ep = ep.with_protocol(Protocol::parse(&p)?);
    }
    if let Some(d) = opt_str(obj, "domain")? {
        ep = ep.with_domain(&d)?;
    }
    let port = get(obj, "port");
    if !port.is_undefined() && !port.is_null() {
        let p = port
            .as_f64()
            .filter(|p| p.fract() == 0.0 && *p >= 1.0 && *p <= 65535.0)
            .ok_or_else(|| err!(InvalidEndpoint, "`port` must be an integer 1-65535"))?;
        ep = ep.with_port(p as u32)?;
    }
    Ok(ep.with_path_style(opt_bool(obj, "pathStyle")?))
}

fn headers_object(headers: &[Header]) -> JsValue {
    let o = Object::new();
    for h in headers {
        let _ = Reflect::set(&o, &h.name.as_str().into(), &h.value.as_str().into());
    }
    o.into()
}

/// A JS string of `text`, whose Rust copy (it may hold the security token) is then wiped.
fn wiped_string(text: String) -> JsValue {
    let text = zeroize::Zeroizing::new(text);
    JsValue::from_str(&text)
}

/// A JS object of the fields; their Rust values (SSE-C key, token) are wiped after copying.
fn fields_object(fields: &mut [(String, String)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &k.as_str().into(), &v.as_str().into());
        zeroize::Zeroize::zeroize(v);
    }
    o.into()
}

/// Signs COS requests with one set of credentials (see the README and `index.d.ts`).
#[wasm_bindgen(js_name = CosSigner)]
pub struct JsSigner {
    inner: Signer,
}

#[wasm_bindgen(js_class = CosSigner)]
impl JsSigner {
    /// `new CosSigner({ secretId, secretKey, securityToken? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> JsResult<JsSigner> {
        js((|| {
            options(&opts, "new CosSigner()")?;
            let mut creds =
                Credentials::new(req_str(&opts, "secretId")?, req_str(&opts, "secretKey")?)?;
            if let Some(t) = opt_str(&opts, "securityToken")? {
                creds = creds.with_security_token(t)?;
            }
            Ok(JsSigner {
                inner: Signer::new(creds),
            })
        })())
    }

    /// The `Authorization` header value.
    pub fn authorization(&self, opts: JsValue) -> JsResult<String> {
        js((|| {
            options(&opts, "authorization()")?;
            self.inner.authorization(&request(&opts)?, key_time(&opts)?)
        })())
    }

    /// A pre-signed URL.
    #[wasm_bindgen(js_name = presignUrl)]
    pub fn presign_url(&self, opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "presignUrl()")?;
            let url =
                self.inner
                    .presign_url(&request(&opts)?, &endpoint(&opts)?, key_time(&opts)?)?;
            Ok(wiped_string(url))
        })())
    }

    /// A request ready for `fetch`: `{ url, headers }` with Authorization, token and SSE headers.
    #[wasm_bindgen(js_name = signRequest)]
    pub fn sign_request(&self, opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "signRequest()")?;
            let signed = self.inner.sign_request(
                &sign_request(&opts)?,
                &endpoint(&opts)?,
                key_time(&opts)?,
            )?;
            Ok(url_headers(&signed.url, &signed.headers))
        })())
    }

    /// A pre-signed URL plus the signed headers (SSE-C / SSE-KMS) the caller must send.
    #[wasm_bindgen(js_name = presignRequest)]
    pub fn presign_request(&self, opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "presignRequest()")?;
            let signed = self.inner.presign_request(
                &sign_request(&opts)?,
                &endpoint(&opts)?,
                key_time(&opts)?,
            )?;
            Ok(url_headers(&signed.url, &signed.headers))
        })())
    }

    /// A complete POST Object form: `{ url, fields }` (append `file` last).
    #[wasm_bindgen(js_name = postObjectForm)]
    pub fn post_object_form(&self, opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "postObjectForm()")?;
            let form = post_form(&opts)?;
            let mut signed =
                self.inner
                    .post_object_form(&form, &endpoint(&opts)?, key_time(&opts)?)?;
            let o = Object::new();
            let _ = Reflect::set(&o, &"url".into(), &signed.url.as_str().into());
            let _ = Reflect::set(&o, &"fields".into(), &fields_object(&mut signed.fields));
            Ok(o.into())
        })())
    }

    /// POST Object policy form fields.
    #[wasm_bindgen(js_name = signPostPolicy)]
    pub fn sign_post_policy(&self, opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "signPostPolicy()")?;
            let policy = get(&opts, "policy");
            let text = if let Some(s) = policy.as_string() {
                s
            } else if policy.is_object() && !is_array(&policy) {
                js_sys::JSON::stringify(&policy)
                    .ok()
                    .and_then(|s| s.as_string())
                    .ok_or_else(|| {
                        err!(
                            InvalidPolicy,
                            "`policy` could not be serialised with JSON.stringify"
                        )
                    })?
            } else {
                return Err(err!(
                    InvalidPolicy,
                    "`policy` must be an object or its exact JSON text"
                ));
            };
            let mut fields = self.inner.sign_post_policy(&text, key_time(&opts)?)?;
            Ok(fields_object(&mut fields.fields))
        })())
    }
}

/// `true` for errors thrown by this package.
#[wasm_bindgen(js_name = isCosError)]
#[must_use]
pub fn is_cos_error(value: &JsValue) -> bool {
    value.is_instance_of::<js_sys::Error>()
        && get(value, "name").as_string().as_deref() == Some("CosError")
        && get(value, "code").as_string().is_some()
}

fn url_headers(url: &str, headers: &[Header]) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"url".into(), &url.into());
    let _ = Reflect::set(&o, &"headers".into(), &headers_object(headers));
    o.into()
}

fn opt_u64(obj: &JsValue, name: &str) -> Result<Option<u64>> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 =>
        {
            Ok(Some(n as u64))
        }
        _ => Err(err!(
            InvalidArgument,
            "`{name}` must be a non-negative integer"
        )),
    }
}

fn algorithm(obj: &JsValue) -> Result<SseAlgorithm> {
    Ok(match opt_str(obj, "algorithm")? {
        Some(a) => SseAlgorithm::parse(&a)?,
        None => SseAlgorithm::default(),
    })
}

/// A customer key given as a `CustomerKey`, raw bytes (`Uint8Array`) or base64 text.
fn customer_key(value: &JsValue, alg: SseAlgorithm, what: &str) -> Result<CustomerKey> {
    if let Some(text) = value.as_string() {
        return CustomerKey::from_base64(alg, &zeroize::Zeroizing::new(text));
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        let raw = zeroize::Zeroizing::new(bytes.to_vec());
        return CustomerKey::from_bytes(alg, &raw);
    }
    if let Some(key) = lookup(&CUSTOMER_KEYS, value, "__cosKeyHandle", "this CustomerKey")? {
        return Ok(key);
    }
    Err(err!(
        InvalidSse,
        "{what} must be a CustomerKey, a Uint8Array of key bytes, or base64 text"
    ))
}

/// `{ type: 'SSE-COS' | 'SSE-KMS' | 'SSE-C', ... }`.
fn sse(value: &JsValue) -> Result<Option<Sse>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_object() {
        return Err(err!(
            InvalidSse,
            "`sse` must be an object such as {{ type: 'SSE-COS' }}"
        ));
    }
    let ty = opt_str(value, "type")?.unwrap_or_default();
    let alg = algorithm(value)?;
    Ok(Some(match ty.as_str() {
        "SSE-COS" => Sse::Cos { algorithm: alg },
        "SSE-KMS" => {
            let ctx = get(value, "context");
            let context_json = if ctx.is_undefined() || ctx.is_null() {
                None
            } else if ctx.is_object() && !is_array(&ctx) {
                js_sys::JSON::stringify(&ctx)
                    .ok()
                    .and_then(|s| s.as_string())
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
            let key_value = get(value, "key");
            // A CustomerKey carries its own algorithm unless one is given explicitly.
            let alg = match (
                opt_str(value, "algorithm")?,
                get(&key_value, "algorithm").as_string(),
            ) {
                (None, Some(k)) => SseAlgorithm::parse(&k)?,
                _ => alg,
            };
            let key = customer_key(&key_value, alg, "SSE-C `key`")?;
            if key.algorithm() != alg {
                return Err(err!(
                    InvalidSse,
                    "SSE-C `algorithm` {} does not match the key's {}",
                    alg.as_str(),
                    key.algorithm().as_str()
                ));
            }
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

fn operation(obj: &JsValue) -> Result<Option<Operation>> {
    opt_str(obj, "operation")?
        .map(|o| Operation::parse(&o))
        .transpose()
}

fn sign_request(obj: &JsValue) -> Result<SignRequest> {
    let req = request(obj)?;
    let copy = get(obj, "copySourceSse");
    let copy_source_sse = if copy.is_undefined() || copy.is_null() {
        None
    } else {
        Some(customer_key(
            &get(&copy, "key"),
            algorithm(&copy)?,
            "`copySourceSse.key`",
        )?)
    };
    Ok(SignRequest {
        method: req.method,
        key: req.key,
        query: req.query,
        headers: req.headers,
        sign_headers: req.sign_headers,
        sse: sse(&get(obj, "sse"))?,
        copy_source_sse,
        operation: operation(obj)?,
        allow_insecure_local: opt_bool(obj, "allowInsecureLocal")?,
    })
}

fn post_form(obj: &JsValue) -> Result<PostObjectForm> {
    let key = match (opt_str(obj, "key")?, opt_str(obj, "keyPrefix")?) {
        (Some(k), None) => PostKey::Exact(k),
        (None, Some(p)) => PostKey::Prefix(p),
        _ => {
            return Err(err!(
                InvalidArgument,
                "pass exactly one of `key` or `keyPrefix`"
            ))
        }
    };
    let range = get(obj, "contentLengthRange");
    let content_length_range = if range.is_undefined() || range.is_null() {
        None
    } else {
        let arr = if is_array(&range) {
            Some(array_from(&range)?)
        } else {
            None
        };
        match arr
            .as_ref()
            .map(|a| (a.length(), a.get(0).as_f64(), a.get(1).as_f64()))
        {
            Some((2, Some(min), Some(max)))
                if min >= 0.0
                    && max >= 0.0
                    && min.fract() == 0.0
                    && max.fract() == 0.0
                    && max <= 9_007_199_254_740_991.0 =>
            {
                Some((min as u64, max as u64))
            }
            _ => {
                return Err(err!(
                    InvalidPolicy,
                    "`contentLengthRange` must be [min, max] in bytes"
                ))
            }
        }
    };
    let status = opt_u64(obj, "successActionStatus")?
        .map(|s| {
            u16::try_from(s).map_err(|_| {
                err!(
                    InvalidPolicy,
                    "`successActionStatus` must be 200, 201 or 204"
                )
            })
        })
        .transpose()?;
    let mut meta = Vec::new();
    for (k, v) in entries(&get(obj, "meta"), "meta")? {
        let v =
            scalar(&v).ok_or_else(|| err!(InvalidHeaderValue, "meta {k:?} must be a string"))?;
        meta.push((k, v));
    }
    let conds = get(obj, "conditions");
    let mut conditions = Vec::new();
    if !conds.is_undefined() && !conds.is_null() {
        if !is_array(&conds) {
            return Err(err!(
                InvalidPolicy,
                "`conditions` must be an array of policy conditions"
            ));
        }
        for c in array_from(&conds)?.iter() {
            conditions.push(
                js_sys::JSON::stringify(&c)
                    .ok()
                    .and_then(|s| s.as_string())
                    .ok_or_else(|| err!(InvalidPolicy, "a condition could not be serialised"))?,
            );
        }
    }
    Ok(PostObjectForm {
        key,
        sse: sse(&get(obj, "sse"))?,
        content_length_range,
        content_type: opt_str(obj, "contentType")?,
        success_action_status: status,
        success_action_redirect: opt_str(obj, "successActionRedirect")?,
        meta,
        storage_class: opt_str(obj, "storageClass")?,
        acl: opt_str(obj, "acl")?,
        conditions,
        allow_insecure_local: opt_bool(obj, "allowInsecureLocal")?,
    })
}

/// `sseHeaders(sse, operation)`: the SSE headers (or POST form fields) for one operation.
#[wasm_bindgen(js_name = sseHeaders)]
pub fn sse_headers_js(sse_value: JsValue, op: JsValue) -> JsResult<JsValue> {
    js((|| {
        let op = Operation::parse(&op.as_string().ok_or_else(|| {
            err!(
                UnknownOperation,
                "`operation` must be a string such as 'PutObject'"
            )
        })?)?;
        let sse = sse(&sse_value)?.ok_or_else(|| err!(InvalidSse, "`sse` is required"))?;
        Ok(headers_object(&sse_headers(&sse, op)?))
    })())
}

/// `copySourceSseHeaders(key)`: the `x-cos-copy-source-server-side-encryption-customer-*` triple.
#[wasm_bindgen(js_name = copySourceSseHeaders)]
pub fn copy_source_sse_headers_js(key: JsValue, alg: JsValue) -> JsResult<JsValue> {
    js((|| {
        let alg = match (alg.as_string(), get(&key, "algorithm").as_string()) {
            (Some(a), _) | (None, Some(a)) => SseAlgorithm::parse(&a)?,
            (None, None) => SseAlgorithm::default(),
        };
        Ok(headers_object(&copy_source_sse_headers(&customer_key(
            &key,
            alg,
            "copy-source key",
        )?)))
    })())
}

/// `objectUrl({ bucket, region, key, sse?, ... })`: an unsigned URL for public objects.
#[wasm_bindgen(js_name = objectUrl)]
pub fn object_url_js(opts: JsValue) -> JsResult<String> {
    js((|| {
        options(&opts, "objectUrl()")?;
        object_url(
            &endpoint(&opts)?,
            &opt_str(&opts, "key")?.unwrap_or_default(),
            sse(&get(&opts, "sse"))?.as_ref(),
        )
    })())
}

/// `bucketEncryptionXml({ algorithm: 'AES256' | 'SM4' | 'KMS', kmsKeyId? })`.
#[wasm_bindgen(js_name = bucketEncryptionXml)]
pub fn bucket_encryption_xml(opts: JsValue) -> JsResult<String> {
    js((|| {
        options(&opts, "bucketEncryptionXml()")?;
        let cfg = match req_str(&opts, "algorithm")?.as_str() {
            "AES256" => BucketEncryption::Aes256,
            "SM4" => BucketEncryption::Sm4,
            "KMS" => BucketEncryption::kms(opt_str(&opts, "kmsKeyId")?.as_deref())?,
            other => {
                return Err(err!(
                    InvalidSse,
                    "bucket encryption algorithm must be 'AES256', 'SM4' or 'KMS', got {other:?}"
                ))
            }
        };
        Ok(cfg.to_xml())
    })())
}

/// `parseBucketEncryptionXml(xml)` → `{ algorithm, kmsKeyId? }`.
#[wasm_bindgen(js_name = parseBucketEncryptionXml)]
pub fn parse_bucket_encryption_xml(xml: JsValue) -> JsResult<JsValue> {
    js((|| {
        let text = xml
            .as_string()
            .ok_or_else(|| err!(InvalidXml, "expected the XML text"))?;
        let cfg = BucketEncryption::parse_xml(&text)?;
        let o = Object::new();
        let _ = Reflect::set(&o, &"algorithm".into(), &cfg.algorithm_str().into());
        if let BucketEncryption::Kms { key_id: Some(id) } = &cfg {
            let _ = Reflect::set(&o, &"kmsKeyId".into(), &id.as_str().into());
        }
        Ok(o.into())
    })())
}

/// Live secret keys by handle. A JS `CustomerKey` / `WrappingKey` holds only its handle,
/// so a key can be found when it is passed inside an options object (wasm-bindgen can only
/// borrow a class instance that is a direct argument); `free()` drops, and so zeroizes, it.
struct Registry<T> {
    next: u32,
    /// `(handle, item)`; a handful of live keys, so a linear scan (smaller than a map).
    items: Vec<(u32, T)>,
}

impl<T: Clone> Registry<T> {
    const fn new() -> Self {
        Self {
            next: 1,
            items: Vec::new(),
        }
    }

    fn get(&self, handle: u32) -> Option<&T> {
        self.items
            .iter()
            .find(|(h, _)| *h == handle)
            .map(|(_, item)| item)
    }

    /// Drops (and so zeroizes) the item.
    fn remove(&mut self, handle: u32) {
        self.items.retain(|(h, _)| *h != handle);
    }

    fn insert(&mut self, item: T) -> u32 {
        let handle = self.next;
        self.next = self.next.wrapping_add(1).max(1);
        self.items.push((handle, item));
        handle
    }
}

thread_local! {
    /// A random tag of this module instance, put into every handle: a key object made by
    /// another copy of the package (Node loads one for `import` and one for `require`) is
    /// refused instead of silently resolving to an unrelated key with the same number.
    static INSTANCE_TAG: f64 = (js_sys::Math::random() * f64::from(1u32 << 20)).floor() + 1.0;
    static CUSTOMER_KEYS: RefCell<Registry<CustomerKey>> = const { RefCell::new(Registry::new()) };
    static WRAPPING_KEYS: RefCell<Registry<WrappingKey>> = const { RefCell::new(Registry::new()) };
}

const HANDLE_SPLIT: f64 = 4_294_967_296.0;

/// The JS-visible handle: this instance's tag in the high bits, the registry counter below.
fn public_handle(counter: u32) -> f64 {
    INSTANCE_TAG.with(|tag| tag * HANDLE_SPLIT + f64::from(counter))
}

/// The registry counter of a JS-visible handle, if it was made by this instance.
fn handle_counter(id: f64) -> Option<u32> {
    if !(id.is_finite() && id >= 0.0 && id.fract() == 0.0) {
        return None;
    }
    let tag = (id / HANDLE_SPLIT).floor();
    let counter = id - tag * HANDLE_SPLIT;
    (INSTANCE_TAG.with(|t| *t) == tag).then_some(counter as u32)
}

/// Looks up a key object passed as a plain JS value through its handle getter. A freed
/// object's getter throws (its pointer is gone): `ERR_USE_AFTER_FREE`.
fn lookup<T: Clone>(
    registry: &'static std::thread::LocalKey<RefCell<Registry<T>>>,
    value: &JsValue,
    getter: &str,
    what: &str,
) -> Result<Option<T>> {
    if !value.is_object() {
        return Ok(None);
    }
    let handle =
        Reflect::get(value, &getter.into()).map_err(|_| err!(UseAfterFree, "{what} was freed"))?;
    let Some(id) = handle.as_f64() else {
        return Ok(None);
    };
    let Some(counter) = handle_counter(id) else {
        return Err(err!(
            InvalidArgument,
            "{what} belongs to another copy of cos-wasm (in Node, `import` and `require` load the package twice); create and use keys through one of them"
        ));
    };
    registry
        .with(|r| r.borrow().get(counter).cloned())
        .map(Some)
        .ok_or_else(|| err!(UseAfterFree, "{what} was freed"))
}

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

fn parse_alg(alg: &JsValue) -> Result<SseAlgorithm> {
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
    pub fn from_bytes(algorithm: JsValue, bytes: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            let alg = parse_alg(&algorithm)?;
            let bytes = bytes
                .dyn_ref::<js_sys::Uint8Array>()
                .map(|b| zeroize::Zeroizing::new(b.to_vec()))
                .ok_or_else(|| err!(InvalidArgument, "key bytes must be a Uint8Array"))?;
            Ok(Self::register(CustomerKey::from_bytes(alg, &bytes)?))
        })())
    }

    /// Imports a base64 key.
    #[wasm_bindgen(js_name = fromBase64)]
    pub fn from_base64(algorithm: JsValue, text: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            let alg = parse_alg(&algorithm)?;
            let text = zeroize::Zeroizing::new(
                text.as_string()
                    .ok_or_else(|| err!(InvalidKeyEncoding, "base64 key must be a string"))?,
            );
            Ok(Self::register(CustomerKey::from_base64(alg, &text)?))
        })())
    }

    /// `AES256` or `SM4`.
    #[wasm_bindgen(getter)]
    pub fn algorithm(&self) -> String {
        self.algorithm.as_str().to_owned()
    }

    /// Base64 of the MD5 of the key: the `…-customer-key-MD5` header value.
    #[wasm_bindgen(getter, js_name = md5Base64)]
    pub fn md5_base64(&self) -> JsResult<String> {
        js(self.with(CustomerKey::md5_base64))
    }

    /// Base64 of the key: the `…-customer-key` header value (secret).
    #[wasm_bindgen(getter, js_name = keyBase64)]
    pub fn key_base64(&self) -> JsResult<JsValue> {
        js(self.with(|k| JsValue::from_str(&k.key_base64())))
    }

    /// A new random key from the platform CSPRNG (`crypto.getRandomValues`).
    pub fn generate(algorithm: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            let alg = parse_alg(&algorithm)?;
            let random = random_bytes(crate::keys::customer_key_len(alg))?;
            Ok(Self::register(CustomerKey::generate(alg, &random)?))
        })())
    }

    /// Imports a hex key.
    #[wasm_bindgen(js_name = fromHex)]
    pub fn from_hex(algorithm: JsValue, text: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            let alg = parse_alg(&algorithm)?;
            let text = zeroize::Zeroizing::new(
                text.as_string()
                    .ok_or_else(|| err!(InvalidKeyEncoding, "hex key must be a string"))?,
            );
            Ok(Self::register(CustomerKey::from_hex(alg, &text)?))
        })())
    }

    /// HKDF-SHA256 from a master secret, bound to bucket, object key and algorithm.
    #[wasm_bindgen(js_name = deriveHkdf)]
    pub fn derive_hkdf(opts: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            options(&opts, "CustomerKey.deriveHkdf()")?;
            let master = bytes_arg(&get(&opts, "master"), "master")?;
            let salt = opt_bytes(&get(&opts, "salt"), "salt")?.unwrap_or_default();
            let alg = algorithm(&opts)?;
            Ok(Self::register(derive_hkdf(
                &master,
                &salt,
                &req_str(&opts, "bucket")?,
                &req_str(&opts, "key")?,
                alg,
            )?))
        })())
    }

    /// PBKDF2-HMAC-SHA256 from a passphrase: `{ key, params }`; store `params` to re-derive.
    #[wasm_bindgen(js_name = fromPassphrase)]
    pub fn from_passphrase(opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "CustomerKey.fromPassphrase()")?;
            let (passphrase, params) = passphrase_params(&opts)?;
            let derived = derive_from_passphrase(&passphrase, params, algorithm(&opts)?)?;
            let o = Object::new();
            let _ = Reflect::set(&o, &"params".into(), &derived.params.to_string().into());
            let _ = Reflect::set(
                &o,
                &"key".into(),
                &JsValue::from(Self::register(derived.key)),
            );
            Ok(o.into())
        })())
    }

    /// A short keyed hash, safe to log (not the MD5).
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> JsResult<String> {
        js(self.with(CustomerKey::fingerprint))
    }

    /// Wraps (encrypts) this key for storage: a versioned envelope string.
    pub fn wrap(&self, wrapping: JsValue, opts: JsValue) -> JsResult<String> {
        js((|| {
            let aad = aad(&opts)?;
            let nonce_vec = random_bytes(crate::keys::ENVELOPE_NONCE_LEN)?;
            let nonce: [u8; crate::keys::ENVELOPE_NONCE_LEN] = nonce_vec
                .as_slice()
                .try_into()
                .map_err(|_| err!(RandomUnavailable, "nonce generation failed"))?;
            let wrapping = wrapping_key(&wrapping)?;
            self.with(|k| wrap(k, &wrapping, &aad, &nonce))?
        })())
    }

    /// Unwraps an envelope made by `wrap` with the same wrapping key and `aad`.
    pub fn unwrap(envelope: JsValue, wrapping: JsValue, opts: JsValue) -> JsResult<JsCustomerKey> {
        js((|| {
            let text = envelope
                .as_string()
                .ok_or_else(|| err!(InvalidEnvelope, "the envelope must be a string"))?;
            Ok(Self::register(unwrap(
                &text,
                &wrapping_key(&wrapping)?,
                &aad(&opts)?,
            )?))
        })())
    }

    /// Internal: lets option objects refer to this key. Not part of the typed API.
    #[wasm_bindgen(getter, js_name = __cosKeyHandle)]
    pub fn handle(&self) -> f64 {
        public_handle(self.handle)
    }
}

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
    pub fn update(&mut self, data: JsValue) -> JsResult<()> {
        js(with_bytes(&data, |b| self.0.update(b)))
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

fn crc_arg(v: &JsValue, name: &str) -> Result<u64> {
    if let Some(s) = v.as_string() {
        return s.trim().parse().map_err(|_| {
            err!(
                InvalidArgument,
                "`{name}` must be an unsigned decimal CRC-64"
            )
        });
    }
    if v.is_bigint() {
        return u64::try_from(v.clone())
            .map_err(|_| err!(InvalidArgument, "`{name}` must fit in 64 bits"));
    }
    match v.as_f64() {
        Some(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 =>
        {
            Ok(n as u64)
        }
        _ => Err(err!(
            InvalidArgument,
            "`{name}` must be a decimal string, a BigInt or a safe integer"
        )),
    }
}

/// `crc64Combine(crc1, crc2, len2)`: the CRC of part1‖part2 from the parts' CRCs.
#[wasm_bindgen(js_name = crc64Combine)]
pub fn crc64_combine_js(crc1: JsValue, crc2: JsValue, len2: JsValue) -> JsResult<String> {
    js((|| {
        Ok(crc64_to_string(crc64_combine(
            crc_arg(&crc1, "crc1")?,
            crc_arg(&crc2, "crc2")?,
            crc_arg(&len2, "len2")?,
        )))
    })())
}

/// `verifyCrc64(local, header)`: throws `ERR_CRC64_MISMATCH` if COS's value differs.
#[wasm_bindgen(js_name = verifyCrc64)]
pub fn verify_crc64_js(local: JsValue, header: JsValue) -> JsResult<()> {
    js((|| {
        let header = header
            .as_string()
            .ok_or_else(|| err!(InvalidArgument, "the x-cos-hash-crc64ecma header is missing; expose it in the bucket's CORS ExposeHeaders"))?;
        verify_crc64(crc_arg(&local, "local")?, &header)
    })())
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
            pub fn update(&mut self, data: JsValue) -> JsResult<()> {
                js(with_bytes(&data, |b| self.0.update(b)).and_then(|r| r))
            }

            /// The raw digest; finishes the hasher.
            pub fn digest(&mut self) -> JsResult<Vec<u8>> {
                js(self.0.digest().map(|d| d.to_vec()))
            }

            /// The lowercase hex digest; finishes the hasher.
            #[wasm_bindgen(js_name = digestHex)]
            pub fn digest_hex(&mut self) -> JsResult<String> {
                js(self.0.digest_hex())
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
    pub fn digest_base64(&mut self) -> JsResult<String> {
        js(self.0.digest_base64())
    }
}

/// Fills a buffer from `crypto.getRandomValues` (browsers, workers, Node ≥ 19) and wipes
/// the JS-side copy.
fn random_bytes(len: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let unavailable = || {
        err!(
            RandomUnavailable,
            "crypto.getRandomValues is not available in this runtime"
        )
    };
    let crypto = get(&js_sys::global().into(), "crypto");
    let fill = get(&crypto, "getRandomValues");
    let fill = fill.dyn_ref::<js_sys::Function>().ok_or_else(unavailable)?;
    let buf = js_sys::Uint8Array::new_with_length(u32::try_from(len).map_err(|_| unavailable())?);
    fill.call1(&crypto, &buf).map_err(|_| unavailable())?;
    let out = zeroize::Zeroizing::new(buf.to_vec());
    buf.fill(0, 0, buf.length());
    Ok(out)
}

fn bytes_arg(v: &JsValue, name: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    opt_bytes(v, name)?.ok_or_else(|| err!(InvalidArgument, "`{name}` must be a Uint8Array"))
}

fn opt_bytes(v: &JsValue, name: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_ref::<js_sys::Uint8Array>()
        .map(|b| Some(zeroize::Zeroizing::new(b.to_vec())))
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a Uint8Array"))
}

/// `{ aad?: string | Uint8Array }`: the caller's context bound into an envelope.
fn aad(opts: &JsValue) -> Result<Vec<u8>> {
    let v = get(opts, "aad");
    if let Some(s) = v.as_string() {
        return Ok(s.into_bytes());
    }
    Ok(opt_bytes(&v, "aad")?
        .map(|b| b.to_vec())
        .unwrap_or_default())
}

/// `{ passphrase, params? }` or `{ passphrase, salt?, iterations? }` (a random 16-byte
/// salt and 600,000 iterations by default). Passphrases are NFC-normalised.
fn passphrase_params(opts: &JsValue) -> Result<(zeroize::Zeroizing<String>, KdfParams)> {
    let raw = get(opts, "passphrase");
    let pass = raw
        .dyn_ref::<js_sys::JsString>()
        .map(|s| s.normalize("NFC"))
        .and_then(|s| s.as_string())
        .map(zeroize::Zeroizing::new)
        .ok_or_else(|| err!(InvalidKdfParams, "`passphrase` must be a string"))?;
    let params = if let Some(p) = opt_str(opts, "params")? {
        KdfParams::parse(&p)?
    } else {
        let salt = match opt_bytes(&get(opts, "salt"), "salt")? {
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

fn wrap_alg(v: &JsValue) -> Result<WrapAlgorithm> {
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

fn wrapping_key(value: &JsValue) -> Result<WrappingKey> {
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
    pub fn generate(algorithm: JsValue) -> JsResult<JsWrappingKey> {
        js((|| {
            let alg = wrap_alg(&algorithm)?;
            Ok(JsWrappingKey::register(WrappingKey::generate(
                alg,
                &random_bytes(alg.key_len())?,
            )?))
        })())
    }

    /// Imports raw wrapping-key bytes (32 for AES-256-GCM, 16 for SM4-GCM).
    #[wasm_bindgen(js_name = fromBytes)]
    pub fn from_bytes(algorithm: JsValue, bytes: JsValue) -> JsResult<JsWrappingKey> {
        js((|| {
            Ok(JsWrappingKey::register(WrappingKey::from_bytes(
                wrap_alg(&algorithm)?,
                &bytes_arg(&bytes, "bytes")?,
            )?))
        })())
    }

    /// Derives a wrapping key from a passphrase: `{ key, params }`.
    #[wasm_bindgen(js_name = fromPassphrase)]
    pub fn from_passphrase(opts: JsValue) -> JsResult<JsValue> {
        js((|| {
            options(&opts, "WrappingKey.fromPassphrase()")?;
            let (passphrase, params) = passphrase_params(&opts)?;
            let derived = WrappingKey::derive_from_passphrase(
                &passphrase,
                params,
                wrap_alg(&get(&opts, "algorithm"))?,
            )?;
            let o = Object::new();
            let _ = Reflect::set(&o, &"params".into(), &derived.params.to_string().into());
            let _ = Reflect::set(
                &o,
                &"key".into(),
                &JsValue::from(JsWrappingKey::register(derived.key)),
            );
            Ok(o.into())
        })())
    }

    /// A short keyed hash, safe to log.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> JsResult<String> {
        js(WRAPPING_KEYS
            .with(|r| r.borrow().get(self.handle).map(WrappingKey::fingerprint))
            .ok_or_else(|| err!(UseAfterFree, "this WrappingKey was freed")))
    }

    /// Internal: lets arguments refer to this key. Not part of the typed API.
    #[wasm_bindgen(getter, js_name = __cosWrappingKeyHandle)]
    pub fn handle(&self) -> f64 {
        public_handle(self.handle)
    }
}

/// Runs `f` over the bytes of a typed array, `DataView` or `ArrayBuffer` (copied into wasm
/// memory once). The view is built with a catching `Reflect.construct`: a detached buffer or
/// forged offsets are a `CosError`, never an exception unwinding through Rust.
fn with_bytes<T>(data: &JsValue, f: impl FnOnce(&[u8]) -> T) -> Result<T> {
    let bad = || {
        err!(
            InvalidArgument,
            "expected a Uint8Array, a typed array or an ArrayBuffer"
        )
    };
    let view: js_sys::Uint8Array = if let Some(u8s) = data.dyn_ref::<js_sys::Uint8Array>() {
        u8s.clone()
    } else {
        let args = if data.is_instance_of::<js_sys::ArrayBuffer>() {
            Array::of1(data)
        } else if js_sys::ArrayBuffer::is_view(data) {
            Array::of3(
                &get(data, "buffer"),
                &get(data, "byteOffset"),
                &get(data, "byteLength"),
            )
        } else {
            return Err(bad());
        };
        let ctor = get(&js_sys::global().into(), "Uint8Array");
        let ctor = ctor.dyn_ref::<js_sys::Function>().ok_or_else(bad)?;
        Reflect::construct(ctor, &args)
            .map_err(|_| bad())?
            .unchecked_into()
    };
    Ok(f(&view.to_vec()))
}
