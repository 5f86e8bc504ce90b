//! The request and response types the operations see, and the synchronous request-body reader
//! bridged from hyper. Framing, keep-alive and `Expect: 100-continue` are hyper's
//! (see `server.rs`); nothing here parses HTTP.

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Body as _;
use hyper::body::Incoming;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

/// How long one read of the request body may wait for the next bytes.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Most body bytes discarded after an early answer (beyond: the connection is closed).
pub const DRAIN_MAX_BYTES: u64 = 8 * 1024 * 1024;
/// Drain stops when the client sends nothing for this long.
pub const DRAIN_IDLE: Duration = Duration::from_millis(500);
/// Drain never takes longer than this in all.
pub const DRAIN_TOTAL: Duration = Duration::from_secs(5);

/// The request line and headers, as the operations see them.
#[derive(Debug, Clone)]
pub struct RequestHead {
    /// Upper-case method.
    pub method: String,
    /// Host given by an absolute-form target (proxy use), if any.
    pub absolute_host: Option<String>,
    /// Raw (still percent-encoded) path.
    pub raw_path: String,
    /// Raw query string without `?`.
    pub raw_query: String,
    /// Headers in arrival order, lower-case names.
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// Builds the head from hyper's parsed request.
    pub fn from_parts(parts: &hyper::http::request::Parts) -> RequestHead {
        let uri = &parts.uri;
        let headers = parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let raw_path = match uri.path() {
            "" | "*" => "/".to_string(),
            p => p.to_string(),
        };
        RequestHead {
            method: parts.method.as_str().to_ascii_uppercase(),
            absolute_host: uri.authority().map(|a| a.as_str().to_string()),
            raw_path,
            raw_query: uri.query().unwrap_or("").to_string(),
            headers,
        }
    }

    /// First header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Host: absolute-form authority wins, as RFC 9112 §3.2.2 says.
    pub fn host(&self) -> Option<&str> {
        self.absolute_host
            .as_deref()
            .or_else(|| self.header("host"))
    }
}

/// The request body, read synchronously from a blocking thread. Reading it is what makes hyper
/// send `100 Continue`, so a handler that refuses the request before reading never invites the
/// body.
pub struct BodyReader {
    body: Option<Incoming>,
    rt: tokio::runtime::Handle,
    buf: Bytes,
    declared: Option<u64>,
    /// Total bytes delivered.
    pub consumed: u64,
}

impl BodyReader {
    /// Wraps hyper's body; `declared` is the Content-Length, if any.
    pub fn new(body: Incoming, rt: tokio::runtime::Handle, declared: Option<u64>) -> Self {
        BodyReader {
            body: Some(body),
            rt,
            buf: Bytes::new(),
            declared,
            consumed: 0,
        }
    }

    /// The declared Content-Length, if any.
    pub fn declared_len(&self) -> Option<u64> {
        self.declared
    }

    /// Reads the whole body up to `limit` bytes.
    pub fn read_all(&mut self, limit: u64) -> io::Result<Vec<u8>> {
        if self.declared.is_some_and(|n| n > limit) {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        let mut v = Vec::new();
        (&mut *self).take(limit + 1).read_to_end(&mut v)?;
        if v.len() as u64 > limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        Ok(v)
    }

    /// The body as an async stream of data chunks, borrowed (POST forms, for `multer`); what it
    /// leaves unread can still be drained.
    pub fn data_stream(
        &mut self,
    ) -> impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Send + '_ {
        let body = &mut self.body;
        futures_util::stream::poll_fn(move |cx| loop {
            let Some(b) = body.as_mut() else {
                return Poll::Ready(None);
            };
            match std::task::ready!(Pin::new(b).poll_frame(cx)) {
                None => {
                    *body = None;
                    return Poll::Ready(None);
                }
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        })
    }

    /// The runtime the body is read on (to drive futures from the blocking handler thread).
    pub fn runtime(&self) -> tokio::runtime::Handle {
        self.rt.clone()
    }

    /// After an early answer, reads and discards what the client is still sending, so that a
    /// client that does not read before it has written everything (fetch, browsers) gets the
    /// answer instead of a reset. Bounded: at most [`DRAIN_MAX_BYTES`] within [`DRAIN_TOTAL`],
    /// and it stops when nothing arrives for [`DRAIN_IDLE`]. Returns true if the body was read to its end (the
    /// connection can then be reused).
    pub fn drain_bounded(&mut self) -> bool {
        if self
            .declared
            .is_some_and(|n| n.saturating_sub(self.consumed) > DRAIN_MAX_BYTES)
        {
            return false;
        }
        let mut budget = DRAIN_MAX_BYTES;
        let deadline = std::time::Instant::now() + DRAIN_TOTAL;
        self.buf = Bytes::new();
        loop {
            let Some(body) = self.body.as_mut() else {
                return true;
            };
            let wait =
                DRAIN_IDLE.min(deadline.saturating_duration_since(std::time::Instant::now()));
            let next = self
                .rt
                .block_on(async { tokio::time::timeout(wait, body.frame()).await });
            match next {
                Ok(None) => {
                    self.body = None;
                    return true;
                }
                Ok(Some(Ok(frame))) => {
                    let n = frame.data_ref().map_or(0, |d| d.len() as u64);
                    if n > budget {
                        return false;
                    }
                    budget -= n;
                }
                Ok(Some(Err(_))) | Err(_) => return false,
            }
        }
    }

    /// Whether body bytes may remain unread (then the connection is not reused).
    pub fn unread(&self) -> bool {
        self.body
            .as_ref()
            .is_some_and(|b| !hyper::body::Body::is_end_stream(b))
            || !self.buf.is_empty()
    }
}

impl Read for BodyReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.buf.is_empty() {
            let Some(body) = self.body.as_mut() else {
                return Ok(0);
            };
            let next = self
                .rt
                .block_on(async { tokio::time::timeout(BODY_READ_TIMEOUT, body.frame()).await });
            match next {
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request body timed out",
                    ))
                }
                Ok(None) => {
                    self.body = None;
                    return Ok(0);
                }
                Ok(Some(Err(e))) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        self.buf = data;
                    }
                }
            }
        }
        let n = out.len().min(self.buf.len());
        let chunk = self.buf.split_to(n);
        out.get_mut(..n)
            .ok_or_else(|| io::Error::other("short buffer"))?
            .copy_from_slice(&chunk);
        self.consumed += n as u64;
        Ok(n)
    }
}

/// Response body.
pub enum Body {
    /// No body.
    Empty,
    /// In-memory body.
    Bytes(Vec<u8>),
    /// Streamed body of known length.
    Stream(Box<dyn Read + Send>, u64),
}

/// An HTTP response.
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers (Content-Length is added automatically).
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Body,
    /// COS error code, for the log line.
    pub error_code: Option<String>,
    /// Close the connection after this response.
    pub close: bool,
}

impl Response {
    /// Empty response with a status.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Empty,
            error_code: None,
            close: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }

    /// Adds a header in place.
    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.headers.push((k.to_string(), v.into()));
    }

    /// XML body.
    pub fn xml(mut self, xml: String) -> Self {
        self.headers
            .push(("Content-Type".into(), "application/xml".into()));
        self.body = Body::Bytes(xml.into_bytes());
        self
    }

    /// Whether a header with this name is present.
    pub fn has(&self, k: &str) -> bool {
        self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(k))
    }

    /// Body length (the Content-Length to announce).
    pub fn body_len(&self) -> u64 {
        match &self.body {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Stream(_, n) => *n,
        }
    }
}
