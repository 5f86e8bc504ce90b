//! `CosSigner`: authorization headers, pre-signed URLs, signed requests and POST forms.

use wasm_bindgen::prelude::*;

use super::options::now_seconds;
use super::output::{header_parts, packed, pair_parts, wiped_string};
use super::snapshot::{
    bool_or_unset, endpoint, entries, get, json_text, key_time, opt_algorithm, opt_bool, opt_str,
    opt_u64, options, req_str, request, scalar, Args, Node,
};
use super::sse::{customer_key, operation, sse};
use crate::credentials::Credentials;
use crate::error::{err, q, Result};
use crate::post_form::{PostKey, PostObjectFormOptions};
use crate::request::{Pin, SignRequestOptions};
use crate::signer::Signer;

/// Signs COS requests with one set of credentials (see the README and `index.d.ts`). JS
/// sees it as `CosSigner`, the subclass in `pkg-template/extras.js` whose constructor
/// takes the snapshot of the options (this raw class is not exported by the loaders).
#[wasm_bindgen(js_name = __CosSigner)]
pub struct JsSigner {
    inner: Signer,
    /// Seconds added to this device's clock for `expires` (COS's clock minus ours).
    clock_offset: i64,
    /// `strict` given to the constructor: the default of every call (strict signing).
    strict: bool,
}

/// The largest clock correction accepted: a day. A larger one is a bug, not a skew.
const MAX_CLOCK_OFFSET: i64 = 86_400;

/// A clock offset (`None`: not a whole number) checked against [`MAX_CLOCK_OFFSET`].
fn clock_offset(n: Option<i64>) -> Result<i64> {
    n.filter(|n| n.abs() <= MAX_CLOCK_OFFSET).ok_or_else(|| {
        err!(
            InvalidArgument,
            "`clockOffset` must be whole seconds between -86400 and 86400"
        )
    })
}

#[wasm_bindgen(js_class = __CosSigner)]
impl JsSigner {
    /// `new CosSigner({ secretId, secretKey, securityToken?, clockOffset?, strict? })`, its options
    /// as `pkg-template/snapshot.js` encoded them (the snapshot text holds the secret key
    /// and is wiped when decoded).
    #[wasm_bindgen(constructor)]
    pub fn new(text: String, bytes: Option<Vec<u8>>) -> Result<JsSigner> {
        let args = Args::new(text, bytes);
        let opts = args.root()?;
        options(&opts, "new CosSigner()")?;
        let mut creds =
            Credentials::new(req_str(&opts, "secretId")?, req_str(&opts, "secretKey")?)?;
        if let Some(t) = opt_str(&opts, "securityToken")? {
            creds = creds.with_security_token(t)?;
        }
        let offset = get(&opts, "clockOffset");
        Ok(JsSigner {
            inner: Signer::new(creds),
            clock_offset: if offset.is_absent() {
                0
            } else {
                clock_offset(offset.int())?
            },
            strict: bool_or_unset(&opts, "strict")?.unwrap_or(false),
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
        self.clock_offset = if offset.is_undefined() || offset.is_null() {
            0
        } else {
            // A whole number (the cast saturates; the range check refuses what it made).
            clock_offset(
                offset
                    .as_f64()
                    .filter(|n| n.is_finite() && n.fract() == 0.0)
                    .map(|n| n as i64),
            )?
        };
        Ok(())
    }

    /// The one crossing of every signing call: `op` names the method ([`Op`]), `text` and
    /// `bytes` are its options as `pkg-template/snapshot.js` encoded them. The result is
    /// packed as `output::packed` describes; `pkg-template/extras.js` unpacks it.
    #[wasm_bindgen(js_name = __call)]
    pub fn call(&self, op: u32, text: String, bytes: Option<Vec<u8>>) -> Result<JsValue> {
        let args = Args::new(text, bytes);
        let opts = args.root()?;
        let op = Op::from(op)?;
        options(&opts, op.what())?;
        let key_time = || {
            let now = now_seconds().saturating_add_signed(self.clock_offset);
            key_time(&opts, now)
        };
        // Strict signing (Content-Type and Content-Length signed on writes): this call's
        // `strict`, else the constructor's. (POST forms have their own `strict`: pinning.)
        let strict =
            || Ok::<_, crate::Error>(bool_or_unset(&opts, "strict")?.unwrap_or(self.strict));
        let request = || {
            let mut req = request(&opts)?;
            if strict()? {
                crate::request::apply_strict(&mut req)?;
            }
            Ok::<_, crate::Error>(req)
        };
        Ok(match op {
            Op::Authorization => wiped_string(self.inner.authorization(&request()?, key_time()?)?),
            Op::PresignUrl => wiped_string(self.inner.presign_url(
                &request()?,
                &endpoint(&opts)?,
                key_time()?,
            )?),
            Op::SignRequest | Op::PresignRequest => {
                let (mut req, ep) = (sign_request(&opts)?, endpoint(&opts)?);
                req.strict = strict()?;
                let mut signed = if op == Op::SignRequest {
                    self.inner.sign_request(&req, &ep, key_time()?)?
                } else {
                    self.inner.presign_request(&req, &ep, key_time()?)?
                };
                // The method signed (upper-case, as fetch sends it), so that
                // `cosErrorFromResponse(res, signed)` and `explainSignatureMismatch` compare
                // the right one; then the URL and the headers.
                let mut method = req.method.to_ascii_uppercase();
                packed(
                    [&mut method, &mut signed.url]
                        .into_iter()
                        .chain(header_parts(&mut signed.headers)),
                )
            }
            Op::PostObjectForm => {
                let form = post_form(&opts)?;
                let mut signed =
                    self.inner
                        .post_object_form(&form, &endpoint(&opts)?, key_time()?)?;
                packed(core::iter::once(&mut signed.url).chain(pair_parts(&mut signed.fields)))
            }
            Op::SignPostPolicy => {
                let text = match get(&opts, "policy") {
                    Node::Str(s) => (*s).to_owned(),
                    p @ Node::Json(_) => json_text(p, "policy", crate::ErrorCode::InvalidPolicy)?,
                    _ => {
                        return Err(err!(
                            InvalidPolicy,
                            "`policy` must be an object or its exact JSON text"
                        ))
                    }
                };
                let mut signed = self.inner.sign_post_policy(&text, key_time()?)?;
                packed(pair_parts(&mut signed.fields))
            }
        })
    }
}

/// The methods of `CosSigner` that cross as one snapshot, by the number JS passes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Authorization,
    PresignUrl,
    SignRequest,
    PresignRequest,
    PostObjectForm,
    SignPostPolicy,
}

impl Op {
    fn from(n: u32) -> Result<Self> {
        Ok(match n {
            0 => Self::Authorization,
            1 => Self::PresignUrl,
            2 => Self::SignRequest,
            3 => Self::PresignRequest,
            4 => Self::PostObjectForm,
            5 => Self::SignPostPolicy,
            _ => return Err(err!(InvalidArgument, "unknown CosSigner operation")),
        })
    }

    /// The method's name, for "expects an options object".
    fn what(self) -> &'static str {
        match self {
            Self::Authorization => "authorization()",
            Self::PresignUrl => "presignUrl()",
            Self::SignRequest => "signRequest()",
            Self::PresignRequest => "presignRequest()",
            Self::PostObjectForm => "postObjectForm()",
            Self::SignPostPolicy => "signPostPolicy()",
        }
    }
}

pub(super) fn sign_request(obj: &Node<'_>) -> Result<SignRequestOptions> {
    let req = request(obj)?;
    let copy = get(obj, "copySourceSse");
    let copy_source_sse = if copy.is_absent() {
        None
    } else {
        Some(customer_key(
            get(copy, "key"),
            opt_algorithm(copy)?,
            "`copySourceSse.key`",
        )?)
    };
    Ok(SignRequestOptions {
        method: req.method,
        key: req.key,
        query: req.query,
        headers: req.headers,
        sign_headers: req.sign_headers,
        sse: sse(get(obj, "sse"))?,
        copy_source_sse,
        operation: operation(obj)?,
        pin: pin(get(obj, "pin"))?,
        strict: false,
    })
}

/// `pin: { acl?, contentType?, storageClass? }`: unset members keep [`Pin::default`].
fn pin(v: &Node<'_>) -> Result<Pin> {
    let mut p = Pin::default();
    if v.is_absent() {
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

pub(super) fn post_form(obj: &Node<'_>) -> Result<PostObjectFormOptions> {
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
    let content_length_range = match get(obj, "contentLengthRange") {
        Node::Absent => None,
        Node::Arr(a) => match a.as_slice() {
            [min, max] => min
                .int()
                .zip(max.int())
                .and_then(|(min, max)| Some((u64::try_from(min).ok()?, u64::try_from(max).ok()?))),
            _ => None,
        }
        .map(Some)
        .ok_or_else(|| {
            err!(
                InvalidPolicy,
                "`contentLengthRange` must be [min, max] in bytes"
            )
        })?,
        _ => {
            return Err(err!(
                InvalidPolicy,
                "`contentLengthRange` must be [min, max] in bytes"
            ))
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
    for (k, v) in entries(get(obj, "meta"), "meta")? {
        let v =
            scalar(v).ok_or_else(|| err!(InvalidHeaderValue, "meta {} must be a string", q(k)))?;
        meta.push(((*k).to_owned(), v));
    }
    let conditions = match get(obj, "conditions") {
        Node::Absent => Vec::new(),
        Node::Arr(items) => items
            .iter()
            .map(|c| json_text(c, "conditions", crate::ErrorCode::InvalidPolicy))
            .collect::<Result<_>>()?,
        _ => {
            return Err(err!(
                InvalidPolicy,
                "`conditions` must be an array of policy conditions"
            ))
        }
    };
    Ok(PostObjectFormOptions {
        key,
        sse: sse(get(obj, "sse"))?,
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
