//! Building JS results from core types; secrets are wiped from wasm memory once copied out.

use wasm_bindgen::prelude::*;
use zeroize::Zeroize;

/// A JS string of `text`, whose Rust copy (it may hold the security token) is then wiped.
pub(super) fn wiped_string(text: String) -> JsValue {
    let text = zeroize::Zeroizing::new(text);
    JsValue::from_str(&text)
}

/// The parts of a result (a URL, then header or form-field names and values) as one JS
/// string, each part preceded by its length in UTF-16 code units and a `:`, which
/// `pkg-template/snapshot.js` (`unpack`) splits. Every Rust copy (they may hold an SSE-C key
/// or the security token) is wiped.
pub(super) fn packed<'a>(parts: impl IntoIterator<Item = &'a mut String>) -> JsValue {
    let mut parts: Vec<&mut String> = parts.into_iter().collect();
    // Sized once: a growing String would leave copies of what it held in freed memory.
    let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 21).sum());
    for p in &mut parts {
        let units: usize = p.chars().map(char::len_utf16).sum();
        crate::text::push_u64(&mut text, units as u64);
        text.push(':');
        text.push_str(p);
        p.zeroize();
    }
    wiped_string(text)
}

/// The names and values of headers, for [`packed`].
pub(super) fn header_parts(headers: &mut [crate::Header]) -> impl Iterator<Item = &mut String> {
    headers.iter_mut().flat_map(|h| [&mut h.name, &mut h.value])
}

/// The names and values of form fields, for [`packed`].
pub(super) fn pair_parts(pairs: &mut [(String, String)]) -> impl Iterator<Item = &mut String> {
    pairs.iter_mut().flat_map(|(k, v)| [k, v])
}
