//! Server-side encryption (protocol §3, [SSE overview](https://cloud.tencent.com/document/product/436/18145),
//! [SSE request headers](https://cloud.tencent.com/document/product/436/7728)).
//!
//! - [`Sse`] describes one of the three modes (SSE-COS, SSE-KMS, SSE-C), each with the
//!   AES256 or SM4 algorithm.
//! - [`Operation`] names the COS API a request is for; [`sse_headers`] returns the exact
//!   headers that API takes for a mode, or `ERR_SSE_NOT_ALLOWED`.
//! - [`Signer::sign_request`] and [`Signer::presign_request`] add the headers, enforce the
//!   safety rules (SSE-C only over HTTPS, no SSE on archive classes, no SSE-COS through a
//!   pre-signed upload) and sign.
//! - [`object_url`] builds unsigned URLs and refuses SSE-KMS and SSE-C objects.
//!
//! SSE-C key material never appears in an error message, a `Debug` output or a URL: the
//! `…-customer-key` headers are [`Header`]s with `sensitive: true`.

use core::fmt;

pub use crate::algorithm::SseAlgorithm;
use crate::crypto::b64;
use crate::encode::{path_encode, percent_decode, uri_encode};
use crate::endpoint::{Endpoint, Protocol};
use crate::error::{err, Result};
use crate::json;
use crate::keys::CustomerKey;
use crate::sign::{is_sensitive_header, object_path, Header, KeyTime, Request};
use crate::signer::Signer;

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
                    "unknown operation {s:?}; expected one of {}",
                    names.join(", ")
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
    /// [`Signer::sign_request`]); `None` when no SSE-bearing operation matches.
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
        "{op} does not accept {} ({}); {what_to_do}",
        sse.mode_name(),
        sse.algorithm().as_str()
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
            return Err(err!(
                InvalidSse,
                "the SSE-KMS keyId must be a non-empty CMK id without control characters; omit it to use the default CMK"
            ));
        }
        out.push(Header::new(HEADER_SSE_KMS_KEY_ID, id));
    }
    if let Some(ctx) = context_json {
        let ctx = ctx.trim();
        if !json::is_object_text(ctx) {
            return Err(err!(
                InvalidSse,
                "the SSE-KMS context must be the JSON text of an object, e.g. {{\"project\":\"a\"}} (JSON.stringify the object)"
            ));
        }
        out.push(Header::new(HEADER_SSE_CONTEXT, b64(ctx.as_bytes())));
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
        Err(err!(
            KeyMd5Mismatch,
            "the given SSE-C key MD5 does not match the {} key: it must be base64(MD5(raw key bytes)), not the MD5 of the base64 text; check that the key is the one you meant",
            key.algorithm().as_str()
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Rules shared by sign_request, presign_request and post_object_form
// ---------------------------------------------------------------------------------------

/// Refuses to send SSE-C key material over plain HTTP (protocol §3: HTTPS required is
/// UNCONFIRMED for COS, so the safe choice is to require it), unless
/// `allow_insecure_local` is set AND the endpoint is loopback.
pub(crate) fn check_key_transport(endpoint: &Endpoint, allow_insecure_local: bool) -> Result<()> {
    if endpoint.protocol() == Protocol::Https || (allow_insecure_local && endpoint.is_loopback()) {
        return Ok(());
    }
    let hint = if allow_insecure_local {
        "allowInsecureLocal only applies to loopback endpoints (localhost, 127.x)"
    } else {
        "use an https endpoint (or, for a local emulator on localhost/127.x, set allowInsecureLocal)"
    };
    Err(err!(
        SseCRequiresHttps,
        "an SSE-C key would be sent over plain http to {}; {hint}",
        endpoint.host_header()
    ))
}

/// Refuses encryption on ARCHIVE / DEEP_ARCHIVE (protocol §3 restrictions).
pub(crate) fn check_archive(storage_class: &str) -> Result<()> {
    if is_archive_storage_class(storage_class) {
        return Err(err!(
            SseArchiveConflict,
            "storage class {:?} cannot be encrypted by COS; drop the SSE option or upload as STANDARD/STANDARD_IA and transition later",
            storage_class.trim()
        ));
    }
    Ok(())
}

fn is_sse_header(lower: &str) -> bool {
    lower.starts_with(HEADER_SSE)
}

fn is_copy_source_sse_header(lower: &str) -> bool {
    lower.starts_with("x-cos-copy-source-server-side-encryption")
}

/// What the raw (caller-written) headers say about SSE.
#[derive(Default)]
struct RawSse {
    any_dest: bool,
    sse_value: Option<String>,
    customer_key: bool,
    copy_source_any: bool,
    copy_source_key: bool,
}

fn scan_raw(headers: &[Header]) -> RawSse {
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
fn check_raw_customer_triple(headers: &[Header], prefix: &str) -> Result<()> {
    let find = |suffix: &str| {
        let name = format!("{prefix}{suffix}");
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

/// The rules common to signing and pre-signing; returns the operation (if any) and the
/// headers to send (user headers, then SSE headers, then copy-source headers).
fn prepare(
    req: &SignRequest,
    endpoint: &Endpoint,
    presign: bool,
) -> Result<(Option<Operation>, Vec<Header>)> {
    if req
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("authorization"))
    {
        return Err(err!(
            InvalidArgument,
            "headers already contain Authorization; pass the request unsigned"
        ));
    }
    let op = match req.operation {
        Some(op) => {
            if op == Operation::PostObject {
                return Err(err!(
                    InvalidArgument,
                    "PostObject is a browser form upload signed by a policy; use post_object_form instead"
                ));
            }
            if !req.method.eq_ignore_ascii_case(op.method()) {
                return Err(err!(
                    InvalidArgument,
                    "operation {op} is sent with method {}, but method is {:?}",
                    op.method(),
                    req.method
                ));
            }
            Some(op)
        }
        None => Operation::infer(&req.method, &req.query, &req.headers),
    };

    for (k, _) in &req.query {
        let n = k.to_ascii_lowercase();
        if is_sse_header(&n) || is_copy_source_sse_header(&n) {
            return Err(err!(
                InvalidSse,
                "SSE parameter {k:?} must not travel in the URL; pass it via sse / copySourceSse so it is sent as a header"
            ));
        }
    }

    let raw = scan_raw(&req.headers);
    if req.sse.is_some() && raw.any_dest {
        return Err(err!(
            InvalidSse,
            "SSE is given both as the sse option and as x-cos-server-side-encryption* headers; pass it once, via sse"
        ));
    }
    if req.copy_source_sse.is_some() && raw.copy_source_any {
        return Err(err!(
            InvalidSse,
            "the copy-source SSE-C key is given both as copySourceSse and as headers; pass it once, via copySourceSse"
        ));
    }
    if raw.customer_key && raw.sse_value.is_some() {
        // Mixing x-cos-server-side-encryption with SSE-C is UNCONFIRMED for COS (S3 rejects it).
        return Err(err!(
            InvalidSse,
            "x-cos-server-side-encryption cannot be combined with SSE-C customer-key headers; choose one mode"
        ));
    }
    check_raw_customer_triple(&req.headers, HEADER_SSE)?;
    check_raw_customer_triple(&req.headers, "x-cos-copy-source-server-side-encryption")?;

    // The SSE-COS-through-a-pre-signed-upload rule comes first: it is the most specific.
    let is_upload_method =
        req.method.eq_ignore_ascii_case("PUT") || req.method.eq_ignore_ascii_case("POST");
    if presign && is_upload_method {
        let sse_cos_raw = raw
            .sse_value
            .as_deref()
            .is_some_and(|v| !v.eq_ignore_ascii_case(SSE_KMS_VALUE));
        if matches!(req.sse, Some(Sse::Cos { .. })) || sse_cos_raw {
            return Err(err!(
                SsePresignedUpload,
                "COS cannot apply SSE-COS to an upload through a pre-signed URL; sign the request with sign_request (Authorization header), use SSE-KMS, or set a bucket default encryption"
            ));
        }
    }

    let mut headers = req.headers.clone();
    if let Some(sse) = &req.sse {
        let Some(op) = op else {
            return Err(err!(
                UnknownOperation,
                "cannot tell which COS operation a {} request with sse is; pass operation (e.g. PutObject, UploadPart)",
                req.method
            ));
        };
        headers.extend(sse_headers(sse, op)?);
    }
    if let Some(src) = &req.copy_source_sse {
        match op {
            Some(op) if op.is_copy() => headers.extend(copy_source_sse_headers(src)),
            Some(op) => {
                return Err(err!(
                    SseNotAllowed,
                    "{op} does not accept a copy-source SSE-C key; it is only for CopyObject and UploadPartCopy (with an x-cos-copy-source header)"
                ))
            }
            None => {
                return Err(err!(
                    UnknownOperation,
                    "cannot tell which COS operation a {} request with copySourceSse is; pass operation CopyObject or UploadPartCopy",
                    req.method
                ))
            }
        }
    }

    let dest_sse = req.sse.is_some() || raw.any_dest;
    if dest_sse {
        if let Some(class) = req
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(HEADER_STORAGE_CLASS))
        {
            check_archive(&class.value)?;
        }
    }
    let carries_key = matches!(req.sse, Some(Sse::Customer(_)))
        || req.copy_source_sse.is_some()
        || raw.customer_key
        || raw.copy_source_key;
    if carries_key {
        check_key_transport(endpoint, req.allow_insecure_local)?;
    }
    Ok((op, headers))
}

fn without_host(headers: Vec<Header>) -> Vec<Header> {
    headers
        .into_iter()
        .filter(|h| !h.name.eq_ignore_ascii_case("host"))
        .collect()
}

// ---------------------------------------------------------------------------------------
// SignRequest / SignedRequest / PresignedRequest
// ---------------------------------------------------------------------------------------

/// A request to sign with SSE (protocol §1 + §3): what [`Signer::sign_request`] and
/// [`Signer::presign_request`] take.
///
/// `Debug` is safe to log: SSE-C keys and sensitive header values are redacted.
#[derive(Clone, Default)]
pub struct SignRequest {
    /// HTTP method (any case).
    pub method: String,
    /// Object key (`a/b.txt`; a leading `/` is accepted).
    pub key: String,
    /// Query parameters, decoded; `None` is a bare name (`?uploads`).
    pub query: Vec<(String, Option<String>)>,
    /// Headers to send. Prefer `sse` / `copy_source_sse` for SSE; raw
    /// `x-cos-server-side-encryption*` headers are accepted only when `sse` is `None`
    /// (then the HTTPS, archive, pre-signed-upload and key-MD5 rules still apply, the
    /// per-operation table does not). Must not contain `Authorization`.
    pub headers: Vec<Header>,
    /// Extra header names to sign beyond [`crate::DEFAULT_SIGNED_HEADERS`].
    pub sign_headers: Vec<String>,
    /// Destination encryption.
    pub sse: Option<Sse>,
    /// The SSE-C key of the copy source (CopyObject / UploadPartCopy).
    pub copy_source_sse: Option<CustomerKey>,
    /// The COS operation; inferred from method, query and headers when `None`.
    pub operation: Option<Operation>,
    /// Allows SSE-C over plain http, but only to a loopback endpoint (local emulators).
    pub allow_insecure_local: bool,
}

impl fmt::Debug for SignRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<Header> = self
            .headers
            .iter()
            .map(|h| Header {
                name: h.name.clone(),
                value: h.value.clone(),
                sensitive: h.sensitive || is_sensitive_header(&h.name),
            })
            .collect();
        let query: Vec<(&str, Option<&str>)> = self
            .query
            .iter()
            .map(|(k, v)| {
                let secret = is_sensitive_header(k);
                (
                    k.as_str(),
                    v.as_deref()
                        .map(|v| if secret { "** REDACTED **" } else { v }),
                )
            })
            .collect();
        f.debug_struct("SignRequest")
            .field("method", &self.method)
            .field("key", &self.key)
            .field("query", &query)
            .field("headers", &headers)
            .field("sign_headers", &self.sign_headers)
            .field("sse", &self.sse)
            .field("copy_source_sse", &self.copy_source_sse)
            .field("operation", &self.operation)
            .field("allow_insecure_local", &self.allow_insecure_local)
            .finish()
    }
}

/// A signed request ready for `fetch`: the URL and every header to send, including
/// `Authorization` and, with temporary credentials, `x-cos-security-token`. No `Host`
/// header (fetch sets it; it is signed as the endpoint's host).
///
/// `Debug` redacts sensitive headers and a security token in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// `scheme://host/path?query`.
    pub url: String,
    /// Headers to send; sensitive ones print redacted.
    pub headers: Vec<Header>,
}

/// A pre-signed URL plus the signed headers the caller must send with it (SSE-C and
/// SSE-KMS headers, and any other signed header given). The URL never contains key material.
///
/// `Debug` redacts sensitive headers and the security token in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    /// The URL with the `q-*` signature (and the security token) in its query.
    pub url: String,
    /// Headers that are in `q-header-list` and must be sent unchanged.
    pub headers: Vec<Header>,
}

/// The URL with the value of any `x-cos-security-token` query parameter redacted, for `Debug`.
fn redact_url(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _))
                if percent_decode(k).is_some_and(|k| {
                    is_sensitive_header(&k) || k.eq_ignore_ascii_case("x-cos-security-token")
                }) =>
            {
                format!("{k}=**REDACTED**")
            }
            _ => kv.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .finish()
    }
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .finish()
    }
}

fn build_url(endpoint: &Endpoint, signed_path: &str, query: &[(String, Option<String>)]) -> String {
    let mut url = format!("{}{}", endpoint.origin(), path_encode(signed_path));
    for (i, (k, v)) in query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&uri_encode(k));
        if let Some(v) = v {
            url.push('=');
            url.push_str(&uri_encode(v));
        }
    }
    url
}

impl Signer {
    /// Signs `req` for `endpoint` with an `Authorization` header (protocol §1) after adding the
    /// SSE headers of `req.sse` / `req.copy_source_sse` for the operation (protocol §3).
    ///
    /// The operation, when not given, is inferred: PUT with `x-cos-copy-source` →
    /// CopyObject (UploadPartCopy with `partNumber` and `uploadId`); PUT with `partNumber`
    /// and `uploadId` → UploadPart; other PUT → PutObject; POST with `uploads` →
    /// InitiateMultipartUpload, with `uploadId` → CompleteMultipartUpload, with `append`
    /// → AppendObject; GET → GetObject; HEAD → HeadObject.
    ///
    /// The result holds the user headers, the SSE headers, `x-cos-security-token` (with
    /// temporary credentials; added before signing so it is signed, as the Go and Python
    /// SDKs do) and `Authorization`. `host` is signed but not returned.
    ///
    /// # Errors
    /// - `ERR_UNKNOWN_OPERATION` when SSE is given and the operation cannot be inferred;
    /// - `ERR_SSE_NOT_ALLOWED` (see [`sse_headers`]);
    /// - `ERR_SSE_C_REQUIRES_HTTPS` for an SSE-C key over http (unless
    ///   `allow_insecure_local` and a loopback endpoint);
    /// - `ERR_SSE_ARCHIVE_CONFLICT` for SSE with an ARCHIVE / DEEP_ARCHIVE storage class;
    /// - `ERR_INVALID_SSE`, `ERR_INVALID_KEY_LENGTH`, `ERR_KEY_MD5_MISMATCH` for malformed SSE;
    /// - `ERR_INVALID_ARGUMENT` when `operation` disagrees with `method`;
    /// - any error of [`Signer::authorization`].
    pub fn sign_request(
        &self,
        req: &SignRequest,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<SignedRequest> {
        let (_, mut headers) = prepare(req, endpoint, false)?;
        if let Some(token) = self.credentials().security_token() {
            if !headers
                .iter()
                .any(|h| h.name.eq_ignore_ascii_case("x-cos-security-token"))
            {
                headers.push(Header::new("x-cos-security-token", token));
            }
        }
        let request = Request {
            method: req.method.clone(),
            key: req.key.clone(),
            query: req.query.clone(),
            headers,
            sign_headers: req.sign_headers.clone(),
        };
        let (signed_path, parts) = self.sign_for_endpoint(&request, endpoint, key_time)?;
        let mut headers = without_host(request.headers);
        headers.push(Header::new(
            "Authorization",
            parts.authorization(self.credentials().secret_id()),
        ));
        Ok(SignedRequest {
            url: build_url(endpoint, &signed_path, &req.query),
            headers,
        })
    }

    /// A pre-signed URL (protocol §1 "Pre-signed URL") for `req`, with its SSE-C / SSE-KMS
    /// headers signed (listed in `q-header-list`) and returned separately: the caller must
    /// send them with the request. Key material never goes into the URL.
    ///
    /// Built on [`Signer::presign_url`]: with temporary credentials the token is appended
    /// to the query.
    ///
    /// # Errors
    /// As [`Signer::sign_request`], plus `ERR_SSE_PRESIGNED_UPLOAD` for SSE-COS on a PUT or
    /// POST (COS cannot apply SSE-COS through a pre-signed upload, protocol §3).
    pub fn presign_request(
        &self,
        req: &SignRequest,
        endpoint: &Endpoint,
        key_time: KeyTime,
    ) -> Result<PresignedRequest> {
        let (_, headers) = prepare(req, endpoint, true)?;
        let request = Request {
            method: req.method.clone(),
            key: req.key.clone(),
            query: req.query.clone(),
            headers,
            sign_headers: req.sign_headers.clone(),
        };
        let url =
            self.presign_url_checked(&request, endpoint, key_time, req.allow_insecure_local)?;
        Ok(PresignedRequest {
            url,
            headers: without_host(request.headers),
        })
    }
}

/// An unsigned (anonymous / public-read) object URL: `origin` + encoded path.
///
/// `sse` describes how the object is encrypted, when known. SSE-COS objects can be read
/// anonymously; SSE-KMS objects need a valid signature (COS SSE overview: "not accessible by
/// anonymous users"), and SSE-C objects need the key headers on every read, which a bare
/// URL cannot carry.
///
/// # Errors
/// `ERR_SSE_KMS_ANONYMOUS` for SSE-KMS, `ERR_SSE_NOT_ALLOWED` for SSE-C, and the object key
/// errors (`ERR_INVALID_OBJECT_KEY`, `ERR_OBJECT_KEY_TOO_LONG`).
pub fn object_url(endpoint: &Endpoint, key: &str, sse: Option<&Sse>) -> Result<String> {
    match sse {
        Some(Sse::Kms { .. }) => {
            return Err(err!(
                SseKmsAnonymous,
                "SSE-KMS objects cannot be read anonymously; use a pre-signed URL (presign_request with GetObject) or a signed request"
            ))
        }
        Some(Sse::Customer(_)) => {
            return Err(err!(
                SseNotAllowed,
                "an unsigned URL cannot carry the SSE-C key headers every read of an SSE-C object needs; use sign_request with operation GetObject"
            ))
        }
        Some(Sse::Cos { .. }) | None => {}
    }
    let path = object_path(key)?;
    Ok(build_url(endpoint, &endpoint.signed_path(&path), &[]))
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
