//! POST Object: a multipart/form-data upload with a signed policy (protocol §2).
//!
//! The form is streamed (`multer`): the fields before `file` are read under a size bound, the
//! policy is verified as soon as `file` starts, and only then is the file streamed to disk. At
//! most `MAX_PENDING_FORMS` forms are read at once before their policy is verified.

use crate::auth::{self, FormFields, PostPolicy};
use crate::ctx::{authorize_temporary, Ctx, Temporary};
use crate::error::{bad_request, forbidden, ioe, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::objio::{commit_new, parse_attrs, parse_content_md5, write_temp, MAX_PUT};
use crate::sse::{parse_sse, prepare_sse, sse_headers};
use crate::state::State;
use crate::util::url_encode;
use crate::xml::escape as xml_escape;
use bytes::Bytes;
use std::io::{self, Read};

/// Largest value of one form field before `file`.
const MAX_FIELD_BYTES: u64 = 64 * 1024;
/// Largest total of all fields before `file`.
const MAX_FIELDS_TOTAL: usize = 256 * 1024;
/// Most fields before `file`.
const MAX_FIELDS: usize = 64;
/// Longest multipart boundary (RFC 2046 §5.1.1 allows 70 characters).
const MAX_BOUNDARY: usize = 70;

/// Fields any signed form may carry without a policy condition naming them: the signature's
/// own, the key (checked through `$key` conditions when present), the token (checked against
/// the credential) and the response controls.
const UNCONSTRAINED_OK: [&str; 10] = [
    "key",
    "policy",
    "signature",
    "q-sign-algorithm",
    "q-ak",
    "q-key-time",
    "q-sign-time",
    "q-signature",
    "x-cos-security-token",
    "success_action_status",
];

fn malformed() -> CosError {
    bad_request(
        "MalformedPOSTRequest",
        "The body of your POST request is not well-formed multipart/form-data",
    )
}

fn form_error(e: multer::Error) -> CosError {
    match e {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            bad_request(
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed size",
            )
        }
        _ => malformed(),
    }
}

/// Reads the `file` field synchronously.
struct FileReader<'a> {
    field: multer::Field<'a>,
    rt: tokio::runtime::Handle,
    buf: Bytes,
}

impl Read for FileReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.buf.is_empty() {
            let next = self.rt.block_on(async {
                tokio::time::timeout(crate::http::BODY_READ_TIMEOUT, self.field.chunk()).await
            });
            match next {
                Err(_) => return Err(io::Error::new(io::ErrorKind::TimedOut, "form timed out")),
                Ok(Ok(None)) => return Ok(0),
                Ok(Ok(Some(b))) => self.buf = b,
                Ok(Err(e)) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
        let n = out.len().min(self.buf.len());
        let chunk = self.buf.split_to(n);
        out.get_mut(..n)
            .ok_or_else(|| io::Error::other("short buffer"))?
            .copy_from_slice(&chunk);
        Ok(n)
    }
}

/// Strict stance: every field must be named by a policy condition, except
/// [`UNCONSTRAINED_OK`] and the SSE-C key when its key-MD5 is pinned.
fn check_undeclared(fields: &FormFields, policy: &PostPolicy<'_>) -> CosResult<()> {
    let constrained = |n: &str| policy.constrained.iter().any(|c| c == n);
    for (name, _) in fields {
        let n = name.to_ascii_lowercase();
        let ok = UNCONSTRAINED_OK.contains(&n.as_str())
            || constrained(&n)
            || (n == "x-cos-server-side-encryption-customer-key"
                && constrained("x-cos-server-side-encryption-customer-key-md5"));
        if !ok {
            return Err(forbidden(
                "AccessDenied",
                format!("Invalid according to Policy: Extra input fields: {name}"),
            ));
        }
    }
    Ok(())
}

/// The form as the request headers it stands for: names lower-case, the `acl` field as
/// `x-cos-acl` (UNCONFIRMED), a `content-length` field dropped (the file's size is the
/// length). Both `acl` and `x-cos-acl` is 400 `InvalidArgument`: a CAM condition and the
/// stored object could otherwise read different values.
fn form_facts(fields: &FormFields) -> CosResult<FormFields> {
    let mut facts: FormFields = Vec::new();
    for (k, v) in fields {
        let name = match k.to_ascii_lowercase().as_str() {
            "content-length" => continue,
            "acl" => "x-cos-acl".to_string(),
            lk => lk.to_string(),
        };
        if facts.iter().any(|(n, _)| *n == name) {
            return Err(bad_request(
                "InvalidArgument",
                "POST fields acl and x-cos-acl may not both be given",
            ));
        }
        facts.push((name, v.clone()));
    }
    Ok(facts)
}

/// Handles a POST Object form upload.
pub fn post_object(
    st: &State,
    ctx: &Ctx<'_>,
    bucket: &str,
    body: &mut BodyReader,
) -> CosResult<Response> {
    let ct = ctx.h("content-type").unwrap_or("");
    let boundary = multer::parse_boundary(ct).map_err(|_| {
        bad_request(
            "MalformedPOSTRequest",
            "multipart/form-data without a boundary",
        )
    })?;
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        return Err(malformed());
    }
    if body
        .declared_len()
        .is_some_and(|n| n > MAX_PUT + MAX_FIELDS_TOTAL as u64)
    {
        return Err(bad_request(
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size",
        ));
    }
    let slot = st
        .form_slots
        .try_acquire()
        .map_err(|_| CosError::new(503, "SlowDown", "Too many POST forms at once; retry later"))?;
    let rt = body.runtime();
    let stream = body.data_stream();
    let limits = multer::SizeLimit::new()
        .per_field(MAX_FIELD_BYTES)
        .for_field("file", MAX_PUT);
    let mut form = multer::Multipart::with_constraints(
        stream,
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    // fields up to `file`
    let mut fields: FormFields = Vec::new();
    let mut total = 0usize;
    let (file_field, filename) = loop {
        let f = rt
            .block_on(async {
                tokio::time::timeout(crate::http::BODY_READ_TIMEOUT, form.next_field()).await
            })
            .map_err(|_| malformed())?
            .map_err(form_error)?;
        let Some(f) = f else {
            return Err(bad_request(
                "InvalidArgument",
                "POST requires exactly one file field, and it must be the last field",
            ));
        };
        let name = f.name().ok_or_else(malformed)?.to_string();
        if name == "file" {
            let filename = f.file_name().map(str::to_string);
            break (f, filename);
        }
        if fields.len() >= MAX_FIELDS {
            return Err(bad_request("InvalidArgument", "too many form fields"));
        }
        let data = rt
            .block_on(async {
                tokio::time::timeout(crate::http::BODY_READ_TIMEOUT, f.bytes()).await
            })
            .map_err(|_| malformed())?
            .map_err(form_error)?;
        total += data.len() + name.len();
        if total > MAX_FIELDS_TOTAL {
            return Err(bad_request(
                "EntityTooLarge",
                "The form fields before file are too large",
            ));
        }
        if fields.iter().any(|(k, _)| k.eq_ignore_ascii_case(&name)) {
            return Err(bad_request(
                "InvalidArgument",
                format!("duplicate form field {name}"),
            ));
        }
        let v = String::from_utf8(data.to_vec())
            .map_err(|_| bad_request("InvalidArgument", "form fields must be UTF-8"))?;
        fields.push((name, v));
    };
    let field = |n: &str| -> Option<String> {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let key_tpl = field("key")
        .ok_or_else(|| bad_request("InvalidArgument", "POST form is missing the key field"))?;
    let key = key_tpl.replace("${filename}", filename.as_deref().unwrap_or(""));
    if key.is_empty() || key.len() > 850 {
        return Err(bad_request("InvalidArgument", "invalid key"));
    }
    crate::ctx::check_key_chars(&key)?;
    let now = st.now();
    let signed = field("policy").is_some() || field("q-signature").is_some();
    if !signed {
        return Err(forbidden("AccessDenied", "Access Denied."));
    }
    let ak = field("q-ak").unwrap_or_default();
    let (creds, temporary) = st.credential(&ak);
    let policy =
        auth::check_post_policy(&fields, bucket, &key, &creds, now, st.cfg.max_future_skew)?;
    let token = field("x-cos-security-token");
    auth::check_token(policy.cred, token.as_deref(), None)?;
    if !st.cfg.lenient_post_fields {
        check_undeclared(&fields, &policy)?;
    }
    // A temporary credential's CAM policy sees the fields as headers (the form's `acl` as
    // `x-cos-acl`, UNCONFIRMED) and the file size as `content-length`: decided before the file
    // is read with the size pending, and again once it is known.
    let who = Temporary {
        secret_id: &ak,
        token: token.as_deref(),
    };
    let mut facts = form_facts(&fields)?;
    let target = (bucket, key.as_str());
    if temporary {
        authorize_temporary(st, ctx, &who, "PostObject", target, &facts, true)?;
    }
    // authenticated: the rest of the body no longer counts against the unauthenticated slots
    drop(slot);
    st.store.ensure_bucket(bucket, now).map_err(ioe)?;
    // the object is stored from the same facts the policy judged
    let get = |n: &str| facts.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let names: Vec<String> = facts.iter().map(|(k, _)| k.clone()).collect();
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
    let limit = policy.max_len().unwrap_or(MAX_PUT).min(MAX_PUT);
    let mut src = FileReader {
        field: file_field,
        rt: rt.clone(),
        buf: Bytes::new(),
    }
    .take(limit + 1);
    let w = write_temp(st, &mut src, enc.as_ref())?;
    let mut checked = policy.check_length(w.size);
    if temporary && checked.is_ok() {
        facts.push(("content-length".into(), w.size.to_string()));
        checked = authorize_temporary(st, ctx, &who, "PostObject", target, &facts, false);
    }
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&w.tmp);
        return Err(e);
    }
    // fields after `file` are ignored, as on COS; read (bounded) so the connection can be reused
    while let Ok(Ok(Some(f))) = rt.block_on(async {
        tokio::time::timeout(crate::http::BODY_READ_TIMEOUT, form.next_field()).await
    }) {
        let _ = rt.block_on(f.bytes());
    }
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
