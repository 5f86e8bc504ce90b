//! Native throughput of the protocol §5 hashers: CRC-64/XZ, MD5, SHA-1 over 64 MiB,
//! median of 5 runs.
//!
//! `CARGO_TARGET_DIR=/work/target-hash cargo run --release --example hash_throughput`

use std::hint::black_box;
use std::time::{Duration, Instant};

use cos_wasm::hash::{crc64_combine, Crc64, Md5Hasher, Sha1Hasher};

const SIZE: usize = 64 << 20;
const RUNS: usize = 5;
/// Feed size per `update` call, like a browser stream chunk.
const CHUNK: usize = 1 << 20;

fn median_mbps(name: &str, data: &[u8], mut run: impl FnMut(&[u8]) -> String) {
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut out = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        out = black_box(run(black_box(data)));
        times.push(start.elapsed());
    }
    times.sort_unstable();
    let median = times.get(RUNS / 2).copied().unwrap_or_default();
    let mbps = data.len() as f64 / 1e6 / median.as_secs_f64();
    println!(
        "{name:<8} {mbps:>9.1} MB/s  (median {:.1} ms of {RUNS}, 64 MiB)  = {out}",
        median.as_secs_f64() * 1e3
    );
}

fn main() {
    // Deterministic pseudo-random input (xorshift64).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..SIZE)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();

    median_mbps("CRC-64", &data, |d| {
        let mut h = Crc64::new();
        for c in d.chunks(CHUNK) {
            h.update(c);
        }
        h.value().to_string()
    });
    median_mbps("MD5", &data, |d| {
        let mut h = Md5Hasher::new();
        for c in d.chunks(CHUNK) {
            let _ = h.update(c);
        }
        h.digest_hex().unwrap_or_default()
    });
    median_mbps("SHA-1", &data, |d| {
        let mut h = Sha1Hasher::new();
        for c in d.chunks(CHUNK) {
            let _ = h.update(c);
        }
        h.digest_hex().unwrap_or_default()
    });

    // crc64_combine cost at a 1 TiB second part.
    let n = 100_000u64;
    let start = Instant::now();
    let mut acc = 0u64;
    for i in 0..n {
        acc ^= crc64_combine(black_box(acc ^ i), 0x1234, black_box((1 << 40) + i));
    }
    let per = start.elapsed().as_secs_f64() * 1e9 / n as f64;
    println!("combine  {per:>9.1} ns/call (len2 ~ 2^40)  = {acc}");
}
