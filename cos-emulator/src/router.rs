//! Chooses the operation from the method, the bucket/key and the canonical sub-resource names
//! (compared without case: the same names the signature covered, see `Ctx::q`).

use crate::ctx::{require_signed, Ctx, AUTH_PARAMS};
use crate::error::{ioe, method_not_allowed, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::ops::{append, bucket, copy, multipart, object, post};
use crate::state::State;

/// Query parameters the emulator understands (lower case), besides the signature's own and
/// `response-*`. Anything else is refused: an unknown sub-resource (`?tagging`, `?versionId`)
/// must not fall through to a plain object PUT or GET (strict stance, README).
const KNOWN_PARAMS: [&str; 19] = [
    "acl",
    "uploads",
    "uploadid",
    "partnumber",
    "append",
    "position",
    "restore",
    "delete",
    "encryption",
    "prefix",
    "delimiter",
    "marker",
    "max-keys",
    "encoding-type",
    "part-number-marker",
    "max-parts",
    "key-marker",
    "upload-id-marker",
    "max-uploads",
];

fn check_params(ctx: &Ctx<'_>) -> CosResult<()> {
    for (k, _) in &ctx.query {
        let lk = k.to_ascii_lowercase();
        if !KNOWN_PARAMS.contains(&lk.as_str())
            && !AUTH_PARAMS.contains(&lk.as_str())
            && !lk.starts_with("response-")
        {
            return Err(CosError::new(
                501,
                "NotImplemented",
                format!("The sub-resource or parameter {k} is not supported by the emulator"),
            ));
        }
    }
    Ok(())
}

/// Routes a request.
pub fn dispatch(st: &State, ctx: &Ctx<'_>, body: &mut BodyReader) -> CosResult<Response> {
    check_params(ctx)?;
    let m = ctx.head.method.as_str();
    let Some(b) = ctx.bucket.as_deref() else {
        // service level
        return match m {
            "GET" => {
                require_signed(ctx)?;
                bucket::list_buckets(st)
            }
            _ => Err(method_not_allowed()),
        };
    };
    if ctx.key.is_empty() {
        return bucket_op(st, ctx, b, body);
    }
    let q = |n: &str| ctx.has_q(n);
    if m == "GET" || m == "HEAD" {
        if m == "GET" && q("uploadId") {
            require_signed(ctx)?;
            return multipart::list_parts(st, ctx, b);
        }
        if m == "GET" && q("acl") {
            require_signed(ctx)?;
            return object::get_acl(st, ctx, b);
        }
        return object::get_object(st, ctx, b, m == "HEAD");
    }
    require_signed(ctx)?;
    match m {
        "PUT" if q("partNumber") && q("uploadId") => {
            if ctx.h("x-cos-copy-source").is_some() {
                multipart::upload_part_copy(st, ctx, b)
            } else {
                multipart::upload_part(st, ctx, b, body)
            }
        }
        "PUT" if q("partNumber") || q("uploadId") => Err(crate::error::bad_request(
            "InvalidArgument",
            "Upload Part needs both partNumber and uploadId",
        )),
        "PUT" if q("acl") => object::put_acl(st, ctx, b, body),
        "PUT" if ctx.h("x-cos-copy-source").is_some() => copy::copy_object(st, ctx, b),
        "PUT" => object::put_object(st, ctx, b, body),
        "DELETE" if q("uploadId") => multipart::abort_upload(st, ctx, b),
        "DELETE" => {
            st.store.delete(b, &ctx.key).map_err(ioe)?;
            Ok(Response::new(204))
        }
        "POST" if q("uploads") => multipart::initiate_upload(st, ctx, b),
        "POST" if q("uploadId") => multipart::complete_upload(st, ctx, b, body),
        "POST" if q("append") => append::append_object(st, ctx, b, body),
        "POST" if q("restore") => object::restore_object(st, ctx, b, body),
        _ => Err(method_not_allowed()),
    }
}

fn bucket_op(st: &State, ctx: &Ctx<'_>, b: &str, body: &mut BodyReader) -> CosResult<Response> {
    let m = ctx.head.method.as_str();
    if m == "POST"
        && ctx.query.is_empty()
        && ctx
            .h("content-type")
            .map(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"))
            .unwrap_or(false)
    {
        return post::post_object(st, ctx, b, body);
    }
    require_signed(ctx)?;
    st.store.ensure_bucket(b, st.now()).map_err(ioe)?;
    let q = |n: &str| ctx.has_q(n);
    match m {
        "PUT" if q("encryption") => bucket::put_bucket_encryption(st, ctx, b, body),
        "GET" if q("encryption") => bucket::get_bucket_encryption(st, b),
        "DELETE" if q("encryption") => bucket::delete_bucket_encryption(st, b),
        "GET" if q("uploads") => multipart::list_uploads(st, ctx, b),
        "POST" if q("delete") => bucket::delete_objects(st, ctx, b, body),
        "PUT" | "HEAD" => Ok(Response::new(200)),
        "GET" => bucket::list_objects(st, ctx, b),
        "DELETE" => {
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
        _ => Err(method_not_allowed()),
    }
}
