//! Bucket default encryption XML (`PUT /?encryption` body, `GET /?encryption` answer), in the
//! `cos-wasm/explain` entry beside the other readers of COS XML: bucket configuration, which
//! a page or worker that signs uploads never needs, so the signer entry carries neither
//! these functions nor the XML parser.

use wasm_bindgen::prelude::*;

use super::output::packed;
use super::snapshot::{opt_str, options, req_str, text, Node};
use crate::bucket_encryption::BucketEncryption;
use crate::error::{err, Result};

/// `bucketEncryptionXml({ algorithm: 'AES256' | 'SM4' | 'KMS', kmsKeyId? })`: the
/// `<ServerSideEncryptionConfiguration>` body of `PUT /?encryption`.
pub(super) fn encryption_xml(opts: &Node<'_>) -> Result<String> {
    options(opts, "bucketEncryptionXml()")?;
    let cfg = match req_str(opts, "algorithm")?.as_str() {
        "AES256" => BucketEncryption::Aes256,
        "SM4" => BucketEncryption::Sm4,
        "KMS" => BucketEncryption::kms(opt_str(opts, "kmsKeyId")?.as_deref())?,
        other => {
            return Err(err!(InvalidSse, "bucket encryption algorithm must be 'AES256', 'SM4' or 'KMS' (got {} characters of something else)", other.chars().count()))
        }
    };
    Ok(cfg.to_xml())
}

/// `parseBucketEncryptionXml(xml)` → `{ algorithm, kmsKeyId? }` of a `GET /?encryption`
/// answer, packed: the algorithm, then the KMS key id when there is one.
pub(super) fn parse_encryption_xml(xml: &Node<'_>) -> Result<JsValue> {
    let text = text(xml, "xml")?.ok_or_else(|| err!(InvalidXml, "expected the XML text"))?;
    let cfg = BucketEncryption::parse_xml(text)?;
    let mut parts = vec![cfg.algorithm_str().to_owned()];
    if let BucketEncryption::Kms { key_id: Some(id) } = &cfg {
        parts.push(id.clone());
    }
    Ok(packed(parts.iter_mut()))
}
