//! Test helpers: an in-process emulator, a raw HTTP/1.1 client and a q-sign signer.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cos_emulator::util::{hex_hmac_sha1, hex_sha1, url_encode};
use cos_emulator::{serve, Config, Credential, ServerHandle};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;

pub const AK: &str = "AKIDtest00000000000000000000000000000";
pub const SK: &str = "test-secret-key-0123456789abcdefgh";
pub const TMP_AK: &str = "AKIDtemp00000000000000000000000000000";
pub const TMP_SK: &str = "temp-secret-key";
pub const TOKEN: &str = "temp-session-token-xyz";
pub const BUCKET: &str = "examplebucket-1250000000";
pub const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "cos-emu-test-{tag}-{}",
        cos_emulator::util::random_hex(6)
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub fn config(dir: &std::path::Path) -> Config {
    Config {
        port: 0,
        data_dir: dir.to_path_buf(),
        credentials: vec![
            Credential {
                secret_id: AK.into(),
                secret_key: SK.into(),
                token: None,
            },
            Credential {
                secret_id: TMP_AK.into(),
                secret_key: TMP_SK.into(),
                token: Some(TOKEN.into()),
            },
        ],
        cors_origins: vec!["http://127.0.0.1:8080".into()],
        kms_keys: vec!["test-cmk".into(), "off-cmk:disabled".into()],
        log: false,
        enforce_min_part_size: true,
        ..Config::default()
    }
}

pub struct Emu {
    pub handle: ServerHandle,
    pub dir: PathBuf,
}

pub fn start(tag: &str) -> Emu {
    let dir = temp_dir(tag);
    let handle = serve(config(&dir)).unwrap();
    Emu { handle, dir }
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn h(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn code(&self) -> String {
        let t = self.text();
        t.split("<Code>")
            .nth(1)
            .and_then(|r| r.split("</Code>").next())
            .unwrap_or("")
            .to_string()
    }
}

/// Sends one raw request (`target` is the request-target as sent, e.g. `/key?x=1`).
pub fn raw(port: u16, method: &str, target: &str, headers: &[(&str, String)], body: &[u8]) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\n");
    let mut has_len = false;
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("content-length") {
            has_len = true;
        }
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_len && (!body.is_empty() || matches!(method, "PUT" | "POST")) {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("Connection: close\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    parse_response(&buf, method == "HEAD")
}

/// Sends one raw request with a chunked body (no Content-Length), in 4 KiB chunks.
pub fn raw_chunked(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    let mut out = req.into_bytes();
    for c in body.chunks(4096) {
        out.extend(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend(c);
        out.extend(b"\r\n");
    }
    out.extend(b"0\r\n\r\n");
    // the server may answer and close before reading everything
    let _ = s.write_all(&out);
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_response(&buf, method == "HEAD")
}

pub fn parse_response(buf: &[u8], head: bool) -> Resp {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head_txt = String::from_utf8_lossy(&buf[..end]).to_string();
    let mut lines = head_txt.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = if head {
        Vec::new()
    } else {
        buf[end + 4..].to_vec()
    };
    Resp {
        status,
        headers,
        body,
    }
}

pub fn now() -> i64 {
    cos_emulator::util::system_now()
}

/// Computes the Authorization value for signing all given headers and query params.
pub fn authorization(
    ak: &str,
    sk: &str,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, String)],
    key_time: &str,
) -> String {
    let q: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let h: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let (hp, pl) = cos_emulator::auth::canonical(&q);
    let (hh, hl) = cos_emulator::auth::canonical(&h);
    let fs = format!("{}\n{}\n{}\n{}\n", method.to_lowercase(), path, hp, hh);
    let sts = format!("sha1\n{key_time}\n{}\n", hex_sha1(fs.as_bytes()));
    let skey = hex_hmac_sha1(sk.as_bytes(), key_time.as_bytes());
    let sig = hex_hmac_sha1(skey.as_bytes(), sts.as_bytes());
    format!("q-sign-algorithm=sha1&q-ak={ak}&q-sign-time={key_time}&q-key-time={key_time}&q-header-list={hl}&q-url-param-list={pl}&q-signature={sig}")
}

/// A q-key-time around now, on whole minutes: two calls in one test (a POST policy and its
/// fields) agree unless a minute boundary falls between them (they used to differ whenever a
/// second did, a flake under load).
pub fn key_time() -> String {
    let n = now() / 60 * 60;
    format!("{};{}", n - 60, n + 3600)
}

/// Encodes a key for the request path (keeps `/`).
pub fn enc_key(key: &str) -> String {
    url_encode(key).replace("%2F", "/")
}

pub fn query_string(query: &[(&str, &str)]) -> String {
    query
        .iter()
        .map(|(k, v)| {
            if v.is_empty() {
                url_encode(k)
            } else {
                format!("{}={}", url_encode(k), url_encode(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A signed virtual-hosted request (Host = the COS bucket domain). Signs host, every extra header
/// and every query parameter.
pub fn signed(
    port: u16,
    method: &str,
    key: &str,
    query: &[(&str, &str)],
    extra: &[(&str, String)],
    body: &[u8],
) -> Resp {
    let mut headers: Vec<(&str, String)> = vec![("Host", HOST.to_string())];
    headers.extend(extra.iter().cloned());
    let path = format!("/{key}");
    let auth = authorization(AK, SK, method, &path, query, &headers, &key_time());
    headers.push(("Authorization", auth));
    let qs = query_string(query);
    let target = if qs.is_empty() {
        format!("/{}", enc_key(key))
    } else {
        format!("/{}?{}", enc_key(key), qs)
    };
    raw(port, method, &target, &headers, body)
}

pub fn put(port: u16, key: &str, extra: &[(&str, String)], body: &[u8]) -> Resp {
    signed(port, "PUT", key, &[], extra, body)
}

pub fn get(port: u16, key: &str, extra: &[(&str, String)]) -> Resp {
    signed(port, "GET", key, &[], extra, b"")
}

pub fn ssec_headers(key: &[u8]) -> Vec<(&'static str, String)> {
    use cos_emulator::util::{b64, md5};
    vec![
        (
            "x-cos-server-side-encryption-customer-algorithm",
            if key.len() == 16 { "SM4" } else { "AES256" }.to_string(),
        ),
        ("x-cos-server-side-encryption-customer-key", b64(key)),
        (
            "x-cos-server-side-encryption-customer-key-MD5",
            b64(&md5(key)),
        ),
    ]
}

/// Walks the data dir and returns true if `needle` occurs in any file.
pub fn data_dir_contains(dir: &std::path::Path, needle: &[u8]) -> bool {
    fn walk(d: &std::path::Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.iter().any(|f| {
        std::fs::read(f)
            .map(|b| b.windows(needle.len()).any(|w| w == needle))
            .unwrap_or(false)
    })
}

/// A multipart/form-data body: the fields, then `file`.
pub fn post_form(fields: &[(&str, String)], filename: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----cosemuboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The signature fields of a POST policy signed with AK/SK.
pub fn policy_fields(policy: &str, kt: &str) -> Vec<(&'static str, String)> {
    let skey = cos_emulator::util::hex_hmac_sha1(SK.as_bytes(), kt.as_bytes());
    let sig = cos_emulator::util::hex_hmac_sha1(
        skey.as_bytes(),
        cos_emulator::util::hex_sha1(policy.as_bytes()).as_bytes(),
    );
    vec![
        ("policy", cos_emulator::util::b64(policy.as_bytes())),
        ("q-sign-algorithm", "sha1".into()),
        ("q-ak", AK.into()),
        ("q-key-time", kt.into()),
        ("q-signature", sig),
    ]
}

/// The `<UploadId>` of an InitiateMultipartUpload answer.
pub fn upload_id(r: &Resp) -> String {
    r.text()
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| panic!("no UploadId in {}", r.text()))
        .to_string()
}
