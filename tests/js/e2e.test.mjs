// End to end, in a real (headless) browser: examples/browser-upload drives the edge worker
// (examples/edge-worker under workerd) and the strict local COS emulator. For every SSE mode a
// 5 MiB file goes page → emulator (encrypted at rest: no plaintext in its data dir) → pre-signed
// GET → identical bytes. Negative paths: an oversized file (policy), another user's prefix, a
// wrong SSE-C key, an expired form, a missing token, a foreign origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashInput } from 'cos-wasm/hash';
import { startEmulator } from './emulator.mjs';
import { openExamplePage, postFormOnce, startStack, root, uploadViaPage } from './e2e-stack.mjs';

const MiB = 1024 * 1024;
let stack;
let browser;
let page;
const workerBodies = []; // every request body the page sent to the worker
const workerReplies = []; // every worker response body the page saw
const uploaded = {}; // mode → { key }

before(async () => {
  stack = await startStack({ maxUploadBytes: 6 * MiB });
  browser = await openExamplePage(stack, (page) => {
    page.on('request', (r) => r.url().startsWith(stack.workerUrl) && workerBodies.push(r.postData() ?? ''));
    page.on('response', async (r) => {
      if (r.url().startsWith(stack.workerUrl) && r.request().method() === 'POST') workerReplies.push(await r.text().catch(() => ''));
    });
  });
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

function filesUnder(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) filesUnder(p, out);
    else out.push(p);
  }
  return out;
}
function onDisk(needle) {
  return filesUnder(stack.emulator.dataDir).some((f) => readFileSync(f).includes(needle));
}

/** 5 MiB: random bytes with a text marker at the start and every 64 KiB. */
function payload(mode) {
  const buf = randomBytes(5 * MiB);
  const marker = Buffer.from(`PLAINTEXT MARKER ${mode} ${randomBytes(6).toString('hex')}`);
  for (let off = 0; off + marker.length < buf.length; off += 64 * 1024) marker.copy(buf, off);
  return { buf, marker };
}

const MODES = [
  ['SSE-COS', 'SSE-COS/AES256', 'AES256'],
  ['SSE-COS-SM4', 'SSE-COS/SM4', 'SM4'],
  ['SSE-KMS', 'SSE-KMS/AES256', 'cos/kms'],
  ['SSE-KMS-SM4', 'SSE-KMS/SM4', 'cos/kms'],
  ['SSE-C-WORKER', 'SSE-C/AES256, key derived in the worker', 'AES256'],
  ['SSE-C-WORKER-SM4', 'SSE-C/SM4, key derived in the worker', 'SM4'],
  ['SSE-C-CLIENT', 'SSE-C/AES256, key generated in the page', 'AES256'],
];

for (const [mode, label, echo] of MODES) {
  test(`page upload ${label}: 5 MiB, CRC-64 verified, encrypted at rest, same bytes back`, async () => {
    const { buf, marker } = payload(mode);
    const r = await uploadViaPage(page, mode, `${mode.toLowerCase()}.bin`, buf);
    assert.equal(r.ok, true, `${r.message}\n${r.steps.join('\n')}`);
    assert.equal(r.key, `users/alice/${mode.toLowerCase()}.bin`);
    assert.equal(r.uploadStatus, 201);
    assert.equal(r.crc64Server, (await hashInput(buf)).crc64);
    assert.equal(r.crc64Local, r.crc64Server);
    assert.equal(r.crc64Downloaded, r.crc64Local);
    assert.equal(r.bytesMatch, true);
    assert.equal(r.sseEcho, echo);
    assert.ok(!onDisk(marker), 'plaintext marker found in the emulator data dir');
    assert.ok(!onDisk(buf.subarray(1 * MiB + 100, 1 * MiB + 4196)), 'a plaintext slice found in the emulator data dir');
    uploaded[mode] = { key: r.key };
  });
}

test('the page-held SSE-C key never reached the worker; the finished page is kept as a screenshot', async () => {
  assert.ok(uploaded['SSE-C-CLIENT'], 'the SSE-C-CLIENT upload ran');
  const { key } = uploaded['SSE-C-CLIENT'];
  const keyB64 = await page.evaluate(async ([bucket, k]) => {
    const ck = await window.app.loadPageKey(bucket, k);
    try {
      return ck.keyBase64;
    } finally {
      ck.free();
    }
  }, [stack.env.COS_BUCKET, key]);
  assert.ok(workerBodies.length >= 2 * MODES.length);
  for (const body of workerBodies) assert.ok(!body.includes(keyB64), 'the page key was sent to the worker');
  for (const body of workerReplies) {
    assert.ok(!body.includes(stack.env.COS_SECRET_KEY), 'the COS secret appears in a worker response');
    assert.ok(!body.includes(stack.env.SSE_C_MASTER), 'the SSE-C master appears in a worker response');
  }
  mkdirSync(join(root, 'artifacts'), { recursive: true });
  await page.screenshot({ path: join(root, 'artifacts', 'e2e-browser-upload.png'), fullPage: true });
});

test('a file over MAX_UPLOAD_BYTES is refused by the emulator (policy content-length-range)', async () => {
  const r = await page.evaluate(async () => {
    const file = new File([new Uint8Array(7 * 1024 * 1024)], 'big.bin', { type: 'application/octet-stream' });
    // the page lies about the size: the worker's check passes, the signed policy does not
    const res = await window.app.run({ file, mode: 'SSE-COS', overrides: { size: 1024 } });
    return { ok: res.ok, uploadStatus: res.uploadStatus, uploadError: res.uploadError };
  });
  assert.deepEqual(r, { ok: false, uploadStatus: 400, uploadError: 'EntityTooLarge' });
  // declared honestly, the worker refuses before signing
  const res = await callWorker('/upload-form', { filename: 'big.bin', size: 7 * MiB, sse: 'SSE-COS' });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, 'ERR_TOO_LARGE');
});

test("another user's prefix is refused by the worker: 403 with a JSON error", async () => {
  const r = await page.evaluate(async () => {
    try {
      await window.app.api('/presign', { method: 'GET', key: 'users/bob/secret.bin' });
      return 'allowed';
    } catch (e) {
      return { status: e.status, code: e.code };
    }
  });
  assert.deepEqual(r, { status: 403, code: 'ERR_FORBIDDEN' });
  for (const body of [{ key: 'users/bob/x.bin', sse: 'SSE-COS' }, { filename: '../bob/x.bin', sse: 'SSE-COS' }]) {
    const res = await callWorker('/upload-form', body);
    assert.ok(res.status === 403 || res.status === 400, `${res.status}`);
    const json = await res.json();
    assert.match(json.error.code, /^ERR_(FORBIDDEN|BAD_REQUEST)$/);
    assert.equal(typeof json.error.message, 'string');
  }
  // bob cannot read alice's object either
  const bob = await callWorker('/presign', { method: 'GET', key: uploaded['SSE-COS']?.key ?? 'users/alice/x' }, stack.users.bob);
  assert.equal(bob.status, 403);
});

test('a download with a wrong SSE-C key, or none, fails', async () => {
  const { key } = uploaded['SSE-C-CLIENT'];
  const r = await page.evaluate(async ([k, bucket]) => {
    const wrong = window.app.cos.CustomerKey.generate('AES256');
    try {
      const a = await window.app.download(k, 'SSE-C-CLIENT', { bucket, customerKey: wrong });
      const b = await window.app.download(k, 'NONE', { bucket });
      return [a.status, a.code, b.status, b.code];
    } finally {
      wrong.free();
    }
  }, [key, stack.env.COS_BUCKET]);
  assert.deepEqual(r, [400, 'SsecDecryptHeaderInvalid', 400, 'SsecDecryptHeaderInvalid']);
  // the worker-derived key is per object and per algorithm: SM4 is not the AES256 object's key
  const res = await callWorker('/presign', { method: 'GET', key: uploaded['SSE-C-WORKER'].key, sse: 'SSE-C-WORKER-SM4' });
  const pre = await res.json();
  assert.equal((await fetch(pre.url, { headers: pre.headers })).status, 400);
});

test('an expired form is refused (emulator clock one hour ahead)', async () => {
  const later = await startEmulator({ credentials: [`${stack.env.COS_SECRET_ID}:${stack.env.COS_SECRET_KEY}`], args: ['--clock-offset', '3600'] });
  try {
    const form = await (await callWorker('/upload-form', { filename: 'late.bin', sse: 'SSE-COS' })).json();
    const url = form.url.replace(`127.0.0.1:${stack.emulator.port}`, `127.0.0.1:${later.port}`);
    // sent in one write: an emulator that refuses the form early closes the connection
    const res = await postFormOnce(url, Object.entries(form.fields), 'late', 'late.bin');
    assert.equal(res.status, 403);
    assert.match(res.text, /<Code>AccessDenied<\/Code>[\s\S]*expired/);
    // the same form is still good on the stack's emulator
    const ok = await postFormOnce(form.url, Object.entries(form.fields), 'late', 'late.bin');
    assert.equal(ok.status, 201);
  } finally {
    await later.stop();
  }
});

test('the README page snippet (marked e2e-test: page) works in the browser against the worker', async () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const [, code] = /<!-- e2e-test: page -->\s*```js\n([\s\S]*?)```/.exec(readme) ?? [];
  assert.ok(code, 'README has the page snippet');
  const r = await page.evaluate(async ([src, workerUrl, token]) => {
    const mod = await import(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
    const bytes = new Uint8Array(300000).map((_, i) => (i * 2654435761) >>> 24);
    const file = new File([bytes], 'readme.bin');
    const back = new Uint8Array(await (await mod.uploadAndReadBack(file, { workerUrl, token })).arrayBuffer());
    const put = await mod.putFile(file, 'users/alice/readme-put.bin', { workerUrl, token });
    const bad = await mod.putFile(file, 'users/bob/readme-put.bin', { workerUrl, token }).then((x) => x.status, (e) => String(e));
    return { same: back.length === bytes.length && back.every((v, i) => v === bytes[i]), put: put.status, bad };
  }, [code, stack.workerUrl, stack.users.alice]);
  assert.equal(r.same, true);
  assert.equal(r.put, 200);
  assert.notEqual(r.bad, 200);
});

test('worker: bearer token, CORS preflight and origin, CosError codes passed through', async () => {
  const anon = await fetch(`${stack.workerUrl}/presign`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"key":"users/alice/a"}' });
  assert.equal(anon.status, 401);
  assert.equal((await anon.json()).error.code, 'ERR_UNAUTHORIZED');
  const pre = await fetch(`${stack.workerUrl}/upload-form`, {
    method: 'OPTIONS',
    headers: { Origin: stack.webUrl, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), stack.webUrl);
  assert.match(pre.headers.get('access-control-allow-headers'), /Authorization/);
  const foreign = await fetch(`${stack.workerUrl}/upload-form`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  // SSE-COS cannot go through a pre-signed PUT: the package's CosError code, as JSON
  const put = await callWorker('/presign', { method: 'PUT', key: 'users/alice/p.bin', size: 3, sse: 'SSE-COS' });
  assert.equal(put.status, 400);
  assert.equal((await put.json()).error.code, 'ERR_SSE_PRESIGNED_UPLOAD');
  // a pre-signed PUT with SSE-KMS, size signed
  const kms = await (await callWorker('/presign', { method: 'PUT', key: 'users/alice/p.bin', size: 3, contentType: 'text/plain', sse: 'SSE-KMS' })).json();
  const { 'Content-Length': _len, ...headers } = kms.headers;
  assert.equal((await fetch(kms.url, { method: 'PUT', headers, body: 'abc' })).status, 200);
  assert.equal((await fetch(kms.url, { method: 'PUT', headers, body: 'abcd' })).status, 403);
  const ct = await callWorker('/upload-form', { filename: 'x.exe', contentType: 'application/x-msdownload' });
  assert.equal((await ct.json()).error.code, 'ERR_CONTENT_TYPE_NOT_ALLOWED');
});

function callWorker(path, body, token = stack.users.alice) {
  return fetch(stack.workerUrl + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}
