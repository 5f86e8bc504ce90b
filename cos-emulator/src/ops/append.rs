//! Append Object (`POST ?append&position=`).

use crate::ctx::{header_getter, header_names, Ctx};
use crate::error::{bad_request, ioe, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::objio::*;
use crate::sse::*;
use crate::state::State;
use crate::store::ObjectMeta;
use crate::util::{self, crc64_combine, hex, md5};
use std::fs::File;
use std::io;

/// Append Object (`POST ?append&position=`): position must equal the current size (409
/// `PositionNotEqualToLength`); SSE-COS/KMS on the first append only, never SSE-C.
pub fn append_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    let position: u64 = ctx
        .q("position")
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| bad_request("InvalidArgument", "append requires a numeric position"))?;
    let get = header_getter(ctx);
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    let (existing, old_data) = match st.store.open_object(bucket, &ctx.key).map_err(ioe)? {
        Some((m, f)) => (Some(m), Some(f)),
        None => (None, None),
    };
    let (base, enc) = match &existing {
        None => {
            if position != 0 {
                return Err(CosError::new(
                    409,
                    "PositionNotEqualToLength",
                    "The position does not match the object length",
                ));
            }
            let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
            let req = parse_sse(&get)?;
            if matches!(req, SseReq::C(_)) {
                return Err(bad_request(
                    "InvalidArgument",
                    "SSE-C is not supported on Append Object",
                ));
            }
            let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
            let m = ObjectMeta {
                key: ctx.key.clone(),
                content_type: attrs.content_type,
                headers: attrs.headers,
                acl: attrs.acl,
                storage_class: attrs.storage_class,
                object_type: "appendable".into(),
                sse,
                crc64: 0,
                ..Default::default()
            };
            (m, enc)
        }
        Some(m) => {
            if m.object_type != "appendable" {
                return Err(CosError::new(
                    409,
                    "ObjectNotAppendable",
                    "This object is not appendable",
                ));
            }
            if position != m.size {
                return Err(CosError::new(
                    409,
                    "PositionNotEqualToLength",
                    "The position does not match the object length",
                ));
            }
            if ctx.h(SSE).is_some()
                || ctx
                    .h("x-cos-server-side-encryption-customer-algorithm")
                    .is_some()
            {
                return Err(bad_request(
                    "InvalidArgument",
                    "SSE headers are only accepted on the first append",
                ));
            }
            let enc = data_key(st, &m.sse, None)?;
            (m.clone(), enc)
        }
    };
    let w = write_temp(st, body, enc.as_ref())?;
    if let Err(e) = crate::ctx::authorize_written(st, ctx, w.size) {
        let _ = std::fs::remove_file(&w.tmp);
        return Err(e);
    }
    check_written_md5(&w, content_md5)?;
    // new data file = old stored bytes ‖ new segment
    let tmp2 = st.store.tmp_path();
    let res = (|| -> io::Result<()> {
        let mut out = File::create(&tmp2)?;
        if let Some(mut old) = old_data {
            io::copy(&mut old, &mut out)?;
        }
        let mut newf = File::open(&w.tmp)?;
        io::copy(&mut newf, &mut out)?;
        out.sync_all()
    })();
    let _ = std::fs::remove_file(&w.tmp);
    res.map_err(ioe)?;
    let data_file = st.store.place_data(bucket, &ctx.key, &tmp2).map_err(ioe)?;
    let mut meta = base.clone();
    meta.crc64 = if existing.is_some() {
        crc64_combine(base.crc64, w.crc, w.size)
    } else {
        w.crc
    };
    meta.size = base.size + w.size;
    meta.etag = hex(&md5(format!("{}{}", base.etag, hex(&w.md5)).as_bytes()));
    meta.last_modified = util::system_now();
    meta.data_file = data_file;
    if let Some(seg) = w.segment {
        meta.segments.push(seg);
    }
    let expect = existing.as_ref().map(|m| m.data_file.as_str());
    if !st.store.commit(bucket, &meta, Some(expect)).map_err(ioe)? {
        return Err(CosError::new(
            409,
            "PositionNotEqualToLength",
            "The object changed during the append",
        ));
    }
    let mut r = Response::new(200);
    write_response_headers(&mut r, &meta);
    r.set("x-cos-next-append-position", meta.size.to_string());
    Ok(r)
}
