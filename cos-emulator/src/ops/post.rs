//! POST Object: multipart/form-data upload with a signed policy (spec §2).

use crate::auth;
use crate::error::{bad_request, forbidden, CosResult};
use crate::http::{BodyReader, Response};
use crate::ctx::Ctx;
use crate::error::ioe;
use crate::objio::{commit_new, parse_attrs, parse_content_md5, write_temp};
use crate::sse::{parse_sse, prepare_sse, sse_headers};
use crate::state::State;
use crate::util::{url_encode};
use crate::xml::escape as xml_escape;

/// One form part.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    data: &'a [u8],
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| &hay[i..i + needle.len()] == needle)
}

fn disposition_param(disp: &str, param: &str) -> Option<String> {
    // name="x"; filename="y" (quoted or bare)
    for piece in disp.split(';').skip(1) {
        let piece = piece.trim();
        if let Some((k, v)) = piece.split_once('=') {
            if k.trim().eq_ignore_ascii_case(param) {
                let v = v.trim();
                let v = v
                    .strip_prefix('"')
                    .and_then(|s| s.strip_suffix('"'))
                    .unwrap_or(v);
                return Some(v.replace("\\\"", "\""));
            }
        }
    }
    None
}

fn parse_multipart<'a>(body: &'a [u8], boundary: &str) -> CosResult<Vec<Part<'a>>> {
    let malformed = || {
        bad_request(
            "MalformedPOSTRequest",
            "The body of your POST request is not well-formed multipart/form-data",
        )
    };
    let delim = format!("--{boundary}");
    let d = delim.as_bytes();
    let mut pos = find(body, d, 0).ok_or_else(malformed)? + d.len();
    let mut parts = Vec::new();
    loop {
        if body.get(pos..pos + 2) == Some(b"--") {
            break; // closing delimiter
        }
        // skip CRLF after the delimiter
        if body.get(pos..pos + 2) == Some(b"\r\n") {
            pos += 2;
        } else {
            return Err(malformed());
        }
        let head_end = find(body, b"\r\n\r\n", pos).ok_or_else(malformed)?;
        let head = String::from_utf8_lossy(&body[pos..head_end]).to_string();
        let data_start = head_end + 4;
        let next =
            find(body, format!("\r\n{delim}").as_bytes(), data_start).ok_or_else(malformed)?;
        let mut name = None;
        let mut filename = None;
        for line in head.split("\r\n") {
            if let Some((k, v)) = line.split_once(':') {
                if k.trim().eq_ignore_ascii_case("content-disposition") {
                    name = disposition_param(v, "name");
                    filename = disposition_param(v, "filename");
                }
            }
        }
        parts.push(Part {
            name: name.ok_or_else(malformed)?,
            filename,
            data: &body[data_start..next],
        });
        pos = next + 2 + d.len();
    }
    Ok(parts)
}

/// Handles a POST Object form upload.
pub fn post_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let ct = ctx.h("content-type").unwrap_or("");
    let boundary = ct
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .ok_or_else(|| {
            bad_request(
                "MalformedPOSTRequest",
                "multipart/form-data without a boundary",
            )
        })?;
    let raw = body.read_all(MAX_FORM).map_err(|_| {
        bad_request(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        )
    })?;
    let parts = parse_multipart(&raw, &boundary)?;
    let file_idx = parts.iter().position(|p| p.name == "file").ok_or_else(|| {
        bad_request(
            "InvalidArgument",
            "POST requires exactly one file field, and it must be the last field",
        )
    })?;
    // fields after `file` are ignored, as on COS
    let mut fields: auth::FormFields = Vec::new();
    for p in &parts[..file_idx] {
        if fields.iter().any(|(k, _)| k.eq_ignore_ascii_case(&p.name)) {
            return Err(bad_request(
                "InvalidArgument",
                format!("duplicate form field {}", p.name),
            ));
        }
        let v = String::from_utf8(p.data.to_vec())
            .map_err(|_| bad_request("InvalidArgument", "form fields must be UTF-8"))?;
        fields.push((p.name.clone(), v));
    }
    let file = &parts[file_idx];
    let field = |n: &str| -> Option<String> {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let key_tpl = field("key")
        .ok_or_else(|| bad_request("InvalidArgument", "POST form is missing the key field"))?;
    let key = key_tpl.replace("${filename}", file.filename.as_deref().unwrap_or(""));
    if key.is_empty() || key.len() > 850 {
        return Err(bad_request("InvalidArgument", "invalid key"));
    }
    let now = st.now();
    let signed = field("policy").is_some() || field("q-signature").is_some();
    if !signed {
        return Err(forbidden("AccessDenied", "Access Denied."));
    }
    let cred = auth::verify_post_policy(
        &fields,
        bucket,
        &key,
        file.data.len() as u64,
        &st.cfg.credentials,
        now,
        st.cfg.max_future_skew,
    )?;
    auth::check_token(cred, field("x-cos-security-token").as_deref(), None)?;
    if file.data.len() as u64 > 5 * 1024 * 1024 * 1024 {
        return Err(bad_request(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        ));
    }
    st.store
        .ensure_bucket(bucket, now)
        .map_err(ioe)?;
    let get = |n: &str| field(n);
    let names: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
    let attrs = parse_attrs(&get, &names, "application/octet-stream")?;
    let req = parse_sse(&get)?;
    let content_md5 = parse_content_md5(field("content-md5").as_deref())?;
    let status = match field("success_action_status").as_deref() {
        None | Some("") => 204,
        Some("200") => 200,
        Some("201") => 201,
        Some("204") => 204,
        Some(_) => {
            return Err(bad_request(
                "InvalidArgument",
                "success_action_status must be 200, 201 or 204",
            ))
        }
    };
    let (sse, enc) = prepare_sse(st, bucket, req, &attrs.storage_class)?;
    let mut src: &[u8] = file.data;
    let w = write_temp(st, &mut src, enc.as_ref())?;
    let meta = commit_new(st, bucket, &key, attrs, sse, w, content_md5)?;
    let enc_key = url_encode(&key).replace("%2F", "/");
    // Path-style requests (signed path `/<bucket>/…`) keep the bucket in the object URL.
    let bucket_prefix = if ctx.signed_path.starts_with(&format!("/{bucket}/")) {
        format!("{bucket}/")
    } else {
        String::new()
    };
    let location = format!("http://{}/{bucket_prefix}{}", ctx.host, enc_key);
    let mut r = if let Some(redirect) = field("success_action_redirect").filter(|s| !s.is_empty()) {
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let loc = format!(
            "{redirect}{sep}bucket={}&key={}&etag={}",
            url_encode(bucket),
            url_encode(&key),
            url_encode(&format!("\"{}\"", meta.etag))
        );
        Response::new(303).header("Location", loc)
    } else if status == 201 {
        Response::new(201)
            .header("Location", location.clone())
            .xml(format!(
                "<?xml version='1.0' encoding='utf-8' ?>\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>\"{}\"</ETag></PostResponse>",
                xml_escape(&location),
                xml_escape(bucket),
                xml_escape(&key),
                meta.etag
            ))
    } else {
        Response::new(status).header("Location", location)
    };
    r.set("ETag", format!("\"{}\"", meta.etag));
    r.set("x-cos-hash-crc64ecma", meta.crc64.to_string());
    sse_headers(&mut r, &meta.sse);
    Ok(r)
}

/// Maximum in-memory POST form size.
pub const MAX_FORM: u64 = 1024 * 1024 * 1024;
