//! Multipart uploads: initiate, upload part (and part copy), list parts, list uploads, abort,
//! complete.

use crate::crypto::{Alg, ObjectReader, Segment};
use crate::ctx::{authorize_written, header_getter, header_names, Ctx};
use crate::error::{bad_request, ioe, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::objio::*;
use crate::ops::copy::open_source;
use crate::sse::*;
use crate::state::State;
use crate::store::{ObjectMeta, PartMeta, UploadMeta};
use crate::util::{self, crc64_combine, hex, iso_date, md5, random_hex, url_encode};
use crate::xml::escape as xml_escape;
use std::fs::File;
use std::io::{self, BufWriter};

/// Minimum non-last part size (1 MB).
const MIN_PART: u64 = 1024 * 1024;

/// POST `?uploads`: the upload takes the object attributes and SSE now.
pub fn initiate_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    st.store.ensure_bucket(bucket, st.now()).map_err(ioe)?;
    let get = header_getter(ctx);
    let attrs = parse_attrs(&get, &header_names(ctx), "application/octet-stream")?;
    let req = parse_sse(&get)?;
    forbid_presigned_sse_cos(ctx, &req)?;
    let (sse, _dk) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    let upload_id = format!("{}{}", util::system_now(), random_hex(16));
    let template = ObjectMeta {
        key: ctx.key.clone(),
        content_type: attrs.content_type,
        headers: attrs.headers,
        acl: attrs.acl,
        storage_class: attrs.storage_class,
        object_type: "multipart".into(),
        sse,
        ..Default::default()
    };
    let u = UploadMeta {
        upload_id: upload_id.clone(),
        key: ctx.key.clone(),
        initiated: util::system_now(),
        template,
    };
    st.store.create_upload(bucket, &u).map_err(ioe)?;
    let mut r = Response::new(200).xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<InitiateMultipartUploadResult><Bucket>{}</Bucket><Key>{}</Key><UploadId>{}</UploadId></InitiateMultipartUploadResult>",
        xml_escape(bucket),
        xml_escape(&ctx.key),
        upload_id
    ));
    sse_headers(&mut r, &u.template.sse);
    Ok(r)
}

fn no_such_upload() -> CosError {
    CosError::new(
        404,
        "NoSuchUpload",
        "The specified multipart upload does not exist",
    )
}

fn get_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<UploadMeta> {
    let id = ctx.q("uploadId").unwrap_or("");
    let u = st.store.get_upload(bucket, id).ok_or_else(|| {
        CosError::new(
            404,
            "NoSuchUpload",
            "The specified multipart upload does not exist",
        )
    })?;
    if u.key != ctx.key {
        return Err(CosError::new(
            404,
            "NoSuchUpload",
            "The specified multipart upload does not exist",
        ));
    }
    Ok(u)
}

fn part_number(ctx: &Ctx<'_>) -> CosResult<u32> {
    ctx.q("partNumber")
        .and_then(|p| p.parse::<u32>().ok())
        .filter(|n| (1..=10000).contains(n))
        .ok_or_else(|| {
            bad_request(
                "InvalidArgument",
                "partNumber must be an integer between 1 and 10000",
            )
        })
}

/// The data key for parts of an upload; verifies the SSE-C triple.
fn upload_key(st: &State, ctx: &Ctx<'_>, u: &UploadMeta) -> CosResult<Option<(Alg, Vec<u8>)>> {
    // The official SDKs' sliceUploadFile repeats x-cos-server-side-encryption on every part, so
    // it is accepted when it matches the mode the upload was initiated with.
    if let Some(mode) = ctx.h(SSE) {
        let expected = match u
            .template
            .sse
            .as_ref()
            .map(|s| (s.mode.as_str(), s.alg.as_str()))
        {
            Some(("cos", alg)) => Some(alg.to_string()),
            Some(("kms", _)) => Some("cos/kms".to_string()),
            _ => None,
        };
        if expected.as_deref() != Some(mode.trim()) {
            return Err(bad_request(
                "InvalidArgument",
                "x-cos-server-side-encryption on Upload Part must match the upload's encryption",
            ));
        }
    }
    let get = header_getter(ctx);
    let ssec = parse_ssec(&get, SSEC, "SsecDecryptHeaderInvalid")?;
    let is_c = u
        .template
        .sse
        .as_ref()
        .map(|s| s.mode == "c")
        .unwrap_or(false);
    if !is_c && ssec.is_some() {
        return Err(ssec_error("The upload was not initiated with SSE-C"));
    }
    // SSE-COS/KMS uploads: the data key was created and wrapped at initiate time.
    data_key(st, &u.template.sse, ssec.as_ref())
}

/// PUT `?partNumber&uploadId`: a part, sealed under the upload's data key.
pub fn upload_part(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let n = part_number(ctx)?;
    let u = get_upload(st, ctx, bucket)?;
    let enc = upload_key(st, ctx, &u)?;
    if body.declared_len().unwrap_or(0) > MAX_PUT {
        return Err(part_too_large());
    }
    let content_md5 = parse_content_md5(ctx.h("content-md5"))?;
    // bounded as it streams (a chunked part has no Content-Length to refuse up front)
    let w = write_temp_bounded(st, body, enc.as_ref(), MAX_PUT, part_too_large)?;
    if let Err(e) = authorize_written(st, ctx, w.size) {
        let _ = std::fs::remove_file(&w.tmp);
        return Err(e);
    }
    check_written_md5(&w, content_md5)?;
    store_part(st, ctx, bucket, &u, n, w)
}

fn part_too_large() -> CosError {
    bad_request("EntityTooLarge", "A part may be at most 5 GB")
}

fn store_part(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    u: &UploadMeta,
    n: u32,
    w: Written,
) -> CosResult<Response> {
    let p = PartMeta {
        number: n,
        size: w.size,
        etag: etag_for(&u.template.sse, &w),
        md5: hex(&w.md5),
        crc64: w.crc,
        prefix: w.segment.map(|s| s.prefix),
        last_modified: util::system_now(),
    };
    st.store
        .put_part(bucket, &u.upload_id, &p, &w.tmp)
        .map_err(|_| {
            CosError::new(
                404,
                "NoSuchUpload",
                "The specified multipart upload does not exist",
            )
        })?;
    let mut r = Response::new(200);
    r.set("ETag", format!("\"{}\"", p.etag));
    r.set("x-cos-hash-crc64ecma", p.crc64.to_string());
    // the SSE-C key MD5 was checked by upload_key; echo the request's value
    let mut sse = u.template.sse.clone();
    if let Some(s) = sse.as_mut().filter(|s| s.mode == "c") {
        s.customer_key_md5 = ctx
            .h("x-cos-server-side-encryption-customer-key-md5")
            .map(str::to_string);
    }
    sse_headers(&mut r, &sse);
    Ok(r)
}

/// Upload Part - Copy (`x-cos-copy-source`, optional `x-cos-copy-source-range`).
pub fn upload_part_copy(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let n = part_number(ctx)?;
    let u = get_upload(st, ctx, bucket)?;
    let enc = upload_key(st, ctx, &u)?;
    let (src, f, src_enc) = open_source(st, ctx)?;
    let (start, end) = match ctx.h("x-cos-copy-source-range") {
        None => (0, src.size),
        Some(v) => parse_copy_range(v, src.size)?,
    };
    let mut reader = ObjectReader::new(f, src_enc, &src.segments, start, end).map_err(ioe)?;
    let w = write_temp(st, &mut reader, enc.as_ref())?;
    let etag = etag_for(&u.template.sse, &w);
    let crc = w.crc;
    let mut r = store_part(st, ctx, bucket, &u, n, w)?;
    r.headers.retain(|(k, _)| k != "ETag");
    r = r.xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<CopyPartResult><ETag>\"{etag}\"</ETag><CRC64>{crc}</CRC64><LastModified>{}</LastModified></CopyPartResult>",
        iso_date(util::system_now())
    ));
    Ok(r)
}

/// GET `?uploadId`: the parts so far.
pub fn list_parts(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    let marker: u32 = ctx
        .q("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max: usize = ctx
        .q("max-parts")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .min(1000);
    let parts: Vec<PartMeta> = st
        .store
        .list_parts(bucket, &u.upload_id)
        .into_iter()
        .filter(|p| p.number > marker)
        .collect();
    let truncated = parts.len() > max;
    let mut x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListPartsResult><Bucket>{}</Bucket><Encoding-type>url</Encoding-type><Key>{}</Key><UploadId>{}</UploadId><Initiator><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Initiator><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><StorageClass>{}</StorageClass><PartNumberMarker>{}</PartNumberMarker><MaxParts>{}</MaxParts><IsTruncated>{}</IsTruncated>",
        xml_escape(bucket),
        xml_escape(&url_encode(&u.key).replace("%2F", "/")),
        u.upload_id,
        u.template.storage_class,
        marker,
        max,
        truncated
    );
    let shown: Vec<&PartMeta> = parts.iter().take(max).collect();
    if let Some(last) = shown.last() {
        x.push_str(&format!(
            "<NextPartNumberMarker>{}</NextPartNumberMarker>",
            last.number
        ));
    }
    for p in shown {
        x.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><LastModified>{}</LastModified><ETag>&quot;{}&quot;</ETag><Size>{}</Size></Part>",
            p.number,
            iso_date(p.last_modified),
            p.etag,
            p.size
        ));
    }
    x.push_str("</ListPartsResult>");
    Ok(Response::new(200).xml(x))
}

/// GET bucket `?uploads`: uploads in progress.
pub fn list_uploads(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let prefix = ctx.q("prefix").unwrap_or("");
    let mut x = format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<ListMultipartUploadsResult><Bucket>{}</Bucket><Encoding-Type>url</Encoding-Type><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker><MaxUploads>1000</MaxUploads><Prefix>{}</Prefix><IsTruncated>false</IsTruncated>",
        xml_escape(bucket),
        xml_escape(prefix)
    );
    for u in st.store.list_uploads(bucket) {
        if !u.key.starts_with(prefix) {
            continue;
        }
        x.push_str(&format!(
            "<Upload><Key>{}</Key><UploadId>{}</UploadId><StorageClass>{}</StorageClass><Initiator><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Initiator><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><Initiated>{}</Initiated></Upload>",
            xml_escape(&url_encode(&u.key).replace("%2F", "/")),
            u.upload_id,
            u.template.storage_class,
            iso_date(u.initiated)
        ));
    }
    x.push_str("</ListMultipartUploadsResult>");
    Ok(Response::new(200).xml(x))
}

/// DELETE `?uploadId`.
pub fn abort_upload(st: &State, ctx: &Ctx<'_>, bucket: &str) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    st.store.delete_upload(bucket, &u.upload_id).map_err(ioe)?;
    Ok(Response::new(204))
}

/// POST `?uploadId`: parts in ascending order with their ETags; ciphertext is concatenated
/// (no SSE-C key needed); the upload completes at most once.
pub fn complete_upload(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let u = get_upload(st, ctx, bucket)?;
    let malformed = || bad_request("MalformedXML", "The XML you provided was not well-formed");
    let doc = read_xml_body(ctx, body, "CompleteMultipartUpload")?;
    let mut wanted: Vec<(u32, String)> = Vec::new();
    for p in doc.all("Part") {
        let n: u32 = p
            .text_of("PartNumber")
            .and_then(|s| s.parse().ok())
            .ok_or_else(malformed)?;
        let etag = p.text_of("ETag").ok_or_else(malformed)?;
        wanted.push((n, etag.trim_matches('"').to_string()));
    }
    if wanted.is_empty() {
        return Err(malformed());
    }
    if wanted.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(bad_request(
            "InvalidPartOrder",
            "The list of parts was not in ascending order",
        ));
    }
    let stored = st.store.list_parts(bucket, &u.upload_id);
    let mut chosen = Vec::new();
    for (i, (n, etag)) in wanted.iter().enumerate() {
        let p = stored
            .iter()
            .find(|p| p.number == *n)
            .ok_or_else(|| bad_request("InvalidPart", format!("Part {n} could not be found")))?;
        if !p.etag.eq_ignore_ascii_case(etag) {
            return Err(bad_request(
                "InvalidPart",
                format!("The ETag of part {n} does not match"),
            ));
        }
        if st.cfg.enforce_min_part_size && i + 1 < wanted.len() && p.size < MIN_PART {
            return Err(bad_request(
                "EntityTooSmall",
                format!("Part {n} is smaller than the minimum allowed size (1 MB)"),
            ));
        }
        chosen.push(p.clone());
    }
    // concatenate stored part bytes (ciphertext stays ciphertext: no key needed)
    let tmp = st.store.tmp_path();
    let res = (|| -> io::Result<()> {
        let mut out = BufWriter::with_capacity(256 * 1024, File::create(&tmp)?);
        for p in &chosen {
            let mut f =
                crate::store::open_nofollow(&st.store.part_path(bucket, &u.upload_id, p.number))?;
            io::copy(&mut f, &mut out)?;
        }
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(ioe(e));
    }
    let mut crc = 0u64;
    let mut size = 0u64;
    let mut md5cat = Vec::new();
    let mut segments = Vec::new();
    for (i, p) in chosen.iter().enumerate() {
        crc = if i == 0 {
            p.crc64
        } else {
            crc64_combine(crc, p.crc64, p.size)
        };
        size += p.size;
        md5cat.extend(util::unhex(&p.md5).unwrap_or_default());
        if let Some(prefix) = p.prefix {
            segments.push(Segment {
                size: p.size,
                prefix,
            });
        }
    }
    let data_file = st.store.place_data(bucket, &u.key, &tmp).map_err(ioe)?;
    let mut meta = u.template.clone();
    meta.size = size;
    meta.crc64 = crc;
    meta.etag = format!("{}-{}", hex(&md5(&md5cat)), chosen.len());
    meta.last_modified = util::system_now();
    meta.data_file = data_file;
    meta.segments = segments;
    meta.object_type = "multipart".into();
    if !st
        .store
        .commit_upload(bucket, &meta, &u.upload_id)
        .map_err(ioe)?
    {
        return Err(no_such_upload());
    }
    let location = format!("{}/{}", ctx.host, url_encode(&u.key).replace("%2F", "/"));
    let mut r = Response::new(200).xml(format!(
        "<?xml version='1.0' encoding='utf-8' ?>\n<CompleteMultipartUploadResult><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>&quot;{}&quot;</ETag></CompleteMultipartUploadResult>",
        xml_escape(&location),
        xml_escape(bucket),
        xml_escape(&u.key),
        meta.etag
    ));
    write_response_headers(&mut r, &meta);
    Ok(r)
}
