//! A small XML reader and escaper for the documents COS exchanges (bucket encryption
//! configuration, error bodies). Hand-written: the wasm build needs only well-formed small
//! documents without DTDs, and an XML crate costs tens of KB of `.wasm`.

use crate::error::{err, Result};
use crate::text::{find_str, parse_u64, rsplit_once_ascii};

/// Deepest nesting accepted.
const MAX_DEPTH: usize = 32;

/// Escapes `& < > " '`.
pub(crate) fn escape(s: &str) -> String {
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
pub(crate) fn unescape(s: &str) -> Result<String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = find_str(rest, "&") {
        out.push_str(rest.get(..amp).unwrap_or(""));
        let after = rest.get(amp + 1..).unwrap_or("");
        let semi = find_str(after, ";").filter(|i| *i <= 10).ok_or_else(|| {
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
                    parse_u64(dec).and_then(|n| u32::try_from(n).ok())
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| err!(InvalidXml, "unknown XML entity &{};", name))?
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
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
}

impl Node {
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn local_name(qname: &str) -> &str {
    rsplit_once_ascii(qname, b':').map_or(qname, |(_, local)| local)
}

/// Parses a small XML document into a tree. No DTDs, no entity expansion beyond the 5
/// predefined entities and numeric references.
pub(crate) fn parse_tree(xml: &str) -> Result<Node> {
    let bad = |why: &str| err!(InvalidXml, "the XML is malformed: {}", why);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut rest = xml.strip_prefix('\u{feff}').unwrap_or(xml);
    loop {
        let lt = find_str(rest, "<").unwrap_or(rest.len());
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
            let end = find_str(r, "?>").ok_or_else(|| bad("unterminated <?…?>"))?;
            rest = r.get(end + 2..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<!--") {
            let end = find_str(r, "-->").ok_or_else(|| bad("unterminated comment"))?;
            rest = r.get(end + 3..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("<![CDATA[") {
            let end = find_str(r, "]]>").ok_or_else(|| bad("unterminated CDATA"))?;
            let top = stack
                .last_mut()
                .ok_or_else(|| bad("CDATA outside the root"))?;
            top.text.push_str(r.get(..end).unwrap_or(""));
            rest = r.get(end + 3..).unwrap_or("");
        } else if rest.starts_with("<!") {
            return Err(bad("DOCTYPE and other declarations are not accepted"));
        } else if let Some(r) = rest.strip_prefix("</") {
            let end = find_str(r, ">").ok_or_else(|| bad("unterminated end tag"))?;
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
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The XML entity table shared with pkg-template/xml.js (tests/js/rule-homes.test.mjs):
    /// what both decode alike, and what this strict reader refuses while the JS keeps it.
    #[test]
    fn entity_table_shared_with_js() {
        let t: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/rule-homes.json")).unwrap();
        for c in t["xml_entities"].as_array().unwrap() {
            let input = c["input"].as_str().unwrap();
            let got = unescape(input);
            if c["rust_error"].as_bool() == Some(true) {
                assert!(got.is_err(), "{input}: {got:?}");
            } else {
                assert_eq!(got.unwrap(), c["decoded"].as_str().unwrap(), "{input}");
            }
        }
    }
}
