// Regression tests from the boundary review: hostile JS values, two module copies,
// secret copies left in wasm memory, look-alike loopback hosts, lone surrogates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createHmac } from 'node:crypto';
import { api as esm, entries } from './all.mjs';
import { assertCosError } from './helpers.mjs';

const { CosSigner, CustomerKey, Crc64, Md5 } = esm;
const memory = () => Buffer.from(Buffer.concat(Object.values(entries).map((e) => new Uint8Array(e.initSync({ module: new Uint8Array() }).memory.buffer))));
const count = (needle) => {
  const m = memory();
  const n = Buffer.from(needle);
  let c = 0;
  for (let i = m.indexOf(n); i >= 0; i = m.indexOf(n, i + 1)) c++;
  return c;
};
const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };

test('throwing getters, proxies and detached buffers are CosErrors and poison nothing', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const boom = { get a() { throw new Error('getter'); } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); }, get() { throw new Error('trap'); } });
  assertCosError(() => s.authorization({ method: 'GET', key: 'a', headers: boom, expires: 60 }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.signRequest({ method: 'PUT', key: 'a', ...ep, query: proxy, expires: 60 }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.authorization({ method: 'GET', key: 'a', signHeaders: proxy, expires: 60 }), 'ERR_INVALID_ARGUMENT');
  assert.match(s.authorization({ method: 'GET', key: 'a', expires: 60 }), /^q-sign-algorithm=sha1/);
  s.free(); // still possible: nothing was left borrowed
  const buf = new ArrayBuffer(8);
  const view = new DataView(buf);
  structuredClone(buf, { transfer: [buf] });
  const crc = new Crc64();
  assertCosError(() => crc.update(view), 'ERR_INVALID_ARGUMENT');
  crc.update(new TextEncoder().encode('123456789'));
  assert.equal(crc.digest(), '11051210869376104954');
  // A genuine view whose own `byteLength` lies: its real bytes (read through the internal
  // slots) are hashed, never 1e9 bytes of wasm memory.
  const md5 = new Md5();
  const forged = new DataView(new ArrayBuffer(4));
  Object.defineProperty(forged, 'byteLength', { value: 1e9 });
  md5.update(forged);
  const plain = new Md5();
  plain.update(new Uint8Array(4));
  assert.equal(md5.digestHex(), plain.digestHex());
  plain.free();
  md5.free();
  crc.free();
});

test('a key from the CommonJS copy is refused by the ESM copy, not swapped for another', () => {
  const cjs = Object.assign({}, ...['cos-wasm', 'cos-wasm/keys', 'cos-wasm/hash'].map(createRequire(import.meta.url)));
  const fromCjs = cjs.CustomerKey.fromHex('AES256', '11'.repeat(32));
  const fromEsm = CustomerKey.fromHex('AES256', '22'.repeat(32));
  // The keys entry refuses a wrapping key of the other copy (handles are per instance) …
  const wrapping = cjs.WrappingKey.generate('AES-256-GCM');
  assertCosError(() => fromEsm.wrap(wrapping, { aad: 'a' }), 'ERR_INVALID_ARGUMENT');
  wrapping.free();
  // … while the signer entry, which never holds keys, reads either copy's key through its
  // class getters: the right key, never another with the same handle number.
  for (const key of [fromCjs, fromEsm]) {
    assert.equal(esm.sseHeaders({ type: 'SSE-C', key }, 'PutObject')['x-cos-server-side-encryption-customer-key-MD5'], key.md5Base64);
  }
  assertCosError(() => esm.sseHeaders({ type: 'SSE-C', key: { __cosKeyHandle: 1 } }, 'PutObject'), 'ERR_INVALID_ARGUMENT');
  fromCjs.free();
  assertCosError(() => esm.sseHeaders({ type: 'SSE-C', key: fromCjs }, 'PutObject'), 'ERR_USE_AFTER_FREE');
  fromEsm.free();
});

test('no copy of the secret key, SignKey, token or SSE-C key stays in wasm memory', () => {
  const SK = 'SKsecretKeyThatMustBeWiped42';
  const TOK = 'TOKsessionTokenThatMustBeWiped';
  const keyBytes = Buffer.alloc(32).map((_, i) => 0x61 + i);
  const keyB64 = keyBytes.toString('base64');
  {
    const s = new CosSigner({ secretId: 'AKIDx', secretKey: SK, securityToken: TOK });
    const key = CustomerKey.fromBase64('AES256', keyB64);
    void key.keyBase64;
    s.signRequest({ method: 'PUT', key: 'a', ...ep, keyTime: '1;2', sse: { type: 'SSE-C', key: keyB64 } });
    s.presignRequest({ method: 'GET', key: 'a', ...ep, keyTime: '1;2', sse: { type: 'SSE-C', key } });
    s.presignUrl({ method: 'GET', key: 'a', ...ep, keyTime: '1;2', headers: { 'x-cos-server-side-encryption-customer-key': keyB64 } });
    s.postObjectForm({ key: 'a', ...ep, keyTime: '1;2', sse: { type: 'SSE-C', key } });
    s.signPostPolicy({ policy: { conditions: [] }, keyTime: '1;2' });
    s.authorization({ method: 'GET', key: 'a', keyTime: '1;2', headers: { 'x-cos-security-token': TOK } });
    key.free();
    s.free();
  }
  const signKey = createHmac('sha1', SK).update('1;2').digest('hex');
  for (const [name, needle] of Object.entries({ SK, TOK, keyB64, keyEnc: encodeURIComponent(keyB64), raw: keyBytes, signKey })) {
    assert.equal(count(needle), 0, `${name} left in wasm memory`);
  }
});

test('allowInsecureLocal only for real loopback hosts; lone surrogates refused', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const key = CustomerKey.generate();
  for (const domain of ['127.0.0.1.nip.io', '127.evil.example']) {
    assertCosError(() => s.signRequest({ method: 'PUT', key: 'a', ...ep, domain, protocol: 'http', allowInsecureLocal: true, sse: { type: 'SSE-C', key }, expires: 60 }), 'ERR_SSE_C_REQUIRES_HTTPS');
  }
  assert.ok(s.signRequest({ method: 'PUT', key: 'a', ...ep, domain: '127.0.0.1', port: 9000, pathStyle: true, protocol: 'http', allowInsecureLocal: true, sse: { type: 'SSE-C', key }, expires: 60 }).url.startsWith('http://127.0.0.1:9000/'));
  // The low-level presignUrl refuses raw SSE-C key headers over http too.
  const raw = { 'x-cos-server-side-encryption-customer-key': key.keyBase64 };
  assertCosError(() => s.presignUrl({ method: 'GET', key: 'a', ...ep, protocol: 'http', headers: raw, expires: 60 }), 'ERR_SSE_C_REQUIRES_HTTPS');
  assert.match(s.presignUrl({ method: 'GET', key: 'a', ...ep, headers: raw, expires: 60 }), /^https:/);
  assertCosError(() => s.authorization({ method: 'GET', key: 'x\ud800y', expires: 60 }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.postObjectForm({ key: 'x\udc00', ...ep, expires: 60 }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.authorization({ method: 'GET', key: 'a', query: { q: 'v\ud800' }, expires: 60 }), 'ERR_INVALID_QUERY_VALUE');
  key.free();
});

test('tc3Authorization leaves no copy of the secret key or derived TC3 keys in wasm memory', () => {
  const SK = 'TC3secretKeyThatMustBeWiped7';
  const opts = { secretId: 'AKIDx', secretKey: SK, method: 'POST', url: 'https://sts.tencentcloudapi.com/', contentType: 'application/json', body: '{}', timestamp: 1700000000, service: 'sts' };
  esm.tc3Authorization(opts);
  esm.tc3Authorization({ ...opts, body: new Uint8Array([123, 125]) });
  assertCosError(() => esm.tc3Authorization({ ...opts, url: 'bad url' }), 'ERR_INVALID_URL', [SK]);
  const kDate = createHmac('sha256', `TC3${SK}`).update('2023-11-14').digest();
  const kService = createHmac('sha256', kDate).update('sts').digest();
  const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
  for (const [name, needle] of Object.entries({ SK, kDate, kService, kSigning })) {
    assert.equal(count(needle), 0, `${name} left in wasm memory`);
  }
});

test('an option getter that re-enters the module reads options correctly on both levels', () => {
  // Option names are kept as JS strings between calls (src/wasm/options.rs); a getter
  // that signs while the outer call reads its options must not disturb either call.
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const keyTime = '1700000000;1700003600';
  const plain = { method: 'PUT', key: 'a.txt', keyTime, headers: { 'content-type': 'text/plain' } };
  const want = s.authorization(plain);
  let inner;
  const reentrant = {
    get method() {
      inner = s.authorization({ ...plain, key: 'b.txt' });
      return 'PUT';
    },
    key: 'a.txt',
    keyTime,
    headers: { 'content-type': 'text/plain' },
  };
  assert.equal(s.authorization(reentrant), want);
  assert.equal(inner, s.authorization({ ...plain, key: 'b.txt' }));
  assert.equal(s.authorization(plain), want);
  s.free();
});
