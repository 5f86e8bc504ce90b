// Client-prepared SSE-C keys through the packed package (Node ESM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CustomerKey, WrappingKey, initSync } from 'cos-wasm/keys';
import { sseHeaders, CosSigner } from 'cos-wasm';
import { assertCosError } from './helpers.mjs';

// The instance's exports (initSync returns them once initialised): the linear memory.
const wasmMemory = () => initSync({ module: new Uint8Array() }).memory;

const hex = (b) => Buffer.from(b).toString('hex');

test('generate → wrap → store as string → unwrap → sseHeaders: same MD5', () => {
  const key = CustomerKey.generate('AES256');
  const wrapping = WrappingKey.generate('AES-256-GCM');
  const envelope = key.wrap(wrapping, { aad: 'examplebucket-1250000000/photos/cat.jpg' });
  assert.match(envelope, /^cosk1\.aes256gcm\.aes256\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const stored = JSON.parse(JSON.stringify({ envelope }));
  const back = CustomerKey.unwrap(stored.envelope, wrapping, { aad: 'examplebucket-1250000000/photos/cat.jpg' });
  assert.equal(back.md5Base64, key.md5Base64);
  assert.equal(back.fingerprint, key.fingerprint);
  assert.equal(sseHeaders({ type: 'SSE-C', key: back }, 'GetObject')['x-cos-server-side-encryption-customer-key-MD5'], key.md5Base64);
  assertCosError(() => CustomerKey.unwrap(envelope, wrapping, { aad: 'examplebucket-1250000000/other.jpg' }), 'ERR_UNWRAP_FAILED');
  assertCosError(() => CustomerKey.unwrap(envelope, WrappingKey.generate('AES-256-GCM'), { aad: 'examplebucket-1250000000/photos/cat.jpg' }), 'ERR_UNWRAP_FAILED');
  assertCosError(() => CustomerKey.unwrap(envelope.slice(0, -3), wrapping, {}), 'ERR_INVALID_ENVELOPE');
  const i = envelope.length - 10;
  const tampered = envelope.slice(0, i) + (envelope[i] === 'A' ? 'B' : 'A') + envelope.slice(i + 1);
  assertCosError(() => CustomerKey.unwrap(tampered, wrapping, { aad: 'examplebucket-1250000000/photos/cat.jpg' }), 'ERR_UNWRAP_FAILED');
  assertCosError(() => CustomerKey.unwrap('cosk9.x', wrapping, {}), 'ERR_INVALID_ENVELOPE');
  for (const k of [key, back, wrapping]) k.free();
});

test('SM4 keys wrapped with SM4-GCM', () => {
  const key = CustomerKey.generate('SM4');
  const wrapping = WrappingKey.generate('SM4-GCM');
  const env = key.wrap(wrapping, { aad: new Uint8Array([1, 2, 3]) });
  assert.match(env, /^cosk1\.sm4gcm\.sm4\./);
  assert.equal(CustomerKey.unwrap(env, wrapping, { aad: new Uint8Array([1, 2, 3]) }).algorithm, 'SM4');
});

test('HKDF derivation is deterministic and bound to bucket, key and algorithm', () => {
  const master = new Uint8Array(32).fill(0x42);
  const a = CustomerKey.deriveHkdf({ master, bucket: 'b-1', key: 'x.txt' });
  const b = CustomerKey.deriveHkdf({ master, bucket: 'b-1', key: 'x.txt' });
  const c = CustomerKey.deriveHkdf({ master, bucket: 'b-1', key: 'y.txt' });
  const d = CustomerKey.deriveHkdf({ master, bucket: 'b-1', key: 'x.txt', algorithm: 'SM4' });
  assert.equal(a.md5Base64, b.md5Base64);
  assert.notEqual(a.md5Base64, c.md5Base64);
  assert.equal(d.algorithm, 'SM4');
  assertCosError(() => CustomerKey.deriveHkdf({ master: new Uint8Array(8), bucket: 'b-1', key: 'x' }), 'ERR_INVALID_KDF_PARAMS');
});

test('passphrase derivation stores its parameters and re-derives', () => {
  const salt = new Uint8Array(16).fill(9);
  const first = CustomerKey.fromPassphrase({ passphrase: 'correct horse battery staple', salt, iterations: 100000 });
  assert.match(first.params, /^pbkdf2-sha256\$v=1\$i=100000\$salt=/);
  const again = CustomerKey.fromPassphrase({ passphrase: 'correct horse battery staple', params: first.params });
  assert.equal(again.key.md5Base64, first.key.md5Base64);
  // NFC and NFD spellings of a passphrase give the same key.
  const nfc = CustomerKey.fromPassphrase({ passphrase: 'caf\u00e9', params: first.params });
  const nfd = CustomerKey.fromPassphrase({ passphrase: 'cafe\u0301', params: first.params });
  assert.equal(nfc.key.md5Base64, nfd.key.md5Base64);
  assertCosError(() => CustomerKey.fromPassphrase({ passphrase: 'x', salt: new Uint8Array(4) }), 'ERR_INVALID_KDF_PARAMS');
  assertCosError(() => CustomerKey.fromPassphrase({ passphrase: 'x', salt, iterations: 10 }), 'ERR_INVALID_KDF_PARAMS');
});

test('default passphrase derivation uses 600,000 iterations and a random salt', () => {
  const w = WrappingKey.fromPassphrase({ passphrase: 'pw' });
  assert.match(w.params, /\$i=600000\$/);
  assert.notEqual(WrappingKey.fromPassphrase({ passphrase: 'pw' }).params, w.params);
});

test('imports: exact lengths, errors name lengths never bytes', () => {
  const bytes = new Uint8Array(32).map((_, i) => 0xa0 + i);
  const k = CustomerKey.fromHex('AES256', hex(bytes));
  assert.equal(k.keyBase64, Buffer.from(bytes).toString('base64'));
  assert.equal(CustomerKey.fromBase64('AES256', k.keyBase64).md5Base64, k.md5Base64);
  const e = assertCosError(() => CustomerKey.fromHex('AES256', hex(bytes.slice(0, 31))), 'ERR_INVALID_KEY_LENGTH', [hex(bytes.slice(0, 31))]);
  assert.match(e.message, /32/);
  assert.match(e.message, /31/);
  assertCosError(() => CustomerKey.fromHex('AES256', 'zz'.repeat(32)), 'ERR_INVALID_KEY_ENCODING');
  assert.ok(!String(k).includes(hex(bytes)) && !JSON.stringify(k).includes(k.keyBase64));
});

function memoryContains(needle) {
  const mem = new Uint8Array(wasmMemory().buffer);
  outer: for (let i = 0; i + needle.length <= mem.length; i++) {
    if (mem[i] !== needle[0]) continue;
    for (let j = 1; j < needle.length; j++) if (mem[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

test('leak test: after free() the key bytes are not in wasm memory, in any encoding', () => {
  const bytes = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  const forms = {
    raw: bytes,
    hex: new TextEncoder().encode(hex(bytes)),
    base64: new TextEncoder().encode(Buffer.from(bytes).toString('base64')),
  };
  const key = CustomerKey.fromBytes('AES256', bytes);
  const wrapping = WrappingKey.generate('AES-256-GCM');
  void key.md5Base64;
  void key.fingerprint;
  const env = key.wrap(wrapping, { aad: 'b/k' });
  const back = CustomerKey.unwrap(env, wrapping, { aad: 'b/k' });
  const signer = new CosSigner({ secretId: 'AKIDx', secretKey: 'sk' });
  signer.signRequest({ method: 'PUT', key: 'k', bucket: 'b-1', region: 'ap-x', keyTime: '1;2', sse: { type: 'SSE-C', key: back } });
  assert.ok(memoryContains(forms.raw), 'sanity: the live key is in wasm memory');
  key.free();
  back.free();
  for (const [name, needle] of Object.entries(forms)) assert.ok(!memoryContains(needle), `${name} key bytes remain after free()`);
});
