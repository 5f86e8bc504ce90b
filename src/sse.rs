//! Server-side encryption (protocol §3, [SSE overview](https://cloud.tencent.com/document/product/436/18145),
//! [SSE request headers](https://cloud.tencent.com/document/product/436/7728)).
//!
//! - [`Sse`] describes one of the three modes (SSE-COS, SSE-KMS, SSE-C), each with the
//!   AES256 or SM4 algorithm.
//! - [`Operation`] names the COS API a request is for; [`sse_headers`] returns the exact
//!   headers that API takes for a mode, or `ERR_SSE_NOT_ALLOWED`.
//! - [`Signer::sign_request`](crate::Signer::sign_request) and
//!   [`Signer::presign_request`](crate::Signer::presign_request) add the headers, enforce the
//!   safety rules (SSE-C only over HTTPS, no SSE on archive classes, no SSE-COS through a
//!   pre-signed upload) and sign.
//! - [`object_url`](crate::object_url) builds unsigned URLs and refuses SSE-KMS and SSE-C objects.
//!
//! SSE-C key material never appears in an error message, a `Debug` output or a URL: the
//! `…-customer-key` headers are [`Header`]s with `sensitive: true`.

use core::fmt;

pub use crate::algorithm::SseAlgorithm;
use crate::base64;
use crate::error::{cat, err, q, Result};
use crate::json;
use crate::keys::CustomerKey;
use crate::sign::Header;
use crate::text::join;

// ---------------------------------------------------------------------------------------
// Header names (protocol §3 table)
// ---------------------------------------------------------------------------------------

/// `x-cos-server-side-encryption`: `AES256` / `SM4` (SSE-COS) or `cos/kms` (SSE-KMS), protocol §3.
pub const HEADER_SSE: &str = "x-cos-server-side-encryption";
/// `x-cos-server-side-encryption-cos-kms-key-id`: the KMS CMK id (optional), protocol §3.
pub const HEADER_SSE_KMS_KEY_ID: &str = "x-cos-server-side-encryption-cos-kms-key-id";
/// `x-cos-server-side-encryption-context`: base64 of the UTF-8 JSON encryption context, protocol §3.
pub const HEADER_SSE_CONTEXT: &str = "x-cos-server-side-encryption-context";
/// `x-cos-server-side-encryption-cos-kms-algorithm`: `SM4` for SSE-KMS with SM4 (COS SSE overview), protocol §3.
pub const HEADER_SSE_KMS_ALGORITHM: &str = "x-cos-server-side-encryption-cos-kms-algorithm";
/// `x-cos-server-side-encryption-customer-algorithm`: SSE-C algorithm, protocol §3.
pub const HEADER_SSE_C_ALGORITHM: &str = "x-cos-server-side-encryption-customer-algorithm";
/// `x-cos-server-side-encryption-customer-key`: base64 of the raw SSE-C key (secret), protocol §3.
pub const HEADER_SSE_C_KEY: &str = "x-cos-server-side-encryption-customer-key";
/// `x-cos-server-side-encryption-customer-key-MD5`: base64 MD5 of the raw SSE-C key, protocol §3.
pub const HEADER_SSE_C_KEY_MD5: &str = "x-cos-server-side-encryption-customer-key-MD5";
/// `x-cos-copy-source-server-side-encryption-customer-algorithm` (PUT Object - Copy, protocol §3).
pub const HEADER_COPY_SOURCE_SSE_C_ALGORITHM: &str =
    "x-cos-copy-source-server-side-encryption-customer-algorithm";
/// `x-cos-copy-source-server-side-encryption-customer-key` (secret), protocol §3.
pub const HEADER_COPY_SOURCE_SSE_C_KEY: &str =
    "x-cos-copy-source-server-side-encryption-customer-key";
/// `x-cos-copy-source-server-side-encryption-customer-key-MD5`, protocol §3.
pub const HEADER_COPY_SOURCE_SSE_C_KEY_MD5: &str =
    "x-cos-copy-source-server-side-encryption-customer-key-MD5";
/// The `x-cos-storage-class` header / POST form field (protocol §2, §3 archive restriction).
pub const HEADER_STORAGE_CLASS: &str = "x-cos-storage-class";

/// The SSE-KMS value of [`HEADER_SSE`].
pub const SSE_KMS_VALUE: &str = "cos/kms";

/// Whether COS's APPEND Object takes SSE headers. UNCONFIRMED (protocol §3 "Append Object …
/// SSE support UNCONFIRMED"): the APPEND Object doc
/// (<https://cloud.tencent.com/document/product/436/7741>) lists no SSE request header.
/// The safe choice is `false`: every SSE mode on [`Operation::AppendObject`] is refused
/// with `ERR_SSE_NOT_ALLOWED`, so a caller never believes an appended object is encrypted
/// when COS may have ignored the headers. Use PutObject or a multipart upload instead.
pub const APPEND_OBJECT_ACCEPTS_SSE: bool = false;

/// Storage classes that cannot be encrypted (protocol §3 "Archive-class objects cannot be
/// encrypted"; compared case-insensitively).
pub const ARCHIVE_STORAGE_CLASSES: &[&str] = &["ARCHIVE", "DEEP_ARCHIVE"];

/// Whether `storage_class` is ARCHIVE or DEEP_ARCHIVE (case-insensitive, trimmed).
#[must_use]
pub fn is_archive_storage_class(storage_class: &str) -> bool {
    let s = storage_class.trim();
    ARCHIVE_STORAGE_CLASSES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(s))
}

// ---------------------------------------------------------------------------------------
// Sse
// ---------------------------------------------------------------------------------------

/// One server-side encryption mode (protocol §3).
///
/// `Debug` never shows SSE-C key bytes ([`CustomerKey`] redacts them).
#[derive(Clone, Debug)]
pub enum Sse {
    /// SSE-COS: COS-managed keys, `x-cos-server-side-encryption: AES256|SM4`.
    Cos {
        /// `AES256` (default) or `SM4`.
        algorithm: SseAlgorithm,
    },
    /// SSE-KMS: `x-cos-server-side-encryption: cos/kms` plus optional CMK id and context;
    /// with SM4 also `x-cos-server-side-encryption-cos-kms-algorithm: SM4`.
    Kms {
        /// The KMS CMK id; `None` uses the default CMK COS creates.
        key_id: Option<String>,
        /// The encryption context as the JSON *text* of an object (`{"a":"b"}`); sent as
        /// base64 of its UTF-8 bytes in `x-cos-server-side-encryption-context`.
        context_json: Option<String>,
        /// `AES256` (default) or `SM4`.
        algorithm: SseAlgorithm,
    },
    /// SSE-C: the customer key travels with every request (`…-customer-algorithm`,
    /// `…-customer-key`, `…-customer-key-MD5`); the algorithm is the key's.
    Customer(CustomerKey),
}

impl Sse {
    /// `SSE-COS`, `SSE-KMS` or `SSE-C`, for messages.
    #[must_use]
    pub fn mode_name(&self) -> &'static str {
        match self {
            Self::Cos { .. } => "SSE-COS",
            Self::Kms { .. } => "SSE-KMS",
            Self::Customer(_) => "SSE-C",
        }
    }

    /// The algorithm of the mode.
    #[must_use]
    pub fn algorithm(&self) -> SseAlgorithm {
        match self {
            Self::Cos { algorithm } | Self::Kms { algorithm, .. } => *algorithm,
            Self::Customer(k) => k.algorithm(),
        }
    }

    /// SSE-C with a caller-given key MD5 that must match the key (protocol §3).
    ///
    /// # Errors
    /// `ERR_KEY_MD5_MISMATCH` (see [`check_key_md5`]).
    pub fn customer_with_md5(key: CustomerKey, md5_base64: &str) -> Result<Self> {
        check_key_md5(&key, md5_base64)?;
        Ok(Self::Customer(key))
    }
}

// ---------------------------------------------------------------------------------------
// Operation
// ---------------------------------------------------------------------------------------

/// The COS API a request is for; decides which SSE headers it takes (protocol §3 "Which APIs
/// take which headers").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// PUT Object: any mode.
    PutObject,
    /// POST Object (browser form): any mode, as form fields.
    PostObject,
    /// Initiate Multipart Upload: any mode; it fixes the mode of the upload.
    InitiateMultipartUpload,
    /// Upload Part: the SSE-C triple only (when the upload was initiated with SSE-C).
    UploadPart,
    /// Complete Multipart Upload: no SSE headers.
    CompleteMultipartUpload,
    /// GET Object: the SSE-C triple only (other modes decrypt automatically).
    GetObject,
    /// HEAD Object: the SSE-C triple only.
    HeadObject,
    /// PUT Object - Copy: destination SSE (any mode) plus the copy-source SSE-C triple.
    CopyObject,
    /// Upload Part - Copy: destination SSE-C only, plus the copy-source SSE-C triple.
    UploadPartCopy,
    /// APPEND Object: see [`APPEND_OBJECT_ACCEPTS_SSE`].
    AppendObject,
}

impl Operation {
    /// Every operation, in declaration order.
    pub const ALL: &'static [Operation] = &[
        Self::PutObject,
        Self::PostObject,
        Self::InitiateMultipartUpload,
        Self::UploadPart,
        Self::CompleteMultipartUpload,
        Self::GetObject,
        Self::HeadObject,
        Self::CopyObject,
        Self::UploadPartCopy,
        Self::AppendObject,
    ];

    /// Parses the exact name, e.g. `PutObject`, `UploadPartCopy`.
    ///
    /// # Errors
    /// `ERR_UNKNOWN_OPERATION` listing the accepted names.
    pub fn parse(s: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|o| o.as_str()).collect();
                err!(
                    UnknownOperation,
                    "unknown operation {}; expected one of {}",
                    q(s),
                    join(&names, ", ")
                )
            })
    }

    /// The name, as accepted by [`Operation::parse`].
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PutObject => "PutObject",
            Self::PostObject => "PostObject",
            Self::InitiateMultipartUpload => "InitiateMultipartUpload",
            Self::UploadPart => "UploadPart",
            Self::CompleteMultipartUpload => "CompleteMultipartUpload",
            Self::GetObject => "GetObject",
            Self::HeadObject => "HeadObject",
            Self::CopyObject => "CopyObject",
            Self::UploadPartCopy => "UploadPartCopy",
            Self::AppendObject => "AppendObject",
        }
    }

    /// The HTTP method COS expects for this operation.
    #[must_use]
    pub fn method(self) -> &'static str {
        match self {
            Self::PutObject | Self::UploadPart | Self::CopyObject | Self::UploadPartCopy => "PUT",
            Self::PostObject
            | Self::InitiateMultipartUpload
            | Self::CompleteMultipartUpload
            | Self::AppendObject => "POST",
            Self::GetObject => "GET",
            Self::HeadObject => "HEAD",
        }
    }

    /// Whether the operation writes object data (an upload, for the pre-signed-upload rule).
    #[must_use]
    pub fn is_upload(self) -> bool {
        matches!(self.method(), "PUT" | "POST")
    }

    /// Whether the operation takes the copy-source SSE-C triple.
    #[must_use]
    pub fn is_copy(self) -> bool {
        matches!(self, Self::CopyObject | Self::UploadPartCopy)
    }

    /// Infers the operation from a method, query and headers (see
    /// [`Signer::sign_request`](crate::Signer::sign_request)); `None` when no SSE-bearing operation matches.
    #[must_use]
    pub fn infer(
        method: &str,
        query: &[(String, Option<String>)],
        headers: &[Header],
    ) -> Option<Self> {
        let has_q = |n: &str| query.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        let has_h = |n: &str| headers.iter().any(|h| h.name.eq_ignore_ascii_case(n));
        let part = has_q("partNumber") && has_q("uploadId");
        match method.to_ascii_uppercase().as_str() {
            "PUT" if has_h("x-cos-copy-source") => Some(if part {
                Self::UploadPartCopy
            } else {
                Self::CopyObject
            }),
            "PUT" if part => Some(Self::UploadPart),
            "PUT" => Some(Self::PutObject),
            "POST" if has_q("uploads") => Some(Self::InitiateMultipartUpload),
            "POST" if has_q("uploadId") => Some(Self::CompleteMultipartUpload),
            "POST" if has_q("append") => Some(Self::AppendObject),
            "GET" => Some(Self::GetObject),
            "HEAD" => Some(Self::HeadObject),
            _ => None,
        }
    }
}

impl crate::error::Piece for Operation {
    fn push_to(&self, out: &mut String) {
        out.push_str(self.as_str());
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------

fn not_allowed(sse: &Sse, op: Operation, what_to_do: &str) -> crate::error::Error {
    err!(
        SseNotAllowed,
        "{} does not accept {} ({}); {}",
        op,
        sse.mode_name(),
        sse.algorithm().as_str(),
        what_to_do
    )
}

fn customer_headers(key: &CustomerKey) -> Vec<Header> {
    vec![
        Header::new(HEADER_SSE_C_ALGORITHM, key.algorithm().as_str()),
        Header::new(HEADER_SSE_C_KEY, key.key_base64().as_str()),
        Header::new(HEADER_SSE_C_KEY_MD5, key.md5_base64()),
    ]
}

fn kms_headers(
    key_id: Option<&str>,
    context_json: Option<&str>,
    algorithm: SseAlgorithm,
) -> Result<Vec<Header>> {
    let mut out = vec![Header::new(HEADER_SSE, SSE_KMS_VALUE)];
    if let Some(id) = key_id {
        let id = id.trim();
        if id.is_empty() || id.chars().any(char::is_control) {
            return Err(err!(InvalidSse, "the SSE-KMS keyId must be a non-empty CMK id without control characters; omit it to use the default CMK"));
        }
        out.push(Header::new(HEADER_SSE_KMS_KEY_ID, id));
    }
    if let Some(ctx) = context_json {
        let ctx = ctx.trim();
        if !json::is_object_text(ctx) {
            return Err(err!(InvalidSse, "the SSE-KMS context must be the JSON text of an object, e.g. {\"project\":\"a\"} (JSON.stringify the object)"));
        }
        out.push(Header::new(
            HEADER_SSE_CONTEXT,
            base64::encode(ctx.as_bytes()),
        ));
    }
    if algorithm == SseAlgorithm::Sm4 {
        out.push(Header::new(HEADER_SSE_KMS_ALGORITHM, "SM4"));
    }
    Ok(out)
}

/// The exact SSE request headers (or, for [`Operation::PostObject`], form fields) that
/// `op` takes for `sse` (protocol §3):
///
/// | operation | SSE-COS | SSE-KMS | SSE-C |
/// |---|---|---|---|
/// | PutObject, PostObject, InitiateMultipartUpload, CopyObject (destination) | yes | yes | yes |
/// | UploadPart, UploadPartCopy (destination) | no | no | yes |
/// | GetObject, HeadObject | no (reads decrypt automatically) | no | yes |
/// | CompleteMultipartUpload | no | no | no |
/// | AppendObject | no ([`APPEND_OBJECT_ACCEPTS_SSE`]) | no | no |
///
/// Headers: SSE-COS `x-cos-server-side-encryption: AES256|SM4`; SSE-KMS
/// `x-cos-server-side-encryption: cos/kms`, optional `…-cos-kms-key-id`, optional
/// `…-context` (base64 of the JSON text), and `…-cos-kms-algorithm: SM4` for SM4; SSE-C
/// `…-customer-algorithm`, `…-customer-key` (sensitive), `…-customer-key-MD5`.
///
/// # Errors
/// `ERR_SSE_NOT_ALLOWED` naming the operation and mode and what to do;
/// `ERR_INVALID_SSE` for an empty KMS key id or a context that is not a JSON object text.
pub fn sse_headers(sse: &Sse, op: Operation) -> Result<Vec<Header>> {
    use Operation as O;
    match (op, sse) {
        (O::AppendObject, _) if !APPEND_OBJECT_ACCEPTS_SSE => Err(not_allowed(
            sse,
            op,
            "COS does not document SSE for APPEND Object; upload with PutObject or a multipart upload, or rely on the bucket's default encryption",
        )),
        (O::CompleteMultipartUpload, _) => Err(not_allowed(
            sse,
            op,
            "Complete Multipart Upload takes no SSE headers: pass sse to InitiateMultipartUpload (and, for SSE-C, to every UploadPart) and none here",
        )),
        (O::GetObject | O::HeadObject, Sse::Cos { .. } | Sse::Kms { .. }) => Err(not_allowed(
            sse,
            op,
            "reads of SSE-COS and SSE-KMS objects decrypt automatically; omit sse (only SSE-C objects need the key on reads)",
        )),
        (O::UploadPart | O::UploadPartCopy, Sse::Cos { .. } | Sse::Kms { .. }) => Err(not_allowed(
            sse,
            op,
            "the encryption of a multipart upload is fixed by InitiateMultipartUpload; omit sse on parts (only SSE-C parts repeat the key)",
        )),
        (_, Sse::Customer(key)) => Ok(customer_headers(key)),
        (_, Sse::Cos { algorithm }) => Ok(vec![Header::new(HEADER_SSE, algorithm.as_str())]),
        (
            _,
            Sse::Kms {
                key_id,
                context_json,
                algorithm,
            },
        ) => kms_headers(key_id.as_deref(), context_json.as_deref(), *algorithm),
    }
}

/// The `x-cos-copy-source-server-side-encryption-customer-{algorithm,key,key-MD5}` triple
/// that lets PUT Object - Copy and Upload Part - Copy read an SSE-C source (protocol §3).
///
/// COS documents `AES256` for the copy-source algorithm; SM4 is accepted too,
/// symmetric with the destination headers (UNCONFIRMED, protocol §3). The key header is
/// `sensitive`.
#[must_use]
pub fn copy_source_sse_headers(key: &CustomerKey) -> Vec<Header> {
    vec![
        Header::new(HEADER_COPY_SOURCE_SSE_C_ALGORITHM, key.algorithm().as_str()),
        Header::new(HEADER_COPY_SOURCE_SSE_C_KEY, key.key_base64().as_str()),
        Header::new(HEADER_COPY_SOURCE_SSE_C_KEY_MD5, key.md5_base64()),
    ]
}

/// Checks a caller-given `…-customer-key-MD5` (base64 of the MD5 of the raw key bytes)
/// against the key (protocol §3 SSE-C).
///
/// # Errors
/// `ERR_KEY_MD5_MISMATCH`. The message names neither the key nor either MD5.
pub fn check_key_md5(key: &CustomerKey, md5_base64: &str) -> Result<()> {
    if key.md5_base64() == md5_base64.trim() {
        Ok(())
    } else {
        Err(err!(KeyMd5Mismatch, "the given SSE-C key MD5 does not match the {} key: it must be base64(MD5(raw key bytes)), not the MD5 of the base64 text; check that the key is the one you meant", key.algorithm().as_str()))
    }
}

// ---------------------------------------------------------------------------------------
// Rules shared by sign_request, presign_request and post_object_form
// ---------------------------------------------------------------------------------------

/// Refuses encryption on ARCHIVE / DEEP_ARCHIVE (protocol §3 restrictions).
pub(crate) fn check_archive(storage_class: &str) -> Result<()> {
    if is_archive_storage_class(storage_class) {
        return Err(err!(SseArchiveConflict, "storage class {} cannot be encrypted by COS; drop the SSE option or upload as STANDARD/STANDARD_IA and transition later", q(storage_class.trim())));
    }
    Ok(())
}

pub(crate) fn is_sse_header(lower: &str) -> bool {
    lower.starts_with(HEADER_SSE)
}

pub(crate) fn is_copy_source_sse_header(lower: &str) -> bool {
    lower.starts_with("x-cos-copy-source-server-side-encryption")
}

/// What the raw (caller-written) headers say about SSE.
#[derive(Default)]
pub(crate) struct RawSse {
    pub(crate) any_dest: bool,
    pub(crate) sse_value: Option<String>,
    pub(crate) customer_key: bool,
    pub(crate) copy_source_any: bool,
    pub(crate) copy_source_key: bool,
}

pub(crate) fn scan_raw(headers: &[Header]) -> RawSse {
    let mut r = RawSse::default();
    for h in headers {
        let n = h.name.to_ascii_lowercase();
        if is_sse_header(&n) {
            r.any_dest = true;
            if n == HEADER_SSE {
                r.sse_value = Some(h.value.trim().to_owned());
            }
            if n == HEADER_SSE_C_KEY {
                r.customer_key = true;
            }
        } else if is_copy_source_sse_header(&n) {
            r.copy_source_any = true;
            if n == HEADER_COPY_SOURCE_SSE_C_KEY {
                r.copy_source_key = true;
            }
        }
    }
    r
}

/// Checks raw SSE-C headers written by the caller: the key must decode to the right
/// length for its algorithm and match a given MD5.
pub(crate) fn check_raw_customer_triple(headers: &[Header], prefix: &str) -> Result<()> {
    let find = |suffix: &str| {
        let name = cat!("{}{}", prefix, suffix);
        headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(&name))
            .map(|h| h.value.as_str())
    };
    let Some(key_b64) = find("-customer-key") else {
        return Ok(());
    };
    let algorithm = match find("-customer-algorithm") {
        Some(a) => SseAlgorithm::parse(a.trim())?,
        None => SseAlgorithm::Aes256,
    };
    let key = CustomerKey::from_base64(algorithm, key_b64)?;
    if let Some(md5) = find("-customer-key-MD5") {
        check_key_md5(&key, md5)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn doc_key() -> CustomerKey {
        CustomerKey::from_bytes(SseAlgorithm::Aes256, b"0123456789ABCDEF0123456789ABCDEF")
            .expect("32")
    }

    #[test]
    fn operation_names_roundtrip() {
        for op in Operation::ALL {
            assert_eq!(Operation::parse(op.as_str()).expect("ok"), *op);
        }
        assert_eq!(
            Operation::parse("putobject").unwrap_err().code(),
            ErrorCode::UnknownOperation
        );
    }

    #[test]
    fn doc_sse_c_headers() {
        let h = sse_headers(&Sse::Customer(doc_key()), Operation::PutObject).expect("ok");
        assert_eq!(h.len(), 3);
        assert_eq!(h[1].value, "MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=");
        assert!(h[1].sensitive);
        assert_eq!(h[2].value, "U5L61r7jcwdNvT7frmUG8g==");
        assert!(check_key_md5(&doc_key(), "U5L61r7jcwdNvT7frmUG8g==").is_ok());
    }

    #[test]
    fn kms_context() {
        let h = sse_headers(
            &Sse::Kms {
                key_id: None,
                context_json: Some(r#"{"a":"asdfa","b":"123321"}"#.into()),
                algorithm: SseAlgorithm::Aes256,
            },
            Operation::PutObject,
        )
        .expect("ok");
        assert_eq!(h[1].value, "eyJhIjoiYXNkZmEiLCJiIjoiMTIzMzIxIn0=");
    }

    #[test]
    fn archive_names() {
        assert!(is_archive_storage_class("archive"));
        assert!(is_archive_storage_class(" Deep_Archive "));
        assert!(!is_archive_storage_class("STANDARD_IA"));
    }
}
