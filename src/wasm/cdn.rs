//! `cdnAuthUrl`: Tencent CDN / EdgeOne URL authentication (types A–D) in the signer entry.
//! Reads the options, draws TypeA's `rand` from `crypto.getRandomValues` when it is not
//! given, and calls the core ([`crate::cdn`]). The key is copied into a zeroized buffer.

use wasm_bindgen::prelude::*;

use super::options::{get, js_text, opt_str, options, random_bytes};
use crate::cdn::{cdn_auth_url, cdn_rand, CdnAuthOptions, CdnAuthType, CdnTimeFormat};
use crate::error::{err, Result};

/// Random bytes behind a generated TypeA `rand` (their hex: 32 letters and digits).
const RAND_BYTES: usize = 16;

/// `cdnAuthUrl({ type, url, key, timestamp, rand?, uid?, signParam?, timeParam?,
/// timeFormat? })`: the URL authenticated for a Tencent CDN / EdgeOne domain.
#[wasm_bindgen(js_name = cdnAuthUrl)]
pub fn cdn_auth_url_js(opts: JsValue) -> Result<String> {
    options(&opts, "cdnAuthUrl()")?;
    let auth_type = match js_text(&get(&opts, "type")?, "type")? {
        Some(t) => CdnAuthType::parse(&t)?,
        None => {
            return Err(err!(
                InvalidCdnAuth,
                "`type` must be 'A', 'B', 'C' or 'D' (the CDN/EdgeOne authentication type)"
            ))
        }
    };
    let url = opt_str(&opts, "url")?.ok_or_else(|| {
        err!(
            InvalidUrl,
            "`url` must be the absolute URL on the CDN domain"
        )
    })?;
    let key = zeroize::Zeroizing::new(js_text(&get(&opts, "key")?, "key")?.ok_or_else(|| {
        err!(
            InvalidCdnAuth,
            "`key` must be the domain's authentication key (a string)"
        )
    })?);
    let ts = get(&opts, "timestamp")?;
    let timestamp = match ts.as_f64() {
        Some(n)
            if n.is_finite()
                && n >= 0.0
                && n.fract() == 0.0
                && n <= crate::cdn::MAX_CDN_TIMESTAMP as f64 =>
        {
            n as u64
        }
        _ => {
            return Err(err!(
            InvalidTimestamp,
            "`timestamp` must be whole Unix seconds (a number, 0 or more): when the URL is signed"
        ))
        }
    };
    let time_format = opt_str(&opts, "timeFormat")?
        .map(|f| CdnTimeFormat::parse(&f))
        .transpose()?;
    let mut rand = opt_str(&opts, "rand")?;
    if rand.is_none() && auth_type == CdnAuthType::A {
        rand = Some(cdn_rand(&random_bytes(RAND_BYTES)?));
    }
    let o = CdnAuthOptions {
        auth_type,
        url,
        key,
        timestamp,
        rand,
        uid: opt_str(&opts, "uid")?,
        sign_param: opt_str(&opts, "signParam")?,
        time_param: opt_str(&opts, "timeParam")?,
        time_format,
    };
    cdn_auth_url(&o)
}
