//! Storage under concurrency and crashes (issue 11): GETs during overwrites never fail, the
//! binary killed at each commit point (`COS_EMULATOR_CRASH_AT`, an abort as abrupt as
//! `kill -9`) restarts into a clean store, and an upload completes at most once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[test]
fn gets_during_overwrites_never_fail() {
    let e = start("overwrite");
    let p = e.handle.port();
    // small versions: many overwrites per second, so reads often race a replacement
    let versions: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 4096]).collect();
    assert_eq!(put(p, "hot", &[], &versions[0]).status, 200);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let (stop, versions) = (stop.clone(), versions.clone());
            std::thread::spawn(move || {
                let mut i = w;
                while !stop.load(Ordering::Relaxed) {
                    let sse = [("x-cos-server-side-encryption", "AES256".to_string())];
                    let extra: &[(&str, String)] = if i % 2 == 0 { &sse } else { &[] };
                    assert_eq!(put(p, "hot", extra, &versions[i % 4]).status, 200);
                    i += 1;
                }
            })
        })
        .collect();
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (stop, versions) = (stop.clone(), versions.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    let g = get(p, "hot", &[]);
                    assert_eq!(g.status, 200, "{}", g.text());
                    assert!(versions.contains(&g.body), "a half-replaced object");
                    n += 1;
                }
                n
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(2000));
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    let reads: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(reads > 50, "only {reads} reads");
}

#[test]
fn upload_completes_at_most_once() {
    let e = start("complete-once");
    let p = e.handle.port();
    let (uid, xml) = one_part_upload(p, "once", b"part one");
    assert_eq!(complete(p, "once", &uid, &xml).status, 200);
    let again = complete(p, "once", &uid, &xml);
    assert_eq!((again.status, again.code().as_str()), (404, "NoSuchUpload"));
    assert_eq!(get(p, "once", &[]).body, b"part one");
}

fn one_part_upload(p: u16, key: &str, data: &[u8]) -> (String, String) {
    let init = signed(p, "POST", key, &[("uploads", "")], &[], b"");
    let uid = upload_id(&init);
    let part = signed(
        p,
        "PUT",
        key,
        &[("partNumber", "1"), ("uploadId", &uid)],
        &[],
        data,
    );
    let xml = format!(
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{}</ETag></Part></CompleteMultipartUpload>",
        part.h("ETag").unwrap_or("")
    );
    (uid, xml)
}

fn complete(p: u16, key: &str, uid: &str, xml: &str) -> Resp {
    signed(p, "POST", key, &[("uploadId", uid)], &[], xml.as_bytes())
}

/// The emulator binary on `dir`, optionally set to abort at a commit point.
fn spawn(dir: &Path, crash_at: Option<&str>) -> (Child, u16) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cos-emulator"));
    cmd.args([
        "--port",
        "0",
        "--quiet",
        "--exit-on-stdin-close",
        "--data-dir",
    ])
    .arg(dir)
    .args(["--credentials", &format!("{AK}:{SK}")])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    cmd.env_remove(cos_emulator::store::CRASH_ENV);
    if let Some(point) = crash_at {
        cmd.env(cos_emulator::store::CRASH_ENV, point);
    }
    let mut child = cmd.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("bad ready line {line:?}"));
    (child, port)
}

fn stop(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

/// Waits for a crashed child and checks it died abnormally.
fn crashed(mut child: Child) {
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            assert!(!st.success(), "expected an abort, got {st:?}");
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "did not crash");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// (data files, sidecars) in the bucket's objects dir.
fn files(dir: &Path) -> (usize, usize) {
    let objects = dir.join("buckets").join(BUCKET).join("objects");
    let names: Vec<String> = std::fs::read_dir(objects)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (
        names.iter().filter(|n| n.ends_with(".data")).count(),
        names.iter().filter(|n| n.ends_with(".json")).count(),
    )
}

fn uploads(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("buckets").join(BUCKET).join("uploads"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn kill_at_each_commit_point_then_recover() {
    // PUT replacing an object: crash after the new data is placed, and after the metadata commit
    for (point, survivor) in [
        ("data-placed", &b"old"[..]),
        ("meta-committed", &b"new"[..]),
    ] {
        let dir = temp_dir(point);
        let (c, p) = spawn(&dir, None);
        assert_eq!(put(p, "k", &[], b"old").status, 200);
        stop(c);
        let (c, p) = spawn(&dir, Some(point));
        let _ = std::panic::catch_unwind(|| put(p, "k", &[], b"new"));
        crashed(c);
        // before recovery there is an orphan data file
        assert_eq!(files(&dir), (2, 1), "{point}: no leftover to recover");
        let (c, p) = spawn(&dir, None);
        assert_eq!(get(p, "k", &[]).body, survivor, "{point}");
        assert_eq!(files(&dir), (1, 1), "{point}: orphan data file left");
        stop(c);
    }
    // Upload Part: crash after the part data is renamed, before its metadata
    let dir = temp_dir("part-placed");
    let (c, p) = spawn(&dir, None);
    let init = signed(p, "POST", "mp", &[("uploads", "")], &[], b"");
    let uid = upload_id(&init);
    stop(c);
    let (c, p) = spawn(&dir, Some("part-placed"));
    let _ = std::panic::catch_unwind(|| {
        signed(
            p,
            "PUT",
            "mp",
            &[("partNumber", "1"), ("uploadId", &uid)],
            &[],
            b"p1",
        )
    });
    crashed(c);
    let updir = dir.join("buckets").join(BUCKET).join("uploads").join(&uid);
    assert!(updir.join("part-1.data").exists());
    let (c, p) = spawn(&dir, None);
    assert!(!updir.join("part-1.data").exists(), "orphan part left");
    let parts = signed(p, "GET", "mp", &[("uploadId", &uid)], &[], b"");
    assert!(!parts.text().contains("<Part>"), "{}", parts.text());
    stop(c);
    // Complete: crash after the object is committed, before the parts are removed
    let dir = temp_dir("complete-committed");
    let (c, p) = spawn(&dir, None);
    let (uid, xml) = one_part_upload(p, "done", b"whole object");
    stop(c);
    let (c, p) = spawn(&dir, Some("complete-committed"));
    let _ = std::panic::catch_unwind(|| complete(p, "done", &uid, &xml));
    crashed(c);
    assert_eq!(
        uploads(&dir),
        vec![uid.clone()],
        "parts should still be there"
    );
    let (c, p) = spawn(&dir, None);
    assert!(uploads(&dir).is_empty(), "completed upload's parts left");
    assert_eq!(get(p, "done", &[]).body, b"whole object");
    let again = complete(p, "done", &uid, &xml);
    assert_eq!((again.status, again.code().as_str()), (404, "NoSuchUpload"));
    stop(c);
}

/// Issue 26: links inside the data directory were followed; recovery deleted 3 files outside
/// it through a symlinked bucket. Nothing is followed now: a symlinked bucket is neither
/// recovered nor served nor written, and a symlinked data file is not read.
#[test]
fn symlinks_in_the_data_dir_are_never_followed() {
    use std::os::unix::fs::symlink;
    let outside = temp_dir("symlink-victim");
    std::fs::create_dir_all(outside.join("objects")).unwrap();
    std::fs::create_dir_all(outside.join("uploads/u1")).unwrap();
    for f in ["objects/a.data", "objects/.tmp-b", "uploads/u1/part-1.data"] {
        std::fs::write(outside.join(f), b"precious").unwrap();
    }
    std::fs::write(outside.join("bucket.json"), br#"{"created":1}"#).unwrap();
    let dir = temp_dir("symlink");
    std::fs::create_dir_all(dir.join("buckets")).unwrap();
    symlink(&outside, dir.join("buckets/evil-1250000000")).unwrap();
    let h = cos_emulator::serve(config(&dir)).unwrap();
    let p = h.port();
    for f in ["objects/a.data", "objects/.tmp-b", "uploads/u1/part-1.data"] {
        assert!(
            outside.join(f).exists(),
            "recovery removed {f} outside the data dir"
        );
    }
    // not served, not written through
    let path_put = |key: &str| {
        let headers = vec![("Host", "127.0.0.1".to_string())];
        let path = format!("/evil-1250000000/{key}");
        let auth = authorization(AK, SK, "PUT", &path, &[], &headers, &key_time());
        let mut hs = headers;
        hs.push(("Authorization", auth));
        raw(p, "PUT", &path, &hs, b"through the link")
    };
    assert_ne!(path_put("x").status, 200);
    let n = std::fs::read_dir(outside.join("objects")).unwrap().count();
    assert_eq!(n, 2, "nothing written outside");
    // a data file replaced by a link to a file outside is not read
    assert_eq!(put(p, "k", &[], b"mine").status, 200);
    let objects = dir.join(format!("buckets/{BUCKET}/objects"));
    let data = std::fs::read_dir(&objects)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".data"))
        .unwrap()
        .path();
    std::fs::write(outside.join("secret"), b"SECRET OUTSIDE").unwrap();
    std::fs::remove_file(&data).unwrap();
    symlink(outside.join("secret"), &data).unwrap();
    let r = get(p, "k", &[]);
    assert_ne!(r.status, 200);
    assert!(!r.body.windows(6).any(|w| w == b"SECRET"));
    drop(h);
    // recovery leaves the link alone (it never deletes through it either)
    let h = cos_emulator::serve(config(&dir)).unwrap();
    assert!(outside.join("secret").exists());
    drop(h);
}
