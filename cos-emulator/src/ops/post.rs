//! POST Object: a multipart/form-data upload with a signed policy (protocol §2).
//!
//! The form is streamed (`multer`): the fields before `file` are read under a size bound, the
//! policy is verified as soon as `file` starts, and only then is the file streamed to disk. At
//! most `MAX_PENDING_FORMS` forms are read at once before their policy is verified, each
//! within a byte budget ([`MAX_PREAUTH_BYTES`], [`MAX_PREAMBLE`] before the first boundary)
//! and a time budget ([`PREAUTH_TIME`]), so a slow client holds a slot for a bounded time and
//! a form waiting for a slot gets one ([`SLOT_WAIT`]).

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
use futures_util::Stream;
use std::io::{self, Read};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Largest value of one form field before `file`.
const MAX_FIELD_BYTES: u64 = 64 * 1024;
/// Largest total of all fields before `file`.
const MAX_FIELDS_TOTAL: usize = 256 * 1024;
/// Most fields before `file`.
const MAX_FIELDS: usize = 64;
/// Longest multipart boundary (RFC 2046 §5.1.1 allows 70 characters).
const MAX_BOUNDARY: usize = 70;
/// Most bytes before the first boundary (the RFC 2046 preamble; browsers and the SDKs send
/// none). Without it a body that never names its boundary was buffered whole (1 GiB: RSS
/// 1,021 MB). UNCONFIRMED for COS: 400 `MalformedPOSTRequest`.
pub const MAX_PREAMBLE: u64 = 8 * 1024;
/// Largest piece of the body handed to `multer` before the policy is verified. `multer`
/// polls the body at the start of every call, even when what it holds already answers it,
/// so each call may read one piece more than it needs: in pieces this small, that read-ahead
/// stays bounded (at most about two pieces per field) whatever chunks the client's writes
/// arrive in.
const PREAUTH_SLICE: usize = 4 * 1024;
/// Most bytes of a form read before its policy is verified: the fields before `file`
/// ([`MAX_FIELDS_TOTAL`]), their part headers (64 KiB), and `multer`'s read-ahead (two
/// [`PREAUTH_SLICE`]s per field, and one for `file`). Once this much was read and the policy
/// is still not verified, no more is read. UNCONFIRMED: 400 `EntityTooLarge`.
pub const MAX_PREAUTH_BYTES: u64 =
    (MAX_FIELDS_TOTAL + 64 * 1024 + (2 * MAX_FIELDS + 1) * PREAUTH_SLICE) as u64;
/// How long a form may take, from getting its slot, until its policy is verified. A slow
/// client (one byte every 25 s) held a slot for ever before; now at most this long.
/// UNCONFIRMED: 400 `RequestTimeout` (S3's code for a client too slow to send).
pub const PREAUTH_TIME: Duration = Duration::from_secs(10);
/// How long a form waits for a pre-authentication slot before 503 `SlowDown`. Longer than
/// [`PREAUTH_TIME`], and the queue is first come, first served (tokio's semaphore), so every
/// slot ahead of a waiting form frees within that time: slow clients cannot starve it.
pub const SLOT_WAIT: Duration = Duration::from_secs(15);

/// Why [`FormStream`] stopped a form before authentication (0: it did not).
const CUT_PREAMBLE: u8 = 1;
const CUT_PREAUTH_BYTES: u8 = 2;

/// What [`FormStream`] and the handler share: whether the policy is verified yet (the byte
/// budgets then end) and why the stream was cut, if it was.
#[derive(Default)]
struct FormGate {
    authenticated: AtomicBool,
    cut: AtomicU8,
}

/// The request body as `multer` reads it, with the pre-authentication byte bounds; before
/// the policy is verified it hands the body over in [`PREAUTH_SLICE`] pieces (a fast client's
/// 400 KB chunks, read ahead once per `multer` call, went over the byte budget for a valid
/// form with a dozen fields).
///
/// It also never reports the end of the body in the same poll as the data before it: after
/// each chunk it answers `Pending` once (waking itself). `multer` 3.1's
/// `Multipart::poll_next_field`, looking for the first boundary, polls the body, searches,
/// and when the search fails polls the body again and gives `IncompleteStream` if that
/// second poll reached the end, without searching what it just read. A form whose whole
/// body arrived between those two polls was refused (400 `MalformedPOSTRequest`, 0.1-0.2% of
/// valid forms at 32 clients). With a `Pending` between the last chunk and the end, the
/// second poll can only add data; the end is seen on the next poll, after a new search.
struct FormStream<S> {
    inner: S,
    gate: Arc<FormGate>,
    /// A chunk was returned since the last `Pending`.
    yielded: bool,
    /// `--boundary`, looked for until seen.
    delimiter: Vec<u8>,
    /// The last bytes read before the boundary was seen (a delimiter split across chunks).
    tail: Vec<u8>,
    seen_boundary: bool,
    read: u64,
    /// The rest of a chunk cut into [`PREAUTH_SLICE`] pieces.
    rest: Bytes,
}

impl<S> FormStream<S> {
    fn new(inner: S, boundary: &str, gate: Arc<FormGate>) -> Self {
        FormStream {
            inner,
            gate,
            yielded: false,
            delimiter: format!("--{boundary}").into_bytes(),
            tail: Vec::new(),
            seen_boundary: false,
            read: 0,
            rest: Bytes::new(),
        }
    }

    /// Counts a chunk read before authentication; the reason to stop, if any.
    fn admit(&mut self, chunk: &[u8]) -> Option<u8> {
        if self.gate.authenticated.load(Ordering::Acquire) {
            return None;
        }
        if self.read >= MAX_PREAUTH_BYTES {
            return Some(CUT_PREAUTH_BYTES);
        }
        self.read += chunk.len() as u64;
        if !self.seen_boundary {
            self.tail.extend_from_slice(chunk);
            let d = &self.delimiter;
            self.seen_boundary = self.tail.windows(d.len()).any(|w| w == d.as_slice());
            if !self.seen_boundary {
                if self.read > MAX_PREAMBLE {
                    return Some(CUT_PREAMBLE);
                }
                let keep = self.tail.len().saturating_sub(d.len());
                self.tail.drain(..keep);
            } else {
                self.tail = Vec::new();
            }
        }
        None
    }
}

impl<S, E> Stream for FormStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Item = Result<Bytes, Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.yielded {
            self.yielded = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = if self.rest.is_empty() {
            std::task::ready!(Pin::new(&mut self.inner).poll_next(cx))
        } else {
            Some(Ok(std::mem::take(&mut self.rest)))
        };
        match next {
            None => Poll::Ready(None),
            Some(Err(e)) => Poll::Ready(Some(Err(e.into()))),
            Some(Ok(mut chunk)) => {
                if !self.gate.authenticated.load(Ordering::Acquire) && chunk.len() > PREAUTH_SLICE {
                    self.rest = chunk.split_off(PREAUTH_SLICE);
                }
                if let Some(cut) = self.admit(&chunk) {
                    self.gate.cut.store(cut, Ordering::Release);
                    return Poll::Ready(Some(Err("pre-authentication bound".into())));
                }
                self.yielded = true;
                Poll::Ready(Some(Ok(chunk)))
            }
        }
    }
}

/// The error for a form cut by [`FormStream`], else `e` as [`form_error`] reads it.
fn cut_or(gate: &FormGate, e: multer::Error) -> CosError {
    match gate.cut.load(Ordering::Acquire) {
        CUT_PREAMBLE => malformed(),
        CUT_PREAUTH_BYTES => bad_request(
            "EntityTooLarge",
            "The form fields before file are too large",
        ),
        _ => form_error(e),
    }
}

fn preauth_timeout() -> CosError {
    bad_request(
        "RequestTimeout",
        "Your socket connection to the server was not read from or written to within the timeout period.",
    )
}

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
    let rt = body.runtime();
    let slot = rt
        .block_on(async { tokio::time::timeout(SLOT_WAIT, st.form_slots.acquire()).await })
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| {
            CosError::new(503, "SlowDown", "Too many POST forms at once; retry later")
        })?;
    let deadline = tokio::time::Instant::now() + PREAUTH_TIME;
    let gate = Arc::new(FormGate::default());
    let stream = FormStream::new(Box::pin(body.data_stream()), &boundary, gate.clone());
    let limits = multer::SizeLimit::new()
        .per_field(MAX_FIELD_BYTES)
        .for_field("file", MAX_PUT);
    let mut form = multer::Multipart::with_constraints(
        stream,
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    // Before authentication every wait ends at the form's deadline.
    let preauth = || {
        let by_read = tokio::time::Instant::now() + crate::http::BODY_READ_TIMEOUT;
        by_read.min(deadline)
    };
    // fields up to `file`
    let mut fields: FormFields = Vec::new();
    let mut total = 0usize;
    let (file_field, filename) = loop {
        let f = rt
            .block_on(async { tokio::time::timeout_at(preauth(), form.next_field()).await })
            .map_err(|_| preauth_timeout())?
            .map_err(|e| cut_or(&gate, e))?;
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
            .block_on(async { tokio::time::timeout_at(preauth(), f.bytes()).await })
            .map_err(|_| preauth_timeout())?
            .map_err(|e| cut_or(&gate, e))?;
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
    // and budgets
    gate.authenticated.store(true, Ordering::Release);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that is not ready at the first poll, then arrives whole and ends at once: the
    /// timing of the 0.1-0.2% failures at 32 clients.
    fn late_body() -> impl Stream<Item = Result<Bytes, io::Error>> + Unpin + Send {
        let body = b"--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nv\r\n--B--\r\n";
        let mut step = 0;
        futures_util::stream::poll_fn(move |cx| {
            step += 1;
            match step {
                1 => {
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
                2 => Poll::Ready(Some(Ok(Bytes::from_static(body)))),
                _ => Poll::Ready(None),
            }
        })
    }

    fn first_field<S, E>(stream: S) -> Result<Option<String>, multer::Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut form = multer::Multipart::new(stream, "B");
            let f = form.next_field().await?;
            Ok(f.and_then(|f| f.name().map(str::to_string)))
        })
    }

    #[test]
    fn multer_alone_loses_a_body_that_ends_between_two_polls() {
        // the upstream behaviour FormStream works around (if this starts passing, multer fixed it)
        assert!(matches!(
            first_field(late_body()),
            Err(multer::Error::IncompleteStream)
        ));
    }

    #[test]
    fn form_stream_reads_a_body_that_ends_between_two_polls() {
        let gate = Arc::new(FormGate::default());
        let s = FormStream::new(late_body(), "B", gate);
        assert_eq!(first_field(s).unwrap().as_deref(), Some("key"));
    }

    /// The client's bytes always ready, in 256 KiB chunks (a fast sender): `multer` polls the
    /// body at the start of every call, so unsliced each field read a chunk ahead and 50
    /// fields went over the budget (400 EntityTooLarge for a valid form, now and then in the
    /// browser e2e uploads).
    #[test]
    fn form_stream_read_ahead_stays_within_the_budget() {
        let mut body = Vec::new();
        for i in 0..50 {
            body.extend(
                format!("--B\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                    .as_bytes(),
            );
        }
        body.extend(b"--B\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n");
        body.extend(vec![b'z'; 8 * 1024 * 1024]);
        body.extend(b"\r\n--B--\r\n");
        let chunks: Vec<Result<Bytes, io::Error>> = body
            .chunks(256 * 1024)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let gate = Arc::new(FormGate::default());
        let s = FormStream::new(futures_util::stream::iter(chunks), "B", gate.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let fields = rt.block_on(async {
            let mut form = multer::Multipart::new(s, "B");
            let mut n = 0;
            while let Some(f) = form.next_field().await? {
                if f.name() == Some("file") {
                    return Ok::<_, multer::Error>(n);
                }
                f.bytes().await?;
                n += 1;
            }
            Ok(n)
        });
        assert_eq!(fields.unwrap(), 50);
        assert_eq!(gate.cut.load(Ordering::Acquire), 0);
    }

    #[test]
    fn form_stream_cuts_a_long_preamble() {
        let gate = Arc::new(FormGate::default());
        let mut s = FormStream::new(
            futures_util::stream::iter(
                (0..64).map(|_| Ok::<_, io::Error>(Bytes::from(vec![b'x'; 1024]))),
            ),
            "B",
            gate.clone(),
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut read = 0usize;
        let err = rt.block_on(async {
            use futures_util::StreamExt as _;
            while let Some(c) = s.next().await {
                match c {
                    Ok(c) => read += c.len(),
                    Err(_) => return true,
                }
            }
            false
        });
        assert!(err);
        assert!(read as u64 <= MAX_PREAMBLE, "{read}");
        assert_eq!(gate.cut.load(Ordering::Acquire), CUT_PREAMBLE);
    }

    #[test]
    fn form_stream_finds_a_boundary_split_across_chunks() {
        let gate = Arc::new(FormGate::default());
        let mut chunks: Vec<Result<Bytes, io::Error>> = vec![
            Ok(Bytes::from(vec![b'x'; 7000])),
            Ok(Bytes::from_static(b"\r\n--Bo")),
        ];
        chunks.push(Ok(Bytes::from_static(b"undary\r\n")));
        chunks.extend((0..8).map(|_| Ok(Bytes::from(vec![b'y'; 4096]))));
        let mut s = FormStream::new(futures_util::stream::iter(chunks), "Boundary", gate.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ok = rt.block_on(async {
            use futures_util::StreamExt as _;
            while let Some(c) = s.next().await {
                if c.is_err() {
                    return false;
                }
            }
            true
        });
        assert!(ok);
        assert_eq!(gate.cut.load(Ordering::Acquire), 0);
    }
}
