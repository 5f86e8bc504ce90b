//! The request and response types the operations see, and the synchronous request-body reader
//! bridged from hyper. Framing, keep-alive and `Expect: 100-continue` are hyper's
//! (see `server.rs`); nothing here parses HTTP.

use bytes::Bytes;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use std::io::{self, Read};
use std::time::Duration;

/// How long one read of the request body may wait for the next bytes.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);

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

    /// Takes the body as an async stream of data chunks (POST forms, for `multer`).
    pub fn take_stream(
        &mut self,
    ) -> Option<impl futures_util::Stream<Item = Result<Bytes, hyper::Error>> + Send + 'static>
    {
        self.body.take().map(http_body_util::BodyDataStream::new)
    }

    /// Whether body bytes may remain unread (then the connection is not reused).
    pub fn unread(&self) -> bool {
        self.body.as_ref().is_some_and(|b| !hyper::body::Body::is_end_stream(b))
            || !self.buf.is_empty()
    }

    /// Runs a future to completion on the server's runtime (from the blocking handler thread).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
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
