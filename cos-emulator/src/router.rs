//! Chooses the operation from the method, the bucket/key and the canonical sub-resource names
//! (compared without case: the same names the signature covered, see `Ctx::q`).
//!
//! Strict stance: each operation lists the query parameters it takes; any other parameter
//! (an unknown sub-resource such as `?tagging`, or a known one that does not belong, such as
//! `PUT ?uploads`) gives 501 `NotImplemented`, so a request never falls through to a plain PUT
//! or GET Object.

use crate::ctx::{require_signed, Ctx, AUTH_PARAMS};
use crate::error::{ioe, method_not_allowed, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::ops::{append, bucket, copy, multipart, object, post};
use crate::state::State;

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
            || (op.takes_response_overrides() && lk.starts_with("response-"));
        if !ok {
            return Err(CosError::new(
                501,
                "NotImplemented",
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
