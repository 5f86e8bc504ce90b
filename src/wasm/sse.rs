//! SSE descriptions (`{ type: 'SSE-C', key }` …), SSE headers and object URLs. (Bucket
//! default encryption XML is in `bucket.rs`, of the `cos-wasm/explain` entry.)

use wasm_bindgen::prelude::*;

use super::output::{header_parts, packed, wiped_string};
use super::snapshot::{
    arg, endpoint, get, json_text, opt_algorithm, opt_bytes, opt_str, options, text, Args, Node,
};
use crate::algorithm::SseAlgorithm;
use crate::error::{err, Result};
use crate::keys::CustomerKey;
use crate::request::object_url;
use crate::sse::{copy_source_sse_headers, sse_headers, Operation, Sse};

/// A customer key given as a `CustomerKey` of `cos-wasm/keys` (read by JS through its own
/// getters, which the package's lifetime guard makes throw for a freed key), raw bytes (any
/// typed array, `DataView` or `ArrayBuffer`) or base64 text. A `CustomerKey` carries its own
/// algorithm; `explicit`, when given, must match it. Raw bytes and text use `explicit` or
/// the default (AES256).
pub(super) fn customer_key(
    value: &Node<'_>,
    explicit: Option<SseAlgorithm>,
    what: &str,
) -> Result<CustomerKey> {
    let alg = explicit.unwrap_or_default();
    match value {
        Node::Str(text) => CustomerKey::from_base64(alg, text),
        // An object that is no genuine buffer (a look-alike, a Proxy): the bytes' error.
        Node::Bytes(_) | Node::Obj(_) | Node::Map(_) | Node::Arr(_) => {
            let raw = opt_bytes(value, what)?.unwrap_or_default();
            CustomerKey::from_bytes(alg, &raw)
        }
        Node::Key { algorithm, base64 } => {
            let key = CustomerKey::from_base64(SseAlgorithm::parse(algorithm)?, base64)?;
            if let Some(explicit) = explicit.filter(|a| *a != key.algorithm()) {
                return Err(err!(
                    InvalidSse,
                    "SSE-C `algorithm` {} does not match the key's {}",
                    explicit.as_str(),
                    key.algorithm().as_str()
                ));
            }
            Ok(key)
        }
        _ => Err(err!(
            InvalidSse,
            "{} must be a CustomerKey, the key bytes (a Uint8Array) or base64 text",
            what
        )),
    }
}

pub(super) fn sse(value: &Node<'_>) -> Result<Option<Sse>> {
    match value {
        Node::Absent => return Ok(None),
        Node::Obj(_) | Node::Map(_) => {}
        _ => {
            return Err(err!(
                InvalidSse,
                "`sse` must be an object such as { type: 'SSE-COS' }"
            ))
        }
    }
    let ty = opt_str(value, "type")?.unwrap_or_default();
    let explicit = opt_algorithm(value)?;
    let alg = explicit.unwrap_or_default();
    Ok(Some(match ty.as_str() {
        "SSE-COS" => Sse::Cos { algorithm: alg },
        "SSE-KMS" => {
            let context_json = match get(value, "context") {
                Node::Absent => None,
                ctx @ Node::Json(_) => {
                    Some(json_text(ctx, "sse.context", crate::ErrorCode::InvalidSse)?)
                }
                _ => return Err(err!(InvalidSse, "SSE-KMS `context` must be an object")),
            };
            Sse::Kms {
                key_id: opt_str(value, "kmsKeyId")?,
                context_json,
                algorithm: alg,
            }
        }
        "SSE-C" => {
            let key = customer_key(get(value, "key"), explicit, "SSE-C `key`")?;
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

pub(super) fn operation(obj: &Node<'_>) -> Result<Option<Operation>> {
    opt_str(obj, "operation")?
        .map(|o| Operation::parse(&o))
        .transpose()
}

/// The one crossing of the signer entry's free functions: `op` 0 is
/// `sseHeaders(sse, operation)` (the SSE headers, or POST form fields, of one operation),
/// 1 `copySourceSseHeaders(key, algorithm?)` (the `x-cos-copy-source-…-customer-*`
/// triple), 2 `objectUrl({ bucket, region, key, sse?, … })` (an unsigned URL for public
/// objects). `text` and `bytes` are the arguments as `pkg-template/snapshot.js` encoded
/// them (an array of the positional ones; `objectUrl`'s options object); `pkg-template/extras.js` unpacks the result.
#[wasm_bindgen(js_name = __sse)]
pub fn sse_call(op: u32, snapshot: String, bytes: Option<Vec<u8>>) -> Result<JsValue> {
    let args = Args::new(snapshot, bytes);
    let root = args.root()?;
    let pairs = |mut headers: Vec<crate::Header>| packed(header_parts(&mut headers));
    match op {
        0 => {
            let op = Operation::parse(text(arg(&root, 1), "operation")?.ok_or_else(|| {
                err!(
                    UnknownOperation,
                    "`operation` must be a string such as 'PutObject'"
                )
            })?)?;
            let sse = sse(arg(&root, 0))?.ok_or_else(|| err!(InvalidSse, "`sse` is required"))?;
            Ok(pairs(sse_headers(&sse, op)?))
        }
        1 => {
            let alg = match arg(&root, 1) {
                Node::Absent => None,
                a => Some(SseAlgorithm::parse(text(a, "algorithm")?.ok_or_else(
                    || err!(InvalidSse, "algorithm must be 'AES256' or 'SM4'"),
                )?)?),
            };
            let key = customer_key(arg(&root, 0), alg, "copy-source key")?;
            Ok(pairs(copy_source_sse_headers(&key)))
        }
        2 => {
            let opts = &root;
            options(opts, "objectUrl()")?;
            Ok(wiped_string(object_url(
                &endpoint(opts)?,
                &opt_str(opts, "key")?.unwrap_or_default(),
                sse(get(opts, "sse"))?.as_ref(),
            )?))
        }
        _ => Err(err!(InvalidArgument, "unknown SSE operation")),
    }
}
