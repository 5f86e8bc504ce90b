//! One error type with stable string codes.
//!
//! Every public entry point of the crate (and of the npm package) reports failure with
//! [`Error`]. Its [`ErrorCode`] is stable: the string form (`ERR_*`) is part of the public
//! API and is what JS callers see as `err.code` on a `CosError`. Messages say what was
//! expected and what to do; they never contain secret keys, SSE-C keys or signatures.

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

/// Builds an [`Error`] with a formatted message.
macro_rules! err {
    ($code:ident, $($arg:tt)*) => {
        $crate::error::Error::new($crate::error::ErrorCode::$code, format!($($arg)*))
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
}
