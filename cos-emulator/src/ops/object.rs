//! Single-object operations: PUT, GET/HEAD, DELETE, ACL, restore.

use crate::crypto::ObjectReader;
use crate::ctx::{authorize_written, header_getter, header_names, Ctx};
use crate::error::{access_denied, bad_request, forbidden, ioe, not_found, CosError, CosResult};
use crate::http::{Body, BodyReader, Response};
use crate::objio::*;
use crate::sse::*;
use crate::state::State;
use crate::util;

/// PUT Object: attributes and SSE from the headers, the body streamed to a sealed temp file.
pub fn put_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    if ctx.key.ends_with('/') && body.declared_len().unwrap_or(0) > 0 {
        return Err(folder_not_empty());
    }
    if body.declared_len().unwrap_or(0) > MAX_PUT {
        return Err(put_too_large());
    }
    if ctx.h("content-length").is_none() && ctx.h("transfer-encoding").is_none() {
        return Err(CosError::new(
            411,
            "MissingContentLength",
            "You must provide the Content-Length HTTP header",
        ));
    }
    let get = header_getter(ctx);
    let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
    let req = parse_sse(&get)?;
    forbid_presigned_sse_cos(ctx, &req)?;
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    // The size rules hold for a streamed (chunked) body too, as it streams: a folder key
    // stays empty, 5 GB at most, then the temporary credential's size conditions.
    let w = if ctx.key.ends_with('/') {
        write_temp_bounded(st, body, enc.as_ref(), 0, folder_not_empty)?
    } else {
        write_temp_bounded(st, body, enc.as_ref(), MAX_PUT, put_too_large)?
    };
    if let Err(e) = authorize_written(st, ctx, w.size) {
        let _ = std::fs::remove_file(&w.tmp);
        return Err(e);
    }
    let meta = commit_new(st, bucket, &ctx.key, attrs, sse, w, content_md5)?;
    let mut r = Response::new(200);
    write_response_headers(&mut r, &meta);
    Ok(r)
}

/// COS allows "folder" objects (a key ending in `/`); they must be empty.
fn folder_not_empty() -> CosError {
    bad_request(
        "InvalidArgument",
        "A key ending in / must have an empty body",
    )
}

fn put_too_large() -> CosError {
    bad_request(
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size (5 GB)",
    )
}

/// GET / HEAD Object.
pub fn get_object(st: &State, ctx: &Ctx<'_>, bucket: &str, head_only: bool) -> CosResult<Response> {
    let (mut meta, data) = st
        .store
        .open_object(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    if !ctx.signed() {
        let public = matches!(meta.acl.as_str(), "public-read" | "public-read-write");
        if !public {
            return Err(access_denied());
        }
        if meta.sse.as_ref().map(|s| s.mode == "kms").unwrap_or(false) {
            return Err(forbidden(
                "AccessDenied",
                "Objects encrypted with SSE-KMS can only be accessed with a valid signature",
            ));
        }
    }
    if ctx.h(SSE).is_some() {
        return Err(bad_request(
            "InvalidArgument",
            "x-cos-server-side-encryption is not allowed on GET/HEAD",
        ));
    }
    let get = header_getter(ctx);
    let ssec = parse_ssec(&get, SSEC, "SsecDecryptHeaderInvalid")?;
    let enc = if head_only && ssec.is_none() && SSEC_HEAD_WITHOUT_KEY && is_ssec(&meta.sse) {
        None
    } else {
        data_key(st, &meta.sse, ssec.as_ref())?
    };
    echo_customer_key(&mut meta.sse, ssec.as_ref());
    if !head_only && is_archive(&meta.storage_class) && !meta.restored {
        return Err(forbidden(
            "InvalidObjectState",
            "The operation is not valid for the object's storage class; restore it first",
        ));
    }
    let etag_q = format!("\"{}\"", meta.etag);
    if let Some(im) = ctx.h("if-match") {
        if !im.split(',').any(|e| e.trim() == etag_q || e.trim() == "*") {
            return Err(CosError::new(
                412,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
            ));
        }
    }
    if let Some(inm) = ctx.h("if-none-match") {
        if inm
            .split(',')
            .any(|e| e.trim() == etag_q || e.trim() == "*")
        {
            let mut r = Response::new(304);
            r.set("ETag", etag_q);
            return Ok(r);
        }
    }
    let range = match ctx.h("range") {
        Some(v) if meta.size > 0 => parse_range(v, meta.size)?,
        Some(v) if v.trim().starts_with("bytes=") && !v.contains(',') => {
            return Err(CosError::new(
                416,
                "InvalidRange",
                "The requested range is not satisfiable",
            ))
        }
        _ => None,
    };
    let (start, end) = range.unwrap_or((0, meta.size));
    let mut r = Response::new(if range.is_some() { 206 } else { 200 });
    if let Some((s, e)) = range {
        r.set(
            "Content-Range",
            format!("bytes {}-{}/{}", s, e - 1, meta.size),
        );
    }
    r.set("Content-Length", (end - start).to_string());
    r.set("Accept-Ranges", "bytes");
    r.set("Last-Modified", util::http_date(meta.last_modified));
    let overrides = [
        ("response-content-type", "Content-Type"),
        ("response-content-language", "Content-Language"),
        ("response-expires", "Expires"),
        ("response-cache-control", "Cache-Control"),
        ("response-content-disposition", "Content-Disposition"),
        ("response-content-encoding", "Content-Encoding"),
    ];
    let ov = |h: &str| -> Option<String> {
        if !ctx.signed() {
            return None;
        }
        overrides
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(h))
            .and_then(|(q, _)| ctx.q(q))
            .map(str::to_string)
    };
    r.set(
        "Content-Type",
        ov("Content-Type").unwrap_or_else(|| meta.content_type.clone()),
    );
    for (k, v) in &meta.headers {
        if k.starts_with("x-cos-meta-") || ov(k).is_none() {
            r.set(k, v.clone());
        }
    }
    for (_, n) in overrides.iter().skip(1) {
        if let Some(v) = ov(n) {
            r.set(n, v);
        }
    }
    if meta.storage_class != "STANDARD" {
        r.set("x-cos-storage-class", meta.storage_class.clone());
    }
    if is_archive(&meta.storage_class) && meta.restored {
        r.set("x-cos-restore", "ongoing-request=\"false\"");
    }
    r.set("x-cos-object-type", meta.object_type.clone());
    if meta.object_type == "appendable" {
        r.set("x-cos-next-append-position", meta.size.to_string());
    }
    write_response_headers(&mut r, &meta);
    if !head_only && end > start {
        let reader = ObjectReader::new(data, enc, &meta.segments, start, end).map_err(ioe)?;
        r.body = Body::Stream(Box::new(reader), end - start);
    }
    Ok(r)
}

/// The owner shown in ACLs and listings.
const OWNER: &str = "qcs::cam::uin/100000000001:uin/100000000001";
/// The COS group URI for everyone.
const ALL_USERS: &str = "http://cam.qcloud.com/groups/global/AllUsers";

/// GET `?acl`: the object's ACL as an AccessControlPolicy (owner FULL_CONTROL, plus READ or
/// WRITE for AllUsers on public objects).
pub fn get_acl(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    let grant = |grantee: &str, perm: &str| {
        format!("<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" {grantee}</Grantee><Permission>{perm}</Permission></Grant>")
    };
    let owner =
        format!("xsi:type=\"CanonicalUser\"><ID>{OWNER}</ID><DisplayName>{OWNER}</DisplayName>");
    let all = format!("xsi:type=\"Group\"><URI>{ALL_USERS}</URI>");
    let mut grants = grant(&owner, "FULL_CONTROL");
    if matches!(meta.acl.as_str(), "public-read" | "public-read-write") {
        grants.push_str(&grant(&all, "READ"));
    }
    if meta.acl == "public-read-write" {
        grants.push_str(&grant(&all, "WRITE"));
    }
    let x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<AccessControlPolicy><Owner><ID>{OWNER}</ID><DisplayName>{OWNER}</DisplayName></Owner><AccessControlList>{grants}</AccessControlList></AccessControlPolicy>"
    );
    Ok(Response::new(200).xml(x))
}

/// PUT `?acl`: a canned ACL from `x-cos-acl`, or an AccessControlPolicy body whose AllUsers
/// grants map back onto the canned ACLs. `x-cos-grant-*` headers are refused (not emulated).
pub fn put_acl(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let mut meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    if ctx
        .headers
        .iter()
        .any(|(k, _)| k.starts_with("x-cos-grant-"))
    {
        return Err(CosError::new(
            501,
            "NotImplemented",
            "x-cos-grant-* headers are not supported by the emulator",
        ));
    }
    let has_body = body.declared_len().unwrap_or(0) > 0 || ctx.h("transfer-encoding").is_some();
    meta.acl = if has_body {
        if ctx.h("x-cos-acl").is_some() {
            return Err(bad_request(
                "InvalidArgument",
                "Give either x-cos-acl or an AccessControlPolicy body, not both",
            ));
        }
        let doc = read_xml_body(ctx, body, "AccessControlPolicy")?;
        let mut read = false;
        let mut write = false;
        for g in doc
            .child("AccessControlList")
            .into_iter()
            .flat_map(|l| l.all("Grant"))
        {
            let uri = g.child("Grantee").and_then(|e| e.text_of("URI"));
            if uri == Some(ALL_USERS) {
                match g.text_of("Permission") {
                    Some("READ") => read = true,
                    Some("WRITE") => write = true,
                    Some("FULL_CONTROL") => {
                        read = true;
                        write = true
                    }
                    _ => {}
                }
            }
        }
        match (read, write) {
            (true, true) => "public-read-write",
            (true, false) => "public-read",
            _ => "private",
        }
        .to_string()
    } else {
        let get = header_getter(ctx);
        parse_attrs(&get, &[], "")?.acl
    };
    let df = meta.data_file.clone();
    st.store
        .commit(bucket, &meta, Some(Some(&df)))
        .map_err(ioe)?;
    Ok(Response::new(200))
}

/// POST `?restore` of an archived object: restores at once (202, then 200).
pub fn restore_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    read_xml_body(ctx, body, "RestoreRequest")?;
    let mut meta = st
        .store
        .get_meta(bucket, &ctx.key)
        .map_err(ioe)?
        .ok_or_else(|| not_found(&ctx.key))?;
    if !is_archive(&meta.storage_class) {
        return Err(forbidden(
            "InvalidObjectState",
            "Restore is only valid for ARCHIVE / DEEP_ARCHIVE objects",
        ));
    }
    if meta.restored {
        return Ok(Response::new(200));
    }
    meta.restored = true;
    let df = meta.data_file.clone();
    st.store
        .commit(bucket, &meta, Some(Some(&df)))
        .map_err(ioe)?;
    Ok(Response::new(202))
}
