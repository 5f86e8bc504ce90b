//! `explainSignatureMismatch`: which part of a refused request differs from what was signed.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::options::{endpoint, entries, get, key_time, now_seconds, opt_str, request, scalar};
use crate::error::{err, Result};
use crate::explain::{explain, CosErrorBody, SignedLocally};
use crate::text::join;

/// Reads `request`: what was sent (`{ url, headers?, method? }`, e.g. a `signRequest`
/// result, or a pre-signed URL string), or the options given to `authorization` /
/// `presignUrl` (with the endpoint fields, and `keyTime` if it is to be compared).
fn signed_locally(signed: &JsValue) -> Result<SignedLocally> {
    let sent = |url: String, obj: &JsValue| -> Result<SignedLocally> {
        // The URL (a pre-signed one carries the token) and the header values (the SSE-C key,
        // the token) are wiped after use.
        let url = zeroize::Zeroizing::new(url);
        let mut headers = zeroize::Zeroizing::new(Vec::new());
        for (k, v) in entries(&get(obj, "headers")?, "headers")? {
            if let Some(v) = scalar(&v) {
                headers.push((k, v));
            }
        }
        let method = opt_str(obj, "method")?.unwrap_or_else(|| "GET".to_owned());
        SignedLocally::from_sent(&method, &url, &headers)
    };
    if let Some(url) = signed.as_string() {
        return sent(url, &JsValue::UNDEFINED);
    }
    if !signed.is_object() {
        return Err(err!(InvalidArgument, "explainSignatureMismatch() expects what was signed: { url, headers, method } or the signing options"));
    }
    if let Some(url) = opt_str(signed, "url")? {
        return sent(url, signed);
    }
    let has_time =
        !get(signed, "keyTime")?.is_undefined() || !get(signed, "expires")?.is_undefined();
    let kt = if has_time {
        Some(key_time(signed, now_seconds())?)
    } else {
        None
    };
    SignedLocally::from_request(&request(signed)?, &endpoint(signed)?, kt)
}

/// Longest error body read, in UTF-16 units, checked before the text is copied into wasm
/// (a 100 MB body grew this entry's memory to 361 MiB for good: issue 25). COS's error
/// bodies are a few KB; a SignatureDoesNotMatch one carries the StringToSign and FormatString.
pub(crate) const MAX_ERROR_XML_CHARS: u32 = 256 * 1024;

/// The `<Error>` body given as its text; the copy in wasm memory is wiped after parsing
/// (its FormatString holds signed header values, SSE-C keys and tokens included).
pub(crate) fn error_body(xml: &JsValue) -> Result<CosErrorBody> {
    let not_text = || {
        err!(
            InvalidArgument,
            "`errorXml` must be the text of COS's error body"
        )
    };
    let js = xml.dyn_ref::<js_sys::JsString>().ok_or_else(not_text)?;
    if js.length() > MAX_ERROR_XML_CHARS {
        return Err(err!(
            InvalidXml,
            "the error body is longer than {} characters; COS's are a few KB",
            MAX_ERROR_XML_CHARS
        ));
    }
    let text = zeroize::Zeroizing::new(xml.as_string().ok_or_else(not_text)?);
    CosErrorBody::parse(&text)
}

/// `requestId`: the id, or `null`.
fn request_id(id: Option<&str>) -> JsValue {
    id.map_or(JsValue::NULL, JsValue::from_str)
}

/// `explainSignatureMismatch(errorXml, request)` → `{ code, requestId, message,
/// differences: [{ component, cause, message }] }`.
#[wasm_bindgen(js_name = explainSignatureMismatch)]
pub fn explain_signature_mismatch(error_xml: JsValue, request: JsValue) -> Result<JsValue> {
    let body = error_body(&error_xml)?;
    let local = signed_locally(&request)?;
    let nfc = |s: &str| -> String {
        js_sys::JsString::from(s)
            .normalize("NFC")
            .as_string()
            .unwrap_or_else(|| s.to_owned())
    };
    let mut body = body;
    let e = explain(&body, &local, Some(now_seconds()), &nfc);
    zeroize::Zeroize::zeroize(&mut body.format_string);
    zeroize::Zeroize::zeroize(&mut body.string_to_sign);
    let differences = Array::new();
    let mut lines = Vec::new();
    for d in &e.differences {
        let o = Object::new();
        let _ = Reflect::set(&o, &"component".into(), &d.component.as_str().into());
        let _ = Reflect::set(&o, &"cause".into(), &d.cause.into());
        let _ = Reflect::set(&o, &"message".into(), &d.message.as_str().into());
        differences.push(&o);
        lines.push(d.message.as_str());
    }
    let o = Object::new();
    let _ = Reflect::set(&o, &"code".into(), &e.cos_code.as_str().into());
    let _ = Reflect::set(
        &o,
        &"requestId".into(),
        &request_id(e.request_id.as_deref()),
    );
    let _ = Reflect::set(&o, &"message".into(), &join(&lines, "; ").into());
    let _ = Reflect::set(&o, &"differences".into(), &differences);
    Ok(o.into())
}

/// `parseCosErrorXml(xml)` → `{ code, message, requestId }` of a COS `<Error>` body.
#[wasm_bindgen(js_name = parseCosErrorXml)]
pub fn parse_cos_error_xml(xml: JsValue) -> Result<JsValue> {
    let body = error_body(&xml)?;
    let o = Object::new();
    let _ = Reflect::set(&o, &"code".into(), &body.code.as_str().into());
    let _ = Reflect::set(&o, &"message".into(), &body.message.as_str().into());
    let _ = Reflect::set(
        &o,
        &"requestId".into(),
        &request_id(body.request_id.as_deref()),
    );
    Ok(o.into())
}
