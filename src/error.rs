//! One error type with stable string codes.
//!
//! Every public entry point of the crate (and of the npm package) reports failure with
//! [`Error`]. Its [`ErrorCode`] is stable: the string form (`ERR_*`) is part of the public
//! API and is what JS callers see as `err.code` on a `CosError`. Messages say what was
//! expected and what to do; they never contain secret keys, SSE-C keys or signatures.

use crate::text::{find_str, push_u64, HEX_LOWER};
use core::fmt;

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident => $code:literal, )*) => {
        /// A stable machine-readable error code. See the README's error table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order (used to generate and check the TS union).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The stable string form, e.g. `"ERR_INVALID_KEY_TIME"`.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $code, )* }
            }
        }
    };
}

error_codes! {
    /// A JS argument had the wrong type or a required field was missing.
    InvalidArgument => "ERR_INVALID_ARGUMENT",
    /// `secretId` / `secretKey` / `securityToken` empty or containing control characters.
    InvalidCredentials => "ERR_INVALID_CREDENTIALS",
    /// KeyTime not `"start;end"` of Unix seconds, reversed, or `expires` not a positive integer.
    InvalidKeyTime => "ERR_INVALID_KEY_TIME",
    /// HTTP method not a token (letters only).
    InvalidMethod => "ERR_INVALID_METHOD",
    /// Object key empty where one is required, or containing forbidden characters.
    InvalidObjectKey => "ERR_INVALID_OBJECT_KEY",
    /// Object key longer than COS's 850-byte limit.
    ObjectKeyTooLong => "ERR_OBJECT_KEY_TOO_LONG",
    /// A POST key prefix that is empty after normalisation (`''`, `'/'`) would let the form
    /// write anywhere in the bucket; refused unless explicitly allowed.
    KeyPrefixEmpty => "ERR_KEY_PREFIX_EMPTY",
    /// Bucket not `<name>-<APPID>` with `[a-z0-9-]`.
    InvalidBucket => "ERR_INVALID_BUCKET",
    /// Region not `[a-z0-9-]+`.
    InvalidRegion => "ERR_INVALID_REGION",
    /// Domain, protocol or port override not usable.
    InvalidEndpoint => "ERR_INVALID_ENDPOINT",
    /// Header name not an HTTP token.
    InvalidHeaderName => "ERR_INVALID_HEADER_NAME",
    /// Header value not a string/number/boolean, or outside printable ASCII (what HTTP
    /// clients send byte for byte).
    InvalidHeaderValue => "ERR_INVALID_HEADER_VALUE",
    /// Query value not a string/number/null, or SSE-C key material in the URL.
    InvalidQueryValue => "ERR_INVALID_QUERY_VALUE",
    /// Header value longer than [`MAX_HEADER_VALUE_BYTES`](crate::sign::MAX_HEADER_VALUE_BYTES).
    HeaderValueTooLong => "ERR_HEADER_VALUE_TOO_LONG",
    /// Query value longer than [`MAX_QUERY_VALUE_BYTES`](crate::sign::MAX_QUERY_VALUE_BYTES).
    QueryValueTooLong => "ERR_QUERY_VALUE_TOO_LONG",
    /// Two header names equal after lower-casing.
    DuplicateHeader => "ERR_DUPLICATE_HEADER",
    /// Two query parameter names equal after encoding and lower-casing.
    DuplicateQueryParam => "ERR_DUPLICATE_QUERY_PARAM",
    /// POST policy not a JSON object text, or a policy option out of range.
    InvalidPolicy => "ERR_INVALID_POLICY",
    /// SSE description malformed (unknown type or algorithm, bad KMS context).
    InvalidSse => "ERR_INVALID_SSE",
    /// Unknown COS operation name.
    UnknownOperation => "ERR_UNKNOWN_OPERATION",
    /// The operation does not accept this SSE mode (e.g. SSE-COS on GetObject).
    SseNotAllowed => "ERR_SSE_NOT_ALLOWED",
    /// An SSE-C key would travel over plain HTTP.
    SseCRequiresHttps => "ERR_SSE_C_REQUIRES_HTTPS",
    /// Encryption combined with an ARCHIVE / DEEP_ARCHIVE storage class.
    SseArchiveConflict => "ERR_SSE_ARCHIVE_CONFLICT",
    /// SSE-COS requested through a pre-signed upload URL.
    SsePresignedUpload => "ERR_SSE_PRESIGNED_UPLOAD",
    /// Anonymous (unsigned) read of an SSE-KMS object.
    SseKmsAnonymous => "ERR_SSE_KMS_ANONYMOUS",
    /// Key of the wrong length for its algorithm.
    InvalidKeyLength => "ERR_INVALID_KEY_LENGTH",
    /// Key material not valid base64 / hex.
    InvalidKeyEncoding => "ERR_INVALID_KEY_ENCODING",
    /// A caller-supplied key MD5 does not match the key.
    KeyMd5Mismatch => "ERR_KEY_MD5_MISMATCH",
    /// Key-derivation parameters out of range (iterations, salt, info).
    InvalidKdfParams => "ERR_INVALID_KDF_PARAMS",
    /// Wrapped-key envelope malformed or of an unknown version.
    InvalidEnvelope => "ERR_INVALID_ENVELOPE",
    /// Envelope authentication failed: wrong wrapping key, wrong AAD, or tampered.
    UnwrapFailed => "ERR_UNWRAP_FAILED",
    /// The platform CSPRNG is unavailable.
    RandomUnavailable => "ERR_RANDOM_UNAVAILABLE",
    /// Object freed or used after `free()` / `digest()`.
    UseAfterFree => "ERR_USE_AFTER_FREE",
    /// A COS response's CRC-64 differs from the local one.
    Crc64Mismatch => "ERR_CRC64_MISMATCH",
    /// Bucket encryption XML could not be parsed.
    InvalidXml => "ERR_INVALID_XML",
    /// COS refused the request's time (`RequestTimeTooSkewed`, an expired signature): the
    /// device clock is off. The error carries the measured offset when one is known.
    ClockSkew => "ERR_CLOCK_SKEW",
    /// COS answered `SignatureDoesNotMatch`; the error carries the explanation of which
    /// part of the request differs from what was signed.
    SignatureMismatch => "ERR_SIGNATURE_MISMATCH",
    /// COS answered with another error; the error carries COS's code and request id.
    CosResponse => "ERR_COS_RESPONSE",
    /// The operation was aborted by an AbortSignal.
    Aborted => "ERR_ABORTED",
    /// The package was used before the browser `init()` resolved (raised by the JS side).
    NotInitialized => "ERR_NOT_INITIALIZED",
    /// The browser `init()` could not compile the entry's wasm because the page's
    /// Content-Security-Policy lacks `'wasm-unsafe-eval'` in `script-src` (raised by the JS
    /// side; the message names the directive and the no-wasm `postFormData` flow).
    WasmCsp => "ERR_WASM_CSP",
    /// The browser `init()` could not fetch the entry's `.wasm`: an HTTP error status (a
    /// 404) or a network failure (raised by the JS side, naming the URL and what arrived).
    WasmFetch => "ERR_WASM_FETCH",
    /// The browser `init()` fetched the entry's `.wasm` and received an HTML page (a dev
    /// server's `index.html`) instead (raised by the JS side).
    WasmHtml => "ERR_WASM_HTML",
    /// The browser `init()` fetched the entry's `.wasm` and received another type of content,
    /// neither wasm nor HTML, under a type other than `application/wasm` (raised by the JS side).
    WasmMime => "ERR_WASM_MIME",
    /// The bytes given to or fetched by the browser `init()` are not the entry's wasm module
    /// (not wasm, or a module that does not link with the entry's glue; raised by the JS side).
    WasmInvalid => "ERR_WASM_INVALID",
    /// A name that moved to another entry of the npm package (e.g. `CustomerKey` to
    /// `cos-wasm/keys`) was used from the old one (raised by the JS side; the message names
    /// the new import).
    Moved => "ERR_MOVED",
    /// A Tencent Cloud API URL that is not `http(s)://host[:port]/path?query` in the form
    /// `fetch` sends unchanged (TC3 signs the path and query byte for byte).
    InvalidUrl => "ERR_INVALID_URL",
    /// A TC3 timestamp out of range.
    InvalidTimestamp => "ERR_INVALID_TIMESTAMP",
    /// A Tencent Cloud API service name that is not lower-case letters and digits.
    InvalidService => "ERR_INVALID_SERVICE",
    /// A CAM policy description (`cosPolicy`) that is malformed: no grants, no resource, a
    /// wildcard or empty prefix, an out-of-range limit.
    InvalidCamPolicy => "ERR_INVALID_CAM_POLICY",
    /// A COS action name (or preset) the policy builder does not know.
    UnknownAction => "ERR_UNKNOWN_ACTION",
    /// A policy condition the builder does not know, or one that applies to none of the
    /// granted actions.
    UnknownCondition => "ERR_UNKNOWN_CONDITION",
    /// Tencent Cloud STS answered with an error; `tencentCode` and `requestId` carry its
    /// `Response.Error.Code` and `Response.RequestId`.
    StsError => "ERR_STS",
    /// An STS reply that is not the documented JSON (no credentials, wrong types).
    StsBadResponse => "ERR_STS_BAD_RESPONSE",
    /// A request to STS did not complete in time (`timeoutMs`).
    Timeout => "ERR_TIMEOUT",
    /// A request to STS or COS failed below HTTP (DNS, connection, TLS, a CORS refusal).
    Network => "ERR_NETWORK",
    /// A COS answer in a browser whose `ETag` header the page cannot read: the bucket's CORS
    /// configuration must list `ETag` in ExposeHeader, or a multipart upload cannot complete
    /// (raised by the JS side, `cos-wasm/upload`).
    CorsEtagNotExposed => "ERR_CORS_ETAG_NOT_EXPOSED",
    /// A file to upload could not be read (a browser refuses a File changed, moved or
    /// deleted since it was chosen); raised by the JS side, `cos-wasm/upload`.
    FileNotReadable => "ERR_FILE_NOT_READABLE",
    /// CDN / EdgeOne URL authentication options out of range (`cdnAuthUrl`): an unknown
    /// type, a key that is not 6–40 ASCII letters and digits, a `rand`, `uid` or parameter
    /// name of the wrong form, or an option the chosen type does not use.
    InvalidCdnAuth => "ERR_INVALID_CDN_AUTH",
    /// Strict signing (`strict: true`): a PUT or POST that carries a body without both
    /// `Content-Type` and `Content-Length`, which a bucket in COS's strict mode refuses
    /// unsigned; the request is not signed.
    StrictSignMissingHeader => "ERR_STRICT_SIGN_MISSING_HEADER",
    /// A `presign` callback or a `signer` given to `cos-wasm/upload` threw something other
    /// than a CosError (kept as `cause`); raised by the JS side.
    SigningFailed => "ERR_SIGNING_FAILED",
    /// A JS helper met a failure it has no code for (a bug, or a hostile object that got
    /// through); the original is kept as `cause`. Raised by the JS side, `cos-wasm/upload`.
    Unexpected => "ERR_UNEXPECTED",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The crate's error: a stable [`ErrorCode`] plus a human message.
///
/// The message never contains key material; build it only from names, lengths and
/// public values.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Creates an error. `message` must not contain secrets.
    #[must_use]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// The stable code.
    #[must_use]
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (no secrets).
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.code.as_str())
            .field("message", &self.message)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for Error {}

/// Shorthand used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// A piece of a message or other built text, appended without `core::fmt`: the
/// formatting machinery (and, for `{:?}`, `Debug` escaping with its unicode tables) would
/// cost the `.wasm` several KB. Text is appended as is, integers in decimal.
pub(crate) trait Piece {
    /// Appends `self` to `out`.
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for char {
    fn push_to(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out);
    }
}

impl Piece for ErrorCode {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

macro_rules! unsigned_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_u64(out, u64::from(*self));
            }
        }
    )*};
}
unsigned_piece!(u8, u16, u32, u64);

impl Piece for usize {
    fn push_to(&self, out: &mut String) {
        push_u64(out, *self as u64);
    }
}

impl Piece for i64 {
    fn push_to(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        push_u64(out, self.unsigned_abs());
    }
}

/// A value shown in double quotes in a message, as `{:?}` showed it for ASCII text:
/// `"`, `\` and C0/C1 control characters escaped (`\n`, `\u{1b}`), and also the
/// invisible format characters (bidi overrides, zero-width, line separators, BOM) that
/// could disguise a message. Other non-ASCII characters appear as they are.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

/// Quotes `s` for a message (see [`Quoted`]).
pub(crate) fn q(s: &str) -> Quoted<'_> {
    Quoted(s)
}

/// Appends `c` escaped as in [`Quoted`] (`quote` is the delimiter to escape).
pub(crate) fn push_escaped(out: &mut String, c: char, quote: char) {
    let escape = match c {
        '\n' => Some('n'),
        '\r' => Some('r'),
        '\t' => Some('t'),
        '\0' => Some('0'),
        '\\' => Some('\\'),
        _ if c == quote => Some(c),
        _ => None,
    };
    if let Some(e) = escape {
        out.push('\\');
        out.push(e);
    } else if matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
    {
        out.push_str("\\u{");
        let n = u32::from(c);
        let mut shift = 28;
        while shift > 0 && (n >> shift) & 0xf == 0 {
            shift -= 4;
        }
        loop {
            out.push(char::from(
                HEX_LOWER
                    .get((n >> shift) as usize & 0xf)
                    .copied()
                    .unwrap_or(b'0'),
            ));
            if shift == 0 {
                break;
            }
            shift -= 4;
        }
        out.push('}');
    } else {
        out.push(c);
    }
}

impl Piece for Quoted<'_> {
    fn push_to(&self, out: &mut String) {
        out.push('"');
        for c in self.0.chars() {
            push_escaped(out, c, '"');
        }
        out.push('"');
    }
}

/// A character shown in single quotes, as `{:?}` showed it for ASCII.
pub(crate) struct QuotedChar(pub(crate) char);

impl Piece for QuotedChar {
    fn push_to(&self, out: &mut String) {
        out.push('\'');
        push_escaped(out, self.0, '\'');
        out.push('\'');
    }
}

/// A list shown as `{:?}` showed a slice of text: `["a", "b"]`.
pub(crate) struct QuotedList<'a>(pub(crate) &'a [&'a str]);

impl Piece for QuotedList<'_> {
    fn push_to(&self, out: &mut String) {
        out.push('[');
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            q(s).push_to(out);
        }
        out.push(']');
    }
}

/// `template` with each `{}` replaced by the next of `args` (see [`cat!`]). One
/// out-of-line function over a slice of trait objects: a call site only stores its
/// template and argument pointers, which keeps the crate's ~250 messages small in the
/// `.wasm` (as small as `format!` call sites, without `core::fmt`).
#[inline(never)]
pub(crate) fn fill(template: &str, args: &[&dyn Piece]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = find_str(rest, "{}") {
        out.push_str(rest.get(..at).unwrap_or_default());
        if let Some(arg) = args.next() {
            arg.push_to(&mut out);
        }
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// The number of `{}` in a [`cat!`] template, checked when the crate compiles (the macro
/// evaluates it in a `const`): a `{` followed by a letter, digit, `_` or `:` is a
/// `format!`-style placeholder (`{name}`, `{:?}`, `{0}`) that [`fill`] would print as is,
/// so it stops the build.
#[allow(clippy::indexing_slicing, clippy::panic)] // const evaluation only; `i + 1 < len`
pub(crate) const fn placeholders(template: &str) -> usize {
    let b = template.as_bytes();
    let (mut i, mut n) = (0, 0);
    while i + 1 < b.len() {
        if b[i] == b'{' {
            let c = b[i + 1];
            if c == b'}' {
                n += 1;
                i += 2;
                continue;
            }
            if c.is_ascii_alphanumeric() || c == b'_' || c == b':' {
                panic!("a cat!/err! template has a format!-style placeholder: write a bare pair of braces and pass the value");
            }
        }
        i += 1;
    }
    n
}

/// 1 for each value given to [`cat!`] (counts them in a `const`).
pub(crate) const fn one(_: &str) -> usize {
    1
}

/// `cat!("text {} more {}", a, b)`: the template with each `{}` replaced by the next
/// [`Piece`] (text, integers, [`q`]-quoted values), as a `String`. No `core::fmt`, no
/// other placeholder syntax, no escapes; the count of `{}` must equal the count of values
/// and `{name}`-style placeholders are refused, both when the crate compiles.
macro_rules! cat {
    ($template:literal $(, $arg:expr)* $(,)?) => {{
        const _: () = assert!(
            $crate::error::placeholders($template) == 0 $(+ $crate::error::one(stringify!($arg)))*,
            "a cat!/err! template has not as many brace pairs as values"
        );
        $crate::error::fill($template, &[$( &$arg as &dyn $crate::error::Piece ),*])
    }};
}
pub(crate) use cat;

/// Builds an [`Error`] with a [`cat!`] message: `err!(InvalidBucket, "bucket {} is
/// invalid", q(name))`.
macro_rules! err {
    ($code:ident, $template:literal $(, $arg:expr)* $(,)?) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, $crate::error::cat!($template $(, $arg)*))
    };
}
pub(crate) use err;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_prefixed() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(c.as_str().starts_with("ERR_"));
            assert!(seen.insert(c.as_str()), "duplicate {c}");
        }
    }

    #[test]
    fn cat_fills_placeholders_in_order() {
        assert_eq!(
            cat!("a {} b {}{} c", 1u8, "x", u64::MAX),
            "a 1 b x18446744073709551615 c"
        );
        assert_eq!(cat!("{}", -42i64), "-42");
        assert_eq!(cat!("{}", 0usize), "0");
        assert_eq!(cat!("no placeholders"), "no placeholders");
        assert_eq!(cat!("{ start, end }"), "{ start, end }");
    }

    #[test]
    fn quoting_matches_debug_for_ascii_and_escapes_invisible_characters() {
        for s in [
            "",
            "plain",
            "a\"b",
            "back\\slash",
            "nl\n cr\r tab\t nul\0",
            "\u{1b}[31m",
            "\u{7f}",
            "照片/猫.jpg",
        ] {
            assert_eq!(cat!("{}", q(s)), format!("{s:?}"), "{s:?}");
        }
        assert_eq!(
            cat!("{}", q("a\u{202e}b\u{200b}\u{feff}\u{85}")),
            "\"a\\u{202e}b\\u{200b}\\u{feff}\\u{85}\""
        );
        for c in ['a', '\'', '"', '\n', '\u{1f}'] {
            assert_eq!(cat!("{}", QuotedChar(c)), format!("{c:?}"));
        }
        assert_eq!(
            cat!("{}", QuotedList(&["A", "B"])),
            format!("{:?}", ["A", "B"])
        );
    }
}
