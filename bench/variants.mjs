#!/usr/bin/env node
// Size/speed trade-off of release-profile variants (Task 2 of issue 5): for each variant,
// builds the wasm with extra `--config` profile settings (Cargo.toml is not touched),
// runs wasm-bindgen and wasm-opt like scripts/build.mjs, then measures in this process:
// gzip -9 size, PUT signatures/s, CRC-64 / MD5 / SHA-1 MB/s (16 MiB in 4 MiB chunks).
//
//   node bench/variants.mjs [name ...]      (CARGO_TARGET_DIR is honoured; default target/)
//   WASM_OPT=-Oz node bench/variants.mjs    (wasm-opt level, default -O3 as in build.mjs)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const wasmOptLevel = process.env.WASM_OPT ?? '-O3';
const o3 = (...pkgs) => pkgs.flatMap((p) => ['--config', `profile.release.package.${p}.opt-level=3`]);
const lvl = (l) => ['--config', `profile.release.opt-level=${JSON.stringify(l)}`];
const VARIANTS = {
  s: lvl('s'),
  z: lvl('z'),
  'z+hash3': [...lvl('z'), ...o3('sha1', 'md-5')],
  's+hash3': [...lvl('s'), ...o3('sha1', 'md-5')],
  'z+hash3+crate3': [...lvl('z'), ...o3('sha1', 'md-5', 'cos-wasm')],
  3: lvl(3),
};
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(VARIANTS);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function mbps(bytes, fn) {
  fn();
  const r = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    fn();
    r.push(bytes / 1e6 / ((performance.now() - t) / 1e3));
  }
  return median(r);
}
function ops(fn) {
  for (let i = 0; i < 2000; i++) fn();
  const r = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    for (let i = 0; i < 5000; i++) fn();
    r.push(5000 / ((performance.now() - t) / 1e3));
  }
  return median(r);
}

const data = new Uint8Array(16 << 20);
for (let i = 0, x = 0x9e3779b9; i < data.length; i += 4) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  data[i] = x;
  data[i + 1] = x >>> 8;
  data[i + 2] = x >>> 16;
  data[i + 3] = x >>> 24;
}
const chunks = [];
for (let i = 0; i < data.length; i += 4 << 20) chunks.push(data.subarray(i, i + (4 << 20)));

const results = [];
for (const name of names) {
  console.error(`[variants] ${name}: cargo build ${VARIANTS[name].join(' ')}`);
  execFileSync('cargo', ['build', '--quiet', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--features', 'wasm', '-p', 'cos-wasm', ...VARIANTS[name]], { cwd: root, stdio: 'inherit' });
  const out = join(target, 'bench-variants', name.replace(/\W/g, '_'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  execFileSync('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', out, join(target, 'wasm32-unknown-unknown', 'release', 'cos_wasm.wasm')]);
  const features = ['--enable-reference-types', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue'];
  const wasm = join(out, 'cos_wasm_bg.wasm');
  execFileSync(join(root, 'node_modules', '.bin', 'wasm-opt'), [wasmOptLevel, '--strip-debug', '--strip-producers', ...features, wasm, '-o', join(out, 'opt.wasm')]);
  const bytes = readFileSync(join(out, 'opt.wasm'));
  const m = await import(pathToFileURL(join(out, 'cos_wasm.js')).href);
  m.initSync({ module: bytes });
  const signer = new m.CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
  const headers = { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '13', 'content-md5': 'ZajifYh5KDgxtmS9i38K1A==', 'x-cos-acl': 'private' };
  const hash = (Cls, fin) => () => {
    const h = new Cls();
    for (const c of chunks) h.update(c);
    fin(h);
    h.free();
  };
  results.push({
    variant: name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    signPerSec: Math.round(ops(() => signer.authorization({ method: 'PUT', key: 'dir/exampleobject.txt', headers, keyTime: '1557902800;1557910000' }))),
    crc: Math.round(mbps(data.length, hash(m.Crc64, (h) => h.digest()))),
    md5: Math.round(mbps(data.length, hash(m.Md5, (h) => h.digest()))),
    sha1: Math.round(mbps(data.length, hash(m.Sha1, (h) => h.digestHex()))),
  });
  console.error(results.at(-1));
}
console.log(`wasm-opt ${wasmOptLevel}`);
console.table(results);
