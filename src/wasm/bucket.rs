//! Bucket default encryption XML (`PUT /?encryption` body, `GET /?encryption` answer), in the
//! `cos-wasm/explain` entry beside the other readers of COS XML: bucket configuration, which
//! a page or worker that signs uploads never needs, so the signer entry carries neither
//! these functions nor the XML parser.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::options::{js_text, opt_str, options, req_str};
use crate::bucket_encryption::BucketEncryption;
use crate::error::{err, Result};

/// `bucketEncryptionXml({ algorithm: 'AES256' | 'SM4' | 'KMS', kmsKeyId? })`: the
/// `<ServerSideEncryptionConfiguration>` body of `PUT /?encryption`.
#[wasm_bindgen(js_name = bucketEncryptionXml)]
pub fn bucket_encryption_xml(opts: JsValue) -> Result<String> {
    options(&opts, "bucketEncryptionXml()")?;
    let cfg = match req_str(&opts, "algorithm")?.as_str() {
        "AES256" => BucketEncryption::Aes256,
        "SM4" => BucketEncryption::Sm4,
        "KMS" => BucketEncryption::kms(opt_str(&opts, "kmsKeyId")?.as_deref())?,
        other => {
            return Err(err!(InvalidSse, "bucket encryption algorithm must be 'AES256', 'SM4' or 'KMS' (got {} characters of something else)", other.chars().count()))
        }
    };
    Ok(cfg.to_xml())
}

/// `parseBucketEncryptionXml(xml)` → `{ algorithm, kmsKeyId? }` of a `GET /?encryption`
/// answer.
#[wasm_bindgen(js_name = parseBucketEncryptionXml)]
pub fn parse_bucket_encryption_xml(xml: JsValue) -> Result<JsValue> {
    let text = js_text(&xml, "xml")?.ok_or_else(|| err!(InvalidXml, "expected the XML text"))?;
    let cfg = BucketEncryption::parse_xml(&text)?;
    let o = Object::new();
    let _ = Reflect::set(&o, &"algorithm".into(), &cfg.algorithm_str().into());
    if let BucketEncryption::Kms { key_id: Some(id) } = &cfg {
        let _ = Reflect::set(&o, &"kmsKeyId".into(), &id.as_str().into());
    }
    Ok(o.into())
}
