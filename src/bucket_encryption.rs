//! Bucket default encryption (protocol §4, [PUT Bucket encryption](https://www.tencentcloud.com/document/product/436/33460),
//! [GET Bucket encryption](https://intl.cloud.tencent.com/document/product/436/33459)).
//!
//! `PUT /?encryption` takes, and `GET /?encryption` returns:
//!
//! ```xml
//! <ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>
//!   <SSEAlgorithm>AES256|SM4|KMS</SSEAlgorithm><KMSMasterKeyID>…</KMSMasterKeyID>
//! </ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>
//! ```
//!
//! The value is `KMS` here, not `cos/kms`; `KMSMasterKeyID` only appears with `KMS`.
//! SM4 as a bucket default is UNCONFIRMED (protocol §4); it is supported because the COS SSE overview
//! page documents SM4 for object-level SSE.

use crate::error::{cat, err, q, Result};
use crate::xml::{escape, parse_tree};

/// A bucket's default encryption rule (protocol §4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BucketEncryption {
    /// `<SSEAlgorithm>AES256</SSEAlgorithm>` (SSE-COS with AES-256).
    Aes256,
    /// `<SSEAlgorithm>SM4</SSEAlgorithm>` (SSE-COS with SM4; UNCONFIRMED for buckets).
    Sm4,
    /// `<SSEAlgorithm>KMS</SSEAlgorithm>` with an optional `<KMSMasterKeyID>` (default:
    /// the CMK COS creates).
    Kms {
        /// The KMS CMK id.
        key_id: Option<String>,
    },
}

const ROOT: &str = "ServerSideEncryptionConfiguration";
const RULE: &str = "Rule";
const APPLY: &str = "ApplyServerSideEncryptionByDefault";
const ALGORITHM: &str = "SSEAlgorithm";
const KMS_KEY_ID: &str = "KMSMasterKeyID";

impl BucketEncryption {
    /// SSE-KMS with an optional CMK id, validated.
    ///
    /// # Errors
    /// `ERR_INVALID_SSE` if the id is empty or contains control characters.
    pub fn kms(key_id: Option<&str>) -> Result<Self> {
        if let Some(id) = key_id {
            if id.trim().is_empty() || id.chars().any(char::is_control) {
                return Err(err!(InvalidSse, "the KMS key id must be non-empty without control characters; omit it to use the default CMK"));
            }
        }
        Ok(Self::Kms {
            key_id: key_id.map(|s| s.trim().to_owned()),
        })
    }

    /// The `<SSEAlgorithm>` value: `AES256`, `SM4` or `KMS`.
    #[must_use]
    pub fn algorithm_str(&self) -> &'static str {
        match self {
            Self::Aes256 => "AES256",
            Self::Sm4 => "SM4",
            Self::Kms { .. } => "KMS",
        }
    }

    /// The request body of `PUT /?encryption` (no XML declaration, no whitespace). An empty
    /// KMS key id is omitted; the 5 XML entities are escaped.
    #[must_use]
    pub fn to_xml(&self) -> String {
        let key = match self {
            Self::Kms { key_id: Some(id) } if !id.trim().is_empty() => {
                cat!("<{}>{}</{}>", KMS_KEY_ID, escape(id.trim()), KMS_KEY_ID)
            }
            _ => String::new(),
        };
        cat!(
            "<{}><{}><{}><{}>{}</{}>{}</{}></{}></{}>",
            ROOT,
            RULE,
            APPLY,
            ALGORITHM,
            self.algorithm_str(),
            ALGORITHM,
            key,
            APPLY,
            RULE,
            ROOT
        )
    }

    /// Parses a `GET /?encryption` body. Tolerates an XML declaration, comments,
    /// whitespace, namespace prefixes and attributes (`xmlns`), CDATA, and elements it
    /// does not know; the first `Rule` is used.
    ///
    /// # Errors
    /// `ERR_INVALID_XML` for malformed XML, a missing element, or an unknown algorithm.
    pub fn parse_xml(xml: &str) -> Result<Self> {
        let root = parse_tree(xml)?;
        if root.name != ROOT {
            return Err(err!(
                InvalidXml,
                "expected a <{}> document, got <{}>",
                ROOT,
                root.name
            ));
        }
        let apply = root
            .child(RULE)
            .and_then(|r| r.child(APPLY))
            .ok_or_else(|| err!(InvalidXml, "missing <{}><{}> in <{}>", RULE, APPLY, ROOT))?;
        let algorithm = apply
            .child(ALGORITHM)
            .map(|n| n.text.trim())
            .ok_or_else(|| err!(InvalidXml, "missing <{}> in <{}>", ALGORITHM, APPLY))?;
        match algorithm {
            "AES256" => Ok(Self::Aes256),
            "SM4" => Ok(Self::Sm4),
            "KMS" => Ok(Self::Kms {
                key_id: apply
                    .child(KMS_KEY_ID)
                    .map(|n| n.text.trim().to_owned())
                    .filter(|s| !s.is_empty()),
            }),
            other => Err(err!(
                InvalidXml,
                "unknown <{}> {}; expected AES256, SM4 or KMS",
                ALGORITHM,
                q(other)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn roundtrip() {
        for e in [
            BucketEncryption::Aes256,
            BucketEncryption::Sm4,
            BucketEncryption::Kms { key_id: None },
            BucketEncryption::Kms {
                key_id: Some("a&b<c>\"d'".into()),
            },
        ] {
            assert_eq!(BucketEncryption::parse_xml(&e.to_xml()).expect("parse"), e);
        }
        assert_eq!(
            BucketEncryption::Aes256.to_xml(),
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"
        );
    }

    #[test]
    fn tolerant() {
        let xml = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<ns:ServerSideEncryptionConfiguration xmlns:ns=\"http://x/\">\n  <ns:Rule>\n    <ns:ApplyServerSideEncryptionByDefault a='>'>\n      <ns:SSEAlgorithm> KMS </ns:SSEAlgorithm>\n      <ns:KMSMasterKeyID><![CDATA[key-1]]></ns:KMSMasterKeyID>\n    </ns:ApplyServerSideEncryptionByDefault>\n  </ns:Rule>\n</ns:ServerSideEncryptionConfiguration>\n";
        assert_eq!(
            BucketEncryption::parse_xml(xml).expect("ok"),
            BucketEncryption::Kms {
                key_id: Some("key-1".into())
            }
        );
    }

    #[test]
    fn garbage() {
        for bad in [
            "",
            "garbage",
            "<a>",
            "<a></b>",
            "<ServerSideEncryptionConfiguration/>",
            "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>cos/kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
            "<!DOCTYPE x><x/>",
            "<a>&bogus;</a>",
            "<a/><b/>",
        ] {
            assert_eq!(
                BucketEncryption::parse_xml(bad).unwrap_err().code(),
                ErrorCode::InvalidXml,
                "{bad}"
            );
        }
    }
}
