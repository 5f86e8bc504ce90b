//! A minimal synchronous HTTP/1.1 layer: request parsing (origin- and absolute-form targets,
//! Content-Length and chunked bodies, `Expect: 100-continue`), keep-alive, response writing.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// Maximum size of the request head.
const MAX_HEAD: usize = 64 * 1024;

/// A parsed request head.
#[derive(Debug, Clone)]
pub struct RequestHead {
    /// Upper-case method.
    pub method: String,
    /// The raw request target as sent.
    pub target: String,
    /// Host given by an absolute-form target (proxy use), if any.
    pub absolute_host: Option<String>,
    /// Raw (still percent-encoded) path.
    pub raw_path: String,
    /// Raw query string without `?`.
    pub raw_query: String,
    /// Headers in arrival order, names as sent.
    pub headers: Vec<(String, String)>,
    /// HTTP/1.0?
    pub http10: bool,
}

impl RequestHead {
    /// First header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All values of a header, joined with "," as HTTP folding does.
    pub fn header_joined(&self, name: &str) -> Option<String> {
        let vals: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        if vals.is_empty() {
            None
        } else {
            Some(vals.join(","))
        }
    }

    /// Host: absolute-form authority wins, as RFC 7230 §5.4 says.
    pub fn host(&self) -> Option<&str> {
        self.absolute_host
            .as_deref()
            .or_else(|| self.header("host"))
    }
}

/// Body framing.
#[derive(Debug, Clone, Copy)]
enum Framing {
    Length(u64),
    Chunked,
}

/// Reads one request body from the connection.
pub struct BodyReader<'a> {
    inner: &'a mut BufReader<TcpStream>,
    framing: Framing,
    /// For chunked: bytes left in the current chunk; None before the first chunk header.
    chunk_left: u64,
    done: bool,
    /// Total bytes delivered.
    pub consumed: u64,
}

impl<'a> BodyReader<'a> {
    /// Declared Content-Length, if not chunked.
    pub fn declared_len(&self) -> Option<u64> {
        match self.framing {
            Framing::Length(n) => Some(n),
            Framing::Chunked => None,
        }
    }

    /// Reads the whole body up to `limit` bytes.
    pub fn read_all(&mut self, limit: u64) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        (&mut *self).take(limit + 1).read_to_end(&mut v)?;
        if v.len() as u64 > limit {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
        }
        Ok(v)
    }

    /// Discards the rest of the body; true if the connection can be reused.
    pub fn drain(&mut self) -> bool {
        let mut buf = [0u8; 16384];
        let mut budget: u64 = 64 * 1024 * 1024;
        loop {
            match self.read(&mut buf) {
                Ok(0) => return true,
                Ok(n) => {
                    budget = budget.saturating_sub(n as u64);
                    if budget == 0 {
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
    }

    fn read_line(&mut self) -> io::Result<String> {
        let mut line = Vec::new();
        (&mut *self.inner).take(4096).read_until(b'\n', &mut line)?;
        if !line.ends_with(b"\n") {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "bad chunk line"));
        }
        Ok(String::from_utf8_lossy(&line).trim().to_string())
    }
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        match self.framing {
            Framing::Length(total) => {
                let left = total - self.consumed;
                if left == 0 {
                    self.done = true;
                    return Ok(0);
                }
                let want = buf.len().min(left as usize);
                let n = self.inner.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed mid-body",
                    ));
                }
                self.consumed += n as u64;
                Ok(n)
            }
            Framing::Chunked => {
                if self.chunk_left == 0 {
                    let line = self.read_line()?;
                    let line = if line.is_empty() {
                        self.read_line()?
                    } else {
                        line
                    };
                    let size_str = line.split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size_str, 16).map_err(|_| {
                        io::Error::new(io::ErrorKind::InvalidData, "bad chunk size")
                    })?;
                    if size == 0 {
                        // trailers until blank line
                        loop {
                            let l = self.read_line()?;
                            if l.is_empty() {
                                break;
                            }
                        }
                        self.done = true;
                        return Ok(0);
                    }
                    self.chunk_left = size;
                }
                let want = buf.len().min(self.chunk_left as usize);
                let n = self.inner.read(&mut buf[..want])?;
                if n == 0 {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "connection closed mid-chunk",
                    ));
                }
                self.chunk_left -= n as u64;
                self.consumed += n as u64;
                if self.chunk_left == 0 {
                    let mut crlf = [0u8; 2];
                    self.inner.read_exact(&mut crlf)?;
                }
                Ok(n)
            }
        }
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
}

impl Response {
    /// Empty response with a status.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Body::Empty,
            error_code: None,
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
}

/// Reason phrase.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        303 => "See Other",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// Outcome of reading a request head.
pub enum HeadResult {
    /// A request.
    Head(RequestHead),
    /// Clean EOF before any byte.
    Eof,
    /// Malformed request.
    Bad(String),
}

/// Reads and parses a request head.
pub fn read_head(r: &mut BufReader<TcpStream>) -> io::Result<HeadResult> {
    let mut lines: Vec<String> = Vec::new();
    let mut total = 0usize;
    loop {
        let mut line = Vec::new();
        let n = (&mut *r)
            .take((MAX_HEAD - total) as u64 + 1)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            if lines.is_empty() {
                return Ok(HeadResult::Eof);
            }
            return Ok(HeadResult::Bad("truncated head".into()));
        }
        total += n;
        if total > MAX_HEAD {
            return Ok(HeadResult::Bad("head too large".into()));
        }
        let s = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if s.is_empty() {
            if lines.is_empty() {
                continue; // tolerate leading CRLF between requests
            }
            break;
        }
        lines.push(s);
    }
    let mut it = lines.into_iter();
    let reqline = it.next().unwrap_or_default();
    let mut parts = reqline.split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v)) if !m.is_empty() && !t.is_empty() => {
            (m.to_string(), t.to_string(), v.to_string())
        }
        _ => return Ok(HeadResult::Bad("bad request line".into())),
    };
    if !version.starts_with("HTTP/1.") {
        return Ok(HeadResult::Bad("unsupported HTTP version".into()));
    }
    let mut headers = Vec::new();
    for l in it {
        let Some((k, v)) = l.split_once(':') else {
            return Ok(HeadResult::Bad("bad header line".into()));
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    // absolute-form target: http://host[:port]/path?query
    let (absolute_host, path_and_query) = if let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        let (auth, pq) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => match rest.find('?') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            },
        };
        (Some(auth.to_string()), pq.to_string())
    } else if target == "*" {
        (None, "/".to_string())
    } else {
        (None, target.clone())
    };
    let path_and_query = if path_and_query.starts_with('?') {
        format!("/{path_and_query}")
    } else {
        path_and_query
    };
    let (raw_path, raw_query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path_and_query.clone(), String::new()),
    };
    Ok(HeadResult::Head(RequestHead {
        method: method.to_ascii_uppercase(),
        target,
        absolute_host,
        raw_path,
        raw_query,
        headers,
        http10: version == "HTTP/1.0",
    }))
}

/// Creates the body reader for a request head (sends `100 Continue` when asked).
pub fn body_reader<'a>(
    head: &RequestHead,
    r: &'a mut BufReader<TcpStream>,
) -> Result<BodyReader<'a>, String> {
    let chunked = head
        .header("transfer-encoding")
        .map(|v| v.to_ascii_lowercase().contains("chunked"))
        .unwrap_or(false);
    let framing = if chunked {
        Framing::Chunked
    } else if let Some(cl) = head.header("content-length") {
        Framing::Length(
            cl.trim()
                .parse()
                .map_err(|_| "invalid Content-Length".to_string())?,
        )
    } else {
        Framing::Length(0)
    };
    if head
        .header("expect")
        .map(|v| v.eq_ignore_ascii_case("100-continue"))
        .unwrap_or(false)
    {
        let s = r.get_mut();
        let _ = s.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        let _ = s.flush();
    }
    Ok(BodyReader {
        inner: r,
        framing,
        chunk_left: 0,
        done: false,
        consumed: 0,
    })
}

/// Writes a response. `head_only` suppresses the body (HEAD requests).
pub fn write_response(
    w: &mut TcpStream,
    mut resp: Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    let len = match &resp.body {
        Body::Empty => 0,
        Body::Bytes(b) => b.len() as u64,
        Body::Stream(_, n) => *n,
    };
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    let has_len = resp.has("content-length");
    for (k, v) in &resp.headers {
        out.push_str(k);
        out.push_str(": ");
        // never let a value break the framing
        out.push_str(&v.replace(['\r', '\n'], " "));
        out.push_str("\r\n");
    }
    if !has_len && resp.status != 204 && resp.status != 304 {
        out.push_str(&format!("Content-Length: {len}\r\n"));
    }
    out.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut bw = io::BufWriter::with_capacity(65536, w);
    bw.write_all(out.as_bytes())?;
    if !head_only && resp.status != 204 && resp.status != 304 {
        match &mut resp.body {
            Body::Empty => {}
            Body::Bytes(b) => bw.write_all(b)?,
            Body::Stream(r, n) => {
                let copied = io::copy(&mut r.take(*n), &mut bw)?;
                if copied != *n {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "short stored object",
                    ));
                }
            }
        }
    }
    bw.flush()
}
