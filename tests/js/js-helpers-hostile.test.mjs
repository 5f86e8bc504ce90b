// Issue 25: the JS-only exports held to the wasm core's standard. One regression test per
// finding of the red team (each failed before the fix): `cos-wasm/sts` reading options through
// Object.prototype, raw exceptions from the JS helpers, secrets in STS errors, redirects
// followed with a token, unbounded replies, timeouts a fetch could ignore, malformed
// credentials, a provider without back-off, and the raw SSE-C key left on the wasm stack by
// MD5 on five call paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { getFederationToken, assumeRole, credentialsProvider, cosPolicy } from 'cos-wasm/sts';
import { CosSigner, sseHeaders, copySourceSseHeaders, postFormData, cosErrorFromResponse, clockOffsetFromResponse, withClockRetry, isCosError } from 'cos-wasm';
import { cosErrorFromResponse as explainCosErrorFromResponse } from 'cos-wasm/explain';
import { CustomerKey } from 'cos-wasm/keys';
import { hashInput } from 'cos-wasm/hash';
import { entries } from './all.mjs';

const ID = 'AKIDhostileTest0001';
const KEY = 'HostileSecretKeyValue0123456789';
const TOKEN = 'HostileSessionToken0123456789abcdef';
const REGION = 'ap-guangzhou';
const POLICY = '{"version":"2.0","statement":[]}';
const nowS = () => Math.floor(Date.now() / 1000);
const ok = (over = {}) => ({ Response: { Credentials: { TmpSecretId: 'AKIDtmp', TmpSecretKey: 'tmpkey', Token: 'tmptoken' }, ExpiredTime: nowS() + 1800, Expiration: '2030-01-01T00:00:00Z', RequestId: 'r-1', ...over } });
const replying = (body, init) => async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), init);
const base = (over = {}) => ({ secretId: ID, secretKey: KEY, region: REGION, name: 'alice', policy: POLICY, fetch: replying(ok()), ...over });

/** The CosError a promise rejects with (asserting the code, and that no secret is in it in any form). */
async function rejects(promise, code, secrets = [KEY, TOKEN]) {
  let thrown;
  try {
    await promise;
  } catch (e) {
    thrown = e;
  }
  assert.ok(isCosError(thrown), `expected CosError ${code}, got ${thrown?.stack ?? thrown}`);
  assert.equal(thrown.code, code, thrown.message);
  const text = `${thrown.message} ${thrown.tencentCode ?? ''} ${thrown.requestId ?? ''} ${String(thrown.cause ?? '')}`.toLowerCase();
  for (const s of secrets) {
    for (const form of [s, encodeURIComponent(s)]) assert.ok(!text.includes(form.toLowerCase()), `a secret in the error: ${thrown.message}`);
  }
  return thrown;
}

const STS_OPTIONS = ['secretId', 'secretKey', 'securityToken', 'region', 'endpoint', 'fetch', 'signal', 'timeoutMs', 'name', 'policy', 'durationSeconds'];

test('sts: a redirect is never followed: the signed request and X-TC-Token stay with the endpoint', async () => {
  const seen = [];
  const elsewhere = http.createServer((req, res) => (seen.push(req.headers), res.end(JSON.stringify(ok()))));
  await new Promise((r) => elsewhere.listen(0, '127.0.0.1', r));
  const redirector = http.createServer((req, res) => {
    res.writeHead(307, { Location: `http://localhost:${elsewhere.address().port}/` });
    res.end();
  });
  await new Promise((r) => redirector.listen(0, '127.0.0.1', r));
  try {
    const opts = base({ securityToken: TOKEN, endpoint: `http://127.0.0.1:${redirector.address().port}/` });
    delete opts.fetch;
    const e = await rejects(getFederationToken(opts), 'ERR_STS_BAD_RESPONSE');
    assert.equal(e.httpStatus, 307);
    assert.deepEqual(seen, []);
    // a fetch that reports a followed redirect is refused too
    const followed = async () => Object.defineProperty(new Response(JSON.stringify(ok())), 'redirected', { value: true });
    await rejects(getFederationToken(base({ fetch: followed })), 'ERR_STS_BAD_RESPONSE');
  } finally {
    for (const server of [redirector, elsewhere]) {
      server.closeAllConnections();
      server.close();
    }
  }
});

test('sts: no option is read from a polluted Object.prototype; Object.prototype.fetch never sees the request', async () => {
  const stolen = [];
  const planted = { secretId: ID, secretKey: KEY, securityToken: TOKEN, region: REGION, endpoint: 'http://127.0.0.1:1/', signal: 1, timeoutMs: 1, name: 'evil', policy: POLICY, durationSeconds: 9 };
  try {
    Object.prototype.fetch = async (url, init) => (stolen.push(init), new Response(JSON.stringify(ok({ Credentials: { TmpSecretId: 'FORGED', TmpSecretKey: 'forged', Token: 'forged' } }))));
    for (const [k, v] of Object.entries(planted)) Object.prototype[k] = v;
    // Own options only: a missing secretKey is missing, whatever the prototype says.
    await rejects(getFederationToken({ secretId: ID, region: REGION, name: 'a', policy: POLICY, fetch: replying(ok()) }), 'ERR_INVALID_ARGUMENT');
    // No own fetch: the runtime's (here the test's global stub), never Object.prototype's.
    const realFetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    const sent = [];
    Object.defineProperty(globalThis, 'fetch', { value: async (url, init) => (sent.push(init), new Response(JSON.stringify(ok()))), configurable: true, writable: true });
    try {
      const c = await getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, name: 'a', policy: POLICY });
      assert.equal(c.tmpSecretId, 'AKIDtmp');
      assert.equal(sent.length, 1);
      assert.equal(sent[0].headers['X-TC-Token'], undefined, 'the planted securityToken was sent');
      assert.equal(JSON.parse(sent[0].body).DurationSeconds, 1800, 'the planted durationSeconds was used');
    } finally {
      Object.defineProperty(globalThis, 'fetch', realFetch);
    }
    const p = credentialsProvider(async () => ({ tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c', expiredTime: nowS() + 1000 }));
    Object.prototype.now = () => 0;
    Object.prototype.marginSeconds = -5;
    assert.equal((await credentialsProvider(async () => ({ tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c', expiredTime: nowS() + 1000 }), {}).get()).tmpSecretId, 'a');
    assert.equal((await p.get()).tmpSecretId, 'a');
  } finally {
    for (const k of [...Object.keys(planted), 'fetch', 'now', 'marginSeconds']) delete Object.prototype[k];
  }
  assert.deepEqual(stolen, []);
});

test('sts: every throwing option getter, a Proxy trap and wrong types are coded', async () => {
  for (const name of STS_OPTIONS) {
    const opts = base();
    Object.defineProperty(opts, name, { enumerable: true, get() { throw new Error(`getter ${KEY}`); } });
    const e = await rejects(getFederationToken(opts), 'ERR_INVALID_ARGUMENT');
    assert.match(e.message, new RegExp(name));
    if (name !== 'name') await rejects(assumeRole(Object.defineProperties(base({ roleArn: 'qcs::cam::uin/1:roleName/r', roleSessionName: 's' }), Object.getOwnPropertyDescriptors(opts))), 'ERR_INVALID_ARGUMENT');
  }
  const trap = new Proxy(base(), { getOwnPropertyDescriptor() { throw new Error('trap'); } });
  await rejects(getFederationToken(trap), 'ERR_INVALID_ARGUMENT');
  for (const bad of [null, 5, 'x', [], () => {}]) await rejects(getFederationToken(bad), 'ERR_INVALID_ARGUMENT');
  await rejects(getFederationToken(base({ secretKey: 5 })), 'ERR_INVALID_ARGUMENT');
  await rejects(getFederationToken(base({ signal: { addEventListener: 1 } })), 'ERR_INVALID_ARGUMENT');
  await rejects(getFederationToken(base({ endpoint: 5 })), 'ERR_INVALID_URL');
  await rejects(getFederationToken(base({ endpoint: 'ftp://127.0.0.1/' })), 'ERR_INVALID_URL');
  await rejects(getFederationToken(base({ endpoint: 'http://127.0.0.1.nip.io/' })), 'ERR_INVALID_URL');
  await rejects(getFederationToken(base({ endpoint: 'https://u:p@sts.example/' })), 'ERR_INVALID_URL');
});

test('sts: a policy whose toJSON throws, BigInt, circular, 100k-deep or polluted is ERR_INVALID_CAM_POLICY', async () => {
  const deep = {};
  let at = deep;
  for (let i = 0; i < 100_000; i++) at = at.a = {};
  const circular = { statement: [] };
  circular.self = circular;
  const cases = [
    { statement: [], toJSON() { throw new Error('toJSON'); } },
    { statement: [10n] },
    circular,
    deep,
    { statement: [], get x() { throw new Error('get'); } },
    new Proxy({ statement: [] }, { ownKeys() { throw new Error('trap'); } }),
    { statement: [() => 1] },
    { statement: [Symbol('s')] },
    { statement: [NaN] },
    { statement: ['x'.repeat(70_000)] },
  ];
  for (const policy of cases) await rejects(getFederationToken(base({ policy })), 'ERR_INVALID_CAM_POLICY');
  // A polluted Object.prototype.toJSON is never called: the policy's own properties are sent.
  let sent;
  const reply = JSON.stringify(ok());
  await new Response(reply).text(); // the runtime's fetch is loaded before the pollution
  try {
    Object.prototype.toJSON = () => ({ statement: [{ effect: 'allow', action: ['*'], resource: ['*'] }] });
    await getFederationToken(base({ policy: { version: '2.0', statement: [] }, fetch: async (u, init) => ((sent = init), new Response(reply)) }));
  } finally {
    delete Object.prototype.toJSON;
  }
  assert.equal(decodeURIComponent(JSON.parse(sent.body).Policy), '{"version":"2.0","statement":[]}');
});

test('sts: replies with ExpiredTime 1e300, expired, malformed or huge credentials are ERR_STS_BAD_RESPONSE', async () => {
  const bad = [
    ok({ ExpiredTime: 1e300 }),
    ok({ ExpiredTime: nowS() - 10 }),
    ok({ ExpiredTime: nowS() + 10 * 86400 }),
    ok({ ExpiredTime: '1800' }),
    ok({ Credentials: { TmpSecretId: 'a', TmpSecretKey: 'b\r\nX-Evil: 1', Token: 't' } }),
    ok({ Credentials: { TmpSecretId: 'a', TmpSecretKey: 'b', Token: 'x'.repeat(20_000) } }),
    ok({ Credentials: null }),
    { Response: 5 },
    'not json',
  ];
  for (const body of bad) await rejects(getFederationToken(base({ fetch: replying(body) })), 'ERR_STS_BAD_RESPONSE');
  // A reply whose getters throw.
  const hostile = { get status() { throw new Error('status'); } };
  await rejects(getFederationToken(base({ fetch: async () => hostile })), 'ERR_STS_BAD_RESPONSE');
  await rejects(getFederationToken(base({ fetch: async () => 5 })), 'ERR_STS_BAD_RESPONSE');
  const c = await getFederationToken(base({ fetch: replying(ok({ Expiration: '<script>'.repeat(10) })) }));
  assert.match(c.expiration, /^\d{4}-\d\d-\d\dT/);
});

test('sts: a reply is read up to a cap, never buffered whole (200 MB of body, read lazily)', async () => {
  let pulled = 0;
  let cancelled = false;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  // a reply of 200 MB, delivered chunk by chunk as long as it is read
  const reader = { read: async () => (pulled >= 200e6 ? { done: true } : ((pulled += chunk.length), { done: false, value: chunk })), cancel: async () => { cancelled = true; }, releaseLock() {} };
  const reply = { status: 200, headers: new Headers(), body: { getReader: () => reader } };
  await rejects(getFederationToken(base({ fetch: async () => reply })), 'ERR_STS_BAD_RESPONSE');
  assert.ok(pulled < 1024 * 1024, `read ${pulled} bytes of the reply`);
  assert.ok(cancelled, 'the rest of the reply is cancelled');
});

test('sts: timeoutMs ends the call even when fetch ignores the signal', async () => {
  const t0 = Date.now();
  await rejects(getFederationToken(base({ timeoutMs: 100, fetch: () => new Promise(() => {}) })), 'ERR_TIMEOUT');
  // a body that never ends, from a fetch that ignores the signal
  await rejects(getFederationToken(base({ timeoutMs: 100, fetch: async () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) })) })), 'ERR_TIMEOUT');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await rejects(getFederationToken(base({ signal: ac.signal, fetch: () => new Promise(() => {}) })), 'ERR_ABORTED');
  assert.ok(Date.now() - t0 < 2000);
});

test('sts: no secret in any error: CR/LF/NUL tokens, runtime network text, echoes URL-encoded or upper-cased, in Code or RequestId', async () => {
  for (const token of [`${TOKEN}\r\n`, `${TOKEN}\0`, `a\nb${TOKEN}`]) {
    await rejects(getFederationToken(base({ securityToken: token })), 'ERR_INVALID_ARGUMENT', [token, TOKEN]);
  }
  // The runtime's error text (which may quote a header) is not repeated, nor kept as `cause`.
  const e = await rejects(getFederationToken(base({ securityToken: TOKEN, fetch: async () => { throw new TypeError(`invalid header value ${TOKEN} ${KEY}`); } })), 'ERR_NETWORK');
  assert.equal(e.cause, undefined);
  const SPECIAL = `${TOKEN}/+=`;
  const echoes = [
    [TOKEN, { Code: TOKEN, Message: 'm' }],
    [SPECIAL, { Code: 'AuthFailure', Message: `token ${encodeURIComponent(SPECIAL)} key ${KEY.toUpperCase()}` }],
    [SPECIAL, { Code: 'AuthFailure', Message: `key ${encodeURIComponent(KEY).toLowerCase()} ${encodeURIComponent(SPECIAL).toLowerCase()} ${SPECIAL.toUpperCase()}` }],
  ];
  for (const [token, Error] of echoes) {
    const err = await rejects(getFederationToken(base({ securityToken: token, fetch: replying({ Response: { Error, RequestId: token } }) })), 'ERR_STS', [KEY, token]);
    assert.equal(err.requestId, undefined);
  }
});

test('credentialsProvider: options null or hostile, a throwing source, expired credentials, back-off', async () => {
  const good = () => ({ tmpSecretId: 'a', tmpSecretKey: 'b', sessionToken: 'c', expiredTime: nowS() + 1000 });
  assert.equal((await credentialsProvider(async () => good(), null).get()).tmpSecretId, 'a');
  const getterOpts = Object.defineProperty({}, 'now', { enumerable: true, get() { throw new Error('now'); } });
  assert.throws(() => credentialsProvider(async () => good(), getterOpts), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  assert.throws(() => credentialsProvider(async () => good(), 5), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  await rejects(credentialsProvider(async () => good(), { now: () => { throw new Error('x'); } }).get(), 'ERR_INVALID_ARGUMENT');
  await rejects(credentialsProvider(async () => good(), { now: () => NaN }).get(), 'ERR_INVALID_ARGUMENT');
  await rejects(credentialsProvider(async () => { throw new RangeError('boom'); }).get(), 'ERR_INVALID_CREDENTIALS');
  await rejects(credentialsProvider(() => { throw 5; }).get(), 'ERR_INVALID_CREDENTIALS');
  for (const c of [{ ...good(), expiredTime: nowS() - 1 }, { ...good(), expiredTime: 1e300 }, { ...good(), expiredTime: Date.now() + 1e6 }, { ...good(), tmpSecretKey: 'a\nb' }, null, new Proxy({}, { getOwnPropertyDescriptor() { throw new Error('t'); } })]) {
    await rejects(credentialsProvider(async () => c).get(), 'ERR_INVALID_CREDENTIALS');
  }
  // Back-off: a failing source is called once per window, doubling, not on every call.
  let t = 1_000_000_000_000;
  let calls = 0;
  const failing = credentialsProvider(async () => { calls++; throw new Error('down'); }, { now: () => t });
  for (let i = 0; i < 50; i++) await rejects(failing.get(), 'ERR_INVALID_CREDENTIALS');
  assert.equal(calls, 1);
  t += 1000;
  await rejects(failing.get(), 'ERR_INVALID_CREDENTIALS');
  assert.equal(calls, 2);
  t += 1000; // the second window is 2 s
  await rejects(failing.get(), 'ERR_INVALID_CREDENTIALS');
  assert.equal(calls, 2);
  t += 1000;
  await rejects(failing.get(), 'ERR_INVALID_CREDENTIALS');
  assert.equal(calls, 3);
});

test('signer-entry helpers: postFormData with a string file, withClockRetry, clockOffsetFromResponse and cosErrorFromResponse answer hostile input with CosErrors', async () => {
  const form = { fields: { key: 'a.txt', policy: 'p' } };
  const data = postFormData(form, 'text', 'a.txt');
  assert.equal(await data.get('file').text(), 'text');
  assert.equal(data.get('file').name, 'a.txt');
  assert.equal(postFormData(form, 'text').get('file'), 'text');
  const throwingFields = { get fields() { throw new Error('f'); } };
  assert.throws(() => postFormData(throwingFields, 'x'), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  assert.throws(() => postFormData({ fields: Object.defineProperty({}, 'a', { enumerable: true, get() { throw new Error('g'); } }) }, 'x'), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  assert.throws(() => postFormData({ fields: { a: 'b' } }, new Proxy({}, { getPrototypeOf() { throw new Error('p'); } })), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  await rejects(withClockRetry(signer, 5), 'ERR_INVALID_ARGUMENT');
  await rejects(withClockRetry(5, async () => 1), 'ERR_INVALID_ARGUMENT');
  const skew = Object.assign(new Error('skew'), { name: 'CosError', code: 'ERR_CLOCK_SKEW', clockOffset: 5 });
  const lockedSigner = { set clockOffset(v) { throw new Error('no'); } };
  await rejects(withClockRetry(lockedSigner, async () => { throw skew; }), 'ERR_INVALID_ARGUMENT');
  const hostileHeaders = [
    { headers: { get() { throw new Error('get'); } } },
    { get headers() { throw new Error('headers'); } },
    { headers: { get: () => 5 } },
    { headers: new Proxy({}, { get() { throw new Error('trap'); } }) },
    5,
    null,
  ];
  for (const r of hostileHeaders) assert.throws(() => clockOffsetFromResponse(r), (e) => isCosError(e) && e.code === 'ERR_INVALID_ARGUMENT');
  const throwingStatus = { headers: new Headers(), get status() { throw new Error('status'); }, text: async () => '' };
  for (const fn of [cosErrorFromResponse, explainCosErrorFromResponse]) {
    for (const r of [...hostileHeaders, throwingStatus, { headers: new Headers(), status: 403, text() { throw new Error('t'); } }]) {
      const out = await fn(r).catch((e) => e);
      assert.ok(isCosError(out), `${out}`);
    }
  }
});

test('hashInput: a hostile reader, Blob or callback is a CosError', async () => {
  const readers = [
    { getReader() { throw new Error('getReader'); } },
    { get getReader() { throw new Error('getter'); } },
    { getReader: () => ({ read() { throw new Error('read'); }, releaseLock() {} }) },
    { getReader: () => ({ read: async () => 5, releaseLock() { throw new Error('release'); } }) },
    { getReader: () => ({ read: async () => ({ get done() { throw new Error('done'); } }), releaseLock() {} }) },
    { getReader: () => ({ read: async () => ({ done: false, value: 'str' }), releaseLock() {} }) },
    { getReader: () => 5 },
  ];
  for (const r of readers) await rejects(hashInput(r), 'ERR_INVALID_ARGUMENT');
  class Liar extends Blob {
    get size() { return this.lie; }
  }
  for (const lie of [NaN, 1e15, -1, 10]) {
    const b = new Liar(['abc']);
    b.lie = lie;
    const e = await hashInput(b).catch((x) => x);
    assert.ok(isCosError(e) && ['ERR_INVALID_ARGUMENT', 'ERR_FILE_NOT_READABLE'].includes(e.code), `${lie}: ${e}`);
  }
  await rejects(hashInput(new Uint8Array(4), { onProgress() { throw new Error('p'); } }), 'ERR_INVALID_ARGUMENT');
  await rejects(hashInput(new Uint8Array(4), { algorithms: new Proxy([], { getOwnPropertyDescriptor() { throw new Error('t'); } }) }), 'ERR_INVALID_ARGUMENT');
});

// The linear memory of every entry, scanned for a secret's bytes.
const memory = () => Buffer.concat(Object.values(entries).map((e) => new Uint8Array(e.initSync({ module: new Uint8Array() }).memory.buffer)));
const inMemory = (bytes) => memory().indexOf(Buffer.from(bytes)) >= 0;

test('MD5 of an SSE-C key leaves no key bytes on the wasm stack, on the five call paths', () => {
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  const ep = { bucket: 'examplebucket-1250000000', region: REGION, keyTime: '1557989151;1557996351' };
  const paths = {
    sseHeaders: (k) => sseHeaders({ type: 'SSE-C', key: k }, 'PutObject'),
    copySourceSseHeaders: (k) => copySourceSseHeaders(k),
    refusedSignRequest: (k) => { try { signer.signRequest({ ...ep, method: 'GET', key: 'a', protocol: 'http', sse: { type: 'SSE-C', key: k } }); } catch (e) { if (!isCosError(e)) throw e; } },
    presignWrongKeyMd5: (k) => { try { signer.presignRequest({ ...ep, method: 'GET', key: 'a', sse: { type: 'SSE-C', key: k, keyMd5: 'AAAAAAAAAAAAAAAAAAAAAA==' } }); } catch (e) { if (!isCosError(e)) throw e; } },
    md5Base64Getter: (k) => { const key = CustomerKey.fromBase64('AES256', k); void key.md5Base64; key.free(); },
  };
  let seed = 0x51;
  for (const [name, call] of Object.entries(paths)) {
    for (let run = 0; run < 5; run++) {
      const raw = Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7 + run * 13) & 0xff);
      seed++;
      call(Buffer.from(raw).toString('base64'));
      assert.ok(!inMemory(raw), `${name} (run ${run}): the raw key is still in wasm memory`);
    }
  }
});

test('explain: an error body over the cap is ERR_INVALID_XML before it is copied into wasm memory', async () => {
  const { explainSignatureMismatch, parseCosErrorXml, initSync } = await import('cos-wasm/explain');
  const memory = () => initSync({ module: new Uint8Array() }).memory.buffer.byteLength;
  const before = memory();
  const huge = `<Error><Code>SignatureDoesNotMatch</Code><Message>${'x'.repeat(100 * 1024 * 1024)}</Message></Error>`;
  for (const fn of [(x) => parseCosErrorXml(x), (x) => explainSignatureMismatch(x, 'https://b.cos.r.myqcloud.com/k')]) {
    assert.throws(() => fn(huge), (e) => isCosError(e) && e.code === 'ERR_INVALID_XML');
  }
  assert.equal(memory(), before, 'the wasm memory grew');
});
