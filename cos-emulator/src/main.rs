//! `cos-emulator` command line.

use cos_emulator::sts::{Policy, Role};
use cos_emulator::{serve, Config, Credential};
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const USAGE: &str = "\
cos-emulator: a strict local Tencent COS emulator

USAGE:
  cos-emulator [OPTIONS]

OPTIONS:
  --port N                    port on 127.0.0.1 (0 = any free port; default 0)
  --data-dir DIR              data directory (default .cos-emulator)
  --credentials ID:KEY[:TOKEN]
                              accepted SecretId/SecretKey (TOKEN = temporary credentials,
                              requests must carry x-cos-security-token); repeatable
  --cors-origin ORIGIN        allowed CORS origin, `*` for any; repeatable
  --cors-expose-headers LIST  Access-Control-Expose-Headers to send instead of the default
                              (e.g. without ETag, as a misconfigured bucket)
  --config FILE.json          JSON config (flags given on the command line are added on top)
  --now UNIX                  fixed clock for signature / policy time checks
  --clock-offset SECS         add SECS to the system clock (simulate skew)
  --max-skew SECS             how far in the future a q-key-time start may be (default 900)
  --rotate-master-key         create a new SSE-COS master key and use it for new objects
  --master-key ID:BASE64      add an SSE-COS master key (32 bytes) and make it current; repeatable
  --kms-key ID[:disabled]     create a local KMS key (CMK) with this id; repeatable
  --no-min-part-size          do not enforce the 1 MB minimum multipart part size
  --lenient-post-fields       accept POST form fields the policy does not constrain
  --strict-sign BUCKET        strict signing mode for BUCKET (`*` = every bucket): a signed
                              PUT/POST whose Content-Type or Content-Length is sent but not
                              signed is refused (403 SignatureDoesNotMatch); repeatable
  --role ARN=POLICY.json      a role STS AssumeRole may assume, with its CAM policy; repeatable
  --region REGION             region of CAM resources when the Host names none (default ap-guangzhou)
  --exit-on-stdin-close       exit when stdin reaches EOF (for test harnesses)
  --quiet                     no per-request log lines
  -h, --help                  this help
";

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    SIGNALLED.store(true, Ordering::SeqCst);
}

fn install_signal_handlers() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, handler);
        libc::signal(libc::SIGINT, handler);
    }
}

fn die(msg: &str) -> ! {
    eprintln!("cos-emulator: {msg}");
    std::process::exit(2)
}

fn parse_cred(s: &str) -> Credential {
    let mut it = s.splitn(3, ':');
    let (Some(id), Some(key)) = (it.next(), it.next()) else {
        die("--credentials expects ID:KEY[:TOKEN]")
    };
    if id.is_empty() || key.is_empty() {
        die("--credentials expects ID:KEY[:TOKEN]");
    }
    Credential {
        secret_id: id.to_string(),
        secret_key: key.to_string(),
        token: it.next().map(str::to_string),
    }
}

/// A role from `ARN=POLICY.json` (the ARN holds `:` but no `=`).
fn parse_role(s: &str) -> Role {
    let (arn, file) = s
        .split_once('=')
        .unwrap_or_else(|| die("--role expects ARN=POLICY.json"));
    let policy = std::fs::read_to_string(file)
        .unwrap_or_else(|e| die(&format!("cannot read role policy {file}: {e}")));
    role(arn, policy)
}

/// A role whose policy the STS module accepts (refused at start-up, not at AssumeRole).
fn role(arn: &str, policy: String) -> Role {
    if arn.is_empty() {
        die("a role needs an ARN");
    }
    if let Err(e) = Policy::parse(&policy) {
        die(&format!("role {arn}: {e}"));
    }
    Role {
        arn: arn.to_string(),
        policy,
    }
}

/// The STS part of the JSON config: `region`, `roles: [{"arn", "policy": {…} | "…"}]`.
fn load_sts_config(v: &serde_json::Value, cfg: &mut Config) {
    if let Some(r) = v.get("region").and_then(|x| x.as_str()) {
        cfg.region = r.to_string();
    }
    for r in v
        .get("roles")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        let arn = r.get("arn").and_then(|x| x.as_str());
        let policy = match r.get("policy") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(p @ serde_json::Value::Object(_)) => Some(p.to_string()),
            _ => None,
        };
        match (arn, policy) {
            (Some(arn), Some(policy)) => cfg.roles.push(role(arn, policy)),
            _ => die("config roles entries need arn and policy (object or JSON text)"),
        }
    }
}

fn load_config_file(path: &str, cfg: &mut Config) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| die(&format!("cannot read config {path}: {e}")));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        die(&format!(
            "config {path} is not valid JSON ({e}); only JSON config files are supported"
        ))
    });
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    if let Some(p) = v.get("port").and_then(|x| x.as_u64()) {
        cfg.port = u16::try_from(p).unwrap_or_else(|_| die("bad port"));
    }
    if let Some(d) = s("data_dir") {
        cfg.data_dir = PathBuf::from(d);
    }
    for c in v
        .get("credentials")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        let g = |k: &str| c.get(k).and_then(|x| x.as_str()).map(str::to_string);
        match (g("secret_id"), g("secret_key")) {
            (Some(id), Some(key)) => cfg.credentials.push(Credential {
                secret_id: id,
                secret_key: key,
                token: g("token"),
            }),
            _ => die("config credentials need secret_id and secret_key"),
        }
    }
    for o in v
        .get("cors_origins")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(o) = o.as_str() {
            cfg.cors_origins.push(o.to_string());
        }
    }
    if let Some(e) = s("cors_expose_headers") {
        cfg.cors_expose_headers = Some(e);
    }
    for k in v
        .get("master_keys")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        let id = k.get("id").and_then(|x| x.as_str());
        let key = k
            .get("key")
            .and_then(|x| x.as_str())
            .and_then(cos_emulator::util::unb64);
        match (id, key) {
            (Some(id), Some(key)) if key.len() == 32 => cfg.master_keys.push((id.to_string(), key)),
            _ => die("config master_keys entries need id and key (base64 of 32 bytes)"),
        }
    }
    for k in v
        .get("kms_keys")
        .and_then(|x| x.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(k) = k.as_str() {
            cfg.kms_keys.push(k.to_string());
        }
    }
    if let Some(n) = v.get("max_future_skew").and_then(|x| x.as_i64()) {
        cfg.max_future_skew = n;
    }
    if let Some(b) = v.get("rotate_master_key").and_then(|x| x.as_bool()) {
        cfg.rotate_master_key = b;
    }
    if let Some(b) = v.get("enforce_min_part_size").and_then(|x| x.as_bool()) {
        cfg.enforce_min_part_size = b;
    }
    if let Some(list) = v.get("strict_sign").and_then(|x| x.as_array()) {
        cfg.strict_sign
            .extend(list.iter().filter_map(|b| b.as_str().map(str::to_string)));
    }
    if let Some(b) = v.get("lenient_post_fields").and_then(|x| x.as_bool()) {
        cfg.lenient_post_fields = b;
    }
    load_sts_config(&v, cfg);
}

fn main() {
    let mut cfg = Config::default();
    let mut exit_on_stdin_close = false;
    let args: Vec<String> = std::env::args().skip(1).collect();
    // config file first so flags add on top
    if let Some(i) = args.iter().position(|a| a == "--config") {
        let path = args
            .get(i + 1)
            .unwrap_or_else(|| die("--config needs a file"));
        load_config_file(path, &mut cfg);
    }
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .unwrap_or_else(|| die(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--port" => cfg.port = val().parse().unwrap_or_else(|_| die("bad --port")),
            "--data-dir" => cfg.data_dir = PathBuf::from(val()),
            "--credentials" => cfg.credentials.push(parse_cred(&val())),
            "--cors-origin" => cfg.cors_origins.push(val()),
            "--cors-expose-headers" => cfg.cors_expose_headers = Some(val()),
            "--config" => {
                val();
            }
            "--now" => cfg.now = Some(val().parse().unwrap_or_else(|_| die("bad --now"))),
            "--clock-offset" => {
                cfg.clock_offset = val().parse().unwrap_or_else(|_| die("bad --clock-offset"))
            }
            "--max-skew" => {
                cfg.max_future_skew = val().parse().unwrap_or_else(|_| die("bad --max-skew"))
            }
            "--rotate-master-key" => cfg.rotate_master_key = true,
            "--master-key" => {
                let v = val();
                let (id, k) = v
                    .split_once(':')
                    .unwrap_or_else(|| die("--master-key expects ID:BASE64"));
                let key = cos_emulator::util::unb64(k)
                    .filter(|k| k.len() == 32)
                    .unwrap_or_else(|| die("--master-key needs base64 of 32 bytes"));
                cfg.master_keys.push((id.to_string(), key));
            }
            "--kms-key" => cfg.kms_keys.push(val()),
            "--no-min-part-size" => cfg.enforce_min_part_size = false,
            "--lenient-post-fields" => cfg.lenient_post_fields = true,
            "--strict-sign" => cfg.strict_sign.push(val()),
            "--role" => cfg.roles.push(parse_role(&val())),
            "--region" => cfg.region = val(),
            "--exit-on-stdin-close" => exit_on_stdin_close = true,
            "--quiet" => cfg.log = false,
            "-h" | "--help" => {
                print!("{USAGE}");
                return;
            }
            other => die(&format!("unknown argument {other}\n\n{USAGE}")),
        }
    }
    if cfg.credentials.is_empty() {
        die("at least one --credentials ID:KEY is required");
    }
    install_signal_handlers();
    let handle = serve(cfg).unwrap_or_else(|e| die(&format!("cannot start: {e}")));
    println!("cos-emulator listening on {}", handle.url());
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if exit_on_stdin_close {
        std::thread::spawn(|| {
            let mut buf = [0u8; 1024];
            let mut stdin = std::io::stdin();
            loop {
                match stdin.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            SIGNALLED.store(true, Ordering::SeqCst);
        });
    }
    while !SIGNALLED.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("cos-emulator: shutting down");
    handle.shutdown();
}
