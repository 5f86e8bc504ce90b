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

use crate::error::{err, Result};

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
const MAX_DEPTH: usize = 32;

impl BucketEncryption {
    /// SSE-KMS with an optional CMK id, validated.
    ///
    /// # Errors
    /// `ERR_INVALID_SSE` if the id is empty or contains control characters.
    pub fn kms(key_id: Option<&str>) -> Result<Self> {
        if let Some(id) = key_id {
            if id.trim().is_empty() || id.chars().any(char::is_control) {
                return Err(err!(
                    InvalidSse,
                    "the KMS key id must be non-empty without control characters; omit it to use the default CMK"
                ));
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
                format!("<{KMS_KEY_ID}>{}</{KMS_KEY_ID}>", escape(id.trim()))
            }
            _ => String::new(),
        };
        format!(
            "<{ROOT}><{RULE}><{APPLY}><{ALGORITHM}>{}</{ALGORITHM}>{key}</{APPLY}></{RULE}></{ROOT}>",
            self.algorithm_str()
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
                "expected a <{ROOT}> document, got <{}>",
                root.name
            ));
        }
        let apply = root
            .child(RULE)
            .and_then(|r| r.child(APPLY))
            .ok_or_else(|| err!(InvalidXml, "missing <{RULE}><{APPLY}> in <{ROOT}>"))?;
        let algorithm = apply
            .child(ALGORITHM)
            .map(|n| n.text.trim())
            .ok_or_else(|| err!(InvalidXml, "missing <{ALGORITHM}> in <{APPLY}>"))?;
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
                "unknown <{ALGORITHM}> {other:?}; expected AES256, SM4 or KMS"
            )),
        }
    }
}

/// Escapes `& < > " '`.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Replaces the 5 named entities and numeric references.
fn unescape(s: &str) -> Result<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let semi = after.find(';').filter(|i| *i <= 10).ok_or_else(|| {
            err!(
                InvalidXml,
                "an '&' is not followed by an entity name and ';'"
            )
        })?;
        let name = after.get(..semi).unwrap_or("");
        let c = match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) =
                    name.strip_prefix("#x").or_else(|| name.strip_prefix("#X"))
                {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = name.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| err!(InvalidXml, "unknown XML entity &{name};"))?
            }
        };
        out.push(c);
        rest = after.get(semi + 1..).unwrap_or("");
    }
    out.push_str(rest);
    Ok(out)
}

/// A parsed element: local name (namespace prefix dropped), text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn local_name(qname: &str) -> &str {
    qname.rsplit(':').next().unwrap_or(qname)
}

/// Parses a small XML document into a tree. No DTDs, no entity expansion beyond the 5
/// predefined entities and numeric references.
fn parse_tree(xml: &str) -> Result<Node> {
    let bad = |why: &str| err!(InvalidXml, "bucket encryption XML is malformed: {why}");
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut rest = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    loop {
        let lt = rest.find('<').unwrap_or(rest.len());
        let text = rest.get(..lt).unwrap_or("");
        match stack.last_mut() {
            Some(top) => top.text.push_str(&unescape(text)?),
            None if !text.trim().is_empty() => return Err(bad("text outside the root element")),
            None => {}
        }
        rest = rest.get(lt..).unwrap_or("");
        if rest.is_empty() {
            break;
        }
        if let Some(r) = rest.strip_prefix("<?") {
            let end = r.find("?>").ok_or_else(|| bad("unterminated <?…?>"))?;
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let end = r.find("-->").ok_or_else(|| bad("unterminated comment"))?;
            rest = r.get(end + 3..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = r.find("]]>").ok_or_else(|| bad("unterminated CDATA"))?;
            let top = stack
                .last_mut()
                .ok_or_else(|| bad("CDATA outside the root"))?;
            top.text.push_str(r.get(..end).unwrap_or(""));
            rest = r.get(end + 3..).unwrap_or("");
        } else if rest.starts_with("<!") {
            return Err(bad("DOCTYPE and other declarations are not accepted"));
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = r.find('>').ok_or_else(|| bad("unterminated end tag"))?;
            let name = local_name(r.get(..end).unwrap_or("").trim());
            let node = stack
                .pop()
                .ok_or_else(|| bad("end tag without a start tag"))?;
            if node.name != name {
                return Err(bad("mismatched end tag"));
            }
            match stack.last_mut() {
                Some(parent) => parent.children.push(node),
                None if root.is_none() => root = Some(node),
                None => return Err(bad("more than one root element")),
            }
            rest = r.get(end + 1..).unwrap_or("");
        } else {
            let r = rest.get(1..).unwrap_or("");
            let end = tag_end(r).ok_or_else(|| bad("unterminated start tag"))?;
            let inner = r.get(..end).unwrap_or("");
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(i) => (i, true),
                None => (inner, false),
            };
            let qname = inner
                .split(|c: char| c.is_ascii_whitespace())
                .next()
                .unwrap_or("");
            if qname.is_empty() {
                return Err(bad("a tag has no name"));
            }
            if root.is_some() {
                return Err(bad("more than one root element"));
            }
            if stack.len() >= MAX_DEPTH {
                return Err(bad("nested too deeply"));
            }
            let node = Node {
                name: local_name(qname).to_owned(),
                ..Node::default()
            };
            if empty {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            } else {
                stack.push(node);
            }
            rest = r.get(end + 1..).unwrap_or("");
        }
    }
    if !stack.is_empty() {
        return Err(bad("unclosed element"));
    }
    root.ok_or_else(|| bad("no root element"))
}

/// Index of the `>` closing a start tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
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
