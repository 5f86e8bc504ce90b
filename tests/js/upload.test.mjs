// cos-wasm/upload (uploadFile) from Node against the strict local COS emulator, through the
// packed package: both ways of authorising (a local signer, a presign callback), SSE on the
// right steps, resume that sends only missing parts, a changed file, cancel, pause, retries,
// clock skew, a hidden ETag and a wrong CRC-64.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner, sseHeaders } from 'cos-wasm';
import { CustomerKey } from 'cos-wasm/keys';
import { hashInput } from 'cos-wasm/hash';
import { uploadFile, memoryStore } from 'cos-wasm/upload';
import { startEmulator } from './emulator.mjs';

const ID = 'AKIDuploadtest';
const SECRET = 'upload-secret-key';
const MiB = 1024 * 1024;
let emu;
let ep;
const signer = new CosSigner({ secretId: ID, secretKey: SECRET });

before(async () => {
  emu = await startEmulator({ credentials: [`${ID}:${SECRET}`] });
  ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', protocol: 'http', domain: '127.0.0.1', port: emu.port, pathStyle: true, allowInsecureLocal: true };
});
after(async () => emu?.stop());

/** Deterministic bytes (xorshift), so that every part differs. */
function bytes(n, seed = 1) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A fetch that records every request (method, url, headers) and lets a test rewrite answers. */
function recorder(rewrite) {
  const log = [];
  const f = async (url, init) => {
    const entry = { method: init.method, url: String(url), headers: { ...init.headers } };
    log.push(entry);
    if (rewrite) {
      const r = await rewrite(entry, url, init);
      if (r !== undefined) return r;
    }
    return fetch(url, init);
  };
  return { fetch: f, log, parts: () => log.filter((e) => e.method === 'PUT' && e.url.includes('partNumber=')) };
}

const withHeaders = async (res, change) => {
  const h = new Headers(res.headers);
  change(h);
  return new Response(await res.arrayBuffer(), { status: res.status, headers: h });
};

async function getBack(key, sse) {
  const g = signer.signRequest({ ...ep, method: 'GET', key, sse, expires: 300 });
  const res = await fetch(g.url, { headers: g.headers });
  assert.equal(res.status, 200);
  return new Uint8Array(await res.arrayBuffer());
}

async function uploadsInProgress() {
  const s = signer.signRequest({ ...ep, method: 'GET', query: { uploads: null }, expires: 300 });
  const xml = await (await fetch(s.url, { headers: s.headers })).text();
  return [...xml.matchAll(/<UploadId>([^<]+)<\/UploadId>/g)].map((m) => m[1]);
}

const crcOf = async (data) => (await hashInput(data, { algorithms: ['crc64'] })).crc64;

test('signer + SSE-C: parts carry the SSE-C triple, Complete none; bytes and CRC-64 match', async () => {
  const key = CustomerKey.generate('AES256');
  const data = bytes(5 * MiB + 12345, 7);
  const rec = recorder();
  const seen = [];
  const r = await uploadFile(new Blob([data]), {
    ...ep, signer, key: 'up/ssec.bin', partSize: MiB, concurrency: 3, store: memoryStore(), fetch: rec.fetch,
    sse: sseHeaders({ type: 'SSE-C', key }, 'UploadPart'), onProgress: (p) => seen.push(p),
  });
  assert.equal(r.parts, 6);
  assert.equal(r.size, data.length);
  assert.equal(r.crc64, await crcOf(data));
  assert.equal(rec.parts().length, 6);
  for (const e of rec.log) {
    const names = Object.keys(e.headers).map((h) => h.toLowerCase());
    const ssec = names.includes('x-cos-server-side-encryption-customer-key');
    const isComplete = e.method === 'POST' && !e.url.includes('uploads');
    assert.equal(ssec, !isComplete, `${e.method} ${e.url}: SSE-C headers ${ssec ? 'sent' : 'missing'}`);
    assert.ok(!e.url.includes(key.md5Base64) && !e.url.includes('customer-key'), 'no key material in URLs');
  }
  assert.deepEqual(seen.at(-1), { loaded: data.length, total: data.length, partsDone: 6, partsTotal: 6 });
  assert.deepEqual(await getBack('up/ssec.bin', { type: 'SSE-C', key }), data);
  assert.deepEqual(await uploadsInProgress(), []);
});

test('presign callback + SSE-KMS: SSE headers on initiate only; the callback never sees an SSE-C key', async () => {
  const data = bytes(3 * MiB + 1, 9);
  const requests = [];
  // a stand-in for the edge worker: signs each step it is asked for
  const presign = async (req) => {
    requests.push(req);
    return signer.presignRequest({ ...ep, method: req.method, key: req.key, query: req.query, headers: req.headers, expires: 300 });
  };
  const rec = recorder();
  const r = await uploadFile(new Blob([data], { type: 'application/pdf' }), {
    key: 'up/kms.bin', presign, partSize: MiB, store: memoryStore(), fetch: rec.fetch,
    sse: sseHeaders({ type: 'SSE-KMS', context: { app: 't' } }, 'InitiateMultipartUpload'),
  });
  assert.equal(r.crc64, await crcOf(data));
  assert.deepEqual(requests.map((q) => q.operation), ['InitiateMultipartUpload', 'UploadPart', 'UploadPart', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload']);
  assert.equal(requests[0].headers['x-cos-server-side-encryption'], 'cos/kms');
  assert.equal(requests[0].headers['Content-Type'], 'application/pdf');
  for (const q of requests.slice(1)) assert.ok(!Object.keys(q.headers).some((h) => h.startsWith('x-cos-server-side')), q.operation);
  assert.deepEqual(await getBack('up/kms.bin'), data);

  // SSE-C through presign: algorithm and key-MD5 go to the callback, the key only to COS
  const key = CustomerKey.generate('AES256');
  const seen = [];
  await uploadFile(new Blob([bytes(2 * MiB + 5, 3)]), {
    key: 'up/ssec-presign.bin', partSize: MiB, store: memoryStore(),
    presign: (req) => (seen.push(req), presign(req)), sse: sseHeaders({ type: 'SSE-C', key }, 'UploadPart'),
  });
  for (const q of seen) {
    assert.ok(!Object.keys(q.headers).some((h) => h.toLowerCase() === 'x-cos-server-side-encryption-customer-key'), `${q.operation} got the key`);
    if (q.operation !== 'CompleteMultipartUpload') assert.equal(q.headers['x-cos-server-side-encryption-customer-key-MD5'], key.md5Base64);
  }
});

test('resume: a stopped upload continues from its stored state and sends only the missing parts', async () => {
  const data = bytes(8 * MiB, 11);
  const file = new File([data], 'big.bin', { lastModified: 1700000000000 });
  const store = memoryStore();
  const opts = { ...ep, signer, key: 'up/resume.bin', partSize: MiB, concurrency: 2, store };
  const stop = new AbortController();
  const first = recorder();
  const t1 = uploadFile(file, { ...opts, fetch: first.fetch, signal: stop.signal, onProgress: (p) => p.partsDone >= 3 && stop.abort() });
  await assert.rejects(t1.done, { code: 'ERR_ABORTED' });
  const id = t1.uploadId;
  assert.ok(id);
  assert.deepEqual(await uploadsInProgress(), [id], 'the upload is kept for a resume');
  const state = await store.get(`${ep.bucket}/up/resume.bin`);
  const finished = state.parts.length;
  assert.ok(finished >= 3 && finished < 8, `${finished} parts stored`);

  const second = recorder();
  const r = await uploadFile(file, { ...opts, fetch: second.fetch });
  assert.equal(r.uploadId, id);
  assert.equal(r.resumedParts, finished);
  assert.equal(second.parts().length, 8 - finished, 'only the missing parts are sent');
  assert.ok(second.log.some((e) => e.method === 'GET' && e.url.includes('uploadId=')), 'ListParts confirms');
  assert.equal(r.crc64, await crcOf(data));
  assert.deepEqual(await getBack('up/resume.bin'), data);
  assert.equal(await store.get(`${ep.bucket}/up/resume.bin`), undefined, 'state forgotten after Complete');
});

test('a changed file under the same key aborts the stale upload and starts over', async () => {
  const store = memoryStore();
  const opts = { ...ep, signer, key: 'up/changed.bin', partSize: MiB, store };
  const stop = new AbortController();
  const t1 = uploadFile(new File([bytes(4 * MiB, 1)], 'a', { lastModified: 1 }), { ...opts, signal: stop.signal, onProgress: (p) => p.partsDone >= 1 && stop.abort() });
  await assert.rejects(t1.done, { code: 'ERR_ABORTED' });
  const stale = t1.uploadId;
  const data = bytes(4 * MiB, 2);
  const r = await uploadFile(new File([data], 'a', { lastModified: 2 }), opts);
  assert.notEqual(r.uploadId, stale);
  assert.equal(r.resumedParts, 0);
  assert.deepEqual(await uploadsInProgress(), [], 'the stale upload was aborted');
  assert.deepEqual(await getBack('up/changed.bin'), data);
});

test('cancel() aborts the multipart upload: nothing is left behind', async () => {
  const store = memoryStore();
  let task;
  task = uploadFile(new Blob([bytes(6 * MiB, 5)]), { ...ep, signer, key: 'up/cancel.bin', partSize: MiB, concurrency: 1, store, onProgress: (p) => p.partsDone === 2 && task.cancel() });
  await assert.rejects(task.done, { code: 'ERR_ABORTED', message: /cancelled/ });
  assert.deepEqual(await uploadsInProgress(), []);
  assert.equal(await store.get(`${ep.bucket}/up/cancel.bin`), undefined);
});

test('pause() stops sending until resume()', async () => {
  const data = bytes(4 * MiB, 13);
  const rec = recorder();
  let task;
  task = uploadFile(new Blob([data]), { ...ep, signer, key: 'up/pause.bin', partSize: MiB, concurrency: 1, resume: false, fetch: rec.fetch, onProgress: (p) => p.partsDone === 1 && task.pause() });
  await new Promise((r) => setTimeout(r, 300));
  const during = rec.log.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(rec.log.length, during, 'nothing sent while paused');
  assert.ok(rec.parts().length < 4);
  task.resume();
  const r = await task;
  assert.equal(r.crc64, await crcOf(data));
});

test('retries: a 503 and a network failure on a part are retried; 4xx is not', async () => {
  const data = bytes(3 * MiB, 17);
  let faults = 0;
  const rec = recorder(async (e) => {
    if (e.url.includes('partNumber=2') && faults === 0) return (faults++, new Response('<Error><Code>ServiceUnavailable</Code><Message>busy</Message></Error>', { status: 503 }));
    if (e.url.includes('partNumber=3') && faults === 1) throw (faults++, new TypeError('fetch failed'));
  });
  const r = await uploadFile(new Blob([data]), { ...ep, signer, key: 'up/retry.bin', partSize: MiB, resume: false, fetch: rec.fetch });
  assert.equal(faults, 2);
  assert.equal(r.crc64, await crcOf(data));
  // a refusal is final, coded and carries COS's code and request id
  const bad = new CosSigner({ secretId: ID, secretKey: 'wrong' });
  const rec2 = recorder();
  const err = await uploadFile(new Blob([data]), { ...ep, signer: bad, key: 'up/refused.bin', partSize: MiB, resume: false, fetch: rec2.fetch }).then(() => null, (e) => e);
  assert.equal(err.code, 'ERR_SIGNATURE_MISMATCH');
  assert.equal(err.cosCode, 'SignatureDoesNotMatch');
  assert.ok(err.requestId);
  assert.equal(rec2.log.length, 1, 'no retry of a 403');
  assert.ok(!err.message.includes('wrong'));
});

test('RequestTimeTooSkewed: the clock offset is measured from Date and the step signed again', async () => {
  const skewed = await startEmulator({ credentials: [`${ID}:${SECRET}`], args: ['--clock-offset', '7200'] });
  try {
    const s = new CosSigner({ secretId: ID, secretKey: SECRET });
    const data = bytes(2 * MiB + 3, 19);
    const r = await uploadFile(new Blob([data]), { ...ep, port: skewed.port, signer: s, key: 'up/skew.bin', partSize: MiB, resume: false });
    assert.equal(r.crc64, await crcOf(data));
    assert.ok(Math.abs(s.clockOffset - 7200) <= 2, `clockOffset ${s.clockOffset}`);
  } finally {
    await skewed.stop();
  }
});

test('an unreadable ETag is ERR_CORS_ETAG_NOT_EXPOSED; a wrong CRC-64 after Complete is ERR_CRC64_MISMATCH', async () => {
  const data = bytes(2 * MiB + 7, 23);
  const hidden = recorder(async (e, url, init) => (e.url.includes('partNumber=') ? withHeaders(await fetch(url, init), (h) => h.delete('etag')) : undefined));
  const err = await uploadFile(new Blob([data]), { ...ep, signer, key: 'up/etag.bin', partSize: MiB, resume: false, fetch: hidden.fetch }).then(() => null, (e) => e);
  assert.equal(err?.code, 'ERR_CORS_ETAG_NOT_EXPOSED');
  assert.match(err.message, /ExposeHeader/);
  assert.deepEqual(await uploadsInProgress(), [], 'resume: false: a failed upload is aborted, not orphaned');

  const complete = (e) => e.method === 'POST' && /uploadId=/.test(e.url);
  const wrong = recorder(async (e, url, init) => (complete(e) ? withHeaders(await fetch(url, init), (h) => h.set('x-cos-hash-crc64ecma', '12345')) : undefined));
  const err2 = await uploadFile(new Blob([data]), { ...ep, signer, key: 'up/crc.bin', partSize: MiB, resume: false, fetch: wrong.fetch }).then(() => null, (e) => e);
  assert.equal(err2?.code, 'ERR_CRC64_MISMATCH');
  const gone = recorder(async (e, url, init) => (complete(e) ? withHeaders(await fetch(url, init), (h) => h.delete('x-cos-hash-crc64ecma')) : undefined));
  const err3 = await uploadFile(new Blob([data]), { ...ep, signer, key: 'up/crc2.bin', partSize: MiB, resume: false, fetch: gone.fetch }).then(() => null, (e) => e);
  assert.equal(err3?.code, 'ERR_CRC64_MISMATCH');
  assert.match(err3.message, /CORS/);
});

test('a file up to partSize goes in one PUT with every SSE header, checked by CRC-64', async () => {
  const data = bytes(300000, 29);
  const rec = recorder();
  const r = await uploadFile(new Blob([data]), { ...ep, signer, key: 'up/small.bin', resume: false, fetch: rec.fetch, sse: sseHeaders({ type: 'SSE-COS' }, 'PutObject') });
  assert.equal(rec.log.length, 1);
  assert.equal(rec.log[0].method, 'PUT');
  assert.equal(rec.log[0].headers['x-cos-server-side-encryption'], 'AES256');
  assert.equal(r.parts, 0);
  assert.equal(r.crc64, await crcOf(data));
  const empty = await uploadFile(new Blob([]), { ...ep, signer, key: 'up/empty.bin', resume: false });
  assert.equal(empty.crc64, '0');
});

test('bad options are ERR_INVALID_ARGUMENT, thrown at once', () => {
  const blob = new Blob(['x']);
  const cases = [
    [undefined, { key: 'k', signer, ...ep }],
    [blob, undefined],
    [blob, { key: '', signer, ...ep }],
    [blob, { key: 'k' }],
    [blob, { key: 'k', signer, presign: async () => ({}), ...ep }],
    [blob, { key: 'k', signer: {}, ...ep }],
    [blob, { key: 'k', signer }],
    [blob, { key: 'k', signer, ...ep, partSize: 1000 }],
    [blob, { key: 'k', signer, ...ep, concurrency: 0 }],
    [blob, { key: 'k', signer, ...ep, sse: { 'x-cos-acl': 'public-read' } }],
    [blob, { key: 'k', signer, ...ep, sse: { 'x-cos-server-side-encryption': 1 } }],
    [blob, { key: 'k', signer, ...ep, store: {} }],
    [blob, { key: 'k', signer, ...ep, onProgress: 1 }],
  ];
  for (const [f, o] of cases) assert.throws(() => uploadFile(f, o), { name: 'CosError', code: 'ERR_INVALID_ARGUMENT' }, JSON.stringify(o && Object.keys(o)));
});

test('CommonJS: require("cos-wasm/upload") works in Node without init()', async () => {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const cjs = require('cos-wasm/upload');
  const { CosSigner: Signer } = require('cos-wasm');
  const data = bytes(2 * MiB + 1, 31);
  const r = await cjs.uploadFile(new Blob([data]), { ...ep, signer: new Signer({ secretId: ID, secretKey: SECRET }), key: 'up/cjs.bin', partSize: MiB, resume: false });
  assert.equal(r.crc64, await crcOf(data));
});

test('a file that cannot be read is ERR_FILE_NOT_READABLE (after retries), and the failed upload is aborted', async () => {
  class Broken extends Blob {
    slice(...a) {
      const s = super.slice(...a);
      if (a[0] === MiB) s.stream = () => new ReadableStream({ pull: (c) => c.error(new DOMException('gone', 'NotReadableError')) });
      return s;
    }
  }
  const err = await uploadFile(new Broken([bytes(3 * MiB, 37)]), { ...ep, signer, key: 'up/unreadable.bin', partSize: MiB, resume: false, retries: 1 }).then(() => null, (e) => e);
  assert.equal(err?.code, 'ERR_FILE_NOT_READABLE');
  assert.deepEqual(await uploadsInProgress(), []);
});
