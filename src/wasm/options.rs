//! Reading JS arguments and option objects into core types. Every read goes through
//! catching calls, so no JS exception unwinds through Rust frames.

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use std::cell::RefCell;

use crate::algorithm::SseAlgorithm;
use crate::endpoint::{Endpoint, Protocol};
use crate::error::{err, Result};
use crate::sign::{KeyTime, Request};

/// `obj[name]`, or `undefined` when `obj` is not an object.
pub(super) fn get(obj: &JsValue, name: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// Calls `globalThis[object][method](arg)` through `Function.prototype.call`, which catches:
/// user code it may run (getters, proxy traps, iterators) can throw, and a JS exception
/// must never unwind through Rust frames (it would leave `&self` borrowed for good).
pub(super) fn call_builtin(
    object: &'static str,
    method: &'static str,
    arg: &JsValue,
) -> Result<JsValue> {
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
    pub(super) static BUILTINS: RefCell<BuiltinCache> = const { RefCell::new(Vec::new()) };
}

/// `Array.isArray`, false when it throws (a revoked proxy).
pub(super) fn is_array(value: &JsValue) -> bool {
    value.is_object()
        && call_builtin("Array", "isArray", value)
            .ok()
            .and_then(|b| b.as_bool())
            .unwrap_or(false)
}

/// `Array.from(value)`: a real array, safe to index without running user code.
pub(super) fn array_from(value: &JsValue) -> Result<Array> {
    Ok(call_builtin("Array", "from", value)?.unchecked_into())
}

pub(super) fn options(value: &JsValue, what: &str) -> Result<()> {
    if value.is_object() && !is_array(value) {
        Ok(())
    } else {
        Err(err!(InvalidArgument, "{what} expects an options object"))
    }
}

/// A JS string as Rust text. Lone UTF-16 surrogates are refused: converting them would
/// silently turn them into U+FFFD, signing or storing a different name than the one given.
pub(super) fn js_text(v: &JsValue, name: &str) -> Result<Option<String>> {
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

pub(super) fn req_str(obj: &JsValue, name: &str) -> Result<String> {
    js_text(&get(obj, name), name)?
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a string"))
}

pub(super) fn opt_str(obj: &JsValue, name: &str) -> Result<Option<String>> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    js_text(&v, name)?
        .map(Some)
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a string when given"))
}

pub(super) fn opt_bool(obj: &JsValue, name: &str) -> Result<bool> {
    let v = get(obj, name);
    if v.is_undefined() || v.is_null() {
        return Ok(false);
    }
    v.as_bool()
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a boolean when given"))
}

/// A string, or a finite number rendered as JS `String(n)` does.
pub(super) fn scalar(v: &JsValue) -> Option<String> {
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
pub(super) fn entries(value: &JsValue, name: &str) -> Result<Vec<(String, JsValue)>> {
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
pub(super) fn headers(obj: &JsValue) -> Result<Vec<crate::Header>> {
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
pub(super) fn query(obj: &JsValue) -> Result<Vec<(String, Option<String>)>> {
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

pub(super) fn string_list(obj: &JsValue, name: &str) -> Result<Vec<String>> {
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

pub(super) fn now_seconds() -> u64 {
    // Date.now() is milliseconds since the epoch; always finite and positive in practice.
    let ms = js_sys::Date::now();
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0).floor() as u64
    } else {
        0
    }
}

pub(super) fn seconds(v: &JsValue, name: &str) -> Result<u64> {
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

/// `keyTime` (`"start;end"` or `{ start, end }`) or `expires` (seconds from `now`).
pub(super) fn key_time(obj: &JsValue, now: u64) -> Result<KeyTime> {
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
    KeyTime::from_expires(now, seconds(&expires, "expires")?)
}

pub(super) fn request(obj: &JsValue) -> Result<Request> {
    Ok(Request {
        method: req_str(obj, "method")?,
        key: opt_str(obj, "key")?.unwrap_or_default(),
        query: query(obj)?,
        headers: headers(obj)?,
        sign_headers: string_list(obj, "signHeaders")?,
    })
}

pub(super) fn endpoint(obj: &JsValue) -> Result<Endpoint> {
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
    Ok(ep
        .with_path_style(opt_bool(obj, "pathStyle")?)
        .allow_insecure_local(opt_bool(obj, "allowInsecureLocal")?))
}

pub(super) fn opt_u64(obj: &JsValue, name: &str) -> Result<Option<u64>> {
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

pub(super) fn algorithm(obj: &JsValue) -> Result<SseAlgorithm> {
    Ok(match opt_str(obj, "algorithm")? {
        Some(a) => SseAlgorithm::parse(&a)?,
        None => SseAlgorithm::default(),
    })
}

pub(super) fn bytes_arg(v: &JsValue, name: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    opt_bytes(v, name)?.ok_or_else(|| err!(InvalidArgument, "`{name}` must be a Uint8Array"))
}

pub(super) fn opt_bytes(v: &JsValue, name: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.dyn_ref::<js_sys::Uint8Array>()
        .map(|b| Some(zeroize::Zeroizing::new(b.to_vec())))
        .ok_or_else(|| err!(InvalidArgument, "`{name}` must be a Uint8Array"))
}

/// Runs `f` over the bytes of a typed array, `DataView` or `ArrayBuffer` (copied into wasm
/// memory once). The view is built with a catching `Reflect.construct`: a detached buffer or
/// forged offsets are a `CosError`, never an exception unwinding through Rust.
pub(super) fn with_bytes<T>(data: &JsValue, f: impl FnOnce(&[u8]) -> T) -> Result<T> {
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
