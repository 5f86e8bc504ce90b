// Random inputs to every public entry point: each call returns or throws a CosError;
// none traps the wasm instance (a trap would poison every later call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api as cos } from './all.mjs';

let seed = 0x2545f491;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const strings = ['', 'a', '/', '%', '\u0000', '\ud800', '😀', ' ', '\r\n', 'x'.repeat(900), 'AES256', 'SM4', 'SSE-C', 'SSE-COS', 'SSE-KMS',
  'PutObject', 'GetObject', 'UploadPart', 'cosk1.aes256gcm.aes256.AAAAAAAAAAAAAAAA.AAAA', 'MDEyMzQ1Njc4OUFCQ0RFRjAxMjM0NTY3ODlBQkNERUY=',
  '00'.repeat(16), '1;2', 'examplebucket-1250000000', 'ap-guangzhou', '127.0.0.1:9000', 'http', 'ARCHIVE', '<a>', 'pbkdf2-sha256$v=1$i=100000$salt=AAAAAAAAAAAAAAAAAAAAAA'];
const scalars = () => pick([pick(strings), 0, -1, 1.5, NaN, Infinity, 2 ** 64, null, undefined, true, 10n, Symbol('s')]);
function value(depth = 0) {
  const r = rand();
  if (depth > 2 || r < 0.5) return scalars();
  if (r < 0.6) return new Uint8Array(pick([0, 1, 15, 16, 31, 32, 33]));
  if (r < 0.7) return [value(depth + 1), value(depth + 1)];
  const o = {};
  for (let i = 0; i < 4; i++) o[pick(['type', 'key', 'algorithm', 'keyMd5', 'method', 'bucket', 'region', 'keyTime', 'expires', 'headers', 'query', 'sse',
    'policy', 'keyPrefix', 'contentLengthRange', 'meta', 'conditions', 'domain', 'protocol', 'port', 'pathStyle', 'operation', 'copySourceSse',
    'master', 'salt', 'passphrase', 'params', 'iterations', 'aad', 'start', 'end', 'successActionStatus', 'storageClass', pick(strings)])] = value(depth + 1);
  return o;
}

function call(fn, label = fn.toString()) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    assert.equal(e.name, 'CosError', `${label}: ${e.name}: ${e.message}`);
    assert.match(e.code, /^ERR_[A-Z0-9_]+$/);
  }
}

test('no input traps the module', () => {
  const signer = new cos.CosSigner({ secretId: 'AKIDfuzz', secretKey: 'fuzz-secret' });
  const wrapping = cos.WrappingKey.generate('AES-256-GCM');
  const key = cos.CustomerKey.generate('AES256');
  const envelope = key.wrap(wrapping, { aad: 'x' });
  for (let i = 0; i < 4000; i++) {
    const v = value();
    const w = value();
    // Merge the fuzzed object over a valid base so deep paths are reached too.
    const base = { method: 'PUT', key: 'a', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', keyTime: '1;2', ...(typeof v === 'object' && v ? v : {}) };
    call(() => signer.signRequest(base));
    call(() => signer.presignRequest(base));
    call(() => signer.postObjectForm(base));
    call(() => signer.authorization(base));
    call(() => cos.sseHeaders(v, w));
    call(() => cos.copySourceSseHeaders(v, w));
    call(() => cos.objectUrl(base));
    call(() => cos.bucketEncryptionXml(v));
    call(() => cos.parseBucketEncryptionXml(v));
    call(() => cos.CustomerKey.fromBytes(v, w).free());
    call(() => cos.CustomerKey.fromBase64(v, w).free());
    call(() => cos.CustomerKey.fromHex(v, w).free());
    call(() => cos.CustomerKey.deriveHkdf(base).free());
    call(() => cos.CustomerKey.unwrap(typeof v === 'string' ? envelope.slice(0, v.length) + v : v, wrapping, w).free());
    call(() => cos.WrappingKey.fromBytes(v, w).free());
    call(() => cos.crc64Combine(v, w, value()));
    call(() => cos.verifyCrc64(v, w));
  }
  // Still healthy.
  assert.equal(cos.CustomerKey.unwrap(envelope, wrapping, { aad: 'x' }).md5Base64, key.md5Base64);
  assert.match(signer.authorization({ method: 'GET', key: 'a', keyTime: '1;2' }), /^q-sign-algorithm=sha1/);
});
