//! `cdnAuthUrl`: Tencent CDN / EdgeOne URL authentication (types A–D) in the signer entry.
//! One crossing: `pkg-template/extras.js` passes the options' snapshot and 16 random bytes
//! from `crypto.getRandomValues` (randomness comes from outside the core) for TypeA's `rand`
//! when it is not given; this calls the core ([`crate::cdn`]). The key is copied into a
//! zeroized buffer.

use wasm_bindgen::prelude::*;

use super::output::wiped_string;
use super::snapshot::{arg, get, opt_str, options, text, Args, Node};
use crate::cdn::{cdn_auth_url, cdn_rand, CdnAuthOptions, CdnAuthType, CdnTimeFormat};
use crate::error::{err, Result};

/// `cdnAuthUrl({ type, url, key, timestamp, rand?, uid?, signParam?, timeParam?,
/// timeFormat? })`: the URL authenticated for a Tencent CDN / EdgeOne domain. `text` and
/// `bytes` are `[options, random]` as `pkg-template/snapshot.js` encoded them.
#[wasm_bindgen(js_name = __cdn)]
pub fn cdn_call(snapshot: String, bytes: Option<Vec<u8>>) -> Result<JsValue> {
    let args = Args::new(snapshot, bytes);
    let root = args.root()?;
    let opts = arg(&root, 0);
    options(opts, "cdnAuthUrl()")?;
    let auth_type = match text(get(opts, "type"), "type")? {
        Some(t) => CdnAuthType::parse(t)?,
        None => {
            return Err(err!(
                InvalidCdnAuth,
                "`type` must be 'A', 'B', 'C' or 'D' (the CDN/EdgeOne authentication type)"
            ))
        }
    };
    let url = opt_str(opts, "url")?.ok_or_else(|| {
        err!(
            InvalidUrl,
            "`url` must be the absolute URL on the CDN domain"
        )
    })?;
    let key = zeroize::Zeroizing::new(
        text(get(opts, "key"), "key")?
            .ok_or_else(|| {
                err!(
                    InvalidCdnAuth,
                    "`key` must be the domain's authentication key (a string)"
                )
            })?
            .to_owned(),
    );
    let timestamp = get(opts, "timestamp")
        .int()
        .and_then(|n| u64::try_from(n).ok())
        .filter(|n| *n <= crate::cdn::MAX_CDN_TIMESTAMP)
        .ok_or_else(|| {
            err!(
                InvalidTimestamp,
                "`timestamp` must be whole Unix seconds (a number, 0 or more): when the URL is signed"
            )
        })?;
    let time_format = opt_str(opts, "timeFormat")?
        .map(|f| CdnTimeFormat::parse(&f))
        .transpose()?;
    let mut rand = opt_str(opts, "rand")?;
    if rand.is_none() && auth_type == CdnAuthType::A {
        let Node::Bytes(random) = arg(&root, 1) else {
            return Err(err!(
                RandomUnavailable,
                "crypto.getRandomValues is not available in this runtime: pass `rand`"
            ));
        };
        rand = Some(cdn_rand(random));
    }
    let o = CdnAuthOptions {
        auth_type,
        url,
        key,
        timestamp,
        rand,
        uid: opt_str(opts, "uid")?,
        sign_param: opt_str(opts, "signParam")?,
        time_param: opt_str(opts, "timeParam")?,
        time_format,
    };
    cdn_auth_url(&o).map(wiped_string)
}
