// The fuzz suite for the JS-only exports (issue 25), at the scale of the wasm entries' suite
// (fuzz-node.test.mjs): a million hostile calls of `cos-wasm/sts` (getFederationToken,
// assumeRole, credentialsProvider and its get()), `cos-wasm/upload` (uploadFile, memoryStore),
// the signer entry's postFormData, cosErrorFromResponse, clockOffsetFromResponse,
// withClockRetry, explain's cosErrorFromResponse and hash's hashInput / verifyResponseCrc64:
// throwing getters, Proxy traps, revoked proxies, wrong types, BigInt/circular/deep values,
// hostile Responses and readers, and a polluted Object.prototype. Every failure must be a
// CosError with an ERR_ code; no secret may appear in any error; no request leaves the
// process (every fetch is a local stand-in, and a global one counts strays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sts from 'cos-wasm/sts';
import * as upload from 'cos-wasm/upload';
import * as signerEntry from 'cos-wasm';
import * as explain from 'cos-wasm/explain';
import * as hash from 'cos-wasm/hash';

const SECRET = 'SKjsFuzzSecretThatMustNotLeak01';
const TOKEN = 'TKjsFuzzTokenThatMustNotLeak0123';
const TOTAL = Number(process.env.FUZZ_JS_CALLS ?? 1_000_000);

let seed = 0x1d872b41;
/** mulberry32: a small PRNG whose low bits are usable (an LCG's are not, for `pick`). */
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};
const pick = (arr) => arr[Math.floor(rand() * arr.length)];

const OPTION_NAMES = ['secretId', 'secretKey', 'securityToken', 'region', 'endpoint', 'fetch', 'signal', 'timeoutMs', 'name', 'policy', 'durationSeconds',
  'roleArn', 'roleSessionName', 'marginSeconds', 'now', 'key', 'signer', 'presign', 'origin', 'bucket', 'domain', 'protocol', 'port', 'pathStyle',
  'allowInsecureLocal', 'sse', 'headers', 'contentType', 'partSize', 'multipartThreshold', 'concurrency', 'retries', 'expires', 'onProgress',
  'resume', 'store', 'readStallTimeout', 'fields', 'status', 'text', 'body', 'getReader', 'algorithms', 'chunkSize', 'size', 'clockOffset'];

const nowS = () => Math.floor(Date.now() / 1000);
const stsReplies = [
  () => new Response(JSON.stringify({ Response: { Credentials: { TmpSecretId: 'AKIDt', TmpSecretKey: 'k', Token: 't' }, ExpiredTime: nowS() + 600, RequestId: 'r' } })),
  () => new Response(JSON.stringify({ Response: { Error: { Code: SECRET, Message: `echo ${encodeURIComponent(SECRET)} ${TOKEN.toUpperCase()}` }, RequestId: TOKEN } })),
  () => new Response(JSON.stringify({ Response: { Credentials: { TmpSecretId: 'a', TmpSecretKey: 'b', Token: 'c' }, ExpiredTime: 1e300 } })),
  () => new Response('<html>', { status: 502 }),
  () => new Response(null, { status: 307, headers: { location: 'http://evil.example/' } }),
  () => { throw new TypeError(`network ${SECRET} ${TOKEN}`); },
  () => ({ get status() { throw new Error('status'); } }),
  () => 5,
];
const fakeFetch = async () => pick(stsReplies)();
const cosFetch = async (url, init) => (init?.method === 'POST' && String(url).includes('uploads')
  ? new Response('<InitiateMultipartUploadResult><UploadId>U</UploadId></InitiateMultipartUploadResult>')
  : new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403 }));

const throwingGetter = () => Object.defineProperty({}, pick(OPTION_NAMES), { enumerable: true, get() { throw new Error(`getter ${SECRET}`); } });
const throwingProxy = () => new Proxy({}, { get() { throw new Error('trap'); }, getOwnPropertyDescriptor() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); } });
const revokedProxy = () => {
  const r = Proxy.revocable({}, {});
  r.revoke();
  return r.proxy;
};
const deep = (() => {
  const d = {};
  let at = d;
  for (let i = 0; i < 100_000; i++) at = at.a = {};
  return d;
})();
const circular = (() => {
  const c = { statement: [] };
  c.self = c;
  return c;
})();
const hostileResponse = () => pick([
  { headers: { get() { throw new Error('get'); } }, status: 403, text: async () => '' },
  { get headers() { throw new Error('headers'); } },
  { headers: new Headers(), get status() { throw new Error('status'); }, text: async () => '<Error><Code>SignatureDoesNotMatch</Code></Error>' },
  { headers: new Headers({ date: 'nonsense' }), status: 403, text() { throw new Error('text'); } },
  new Response('<Error><Code>RequestTimeTooSkewed</Code><Message>expired</Message></Error>', { status: 403, headers: { date: new Date().toUTCString() } }),
  throwingProxy(),
]);
const hostileReader = () => pick([
  { getReader() { throw new Error('getReader'); } },
  { getReader: () => ({ read: async () => 5, releaseLock() { throw new Error('release'); } }) },
  { getReader: () => ({ read: async () => ({ done: false, value: 'str' }), releaseLock() {} }) },
  { getReader: () => ({ read() { throw new Error('read'); }, releaseLock() {} }) },
]);
class LiarBlob extends Blob {
  get size() {
    return pick([NaN, 1e15, -1, 3 * 1024 * 1024, 2 ** 60]);
  }
}
const fakeSigner = () => pick([
  { signRequest() { throw new Error(`no ${SECRET}`); } },
  { signRequest: () => ({ url: 'https://attacker.example/k', headers: { 'x-cos-server-side-encryption-customer-key': 'k' } }) },
  { signRequest: () => ({ url: 'http://cos.example.com/k', headers: {} }) },
  { get signRequest() { throw new Error('getter'); } },
]);

const scalar = () => pick(['', 'a', '/', '\r\n', `${TOKEN}\r\n`, 'x'.repeat(2000), 'ap-guangzhou', 'examplebucket-1250000000', 'http://127.0.0.1:1/', 'https://attacker.example',
  'ftp://x/', 0, -1, 1.5, NaN, Infinity, 1e300, 2 ** 53, null, undefined, true, 10n, Symbol('s')]);
function value(depth = 0) {
  const r = rand();
  if (depth > 2 || r < 0.35) return scalar();
  if (r < 0.45) return pick([throwingGetter(), throwingProxy(), revokedProxy(), rand() < 0.02 ? deep : circular, circular, hostileResponse(), hostileReader(), fakeSigner(), new LiarBlob(['abc']), new Blob(['x']), new Uint8Array(3)]);
  if (r < 0.5) return [value(depth + 1), value(depth + 1)];
  if (r < 0.55) return () => value(depth + 1);
  const o = {};
  for (let i = 0; i < 4; i++) o[pick(OPTION_NAMES)] = value(depth + 1);
  if (rand() < 0.2) Object.defineProperty(o, pick(OPTION_NAMES), { enumerable: true, get() { throw new Error('getter'); } });
  return o;
}
/** The fuzzed object's own properties (getters not invoked) over a base that reaches deep paths. */
function over(base) {
  const v = value();
  if (typeof v !== 'object' || v === null || rand() < 0.3) return rand() < 0.5 ? v : base;
  try {
    if (Array.isArray(v)) return v;
    return Object.defineProperties({ ...base }, Object.getOwnPropertyDescriptors(v));
  } catch {
    return v; // a revoked or throwing Proxy: given as it is
  }
}

const stsBase = { secretId: 'AKIDfuzz', secretKey: SECRET, securityToken: TOKEN, region: 'ap-guangzhou', name: 'n', policy: '{"statement":[]}', fetch: fakeFetch, timeoutMs: 1000 };
/** `over(stsBase)` with the secrets kept (the leak check looks for these two). */
const overSts = (extra = {}) => {
  const o = over({ ...stsBase, ...extra });
  try {
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) Object.defineProperties(o, { secretKey: { value: SECRET, enumerable: true }, securityToken: { value: TOKEN, enumerable: true } });
  } catch {
    // a Proxy or frozen value: given as it is
  }
  return o;
};
const uploadBase = { key: 'k', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', presign: async () => ({ url: 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/k', headers: {} }), fetch: cosFetch, resume: false, retries: 0 };
const signer = new signerEntry.CosSigner({ secretId: 'AKIDfuzz', secretKey: SECRET });

/**
 * Each export: [label, arguments generator, call]. The generator runs a few hundred times per
 * export up front (the pool); the million calls draw from the pool, as the wasm suite's
 * misuse calls do, so the run measures the package rather than the generator.
 */
const EXPORTS = [
  ['getFederationToken', () => [overSts()], (o) => sts.getFederationToken(o)],
  ['assumeRole', () => [overSts({ roleArn: 'qcs::cam::uin/1:roleName/r', roleSessionName: 's' })], (o) => sts.assumeRole(o)],
  ['credentialsProvider', () => [pick([async () => value(), () => { throw new Error(SECRET); }, value()]), value()], (src, o) => sts.credentialsProvider(src, o)],
  ['credentialsProvider.get', () => [over({ tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c', expiredTime: nowS() + 600 }), pick([undefined, null, value()])],
    (c, o) => sts.credentialsProvider(async () => c, o).get()],
  ['uploadFile', () => [pick([new Blob(['abc']), new LiarBlob(['abc']), value()]), over(uploadBase)], (f, o) => upload.uploadFile(f, o).done],
  ['memoryStore', () => [value(), pick([{ a: 1 }, circular, 10n, throwingGetter(), throwingProxy()])], (id, state) => upload.memoryStore().put(id, state)],
  ['postFormData', () => [over({ fields: { key: 'k' } }), pick(['text', new Blob(['x']), value()]), pick([undefined, 'a.txt', value()])], (f, file, name) => signerEntry.postFormData(f, file, name)],
  ['cosErrorFromResponse', () => [pick([hostileResponse(), value()]), value()], (r, sgn) => signerEntry.cosErrorFromResponse(r, sgn)],
  ['explain.cosErrorFromResponse', () => [pick([hostileResponse(), value()]), value()], (r, sgn) => explain.cosErrorFromResponse(r, sgn)],
  ['clockOffsetFromResponse', () => [pick([hostileResponse(), value()])], (r) => signerEntry.clockOffsetFromResponse(r)],
  ['withClockRetry', () => [pick([signer, value(), { set clockOffset(v) { throw new Error('no'); } }]), pick([scalar(), throwingProxy(), revokedProxy(), async () => 1, async () => { throw Object.assign(new Error('skew'), { name: 'CosError', code: 'ERR_CLOCK_SKEW', clockOffset: 3 }); }])],
    (sg, attempt) => signerEntry.withClockRetry(sg, attempt)],
  ['hashInput', () => [pick([hostileReader(), new LiarBlob(['abc']), value()]), value()], (input, o) => hash.hashInput(input, o)],
  ['verifyResponseCrc64', () => [pick([hostileResponse(), value()]), value()], (r, crc) => hash.verifyResponseCrc64(r, crc)],
];
const POOL = 400;
/** Share of each pool drawn by the deep generator; the rest are cheap misuse (wrong types, traps). */
const DEEP_SHARE = 0.05;
const misuse = () => pick([undefined, null, 5, 'x', 10n, Symbol('m'), [], throwingProxy(), revokedProxy(), throwingGetter()]);
const pool = () => EXPORTS.map(([label, args, fn]) => [label, Array.from({ length: POOL }, (_, i) => (i < POOL * DEEP_SHARE ? args() : Array.from({ length: fn.length }, misuse))), fn]);

function judge(report, label, e) {
  const ok = e instanceof Error && e.name === 'CosError' && typeof e.code === 'string' && /^ERR_[A-Z0-9_]+$/.test(e.code);
  if (!ok) {
    if (report.escaped.length < 20) report.escaped.push(`${label}: ${e?.name}: ${String(e?.message ?? e).slice(0, 200)}`);
    report.escapedCount++;
    return;
  }
  report.codes[e.code] = (report.codes[e.code] ?? 0) + 1;
  const text = `${e.message} ${e.tencentCode ?? ''} ${e.requestId ?? ''}`.toLowerCase();
  for (const s of [SECRET, TOKEN]) {
    if (text.includes(s.toLowerCase()) || text.includes(encodeURIComponent(s).toLowerCase())) {
      if (report.leaked.length < 20) report.leaked.push(`${label}: ${e.message.slice(0, 200)}`);
    }
  }
}

async function run(report, calls, batch, fresh) {
  let entries = pool();
  for (let done = 0; done < calls; ) {
    // a fresh pool now and then: Responses and readers are used up by the calls
    if (fresh && done % fresh === 0) entries = pool();
    const pending = [];
    for (let i = 0; i < batch && done < calls; i++, done++) {
      const [label, argsPool, fn] = entries[Math.floor(rand() * entries.length)];
      report.calls++;
      report.perExport[label] = (report.perExport[label] ?? 0) + 1;
      try {
        const r = fn(...argsPool[Math.floor(rand() * POOL)]);
        if (r && typeof r.then === 'function') pending.push(Promise.resolve(r).then(() => undefined, (e) => judge(report, label, e)));
      } catch (e) {
        judge(report, label, e);
      }
    }
    await Promise.all(pending);
  }
}

test('fuzz (JS-only exports): a million hostile calls, only coded CosErrors, no secret in any error, no request leaves', async () => {
  const t0 = Date.now();
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0; // a million stack traces are most of the time otherwise
  const report = { calls: 0, escaped: [], escapedCount: 0, leaked: [], codes: {}, perExport: {} };
  const strays = [];
  const realFetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  Object.defineProperty(globalThis, 'fetch', { value: async (url) => (strays.push(String(url)), new Response('', { status: 500 })), configurable: true, writable: true });
  try {
    await run(report, TOTAL - Math.min(20_000, TOTAL / 5), 1000, 100_000);
    // the same under a polluted Object.prototype (every option name, fetch, toJSON, then)
    const planted = Object.fromEntries(OPTION_NAMES.map((n) => [n, value()]));
    try {
      for (const [k, v] of Object.entries(planted)) Object.defineProperty(Object.prototype, k, { value: v, configurable: true, writable: true });
      Object.defineProperty(Object.prototype, 'toJSON', { value: () => ({ statement: ['*'] }), configurable: true, writable: true });
      await run(report, Math.min(20_000, TOTAL / 5), 1000, 0);
    } finally {
      for (const k of [...Object.keys(planted), 'toJSON']) delete Object.prototype[k];
    }
  } finally {
    Object.defineProperty(globalThis, 'fetch', realFetch);
    Error.stackTraceLimit = stackTraceLimit;
  }
  if (process.env.FUZZ_JS_PROFILE) {
    for (const [label, args, fn] of EXPORTS) {
      const argv = Array.from({ length: 200 }, args);
      const t = performance.now();
      await Promise.allSettled(Array.from({ length: 2000 }, (_, i) => { try { return fn(...argv[i % 200]); } catch (e) { return undefined; } }));
      console.log(`profile ${label}: ${((performance.now() - t) / 2000 * 1000).toFixed(1)} us/call`);
    }
  }
  console.log(`fuzz-js: ${report.calls} calls in ${Date.now() - t0} ms; per export ${JSON.stringify(report.perExport)}; codes ${JSON.stringify(report.codes)}`);
  assert.deepEqual(report.escaped, [], `only CosErrors may escape (${report.escapedCount})`);
  assert.deepEqual(report.leaked, [], 'no secret in any error');
  assert.ok(report.calls >= TOTAL);
  assert.ok(Object.keys(report.perExport).length === EXPORTS.length, 'every JS export was called');
  // Calls without their own fetch use the runtime's, stubbed here: only the default STS
  // endpoint and the upload's own COS origin may be asked, never a host a value named.
  const allowed = ['https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/', 'https://sts.tencentcloudapi.com/'];
  assert.deepEqual(strays.filter((u) => !allowed.some((a) => u.startsWith(a))), [], 'a request went elsewhere');
});
