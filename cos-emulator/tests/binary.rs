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
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .strip_prefix("cos-emulator listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("bad ready line {line:?}"))
        .parse()
        .unwrap();
    (child, port)
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
