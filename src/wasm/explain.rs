//! `explainSignatureMismatch`: which part of a refused request differs from what was signed.
//! One crossing per call: `pkg-template/explain/extras.js` passes the arguments' snapshot
//! to [`explain_call`] (with `bucket.rs`'s bucket-encryption XML) and unpacks the packed
//! result.

use wasm_bindgen::prelude::*;

use super::options::now_seconds;
use super::output::packed;
use super::snapshot::{
    arg, endpoint, entries, get, key_time, opt_str, request, scalar, text, Args, Node,
};
use crate::error::{err, Result};
use crate::explain::{explain, CosErrorBody, SignedLocally};
use crate::text::join;

/// Reads `request`: what was sent (`{ url, headers?, method? }`, e.g. a `signRequest`
/// result, or a pre-signed URL string), or the options given to `authorization` /
/// `presignUrl` (with the endpoint fields, and `keyTime` if it is to be compared).
fn signed_locally(signed: &Node<'_>) -> Result<SignedLocally> {
    let sent = |url: &str, obj: &Node<'_>| -> Result<SignedLocally> {
        // The header values (the SSE-C key, the token) are wiped after use; the URL is a
        // borrow of the snapshot text, which is wiped with it.
        let mut headers = zeroize::Zeroizing::new(Vec::new());
        for (k, v) in entries(get(obj, "headers"), "headers")? {
            if let Some(v) = scalar(v) {
                headers.push(((*k).to_owned(), v));
            }
        }
        let method = opt_str(obj, "method")?.unwrap_or_else(|| "GET".to_owned());
        SignedLocally::from_sent(&method, url, &headers)
    };
    if let Some(url) = text(signed, "request")? {
        return sent(url, &Node::Absent);
    }
    if !matches!(signed, Node::Obj(_) | Node::Map(_)) {
        return Err(err!(InvalidArgument, "explainSignatureMismatch() expects what was signed: { url, headers, method } or the signing options"));
    }
    if let Some(url) = text(get(signed, "url"), "url")? {
        return sent(url, signed);
    }
    let has_time = !get(signed, "keyTime").is_absent() || !get(signed, "expires").is_absent();
    let kt = if has_time {
        Some(key_time(signed, now_seconds())?)
    } else {
        None
    };
    SignedLocally::from_request(&request(signed)?, &endpoint(signed)?, kt)
}

/// Longest error body read, in UTF-16 units, checked in JS before the text is copied into
/// wasm (a 100 MB body grew this entry's memory to 361 MiB for good); here, for a snapshot
/// made by hand, as at most 3 UTF-8 bytes a unit. COS's error bodies are a few KB; a
/// SignatureDoesNotMatch one carries the StringToSign and FormatString.
pub(crate) const MAX_ERROR_XML_CHARS: usize = 256 * 1024;

/// The `<Error>` body given as its text (the snapshot's copy is wiped after the call: its
/// FormatString holds signed header values, SSE-C keys and tokens included).
pub(crate) fn error_body(xml: &Node<'_>) -> Result<CosErrorBody> {
    let text = text(xml, "errorXml")?.ok_or_else(|| {
        err!(
            InvalidArgument,
            "`errorXml` must be the text of COS's error body"
        )
    })?;
    if text.len() > 3 * MAX_ERROR_XML_CHARS {
        return Err(err!(
            InvalidXml,
            "the error body is longer than {} characters; COS's are a few KB",
            MAX_ERROR_XML_CHARS
        ));
    }
    CosErrorBody::parse(text)
}

/// `requestId` as a packed part: `-` for none, else `+` and the id.
fn request_id(id: Option<&str>) -> String {
    id.map_or_else(|| "-".to_owned(), |id| ["+", id].concat())
}

/// The one crossing of `cos-wasm/explain`: `op` 0 is `explainSignatureMismatch(errorXml,
/// request)` → code, requestId, message, then component, cause and message of each
/// difference; 1 `parseCosErrorXml(xml)` → code, message, requestId; 2
/// `bucketEncryptionXml(options)` and 3 `parseBucketEncryptionXml(xml)` (`bucket.rs`).
/// `text` and `bytes` are the positional arguments as `pkg-template/snapshot.js` encoded
/// them; `pkg-template/explain/extras.js` unpacks the result.
#[wasm_bindgen(js_name = __explain)]
pub fn explain_call(op: u32, snapshot: String, bytes: Option<Vec<u8>>) -> Result<JsValue> {
    let args = Args::new(snapshot, bytes);
    let root = args.root()?;
    match op {
        0 => {
            let mut body = error_body(arg(&root, 0))?;
            let local = signed_locally(arg(&root, 1))?;
            let nfc = |s: &str| -> String {
                js_sys::JsString::from(s)
                    .normalize("NFC")
                    .as_string()
                    .unwrap_or_else(|| s.to_owned())
            };
            let e = explain(&body, &local, Some(now_seconds()), &nfc);
            zeroize::Zeroize::zeroize(&mut body.format_string);
            zeroize::Zeroize::zeroize(&mut body.string_to_sign);
            let lines: Vec<&str> = e.differences.iter().map(|d| d.message.as_str()).collect();
            let mut parts = vec![
                e.cos_code.clone(),
                request_id(e.request_id.as_deref()),
                join(&lines, "; "),
            ];
            for d in &e.differences {
                parts.extend([
                    d.component.as_str().to_owned(),
                    d.cause.to_owned(),
                    d.message.clone(),
                ]);
            }
            Ok(packed(parts.iter_mut()))
        }
        1 => {
            let body = error_body(arg(&root, 0))?;
            let mut parts = [
                body.code.clone(),
                body.message.clone(),
                request_id(body.request_id.as_deref()),
            ];
            Ok(packed(parts.iter_mut()))
        }
        2 => super::bucket::encryption_xml(arg(&root, 0)).map(|x| JsValue::from_str(&x)),
        3 => super::bucket::parse_encryption_xml(arg(&root, 0)),
        _ => Err(err!(InvalidArgument, "unknown cos-wasm/explain operation")),
    }
}
