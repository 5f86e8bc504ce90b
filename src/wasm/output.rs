//! Building JS results from core types; secrets are wiped from wasm memory once copied out.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::sign::Header;

pub(super) fn headers_object(headers: &[Header]) -> JsValue {
    let o = Object::new();
    for h in headers {
        let _ = Reflect::set(&o, &h.name.as_str().into(), &h.value.as_str().into());
    }
    o.into()
}

/// A JS string of `text`, whose Rust copy (it may hold the security token) is then wiped.
pub(super) fn wiped_string(text: String) -> JsValue {
    let text = zeroize::Zeroizing::new(text);
    JsValue::from_str(&text)
}

/// A JS object of the fields; their Rust values (SSE-C key, token) are wiped after copying.
pub(super) fn fields_object(fields: &mut [(String, String)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &k.as_str().into(), &v.as_str().into());
        zeroize::Zeroize::zeroize(v);
    }
    o.into()
}

/// `{ url, headers }` of a signed request; the Rust copy of the URL (a pre-signed one
/// carries the security token) is wiped once copied out.
pub(super) fn url_headers(mut signed: crate::request::SignedRequest) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"url".into(), &signed.url.as_str().into());
    let _ = Reflect::set(&o, &"headers".into(), &headers_object(&signed.headers));
    zeroize::Zeroize::zeroize(&mut signed.url);
    o.into()
}
