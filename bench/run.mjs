#!/usr/bin/env node
// cos-wasm benchmark suite (issue 5 item 4). `npm run bench` (= node bench/run.mjs).
//
// Measures, in one process and one run, cos-wasm against its peers and prints a table of
// medians and ratios with PASS/FAIL against the project's targets:
//   signatures/s (cos-wasm vs cos-js-sdk-v5 vs cos-nodejs-sdk-v5), POST-policy signatures/s
//   (vs node:crypto), TC3 signatures/s (vs tencentcloud-sdk-nodejs-common), CRC-64 / MD5 throughput on 64 MiB (vs the SDK's md5.js, node:crypto,
//   native Rust, hash-wasm), gzip -9 size per npm entry (cos-wasm, cos-wasm/hash, /keys, /sts,
//   /explain, all together; vs cos-js-sdk-v5.min.js), cold start (Node, workerd, Chromium vs
//   cos-js-sdk-v5.min.js), and wasm memory growth of hashInput over 1 GiB.
//
// Options:
//   --quick          fewer runs and smaller inputs (smoke test, numbers are rougher)
//   --no-native      skip `cargo run --release --example hash_throughput`
//   --no-workerd     skip the workerd cold start
//   --entry=pkg      import pkg/node.js instead of the installed tests/js/node_modules/cos-wasm
//   --only=A,B       run only these sections: sign, post, tc3, native, hash, size, cold-node,
//                    cold-workerd, cold-chromium, memory, upload (rows of the others are left out;
//                    BENCHMARKS.md is not rewritten)
//   --json=FILE      also write the raw results as JSON
//   --write          replace the table in BENCHMARKS.md (between the bench:begin/end markers)
//   --no-upload      skip the Chromium upload benchmark (bench/upload.mjs: 1 GiB, uploadFile vs
//                    cos-js-sdk-v5 sliceUploadFile)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writeWorkerdConfig } from '../tests/js/workerd.mjs';
import { benchUpload, uploadRows } from './upload.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const require = createRequire(join(root, 'package.json'));
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const opts = Object.fromEntries(process.argv.slice(2).filter((a) => a.includes('=')).map((a) => a.replace(/^--/, '').split('=')));
const QUICK = args.has('--quick');
const RUNS = QUICK ? 3 : 7;
const MiB = 1 << 20;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const log = (...a) => console.error('[bench]', ...a);
const notes = [];

// ---------------------------------------------------------------------------------------
// What we measure: the installed package (as a user imports it) or pkg/.
const installed = join(root, 'tests', 'js', 'node_modules', 'cos-wasm');
let pkgDir = opts.entry === 'pkg' || !existsSync(installed) ? join(root, 'pkg') : installed;
if (!existsSync(join(pkgDir, 'package.json'))) {
  console.error('cos-wasm is not built: run `bash scripts/pack.sh` first');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const only = opts.only ? new Set(opts.only.split(',')) : undefined;
const wanted = (section) => only === undefined || only.has(section);
const nodeEntry = join(pkgDir, manifest.exports['.'].node.import.default);
/** The npm entries (`cos-wasm`, `cos-wasm/hash`, ...) from the exports map. */
const ENTRIES = Object.keys(manifest.exports).filter((k) => !k.endsWith('.wasm') && k !== './package.json');
const entryName = (k) => (k === '.' ? 'cos-wasm' : `cos-wasm/${k.slice(2)}`);
// Node imports of the entries the bench drives: the signer, hashing, TC3.
const cw = {};
for (const k of ['.', './hash', './sts']) Object.assign(cw, await import(pathToFileURL(join(pkgDir, manifest.exports[k].node.import.default)).href));
const { createMD5 } = require('hash-wasm');
const hashWasmVersion = require('hash-wasm/package.json').version;
const JsSdk = require('cos-js-sdk-v5');
const NodeSdk = require('cos-nodejs-sdk-v5');
const sdkMd5 = require('cos-js-sdk-v5/lib/md5.js');
const jsSdkVersion = require('cos-js-sdk-v5/package.json').version;
const Tc3Sign = require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default;
const tcSdkVersion = require('tencentcloud-sdk-nodejs-common/package.json').version;
const nodeSdkVersion = require('cos-nodejs-sdk-v5/package.json').version;

// ---------------------------------------------------------------------------------------
// Throughput helpers.

/** ops/s of `fn`, median of RUNS batches of ~250 ms (after a ~300 ms warm-up). */
function opsPerSec(fn) {
  let n = 0;
  const w0 = performance.now();
  while (performance.now() - w0 < (QUICK ? 100 : 300)) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  const batch = Math.max(50, Math.round((n / (performance.now() - w0)) * (QUICK ? 100 : 250)));
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    rates.push(batch / ((performance.now() - t0) / 1e3));
  }
  return median(rates);
}

/** MB/s (1e6 bytes/s) of `fn(chunks)`, median of RUNS runs after one warm-up. */
function mbPerSec(totalBytes, fn) {
  fn();
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    fn();
    rates.push(totalBytes / 1e6 / ((performance.now() - t0) / 1e3));
  }
  return median(rates);
}

// ---------------------------------------------------------------------------------------
// 1. Signing: PUT with 4 signed headers, fixed keyTime.
const SECRET_ID = 'AKIDexample';
const SECRET_KEY = 'secretexample';
const KEY_TIME = '1557902800;1557910000';
const KEY = 'dir/exampleobject.txt';
// Four headers that both cos-wasm and the SDKs sign by default (the SDKs do not sign
// content-type, so it is not used here).
const HEADERS = {
  host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com',
  'content-length': '13',
  'content-md5': 'ZajifYh5KDgxtmS9i38K1A==',
  'x-cos-acl': 'private',
};
const sdkOpts = { SecretId: SECRET_ID, SecretKey: SECRET_KEY, Method: 'PUT', Key: KEY, Headers: HEADERS, KeyTime: KEY_TIME };

function benchSign() {
  log('signing');
  const signer = new cw.CosSigner({ secretId: SECRET_ID, secretKey: SECRET_KEY });
  const wasmSign = () => signer.authorization({ method: 'PUT', key: KEY, headers: HEADERS, keyTime: KEY_TIME });
  const wasmFresh = () => {
    const s = new cw.CosSigner({ secretId: SECRET_ID, secretKey: SECRET_KEY });
    const a = s.authorization({ method: 'PUT', key: KEY, headers: HEADERS, keyTime: KEY_TIME });
    s.free();
    return a;
  };
  const jsSign = () => JsSdk.getAuthorization(sdkOpts);
  const nodeSign = () => NodeSdk.getAuthorization(sdkOpts);
  const outs = { wasm: wasmSign(), js: jsSign(), node: nodeSign() };
  if (outs.wasm !== outs.js) notes.push(`signing: cos-wasm and cos-js-sdk-v5 Authorization differ:\n  ${outs.wasm}\n  ${outs.js}`);
  if (outs.wasm !== outs.node) notes.push(`signing: cos-wasm and cos-nodejs-sdk-v5 Authorization differ:\n  ${outs.wasm}\n  ${outs.node}`);
  const same = outs.wasm === outs.js && outs.wasm === outs.node;
  // Interleave the implementations so machine noise hits them alike.
  const r = { wasm: [], wasmFresh: [], js: [], node: [] };
  for (let round = 0; round < (QUICK ? 1 : 3); round++) {
    r.wasm.push(opsPerSec(wasmSign));
    r.wasmFresh.push(opsPerSec(wasmFresh));
    r.js.push(opsPerSec(jsSign));
    r.node.push(opsPerSec(nodeSign));
  }
  signer.free();
  return { same, authorization: outs.wasm, ...Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])) };
}

// 2. POST policy: signPostPolicy vs the same formula with node:crypto.
const POLICY = JSON.stringify({
  expiration: '2030-01-01T00:00:00.000Z',
  conditions: [
    { bucket: 'examplebucket-1250000000' },
    ['starts-with', '$key', 'uploads/'],
    ['content-length-range', 0, 10485760],
    { 'q-sign-algorithm': 'sha1' },
    { 'q-ak': SECRET_ID },
    { 'q-sign-time': KEY_TIME },
  ],
});

function nodeCryptoPostPolicy() {
  const signKey = createHmac('sha1', SECRET_KEY).update(KEY_TIME).digest('hex');
  const stringToSign = createHash('sha1').update(POLICY).digest('hex');
  return {
    policy: Buffer.from(POLICY).toString('base64'),
    'q-sign-algorithm': 'sha1',
    'q-ak': SECRET_ID,
    'q-key-time': KEY_TIME,
    'q-signature': createHmac('sha1', signKey).update(stringToSign).digest('hex'),
  };
}

function benchPost() {
  log('POST policy');
  const signer = new cw.CosSigner({ secretId: SECRET_ID, secretKey: SECRET_KEY });
  const wasmPost = () => signer.signPostPolicy({ policy: POLICY, keyTime: KEY_TIME });
  const a = wasmPost();
  const b = nodeCryptoPostPolicy();
  const same = a['q-signature'] === b['q-signature'] && a.policy === b.policy;
  if (!same) notes.push(`POST policy: cos-wasm ${a['q-signature']} vs node:crypto ${b['q-signature']}`);
  const r = { wasm: [], node: [] };
  for (let round = 0; round < (QUICK ? 1 : 3); round++) {
    r.wasm.push(opsPerSec(wasmPost));
    r.node.push(opsPerSec(nodeCryptoPostPolicy));
  }
  signer.free();
  return { same, wasm: median(r.wasm), node: median(r.node) };
}

// 2b. TC3-HMAC-SHA256 (an STS GetFederationToken call): tc3Authorization vs the official
// tencentcloud-sdk-nodejs-common signer (node:crypto), same process, same request.
function benchTc3() {
  log('TC3 signing');
  const payload = {
    Name: 'alice',
    Policy: encodeURIComponent(JSON.stringify({ version: '2.0', statement: [{ effect: 'allow', action: ['name/cos:PutObject'], resource: ['qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/users/alice/*'] }] })),
    DurationSeconds: 1800,
  };
  const req = { secretId: SECRET_ID, secretKey: SECRET_KEY, method: 'POST', url: 'https://sts.tencentcloudapi.com/', timestamp: 1700000000, service: 'sts' };
  const wasmTc3 = () => cw.tc3Authorization({ ...req, contentType: 'application/json', body: JSON.stringify(payload) });
  const sdkTc3 = () => Tc3Sign.sign3({ ...req, payload, headers: { 'Content-Type': 'application/json' } });
  const same = wasmTc3() === sdkTc3();
  if (!same) notes.push(`TC3: cos-wasm ${wasmTc3()} vs tencentcloud-sdk-nodejs-common ${sdkTc3()}`);
  const r = { wasm: [], sdk: [] };
  for (let round = 0; round < (QUICK ? 1 : 3); round++) {
    r.wasm.push(opsPerSec(wasmTc3));
    r.sdk.push(opsPerSec(sdkTc3));
  }
  return { same, wasm: median(r.wasm), sdk: median(r.sdk) };
}

// 3. Hashing throughput on 64 MiB in 4 MiB chunks.
function makeData(bytes) {
  const u32 = new Uint32Array(bytes / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < u32.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    u32[i] = x >>> 0;
  }
  return new Uint8Array(u32.buffer);
}

async function benchHash() {
  const size = (QUICK ? 16 : 64) * MiB;
  const chunkSize = 4 * MiB;
  log(`hashing ${size / MiB} MiB`);
  const data = makeData(size);
  const chunks = [];
  for (let i = 0; i < size; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  // cos-js-sdk-v5 feeds its md5.js binary strings (FileReader.readAsBinaryString, then
  // update(content, true)); the strings are made outside the timed region, which favours it.
  const binChunks = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('latin1'));

  const wasmCrc = () => {
    const h = new cw.Crc64();
    for (const c of chunks) h.update(c);
    const d = h.digest();
    h.free();
    return d;
  };
  const wasmMd5 = () => {
    const h = new cw.Md5();
    for (const c of chunks) h.update(c);
    const d = Buffer.from(h.digest()).toString('hex');
    h.free();
    return d;
  };
  const wasmSha1 = () => {
    const h = new cw.Sha1();
    for (const c of chunks) h.update(c);
    const d = h.digestHex();
    h.free();
    return d;
  };
  const sdkMd5Run = () => {
    let ctx = sdkMd5.getCtx();
    for (const s of binChunks) ctx = ctx.update(s, true);
    return ctx.hex();
  };
  const nodeMd5 = () => {
    const h = createHash('md5');
    for (const c of chunks) h.update(c);
    return h.digest('hex');
  };
  // hash-wasm's MD5 (its own hand-written wasm): one hasher, init/update/digest per run.
  const hwMd5 = await createMD5();
  const hashWasmMd5 = () => {
    hwMd5.init();
    for (const c of chunks) hwMd5.update(c);
    return hwMd5.digest('hex');
  };
  const md5s = { wasm: wasmMd5(), sdk: sdkMd5Run(), node: nodeMd5(), hashWasm: hashWasmMd5() };
  if (md5s.wasm !== md5s.node || md5s.sdk !== md5s.node || md5s.hashWasm !== md5s.node) notes.push(`MD5 results differ: ${JSON.stringify(md5s)}`);
  const sha1Ok = wasmSha1() === createHash('sha1').update(data).digest('hex');
  if (!sha1Ok) notes.push('SHA-1: cos-wasm differs from node:crypto');

  // cos-wasm and hash-wasm MD5 interleaved, median of three rounds each (same noise).
  const md5Rounds = { wasm: [], hashWasm: [] };
  for (let round = 0; round < (QUICK ? 1 : 3); round++) {
    md5Rounds.wasm.push(mbPerSec(size, wasmMd5));
    md5Rounds.hashWasm.push(mbPerSec(size, hashWasmMd5));
  }
  return {
    size,
    crcWasm: mbPerSec(size, wasmCrc),
    md5Wasm: median(md5Rounds.wasm),
    md5HashWasm: median(md5Rounds.hashWasm),
    sha1Wasm: mbPerSec(size, wasmSha1),
    md5Sdk: mbPerSec(size, sdkMd5Run),
    md5Node: mbPerSec(size, nodeMd5),
    sha1Node: mbPerSec(size, () => createHash('sha1').update(data).digest('hex')),
  };
}

function benchNative() {
  if (args.has('--no-native')) return undefined;
  log('native: cargo run --release --config profile.release.opt-level=3 --example hash_throughput');
  const r = spawnSync('cargo', ['run', '--quiet', '--release', '--config', 'profile.release.opt-level=3', '--example', 'hash_throughput'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    notes.push(`native reference failed: ${r.stderr.slice(-500)}`);
    return undefined;
  }
  const get = (name) => Number(r.stdout.match(new RegExp(`^${name}\\s+([0-9.]+) MB/s`, 'm'))?.[1]);
  return { crc: get('CRC-64'), md5: get('MD5'), sha1: get('SHA-1') };
}

// 4. gzip -9 sizes per npm entry: what a browser page loads for it (the entry's web.js,
// its glue and .wasm, the JS modules they import, followed through relative imports), each
// file gzipped on its own, as a server sends them. "All together" counts a shared module once.
function browserFiles(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = readFileSync(file, 'utf8');
  // (the shipped modules are minified: statements follow `;` and strings may use either quote)
  const imports = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[\w$*\s,]*(?:\{[^}]*\})?\s*from\s*)?(['"])(\.\.?\/[^'"]+)\1/g;
  for (const m of src.matchAll(imports)) browserFiles(join(dirname(file), m[2]), seen);
  // wasm-bindgen's web glue fetches its .wasm beside itself
  for (const m of src.matchAll(/new URL\((['"])([\w-]+_bg\.wasm)\1, ?import\.meta\.url\)/g)) seen.add(join(dirname(file), m[2]));
  return seen;
}

function benchSize() {
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  const raw = (f) => readFileSync(f).length;
  const out = { entries: {} };
  const all = new Set();
  for (const k of ENTRIES) {
    const files = [...browserFiles(join(pkgDir, manifest.exports[k].browser.default))];
    for (const f of files) all.add(f);
    const wasm = files.filter((f) => f.endsWith('.wasm'));
    out.entries[entryName(k)] = {
      files: files.map((f) => f.slice(pkgDir.length + 1)),
      raw: files.reduce((n, f) => n + raw(f), 0),
      gzip: files.reduce((n, f) => n + gz(f), 0),
      wasmGzip: wasm.reduce((n, f) => n + gz(f), 0),
      wasmRaw: wasm.reduce((n, f) => n + raw(f), 0),
    };
  }
  out.all = { files: all.size, raw: [...all].reduce((n, f) => n + raw(f), 0), gzip: [...all].reduce((n, f) => n + gz(f), 0) };
  // A page that posts a worker-signed form (README "Which to import"): postFormData of
  // cos-wasm, plain JS, so no init() and no signer .wasm; cos-wasm/hash for the CRC-64.
  const page = new Set([...out.entries['cos-wasm'].files.filter((f) => !f.endsWith('.wasm')), ...out.entries['cos-wasm/hash'].files]);
  out.formPage = { files: page.size, gzip: [...page].reduce((n, f) => n + gz(join(pkgDir, f)), 0) };
  const sdkMin = require.resolve('cos-js-sdk-v5/dist/cos-js-sdk-v5.min.js');
  out.sdk = { file: 'cos-js-sdk-v5.min.js', raw: raw(sdkMin), gzip: gz(sdkMin) };
  return out;
}

// 5. Cold start in Node: a fresh process per sample.
function benchColdNode() {
  const n = QUICK ? 5 : 15;
  log(`cold start (node) x${n}`);
  const samples = [];
  for (let i = 0; i < n; i++) {
    const out = execFileSync(process.execPath, [join(here, 'cold-node.mjs'), pathToFileURL(nodeEntry).href], { encoding: 'utf8' });
    samples.push(JSON.parse(out.trim().split('\n').pop()));
  }
  const pick = (k) => median(samples.map((s) => s[k]));
  return { n, importToSig: pick('importToSig'), importMs: pick('importMs'), firstSigMs: pick('firstSigMs'), sinceProcessStart: pick('sinceProcessStart'), cpuMs: pick('cpuMs') };
}

// 6. Cold start in workerd: process spawn → first 200 response, for a worker that imports
// cos-wasm and signs per request, minus the same for a worker without cos-wasm. workerd
// compiles and evaluates the worker's modules (so instantiates the .wasm) at startup,
// before it listens; inside an isolate the clock does not advance during execution
// (Spectre mitigation), so the cost can only be seen from outside.
async function workerdSample(workerFile, withCosWasm) {
  const { dir, configFile, port } = await writeWorkerdConfig(workerFile, { withCosWasm, pkgDir });
  const bin = join(root, 'node_modules', '.bin', 'workerd');
  const t0 = performance.now();
  const proc = spawn(bin, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}/`;
  let first;
  let body;
  try {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`workerd exited: ${stderr}`);
      if (performance.now() - t0 > 20000) throw new Error(`workerd did not start: ${stderr}`);
      try {
        const res = await fetch(url);
        body = await res.text();
        first = performance.now() - t0;
        break;
      } catch {
        await new Promise((ok) => setTimeout(ok, 1));
      }
    }
    if (!body.startsWith('q-sign-algorithm=sha1&')) throw new Error(`unexpected body ${body}`);
    // Warm request latency on the same isolate, for comparison.
    const w = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await (await fetch(url)).text();
      w.push(performance.now() - t);
    }
    return { first, warm: median(w) };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((ok) => (proc.exitCode !== null ? ok() : proc.once('exit', ok)));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchColdWorkerd() {
  if (args.has('--no-workerd')) return undefined;
  const n = QUICK ? 3 : 9;
  log(`cold start (workerd) x${n} each`);
  const base = [];
  const sign = [];
  for (let i = 0; i < n; i++) {
    base.push(await workerdSample(join(here, 'workerd-baseline.js'), false));
    sign.push(await workerdSample(join(here, 'workerd-sign.js'), true));
  }
  const b = median(base.map((s) => s.first));
  const s = median(sign.map((s) => s.first));
  return { n, baseline: b, withCosWasm: s, delta: s - b, warmRequest: median(sign.map((s) => s.warm)) };
}

// 6b. Cold start in Chromium: a fresh browser (fresh profile, empty caches) per sample, the
// same 127.0.0.1 static server, the pages alternating. The page's clock starts at navigation;
// each page stops it after its first signature:
//   cos-wasm: the README's page pattern ("A page without a bundler": import map, modulepreload
//             of every module, preload of the .wasm), then a <script type=module> importing
//             the signer entry → await init() → sign
//   plain:    the same without the preload links (import map only), for comparison
//   SDK:      <script src=cos-js-sdk-v5.min.js> → COS.getAuthorization()
// and records where the time went (module responses, import, init = fetch + compile +
// instantiate of the .wasm, first call; compile alone measured after the clock stopped).
const SIGN_OPTS = `{ method: 'PUT', key: '${KEY}', headers: ${JSON.stringify(HEADERS)}, keyTime: '${KEY_TIME}' }`;

/**
 * The <head> of the README's page pattern (the block after `<!-- bench: cold-page -->`, up
 * to its module script), its URLs moved from /node_modules/cos-wasm/ to /pkg/. Throws if it
 * does not name every module of the signer's web.js graph and its .wasm.
 */
function readmePageHead(web) {
  const block = readFileSync(join(root, 'README.md'), 'utf8').match(/<!-- bench: cold-page -->\s*```html\n([\s\S]*?)```/)?.[1];
  if (block === undefined) throw new Error('README.md has no <!-- bench: cold-page --> block');
  const head = block.slice(0, block.indexOf('<script type="module">')).replaceAll('/node_modules/cos-wasm/', '/pkg/');
  const named = new Set([...head.matchAll(/<link rel="(?:modulepreload|preload)" href="\/pkg\/([^"]+)"/g)].map((m) => m[1]));
  const missing = [...browserFiles(join(pkgDir, web))].map((f) => f.slice(pkgDir.length + 1)).filter((f) => !named.has(f));
  if (missing.length) throw new Error(`README.md's cold-page block does not preload ${missing.join(', ')}: update it`);
  return head;
}

async function benchColdChromium() {
  const { launchChromium, staticServer } = await import('../tests/js/harness.mjs');
  const n = QUICK ? 3 : 7;
  log(`cold start (chromium) x${n} each, alternating`);
  const dir = mkdtempSync(join(tmpdir(), 'cos-wasm-bench-chromium-'));
  const sdkMin = require.resolve('cos-js-sdk-v5/dist/cos-js-sdk-v5.min.js');
  const web = manifest.exports['.'].browser.default.slice(2);
  const wasmPage = (head) => `<!doctype html><meta charset="utf-8">
${head}<script type="module">
const t0 = performance.now();
const { init, CosSigner } = await import('cos-wasm');
const t1 = performance.now();
await init();
const t2 = performance.now();
const signer = new CosSigner({ secretId: '${SECRET_ID}', secretKey: '${SECRET_KEY}' });
const auth = signer.authorization(${SIGN_OPTS});
const t3 = performance.now();
const wasmUrl = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm')).name;
const bytes = await (await fetch(wasmUrl)).arrayBuffer();
const c0 = performance.now();
await WebAssembly.compile(bytes);
const compile = performance.now() - c0;
window.__out = { auth, total: t3, start: t0, importMs: t1 - t0, initMs: t2 - t1, firstMs: t3 - t2, compile,
  resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd })) };
</script>`;
  writeFileSync(join(dir, 'wasm.html'), wasmPage(readmePageHead(web)));
  writeFileSync(join(dir, 'plain.html'), wasmPage(`<script type="importmap">{ "imports": { "cos-wasm": "/pkg/${web}" } }</script>\n`));
  writeFileSync(join(dir, 'sdk.html'), `<!doctype html><meta charset="utf-8">
<script src="/sdk/cos-js-sdk-v5.min.js"></script>
<script>
const t0 = performance.now();
const auth = COS.getAuthorization({ SecretId: '${SECRET_ID}', SecretKey: '${SECRET_KEY}', Method: 'PUT', Key: '${KEY}', Headers: ${JSON.stringify(HEADERS)}, KeyTime: '${KEY_TIME}' });
const t1 = performance.now();
window.__out = { auth, total: t1, start: t0, firstMs: t1 - t0, resources: performance.getEntriesByType('resource').map((e) => ({ name: e.name.split('/').pop(), start: e.startTime, end: e.responseEnd })) };
</script>`);
  const server = await staticServer({ '/pkg/': pkgDir, '/sdk/': dirname(sdkMin), '/': dir });
  const sample = async (page) => {
    const browser = await launchChromium();
    try {
      await browser.page.goto(`${server.url}/${page}`);
      await browser.page.waitForFunction(() => window.__out !== undefined, null, { timeout: 30000 });
      return await browser.page.evaluate(() => window.__out);
    } finally {
      await browser.close();
    }
  };
  const r = { wasm: [], plain: [], sdk: [] };
  try {
    for (let i = 0; i < n; i++) {
      r.wasm.push(await sample('wasm.html'));
      r.sdk.push(await sample('sdk.html'));
      r.plain.push(await sample('plain.html'));
    }
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (r.wasm[0].auth !== r.sdk[0].auth) notes.push(`Chromium: cos-wasm and cos-js-sdk-v5 Authorization differ: ${r.wasm[0].auth} / ${r.sdk[0].auth}`);
  // (the page fetches the .wasm once more after the clock stopped, to time the compile alone)
  const wasmFetches = Math.max(...r.wasm.map((o) => o.resources.filter((e) => e.name.endsWith('.wasm') && e.start <= o.total).length));
  if (wasmFetches !== 1) notes.push(`Chromium: the README page fetched the .wasm ${wasmFetches} times (the preload was not used)`);
  const med = (xs, f) => median(xs.map(f));
  const js = (o) => o.resources.filter((e) => e.name.endsWith('.js'));
  const wasmEntry = (o) => o.resources.find((e) => e.name.endsWith('.wasm'));
  return {
    n,
    wasm: med(r.wasm, (o) => o.total),
    plain: med(r.plain, (o) => o.total),
    sdk: med(r.sdk, (o) => o.total),
    split: {
      firstRequest: med(r.wasm, (o) => Math.min(...o.resources.map((e) => e.start))),
      scriptStart: med(r.wasm, (o) => o.start),
      modulesLoaded: med(r.wasm, (o) => Math.max(...js(o).map((e) => e.end))),
      importMs: med(r.wasm, (o) => o.importMs),
      wasmResponse: med(r.wasm, (o) => wasmEntry(o)?.end ?? NaN),
      initMs: med(r.wasm, (o) => o.initMs),
      compileMs: med(r.wasm, (o) => o.compile),
      firstMs: med(r.wasm, (o) => o.firstMs),
      modules: js(r.wasm[0]).length,
      plainModulesLoaded: med(r.plain, (o) => Math.max(...js(o).map((e) => e.end))),
      plainWasmStart: med(r.plain, (o) => wasmEntry(o)?.start ?? NaN),
      plainImportMs: med(r.plain, (o) => o.importMs),
      plainInitMs: med(r.plain, (o) => o.initMs),
      sdkScriptLoaded: med(r.sdk, (o) => o.resources.find((e) => e.name.endsWith('.js'))?.end ?? NaN),
      sdkScriptStart: med(r.sdk, (o) => o.start),
      sdkFirstMs: med(r.sdk, (o) => o.firstMs),
    },
  };
}

// 7. wasm memory growth while hashInput hashes 1 GiB from a ReadableStream of 4 MiB chunks.
async function benchMemory() {
  const total = (QUICK ? 256 : 1024) * MiB;
  log(`hashInput over ${total / MiB} MiB`);
  const chunk = makeData(4 * MiB);
  await cw.hashInput(new Uint8Array(4 * MiB)); // warm the allocator
  const before = cw.initSync({ module: new Uint8Array() }).memory.buffer.byteLength;
  let sent = 0;
  const stream = new ReadableStream({
    pull(ctrl) {
      if (sent >= total) return ctrl.close();
      ctrl.enqueue(new Uint8Array(chunk)); // a fresh copy, as a real stream would yield
      sent += chunk.byteLength;
    },
  });
  const t0 = performance.now();
  const out = await cw.hashInput(stream, { algorithms: ['crc64', 'md5'] });
  const ms = performance.now() - t0;
  if (out.bytes !== total) notes.push(`hashInput hashed ${out.bytes} bytes, expected ${total}`);
  return { total, before, growth: cw.initSync({ module: new Uint8Array() }).memory.buffer.byteLength - before, mbps: total / 1e6 / (ms / 1e3) };
}

// ---------------------------------------------------------------------------------------
function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model;
  let rustc = '?';
  try {
    rustc = execFileSync('rustc', ['--version'], { encoding: 'utf8' }).trim();
  } catch {}
  return { nproc: cpus().length, cpu, node: process.version, rustc, date: new Date().toISOString().slice(0, 16).replace('T', ' ') };
}

const fmtN = (x, d = 0) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : 'n/a');
const pf = (ok) => (ok === undefined ? '—' : ok ? 'PASS' : 'FAIL');

const m = machine();
const res = { machine: m, package: pkgDir, jsSdkVersion, nodeSdkVersion, hashWasmVersion, quick: QUICK };
if (wanted('sign')) res.sign = benchSign();
if (wanted('post')) res.post = benchPost();
if (wanted('tc3')) res.tc3 = benchTc3();
if (wanted('native')) res.native = benchNative();
if (wanted('hash')) res.hash = await benchHash();
if (wanted('size')) res.size = benchSize();
if (wanted('cold-node')) res.coldNode = benchColdNode();
if (wanted('cold-workerd')) res.coldWorkerd = await benchColdWorkerd();
if (wanted('cold-chromium')) res.coldChromium = await benchColdChromium();
if (wanted('memory')) res.memory = await benchMemory();
if (wanted('upload') && !args.has('--no-upload')) res.upload = await benchUpload({ quick: QUICK, pkgDir, log });

const { sign, post, tc3, hash, size, coldNode, coldWorkerd, coldChromium, memory, native, upload } = res;
const KB = 1000;
const kb = (b) => fmtN(b / KB, 1);
const rows = [['Metric', 'cos-wasm', 'Reference', 'Ratio', 'Target', 'Result']];
if (sign) {
  rows.push(
    ['PUT signatures/s (4 signed headers)', fmtN(sign.wasm), `cos-nodejs-sdk-v5 ${fmtN(sign.node)}`, ratio(sign.wasm, sign.node), '≥ 1.0× cos-nodejs-sdk-v5', pf(sign.wasm >= sign.node)],
    ['', '', `cos-js-sdk-v5 ${fmtN(sign.js)}`, ratio(sign.wasm, sign.js), '≥ 5× cos-js-sdk-v5', pf(sign.wasm >= 5 * sign.js)],
    ['… new CosSigner + free per signature', fmtN(sign.wasmFresh), `cos-js-sdk-v5 ${fmtN(sign.js)}`, ratio(sign.wasmFresh, sign.js), '', ''],
  );
}
if (post) rows.push(['POST-policy signatures/s', fmtN(post.wasm), `node:crypto ${fmtN(post.node)}`, ratio(post.wasm, post.node), '', '']);
if (tc3) rows.push(['TC3 signatures/s (STS GetFederationToken)', fmtN(tc3.wasm), `tencentcloud-sdk-nodejs-common ${tcSdkVersion} ${fmtN(tc3.sdk)}`, ratio(tc3.wasm, tc3.sdk), '', '']);
if (hash) {
  rows.push(
    [`CRC-64 MB/s (${hash.size / MiB} MiB, 4 MiB chunks)`, fmtN(hash.crcWasm), `native Rust ${fmtN(native?.crc)}`, ratio(hash.crcWasm, native?.crc), '≥ 0.9× native Rust', native ? pf(hash.crcWasm >= 0.9 * native.crc) : '—'],
    ['', '', `SDK md5.js ${fmtN(hash.md5Sdk)}`, ratio(hash.crcWasm, hash.md5Sdk), '≥ 1000 MB/s and ≥ 5× SDK MD5', pf(hash.crcWasm >= 1000 && hash.crcWasm >= 5 * hash.md5Sdk)],
    ['MD5 MB/s', fmtN(hash.md5Wasm), `hash-wasm ${hashWasmVersion} ${fmtN(hash.md5HashWasm)}`, ratio(hash.md5Wasm, hash.md5HashWasm), '≥ 1.0× hash-wasm', pf(hash.md5Wasm >= hash.md5HashWasm)],
    ['', '', `SDK md5.js ${fmtN(hash.md5Sdk)}`, ratio(hash.md5Wasm, hash.md5Sdk), '≥ 2× SDK MD5', pf(hash.md5Wasm >= 2 * hash.md5Sdk)],
    ['', '', `node:crypto ${fmtN(hash.md5Node)}`, ratio(hash.md5Wasm, hash.md5Node), '', ''],
    ['', '', `native Rust ${fmtN(native?.md5)}`, ratio(hash.md5Wasm, native?.md5), '', ''],
    ['SHA-1 MB/s', fmtN(hash.sha1Wasm), `node:crypto ${fmtN(hash.sha1Node)}`, ratio(hash.sha1Wasm, hash.sha1Node), '', ''],
    ['', '', `native Rust ${fmtN(native?.sha1)}`, ratio(hash.sha1Wasm, native?.sha1), '', ''],
  );
}
if (size) {
  const target = { 'cos-wasm': 35, 'cos-wasm/hash': 15, 'cos-wasm/keys': 30 };
  for (const [name, e] of Object.entries(size.entries)) {
    const t = target[name];
    rows.push([
      `gzip -9 KB: ${name} (wasm + glue + JS a page loads)`,
      `${kb(e.gzip)} (wasm ${kb(e.wasmGzip)})`,
      name === 'cos-wasm' ? `cos-js-sdk-v5.min.js ${kb(size.sdk.gzip)}` : '',
      name === 'cos-wasm' ? ratio(e.gzip, size.sdk.gzip) : '',
      t ? `≤ ${t} KB${name === 'cos-wasm' ? ' and < SDK' : ''}` : '',
      t ? pf(e.gzip <= t * KB && (name !== 'cos-wasm' || e.gzip < size.sdk.gzip)) : '',
    ]);
  }
  rows.push(['gzip -9 KB: every entry loaded together', kb(size.all.gzip), `cos-js-sdk-v5.min.js ${kb(size.sdk.gzip)}`, ratio(size.all.gzip, size.sdk.gzip), '≤ 70 KB', pf(size.all.gzip <= 70 * KB)]);
  rows.push(['gzip -9 KB: POST-form page (postFormData without init + cos-wasm/hash)', kb(size.formPage.gzip), `cos-js-sdk-v5.min.js ${kb(size.sdk.gzip)}`, ratio(size.formPage.gzip, size.sdk.gzip), '', '']);
}
if (coldNode) rows.push(['Cold start Node ms: import signer entry → 1st signature', fmtN(coldNode.importToSig, 2), `(process start → 1st sig ${fmtN(coldNode.sinceProcessStart, 1)})`, '', '< 5 ms', pf(coldNode.importToSig < 5)]);
if (coldWorkerd) rows.push(['Cold start workerd ms: Δ start → 1st signed response', fmtN(coldWorkerd.delta, 1), `no-cos-wasm worker ${fmtN(coldWorkerd.baseline, 1)}; with ${fmtN(coldWorkerd.withCosWasm, 1)}`, '', '< 10 ms', pf(coldWorkerd.delta < 10)]);
if (coldChromium) rows.push(['Cold start Chromium ms: README page → import + init() + 1st signature', fmtN(coldChromium.wasm, 1), `cos-js-sdk-v5.min.js + 1st signature ${fmtN(coldChromium.sdk, 1)}`, ratio(coldChromium.wasm, coldChromium.sdk), '≤ 1.0× SDK', pf(coldChromium.wasm <= coldChromium.sdk)]);
if (memory) rows.push([`hashInput ${memory.total / MiB} MiB stream: wasm memory growth`, `${fmtN(memory.growth / MiB, 1)} MiB`, `(${fmtN(memory.mbps)} MB/s crc64+md5)`, '', '< 16 MiB', pf(memory.growth < 16 * MiB)]);
if (upload) rows.push(...uploadRows(upload, { fmtN, ratio, pf }));

function table(rs) {
  const w = rs[0].map((_, i) => Math.max(...rs.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  return [line(rs[0]), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...rs.slice(1).map(line)].join('\n');
}

const header = `cos-wasm bench ${m.date} UTC — ${m.nproc} × ${m.cpu}, Node ${m.node}, ${m.rustc}; cos-js-sdk-v5 ${jsSdkVersion}, cos-nodejs-sdk-v5 ${nodeSdkVersion}, hash-wasm ${hashWasmVersion}; ${QUICK ? 'QUICK, ' : ''}medians of ${RUNS} runs; package ${pkgDir.slice(root.length + 1)}${only ? `; only ${[...only].join(',')}` : ''}`;
const lines = [];
if (size) {
  lines.push(`Sizes, gzip -9 B file by file (raw B): ${Object.entries(size.entries).map(([k, e]) => `${k} ${e.gzip} (${e.raw}; wasm ${e.wasmGzip} / ${e.wasmRaw})`).join('; ')}; all ${size.all.files} files ${size.all.gzip} (${size.all.raw}); ${size.sdk.file} ${size.sdk.gzip} (${size.sdk.raw})`);
  lines.push(`Files a page loads for cos-wasm: ${size.entries['cos-wasm'].files.join(', ')}`);
}
if (coldNode) lines.push(`Node cold start split (medians of ${coldNode.n}): import ${fmtN(coldNode.importMs, 2)} ms, first signature ${fmtN(coldNode.firstSigMs, 2)} ms; CPU time of import → first signature ${fmtN(coldNode.cpuMs, 2)} ms (all threads)`);
if (coldWorkerd) lines.push(`workerd (medians of ${coldWorkerd.n}): warm request ${fmtN(coldWorkerd.warmRequest, 2)} ms`);
if (coldChromium) {
  const c = coldChromium.split;
  lines.push(`Chromium cold start split (ms since navigation, medians of ${coldChromium.n} fresh browsers; the page is README's "A page without a bundler": import map, modulepreload of the ${c.modules} modules, preload of the .wasm): first request ${fmtN(c.firstRequest, 1)}; last JS module received ${fmtN(c.modulesLoaded, 1)}, .wasm received ${fmtN(c.wasmResponse, 1)}; module script starts ${fmtN(c.scriptStart, 1)}; import done +${fmtN(c.importMs, 1)}; init() +${fmtN(c.initMs, 1)} (compile alone ${fmtN(c.compileMs, 1)}); first signature +${fmtN(c.firstMs, 1)}. Without the preload links: ${fmtN(coldChromium.plain, 1)} ms (last JS module ${fmtN(c.plainModulesLoaded, 1)}, .wasm requested only at ${fmtN(c.plainWasmStart, 1)}; import +${fmtN(c.plainImportMs, 1)}, init() +${fmtN(c.plainInitMs, 1)}). SDK: script received ${fmtN(c.sdkScriptLoaded, 1)}, script done ${fmtN(c.sdkScriptStart, 1)}, first signature +${fmtN(c.sdkFirstMs, 1)}`);
}
if (sign) {
  if (!sign.same) notes.push('signing outputs differ (see above)');
  else notes.push(`signing: all three produce the same Authorization (${sign.authorization.slice(-54)})`);
}
if (post?.same) notes.push('POST policy: cos-wasm and node:crypto produce the same policy and q-signature');
if (tc3?.same) notes.push(`TC3: cos-wasm and tencentcloud-sdk-nodejs-common ${tcSdkVersion} (Sign.sign3) produce the same Authorization`);
const text = [header, '', table(rows), '', ...lines, ...notes.map((n) => `Note: ${n}`)].join('\n');
console.log(text);

if (opts.json) writeFileSync(opts.json, JSON.stringify(res, null, 2));
if (args.has('--write') && only === undefined) {
  const f = join(root, 'BENCHMARKS.md');
  const md = readFileSync(f, 'utf8');
  const block = `<!-- bench:begin -->\n\`\`\`text\n${text}\n\`\`\`\n<!-- bench:end -->`;
  writeFileSync(f, md.replace(/<!-- bench:begin -->[\s\S]*<!-- bench:end -->/, block));
  log('BENCHMARKS.md updated');
}
