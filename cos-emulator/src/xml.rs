//! XML on `quick-xml`: a small element tree for request bodies (CompleteMultipartUpload,
//! Delete, AccessControlPolicy, ServerSideEncryptionConfiguration, RestoreRequest) and text
//! escaping for the responses.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Largest XML request body read.
pub const MAX_XML_BODY: u64 = 4 * 1024 * 1024;
/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 32;

/// One element: local name, concatenated text, children.
#[derive(Debug, Default, Clone)]
pub struct Element {
    /// Local name (namespace prefix dropped).
    pub name: String,
    /// Text content (unescaped, trimmed).
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
}

impl Element {
    /// First child with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    /// All children with this name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// Text of the first child with this name.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }
}

/// Parses a document and returns its root element, or None when it is not well-formed.
pub fn parse(xml: &str) -> Option<Element> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH || root.is_some() {
                    return None;
                }
                stack.push(Element {
                    name: String::from_utf8(e.local_name().as_ref().to_vec()).ok()?,
                    ..Default::default()
                });
            }
            Event::Empty(e) => {
                let el = Element {
                    name: String::from_utf8(e.local_name().as_ref().to_vec()).ok()?,
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return None,
                }
            }
            Event::Text(t) => {
                let s = t.unescape().ok()?;
                stack.last_mut()?.text.push_str(s.trim());
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(&t).ok()?.to_string();
                stack.last_mut()?.text.push_str(&s);
            }
            Event::End(_) => {
                let el = stack.pop()?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.is_empty() {
        root
    } else {
        None
    }
}

/// Escapes text for an element or attribute. Characters XML 1.0 cannot carry at all never
/// reach here (keys with them are refused, see `objio::check_key_chars`); CR and TAB are
/// written as character references so parsers do not normalise them away.
pub fn escape(s: &str) -> String {
    let e = quick_xml::escape::escape(s);
    if e.contains(['\r', '\t']) {
        e.replace('\r', "&#xD;").replace('\t', "&#x9;")
    } else {
        e.into_owned()
    }
}

/// Whether XML 1.0 can carry this character (as text or a character reference).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_and_escape() {
        let e = parse("<?xml version='1.0'?><A><B>x &amp; y</B><B/><C><D>1</D></C></A>").unwrap();
        assert_eq!(e.name, "A");
        assert_eq!(e.all("B").count(), 2);
        assert_eq!(e.text_of("B"), Some("x & y"));
        assert_eq!(e.child("C").and_then(|c| c.text_of("D")), Some("1"));
        assert!(parse("<A><B></A>").is_none());
        assert_eq!(escape("a<b>&\"'\r"), "a&lt;b&gt;&amp;&quot;&apos;&#xD;");
    }
}
