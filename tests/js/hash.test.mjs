// Integrity hashing through the packed package (Node ESM).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Crc64, Md5, Sha1, crc64Combine, verifyCrc64, verifyResponseCrc64, hashInput } from 'cos-wasm/hash';
import { initSync } from 'cos-wasm/hash';
import { assertCosError } from './helpers.mjs';

// The instance's exports (initSync returns them once initialised): the linear memory.
const wasmMemory = () => initSync({ module: new Uint8Array() }).memory;

const enc = (s) => new TextEncoder().encode(s);
const crcOf = (bytes) => {
  const c = new Crc64();
  c.update(bytes);
  const d = c.digest();
  c.free();
  return d;
};

// Known answers (MD5, SHA-1, CRC-64, crc64Combine) run in the shared suite (suite.mjs).

test('crc64Combine joins part CRCs without rehashing', () => {
  const a = enc('[Object ');
  const b = enc('Content]');
  assert.equal(crc64Combine(crcOf(a), crcOf(b), b.length), crcOf(enc('[Object Content]')));
  assert.equal(crc64Combine(BigInt(crcOf(a)), crcOf(new Uint8Array()), 0n), crcOf(a));
});

test('MD5 and SHA-1 match node:crypto; one digest finishes them, reset() reuses them', () => {
  const body = enc('ObjectContent');
  const m = new Md5();
  m.update(body);
  assert.equal(m.digestBase64(), createHash('md5').update(body).digest('base64'));
  assertCosError(() => m.update(body), 'ERR_USE_AFTER_FREE');
  m.reset();
  m.update(enc('[Object Content]'));
  assert.equal(m.digestHex(), createHash('md5').update('[Object Content]').digest('hex'));
  const s = new Sha1();
  s.update(enc('abc'));
  assert.equal(s.digestHex(), createHash('sha1').update('abc').digest('hex'));
});

test('verifyCrc64 / verifyResponseCrc64 raise ERR_CRC64_MISMATCH', () => {
  verifyCrc64('11051210869376104954', '11051210869376104954');
  assertCosError(() => verifyCrc64('11051210869376104954', '1'), 'ERR_CRC64_MISMATCH');
  assertCosError(() => verifyCrc64('1', 'abc'), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => verifyCrc64('1', null), 'ERR_INVALID_ARGUMENT');
  const res = new Response('x', { headers: { 'x-cos-hash-crc64ecma': '42' } });
  assertCosError(() => verifyResponseCrc64(res, '43'), 'ERR_CRC64_MISMATCH');
  verifyResponseCrc64(res, 42n);
});

test('hashInput: Blob, ReadableStream and ArrayBuffer give the same digests, with progress', async () => {
  const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
  const want = {
    crc64: crcOf(data),
    md5Hex: createHash('md5').update(data).digest('hex'),
    md5Base64: createHash('md5').update(data).digest('base64'),
    sha1Hex: createHash('sha1').update(data).digest('hex'),
  };
  const algorithms = ['crc64', 'md5', 'sha1'];
  const progress = [];
  const fromBlob = await hashInput(new Blob([data]), { algorithms, chunkSize: 1 << 20, onProgress: (d, t) => progress.push([d, t]) });
  assert.deepEqual(fromBlob, { bytes: data.length, ...want });
  assert.deepEqual(progress.at(-1), [data.length, data.length]);
  assert.equal(progress.length, 4);
  assert.deepEqual(await hashInput(new Blob([data]).stream(), { algorithms }), { bytes: data.length, ...want });
  assert.deepEqual(await hashInput(data.buffer, { algorithms }), { bytes: data.length, ...want });
});

test('hashInput honours AbortSignal and rejects bad input', async () => {
  const ctrl = new AbortController();
  const p = hashInput(new Blob([new Uint8Array(8 << 20)]), { chunkSize: 1 << 20, signal: ctrl.signal, onProgress: () => ctrl.abort() });
  await assert.rejects(p, (e) => e.name === 'CosError' && e.code === 'ERR_ABORTED');
  await assert.rejects(hashInput(42), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assert.rejects(hashInput(new Uint8Array(1), { algorithms: ['sha256'] }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
});

test('streaming 256 MiB grows wasm memory by less than 16 MiB', async () => {
  const chunk = new Uint8Array(4 << 20).fill(1);
  let sent = 0;
  const total = 256 << 20;
  const stream = new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  await hashInput(new Uint8Array(4 << 20)); // warm the allocator to its steady state
  const before = wasmMemory().buffer.byteLength;
  const out = await hashInput(stream, { algorithms: ['crc64', 'md5'] });
  assert.equal(out.bytes, total);
  const growth = wasmMemory().buffer.byteLength - before;
  assert.ok(growth < 16 << 20, `wasm memory grew by ${growth} bytes`);
});
