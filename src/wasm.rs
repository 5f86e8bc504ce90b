//! JS boundary (feature `wasm`). Only this module names wasm-bindgen / js-sys types: it
//! reads option objects, supplies the clock, and turns [`Error`] into a JS `Error` whose
//! `name` is `CosError` and whose `code` is the stable [`ErrorCode`] string.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::error::{err, Error, Result};
use crate::{Credentials, Endpoint, KeyTime, Protocol, Request, Signer};

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

fn options(value: &JsValue, what: &str) -> Result<()> {
    if value.is_object() && !Array::is_array(value) {
        Ok(())
    } else {
        Err(err!(InvalidArgument, "{what} expects an options object"))
    }
}

fn req_str(obj: &JsValue, name: &str) -> Result<String> {
    get(obj, name)
        .as_string()
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a string"))
}

fn opt_str(obj: &JsValue, name: &str) -> Result<Option<String>> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
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
    if let Some(s) = v.as_string() {
        return Some(s);
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
    let list: Array = if let Some(map) = value.dyn_ref::<js_sys::Map>() {
        Array::from(&map.entries().into())
    } else if value.is_object() && !Array::is_array(value) {
        Object::entries(value.unchecked_ref())
    } else {
        return Err(err!(
            InvalidArgument,
            "`{name}` must be an object of name/value pairs"
        ));
    };
    let mut out = Vec::with_capacity(list.length() as usize);
    for pair in list.iter() {
        let pair: Array = pair.unchecked_into();
        let k = pair
            .get(0)
            .as_string()
            .ok_or_else(|| err!(InvalidArgument, "`{name}` keys must be strings"))?;
        out.push((k, pair.get(1)));
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
    if !Array::is_array(&v) {
        return Err(err!(
            InvalidArgument,
            "`{name}` must be an array of strings"
        ));
    }
    Array::from(&v)
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

fn fields_object(fields: &[(String, String)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &k.into(), &v.into());
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
    pub fn presign_url(&self, opts: JsValue) -> JsResult<String> {
        js((|| {
            options(&opts, "presignUrl()")?;
            self.inner
                .presign_url(&request(&opts)?, &endpoint(&opts)?, key_time(&opts)?)
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
            } else if policy.is_object() && !Array::is_array(&policy) {
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
            let fields = self.inner.sign_post_policy(&text, key_time(&opts)?)?;
            Ok(fields_object(&fields.fields))
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
