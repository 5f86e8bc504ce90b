// Server-side encryption through the packed package (Node ESM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner, sseHeaders, objectUrl, postFormData } from 'cos-wasm';
import { CustomerKey } from 'cos-wasm/keys';
import { assertCosError, loadVectors } from './helpers.mjs';

const signer = new CosSigner({ secretId: 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q', secretKey: 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz' });
const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
const KT = '1735689600;1735690500';
// COS's documented SSE-C key (tests/vectors/sse-headers.json). The header sets of every mode
// and operation, and this key's base64 and MD5, are checked by the shared suite (suite.mjs).
const DOC = loadVectors().sse.customer_keys.find((k) => k.id === 'cos-doc-aes256');
const DOC_KEY = new Uint8Array(Buffer.from(DOC.key_hex, 'hex'));
const DOC_KEY_B64 = DOC.key_base64;
const DOC_KEY_MD5 = DOC.key_md5;

test('a fetch PUT with each of the six mode/algorithm combinations', () => {
  const aes = CustomerKey.generate('AES256');
  const sm4 = CustomerKey.generate('SM4');
  const modes = [
    { type: 'SSE-COS' }, { type: 'SSE-COS', algorithm: 'SM4' },
    { type: 'SSE-KMS' }, { type: 'SSE-KMS', algorithm: 'SM4' },
    { type: 'SSE-C', key: aes }, { type: 'SSE-C', key: sm4 },
  ];
  for (const sse of modes) {
    const { url, headers } = signer.signRequest({ method: 'PUT', key: 'up/a.bin', ...ep, sse, keyTime: KT, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(url, 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/up/a.bin');
    const expected = sseHeaders(sse, 'PutObject');
    for (const [k, v] of Object.entries(expected)) assert.equal(headers[k], v);
    const list = headers.Authorization.match(/q-header-list=([^&]*)/)[1].split(';');
    for (const k of Object.keys(expected)) assert.ok(list.includes(k.toLowerCase()), `${k} signed`);
    assert.ok(list.includes('host') && list.includes('content-type'));
    assert.ok(!('host' in headers) && !('Host' in headers));
  }
  aes.free();
  sm4.free();
});

test('temporary credentials: the token header is sent and signed', () => {
  const s = new CosSigner({ secretId: 'AKIDtmp', secretKey: 'k', securityToken: 'tok+/=' });
  const { headers } = s.signRequest({ method: 'GET', key: 'a', ...ep, keyTime: KT });
  assert.equal(headers['x-cos-security-token'], 'tok+/=');
  assert.match(headers.Authorization, /q-header-list=host;x-cos-security-token&/);
});

test('pre-signed URLs with SSE: headers signed and returned, never in the URL', () => {
  const key = CustomerKey.fromBytes('AES256', DOC_KEY);
  const { url, headers } = signer.presignRequest({ method: 'GET', key: 'c.bin', ...ep, sse: { type: 'SSE-C', key }, keyTime: KT });
  assert.equal(headers['x-cos-server-side-encryption-customer-key'], DOC_KEY_B64);
  assert.ok(!url.includes(DOC_KEY_B64) && !url.includes(encodeURIComponent(DOC_KEY_B64)) && !url.includes(DOC_KEY_MD5.slice(0, 10)));
  assert.match(new URL(url).searchParams.get('q-header-list'), /x-cos-server-side-encryption-customer-key/);
  const kms = signer.presignRequest({ method: 'PUT', key: 'k.bin', ...ep, sse: { type: 'SSE-KMS', kmsKeyId: 'cmk' }, keyTime: KT });
  assert.equal(kms.headers['x-cos-server-side-encryption'], 'cos/kms');
  key.free();
});

test('every SSE rule fails before any traffic, with its own code', () => {
  const aes = CustomerKey.fromBytes('AES256', DOC_KEY);
  const put = { method: 'PUT', key: 'a', ...ep, keyTime: KT };
  assertCosError(() => signer.signRequest({ ...put, protocol: 'http', sse: { type: 'SSE-C', key: aes } }), 'ERR_SSE_C_REQUIRES_HTTPS', [DOC_KEY_B64]);
  assertCosError(() => signer.signRequest({ ...put, protocol: 'http', domain: 'cos.example.com', allowInsecureLocal: true, sse: { type: 'SSE-C', key: aes } }), 'ERR_SSE_C_REQUIRES_HTTPS');
  const local = signer.signRequest({ ...put, protocol: 'http', domain: '127.0.0.1:9000', pathStyle: true, allowInsecureLocal: true, sse: { type: 'SSE-C', key: aes } });
  assert.ok(local.url.startsWith('http://127.0.0.1:9000/examplebucket-1250000000/a'));
  assertCosError(() => signer.signRequest({ ...put, headers: { 'x-cos-storage-class': 'ARCHIVE' }, sse: { type: 'SSE-COS' } }), 'ERR_SSE_ARCHIVE_CONFLICT');
  assertCosError(() => signer.postObjectForm({ ...ep, key: 'a', keyTime: KT, storageClass: 'DEEP_ARCHIVE', sse: { type: 'SSE-KMS' } }), 'ERR_SSE_ARCHIVE_CONFLICT');
  assertCosError(() => signer.presignRequest({ ...put, sse: { type: 'SSE-COS' } }), 'ERR_SSE_PRESIGNED_UPLOAD');
  assertCosError(() => objectUrl({ ...ep, key: 'a', sse: { type: 'SSE-KMS' } }), 'ERR_SSE_KMS_ANONYMOUS');
  assertCosError(() => CustomerKey.fromBytes('AES256', new Uint8Array(16)), 'ERR_INVALID_KEY_LENGTH');
  assertCosError(() => CustomerKey.fromBytes('SM4', new Uint8Array(32)), 'ERR_INVALID_KEY_LENGTH');
  assertCosError(() => sseHeaders({ type: 'SSE-C', key: new Uint8Array(31) }, 'PutObject'), 'ERR_INVALID_KEY_LENGTH');
  assertCosError(() => sseHeaders({ type: 'SSE-C', key: aes, keyMd5: 'AAAAAAAAAAAAAAAAAAAAAA==' }, 'PutObject'), 'ERR_KEY_MD5_MISMATCH', [DOC_KEY_B64]);
  assertCosError(() => sseHeaders({ type: 'SSE-COS' }, 'GetObject'), 'ERR_SSE_NOT_ALLOWED');
  assertCosError(() => sseHeaders({ type: 'SSE-KMS' }, 'UploadPart'), 'ERR_SSE_NOT_ALLOWED');
  assertCosError(() => sseHeaders({ type: 'SSE-COS' }, 'DeleteObject'), 'ERR_UNKNOWN_OPERATION');
  assertCosError(() => sseHeaders({ type: 'SSE-X' }, 'PutObject'), 'ERR_INVALID_SSE');
  assertCosError(() => sseHeaders({ type: 'SSE-COS', algorithm: 'AES128' }, 'PutObject'), 'ERR_INVALID_SSE');
  assertCosError(() => sseHeaders({ type: 'SSE-C', key: 'not base64!' }, 'PutObject'), 'ERR_INVALID_KEY_ENCODING');
  aes.free();
  assertCosError(() => sseHeaders({ type: 'SSE-C', key: aes }, 'PutObject'), 'ERR_USE_AFTER_FREE');
});

test('postObjectForm: policy, SSE fields as fields and conditions, file last', async () => {
  const key = CustomerKey.fromBytes('AES256', DOC_KEY);
  const form = signer.postObjectForm({
    ...ep, keyPrefix: 'uploads/alice/', keyTime: KT, sse: { type: 'SSE-C', key },
    contentLengthRange: [1, 10 * 1024 * 1024], contentType: 'image/png', successActionStatus: 201,
    meta: { owner: 'alice' }, conditions: [['starts-with', '$Cache-Control', '']],
  });
  assert.equal(form.url, 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/');
  const names = Object.keys(form.fields);
  assert.equal(names[0], 'key');
  assert.equal(form.fields.key, 'uploads/alice/${filename}');
  assert.deepEqual(names.slice(-5), ['policy', 'q-sign-algorithm', 'q-ak', 'q-key-time', 'q-signature']);
  assert.equal(form.fields['x-cos-server-side-encryption-customer-key-MD5'], DOC_KEY_MD5);
  const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString('utf8'));
  const conds = JSON.stringify(policy.conditions);
  assert.ok(conds.includes('["starts-with","$key","uploads/alice/"]'));
  assert.ok(conds.includes('["content-length-range",1,10485760]'));
  assert.ok(conds.includes('x-cos-server-side-encryption-customer-algorithm'));
  assert.ok(!conds.includes(DOC_KEY_B64), 'the policy holds no key material');
  assert.equal(policy.expiration, '2025-01-01T00:15:00.000Z');
  const data = postFormData(form, new Blob(['hello']), 'a.png');
  const order = [...data.keys()];
  assert.equal(order.at(-1), 'file');
  assert.deepEqual(order.slice(0, -1), names);
  key.free();
});
