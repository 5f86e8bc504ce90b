#!/usr/bin/env node
// cos-wasm benchmark suite (issue 5 item 4). `npm run bench` (= node bench/run.mjs).
//
// Measures, in one process and one run, cos-wasm against its peers and prints a table of
// medians and ratios with PASS/FAIL against the project's targets:
//   signatures/s (cos-wasm vs cos-js-sdk-v5 vs cos-nodejs-sdk-v5), POST-policy signatures/s
//   (vs node:crypto), TC3 signatures/s (vs tencentcloud-sdk-nodejs-common), CRC-64 / MD5 throughput on 64 MiB (vs the SDK's md5.js, node:crypto,
//   native Rust), gzip -9 size, cold start (Node, workerd), and wasm memory growth of
//   hashInput over 1 GiB.
//
// Options:
//   --quick          fewer runs and smaller inputs (smoke test, numbers are rougher)
//   --no-native      skip `cargo run --release --example hash_throughput`
//   --no-workerd     skip the workerd cold start
//   --entry=pkg      import pkg/node.js instead of the installed tests/js/node_modules/cos-wasm
//   --json=FILE      also write the raw results as JSON
//   --only=tc3       run only these parts (comma-separated: sign, post, tc3, upload) and print
//                    their rows; BENCHMARKS.md is not rewritten
//   --write          replace the table in BENCHMARKS.md (between the bench:begin/end markers)
//   --no-upload      skip the Chromium upload benchmark (bench/upload.mjs: 1 GiB, uploadFile vs
//                    cos-js-sdk-v5 sliceUploadFile)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
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
const nodeEntry = join(pkgDir, manifest.exports['.'].node.import.default);
const webEntry = join(pkgDir, manifest.exports['.'].browser.default);
const cw = await import(pathToFileURL(nodeEntry).href);
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

function benchHash() {
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
  const md5s = { wasm: wasmMd5(), sdk: sdkMd5Run(), node: nodeMd5() };
  if (md5s.wasm !== md5s.node || md5s.sdk !== md5s.node) notes.push(`MD5 results differ: ${JSON.stringify(md5s)}`);
  const sha1Ok = wasmSha1() === createHash('sha1').update(data).digest('hex');
  if (!sha1Ok) notes.push('SHA-1: cos-wasm differs from node:crypto');

  return {
    size,
    crcWasm: mbPerSec(size, wasmCrc),
    md5Wasm: mbPerSec(size, wasmMd5),
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

// 4. gzip -9 sizes.
function benchSize() {
  const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
  const raw = (f) => readFileSync(f).length;
  const files = { wasm: 'cos_wasm_bg.wasm', glue: 'cos_wasm.js', extras: 'extras.js', errors: 'errors.js', sts: 'sts.js', entry: webEntry.slice(pkgDir.length + 1) };
  const out = {};
  for (const [k, f] of Object.entries(files)) out[k] = { file: f, raw: raw(join(pkgDir, f)), gzip: gz(join(pkgDir, f)) };
  out.totalGzip = Object.values(out).reduce((s, v) => s + v.gzip, 0);
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
  return { n, importToSig: pick('importToSig'), importMs: pick('importMs'), firstSigMs: pick('firstSigMs'), sinceProcessStart: pick('sinceProcessStart') };
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
const res = { machine: m, package: pkgDir, jsSdkVersion, nodeSdkVersion, quick: QUICK };
const KB = 1000;
// rows of the parts that --only can run alone
const partRows = {
  sign: (sign) => [
    ['PUT signatures/s (4 signed headers)', fmtN(sign.wasm), `cos-js-sdk-v5 ${fmtN(sign.js)}`, ratio(sign.wasm, sign.js), '≥ 3× cos-js-sdk-v5', pf(sign.wasm >= 3 * sign.js)],
    ['', '', `cos-nodejs-sdk-v5 ${fmtN(sign.node)}`, ratio(sign.wasm, sign.node), '', ''],
    ['… new CosSigner + free per signature', fmtN(sign.wasmFresh), `cos-js-sdk-v5 ${fmtN(sign.js)}`, ratio(sign.wasmFresh, sign.js), '', ''],
  ],
  post: (post) => [['POST-policy signatures/s', fmtN(post.wasm), `node:crypto ${fmtN(post.node)}`, ratio(post.wasm, post.node), '', '']],
  upload: (upload) => uploadRows(upload, { fmtN, ratio, pf }),
  tc3: (tc3) => [['TC3 signatures/s (STS GetFederationToken)', fmtN(tc3.wasm), `tencentcloud-sdk-nodejs-common ${tcSdkVersion} ${fmtN(tc3.sdk)}`, ratio(tc3.wasm, tc3.sdk), '', '']],
};
const HEAD_ROW = ['Metric', 'cos-wasm', 'Reference', 'Ratio', 'Target', 'Result'];
if (opts.only) {
  const parts = { sign: benchSign, post: benchPost, tc3: benchTc3, upload: () => benchUpload({ quick: QUICK, pkgDir, log }) };
  const only = opts.only.split(',');
  const bad = only.filter((p) => !parts[p]);
  if (bad.length) throw new Error(`--only takes ${Object.keys(parts).join(', ')}; not ${bad.join(', ')}`);
  for (const p of only) res[p] = await parts[p]();
  if (res.tc3?.same) notes.push(`TC3: cos-wasm and tencentcloud-sdk-nodejs-common ${tcSdkVersion} (Sign.sign3) produce the same Authorization`);
  console.log([`cos-wasm bench --only=${opts.only} ${m.date} UTC — ${m.nproc} × ${m.cpu}, Node ${m.node}; ${QUICK ? 'QUICK, ' : ''}medians; package ${pkgDir.slice(root.length + 1)}`, '', table([HEAD_ROW, ...only.flatMap((p) => partRows[p](res[p]))]), '', ...notes.map((n) => `Note: ${n}`)].join('\n'));
  if (opts.json) writeFileSync(opts.json, JSON.stringify(res, null, 2));
  process.exit(0);
}
res.sign = benchSign();
res.post = benchPost();
res.tc3 = benchTc3();
res.native = benchNative();
res.hash = benchHash();
res.size = benchSize();
res.coldNode = benchColdNode();
res.coldWorkerd = await benchColdWorkerd();
res.memory = await benchMemory();
res.upload = args.has('--no-upload') ? undefined : await benchUpload({ quick: QUICK, pkgDir, log });

const { sign, post, tc3, hash, size, coldNode, coldWorkerd, memory, native } = res;
const rows = [
  HEAD_ROW,
  ...partRows.sign(sign),
  ...partRows.post(post),
  ...partRows.tc3(tc3),
  [`CRC-64 MB/s (${hash.size / MiB} MiB, 4 MiB chunks)`, fmtN(hash.crcWasm), `SDK md5.js ${fmtN(hash.md5Sdk)}`, ratio(hash.crcWasm, hash.md5Sdk), '≥ 1000 MB/s and ≥ 5× SDK MD5', pf(hash.crcWasm >= 1000 && hash.crcWasm >= 5 * hash.md5Sdk)],
  ['', '', `native Rust ${fmtN(native?.crc)}`, ratio(hash.crcWasm, native?.crc), '', ''],
  ['MD5 MB/s', fmtN(hash.md5Wasm), `SDK md5.js ${fmtN(hash.md5Sdk)}`, ratio(hash.md5Wasm, hash.md5Sdk), '≥ 2× SDK MD5', pf(hash.md5Wasm >= 2 * hash.md5Sdk)],
  ['', '', `node:crypto ${fmtN(hash.md5Node)}`, ratio(hash.md5Wasm, hash.md5Node), '', ''],
  ['', '', `native Rust ${fmtN(native?.md5)}`, ratio(hash.md5Wasm, native?.md5), '', ''],
  ['SHA-1 MB/s', fmtN(hash.sha1Wasm), `node:crypto ${fmtN(hash.sha1Node)}`, ratio(hash.sha1Wasm, hash.sha1Node), '', ''],
  ['', '', `native Rust ${fmtN(native?.sha1)}`, ratio(hash.sha1Wasm, native?.sha1), '', ''],
  [
    `gzip -9 KB: .wasm + glue + extras + errors + sts + ${size.entry.file}`,
    `${fmtN(size.totalGzip / KB, 1)} (wasm ${fmtN(size.wasm.gzip / KB, 1)})`,
    `cos-js-sdk-v5.min.js ${fmtN(size.sdk.gzip / KB, 1)}`,
    ratio(size.totalGzip, size.sdk.gzip),
    '< 60 KB',
    pf(size.totalGzip < 60 * KB),
  ],
  ['Cold start Node ms: import → 1st signature', fmtN(coldNode.importToSig, 2), `(process start → 1st sig ${fmtN(coldNode.sinceProcessStart, 1)})`, '', '< 10 ms', pf(coldNode.importToSig < 10)],
  coldWorkerd
    ? ['Cold start workerd ms: Δ start → 1st signed response', fmtN(coldWorkerd.delta, 1), `no-cos-wasm worker ${fmtN(coldWorkerd.baseline, 1)}; with ${fmtN(coldWorkerd.withCosWasm, 1)}`, '', '< 10 ms', pf(coldWorkerd.delta < 10)]
    : ['Cold start workerd', 'skipped', '', '', '< 10 ms', '—'],
  [`hashInput ${memory.total / MiB} MiB stream: wasm memory growth`, `${fmtN(memory.growth / MiB, 1)} MiB`, `(${fmtN(memory.mbps)} MB/s crc64+md5)`, '', '< 16 MiB', pf(memory.growth < 16 * MiB)],
  ...(res.upload ? partRows.upload(res.upload) : []),
];

function table(rs) {
  const w = rs[0].map((_, i) => Math.max(...rs.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(w[i])).join(' | ')} |`;
  return [line(rs[0]), `| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`, ...rs.slice(1).map(line)].join('\n');
}

const header = `cos-wasm bench ${m.date} UTC — ${m.nproc} × ${m.cpu}, Node ${m.node}, ${m.rustc}; cos-js-sdk-v5 ${jsSdkVersion}, cos-nodejs-sdk-v5 ${nodeSdkVersion}; ${QUICK ? 'QUICK, ' : ''}medians of ${RUNS} runs; package ${pkgDir.slice(root.length + 1)}`;
const sizeLine = `Sizes (raw / gzip -9 B): ${['wasm', 'glue', 'extras', 'errors', 'sts', 'entry'].map((k) => `${size[k].file} ${size[k].raw} / ${size[k].gzip}`).join('; ')}; ${size.sdk.file} ${size.sdk.raw} / ${size.sdk.gzip}`;
const coldLine = `Node cold start split (medians of ${coldNode.n}): import ${fmtN(coldNode.importMs, 2)} ms, first signature ${fmtN(coldNode.firstSigMs, 2)} ms` +
  (coldWorkerd ? `; workerd (medians of ${coldWorkerd.n}): warm request ${fmtN(coldWorkerd.warmRequest, 2)} ms` : '');
if (!sign.same) notes.push('signing outputs differ (see above)');
else notes.push(`signing: all three produce the same Authorization (${sign.authorization.slice(-54)})`);
if (post.same) notes.push('POST policy: cos-wasm and node:crypto produce the same policy and q-signature');
if (tc3.same) notes.push(`TC3: cos-wasm and tencentcloud-sdk-nodejs-common ${tcSdkVersion} (Sign.sign3) produce the same Authorization`);
const text = [header, '', table(rows), '', sizeLine, coldLine, ...notes.map((n) => `Note: ${n}`)].join('\n');
console.log(text);

if (opts.json) writeFileSync(opts.json, JSON.stringify(res, null, 2));
if (args.has('--write')) {
  const f = join(root, 'BENCHMARKS.md');
  const md = readFileSync(f, 'utf8');
  const block = `<!-- bench:begin -->\n\`\`\`text\n${text}\n\`\`\`\n<!-- bench:end -->`;
  writeFileSync(f, md.replace(/<!-- bench:begin -->[\s\S]*<!-- bench:end -->/, block));
  log('BENCHMARKS.md updated');
}
