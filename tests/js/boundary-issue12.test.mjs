// Regression tests for issue 12, one per finding: nothing unwinds through wasm, lifetimes are
// guarded, options are own properties only, header values are signed as they travel, the JS
// helpers validate. Each failed before the fix (raw TypeErrors, a dead module, polluted
// options taking effect, boolean headers refused, untrimmed values signed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api as cos, entries } from './all.mjs';
import { assertCosError } from './helpers.mjs';
import { hostileBuffers, OPTION_NAMES } from './fuzz-suite.mjs';

const { CosSigner, CustomerKey, WrappingKey, Crc64, Md5, Sha1 } = cos;
const memory = () => Buffer.concat(Object.values(entries).map((e) => new Uint8Array(e.initSync({ module: new Uint8Array() }).memory.buffer)));
const count = (needle) => Buffer.from(memory()).indexOf(Buffer.from(needle)) >= 0;
const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
const fixed = { method: 'GET', key: 'a.txt', keyTime: '1557989151;1557996351' };

test('look-alike bytes are ERR_INVALID_ARGUMENT everywhere bytes are taken; the object stays usable and freeable', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const key = CustomerKey.generate('AES256');
  const wrapping = WrappingKey.generate('AES-256-GCM');
  const crc = new Crc64();
  const md5 = new Md5();
  for (const bad of hostileBuffers()) {
    assertCosError(() => s.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-C', key: bad } }), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => CustomerKey.fromBytes('AES256', bad), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => WrappingKey.fromBytes('AES-256-GCM', bad), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => key.wrap(wrapping, { aad: bad }), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => CustomerKey.deriveHkdf({ master: bad, bucket: 'b-1', key: 'k' }), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => CustomerKey.deriveHkdf({ master: new Uint8Array(32), salt: bad, bucket: 'b-1', key: 'k' }), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => crc.update(bad), 'ERR_INVALID_ARGUMENT');
    assertCosError(() => md5.update(bad), 'ERR_INVALID_ARGUMENT');
  }
  // Accepted: any typed array, DataView or ArrayBuffer, as the bytes it views.
  const raw = new Uint8Array(32).fill(7);
  const md5Of = (k) => k.md5Base64;
  const viaU8 = CustomerKey.fromBytes('AES256', raw);
  for (const v of [raw.buffer, new DataView(raw.buffer), new Uint32Array(raw.buffer), new Uint16Array(raw.buffer)]) {
    const k = CustomerKey.fromBytes('AES256', v);
    assert.equal(md5Of(k), md5Of(viaU8));
    k.free();
  }
  viaU8.free();
  crc.update(new TextEncoder().encode('123456789'));
  assert.equal(crc.digest(), '11051210869376104954');
  for (const o of [s, key, wrapping, crc, md5]) o.free(); // nothing was left borrowed
});

test('thousands of bad keys, calls on freed objects and double frees leave the module healthy', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const good = s.authorization(fixed);
  const forged = Object.setPrototypeOf({}, Uint8Array.prototype);
  for (let i = 0; i < 3000; i++) assertCosError(() => s.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-C', key: forged } }), 'ERR_INVALID_ARGUMENT');
  const freed = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  freed.free();
  for (let i = 0; i < 10000; i++) assertCosError(() => freed.authorization(fixed), 'ERR_USE_AFTER_FREE');
  for (let i = 0; i < 70000; i++) freed.free();
  assert.equal(new CosSigner({ secretId: 'AKIDx', secretKey: 'k' }).authorization(fixed), good);
  s.free();
});

test('methods and getters of freed objects are ERR_USE_AFTER_FREE; free() twice and [Symbol.dispose] are no-ops', () => {
  const objects = {
    signer: [new CosSigner({ secretId: 'AKIDx', secretKey: 'k' }), (o) => o.authorization(fixed)],
    key: [CustomerKey.generate('AES256'), (o) => o.md5Base64],
    wrapping: [WrappingKey.generate('AES-256-GCM'), (o) => o.fingerprint],
    crc: [new Crc64(), (o) => o.update(new Uint8Array(1))],
    md5: [new Md5(), (o) => o.digestHex()],
    sha1: [new Sha1(), (o) => o.digestHex()],
  };
  for (const [name, [o, use]] of Object.entries(objects)) {
    assert.equal(typeof o[Symbol.dispose], 'function', name);
    o[Symbol.dispose]();
    o.free();
    o[Symbol.dispose]();
    assertCosError(() => use(o), 'ERR_USE_AFTER_FREE');
  }
  // A forged instance (prototype only, no wasm object behind it).
  assertCosError(() => Object.create(CosSigner.prototype).authorization(fixed), 'ERR_USE_AFTER_FREE');
  assertCosError(() => cos.sseHeaders({ type: 'SSE-C', key: Object.create(CustomerKey.prototype) }, 'PutObject'), 'ERR_USE_AFTER_FREE');
});

test('free() from a getter during a call is deferred; the call completes and the secret is wiped after it', () => {
  const secret = 'SKreentrantSecretToBeWiped12345';
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: secret });
  const expected = new CosSigner({ secretId: 'AKIDx', secretKey: secret });
  const want = expected.authorization(fixed);
  expected.free();
  const got = s.authorization({ ...fixed, get method() { s.free(); return 'GET'; } });
  assert.equal(got, want);
  assertCosError(() => s.authorization(fixed), 'ERR_USE_AFTER_FREE');
  s.free();
  assert.equal(count(secret), false, 'the secret key stays in wasm memory');

  const keyBytes = new Uint8Array(32).map((_, i) => 0xc0 + i);
  const k = CustomerKey.fromBytes('AES256', keyBytes);
  const wrapping = WrappingKey.generate('AES-256-GCM');
  assert.match(k.wrap(wrapping, { get aad() { k.free(); return 'ctx'; } }), /^cosk1\./);
  assertCosError(() => k.md5Base64, 'ERR_USE_AFTER_FREE');
  assert.equal(count(keyBytes), false, 'the customer key stays in wasm memory');
  wrapping.free();
});

test('a throwing getter, Proxy trap or toJSON is a CosError naming the option, never an absent option', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const throwing = (base, name) => Object.defineProperty({ ...base }, name, { enumerable: true, get() { throw new Error('boom'); } });
  const e1 = assertCosError(() => s.signRequest(throwing({ ...fixed, ...ep, method: 'PUT' }, 'sse')), 'ERR_INVALID_ARGUMENT');
  assert.match(e1.message, /`sse`/);
  const e2 = assertCosError(() => s.postObjectForm(throwing({ ...ep, key: 'a', keyTime: '1;2' }, 'contentLengthRange')), 'ERR_INVALID_ARGUMENT');
  assert.match(e2.message, /`contentLengthRange`/);
  assertCosError(() => s.signRequest({ ...fixed, ...ep, method: 'PUT', sse: throwing({ type: 'SSE-C' }, 'key') }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.signPostPolicy({ policy: { toJSON() { throw new Error('x'); } }, keyTime: '1;2' }), 'ERR_INVALID_POLICY');
  assertCosError(() => s.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-KMS', context: { toJSON() { throw new Error('x'); } } } }), 'ERR_INVALID_SSE');
  const trap = new Proxy({}, { getOwnPropertyDescriptor() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); }, get() { throw new Error('trap'); } });
  assertCosError(() => s.signRequest(trap), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.signRequest({ ...fixed, ...ep, sse: trap }), 'ERR_INVALID_ARGUMENT');
  s.free();
});

test('a polluted Object.prototype changes nothing: options, headers, query and SSE are own properties only', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const key = CustomerKey.generate('AES256');
  const calls = () => [
    s.authorization({ ...fixed, headers: { 'x-cos-meta-a': '1' } }),
    JSON.stringify(s.signRequest({ ...fixed, ...ep, method: 'PUT', headers: { 'content-type': 'text/plain' } })),
    JSON.stringify(s.presignRequest({ ...fixed, ...ep, sse: { type: 'SSE-C', key } })),
    s.presignUrl({ ...fixed, ...ep }),
    JSON.stringify(s.postObjectForm({ ...ep, key: 'a', keyTime: '1;2' })),
    cos.objectUrl({ ...ep, key: 'a' }),
    JSON.stringify(cos.sseHeaders({ type: 'SSE-COS' }, 'PutObject')),
  ];
  const before = calls();
  const planted = [];
  try {
    for (const name of OPTION_NAMES) {
      Object.prototype[name] = name === 'sse' ? { type: 'SSE-C', key: 'A'.repeat(44) } : name === 'domain' ? 'attacker.example' : name === 'headers' || name === 'query' ? { injected: 'x' } : 'attacker';
      planted.push(name);
    }
    Object.prototype.__cosKeyHandle = 1;
    planted.push('__cosKeyHandle');
    assert.deepEqual(calls(), before);
  } finally {
    for (const name of planted) delete Object.prototype[name];
  }
  // A toJSON planted on Object.prototype would rewrite every policy: refused.
  Object.prototype.toJSON = () => ({ conditions: [] });
  try {
    assertCosError(() => s.signPostPolicy({ policy: { conditions: [['eq', '$key', 'a']] }, keyTime: '1;2' }), 'ERR_INVALID_ARGUMENT');
  } finally {
    delete Object.prototype.toJSON;
  }
  key.free();
  s.free();
});

test('header values as they travel: booleans, trimming, printable ASCII only, size caps', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const auth = (headers) => s.authorization({ ...fixed, headers });
  // The official browser SDK's retry flag is a boolean; fetch sends it as "true".
  assert.equal(auth({ 'x-cos-sdk-retry': true }), auth({ 'x-cos-sdk-retry': 'true' }));
  assert.equal(auth({ 'x-cos-meta-a': false }), auth({ 'x-cos-meta-a': 'false' }));
  // HTTP strips surrounding whitespace: it is trimmed before signing and in returned headers.
  assert.equal(auth({ 'x-cos-meta-a': '  v \t' }), auth({ 'x-cos-meta-a': 'v' }));
  const signed = s.signRequest({ ...fixed, ...ep, method: 'PUT', headers: { 'x-cos-meta-a': ' v ' } });
  assert.equal(signed.headers['x-cos-meta-a'], 'v');
  // Browsers send Latin-1 bytes (or refuse): refused with a hint, percent-encoding works.
  const e = assertCosError(() => auth({ 'x-cos-meta-name': 'café' }), 'ERR_INVALID_HEADER_VALUE');
  assert.match(e.message, /percent-encode/);
  assertCosError(() => auth({ 'x-cos-meta-name': '张三' }), 'ERR_INVALID_HEADER_VALUE');
  assert.match(auth({ 'x-cos-meta-name': encodeURIComponent('café') }), /^q-sign-algorithm=sha1/);
  assertCosError(() => auth({ 'x-cos-meta-a': 'x'.repeat(20 * 1024 * 1024) }), 'ERR_HEADER_VALUE_TOO_LONG');
  assert.match(auth({ 'x-cos-meta-a': 'x'.repeat(8192) }), /^q-sign/);
  assertCosError(() => s.authorization({ ...fixed, query: { a: 'x'.repeat(8193) } }), 'ERR_QUERY_VALUE_TOO_LONG');
  assertCosError(() => s.authorization({ ...fixed, key: 'x'.repeat(851) }), 'ERR_OBJECT_KEY_TOO_LONG');
  assertCosError(() => s.signPostPolicy({ policy: JSON.stringify({ conditions: [['eq', '$x', 'y'.repeat(70000)]] }), keyTime: '1;2' }), 'ERR_INVALID_POLICY');
  assertCosError(() => CustomerKey.deriveHkdf({ master: new Uint8Array(65537), bucket: 'b-1', key: 'k' }), 'ERR_INVALID_ARGUMENT');
  s.free();
});

test('only literal loopback counts for allowInsecureLocal; no SSE-C key material in any URL', () => {
  const s = new CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const key = CustomerKey.generate('AES256');
  const local = { ...fixed, ...ep, method: 'PUT', protocol: 'http', pathStyle: true, allowInsecureLocal: true, sse: { type: 'SSE-C', key } };
  for (const domain of ['evil.localhost', 'examplebucket-1250000000.localhost', 'localhost.evil.example']) {
    assertCosError(() => s.signRequest({ ...local, domain }), 'ERR_SSE_C_REQUIRES_HTTPS');
  }
  for (const domain of ['localhost', '127.0.0.1', '127.9.9.9']) assert.ok(s.signRequest({ ...local, domain }).url.startsWith('http://'));
  // presignUrl: a key in the query would be in the URL itself, whatever the protocol.
  for (const protocol of ['http', 'https']) {
    for (const name of ['x-cos-server-side-encryption-customer-key', 'X-Cos-Copy-Source-Server-Side-Encryption-Customer-Key']) {
      const err = assertCosError(() => s.presignUrl({ ...fixed, ...ep, protocol, query: { [name]: key.keyBase64 } }), 'ERR_INVALID_QUERY_VALUE', [key.keyBase64]);
      assert.match(err.message, /URL/);
    }
  }
  key.free();
  s.free();
});

test('JS helpers validate: postFormData, hashInput and its stream chunks, verifyResponseCrc64', async () => {
  assertCosError(() => cos.postFormData(null), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => cos.postFormData({ fields: null }, new Blob(['x'])), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => cos.postFormData({ fields: {} }, 42), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => cos.postFormData({ fields: { a: 1 } }, new Blob(['x'])), 'ERR_INVALID_ARGUMENT');
  assert.ok(cos.postFormData({ fields: { key: 'a' } }, new Blob(['x'])) instanceof FormData);
  assertCosError(() => cos.verifyResponseCrc64(undefined, '1'), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => cos.verifyResponseCrc64({ headers: null }, '1'), 'ERR_INVALID_ARGUMENT');
  cos.verifyResponseCrc64(new Response('x', { headers: { 'x-cos-hash-crc64ecma': '1' } }), '1');
  const rejects = async (p, code) => {
    await assert.rejects(p, (e) => e.name === 'CosError' && e.code === code);
  };
  await rejects(cos.hashInput(new Uint8Array(1), null), 'ERR_INVALID_ARGUMENT');
  await rejects(cos.hashInput(new Uint8Array(1), { algorithms: 'md5' }), 'ERR_INVALID_ARGUMENT');
  await rejects(cos.hashInput(Object.setPrototypeOf({}, Uint8Array.prototype)), 'ERR_INVALID_ARGUMENT');
  const stream = (...chunks) => new ReadableStream({ start(c) { for (const x of chunks) c.enqueue(x); c.close(); } });
  // A string chunk was hashed as 0 bytes; now refused.
  await rejects(cos.hashInput(stream('abc')), 'ERR_INVALID_ARGUMENT');
  // DataView and Uint16Array chunks are the bytes they view (were 0 bytes / truncated).
  const bytes = new TextEncoder().encode('123456789!');
  const want = await cos.hashInput(bytes);
  const u16 = new Uint16Array(bytes.buffer.slice(0));
  assert.deepEqual(await cos.hashInput(stream(new DataView(bytes.buffer.slice(0)))), want);
  assert.deepEqual(await cos.hashInput(stream(u16)), want);
  assert.deepEqual(await cos.hashInput(u16), want);
  assert.equal(want.crc64, (await cos.hashInput(stream(bytes.subarray(0, 3), bytes.subarray(3)))).crc64);
});

test('the CommonJS build carries the same guard', async () => {
  const { createRequire } = await import('node:module');
  const cjs = Object.assign({}, ...['cos-wasm', 'cos-wasm/keys', 'cos-wasm/hash'].map(createRequire(import.meta.url)));
  const s = new cjs.CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  s.free();
  s.free();
  assertCosError(() => s.authorization(fixed), 'ERR_USE_AFTER_FREE');
  assertCosError(() => cjs.CustomerKey.fromBytes('AES256', new Proxy(new Uint8Array(32), {})), 'ERR_INVALID_ARGUMENT');
  assert.equal(typeof cjs.Md5.prototype[Symbol.dispose], 'function');
});
