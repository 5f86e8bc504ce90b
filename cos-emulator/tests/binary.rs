//! The binary prints exactly one ready line, logs requests without secrets, and exits cleanly
//! on stdin close and on SIGTERM.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

fn spawn(dir: &std::path::Path) -> (std::process::Child, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cos-emulator"))
        .args(["--port", "0", "--data-dir"])
        .arg(dir)
        .args([
            "--credentials",
            &format!("{AK}:{SK}"),
            "--cors-origin",
            "*",
            "--exit-on-stdin-close",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let port = ready_port(&mut child);
    (child, port)
}

/// The port of the one ready line a started emulator prints.
fn ready_port(child: &mut std::process::Child) -> u16 {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix("cos-emulator listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("bad ready line {line:?}"))
        .parse()
        .unwrap()
}

#[test]
fn stdin_close_and_log_lines() {
    let dir = temp_dir("bin");
    let (mut child, port) = spawn(&dir);
    let k = cos_emulator::util::random_bytes(32);
    assert_eq!(put(port, "x.txt", &ssec_headers(&k), b"hi").status, 200);
    assert_eq!(get(port, "x.txt", &[]).status, 400);
    drop(child.stdin.take()); // close stdin
    let status = child.wait().unwrap();
    assert!(status.success());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        err.contains("PUT examplebucket-1250000000/x.txt 200"),
        "{err}"
    );
    assert!(err.contains("SsecDecryptHeaderInvalid"), "{err}");
    assert!(
        !err.contains(SK)
            && !err.contains("q-signature")
            && !err.contains(&cos_emulator::util::b64(&k))
    );
}

#[test]
fn sigterm_exits_cleanly() {
    let dir = temp_dir("bin-term");
    let (mut child, _port) = spawn(&dir);
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    assert!(child.wait().unwrap().success());
}

/// CPU seconds (user + system) the process has used so far.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap();
    ticks / 100.0
}

/// Issue 26: with every descriptor in use, `accept` fails with EMFILE at once and the loop
/// spun at 85% of a core. It backs off now, and serves again once descriptors free up.
#[test]
fn out_of_descriptors_the_accept_loop_backs_off() {
    if !std::path::Path::new("/proc/self/stat").exists() {
        return;
    }
    let dir = temp_dir("emfile");
    // the binary under a 64-descriptor limit (bash's ulimit, then exec)
    let mut child = Command::new("bash")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_cos-emulator"))
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
        .unwrap();
    let port = ready_port(&mut child);
    assert_eq!(put(port, "k", &[], b"v").status, 200);
    // more idle connections than descriptors
    let idle: Vec<_> = (0..100)
        .filter_map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).ok())
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let before = cpu_seconds(child.id());
    std::thread::sleep(std::time::Duration::from_secs(2));
    let used = cpu_seconds(child.id()) - before;
    assert!(
        used < 0.5,
        "{used} CPU seconds in 2 s with no descriptor left"
    );
    drop(idle);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(get(port, "k", &[]).status, 200);
    drop(child.stdin.take());
    child.wait().unwrap();
}
