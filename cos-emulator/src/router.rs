//! Chooses the operation from the method, the bucket/key and the canonical sub-resource names
//! (compared without case: the same names the signature covered, see `Ctx::q`).
//!
//! Strict stance: each operation lists the query parameters it takes; any other sub-resource
//! (one the emulator does not serve, such as `?tagging`, or one that does not belong, such as
//! `PUT ?uploads`) gives [`UNSUPPORTED_SUB_RESOURCE`] (a 4xx, which the official SDKs do not
//! retry), so a request never falls through to a plain PUT or GET Object. Other unknown
//! parameters (not sub-resources) are ignored.

use crate::ctx::{
    authorize_temporary, is_sub_resource, length_pending, request_action, require_signed, Ctx,
    Temporary, AUTH_PARAMS,
};
use crate::error::{ioe, method_not_allowed, CosError, CosResult};
use crate::http::{Body, BodyReader, RequestHead, Response};
use crate::ops::{append, bucket, copy, multipart, object, post};
use crate::state::State;
use crate::sts::{response_body, verify_tc3, StsError, Tc3Request, KNOWN_KEYS};
use crate::util;

/// Largest STS request body read (the Policy parameter is the bulk of it).
/// UNCONFIRMED: STS's own limit; CAM documents 6144 characters per policy.
pub const MAX_STS_BODY: u64 = 64 * 1024;

/// UNCONFIRMED: the answer to a sub-resource the emulator does not serve, or one the chosen
/// operation does not take. A 4xx: the official SDKs retry every 5xx (the browser SDK sent
/// each such request 4 times when this was 501).
pub const UNSUPPORTED_SUB_RESOURCE: (u16, &str) = (400, "InvalidArgument");

/// UNCONFIRMED: a temporary credential's `ListMultipartUploads` (bucket `GET ?uploads`) is
/// judged on the resource `<bucket>/<prefix>` (the request's `prefix`, empty without one), so
/// a grant scoped to `users/alice/*` lists the uploads of `users/alice/…` only. Tencent's STS
/// samples grant this action on a key-prefix resource for the official resumable uploaders
/// (`sliceUploadFile`, the Python SDK's `upload_file`), which list with `prefix=<key>`.
pub const LIST_UPLOADS_ON_PREFIX: bool = true;

/// Whether a request is for STS rather than COS: it carries `X-TC-Action` (Tencent Cloud API
/// v3) and targets `/`. Any Host: the official SDKs sign the endpoint they are given
/// (`127.0.0.1:<port>`, or `sts.tencentcloudapi.com` mapped to the emulator).
pub fn is_sts_request(head: &RequestHead) -> bool {
    head.header("x-tc-action").is_some() && head.raw_path == "/" && head.raw_query.is_empty()
}

/// Serves an STS call: POST of a JSON body signed with TC3-HMAC-SHA256 by a configured
/// permanent credential, then `GetFederationToken` / `AssumeRole`. Answers as Tencent Cloud
/// API v3 does: HTTP 200 with `{"Response": {…, "RequestId"}}`, an `Error` inside on failure.
pub fn serve_sts(
    st: &State,
    head: &RequestHead,
    body: &mut BodyReader,
    request_id: &str,
) -> Response {
    let result = sts_result(st, head, body);
    let mut r = Response::new(200).header("Content-Type", "application/json");
    r.error_code = result.as_ref().err().map(|e| e.code.to_string());
    r.body = Body::Bytes(response_body(&result, request_id).into_bytes());
    r
}

fn sts_result(
    st: &State,
    head: &RequestHead,
    body: &mut BodyReader,
) -> Result<serde_json::Value, StsError> {
    let invalid = |message: &str| StsError {
        code: "InvalidParameter",
        message: message.to_string(),
    };
    if head.method != "POST" {
        return Err(StsError {
            code: "UnsupportedProtocol",
            message: "the emulator's STS takes POST with a JSON body".into(),
        });
    }
    let is_json = head.header("content-type").is_some_and(|c| {
        c.split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if !is_json {
        return Err(invalid("Content-Type must be application/json"));
    }
    let bytes = body
        .read_all(MAX_STS_BODY)
        .map_err(|_| invalid("the request body is too large or unreadable"))?;
    let mut headers: Vec<(String, String)> = head
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if let Some(host) = &head.absolute_host {
        headers.retain(|(k, _)| k != "host");
        headers.push(("host".into(), host.clone()));
    }
    let req = Tc3Request {
        method: &head.method,
        path: &head.raw_path,
        query: &head.raw_query,
        headers: &headers,
        body: &bytes,
    };
    let now = st.now();
    // Only permanent credentials call STS (a temporary key cannot mint more).
    let permanent = |id: &str| {
        st.cfg
            .credentials
            .iter()
            .find(|c| c.secret_id == id && c.token.is_none())
            .map(|c| c.secret_key.clone())
    };
    let (_, action) = verify_tc3(&req, now, permanent)?;
    let mut sts = st.sts.lock().map_err(|_| StsError {
        code: "InternalError",
        message: "STS state poisoned".into(),
    })?;
    sts.handle(action, &bytes, now, &mut util::random_hex)
}

/// Checks a request signed with a temporary credential: the CAM action and resource; a copy
/// also needs `GetObject` on its source and is decided again with what it stores (the copied
/// length, the source's content type: [`copy::copy_facts`]).
fn authorize(st: &State, ctx: &Ctx<'_>, op: Op) -> CosResult<()> {
    let Some(who) = Temporary::of(ctx) else {
        return Ok(());
    };
    // A header a condition reads, sent twice, is judged joined ("image/png,text/html") and a
    // browser would take one of its parts: refused.
    for name in KNOWN_KEYS.iter().filter_map(|k| k.strip_prefix("cos:")) {
        let mut sent = ctx
            .head
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        if sent.nth(1).is_some() {
            return Err(CosError::new(
                400,
                "InvalidArgument",
                format!("header {name} given more than once"),
            ));
        }
    }
    let b = ctx.bucket.as_deref().unwrap_or("");
    let target = if op == Op::ListUploads && LIST_UPLOADS_ON_PREFIX {
        (b, ctx.q("prefix").unwrap_or(""))
    } else {
        (b, ctx.key.as_str())
    };
    let action = request_action(ctx);
    // A streamed body (no Content-Length) is decided with its length pending here and again
    // once written (`ctx::authorize_written`).
    let pending =
        matches!(op, Op::PutObject | Op::UploadPart | Op::AppendObject) && length_pending(ctx);
    authorize_temporary(st, ctx, &who, action, target, &ctx.headers, pending)?;
    if matches!(op, Op::CopyObject | Op::UploadPartCopy) {
        let (sb, sk) = copy::parse_copy_source(ctx.h("x-cos-copy-source").unwrap_or(""))?;
        authorize_temporary(st, ctx, &who, "GetObject", (&sb, &sk), &ctx.headers, false)?;
        let facts = copy::copy_facts(st, ctx, op == Op::UploadPartCopy)?;
        authorize_temporary(st, ctx, &who, action, target, &facts, false)?;
    }
    Ok(())
}

/// The operations, each with the query parameters it takes (lower case, besides the
/// signature's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    ListBuckets,
    PostObject,
    PutBucket,
    HeadBucket,
    DeleteBucket,
    ListObjects,
    PutEncryption,
    GetEncryption,
    DeleteEncryption,
    ListUploads,
    DeleteObjects,
    GetObject,
    HeadObject,
    GetAcl,
    PutAcl,
    ListParts,
    UploadPart,
    UploadPartCopy,
    CopyObject,
    PutObject,
    AbortUpload,
    DeleteObject,
    InitiateUpload,
    CompleteUpload,
    AppendObject,
    RestoreObject,
}

impl Op {
    fn params(self) -> &'static [&'static str] {
        match self {
            Op::ListObjects => &["prefix", "delimiter", "marker", "max-keys", "encoding-type"],
            Op::PutEncryption | Op::GetEncryption | Op::DeleteEncryption => &["encryption"],
            Op::ListUploads => &[
                "uploads",
                "prefix",
                "delimiter",
                "key-marker",
                "upload-id-marker",
                "max-uploads",
                "encoding-type",
            ],
            Op::DeleteObjects => &["delete"],
            Op::GetAcl | Op::PutAcl => &["acl"],
            Op::ListParts => &[
                "uploadid",
                "part-number-marker",
                "max-parts",
                "encoding-type",
            ],
            Op::UploadPart | Op::UploadPartCopy => &["partnumber", "uploadid"],
            Op::AbortUpload | Op::CompleteUpload => &["uploadid"],
            Op::InitiateUpload => &["uploads"],
            Op::AppendObject => &["append", "position"],
            Op::RestoreObject => &["restore"],
            _ => &[],
        }
    }

    /// Whether `response-*` overrides apply (GET/HEAD Object).
    fn takes_response_overrides(self) -> bool {
        matches!(self, Op::GetObject | Op::HeadObject)
    }

    /// Whether anonymous callers may try it (public-read objects only, checked by the op).
    fn anonymous_ok(self) -> bool {
        matches!(self, Op::GetObject | Op::HeadObject | Op::PostObject)
    }
}

/// Picks the operation.
fn choose(ctx: &Ctx<'_>) -> CosResult<Op> {
    let m = ctx.head.method.as_str();
    let q = |n: &str| ctx.has_q(n);
    let Some(_) = ctx.bucket.as_deref() else {
        return match m {
            "GET" => Ok(Op::ListBuckets),
            _ => Err(method_not_allowed()),
        };
    };
    let op = if ctx.key.is_empty() {
        match m {
            "POST"
                if ctx.query.is_empty()
                    && ctx.h("content-type").is_some_and(|c| {
                        c.to_ascii_lowercase().starts_with("multipart/form-data")
                    }) =>
            {
                Op::PostObject
            }
            "PUT" if q("encryption") => Op::PutEncryption,
            "GET" if q("encryption") => Op::GetEncryption,
            "DELETE" if q("encryption") => Op::DeleteEncryption,
            "GET" if q("uploads") => Op::ListUploads,
            "POST" if q("delete") => Op::DeleteObjects,
            "PUT" => Op::PutBucket,
            "HEAD" => Op::HeadBucket,
            "GET" => Op::ListObjects,
            "DELETE" => Op::DeleteBucket,
            _ => return Err(method_not_allowed()),
        }
    } else {
        match m {
            "GET" if q("uploadId") => Op::ListParts,
            "GET" if q("acl") => Op::GetAcl,
            "GET" => Op::GetObject,
            "HEAD" => Op::HeadObject,
            "PUT" if q("partNumber") || q("uploadId") => {
                if ctx.h("x-cos-copy-source").is_some() {
                    Op::UploadPartCopy
                } else {
                    Op::UploadPart
                }
            }
            "PUT" if q("acl") => Op::PutAcl,
            "PUT" if ctx.h("x-cos-copy-source").is_some() => Op::CopyObject,
            "PUT" => Op::PutObject,
            "DELETE" if q("uploadId") => Op::AbortUpload,
            "DELETE" => Op::DeleteObject,
            "POST" if q("uploads") => Op::InitiateUpload,
            "POST" if q("uploadId") => Op::CompleteUpload,
            "POST" if q("append") => Op::AppendObject,
            "POST" if q("restore") => Op::RestoreObject,
            _ => return Err(method_not_allowed()),
        }
    };
    for (k, _) in &ctx.query {
        let lk = k.to_ascii_lowercase();
        let ok = AUTH_PARAMS.contains(&lk.as_str())
            || op.params().contains(&lk.as_str())
            || (op.takes_response_overrides() && lk.starts_with("response-"))
            || !is_sub_resource(&lk);
        if !ok {
            let (status, code) = UNSUPPORTED_SUB_RESOURCE;
            return Err(CosError::new(
                status,
                code,
                format!("The parameter {k} is not supported with this operation by the emulator"),
            ));
        }
    }
    Ok(op)
}

/// Routes a request.
pub fn dispatch(st: &State, ctx: &Ctx<'_>, body: &mut BodyReader) -> CosResult<Response> {
    let op = choose(ctx)?;
    if !op.anonymous_ok() {
        require_signed(ctx)?;
    }
    let b = ctx.bucket.as_deref().unwrap_or("");
    authorize(st, ctx, op)?;
    if ctx.key.is_empty() && !matches!(op, Op::ListBuckets | Op::PostObject) {
        st.store.ensure_bucket(b, st.now()).map_err(ioe)?;
    }
    match op {
        Op::ListBuckets => bucket::list_buckets(st),
        Op::PostObject => post::post_object(st, ctx, b, body),
        Op::PutBucket | Op::HeadBucket => Ok(Response::new(200)),
        Op::DeleteBucket => {
            if st.store.delete_bucket(b).map_err(ioe)? {
                Ok(Response::new(204))
            } else {
                Err(CosError::new(
                    409,
                    "BucketNotEmpty",
                    "The bucket you tried to delete is not empty",
                ))
            }
        }
        Op::ListObjects => bucket::list_objects(st, ctx, b),
        Op::PutEncryption => bucket::put_bucket_encryption(st, ctx, b, body),
        Op::GetEncryption => bucket::get_bucket_encryption(st, b),
        Op::DeleteEncryption => bucket::delete_bucket_encryption(st, b),
        Op::ListUploads => multipart::list_uploads(st, ctx, b),
        Op::DeleteObjects => bucket::delete_objects(st, ctx, b, body),
        Op::GetObject | Op::HeadObject => object::get_object(st, ctx, b, op == Op::HeadObject),
        Op::GetAcl => object::get_acl(st, ctx, b),
        Op::PutAcl => object::put_acl(st, ctx, b, body),
        Op::ListParts => multipart::list_parts(st, ctx, b),
        Op::UploadPart => multipart::upload_part(st, ctx, b, body),
        Op::UploadPartCopy => multipart::upload_part_copy(st, ctx, b),
        Op::CopyObject => copy::copy_object(st, ctx, b),
        Op::PutObject => object::put_object(st, ctx, b, body),
        Op::AbortUpload => multipart::abort_upload(st, ctx, b),
        Op::DeleteObject => {
            st.store.delete(b, &ctx.key).map_err(ioe)?;
            Ok(Response::new(204))
        }
        Op::InitiateUpload => multipart::initiate_upload(st, ctx, b),
        Op::CompleteUpload => multipart::complete_upload(st, ctx, b, body),
        Op::AppendObject => append::append_object(st, ctx, b, body),
        Op::RestoreObject => object::restore_object(st, ctx, b, body),
    }
}
