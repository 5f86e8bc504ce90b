//! Valid POST forms under load (issue 26): 0.1–0.2% of them got 400 `MalformedPOSTRequest` at
//! 32 clients, because `multer` lost a body that ended between two of its polls (see
//! `ops::post::FormStream`). 20,000 valid forms from 32 keep-alive clients must all succeed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const FORMS: usize = 20_000;
const CLIENTS: usize = 32;

#[test]
fn twenty_thousand_valid_forms_at_32_clients() {
    // tmpfs when there is one: the test is about the form parser, not about fsync
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        let d = shm.join(format!(
            "cos-emu-test-post-load-{}",
            cos_emulator::util::random_hex(6)
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    } else {
        temp_dir("post-load")
    };
    let h = cos_emulator::serve(config(&dir)).unwrap();
    let url = format!("{}/{BUCKET}/", h.url());
    let kt = key_time();
    let exp = cos_emulator::util::iso_date(now() + 3600);
    let policy = format!(
        r#"{{"expiration":"{exp}","conditions":[{{"q-sign-algorithm":"sha1"}},{{"q-ak":"{AK}"}},{{"q-sign-time":"{kt}"}},["starts-with","$key","load/"]]}}"#
    );
    let signature = policy_fields(&policy, &kt);
    let agent = ureq::AgentBuilder::new()
        .max_idle_connections_per_host(CLIENTS)
        .build();
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let t = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (agent, url, next, failures, signature) = (
                agent.clone(),
                url.clone(),
                next.clone(),
                failures.clone(),
                signature.clone(),
            );
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= FORMS {
                    return;
                }
                let mut fields = vec![("key", format!("load/{}", i % 512))];
                fields.extend(signature.iter().cloned());
                let file = vec![(i % 251) as u8; 64 + i % 2048];
                let (ct, body) = post_form(&fields, "f.bin", &file);
                match agent.post(&url).set("Content-Type", &ct).send_bytes(&body) {
                    Ok(r) if r.status() == 204 => {}
                    Ok(r) => failures
                        .lock()
                        .unwrap()
                        .push(format!("form {i}: {}", r.status())),
                    Err(ureq::Error::Status(s, r)) => failures.lock().unwrap().push(format!(
                        "form {i}: {s} {}",
                        r.into_string().unwrap_or_default()
                    )),
                    Err(e) => failures.lock().unwrap().push(format!("form {i}: {e}")),
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let took = t.elapsed();
    let failures = failures.lock().unwrap();
    eprintln!(
        "{FORMS} forms from {CLIENTS} clients in {took:?} ({:.0}/s), {} failures",
        FORMS as f64 / took.as_secs_f64(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {FORMS} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    h.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
