//! JS boundary of the Tencent Cloud API pieces: `tc3Authorization` (TC3-HMAC-SHA256) and
//! `cosPolicy` (CAM policies for COS temporary credentials). The STS client itself is JS
//! (`pkg-template/sts.js`): it only needs `fetch` and these two functions.

use wasm_bindgen::prelude::*;

use super::output::wiped_string;
use super::snapshot::{entries, get, options, req_str, text, Args, Node};
use crate::cam_policy::{ConditionValue, CosPolicy, Grant};
use crate::error::{cat, err, q, QuotedList, Result};
use crate::tc3::{tc3_authorization, Tc3Request, MAX_TC3_TIMESTAMP};

/// Refuses option names other than `allowed` (a typo must not drop a restriction).
fn known_fields(obj: &Node<'_>, what: &str, allowed: &[&str]) -> Result<()> {
    for (k, _) in entries(obj, what)? {
        if !allowed.contains(k) {
            return Err(err!(
                InvalidCamPolicy,
                "{} has an unknown field {}; expected {}",
                what,
                q(k),
                QuotedList(allowed)
            ));
        }
    }
    Ok(())
}

/// A string, or an array of strings, as a list.
fn strings(v: &Node<'_>, name: &str) -> Result<Vec<String>> {
    let bad = || {
        err!(
            InvalidCamPolicy,
            "`{}` must be a string or an array of strings",
            name
        )
    };
    let one = |v: &Node<'_>| text(v, name)?.map(str::to_owned).ok_or_else(bad);
    match v {
        Node::Arr(items) => items.iter().map(one).collect(),
        _ => Ok(vec![one(v)?]),
    }
}

fn condition_value(v: &Node<'_>, name: &str) -> Result<ConditionValue> {
    match v {
        Node::Num(_) => v
            .int()
            .and_then(|n| u64::try_from(n).ok())
            .map(ConditionValue::Integer)
            .ok_or_else(|| {
                err!(
                    InvalidCamPolicy,
                    "`{}` must be a whole non-negative number",
                    name
                )
            }),
        Node::Str(_) | Node::IllFormed => {
            strings(v, name).map(|mut l| ConditionValue::Text(l.remove(0)))
        }
        _ => strings(v, name).map(ConditionValue::List),
    }
}

fn grant(g: &Node<'_>, index: usize) -> Result<Grant> {
    let what = cat!("allow[{}]", index);
    if !matches!(g, Node::Obj(_) | Node::Map(_)) {
        return Err(err!(InvalidCamPolicy, "{} must be an object", what));
    }
    known_fields(g, &what, &["actions", "prefix", "keys", "conditions"])?;
    let mut out = Grant::default();
    let actions = get(g, "actions");
    if actions.is_absent() {
        return Err(err!(
            InvalidCamPolicy,
            "{}.actions is required ('upload', 'download' or action names)",
            what
        ));
    }
    out.actions(&strings(actions, "actions")?)?;
    let prefix = get(g, "prefix");
    if !prefix.is_absent() {
        out.prefix(
            text(prefix, "prefix")?
                .ok_or_else(|| err!(InvalidCamPolicy, "{}.prefix must be a string", what))?,
        )?;
    }
    let keys = get(g, "keys");
    if !keys.is_absent() {
        if !matches!(keys, Node::Arr(_)) {
            return Err(err!(
                InvalidCamPolicy,
                "{}.keys must be an array of strings",
                what
            ));
        }
        out.keys(&strings(keys, "keys")?)?;
    }
    match get(g, "conditions") {
        Node::Absent => {}
        conditions @ (Node::Obj(_) | Node::Map(_)) => {
            for (name, value) in entries(conditions, "conditions")? {
                if value.is_absent() {
                    continue;
                }
                out.condition(name, condition_value(value, name)?)?;
            }
        }
        _ => {
            return Err(err!(
                InvalidCamPolicy,
                "{}.conditions must be an object",
                what
            ))
        }
    }
    Ok(out)
}

/// `cosPolicy({ bucket, region, allow: [{ actions, prefix | keys, conditions? }] })`: the
/// CAM policy JSON text for STS (see `src/cam_policy.rs`).
fn cos_policy(opts: &Node<'_>) -> Result<String> {
    options(opts, "cosPolicy")?;
    known_fields(opts, "cosPolicy options", &["bucket", "region", "allow"])?;
    let mut policy = CosPolicy::new(&req_str(opts, "bucket")?, &req_str(opts, "region")?)?;
    let Node::Arr(allow) = get(opts, "allow") else {
        return Err(err!(InvalidCamPolicy, "`allow` must be an array of grants"));
    };
    for (i, g) in allow.iter().enumerate() {
        policy = policy.allow(grant(g, i)?);
    }
    policy.to_json()
}

/// `tc3Authorization({ secretId, secretKey, method, url, contentType, body, timestamp,
/// service })`: the `Authorization` header of a Tencent Cloud API v3 request.
fn tc3(opts: &Node<'_>) -> Result<String> {
    options(opts, "tc3Authorization")?;
    let secret_id = req_str(opts, "secretId")?;
    let secret_key = zeroize::Zeroizing::new(req_str(opts, "secretKey")?);
    let method = req_str(opts, "method")?;
    let url = req_str(opts, "url")?;
    let content_type = req_str(opts, "contentType")?;
    let service = req_str(opts, "service")?;
    let timestamp = get(opts, "timestamp")
        .int()
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n <= MAX_TC3_TIMESTAMP)
        .ok_or_else(|| {
            err!(
                InvalidTimestamp,
                "`timestamp` must be whole Unix seconds (the X-TC-Timestamp header sent)"
            )
        })?;
    let body: &[u8] = match get(opts, "body") {
        Node::Absent => &[],
        Node::Bytes(b) => b,
        b => match text(b, "body")? {
            Some(s) => s.as_bytes(),
            None => {
                return Err(err!(
                    InvalidArgument,
                    "`body` must be a Uint8Array, another typed array, a DataView or an ArrayBuffer"
                ))
            }
        },
    };
    tc3_authorization(
        &secret_id,
        &secret_key,
        &Tc3Request {
            method: &method,
            url: &url,
            content_type: &content_type,
            body,
            timestamp,
            service: &service,
        },
    )
}

/// The one crossing of `cos-wasm/sts`: `op` 0 is `cosPolicy(options)`, 1
/// `tc3Authorization(options)`; `text` and `bytes` are the options as
/// `pkg-template/snapshot.js` encoded them (`pkg-template/sts/extras.js` calls this).
#[wasm_bindgen(js_name = __sts)]
pub fn sts_call(op: u32, snapshot: String, bytes: Option<Vec<u8>>) -> Result<JsValue> {
    let args = Args::new(snapshot, bytes);
    let opts = args.root()?;
    match op {
        0 => cos_policy(&opts).map(|p| JsValue::from_str(&p)),
        1 => tc3(&opts).map(wiped_string),
        _ => Err(err!(InvalidArgument, "unknown cos-wasm/sts operation")),
    }
}
