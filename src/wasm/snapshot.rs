//! The one crossing: a call's arguments as one snapshot.
//!
//! `pkg-template/snapshot.js` reads the caller's arguments once, in JS (own enumerable
//! properties only; bytes only from genuine buffers; a throwing getter, a Proxy trap, a lone
//! surrogate or a value nested too deeply is a `CosError` naming the option, thrown there),
//! and encodes them as one string plus one byte buffer for binary values. The export then
//! makes a single call into wasm; this module decodes the string into a [`Node`] tree that
//! borrows from it and reads options from the tree with the rules and messages of the core.
//! Nothing here calls back into JS, and nothing trusts the encoding: a hand-made string
//! passed to the raw export is decoded with every bound checked, and a malformed one is
//! `ERR_INVALID_ARGUMENT`.
//!
//! The encoding (one node):
//!
//! | text | node |
//! | --- | --- |
//! | `u` | `undefined` or `null` |
//! | `t`, `f` | `true`, `false` |
//! | `n<String(n)>;` | a number, as JS prints it |
//! | `s<len>:<utf-8>` | a string of `len` bytes |
//! | `w` | a string with a lone UTF-16 surrogate (refused where a string is read) |
//! | `j<len>:<utf-8>` | the `JSON.stringify` text of an option COS takes as JSON |
//! | `o<count>:` then `count` × (string node, node) | a plain object's own enumerable entries |
//! | `m<count>:` then the same | a `Map`'s entries |
//! | `a<count>:` then `count` × node | an array |
//! | `b<offset>,<len>;` | bytes of the byte buffer |
//! | `k` string node, string node | a `CustomerKey` of `cos-wasm/keys`: algorithm, base64 key |
//! | `x` | anything else (a function, a symbol, a BigInt) |

use zeroize::Zeroizing;

use super::options::MAX_SECRET_INPUT_BYTES;

use crate::algorithm::SseAlgorithm;
use crate::endpoint::{Endpoint, Protocol};
use crate::error::{cat, err, q, ErrorCode, Result};
use crate::sign::{KeyTime, Request};
use crate::text::parse_u64;

/// The deepest nesting decoded (the JS encoder refuses deeper values first).
const MAX_DEPTH: usize = 32;

/// One decoded argument value; see the module docs for its encoding. No `Debug`: a node may
/// be the secret key or an SSE-C key.
pub(super) enum Node<'a> {
    /// `undefined` or `null`: an option not given.
    Absent,
    Bool(bool),
    /// A number as `String(n)` prints it (`NaN`, `Infinity` and `1e+21` included).
    Num(&'a str),
    Str(&'a str),
    /// A string with a lone UTF-16 surrogate: converting it would silently turn the
    /// surrogate into U+FFFD, signing or storing another name than the one given.
    IllFormed,
    /// `JSON.stringify` of an option COS takes as JSON text (`sse.context`, a policy).
    Json(&'a str),
    Obj(Vec<(&'a str, Node<'a>)>),
    Map(Vec<(&'a str, Node<'a>)>),
    Arr(Vec<Node<'a>>),
    Bytes(&'a [u8]),
    /// A `CustomerKey` of `cos-wasm/keys`, read through its own getters by JS.
    Key {
        algorithm: &'a str,
        base64: &'a str,
    },
    Other,
}

static ABSENT: Node<'static> = Node::Absent;

/// The arguments of one call: the snapshot text and its byte buffer, both wiped when dropped
/// (they may hold an SSE-C key).
pub(super) struct Args {
    text: Zeroizing<String>,
    bytes: Zeroizing<Vec<u8>>,
}

impl Args {
    /// Takes ownership of what the raw export received.
    pub(super) fn new(text: String, bytes: Option<Vec<u8>>) -> Self {
        Self {
            text: Zeroizing::new(text),
            bytes: Zeroizing::new(bytes.unwrap_or_default()),
        }
    }

    /// The root node (the options object, or an array of positional arguments).
    pub(super) fn root(&self) -> Result<Node<'_>> {
        let mut d = Decoder {
            text: self.text.as_str(),
            at: 0,
            bytes: &self.bytes,
        };
        let node = d.node(0)?;
        if d.at != d.text.len() {
            return Err(malformed());
        }
        Ok(node)
    }
}

fn malformed() -> crate::Error {
    err!(
        InvalidArgument,
        "the arguments were not encoded by cos-wasm's own JS (call the documented methods)"
    )
}

struct Decoder<'a> {
    text: &'a str,
    at: usize,
    bytes: &'a [u8],
}

impl<'a> Decoder<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.text.as_bytes().get(self.at).ok_or_else(malformed)?;
        self.at += 1;
        Ok(b)
    }

    /// Text up to (not including) the ASCII `end`, which is consumed.
    fn until(&mut self, end: u8) -> Result<&'a str> {
        let rest = self.text.get(self.at..).ok_or_else(malformed)?;
        let n = rest.bytes().position(|b| b == end).ok_or_else(malformed)?;
        let s = rest.get(..n).ok_or_else(malformed)?;
        self.at += n + 1;
        Ok(s)
    }

    fn count(&mut self, end: u8) -> Result<usize> {
        let n = parse_u64(self.until(end)?).ok_or_else(malformed)?;
        // Every counted item takes at least one byte of text.
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.text.len())
            .ok_or_else(malformed)
    }

    fn sized(&mut self) -> Result<&'a str> {
        let len = self.count(b':')?;
        let end = self.at.checked_add(len).ok_or_else(malformed)?;
        let s = self.text.get(self.at..end).ok_or_else(malformed)?;
        self.at = end;
        Ok(s)
    }

    fn string(&mut self) -> Result<&'a str> {
        if self.byte()? != b's' {
            return Err(malformed());
        }
        self.sized()
    }

    fn entries(&mut self, depth: usize) -> Result<Vec<(&'a str, Node<'a>)>> {
        let n = self.count(b':')?;
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let k = self.string()?;
            out.push((k, self.node(depth + 1)?));
        }
        Ok(out)
    }

    fn node(&mut self, depth: usize) -> Result<Node<'a>> {
        if depth > MAX_DEPTH {
            return Err(malformed());
        }
        Ok(match self.byte()? {
            b'u' => Node::Absent,
            b't' => Node::Bool(true),
            b'f' => Node::Bool(false),
            b'x' => Node::Other,
            b'w' => Node::IllFormed,
            b'n' => Node::Num(self.until(b';')?),
            b's' => Node::Str(self.sized()?),
            b'j' => Node::Json(self.sized()?),
            b'o' => Node::Obj(self.entries(depth)?),
            b'm' => Node::Map(self.entries(depth)?),
            b'a' => {
                let n = self.count(b':')?;
                let mut out = Vec::with_capacity(n.min(64));
                for _ in 0..n {
                    out.push(self.node(depth + 1)?);
                }
                Node::Arr(out)
            }
            b'b' => {
                let offset = self.count(b',')?;
                let len = parse_u64(self.until(b';')?)
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(malformed)?;
                let end = offset.checked_add(len).ok_or_else(malformed)?;
                Node::Bytes(self.bytes.get(offset..end).ok_or_else(malformed)?)
            }
            b'k' => Node::Key {
                algorithm: self.string()?,
                base64: self.string()?,
            },
            _ => return Err(malformed()),
        })
    }
}

impl<'a> Node<'a> {
    /// `undefined` or `null`.
    pub(super) fn is_absent(&self) -> bool {
        matches!(self, Node::Absent)
    }

    /// The integer value of a number node (`None` for a fraction, `NaN`, an infinity, or
    /// beyond 2^53 − 1, where a JS number stops being exact).
    pub(super) fn int(&self) -> Option<i64> {
        let Node::Num(text) = self else { return None };
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, *text),
        };
        if digits.starts_with('+') {
            return None;
        }
        let n = parse_u64(digits).filter(|n| *n <= 9_007_199_254_740_991)?;
        let n = i64::try_from(n).ok()?;
        Some(if neg { -n } else { n })
    }
}

/// `obj[name]`: the own enumerable property `name` of a plain object, else absent.
pub(super) fn get<'n, 'a>(obj: &'n Node<'a>, name: &str) -> &'n Node<'a> {
    match obj {
        Node::Obj(entries) => entries
            .iter()
            .find(|(k, _)| *k == name)
            .map_or(&ABSENT, |(_, v)| v),
        _ => &ABSENT,
    }
}

/// An options object is a plain object or a `Map` (not an array, not a primitive).
pub(super) fn options(value: &Node<'_>, what: &str) -> Result<()> {
    match value {
        Node::Obj(_) | Node::Map(_) => Ok(()),
        _ => Err(err!(InvalidArgument, "{} expects an options object", what)),
    }
}

/// The `JSON.stringify` text JS made of an option COS takes as JSON; `code` is the error
/// code when it could not be made.
pub(super) fn json_text(value: &Node<'_>, name: &str, code: ErrorCode) -> Result<String> {
    match value {
        Node::Json(text) => Ok((*text).to_owned()),
        _ => Err(crate::Error::new(
            code,
            cat!("`{}` could not be serialised with JSON.stringify (it threw, has a cycle or a BigInt)", name),
        )),
    }
}

/// A string value (`None` when it is not a string); a lone surrogate is refused.
pub(super) fn text<'n>(v: &Node<'n>, name: &str) -> Result<Option<&'n str>> {
    match v {
        Node::Str(s) => Ok(Some(s)),
        Node::IllFormed => Err(err!(
            InvalidArgument,
            "`{}` contains a lone UTF-16 surrogate",
            name
        )),
        _ => Ok(None),
    }
}

pub(super) fn req_str(obj: &Node<'_>, name: &str) -> Result<String> {
    let v = get(obj, name);
    text(v, name)?.map(str::to_owned).ok_or_else(|| {
        if v.is_absent() {
            // The usual cause: an unset environment variable or binding passed as the value.
            err!(
                InvalidArgument,
                "`{}` must be a string; it was undefined or null (an unset environment variable or binding?)",
                name
            )
        } else {
            err!(InvalidArgument, "`{}` must be a string", name)
        }
    })
}

pub(super) fn opt_str(obj: &Node<'_>, name: &str) -> Result<Option<String>> {
    let v = get(obj, name);
    if v.is_absent() {
        return Ok(None);
    }
    text(v, name)?
        .map(|s| Some(s.to_owned()))
        .ok_or_else(|| err!(InvalidArgument, "`{}` must be a string when given", name))
}

pub(super) fn opt_bool(obj: &Node<'_>, name: &str) -> Result<bool> {
    Ok(bool_or_unset(obj, name)?.unwrap_or(false))
}

/// `obj[name]` as a boolean, `None` when unset.
pub(super) fn bool_or_unset(obj: &Node<'_>, name: &str) -> Result<Option<bool>> {
    match get(obj, name) {
        Node::Absent => Ok(None),
        Node::Bool(b) => Ok(Some(*b)),
        _ => Err(err!(
            InvalidArgument,
            "`{}` must be a boolean when given",
            name
        )),
    }
}

/// A string, or a finite number as JS `String(n)` prints it.
pub(super) fn scalar(v: &Node<'_>) -> Option<String> {
    match v {
        Node::Str(s) => Some((*s).to_owned()),
        Node::Num(n) if !n.contains(['N', 'I']) => Some((*n).to_owned()),
        _ => None,
    }
}

/// The entries of a plain object or a `Map`, in order.
pub(super) fn entries<'n, 'a>(
    value: &'n Node<'a>,
    name: &str,
) -> Result<&'n [(&'a str, Node<'a>)]> {
    match value {
        Node::Absent => Ok(&[]),
        Node::Obj(e) | Node::Map(e) => Ok(e),
        _ => Err(err!(
            InvalidArgument,
            "`{}` must be an object of name/value pairs",
            name
        )),
    }
}

/// Headers: string, finite number or boolean values (`true`/`false`, as `fetch` sends
/// them); `null`/`undefined` entries are skipped (not sent, not signed); anything else is
/// `ERR_INVALID_HEADER_VALUE`. Surrounding whitespace is trimmed by [`crate::Header::new`],
/// as HTTP does on the wire.
pub(super) fn headers(obj: &Node<'_>) -> Result<Vec<crate::Header>> {
    let mut out = Vec::new();
    for (k, v) in entries(get(obj, "headers"), "headers")? {
        let value = match v {
            Node::Absent => continue,
            Node::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
            _ => scalar(v).ok_or_else(|| {
                err!(
                    InvalidHeaderValue,
                    "header {} must be a string, a finite number or a boolean",
                    q(k)
                )
            })?,
        };
        out.push(crate::Header::new((*k).to_owned(), value));
    }
    Ok(out)
}

/// Query: string or number values; `null`/`undefined`/`""` mean a parameter without a
/// value (`?uploads`), signed as `uploads=` like the official SDKs.
pub(super) fn query(obj: &Node<'_>) -> Result<Vec<(String, Option<String>)>> {
    let mut out = Vec::new();
    for (k, v) in entries(get(obj, "query"), "query")? {
        let value = if v.is_absent() {
            None
        } else {
            Some(scalar(v).ok_or_else(|| {
                err!(
                    InvalidQueryValue,
                    "query parameter {} must be a string, a finite number or null",
                    q(k)
                )
            })?)
        };
        out.push(((*k).to_owned(), value));
    }
    Ok(out)
}

pub(super) fn string_list(obj: &Node<'_>, name: &str) -> Result<Vec<String>> {
    let bad = || err!(InvalidArgument, "`{}` must be an array of strings", name);
    match get(obj, name) {
        Node::Absent => Ok(Vec::new()),
        Node::Arr(items) => items
            .iter()
            .map(|s| text(s, name)?.map(str::to_owned).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
}

/// Whole Unix seconds, from year 1970 to 9999.
pub(super) fn seconds(v: &Node<'_>, name: &str) -> Result<u64> {
    v.int()
        .filter(|n| (0..=253_402_300_799).contains(n))
        .map(|n| n.unsigned_abs())
        .ok_or_else(|| {
            err!(
                InvalidKeyTime,
                "`{}` must be a whole number of Unix seconds",
                name
            )
        })
}

/// `keyTime` (`"start;end"` or `{ start, end }`) or `expires` (seconds from `now`).
pub(super) fn key_time(obj: &Node<'_>, now: u64) -> Result<KeyTime> {
    let kt = get(obj, "keyTime");
    let expires = get(obj, "expires");
    if !kt.is_absent() {
        if !expires.is_absent() {
            return Err(err!(
                InvalidKeyTime,
                "pass either `keyTime` or `expires`, not both"
            ));
        }
        if let Some(s) = text(kt, "keyTime")? {
            return KeyTime::parse(s);
        }
        return match kt {
            Node::Obj(_) => KeyTime::new(
                seconds(get(kt, "start"), "keyTime.start")?,
                seconds(get(kt, "end"), "keyTime.end")?,
            ),
            _ => Err(err!(
                InvalidKeyTime,
                "`keyTime` must be \"start;end\" or { start, end } in Unix seconds"
            )),
        };
    }
    if expires.is_absent() {
        return Err(err!(
            InvalidKeyTime,
            "pass `keyTime` (\"start;end\" or { start, end }) or `expires` (seconds from now)"
        ));
    }
    KeyTime::from_expires(now, seconds(expires, "expires")?)
}

pub(super) fn request(obj: &Node<'_>) -> Result<Request> {
    Ok(Request {
        method: req_str(obj, "method")?,
        key: opt_str(obj, "key")?.unwrap_or_default(),
        query: query(obj)?,
        headers: headers(obj)?,
        sign_headers: string_list(obj, "signHeaders")?,
    })
}

pub(super) fn endpoint(obj: &Node<'_>) -> Result<Endpoint> {
    let mut ep = Endpoint::new(&req_str(obj, "bucket")?, &req_str(obj, "region")?)?;
    if let Some(p) = opt_str(obj, "protocol")? {
        ep = ep.with_protocol(Protocol::parse(&p)?);
    }
    if let Some(d) = opt_str(obj, "domain")? {
        ep = ep.with_domain(&d)?;
    }
    let port = get(obj, "port");
    if !port.is_absent() {
        let p = port
            .int()
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| (1..=65535).contains(p))
            .ok_or_else(|| err!(InvalidEndpoint, "`port` must be an integer 1-65535"))?;
        ep = ep.with_port(p)?;
    }
    Ok(ep
        .with_path_style(opt_bool(obj, "pathStyle")?)
        .allow_insecure_local(opt_bool(obj, "allowInsecureLocal")?))
}

/// A non-negative integer up to 2^53 − 1.
pub(super) fn opt_u64(obj: &Node<'_>, name: &str) -> Result<Option<u64>> {
    let v = get(obj, name);
    if v.is_absent() {
        return Ok(None);
    }
    v.int()
        .and_then(|n| u64::try_from(n).ok())
        .map(Some)
        .ok_or_else(|| err!(InvalidArgument, "`{}` must be a non-negative integer", name))
}

/// `algorithm` when given.
pub(super) fn opt_algorithm(obj: &Node<'_>) -> Result<Option<SseAlgorithm>> {
    opt_str(obj, "algorithm")?
        .map(|a| SseAlgorithm::parse(&a))
        .transpose()
}

/// The bytes of a genuine `ArrayBuffer` or `ArrayBufferView` (at most
/// [`MAX_SECRET_INPUT_BYTES`]), copied and wiped when dropped; `None` for `undefined`/`null`.
pub(super) fn opt_bytes(v: &Node<'_>, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    match v {
        Node::Absent => Ok(None),
        Node::Bytes(b) if b.len() > MAX_SECRET_INPUT_BYTES as usize => Err(err!(
            InvalidArgument,
            "`{}` is longer than {} bytes",
            name,
            MAX_SECRET_INPUT_BYTES
        )),
        Node::Bytes(b) => Ok(Some(Zeroizing::new(b.to_vec()))),
        _ => Err(err!(
            InvalidArgument,
            "`{}` must be a Uint8Array, another typed array, a DataView or an ArrayBuffer",
            name
        )),
    }
}

/// The `index`-th positional argument of a call whose root is an array of arguments.
pub(super) fn arg<'n, 'a>(root: &'n Node<'a>, index: usize) -> &'n Node<'a> {
    match root {
        Node::Arr(items) => items.get(index).unwrap_or(&ABSENT),
        _ => &ABSENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str, bytes: &[u8]) -> Result<()> {
        let args = Args::new(text.to_owned(), Some(bytes.to_vec()));
        args.root().map(|_| ())
    }

    #[test]
    fn decodes_every_node_kind() {
        let text = "o8:s1:au s1:bt s1:cn-1.5; s1:ds3:hé s1:ej2:{} s1:fm1:s1:kf s1:ga2:xb1,2; s1:hks6:AES256s4:QUJD";
        let args = Args::new(text.replace(' ', ""), Some(b"0123".to_vec()));
        let root = args.root().unwrap();
        assert!(get(&root, "a").is_absent());
        assert!(matches!(get(&root, "b"), Node::Bool(true)));
        assert!(matches!(get(&root, "c"), Node::Num("-1.5")));
        assert!(matches!(get(&root, "d"), Node::Str("hé")));
        assert!(matches!(get(&root, "e"), Node::Json("{}")));
        assert!(
            matches!(get(&root, "f"), Node::Map(m) if matches!(m.as_slice(), [("k", Node::Bool(false))]))
        );
        assert!(
            matches!(get(&root, "g"), Node::Arr(a) if matches!(a.as_slice(), [Node::Other, Node::Bytes(b"12")]))
        );
        assert!(matches!(
            get(&root, "h"),
            Node::Key {
                algorithm: "AES256",
                base64: "QUJD"
            }
        ));
    }

    #[test]
    fn refuses_malformed_text_without_panicking() {
        for bad in [
            "",
            "o",
            "o1:",
            "o1:s9:a",
            "s5:ab",
            "b0,9;",
            "b9,1;",
            "n1",
            "q",
            "uu",
            "a99999999999:",
            "s18446744073709551615:",
            "b18446744073709551615,2;",
            "s1:\u{e9}",
        ] {
            assert!(decode(bad, b"ab").is_err(), "{bad:?}");
        }
        let deep = "a1:".repeat(MAX_DEPTH + 2) + "u";
        assert!(decode(&deep, b"").is_err());
    }

    #[test]
    fn integers_are_exact_js_integers_only() {
        for (text, want) in [
            ("0", Some(0)),
            ("-86400", Some(-86_400)),
            ("9007199254740991", Some(9_007_199_254_740_991)),
            ("9007199254740992", None),
            ("1.5", None),
            ("1e+21", None),
            ("NaN", None),
            ("-Infinity", None),
            ("+1", None),
            ("-+1", None),
        ] {
            assert_eq!(Node::Num(text).int(), want, "{text}");
        }
    }
}
