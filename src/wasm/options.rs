//! Reading JS arguments and option objects into core types. Every read goes through
//! catching calls, so no JS exception unwinds through Rust frames.

use core::cell::Cell;

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::algorithm::SseAlgorithm;
use crate::error::{err, Result};
use crate::text::find_str;

// Catching calls that return a primitive or nothing. wasm-bindgen (0.2.130) gives the
// return value of a catching import a slot in its externref table *before* it checks for
// the exception, and never frees that slot when there was one: every exception caught by
// an import that returns a JS value leaks a few bytes of wasm memory. So anything that can
// throw on hostile input is first run (or probed) through one of these, which allocate
// nothing for a return value; the value-returning call follows only once that succeeded.
#[wasm_bindgen]
extern "C" {
    /// A function, called through `Function.prototype.call`.
    pub(super) type Callable;
    #[wasm_bindgen(catch, method, js_name = call)]
    pub(super) fn call0_unit(f: &Callable, this: &JsValue) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call1_unit(f: &Callable, this: &JsValue, a: &JsValue) -> std::result::Result<(), JsValue>;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call0_f64(f: &Callable, this: &JsValue) -> std::result::Result<f64, JsValue>;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call1_bool(f: &Callable, this: &JsValue, a: &JsValue) -> std::result::Result<bool, JsValue>;
    /// `Reflect.get`, probing only (the value is not returned).
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get_probe(target: &JsValue, key: &JsValue) -> std::result::Result<(), JsValue>;
    /// `Reflect.getPrototypeOf`, probing only.
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getPrototypeOf)]
    pub(super) fn get_prototype_of_probe(target: &JsValue) -> std::result::Result<(), JsValue>;
}

/// `obj[name]` read as an own, enumerable property only, so a polluted `Object.prototype`
/// never supplies an option; `undefined` when `obj` is not an object or has no such own
/// property. An own getter runs through a catching `Reflect.apply`: when it (or a Proxy
/// trap) throws, the option is an `ERR_INVALID_ARGUMENT` naming it, never "absent".
pub(super) fn get(obj: &JsValue, name: &str) -> Result<JsValue> {
    if !obj.is_object() {
        return Ok(JsValue::UNDEFINED);
    }
    let threw = |_| err!(InvalidArgument, "reading `{}` threw an exception", name);
    with_name_key(name, |key| {
        // `Object.prototype.propertyIsEnumerable` is true only for an own, enumerable
        // property; only then is the value read (running an own getter), so nothing is
        // ever looked up on the prototype chain.
        let own = INTRINSICS
            .with(|i| {
                i.property_is_enumerable
                    .unchecked_ref::<Callable>()
                    .call1_bool(obj, key)
            })
            .map_err(threw)?;
        if !own {
            return Ok(JsValue::UNDEFINED);
        }
        // An own getter or Proxy trap may throw: probe first (see the imports above), then
        // read. A getter therefore runs twice; options are read once per call, in a fixed
        // order.
        reflect_get_probe(obj, key).map_err(threw)?;
        Reflect::get(obj, key).map_err(threw)
    })
}

/// The most option names kept as JS strings by [`with_name_key`].
const NAME_KEYS: usize = 64;

thread_local! {
    /// Option names already read, as JS strings: each is made once instead of on every
    /// read (a UTF-8 decode in the glue and an externref slot each time).
    static NAME_KEYS_CACHE: Cell<Vec<(String, JsValue)>> = const { Cell::new(Vec::new()) };
}

/// Runs `f` with `name` as a JS string, made once and kept (at most [`NAME_KEYS`] names).
fn with_name_key<R>(name: &str, f: impl FnOnce(&JsValue) -> R) -> R {
    NAME_KEYS_CACHE.with(|cell| {
        // Taken out while `f` runs: a getter may re-enter the module and read options
        // itself; it then finds an empty list and makes its own keys (the list put back
        // last is kept, the other dropped).
        let mut names = cell.take();
        let r = match names.iter().find(|(n, _)| n == name) {
            Some((_, key)) => f(key),
            None => {
                let key = JsValue::from_str(name);
                let r = f(&key);
                if names.len() < NAME_KEYS {
                    names.push((name.to_owned(), key));
                }
                r
            }
        };
        cell.set(names);
        r
    })
}

/// `Reflect.get(obj, name)` through the prototype chain, `undefined` when it throws: only
/// for engine objects (globals, intrinsics, property descriptors), never for options.
pub(super) fn raw_get(obj: &JsValue, name: &str) -> JsValue {
    Reflect::get(obj, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The built-in functions the boundary calls, captured once when the module starts
/// (`#[wasm_bindgen(start)]`), before application code can replace or pollute them.
pub(super) struct Intrinsics {
    property_is_enumerable: JsValue,
    array_is_array: JsValue,
    uint8_array: JsValue,
    /// `%TypedArray%.prototype` getters `buffer`, `byteOffset`, `byteLength`.
    typed_array: [JsValue; 3],
    /// `DataView.prototype` getters `buffer`, `byteOffset`, `byteLength`.
    data_view: [JsValue; 3],
    /// `ArrayBuffer.prototype.byteLength` getter.
    array_buffer_byte_length: JsValue,
    /// `ArrayBuffer.prototype.slice`.
    array_buffer_slice: JsValue,
    /// `%TypedArray%.prototype.at`.
    typed_array_at: JsValue,
}

fn getter_of(proto: &JsValue, name: &str) -> JsValue {
    if !proto.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get_own_property_descriptor(proto.unchecked_ref::<js_sys::Object>(), &name.into())
        .map_or(JsValue::UNDEFINED, |d| raw_get(&d, "get"))
}

impl Intrinsics {
    fn capture() -> Self {
        let global: JsValue = js_sys::global().into();
        let ctor = |name: &str| raw_get(&global, name);
        let object = ctor("Object");
        let array = ctor("Array");
        let uint8_array = ctor("Uint8Array");
        let typed_array_proto = Reflect::get_prototype_of(&raw_get(&uint8_array, "prototype"))
            .map_or(JsValue::UNDEFINED, JsValue::from);
        let view_getters = |proto: &JsValue| {
            ["buffer", "byteOffset", "byteLength"].map(|name| getter_of(proto, name))
        };
        Self {
            property_is_enumerable: raw_get(&raw_get(&object, "prototype"), "propertyIsEnumerable"),
            array_is_array: raw_get(&array, "isArray"),
            typed_array: view_getters(&typed_array_proto),
            data_view: view_getters(&raw_get(&ctor("DataView"), "prototype")),
            array_buffer_byte_length: getter_of(
                &raw_get(&ctor("ArrayBuffer"), "prototype"),
                "byteLength",
            ),
            array_buffer_slice: raw_get(&raw_get(&ctor("ArrayBuffer"), "prototype"), "slice"),
            typed_array_at: raw_get(&typed_array_proto, "at"),
            uint8_array,
        }
    }
}

thread_local! {
    static INTRINSICS: Intrinsics = Intrinsics::capture();
}

pub(super) fn callable(g: &JsValue) -> &Callable {
    g.unchecked_ref()
}

/// Captures the intrinsics; called from the module's start function.
pub(super) fn capture_intrinsics() {
    INTRINSICS.with(|_| ());
}

/// `Array.isArray`, false when it throws (a revoked proxy).
pub(super) fn is_array(value: &JsValue) -> bool {
    value.is_object()
        && INTRINSICS
            .with(|i| {
                i.array_is_array
                    .unchecked_ref::<Callable>()
                    .call1_bool(&JsValue::UNDEFINED, value)
            })
            .unwrap_or(false)
}

pub(super) fn options(value: &JsValue, what: &str) -> Result<()> {
    if value.is_object() && !is_array(value) {
        Ok(())
    } else {
        Err(err!(InvalidArgument, "{} expects an options object", what))
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
    if text
        .as_deref()
        .is_some_and(|t| find_str(t, "\u{FFFD}").is_some())
        && !s.is_valid_utf16()
    {
        return Err(err!(
            InvalidArgument,
            "`{}` contains a lone UTF-16 surrogate",
            name
        ));
    }
    Ok(text)
}

pub(super) fn req_str(obj: &JsValue, name: &str) -> Result<String> {
    js_text(&get(obj, name)?, name)?
        .ok_or_else(|| err!(InvalidArgument, "`{}` must be a string", name))
}

pub(super) fn opt_str(obj: &JsValue, name: &str) -> Result<Option<String>> {
    let v = get(obj, name)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    js_text(&v, name)?
        .map(Some)
        .ok_or_else(|| err!(InvalidArgument, "`{}` must be a string when given", name))
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

pub(super) fn opt_u64(obj: &JsValue, name: &str) -> Result<Option<u64>> {
    let v = get(obj, name)?;
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
            "`{}` must be a non-negative integer",
            name
        )),
    }
}

pub(super) fn algorithm(obj: &JsValue) -> Result<SseAlgorithm> {
    Ok(opt_algorithm(obj)?.unwrap_or_default())
}

/// `algorithm` when given.
pub(super) fn opt_algorithm(obj: &JsValue) -> Result<Option<SseAlgorithm>> {
    opt_str(obj, "algorithm")?
        .map(|a| SseAlgorithm::parse(&a))
        .transpose()
}

/// The most bytes a key, salt, master secret, `aad` or other secret input may have; larger
/// inputs are refused before anything is copied into wasm memory.
pub const MAX_SECRET_INPUT_BYTES: u32 = 64 * 1024;

/// `bytes_of`, required.
pub(super) fn bytes_arg(v: &JsValue, name: &str) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    opt_bytes(v, name)?.ok_or_else(|| {
        err!(
            InvalidArgument,
            "`{}` must be a Uint8Array, another typed array, a DataView or an ArrayBuffer",
            name
        )
    })
}

/// The bytes of a genuine `ArrayBuffer` or `ArrayBufferView` (at most
/// [`MAX_SECRET_INPUT_BYTES`]), copied into wasm memory and wiped when dropped; `None` for
/// `undefined`/`null`. Anything else — a Proxy, an object whose prototype was set to
/// `Uint8Array.prototype`, a detached buffer — is `ERR_INVALID_ARGUMENT`.
pub(super) fn opt_bytes(v: &JsValue, name: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let view = byte_view(v, name)?;
    if view.length() > MAX_SECRET_INPUT_BYTES {
        return Err(err!(
            InvalidArgument,
            "`{}` is longer than {} bytes",
            name,
            MAX_SECRET_INPUT_BYTES
        ));
    }
    Ok(Some(zeroize::Zeroizing::new(view.to_vec())))
}

/// A fresh `Uint8Array` (made by the intrinsic constructor) over the bytes of a genuine
/// `ArrayBuffer` or `ArrayBufferView`. Genuineness is the internal slot, not the
/// prototype: `ArrayBuffer.isView`, then the intrinsic `byteLength` getters called through
/// a catching `Reflect.apply` (they throw for a Proxy or a forged object), then a catching
/// `Reflect.construct` (it throws for a detached buffer).
fn byte_view(v: &JsValue, name: &str) -> Result<js_sys::Uint8Array> {
    let bad = || {
        err!(
            InvalidArgument,
            "`{}` must be a Uint8Array, another typed array, a DataView or an ArrayBuffer",
            name
        )
    };
    let detached = || err!(InvalidArgument, "`{}` is a detached ArrayBuffer", name);
    let args = INTRINSICS.with(|i| {
        let f = callable;
        if js_sys::ArrayBuffer::is_view(v) {
            // byteLength through the TypedArray getter, else the DataView one (which throws
            // for a detached buffer); both throw for anything without the internal slot.
            let getters = if f(&i.typed_array[2]).call0_f64(v).is_ok() {
                &i.typed_array
            } else if f(&i.data_view[2]).call0_f64(v).is_ok() {
                &i.data_view
            } else {
                return Err(detached());
            };
            // A detached typed array reports length 0 but `at` throws for it.
            if getters.as_ptr() == i.typed_array.as_ptr()
                && f(&i.typed_array_at)
                    .call1_unit(v, &JsValue::from(0))
                    .is_err()
            {
                return Err(detached());
            }
            let offset = f(&getters[1]).call0_f64(v).map_err(|_| bad())?;
            let length = f(&getters[2]).call0_f64(v).map_err(|_| bad())?;
            let buffer = getters[0]
                .unchecked_ref::<js_sys::Function>()
                .call0(v)
                .map_err(|_| bad())?;
            Ok(vec![buffer, offset.into(), length.into()])
        } else {
            f(&i.array_buffer_byte_length)
                .call0_f64(v)
                .map_err(|_| bad())?;
            // `slice` throws for a detached buffer (its result is not kept).
            f(&i.array_buffer_slice)
                .call0_unit(v)
                .map_err(|_| detached())?;
            Ok(vec![v.clone()])
        }
    })?;
    let ctor = INTRINSICS.with(|i| i.uint8_array.clone());
    let ctor = ctor.dyn_ref::<js_sys::Function>().ok_or_else(bad)?;
    let list = Array::new();
    for a in &args {
        list.push(a);
    }
    Reflect::construct(ctor, &list)
        .map(JsCast::unchecked_into)
        .map_err(|_| detached())
}

/// The largest piece of caller data copied into wasm memory at once when hashing.
const HASH_CHUNK: u32 = 64 * 1024;

/// Runs `f` over the bytes of a genuine typed array, `DataView` or `ArrayBuffer` (see
/// [`byte_view`]), in pieces of at most 64 KiB copied into one reused buffer, so hashing a
/// large buffer never grows wasm memory by its size.
pub(super) fn with_bytes(data: &JsValue, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let view = byte_view(data, "data")?;
    let len = view.length();
    let mut buf = vec![0u8; HASH_CHUNK.min(len) as usize];
    let mut at = 0;
    while at < len {
        let n = HASH_CHUNK.min(len - at);
        let piece = view.subarray(at, at + n);
        let dst = buf
            .get_mut(..n as usize)
            .ok_or_else(|| err!(InvalidArgument, "`data` changed while it was read"))?;
        piece.copy_to(dst);
        f(dst)?;
        at += n;
    }
    Ok(())
}

/// Fills a buffer from `crypto.getRandomValues` (browsers, workers, Node ≥ 19) and wipes
/// the JS-side copy.
pub(super) fn random_bytes(len: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let unavailable = || {
        err!(
            RandomUnavailable,
            "crypto.getRandomValues is not available in this runtime"
        )
    };
    let crypto = raw_get(&js_sys::global().into(), "crypto");
    let fill = raw_get(&crypto, "getRandomValues");
    let fill = fill.dyn_ref::<js_sys::Function>().ok_or_else(unavailable)?;
    let buf = js_sys::Uint8Array::new_with_length(u32::try_from(len).map_err(|_| unavailable())?);
    fill.call1(&crypto, &buf).map_err(|_| unavailable())?;
    let out = zeroize::Zeroizing::new(buf.to_vec());
    buf.fill(0, 0, buf.length());
    Ok(out)
}
