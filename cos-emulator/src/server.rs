//! Listener, connection loop, request context, authentication and CORS.

use crate::auth::{self, Credential, SigParams, SignedRequest};
use crate::error::{bad_request, forbidden, internal, CosError, CosResult};
use crate::http::{self, BodyReader, HeadResult, RequestHead, Response};
use crate::keys::KeyStore;
use crate::store::Store;
use crate::util::{self, http_date, parse_query, url_decode};
use std::io::{self, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// Emulator configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1 (0 = pick a free one).
    pub port: u16,
    /// Data directory.
    pub data_dir: PathBuf,
    /// Accepted credentials.
    pub credentials: Vec<Credential>,
    /// Allowed CORS origins (`*` = any).
    pub cors_origins: Vec<String>,
    /// Fixed clock (unix seconds) for signature checks; None = system clock.
    pub now: Option<i64>,
    /// Offset added to the system clock (seconds), to simulate skew.
    pub clock_offset: i64,
    /// How far in the future a KeyTime start may lie (seconds).
    pub max_future_skew: i64,
    /// Create a new SSE-COS master key at start-up.
    pub rotate_master_key: bool,
    /// Extra master keys (id, 32-byte key); the last one becomes current.
    pub master_keys: Vec<(String, Vec<u8>)>,
    /// KMS key ids to create (`id` or `id:disabled`).
    pub kms_keys: Vec<String>,
    /// Log one line per request to stderr.
    pub log: bool,
    /// Enforce the 1 MB minimum part size (COS does).
    pub enforce_min_part_size: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            data_dir: PathBuf::from(".cos-emulator"),
            credentials: Vec::new(),
            cors_origins: Vec::new(),
            now: None,
            clock_offset: 0,
            max_future_skew: 900,
            rotate_master_key: false,
            master_keys: Vec::new(),
            kms_keys: Vec::new(),
            log: true,
            enforce_min_part_size: true,
        }
    }
}

/// Shared server state.
pub struct State {
    /// Configuration.
    pub cfg: Config,
    /// Object store.
    pub store: Store,
    /// Keys.
    pub keys: KeyStore,
    now_override: AtomicI64,
}

const NO_OVERRIDE: i64 = i64::MIN;

impl State {
    /// Current time for signature checks.
    pub fn now(&self) -> i64 {
        let o = self.now_override.load(Ordering::Relaxed);
        if o != NO_OVERRIDE {
            return o;
        }
        self.cfg.now.unwrap_or_else(util::system_now) + self.cfg.clock_offset
    }
}

/// A running server.
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
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
    /// Stops accepting connections and waits for the accept loop.
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
        let addr = self.addr;
        move || {
            stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(addr);
        }
    }
    fn stop_inner(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
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
    let listener = TcpListener::bind(("127.0.0.1", cfg.port))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(State {
        cfg,
        store,
        keys,
        now_override: AtomicI64::new(NO_OVERRIDE),
    });
    let stop = Arc::new(AtomicBool::new(false));
    let (st, stp) = (state.clone(), stop.clone());
    let thread = std::thread::Builder::new()
        .name("cos-emulator-accept".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = st.clone();
                let _ = std::thread::Builder::new()
                    .name("cos-emulator-conn".into())
                    .spawn(move || connection(st, conn));
            }
        })?;
    Ok(ServerHandle {
        addr,
        stop,
        thread: Some(thread),
        state,
    })
}

fn connection(st: Arc<State>, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(120)));
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(65536, stream);
    loop {
        let head = match http::read_head(&mut reader) {
            Ok(HeadResult::Head(h)) => h,
            Ok(HeadResult::Eof) | Err(_) => return,
            Ok(HeadResult::Bad(msg)) => {
                let e = bad_request("InvalidRequest", msg);
                let resp = error_response(&e, &util::random_hex(12), "");
                let _ = http::write_response(&mut writer, resp, false, false);
                return;
            }
        };
        let started = Instant::now();
        let mut body = match http::body_reader(&head, &mut reader) {
            Ok(b) => b,
            Err(msg) => {
                let e = bad_request("InvalidArgument", msg);
                let resp = error_response(&e, &util::random_hex(12), "");
                let _ = http::write_response(&mut writer, resp, false, false);
                return;
            }
        };
        let (resp, what) = handle(&st, &head, &mut body);
        let reusable = body.drain();
        let keep_alive = reusable
            && !head.http10
            && !head
                .header("connection")
                .map(|c| c.eq_ignore_ascii_case("close"))
                .unwrap_or(false);
        if st.cfg.log {
            eprintln!(
                "cos-emulator: {} {} {} {} {}ms",
                head.method,
                what,
                resp.status,
                resp.error_code.as_deref().unwrap_or("-"),
                started.elapsed().as_millis()
            );
        }
        let head_only = head.method == "HEAD";
        if http::write_response(&mut writer, resp, head_only, keep_alive).is_err() || !keep_alive {
            return;
        }
    }
}

/// Builds an error response with the COS XML body.
pub fn error_response(e: &CosError, request_id: &str, resource: &str) -> Response {
    let mut r = Response::new(e.status).xml(e.to_xml(request_id, resource));
    r.error_code = Some(e.code.to_string());
    r
}

/// How the request was authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No signature.
    Anonymous,
    /// Authorization header.
    Header(String),
    /// Pre-signed URL.
    Presigned(String),
}

/// Per-request context.
pub struct Ctx<'a> {
    /// Request head.
    pub head: &'a RequestHead,
    /// Headers with lowercase names, duplicates joined with ",".
    pub headers: Vec<(String, String)>,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Target bucket.
    pub bucket: Option<String>,
    /// Object key ("" for bucket-level calls).
    pub key: String,
    /// Decoded UriPathname that must have been signed.
    pub signed_path: String,
    /// Authentication result.
    pub auth: Auth,
    /// Request id.
    pub request_id: String,
    /// Host the client used (for Location headers).
    pub host: String,
}

impl Ctx<'_> {
    /// Header by lowercase name.
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Query value by exact name.
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Query param present?
    pub fn has_q(&self, name: &str) -> bool {
        self.q(name).is_some()
    }
    /// Authenticated (any signature)?
    pub fn signed(&self) -> bool {
        self.auth != Auth::Anonymous
    }
}

const EXPOSE: &str = "ETag, Content-Length, Content-Range, Date, Location, x-cos-request-id, x-cos-hash-crc64ecma, x-cos-version-id, x-cos-server-side-encryption, x-cos-server-side-encryption-customer-algorithm, x-cos-server-side-encryption-customer-key-MD5, x-cos-server-side-encryption-cos-kms-key-id, x-cos-server-side-encryption-context, x-cos-storage-class, x-cos-object-type, x-cos-next-append-position";

fn origin_allowed(st: &State, origin: &str) -> bool {
    st.cfg
        .cors_origins
        .iter()
        .any(|o| o == "*" || o.eq_ignore_ascii_case(origin.trim_end_matches('/')))
}

fn bucket_from_host(host: &str) -> Option<String> {
    let host = host.to_ascii_lowercase();
    let name = host.rsplit_once(':').map(|(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h.to_string()
        } else {
            host.clone()
        }
    });
    let host = name.unwrap_or(host);
    if let Some(b) = host.strip_suffix(".localhost") {
        return Some(b.to_string());
    }
    for suffix in [".myqcloud.com", ".tencentcos.cn"] {
        if let Some(rest) = host.strip_suffix(suffix) {
            // <bucket>.cos.<region> | <bucket>.cos-internal.<region> | <bucket>.<legacy region>
            let parts: Vec<&str> = rest.split('.').collect();
            if parts.len() >= 3 && parts[1].starts_with("cos") {
                return Some(parts[0].to_string());
            }
            if parts.len() == 2 && !parts[0].starts_with("cos") && parts[0] != "service" {
                return Some(parts[0].to_string());
            }
            return None;
        }
    }
    None
}

fn is_cos_service_host(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    let h = h.split(':').next().unwrap_or("");
    h.ends_with(".myqcloud.com") || h.ends_with(".tencentcos.cn")
}

fn valid_bucket(b: &str) -> bool {
    match b.rsplit_once('-') {
        Some((name, appid)) => {
            !name.is_empty()
                && !appid.is_empty()
                && appid.bytes().all(|c| c.is_ascii_digit())
                && name
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-')
                && b.len() <= 60
        }
        None => false,
    }
}

fn handle(st: &State, head: &RequestHead, body: &mut BodyReader<'_>) -> (Response, String) {
    let request_id = util::random_hex(16);
    let origin = head.header("origin").map(str::to_string);
    let (mut resp, what) = match build_ctx(st, head, &request_id) {
        Ok(mut ctx) => {
            let what = format!("{}/{}", ctx.bucket.as_deref().unwrap_or("-"), ctx.key);
            let r = if head.method == "OPTIONS" {
                preflight(st, &ctx)
            } else {
                match authenticate(st, &mut ctx) {
                    Ok(()) => crate::ops::dispatch(st, &ctx, body),
                    Err(e) => Err(e),
                }
            };
            let resp = r.unwrap_or_else(|e| {
                let res = format!("{}/{}", ctx.bucket.as_deref().unwrap_or(""), ctx.key);
                error_response(&e, &request_id, &res)
            });
            (resp, what)
        }
        Err(e) => (error_response(&e, &request_id, ""), "-".to_string()),
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
            resp.set("Access-Control-Expose-Headers", EXPOSE);
            resp.set("Vary", "Origin");
        }
    }
    (resp, what)
}

fn build_ctx<'a>(st: &State, head: &'a RequestHead, request_id: &str) -> CosResult<Ctx<'a>> {
    let _ = st;
    let mut headers: Vec<(String, String)> = Vec::new();
    for (k, v) in &head.headers {
        let lk = k.to_ascii_lowercase();
        if let Some(e) = headers.iter_mut().find(|(n, _)| *n == lk) {
            e.1.push(',');
            e.1.push_str(v);
        } else {
            headers.push((lk, v.clone()));
        }
    }
    // absolute-form: the target's authority is the Host
    if let Some(abs) = &head.absolute_host {
        if let Some(e) = headers.iter_mut().find(|(n, _)| n == "host") {
            e.1 = abs.clone();
        } else {
            headers.push(("host".into(), abs.clone()));
        }
    }
    let query = parse_query(&head.raw_query)
        .ok_or_else(|| bad_request("InvalidURI", "Couldn't parse the specified URI"))?;
    let path = url_decode(&head.raw_path)
        .ok_or_else(|| bad_request("InvalidURI", "Couldn't parse the specified URI"))?;
    if !path.starts_with('/') {
        return Err(bad_request(
            "InvalidURI",
            "Couldn't parse the specified URI",
        ));
    }
    let host = head.host().unwrap_or("").to_string();
    let (bucket, key) = if let Some(b) = bucket_from_host(&host) {
        (Some(b), path[1..].to_string())
    } else {
        let rest = &path[1..];
        if rest.is_empty() {
            (None, String::new())
        } else {
            if is_cos_service_host(&host) {
                return Err(forbidden(
                    "PathStyleDomainForbidden",
                    "Path-style requests are forbidden for this bucket; use virtual-hosted style",
                ));
            }
            match rest.split_once('/') {
                Some((b, k)) => (Some(b.to_string()), k.to_string()),
                None => (Some(rest.to_string()), String::new()),
            }
        }
    };
    if let Some(b) = &bucket {
        if !valid_bucket(b) {
            return Err(bad_request(
                "InvalidBucketName",
                "The specified bucket is not valid (expected <name>-<APPID>)",
            ));
        }
    }
    if key.len() > 850 {
        return Err(bad_request(
            "KeyTooLong",
            "Your key is too long (max 850 bytes)",
        ));
    }
    Ok(Ctx {
        head,
        headers,
        query,
        bucket,
        key,
        signed_path: path,
        auth: Auth::Anonymous,
        request_id: request_id.to_string(),
        host,
    })
}

fn authenticate(st: &State, ctx: &mut Ctx<'_>) -> CosResult<()> {
    let now = st.now();
    let authz = ctx.h("authorization").map(str::to_string);
    let (params, presigned): (SigParams, bool) = match authz {
        Some(a) if !a.trim().is_empty() => (auth::parse_authorization(&a)?, false),
        _ => {
            if ctx.has_q("q-signature") || ctx.has_q("q-ak") || ctx.has_q("q-sign-algorithm") {
                (auth::from_pairs(&ctx.query)?, true)
            } else if let Some(s) = ctx.q("sign") {
                (auth::parse_merged_sign(s)?, true)
            } else {
                ctx.auth = Auth::Anonymous;
                return Ok(());
            }
        }
    };
    let req = SignedRequest {
        method: &ctx.head.method,
        path: &ctx.signed_path,
        query: &ctx.query,
        headers: &ctx.headers,
    };
    let cred = auth::verify(
        &req,
        &params,
        &st.cfg.credentials,
        Some(now),
        st.cfg.max_future_skew,
    )?;
    auth::check_token(
        cred,
        ctx.h("x-cos-security-token"),
        ctx.q("x-cos-security-token"),
    )?;
    ctx.auth = if presigned {
        Auth::Presigned(cred.secret_id.clone())
    } else {
        Auth::Header(cred.secret_id.clone())
    };
    Ok(())
}

fn preflight(st: &State, ctx: &Ctx<'_>) -> CosResult<Response> {
    let deny = || {
        forbidden(
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        )
    };
    let origin = ctx.h("origin").ok_or_else(deny)?;
    let method = ctx.h("access-control-request-method").ok_or_else(deny)?;
    if !origin_allowed(st, origin) || !matches!(method, "GET" | "PUT" | "POST" | "DELETE" | "HEAD")
    {
        return Err(deny());
    }
    let mut r = Response::new(200)
        .header("Access-Control-Allow-Origin", origin)
        .header(
            "Access-Control-Allow-Methods",
            "GET, PUT, POST, DELETE, HEAD",
        )
        .header("Access-Control-Expose-Headers", EXPOSE)
        .header("Access-Control-Max-Age", "600")
        .header(
            "Vary",
            "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
        );
    if let Some(h) = ctx.h("access-control-request-headers") {
        r.set("Access-Control-Allow-Headers", h);
    }
    Ok(r)
}

/// The current time for this state (used by ops).
pub fn now(st: &State) -> i64 {
    st.now()
}

/// An internal error from an I/O error.
pub fn io_err(e: io::Error) -> CosError {
    internal(e)
}
