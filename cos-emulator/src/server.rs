//! The HTTP server: hyper 1.x (HTTP/1.1) on a small tokio runtime. Framing, refusal of
//! ambiguous messages (request smuggling: bad or doubled Content-Length, a Transfer-Encoding
//! not ending in chunked, obs-fold, bad chunks; Content-Length with chunked is read as chunked
//! and the connection closed, RFC 9112 §6.1), keep-alive, header-read timeout and `Expect:
//! 100-continue` come from hyper; each request then runs on a blocking thread
//! ([`handle_sync`]), which authenticates the head before it reads any body byte.

use crate::config::Config;
use crate::cors::{expose_headers, origin_allowed, preflight};
use crate::ctx::{authenticate, build_ctx};
use crate::error::CosError;
use crate::http::{Body, BodyReader, RequestHead, Response};
use crate::keys::KeyStore;
use crate::router::{is_sts_request, serve_sts};
use crate::state::{State, MAX_PENDING_FORMS, NO_OVERRIDE};
use crate::store::Store;
use crate::sts::Sts;
use crate::util::{self, http_date};
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt as _, Empty, Full, StreamBody};
use hyper::body::Frame;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io::{self, Read};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a client may take to send a request head (slowloris bound).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a socket read or write may stall before the connection is dropped.
const IO_TIMEOUT: Duration = Duration::from_secs(120);
/// Pause after a failed `accept` (EMFILE: no descriptor left) before the next try.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
/// Worker threads of the async runtime (the blocking pool serves the requests themselves).
const WORKER_THREADS: usize = 2;
/// Requests served at once (blocking threads); more wait in hyper's queue.
const MAX_BLOCKING: usize = 256;

type RespBody = BoxBody<Bytes, io::Error>;

/// Response header names in the case COS sends them. HTTP names are case-insensitive, but the
/// official Python SDK copies the headers into a plain dict and reads `ETag`; hyper writes
/// lower-case names unless a response carries its case map.
const COS_HEADER_CASE: [&str; 22] = [
    "ETag",
    "Content-Length",
    "Content-Type",
    "Content-Range",
    "Accept-Ranges",
    "Last-Modified",
    "Location",
    "Date",
    "Server",
    "Connection",
    "Cache-Control",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Expires",
    "Vary",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
    "x-cos-server-side-encryption-customer-key-MD5",
];

/// hyper's own record of header-name case, obtained the one public way: hyper parses a request
/// carrying [`COS_HEADER_CASE`] with `preserve_header_case` and hands the record out in the
/// request's extensions; responses carrying it are written with those names.
async fn header_case_template() -> io::Result<hyper::http::Extensions> {
    use tokio::io::AsyncWriteExt as _;
    let (mut client, server) = tokio::io::duplex(8192);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let tx = std::sync::Mutex::new(Some(tx));
    let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
        if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
            let _ = tx.send(req.extensions().clone());
        }
        async { Ok::<_, Infallible>(hyper::Response::new(Empty::<Bytes>::new())) }
    });
    tokio::spawn(async move {
        let _ = hyper::server::conn::http1::Builder::new()
            .preserve_header_case(true)
            .serve_connection(TokioIo::new(server), svc)
            .await;
    });
    let mut req = String::from("GET / HTTP/1.1\r\n");
    for name in COS_HEADER_CASE {
        let value = if name == "Content-Length" { "0" } else { "x" };
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    client.write_all(req.as_bytes()).await?;
    rx.await
        .map_err(|_| io::Error::other("no header case record"))
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Arc<tokio::sync::Notify>,
    thread: Option<JoinHandle<()>>,
    state: Arc<State>,
}

impl ServerHandle {
    /// Bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// Port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }
    /// Overrides the clock used for signature checks (None = back to config/system clock).
    pub fn set_now(&self, now: Option<i64>) {
        self.state
            .now_override
            .store(now.unwrap_or(NO_OVERRIDE), Ordering::Relaxed);
    }
    /// The KMS default key id.
    pub fn default_kms_key_id(&self) -> String {
        self.state.keys.default_kms.clone()
    }
    /// The current SSE-COS master key id.
    pub fn current_master_key_id(&self) -> String {
        self.state.keys.current_master.clone()
    }
    /// Stops accepting connections and waits for the server thread.
    pub fn shutdown(mut self) {
        self.stop_inner();
    }
    /// Blocks until the server stops (e.g. after [`ServerHandle::stopper`] fires).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
    /// A function that stops the server from another thread.
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let stop = self.stop.clone();
        move || stop.notify_one()
    }
    fn stop_inner(&mut self) {
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// Starts the emulator on 127.0.0.1 and returns once it is accepting connections.
pub fn serve(cfg: Config) -> io::Result<ServerHandle> {
    std::fs::create_dir_all(&cfg.data_dir)?;
    let store = Store::open(&cfg.data_dir)?;
    let keys = KeyStore::open(
        &cfg.data_dir,
        &cfg.master_keys,
        cfg.rotate_master_key,
        &cfg.kms_keys,
    )?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .max_blocking_threads(MAX_BLOCKING)
        .thread_name("cos-emulator")
        .enable_all()
        .build()?;
    let case = Arc::new(rt.block_on(header_case_template())?);
    let std_listener = std::net::TcpListener::bind(("127.0.0.1", cfg.port))?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let sts = std::sync::Mutex::new(Sts::new(cfg.roles.clone()));
    let state = Arc::new(State {
        cfg,
        store,
        keys,
        now_override: AtomicI64::new(NO_OVERRIDE),
        form_slots: tokio::sync::Semaphore::new(MAX_PENDING_FORMS),
        sts,
    });
    let stop = Arc::new(tokio::sync::Notify::new());
    let (st, stp) = (state.clone(), stop.clone());
    let thread = std::thread::Builder::new()
        .name("cos-emulator-accept".into())
        .spawn(move || {
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                    return;
                };
                accept_loop(listener, st, stp, case).await;
            });
            rt.shutdown_timeout(Duration::from_secs(2));
        })?;
    Ok(ServerHandle {
        addr,
        stop,
        thread: Some(thread),
        state,
    })
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    st: Arc<State>,
    stop: Arc<tokio::sync::Notify>,
    case: Arc<hyper::http::Extensions>,
) {
    loop {
        let conn = tokio::select! {
            _ = stop.notified() => return,
            c = listener.accept() => c,
        };
        let (tcp, peer) = match conn {
            Ok(c) => c,
            Err(_) => {
                // EMFILE / ENFILE (out of descriptors) fail again at once while the backlog
                // holds a connection: back off instead of spinning (85% of a core with 1,100
                // idle connections and 1,024 descriptors).
                tokio::select! {
                    _ = stop.notified() => return,
                    _ = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        let _ = tcp.set_nodelay(true);
        let mut io = tokio_io_timeout::TimeoutStream::new(tcp);
        io.set_read_timeout(Some(IO_TIMEOUT));
        io.set_write_timeout(Some(IO_TIMEOUT));
        let io = TokioIo::new(Box::pin(io));
        let (st, case) = (st.clone(), case.clone());
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                serve_one(st.clone(), case.clone(), peer.ip(), req)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .keep_alive(true)
                .serve_connection(io, svc)
                .await;
        });
    }
}

async fn serve_one(
    st: Arc<State>,
    case: Arc<hyper::http::Extensions>,
    peer: IpAddr,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<RespBody>, Infallible> {
    let (parts, body) = req.into_parts();
    let head = RequestHead::from_parts(&parts);
    let started = Instant::now();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expect_continue = parts
        .headers
        .get(hyper::header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let rt = tokio::runtime::Handle::current();
    let st2 = st.clone();
    let head_only = head.method == "HEAD";
    let joined = tokio::task::spawn_blocking(move || {
        let mut body = BodyReader::new(body, rt, declared);
        let (mut resp, what) = handle_sync(&st2, &head, peer, &mut body);
        // An early answer: discard what the client is still sending (bounded), unless it waits
        // for `100 Continue`, which reading would send; otherwise close after the answer.
        if body.unread() && (expect_continue || !body.drain_bounded()) {
            resp.close = true;
        }
        if st2.cfg.log {
            eprintln!(
                "cos-emulator: {} {} {} {} {}ms",
                head.method,
                what,
                resp.status,
                resp.error_code.as_deref().unwrap_or("-"),
                started.elapsed().as_millis()
            );
        }
        resp
    })
    .await;
    let resp = joined.unwrap_or_else(|_| {
        let e = crate::error::internal("handler failed");
        error_response(&e, &util::random_hex(16), "")
    });
    let mut resp = to_hyper(resp, head_only);
    *resp.extensions_mut() = (*case).clone();
    Ok(resp)
}

fn to_hyper(resp: Response, head_only: bool) -> hyper::Response<RespBody> {
    let len = resp.body_len();
    let mut b = hyper::Response::builder().status(resp.status);
    let mut has_len = false;
    for (k, v) in &resp.headers {
        if k.eq_ignore_ascii_case("content-length") {
            has_len = true;
        }
        // header values never break the framing: hyper refuses CR/LF, so replace them
        let v = v.replace(['\r', '\n'], " ");
        b = b.header(k.as_str(), v);
    }
    let bodyless = resp.status == 204 || resp.status == 304;
    if !has_len && !bodyless {
        b = b.header("Content-Length", len.to_string());
    }
    if resp.close {
        b = b.header("Connection", "close");
    }
    let body: RespBody = match resp.body {
        _ if head_only || bodyless => Empty::new().map_err(|e| match e {}).boxed(),
        Body::Empty => Empty::new().map_err(|e| match e {}).boxed(),
        Body::Bytes(v) => Full::new(Bytes::from(v)).map_err(|e| match e {}).boxed(),
        Body::Stream(r, n) => stream_body(r, n),
    };
    b.body(body).unwrap_or_else(|_| {
        let mut r = hyper::Response::new(Empty::new().map_err(|e| match e {}).boxed());
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// Streams a blocking reader (a stored object, decrypted chunk by chunk) to the client.
fn stream_body(r: Box<dyn Read + Send>, n: u64) -> RespBody {
    let (tx, rx) = tokio::sync::mpsc::channel::<io::Result<Frame<Bytes>>>(4);
    tokio::task::spawn_blocking(move || {
        let mut r = r.take(n);
        let mut sent = 0u64;
        loop {
            let mut buf = vec![0u8; 64 * 1024];
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(k) => {
                    buf.truncate(k);
                    sent += k as u64;
                    if tx.blocking_send(Ok(Frame::data(Bytes::from(buf)))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
        if sent != n {
            let _ = tx.blocking_send(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "short stored object",
            )));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    StreamBody::new(stream).boxed()
}

/// Builds an error response with the COS XML body.
pub fn error_response(e: &CosError, request_id: &str, resource: &str) -> Response {
    let mut r = Response::new(e.status).xml(e.to_xml(request_id, resource));
    r.error_code = Some(e.code.to_string());
    r
}

/// A COS request: the request model, authentication, then the operation.
fn handle_cos(
    st: &State,
    head: &RequestHead,
    peer: IpAddr,
    body: &mut BodyReader,
    request_id: &str,
) -> (Response, String) {
    match build_ctx(st, head, peer, request_id) {
        Ok(mut ctx) => {
            let what = format!("{}/{}", ctx.bucket.as_deref().unwrap_or("-"), ctx.key);
            let r = if head.method == "OPTIONS" {
                preflight(st, &ctx)
            } else {
                match authenticate(st, &mut ctx) {
                    Ok(()) => crate::router::dispatch(st, &ctx, body),
                    Err(e) => Err(e),
                }
            };
            let resp = r.unwrap_or_else(|e| {
                let res = format!("{}/{}", ctx.bucket.as_deref().unwrap_or(""), ctx.key);
                error_response(&e, request_id, &res)
            });
            (resp, what)
        }
        Err(e) => (error_response(&e, request_id, ""), "-".to_string()),
    }
}

fn handle_sync(
    st: &State,
    head: &RequestHead,
    peer: IpAddr,
    body: &mut BodyReader,
) -> (Response, String) {
    let request_id = util::random_hex(16);
    let origin = head.header("origin").map(str::to_string);
    let (mut resp, what) = if is_sts_request(head) {
        (serve_sts(st, head, body, &request_id), "sts".to_string())
    } else {
        handle_cos(st, head, peer, body, &request_id)
    };
    resp.set("x-cos-request-id", request_id.clone());
    resp.set("Date", http_date(st.now()));
    resp.set("Server", "tencent-cos");
    if let Some(o) = origin {
        if head.method != "OPTIONS"
            && origin_allowed(st, &o)
            && !resp.has("access-control-allow-origin")
        {
            resp.set("Access-Control-Allow-Origin", o);
            resp.set("Access-Control-Expose-Headers", expose_headers(st));
            resp.set("Vary", "Origin");
        }
    }
    (resp, what)
}
