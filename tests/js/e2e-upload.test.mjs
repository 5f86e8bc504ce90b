// End to end in headless Chromium: the demo page's "large file" mode (examples/browser-upload/
// large.js, cos-wasm/upload) through the edge worker's POST /multipart (workerd) to the strict
// local COS emulator. A 300 MiB file (deterministic bytes the page writes to its origin-private
// file system, tests/js/page-file.mjs) in 8 MiB parts with a page-held SSE-C key: the page is
// closed halfway, a new page picks the same file and resumes
// without re-sending finished parts; the object reads back with the same CRC-64. Cancel leaves
// no upload behind; an emulator whose CORS hides ETag gives ERR_CORS_ETAG_NOT_EXPOSED.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner } from 'cos-wasm';
import { Crc64 } from 'cos-wasm/hash';
import { launchChromium } from './harness.mjs';
import { startStack, BUCKET, REGION } from './e2e-stack.mjs';
import { FILE_CHUNK as CHUNK, fileChunk as chunk, makeFileInPage } from './page-file.mjs';

const MiB = 1024 * 1024;
const BIG = 300 * MiB;
const PART = 8 * MiB;
const PARTS = Math.ceil(BIG / PART);
let stack;
let browser;
const partRequests = []; // { page, n } for every UploadPart the browser sent

function crcOfGenerated(size) {
  const crc = new Crc64();
  for (let i = 0; i * CHUNK < size; i++) crc.update(chunk(i, Math.min(CHUNK, size - i * CHUNK)));
  return crc.digest();
}

async function openPage(url = stack.pageUrl) {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.large !== undefined, null, { timeout: 20000 });
  return page;
}

async function uploadsInProgress(s = stack) {
  const signer = new CosSigner({ secretId: s.env.COS_SECRET_ID, secretKey: s.env.COS_SECRET_KEY });
  const port = Number(s.env.COS_DOMAIN.split(':')[1]);
  const req = signer.signRequest({ bucket: BUCKET, region: REGION, domain: '127.0.0.1', port, protocol: 'http', pathStyle: true, method: 'GET', query: { uploads: null }, expires: 60 });
  const xml = await (await fetch(req.url, { headers: req.headers })).text();
  signer.free();
  return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
}

before(async () => {
  stack = await startStack({ maxUploadBytes: 400 * MiB });
  browser = await launchChromium();
  browser.context.on('request', (r) => {
    const u = r.url();
    if (r.method() === 'PUT' && u.startsWith(`http://${stack.env.COS_DOMAIN}/`) && u.includes('partNumber=')) {
      partRequests.push({ page: r.frame().page(), n: Number(new URL(u).searchParams.get('partNumber')) });
    }
  });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test('300 MiB, 8 MiB parts, SSE-C page key: closed halfway, resumed in a new page without re-sending finished parts; CRC-64 and bytes match', async () => {
  const page1 = await openPage();
  await makeFileInPage(page1, 'big.bin', BIG);
  await page1.evaluate(() => void window.large.start(window.__file, { mode: 'SSE-C-CLIENT', user: 'alice', partSize: 8 * 1024 * 1024, concurrency: 4 }));
  await page1.waitForFunction(() => (window.large.state.progress?.partsDone ?? 0) >= 19 || window.large.state.result, null, { timeout: 60000, polling: 50 });
  assert.equal(await page1.evaluate(() => window.large.state.result), undefined, 'still uploading');
  await page1.close(); // the page dies mid-upload
  const sent1 = partRequests.filter((r) => r.page === page1).map((r) => r.n);

  const page2 = await openPage();
  const stored = await page2.evaluate(async () => {
    const { indexedDbStore } = await import('cos-wasm/upload');
    const s = await indexedDbStore().get('/users/alice/big.bin');
    return s.parts.map((p) => p.n);
  });
  assert.ok(stored.length >= 19 && stored.length < PARTS, `${stored.length} parts stored`);
  await makeFileInPage(page2, 'big.bin', BIG); // "picks the same file"
  const result = await page2.evaluate(() => window.large.start(window.__file, { mode: 'SSE-C-CLIENT', user: 'alice', partSize: 8 * 1024 * 1024, concurrency: 4 }));
  assert.equal(result.error, undefined, result.message);
  const sent2 = partRequests.filter((r) => r.page === page2).map((r) => r.n);
  assert.equal(result.parts, PARTS);
  assert.equal(result.resumedParts, stored.length);
  assert.deepEqual(sent2.filter((n) => stored.includes(n)), [], 'no finished part is sent again');
  assert.equal(new Set(sent2).size, PARTS - stored.length);
  assert.ok(sent1.length >= 19);

  const want = crcOfGenerated(BIG);
  assert.equal(result.crc64, want);
  const back = await page2.evaluate(() => window.large.readBack('big.bin', { mode: 'SSE-C-CLIENT', user: 'alice' }));
  assert.deepEqual(back, { status: 200, size: BIG, crc64: want });
  await page2.close();
});

test('cancel: AbortMultipartUpload, ListMultipartUploads is empty', async () => {
  const page = await openPage();
  await makeFileInPage(page, 'cancel.bin', 40 * MiB);
  await page.evaluate(() => void window.large.start(window.__file, { mode: 'SSE-C-CLIENT', user: 'bob', concurrency: 2 }));
  await page.waitForFunction(() => (window.large.state.progress?.partsDone ?? 0) >= 1, null, { timeout: 30000, polling: 20 });
  await page.evaluate(() => window.large.cancel());
  await page.waitForFunction(() => window.large.state.result !== undefined, null, { timeout: 30000 });
  const result = await page.evaluate(() => window.large.state.result);
  assert.equal(result.error, 'ERR_ABORTED');
  assert.deepEqual(await uploadsInProgress(), []);
  await page.close();
});

test('a bucket whose CORS does not expose ETag: ERR_CORS_ETAG_NOT_EXPOSED naming the setting', async () => {
  const wrong = await startStack({ maxUploadBytes: 10 * MiB, emulatorArgs: ['--cors-expose-headers', 'Date, x-cos-request-id, x-cos-hash-crc64ecma'] });
  try {
    const page = await openPage(wrong.pageUrl);
    await makeFileInPage(page, 'cors.bin', 3 * MiB);
    const result = await page.evaluate(() => window.large.start(window.__file, { mode: 'NONE', user: 'alice', partSize: 8 * 1024 * 1024 }));
    assert.equal(result.error, 'ERR_CORS_ETAG_NOT_EXPOSED', result.message);
    assert.match(result.message, /ExposeHeader/);
    await page.close();
  } finally {
    await wrong.stop();
  }
});

/** POST /multipart as `user`; `body` an object, or a JSON text sent as it is. */
async function call(user, body) {
  const res = await fetch(`${stack.workerUrl}/multipart`, { method: 'POST', headers: { Authorization: `Bearer ${stack.users[user]}`, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const json = await res.json();
  return { status: res.status, code: json.error?.code, json };
}

test('POST /multipart refuses: another prefix, a forged, foreign, unbound or re-bound ticket, out-of-range parts, parts of another length than the pinned part size gives, unknown fields', async () => {
  const init = { action: 'initiate', filename: 'neg.bin', size: 20 * MiB, partSize: 8 * MiB, sse: 'SSE-KMS' };
  const ok = await call('alice', init);
  assert.equal(ok.status, 200);
  assert.equal(ok.json.key, 'users/alice/neg.bin');
  assert.ok(ok.json.headers['x-cos-server-side-encryption'], 'SSE pinned at initiate');
  const { ticket } = ok.json;
  const bound = (await call('alice', { action: 'bind', ticket, uploadId: 'u1' })).json.ticket;
  assert.ok(bound);
  const part = await call('alice', { action: 'part', ticket: bound, partNumber: 2, size: 8 * MiB });
  assert.equal(part.status, 200);
  assert.equal((await call('alice', { action: 'part', ticket: bound, partNumber: 3, size: 4 * MiB })).status, 200, 'the last part: the rest');
  assert.match(part.json.url, /partNumber=2&uploadId=u1/);
  assert.equal(part.json.headers['x-cos-server-side-encryption'], undefined, 'no SSE-KMS header on parts');
  const complete = await call('alice', { action: 'complete', ticket: bound, size: 200 });
  assert.match(complete.json.url, /\?uploadId=u1$/);
  // strict signing: the XML's type and exact size are signed (issue 27)
  assert.equal(complete.json.headers['Content-Length'], '200');
  assert.equal(complete.json.headers['Content-Type'], 'application/xml');
  assert.equal(part.json.headers['Content-Type'], 'application/octet-stream');

  const [body, mac] = bound.split('.');
  const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url')), k: 'users/bob/x' })).toString('base64url');
  for (const [user, req, status, code] of [
    ['alice', { ...init, filename: undefined, key: 'users/bob/x.bin' }, 403, 'ERR_FORBIDDEN'],
    ['alice', { ...init, size: 500 * MiB }, 400, 'ERR_TOO_LARGE'],
    ['alice', { ...init, size: undefined }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { ...init, sse: 'SSE-C-CLIENT' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { ...init, acl: 'public-read' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket, partNumber: 1, size: MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'bind', ticket: bound, uploadId: 'u2' }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: `${forged}.${mac}`, partNumber: 1, size: MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: `${body}.${mac.slice(0, -2)}AA`, partNumber: 1, size: MiB }, 403, 'ERR_FORBIDDEN'],
    ['bob', { action: 'part', ticket: bound, partNumber: 1, size: MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { ...init, partSize: undefined }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { ...init, partSize: MiB - 1 }, 400, 'ERR_BAD_REQUEST'],
    // one part size for every ticket (MULTIPART_PART_BYTES): tickets of other part sizes bound to
    // one upload id could otherwise sign parts 1:16, 2:8, 3:4, 4:5 MiB past MAX_UPLOAD_BYTES
    ['alice', { ...init, partSize: 16 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { ...init, partSize: 4 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 4, size: MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 1, size: 21 * MiB }, 400, 'ERR_BAD_REQUEST'],
    // each part only for its exact length: the parts never add up to more than the declared size
    ['alice', { action: 'part', ticket: bound, partNumber: 1, size: MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 3, size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 1, size: MiB, uploadId: 'other' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'copy', ticket: bound }, 400, 'ERR_BAD_REQUEST'],
    // red team: JSON types and action confusion
    ['alice', { action: 'part', ticket: bound, partNumber: '2', size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 2.5, size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: true, size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: [2], size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 2, size: `${8 * MiB}` }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'part', ticket: bound, partNumber: 2, size: 8 * MiB + 0.5 }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'list', ticket: bound, partNumberMarker: -1 }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'list', ticket: bound, partNumberMarker: '0' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: ['part'], ticket: bound, partNumber: 2, size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'PART', ticket: bound, partNumber: 2, size: 8 * MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'initiate', ticket: bound, filename: 'x.bin', size: MiB, partSize: MiB }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'bind', ticket, uploadId: 'u1', partNumber: 1 }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'bind', ticket, uploadId: 'u1&partNumber=1' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'bind', ticket, uploadId: '' }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'complete', ticket }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'abort', ticket }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'list', ticket }, 403, 'ERR_FORBIDDEN'],
    // red team: ticket tampering (was: anything after a second dot was ignored)
    ['alice', { action: 'part', ticket: `${bound}.x`, partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: `${bound}.`, partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: `${mac}.${body}`, partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: 5, partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: { toString: () => bound }, partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['alice', { action: 'part', ticket: 'x'.repeat(5000), partNumber: 2, size: 8 * MiB }, 403, 'ERR_FORBIDDEN'],
    ['bob', { action: 'bind', ticket, uploadId: 'u3' }, 403, 'ERR_FORBIDDEN'],
    // a ticket does not carry over to another action's fields
    ['alice', { action: 'complete', ticket: bound, partNumber: 2 }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'complete', ticket: bound }, 400, 'ERR_BAD_REQUEST'],
    ['alice', { action: 'complete', ticket: bound, size: 3 * MiB }, 400, 'ERR_BAD_REQUEST'],
  ]) {
    const r = await call(user, req);
    assert.deepEqual([r.status, r.code], [status, code], JSON.stringify(req).slice(0, 120));
  }
});

test('POST /multipart: JSON texts are read as the numbers they spell; duplicate keys and __proto__ give no way around the checks', async () => {
  const { ticket } = (await call('alice', { action: 'initiate', filename: 'json.bin', size: 20 * MiB, partSize: 8 * MiB })).json;
  const bound = (await call('alice', { action: 'bind', ticket, uploadId: 'u9' })).json.ticket;
  const T = JSON.stringify(bound);
  for (const [text, status, url] of [
    [`{"action":"part","ticket":${T},"partNumber":1.0,"size":8388608}`, 200, /partNumber=1&uploadId=u9/],
    [`{"action":"part","ticket":${T},"partNumber":1e0,"size":8388608.0}`, 200, /partNumber=1&uploadId=u9/],
    [`{"action":"list","ticket":${T},"partNumberMarker":-0}`, 200, /uploadId=u9.*part-number-marker=0$/],
    [`{"action":"part","ticket":${T},"partNumber":1e400,"size":8388608}`, 400],
    [`{"action":"part","ticket":${T},"partNumber":9007199254740993,"size":8388608}`, 400],
    [`{"action":"part","ticket":${T},"partNumber":-0,"size":8388608}`, 400],
    // duplicate keys: the last one counts, and is checked
    [`{"action":"part","ticket":${T},"partNumber":2,"size":8388608,"partNumber":4}`, 400],
    [`{"action":"part","ticket":${T},"partNumber":3,"size":4194304,"size":8388608}`, 400],
    [`{"action":"list","action":"initiate","ticket":${T},"filename":"x.bin","size":1,"partSize":1048576}`, 400],
    [`{"action":"initiate","filename":"a.bin","key":"users/bob/a.bin","size":1048576,"partSize":1048576}`, 403],
    [`{"action":"initiate","key":"users/alice/a.bin","key":"users/bob/a.bin","size":1048576,"partSize":1048576}`, 403],
    [`{"action":"part","ticket":${T},"__proto__":{"partNumber":2,"size":8388608}}`, 400],
    [`{"__proto__":{"action":"complete"},"ticket":${T}}`, 400],
    ['null', 400],
    ['[]', 400],
    ['"part"', 400],
  ]) {
    const r = await call('alice', text);
    assert.equal(r.status, status, `${text.slice(0, 100)}: ${r.code}`);
    if (url) assert.match(r.json.url, url, text.slice(0, 100));
  }
});

test('POST /multipart: a ticket bound to another user\'s upload id reaches nothing of it (COS ties an upload id to its key)', async () => {
  const send = (s, method, body) => {
    const headers = Object.fromEntries(Object.entries(s.json.headers).filter(([k]) => k.toLowerCase() !== 'content-length'));
    return fetch(s.json.url, { method, headers, body });
  };
  const P = 8 * MiB; // the worker's part size
  const a = await call('alice', { action: 'initiate', filename: 'mine.bin', size: 2 * P, partSize: P });
  const aliceId = /<UploadId>([^<]+)<\/UploadId>/.exec(await (await send(a, 'POST')).text())[1];
  const aliceTicket = (await call('alice', { action: 'bind', ticket: a.json.ticket, uploadId: aliceId })).json.ticket;
  assert.equal((await send(await call('alice', { action: 'part', ticket: aliceTicket, partNumber: 1, size: P }), 'PUT', new Uint8Array(P))).status, 200);

  const b = await call('bob', { action: 'initiate', filename: 'mine.bin', size: 2 * P, partSize: P });
  const bobTicket = (await call('bob', { action: 'bind', ticket: b.json.ticket, uploadId: aliceId })).json.ticket;
  const complete = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`;
  for (const [req, method, body] of [[{ action: 'list' }, 'GET'], [{ action: 'part', partNumber: 2, size: P }, 'PUT', new Uint8Array(P)], [{ action: 'complete', size: complete.length }, 'POST', complete], [{ action: 'abort' }, 'DELETE']]) {
    const s = await call('bob', { ...req, ticket: bobTicket });
    assert.equal(s.status, 200);
    assert.match(s.json.url, /users\/bob\/mine\.bin/);
    const res = await send(s, method, body);
    assert.equal(res.status, 404, `${req.action}: ${res.status}`);
  }
  assert.ok((await uploadsInProgress()).includes('users/alice/mine.bin'), "alice's upload is untouched");
  assert.equal((await send(await call('alice', { action: 'abort', ticket: aliceTicket }), 'DELETE')).status, 204);
});
