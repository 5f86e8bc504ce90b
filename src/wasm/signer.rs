//! `CosSigner`: authorization headers, pre-signed URLs, signed requests and POST forms.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::options::{
    array_from, endpoint, entries, get, is_array, js_text, json_text, key_time, now_seconds,
    opt_algorithm, opt_bool, opt_str, opt_u64, options, req_str, request, scalar,
};
use super::output::{fields_object, url_headers, wiped_string};
use super::sse::{customer_key, operation, sse};
use crate::credentials::Credentials;
use crate::error::{err, q, Result};
use crate::post_form::{PostKey, PostObjectFormOptions};
use crate::request::{Pin, SignRequestOptions};
use crate::sign::KeyTime;
use crate::signer::Signer;

/// Signs COS requests with one set of credentials (see the README and `index.d.ts`).
#[wasm_bindgen(js_name = CosSigner)]
pub struct JsSigner {
    inner: Signer,
    /// Seconds added to this device's clock for `expires` (COS's clock minus ours).
    clock_offset: i64,
}

/// The largest clock correction accepted: a day. A larger one is a bug, not a skew.
const MAX_CLOCK_OFFSET: f64 = 86_400.0;

fn clock_offset(v: &JsValue) -> Result<i64> {
    if v.is_undefined() || v.is_null() {
        return Ok(0);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() <= MAX_CLOCK_OFFSET => Ok(n as i64),
        _ => Err(err!(
            InvalidArgument,
            "`clockOffset` must be whole seconds between -86400 and 86400"
        )),
    }
}

impl JsSigner {
    /// The key time of `opts`, with `expires` counted from the corrected clock.
    fn key_time(&self, opts: &JsValue) -> Result<KeyTime> {
        let now = now_seconds().saturating_add_signed(self.clock_offset);
        key_time(opts, now)
    }
}

#[wasm_bindgen(js_class = CosSigner)]
impl JsSigner {
    /// `new CosSigner({ secretId, secretKey, securityToken?, clockOffset? })`.
    #[wasm_bindgen(constructor)]
    pub fn new(opts: JsValue) -> Result<JsSigner> {
        options(&opts, "new CosSigner()")?;
        let mut creds =
            Credentials::new(req_str(&opts, "secretId")?, req_str(&opts, "secretKey")?)?;
        if let Some(t) = opt_str(&opts, "securityToken")? {
            creds = creds.with_security_token(t)?;
        }
        Ok(JsSigner {
            inner: Signer::new(creds),
            clock_offset: clock_offset(&get(&opts, "clockOffset")?)?,
        })
    }

    /// Seconds added to this device's clock when `expires` is turned into a key time
    /// (COS's clock minus this device's; see `clockOffsetFromResponse`).
    #[wasm_bindgen(getter, js_name = clockOffset)]
    pub fn get_clock_offset(&self) -> f64 {
        self.clock_offset as f64
    }

    /// Corrects the clock: whole seconds, at most a day either way.
    #[wasm_bindgen(setter, js_name = clockOffset)]
    pub fn set_clock_offset(&mut self, offset: JsValue) -> Result<()> {
        self.clock_offset = clock_offset(&offset)?;
        Ok(())
    }

    /// The `Authorization` header value.
    pub fn authorization(&self, opts: JsValue) -> Result<String> {
        options(&opts, "authorization()")?;
        self.inner
            .authorization(&request(&opts)?, self.key_time(&opts)?)
    }

    /// A pre-signed URL.
    #[wasm_bindgen(js_name = presignUrl)]
    pub fn presign_url(&self, opts: JsValue) -> Result<JsValue> {
        options(&opts, "presignUrl()")?;
        let url =
            self.inner
                .presign_url(&request(&opts)?, &endpoint(&opts)?, self.key_time(&opts)?)?;
        Ok(wiped_string(url))
    }

    /// A request ready for `fetch`: `{ url, headers }` with Authorization, token and SSE headers.
    #[wasm_bindgen(js_name = signRequest)]
    pub fn sign_request(&self, opts: JsValue) -> Result<JsValue> {
        options(&opts, "signRequest()")?;
        let req = sign_request(&opts)?;
        let signed = self
            .inner
            .sign_request(&req, &endpoint(&opts)?, self.key_time(&opts)?)?;
        Ok(with_method(url_headers(signed), &req.method))
    }

    /// A pre-signed URL plus the signed headers (SSE-C / SSE-KMS) the caller must send.
    #[wasm_bindgen(js_name = presignRequest)]
    pub fn presign_request(&self, opts: JsValue) -> Result<JsValue> {
        options(&opts, "presignRequest()")?;
        let req = sign_request(&opts)?;
        let signed = self
            .inner
            .presign_request(&req, &endpoint(&opts)?, self.key_time(&opts)?)?;
        Ok(with_method(url_headers(signed), &req.method))
    }

    /// A complete POST Object form: `{ url, fields }` (append `file` last).
    #[wasm_bindgen(js_name = postObjectForm)]
    pub fn post_object_form(&self, opts: JsValue) -> Result<JsValue> {
        options(&opts, "postObjectForm()")?;
        let form = post_form(&opts)?;
        let mut signed =
            self.inner
                .post_object_form(&form, &endpoint(&opts)?, self.key_time(&opts)?)?;
        let o = Object::new();
        let _ = Reflect::set(&o, &"url".into(), &signed.url.as_str().into());
        let _ = Reflect::set(&o, &"fields".into(), &fields_object(&mut signed.fields));
        Ok(o.into())
    }

    /// POST Object policy form fields.
    #[wasm_bindgen(js_name = signPostPolicy)]
    pub fn sign_post_policy(&self, opts: JsValue) -> Result<JsValue> {
        options(&opts, "signPostPolicy()")?;
        let policy = get(&opts, "policy")?;
        let text = if let Some(s) = js_text(&policy, "policy")? {
            s
        } else if policy.is_object() && !is_array(&policy) {
            json_text(&policy, "policy", crate::ErrorCode::InvalidPolicy)?
        } else {
            return Err(err!(
                InvalidPolicy,
                "`policy` must be an object or its exact JSON text"
            ));
        };
        let mut fields = self.inner.sign_post_policy(&text, self.key_time(&opts)?)?;
        Ok(fields_object(&mut fields.fields))
    }
}

/// `{ url, headers }` plus the `method` that was signed (upper-case, as fetch sends it), so
/// `cosErrorFromResponse(res, signed)` and `explainSignatureMismatch` compare the right one.
fn with_method(out: JsValue, method: &str) -> JsValue {
    let _ = Reflect::set(&out, &"method".into(), &method.to_ascii_uppercase().into());
    out
}

pub(super) fn sign_request(obj: &JsValue) -> Result<SignRequestOptions> {
    let req = request(obj)?;
    let copy = get(obj, "copySourceSse")?;
    let copy_source_sse = if copy.is_undefined() || copy.is_null() {
        None
    } else {
        Some(customer_key(
            &get(&copy, "key")?,
            opt_algorithm(&copy)?,
            "`copySourceSse.key`",
        )?)
    };
    Ok(SignRequestOptions {
        method: req.method,
        key: req.key,
        query: req.query,
        headers: req.headers,
        sign_headers: req.sign_headers,
        sse: sse(&get(obj, "sse")?)?,
        copy_source_sse,
        operation: operation(obj)?,
        pin: pin(&get(obj, "pin")?)?,
    })
}

/// `pin: { acl?, contentType?, storageClass? }`: unset members keep [`Pin::default`].
fn pin(v: &JsValue) -> Result<Pin> {
    let mut p = Pin::default();
    if v.is_undefined() || v.is_null() {
        return Ok(p);
    }
    options(v, "`pin`")?;
    for (name, slot) in [
        ("acl", &mut p.acl),
        ("contentType", &mut p.content_type),
        ("storageClass", &mut p.storage_class),
    ] {
        if let Some(b) = bool_or_unset(v, name)? {
            *slot = b;
        }
    }
    Ok(p)
}

/// `obj[name]` as a boolean, `None` when unset.
fn bool_or_unset(obj: &JsValue, name: &str) -> Result<Option<bool>> {
    let v = get(obj, name)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| err!(InvalidArgument, "`{}` must be a boolean when given", name))
}

pub(super) fn post_form(obj: &JsValue) -> Result<PostObjectFormOptions> {
    let key = match (opt_str(obj, "key")?, opt_str(obj, "keyPrefix")?) {
        (Some(k), None) => PostKey::Exact(k),
        (None, Some(p)) => PostKey::Prefix(p),
        _ => {
            return Err(err!(
                InvalidArgument,
                "pass exactly one of `key` or `keyPrefix`"
            ))
        }
    };
    let range = get(obj, "contentLengthRange")?;
    let content_length_range = if range.is_undefined() || range.is_null() {
        None
    } else {
        let arr = if is_array(&range) {
            Some(array_from(&range, "contentLengthRange")?)
        } else {
            None
        };
        match arr
            .as_ref()
            .map(|a| (a.length(), a.get(0).as_f64(), a.get(1).as_f64()))
        {
            Some((2, Some(min), Some(max)))
                if min >= 0.0
                    && max >= 0.0
                    && min.fract() == 0.0
                    && max.fract() == 0.0
                    && max <= 9_007_199_254_740_991.0 =>
            {
                Some((min as u64, max as u64))
            }
            _ => {
                return Err(err!(
                    InvalidPolicy,
                    "`contentLengthRange` must be [min, max] in bytes"
                ))
            }
        }
    };
    let status = opt_u64(obj, "successActionStatus")?
        .map(|s| {
            u16::try_from(s).map_err(|_| {
                err!(
                    InvalidPolicy,
                    "`successActionStatus` must be 200, 201 or 204"
                )
            })
        })
        .transpose()?;
    let mut meta = Vec::new();
    for (k, v) in entries(&get(obj, "meta")?, "meta")? {
        let v = scalar(&v)
            .ok_or_else(|| err!(InvalidHeaderValue, "meta {} must be a string", q(&k)))?;
        meta.push((k, v));
    }
    let conds = get(obj, "conditions")?;
    let mut conditions = Vec::new();
    if !conds.is_undefined() && !conds.is_null() {
        if !is_array(&conds) {
            return Err(err!(
                InvalidPolicy,
                "`conditions` must be an array of policy conditions"
            ));
        }
        for c in array_from(&conds, "conditions")?.iter() {
            conditions.push(json_text(
                &c,
                "conditions",
                crate::ErrorCode::InvalidPolicy,
            )?);
        }
    }
    Ok(PostObjectFormOptions {
        key,
        sse: sse(&get(obj, "sse")?)?,
        content_length_range,
        content_type: opt_str(obj, "contentType")?,
        success_action_status: status,
        success_action_redirect: opt_str(obj, "successActionRedirect")?,
        meta,
        storage_class: opt_str(obj, "storageClass")?,
        acl: opt_str(obj, "acl")?,
        conditions,
        strict: bool_or_unset(obj, "strict")?.unwrap_or(true),
        allow_empty_key_prefix: opt_bool(obj, "allowEmptyKeyPrefix")?,
    })
}
