//! A small, bounded load test of the emulator binary (not part of `cargo test`):
//!
//! ```sh
//! cargo build --release -p cos-emulator --examples
//! cargo run --release -p cos-emulator --example load -- [PAIRS] [CLIENTS] [BIG_COUNT] [BIG_MB]
//! ```
//! Defaults: 5000 PUT+GET pairs of 1 KiB from 64 clients, then 20 objects of 50 MB up and down
//! (the figures of issue 11). Prints requests/s, errors, the server's peak RSS and MB/s.
//! `COS_EMULATOR_BIN=/path/to/cos-emulator` measures another build with the same client.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cos_emulator::auth::canonical;
use cos_emulator::util::{hex_hmac_sha1, hex_sha1, system_now};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

const AK: &str = "AKIDload000000000000000000000000000";
const SK: &str = "load-secret";
const BUCKET: &str = "load-1250000000";

fn auth(method: &str, path: &str, host: &str) -> String {
    let now = system_now();
    let kt = format!("{};{}", now - 60, now + 3600);
    let (hh, hl) = canonical(&[("host".to_string(), host.to_string())]);
    let fs = format!("{}\n{path}\n\n{hh}\n", method.to_lowercase());
    let sts = format!("sha1\n{kt}\n{}\n", hex_sha1(fs.as_bytes()));
    let sig = hex_hmac_sha1(
        hex_hmac_sha1(SK.as_bytes(), kt.as_bytes()).as_bytes(),
        sts.as_bytes(),
    );
    format!("q-sign-algorithm=sha1&q-ak={AK}&q-sign-time={kt}&q-key-time={kt}&q-header-list={hl}&q-url-param-list=&q-signature={sig}")
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let arg = |i: usize, d: u64| args.get(i).copied().unwrap_or(d);
    let (pairs, clients, big_count, big_mb) = (arg(0, 5000), arg(1, 64), arg(2, 20), arg(3, 50));
    // COS_EMULATOR_BIN compares another build; default: the binary next to this example
    let exe = std::env::current_exe().unwrap();
    let bin = std::env::var_os("COS_EMULATOR_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| exe.parent().unwrap().parent().unwrap().join("cos-emulator"));
    let dir = std::env::temp_dir().join(format!("cos-emu-load-{}", std::process::id()));
    let mut child = Command::new(&bin)
        .args([
            "--port",
            "0",
            "--quiet",
            "--exit-on-stdin-close",
            "--data-dir",
        ])
        .arg(&dir)
        .args(["--credentials", &format!("{AK}:{SK}")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (cargo build --release -p cos-emulator)",
                bin.display()
            )
        });
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    let host = format!("127.0.0.1:{port}");
    let agent = ureq::AgentBuilder::new()
        .max_idle_connections_per_host(128)
        .build();

    // small objects: PUT then GET, `clients` threads
    let errors = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let t = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (agent, host, errors, next) =
                (agent.clone(), host.clone(), errors.clone(), next.clone());
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed) as u64;
                if i >= pairs {
                    return;
                }
                let path = format!("/{BUCKET}/small/{i}");
                let url = format!("http://{host}{path}");
                let body = vec![(i % 251) as u8; 1024];
                let ok = agent
                    .put(&url)
                    .set("Authorization", &auth("PUT", &path, &host))
                    .send_bytes(&body)
                    .is_ok()
                    && agent
                        .get(&url)
                        .set("Authorization", &auth("GET", &path, &host))
                        .call()
                        .ok()
                        .map(|r| {
                            let mut v = Vec::new();
                            r.into_reader().read_to_end(&mut v).is_ok() && v == body
                        })
                        .unwrap_or(false);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for th in threads {
        th.join().unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "small: {pairs} PUT+GET pairs, {clients} clients: {:.0} req/s, {} errors, {:.2} s",
        2.0 * pairs as f64 / secs,
        errors.load(Ordering::Relaxed),
        secs
    );
    println!(
        "server peak RSS after small: {} MB",
        rss_kb(child.id()) / 1024
    );

    // large objects, one at a time
    let big: Vec<u8> = (0..big_mb * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let (mut up, mut down) = (0f64, 0f64);
    for i in 0..big_count {
        let path = format!("/{BUCKET}/big/{i}");
        let url = format!("http://{host}{path}");
        let t = Instant::now();
        agent
            .put(&url)
            .set("Authorization", &auth("PUT", &path, &host))
            .send_bytes(&big)
            .expect("big PUT");
        up += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut v = Vec::with_capacity(big.len());
        agent
            .get(&url)
            .set("Authorization", &auth("GET", &path, &host))
            .call()
            .expect("big GET")
            .into_reader()
            .read_to_end(&mut v)
            .unwrap();
        down += t.elapsed().as_secs_f64();
        assert_eq!(v.len(), big.len());
    }
    let mb = (big_count * big_mb) as f64;
    println!(
        "large: {big_count} x {big_mb} MB: {:.0} MB/s up, {:.0} MB/s down",
        mb / up,
        mb / down
    );
    println!("server peak RSS: {} MB", rss_kb(child.id()) / 1024);
    drop(child.stdin.take());
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
