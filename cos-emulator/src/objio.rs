//! Object I/O shared by the operations: upload attributes, Content-MD5, streaming a body into
//! a fsynced (and sealed) temp file, committing it, and opening a stored object for reading.

use crate::crypto::{Alg, ChunkCipher, ObjectWriter, Segment};
use crate::ctx::{Ctx, Getter};
use crate::error::{bad_request, internal, ioe, CosError, CosResult};
use crate::http::{BodyReader, Response};
use crate::sse::sse_headers;
use crate::state::State;
use crate::store::{ObjectMeta, SseMeta};
use crate::util::{self, hex, md5, random_bytes, unb64};
use crate::xml::Element;
use std::fs::File;
use std::io::{self, BufWriter, Read};
use std::path::PathBuf;

/// Maximum single PUT / POST size (5 GB).
pub const MAX_PUT: u64 = 5 * 1024 * 1024 * 1024;

/// Object attributes taken from headers or form fields.
pub struct Attrs {
    /// Content-Type.
    pub content_type: String,
    /// Stored headers.
    pub headers: Vec<(String, String)>,
    /// ACL.
    pub acl: String,
    /// Storage class.
    pub storage_class: String,
}

const STORED_HEADERS: [&str; 5] = [
    "Cache-Control",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Expires",
];

/// Parses upload attributes. `meta_names`: all field/header names (to find x-cos-meta-*).
pub fn parse_attrs(get: Getter<'_>, names: &[String], default_ct: &str) -> CosResult<Attrs> {
    let mut headers = Vec::new();
    for h in STORED_HEADERS {
        if let Some(v) = get(&h.to_ascii_lowercase()) {
            headers.push((h.to_string(), v));
        }
    }
    let mut total = 0usize;
    for n in names {
        let ln = n.to_ascii_lowercase();
        if let Some(suffix) = ln.strip_prefix("x-cos-meta-") {
            if suffix.is_empty() {
                return Err(bad_request("InvalidArgument", "empty x-cos-meta- name"));
            }
            if let Some(v) = get(&ln) {
                if v.len() + ln.len() > 2048 {
                    return Err(bad_request(
                        "InvalidArgument",
                        "x-cos-meta-* value exceeds 2 KB",
                    ));
                }
                total += v.len() + ln.len();
                if !headers.iter().any(|(k, _)| *k == ln) {
                    headers.push((ln, v));
                }
            }
        }
    }
    if total > 4096 {
        return Err(bad_request(
            "InvalidArgument",
            "x-cos-meta-* headers exceed 4 KB in total",
        ));
    }
    // Stored values go back as response headers on every GET/HEAD: a control byte there
    // (possible through a POST form field) made each later read a 500.
    let content_type = get("content-type").unwrap_or_else(|| default_ct.to_string());
    for (name, v) in headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain([("Content-Type", content_type.as_str())])
    {
        if v.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(bad_request(
                "InvalidArgument",
                format!("{name} contains a control character"),
            ));
        }
    }
    let acl = match get("x-cos-acl").as_deref().map(str::trim) {
        None => "default".to_string(),
        Some(a @ ("private" | "public-read" | "public-read-write" | "default")) => a.to_string(),
        Some(_) => return Err(bad_request("InvalidArgument", "invalid x-cos-acl")),
    };
    let storage_class = parse_storage_class(get("x-cos-storage-class").as_deref())?;
    Ok(Attrs {
        content_type,
        headers,
        acl,
        storage_class,
    })
}

/// `x-cos-storage-class` (default STANDARD); 400 `InvalidArgument` for unknown classes.
pub fn parse_storage_class(v: Option<&str>) -> CosResult<String> {
    match v.map(|s| s.trim().to_ascii_uppercase()) {
        None => Ok("STANDARD".into()),
        Some(s)
            if matches!(
                s.as_str(),
                "STANDARD"
                    | "STANDARD_IA"
                    | "ARCHIVE"
                    | "DEEP_ARCHIVE"
                    | "INTELLIGENT_TIERING"
                    | "MAZ_STANDARD"
                    | "MAZ_STANDARD_IA"
                    | "MAZ_INTELLIGENT_TIERING"
            ) =>
        {
            Ok(s)
        }
        Some(_) => Err(bad_request(
            "InvalidArgument",
            "invalid x-cos-storage-class",
        )),
    }
}

/// Parses a Content-MD5 value (InvalidDigest when malformed).
pub fn parse_content_md5(v: Option<&str>) -> CosResult<Option<[u8; 16]>> {
    match v {
        None => Ok(None),
        Some(s) => {
            let raw = unb64(s.trim()).filter(|r| r.len() == 16).ok_or_else(|| {
                bad_request(
                    "InvalidDigest",
                    "The Content-MD5 you specified is not valid",
                )
            })?;
            let mut a = [0u8; 16];
            a.copy_from_slice(&raw);
            Ok(Some(a))
        }
    }
}

/// Checks an in-memory body against its Content-MD5 (400 `BadDigest`).
pub fn check_content_md5_bytes(v: Option<&str>, data: &[u8]) -> CosResult<()> {
    if let Some(want) = parse_content_md5(v)? {
        if want != md5(data) {
            return Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ));
        }
    }
    Ok(())
}

/// Reads an XML request body (at most [`crate::xml::MAX_XML_BODY`]), checks its Content-MD5 and
/// its root element.
pub fn read_xml_body(ctx: &Ctx<'_>, body: &mut BodyReader, root: &str) -> CosResult<Element> {
    let malformed = || bad_request("MalformedXML", "The XML you provided was not well-formed");
    let raw = body
        .read_all(crate::xml::MAX_XML_BODY)
        .map_err(|_| malformed())?;
    check_content_md5_bytes(ctx.h("content-md5"), &raw)?;
    let text = std::str::from_utf8(&raw).map_err(|_| malformed())?;
    crate::xml::parse(text)
        .filter(|e| e.name == root)
        .ok_or_else(malformed)
}

/// Checks a written body against its Content-MD5 (removing the temp file on mismatch).
pub fn check_written_md5(w: &Written, content_md5: Option<[u8; 16]>) -> CosResult<()> {
    match content_md5 {
        Some(want) if want != w.md5 => {
            let _ = std::fs::remove_file(&w.tmp);
            Err(bad_request(
                "BadDigest",
                "The Content-MD5 you specified did not match what was received",
            ))
        }
        _ => Ok(()),
    }
}

/// A finished temp data file.
pub struct Written {
    /// Temp path.
    pub tmp: PathBuf,
    /// Plaintext size.
    pub size: u64,
    /// Plaintext MD5.
    pub md5: [u8; 16],
    /// Stored-bytes MD5.
    pub stored_md5: [u8; 16],
    /// CRC-64.
    pub crc: u64,
    /// Segment (when encrypted).
    pub segment: Option<Segment>,
}

/// [`write_temp`] that reads at most `limit` bytes of `src`: a body that goes on (a chunked
/// body has no Content-Length to refuse up front) is cut at `limit + 1` bytes, the temp file
/// removed and `too_large` returned.
pub fn write_temp_bounded(
    st: &State,
    src: &mut dyn Read,
    enc: Option<&(Alg, Vec<u8>)>,
    limit: u64,
    too_large: fn() -> CosError,
) -> CosResult<Written> {
    let w = write_temp(st, &mut src.take(limit.saturating_add(1)), enc)?;
    if w.size > limit {
        let _ = std::fs::remove_file(&w.tmp);
        return Err(too_large());
    }
    Ok(w)
}

/// Streams `src` into a fsynced temp file, encrypting with `enc`.
pub fn write_temp(
    st: &State,
    src: &mut dyn Read,
    enc: Option<&(Alg, Vec<u8>)>,
) -> CosResult<Written> {
    let tmp = st.store.tmp_path();
    let res = (|| -> io::Result<Written> {
        let f = File::create(&tmp)?;
        let (cipher, segment) = match enc {
            Some((alg, key)) => {
                let mut prefix = [0u8; 8];
                prefix.copy_from_slice(&random_bytes(8));
                (
                    Some(ChunkCipher::new(*alg, key.clone(), prefix)?),
                    Some(prefix),
                )
            }
            None => (None, None),
        };
        let mut w = ObjectWriter::new(BufWriter::with_capacity(256 * 1024, f), cipher);
        w.write_from(src)?;
        let size = w.size;
        let crc = w.crc.value();
        let md5 = util::md5_finish(std::mem::take(&mut w.md5));
        let (bw, stored_md5) = w.finish()?;
        let stored_md5 = util::md5_finish(stored_md5);
        let f = bw.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        Ok(Written {
            tmp: tmp.clone(),
            size,
            md5,
            stored_md5,
            crc,
            segment: segment.map(|prefix| Segment { size, prefix }),
        })
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        if e.kind() == io::ErrorKind::UnexpectedEof || e.kind() == io::ErrorKind::InvalidData {
            bad_request("IncompleteBody", "The request body terminated unexpectedly")
        } else if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock {
            CosError::new(400, "RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period")
        } else {
            internal(e)
        }
    })
}

/// The ETag COS gives a write: the plaintext MD5, or under SSE-KMS / SSE-C the MD5 of the
/// stored ciphertext (COS ETags then differ from the plaintext MD5 too).
pub fn etag_for(sse: &Option<SseMeta>, w: &Written) -> String {
    match sse.as_ref().map(|s| s.mode.as_str()) {
        // SSE-KMS and SSE-C ETags differ from the plaintext MD5 on COS
        Some("kms") | Some("c") => hex(&w.stored_md5),
        _ => hex(&w.md5),
    }
}

/// ETag, CRC-64 and SSE echo headers of a stored object.
pub fn write_response_headers(r: &mut Response, meta: &ObjectMeta) {
    r.set("ETag", format!("\"{}\"", meta.etag));
    r.set("x-cos-hash-crc64ecma", meta.crc64.to_string());
    sse_headers(r, &meta.sse);
}

/// Shared tail of PUT / POST: commit the written data as `key`.
pub fn commit_new(
    st: &State,
    bucket: &str,
    key: &str,
    attrs: Attrs,
    sse: Option<SseMeta>,
    w: Written,
    content_md5: Option<[u8; 16]>,
) -> CosResult<ObjectMeta> {
    check_written_md5(&w, content_md5)?;
    let etag = etag_for(&sse, &w);
    let data_file = st.store.place_data(bucket, key, &w.tmp).map_err(ioe)?;
    let meta = ObjectMeta {
        key: key.to_string(),
        size: w.size,
        etag,
        crc64: w.crc,
        last_modified: util::system_now(),
        content_type: attrs.content_type,
        headers: attrs.headers,
        acl: attrs.acl,
        storage_class: attrs.storage_class,
        restored: false,
        object_type: "normal".into(),
        data_file,
        segments: w.segment.into_iter().collect(),
        sse,
        completed_upload: None,
    };
    st.store.commit(bucket, &meta, None).map_err(ioe)?;
    Ok(meta)
}

/// `x-cos-copy-source-range: bytes=first-last`, both given and within the source (checked
/// arithmetic: a last of 2^64-1 is past the end, not an empty range). UNCONFIRMED: COS's
/// answer to a range past the end; S3 refuses it, and so does the emulator (416
/// `InvalidRange`). Returns the half-open byte range.
pub fn parse_copy_range(v: &str, size: u64) -> CosResult<(u64, u64)> {
    let spec = v
        .trim()
        .strip_prefix("bytes=")
        .and_then(|s| s.split_once('-'))
        .and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)))
        .ok_or_else(|| bad_request("InvalidArgument", "invalid x-cos-copy-source-range"))?;
    match spec {
        (first, last) if first <= last && last < size => Ok((first, last + 1)),
        _ => Err(CosError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )),
    }
}

/// A single `bytes=` range against `size`: Some((start, end_exclusive)), None to serve the
/// whole object (multi-range, reversed), 416 `InvalidRange` when unsatisfiable. A
/// last-byte-pos past the end (up to 2^64-1) means the end (RFC 9110 §14.1.2).
pub fn parse_range(v: &str, size: u64) -> CosResult<Option<(u64, u64)>> {
    let Some(spec) = v.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None); // multi-range: serve the whole object
    }
    let Some((a, b)) = spec.split_once('-') else {
        return Ok(None);
    };
    let bad = || {
        CosError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable",
        )
    };
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        (size.saturating_sub(n), size)
    } else {
        let s: u64 = a.parse().map_err(|_| bad())?;
        let e = if b.is_empty() {
            size
        } else {
            let e: u64 = b.parse().map_err(|_| bad())?;
            if e < s {
                return Ok(None);
            }
            // checked: a last-byte-pos of 2^64-1 (or anything past the end) means "to the end"
            e.saturating_add(1).min(size)
        };
        (s, e)
    };
    if start >= size {
        return Err(bad());
    }
    Ok(Some((start, end)))
}
