//! JS boundary of the Tencent Cloud API pieces: `tc3Authorization` (TC3-HMAC-SHA256) and
//! `cosPolicy` (CAM policies for COS temporary credentials). The STS client itself is JS
//! (`pkg-template/sts.js`): it only needs `fetch` and these two functions.

use wasm_bindgen::prelude::*;

use super::options::{array_from, entries, get, is_array, js_text, options, req_str, with_bytes};
use crate::cam_policy::{ConditionValue, CosPolicy, Grant};
use crate::error::{cat, err, q, QuotedList, Result};
use crate::tc3::{tc3_authorization, Tc3Request, MAX_TC3_TIMESTAMP};

/// Refuses option names other than `allowed` (a typo must not drop a restriction).
fn known_fields(obj: &JsValue, what: &str, allowed: &[&str]) -> Result<()> {
    for (k, _) in entries(obj, what)? {
        if !allowed.contains(&k.as_str()) {
            return Err(err!(
                InvalidCamPolicy,
                "{} has an unknown field {}; expected {}",
                what,
                q(&k),
                QuotedList(allowed)
            ));
        }
    }
    Ok(())
}

/// A string, or an array of strings, as a list.
fn strings(v: &JsValue, name: &str) -> Result<Vec<String>> {
    let bad = || {
        err!(
            InvalidCamPolicy,
            "`{}` must be a string or an array of strings",
            name
        )
    };
    if v.is_string() {
        return Ok(vec![js_text(v, name)?.ok_or_else(bad)?]);
    }
    if !is_array(v) {
        return Err(bad());
    }
    array_from(v, name)?
        .iter()
        .map(|s| js_text(&s, name)?.ok_or_else(bad))
        .collect()
}

fn condition_value(v: &JsValue, name: &str) -> Result<ConditionValue> {
    if let Some(n) = v.as_f64() {
        // Number.MAX_SAFE_INTEGER: larger values are not exact in JS.
        if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 {
            return Ok(ConditionValue::Integer(n as u64));
        }
        return Err(err!(
            InvalidCamPolicy,
            "`{}` must be a whole non-negative number",
            name
        ));
    }
    if v.is_string() {
        return strings(v, name).map(|mut l| ConditionValue::Text(l.remove(0)));
    }
    strings(v, name).map(ConditionValue::List)
}

fn grant(g: &JsValue, index: u32) -> Result<Grant> {
    let what = cat!("allow[{}]", index);
    if !g.is_object() || is_array(g) {
        return Err(err!(InvalidCamPolicy, "{} must be an object", what));
    }
    known_fields(g, &what, &["actions", "prefix", "keys", "conditions"])?;
    let mut out = Grant::default();
    let actions = get(g, "actions")?;
    if actions.is_undefined() || actions.is_null() {
        return Err(err!(
            InvalidCamPolicy,
            "{}.actions is required ('upload', 'download' or action names)",
            what
        ));
    }
    out.actions(&strings(&actions, "actions")?)?;
    let prefix = get(g, "prefix")?;
    if !prefix.is_undefined() {
        out.prefix(
            &js_text(&prefix, "prefix")?
                .ok_or_else(|| err!(InvalidCamPolicy, "{}.prefix must be a string", what))?,
        )?;
    }
    let keys = get(g, "keys")?;
    if !keys.is_undefined() {
        if !is_array(&keys) {
            return Err(err!(
                InvalidCamPolicy,
                "{}.keys must be an array of strings",
                what
            ));
        }
        out.keys(&strings(&keys, "keys")?)?;
    }
    let conditions = get(g, "conditions")?;
    if !conditions.is_undefined() && !conditions.is_null() {
        if !conditions.is_object() || is_array(&conditions) {
            return Err(err!(
                InvalidCamPolicy,
                "{}.conditions must be an object",
                what
            ));
        }
        for (name, value) in entries(&conditions, "conditions")? {
            if value.is_undefined() || value.is_null() {
                continue;
            }
            out.condition(&name, condition_value(&value, &name)?)?;
        }
    }
    Ok(out)
}

fn cos_policy(opts: &JsValue) -> Result<String> {
    options(opts, "cosPolicy")?;
    known_fields(opts, "cosPolicy options", &["bucket", "region", "allow"])?;
    let mut policy = CosPolicy::new(&req_str(opts, "bucket")?, &req_str(opts, "region")?)?;
    let allow = get(opts, "allow")?;
    if !is_array(&allow) {
        return Err(err!(InvalidCamPolicy, "`allow` must be an array of grants"));
    }
    for (i, g) in array_from(&allow, "allow")?.iter().enumerate() {
        policy = policy.allow(grant(&g, u32::try_from(i).unwrap_or(u32::MAX))?);
    }
    policy.to_json()
}

/// `cosPolicy({ bucket, region, allow: [{ actions, prefix | keys, conditions? }] })`: the
/// CAM policy JSON text for STS (see `src/cam_policy.rs`).
#[wasm_bindgen(js_name = cosPolicy)]
pub fn cos_policy_js(opts: JsValue) -> Result<String> {
    cos_policy(&opts)
}

fn tc3(opts: &JsValue) -> Result<String> {
    options(opts, "tc3Authorization")?;
    let secret_id = req_str(opts, "secretId")?;
    let secret_key = zeroize::Zeroizing::new(req_str(opts, "secretKey")?);
    let method = req_str(opts, "method")?;
    let url = req_str(opts, "url")?;
    let content_type = req_str(opts, "contentType")?;
    let service = req_str(opts, "service")?;
    let ts = get(opts, "timestamp")?;
    let timestamp = match ts.as_f64() {
        Some(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_TC3_TIMESTAMP as f64 =>
        {
            n as u64
        }
        _ => {
            return Err(err!(
                InvalidTimestamp,
                "`timestamp` must be whole Unix seconds (the X-TC-Timestamp header sent)"
            ))
        }
    };
    let body_value = get(opts, "body")?;
    let body: Vec<u8> = if body_value.is_undefined() || body_value.is_null() {
        Vec::new()
    } else if body_value.is_string() {
        js_text(&body_value, "body")?
            .unwrap_or_default()
            .into_bytes()
    } else {
        let mut bytes = Vec::new();
        with_bytes(&body_value, |piece| {
            bytes.extend_from_slice(piece);
            Ok(())
        })?;
        bytes
    };
    tc3_authorization(
        &secret_id,
        &secret_key,
        &Tc3Request {
            method: &method,
            url: &url,
            content_type: &content_type,
            body: &body,
            timestamp,
            service: &service,
        },
    )
}

/// `tc3Authorization({ secretId, secretKey, method, url, contentType, body, timestamp,
/// service })`: the `Authorization` header of a Tencent Cloud API v3 request.
#[wasm_bindgen(js_name = tc3Authorization)]
pub fn tc3_authorization_js(opts: JsValue) -> Result<String> {
    tc3(&opts)
}
