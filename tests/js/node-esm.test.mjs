// The packed package, imported by name in Node ESM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api } from './all.mjs';
import * as signerEntry from 'cos-wasm';
import { CosSigner, isCosError, init } from 'cos-wasm';
import { runSuite } from './suite.mjs';
import { loadVectors, assertCosError, assertSuitePassed } from './helpers.mjs';

const ID = 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q';
const KEY = 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz';
const KT = '1557989151;1557996351';

test('names that moved out of the signer entry throw ERR_MOVED naming the new import, on any use', () => {
  const moved = { CustomerKey: 'keys', WrappingKey: 'keys', Crc64: 'hash', Md5: 'hash', Sha1: 'hash', hashInput: 'hash', crc64Combine: 'hash', verifyCrc64: 'hash', verifyResponseCrc64: 'hash',
    tc3Authorization: 'sts', cosPolicy: 'sts', getFederationToken: 'sts', assumeRole: 'sts', credentialsProvider: 'sts', explainSignatureMismatch: 'explain', parseCosErrorXml: 'explain',
    bucketEncryptionXml: 'explain', parseBucketEncryptionXml: 'explain' };
  for (const [name, entry] of Object.entries(moved)) {
    const stub = signerEntry[name];
    const hint = new RegExp(`import \\{ ${name} \\} from 'cos-wasm/${entry}'`);
    for (const use of [() => stub(), () => new stub(), () => stub.generate, () => ({}) instanceof stub, () => { stub.x = 1; }]) {
      const e = assertCosError(use, 'ERR_MOVED');
      assert.match(e.message, hint);
    }
    assert.notEqual(api[name], stub, `${name} is exported by cos-wasm/${entry}`);
  }
});

test('importing the signer entry does not load Node\'s fetch implementation (undici, ~30 ms of cold start)', async () => {
  // Reading the FormData global at import did; postFormData() now reads it on first use.
  const { execFileSync } = await import('node:child_process');
  const code = "await import('cos-wasm'); console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes('undici'))))";
  const loaded = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('.', import.meta.url), encoding: 'utf8' }));
  assert.deepEqual(loaded, []);
});

test('init() is a harmless no-op in Node: it resolves to undefined, and objects made before it keep working', async () => {
  const before = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
  const auth = before.authorization({ method: 'GET', key: 'a.txt', keyTime: '1700000000;1700003600' });
  assert.equal(await init(), undefined);
  assert.equal(await init(new Uint8Array([0, 1, 2])), undefined, 'no input is even looked at');
  assert.equal(before.authorization({ method: 'GET', key: 'a.txt', keyTime: '1700000000;1700003600' }), auth);
  before.free();
});

test('the shared suite: signing (SDK vectors and COS doc examples), SSE, keys, hashing, TC3, CDN auth', async () => {
  const data = loadVectors();
  const results = await runSuite(api, data);
  assert.deepEqual([...new Set(results.map((r) => r.suite))], ['signing', 'sse', 'keys', 'hashing', 'tc3', 'cdn']);
  assert.equal(results.filter((r) => r.suite === 'tc3').length, data.tc3.cases.length);
  assert.equal(results.filter((r) => r.suite === 'signing').length, data.signing.cases.length + data.docSigning.cases.length);
  await assertSuitePassed(results, data);
});

test('expires: a window from now-1 to now+expires', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY });
  const now = Math.floor(Date.now() / 1000);
  const auth = s.authorization({ method: 'GET', key: 'a', expires: 600 });
  const [start, end] = auth.match(/q-key-time=(\d+);(\d+)/).slice(1).map(Number);
  assert.ok(Math.abs(start - (now - 1)) <= 2 && end - start === 601, auth);
});

test('presigned URL with a security token: URL-encoded, unsigned by default, signed when in query', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY, securityToken: 'a+b/c=d&e' });
  const base = { method: 'GET', key: 'k.txt', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', keyTime: KT };
  const url = new URL(s.presignUrl(base));
  assert.equal(url.searchParams.get('x-cos-security-token'), 'a+b/c=d&e');
  assert.equal(url.searchParams.get('q-url-param-list'), '');
  const signed = new URL(s.presignUrl({ ...base, query: { 'x-cos-security-token': 'a+b/c=d&e' } }));
  assert.equal(signed.searchParams.get('q-url-param-list'), 'x-cos-security-token');
  assert.equal(signed.searchParams.getAll('x-cos-security-token').length, 1);
});

test('local endpoint: protocol, domain, port and path style', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY });
  const url = s.presignUrl({
    method: 'GET', key: 'a b+c.txt', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou',
    protocol: 'http', domain: '127.0.0.1', port: 9000, pathStyle: true, keyTime: KT,
  });
  assert.ok(url.startsWith('http://127.0.0.1:9000/examplebucket-1250000000/a%20b%2Bc.txt?q-sign-algorithm=sha1'), url);
  assert.match(url, /q-header-list=host&/);
});

test('signPostPolicy: object and exact text give the same fields; token included', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY, securityToken: 'tok' });
  const policy = { expiration: '2025-01-01T00:15:00.000Z', conditions: [{ bucket: 'b-1' }] };
  const a = s.signPostPolicy({ policy, keyTime: KT });
  const b = s.signPostPolicy({ policy: JSON.stringify(policy), keyTime: KT });
  assert.deepEqual(a, b);
  assert.equal(a['x-cos-security-token'], 'tok');
  assert.deepEqual(Object.keys(a), ['policy', 'q-sign-algorithm', 'q-ak', 'q-key-time', 'q-signature', 'x-cos-security-token']);
});

test('bad inputs are CosErrors with specific codes, never traps', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY });
  const ok = { method: 'GET', key: 'a', keyTime: KT };
  const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
  assertCosError(() => new CosSigner({ secretId: ID, secretKey: '' }), 'ERR_INVALID_CREDENTIALS');
  assertCosError(() => new CosSigner({ secretId: ID }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => new CosSigner(null), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => s.authorization({ ...ok, keyTime: 'abc;def' }), 'ERR_INVALID_KEY_TIME');
  assertCosError(() => s.authorization({ ...ok, keyTime: '200;100' }), 'ERR_INVALID_KEY_TIME');
  assertCosError(() => s.authorization({ ...ok, keyTime: { start: 1, end: 'x' } }), 'ERR_INVALID_KEY_TIME');
  assertCosError(() => s.authorization({ method: 'GET', key: 'a' }), 'ERR_INVALID_KEY_TIME');
  assertCosError(() => s.authorization({ ...ok, expires: -5, keyTime: undefined }), 'ERR_INVALID_KEY_TIME');
  assertCosError(() => s.authorization({ ...ok, method: 'GE T' }), 'ERR_INVALID_METHOD');
  assertCosError(() => s.authorization({ ...ok, key: 'x'.repeat(851) }), 'ERR_OBJECT_KEY_TOO_LONG');
  assertCosError(() => s.authorization({ ...ok, headers: { 'x-cos-meta-a': { nested: 1 } } }), 'ERR_INVALID_HEADER_VALUE');
  // Booleans are signed as fetch/XHR send them (issue 12: the browser SDK's x-cos-sdk-retry: true).
  assert.equal(s.authorization({ ...ok, headers: { 'x-cos-meta-a': true } }), s.authorization({ ...ok, headers: { 'x-cos-meta-a': 'true' } }));
  assertCosError(() => s.authorization({ ...ok, headers: { 'x-cos-meta-a': 'a\r\nb' } }), 'ERR_INVALID_HEADER_VALUE');
  assertCosError(() => s.authorization({ ...ok, headers: { 'bad name': 'v' } }), 'ERR_INVALID_HEADER_NAME');
  assertCosError(() => s.authorization({ ...ok, headers: { 'X-Cos-A': '1', 'x-cos-a': '2' } }), 'ERR_DUPLICATE_HEADER');
  assertCosError(() => s.authorization({ ...ok, query: { uploadId: '1', uploadid: '2' } }), 'ERR_DUPLICATE_QUERY_PARAM');
  assertCosError(() => s.authorization({ ...ok, query: { a: {} } }), 'ERR_INVALID_QUERY_VALUE');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, bucket: 'Example_Bucket' }), 'ERR_INVALID_BUCKET');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, bucket: 'examplebucket' }), 'ERR_INVALID_BUCKET');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, region: 'ap guangzhou' }), 'ERR_INVALID_REGION');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, region: 'AP-上海' }), 'ERR_INVALID_REGION');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, domain: 'evil.com/path' }), 'ERR_INVALID_ENDPOINT');
  assertCosError(() => s.presignUrl({ ...ok, ...ep, protocol: 'ftp' }), 'ERR_INVALID_ENDPOINT');
  assertCosError(() => s.signPostPolicy({ policy: 42, keyTime: KT }), 'ERR_INVALID_POLICY');
  assertCosError(() => s.signPostPolicy({ policy: 'not json', keyTime: KT }), 'ERR_INVALID_POLICY');
  // The instance still works after every failure (no trap poisoned it).
  assert.match(s.authorization(ok), /^q-sign-algorithm=sha1/);
});

test('errors never contain the secret key', () => {
  const secret = 'S3cr3tK3yThatMustNotLeak';
  const s = new CosSigner({ secretId: ID, secretKey: secret });
  const e = assertCosError(() => s.authorization({ method: 'GET', key: 'a', keyTime: 'x' }), 'ERR_INVALID_KEY_TIME', [secret]);
  assert.ok(isCosError(e));
  assert.ok(!isCosError(new Error('x')));
  assert.ok(!JSON.stringify(Object.getOwnPropertyNames(s).map((n) => s[n])).includes(secret));
});

test('random inputs never trap the module', () => {
  const s = new CosSigner({ secretId: ID, secretKey: KEY });
  const pick = (arr) => arr[Math.floor(Math.random() * arr.length)];
  const junk = () => pick(['', 'a', '/', '//x', '%', '\u0000', '\ud800', '😀', 'é', ' ', '\n', 'x'.repeat(900), '中文', 'a;b', '=&?#']);
  const values = () => pick([junk(), 0, -1, 1.5, NaN, Infinity, null, undefined, true, {}, [], 10n]);
  for (let i = 0; i < 3000; i++) {
    const opts = {
      method: pick(['GET', 'put', junk(), values()]),
      key: pick([junk(), values()]),
      keyTime: pick([KT, junk(), values(), { start: values(), end: values() }]),
      headers: pick([{ [junk() || 'x']: values() }, values()]),
      query: pick([{ [junk() || 'q']: values() }, values()]),
      bucket: pick(['examplebucket-1250000000', junk()]),
      region: pick(['ap-guangzhou', junk()]),
      domain: pick([undefined, junk()]),
      policy: pick([{ a: 1 }, junk(), values()]),
    };
    for (const fn of ['authorization', 'presignUrl', 'signPostPolicy']) {
      try {
        const out = s[fn](opts);
        assert.ok(typeof out === 'string' || typeof out === 'object');
      } catch (e) {
        assert.equal(e.name, 'CosError', `${fn} threw ${e}`);
      }
    }
  }
  assert.match(s.authorization({ method: 'GET', key: 'a', keyTime: KT }), /^q-sign-algorithm=sha1/);
});

test('a secretId read from an unset environment variable is named as such', () => {
  const e = assertCosError(() => new CosSigner({ secretId: process.env.COS_WASM_SURELY_UNSET, secretKey: 'x' }), 'ERR_INVALID_ARGUMENT');
  assert.match(e.message, /`secretId` must be a string; it was undefined or null \(an unset environment variable or binding\?\)/);
});
