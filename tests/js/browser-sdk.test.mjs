// The official browser SDK (cos-js-sdk-v5, a devDependency of the repository root) in headless
// Chromium against the local COS emulator, with temporary keys that cos-wasm makes: a
// server-side `cosPolicy` (upload preset) + `getFederationToken` against the emulator's STS,
// handed to the SDK through its `getAuthorization` callback, as Tencent's STS demo does.
// Issue 26: `sliceUploadFile` starts with `GET /?uploads` (ListMultipartUploads), which the
// upload preset must grant; the SDK sends an empty `x-cos-meta-*` header unsigned, which the
// emulator accepts (`ctx::UNSIGNED_EMPTY_META_IGNORED`, UNCONFIRMED). And cos-wasm/upload's
// `uploadFile`, on a new device, continues an upload the SDK paused (`adoptOpenUploads`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CosSigner } from 'cos-wasm';
import { cosPolicy, getFederationToken } from 'cos-wasm/sts';
import { staticServer, launchChromium } from './harness.mjs';
import { startEmulator } from './emulator.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const requireRoot = createRequire(new URL('../../package.json', import.meta.url));
const sdkDir = dirname(requireRoot.resolve('cos-js-sdk-v5/dist/cos-js-sdk-v5.min.js'));

const MiB = 1024 * 1024;
const BUCKET = 'sdkbrowser-1250000000';
const REGION = 'ap-guangzhou';
const PREFIX = 'u/1/';
const ID = `AKID${randomBytes(12).toString('hex')}`;
const KEY = randomBytes(24).toString('base64url');
const big = randomBytes(12 * MiB);
const sha = (b) => createHash('sha256').update(b).digest('hex');

let tmp, web, emu, browser, page;
/** Every request the page sends to the bucket: { method, url, headers }. */
const sent = [];
let stsCalls = 0;

/** What a signed GET with the permanent key returns: { status, headers, body }. */
async function getObject(key, method = 'GET') {
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  try {
    const req = signer.signRequest({ bucket: BUCKET, region: REGION, domain: '127.0.0.1', port: emu.port, protocol: 'http', pathStyle: true, method, key, expires: 60 });
    const res = await fetch(req.url, { method, headers: req.headers });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  } finally {
    signer.free();
  }
}

/** Open multipart uploads of the bucket (their keys), as the permanent key sees them. */
async function openUploads() {
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  try {
    const req = signer.signRequest({ bucket: BUCKET, region: REGION, domain: '127.0.0.1', port: emu.port, protocol: 'http', pathStyle: true, method: 'GET', query: { uploads: null }, expires: 60 });
    const xml = await (await fetch(req.url, { headers: req.headers })).text();
    return [...xml.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
  } finally {
    signer.free();
  }
}

/** Runs `method` of a COS client made in the page (temporary keys through getAuthorization). */
function sdkCall(method, params) {
  return page.evaluate(
    async ({ method, params, port }) => {
      if (method === 'client') {
        // eslint-disable-next-line no-undef
        window.__cos = new COS({
          // virtual-hosted `<bucket>.localhost` (Chromium resolves *.localhost to loopback)
          Domain: `{Bucket}.localhost:${port}`,
          Protocol: 'http:',
          getAuthorization: (_options, callback) => {
            window.__credentials().then(
              (c) => callback({ TmpSecretId: c.tmpSecretId, TmpSecretKey: c.tmpSecretKey, SecurityToken: c.sessionToken, StartTime: c.startTime, ExpiredTime: c.expiredTime }),
              (e) => callback({ error: String(e) }),
            );
          },
        });
      }
      if (method === 'client') return {};
      if (!window.__cos) throw new Error('sdkCall("client") first');
      if (params.bodyUrl) {
        params.Body = await (await fetch(params.bodyUrl)).blob();
        delete params.bodyUrl;
      }
      return new Promise((ok) =>
        window.__cos[method](params, (err, data) => ok(err ? { err: JSON.parse(JSON.stringify(err)) } : { data: { statusCode: data.statusCode, ETag: data.ETag, Location: data.Location } })),
      );
    },
    { method, params: { Bucket: BUCKET, Region: REGION, ...params }, port: emu.port },
  );
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cos-wasm-sdk-browser-'));
  writeFileSync(join(tmp, 'big.bin'), big);
  web = await staticServer({ '/sdk/': sdkDir, '/data/': tmp, '/cos-wasm/': join(here, 'node_modules', 'cos-wasm'), '/': here });
  emu = await startEmulator({ credentials: [`${ID}:${KEY}`], corsOrigins: [web.url] });
  browser = await launchChromium();
  page = browser.page;
  // The page's credentials server: cos-wasm's STS entry, with the permanent key kept in Node.
  const policy = cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: 'upload', prefix: PREFIX }] });
  await page.exposeFunction('__credentials', async () => {
    stsCalls += 1;
    const c = await getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, endpoint: `${emu.url}/`, name: 'browser-sdk', policy, durationSeconds: 900 });
    return { ...c, startTime: Math.floor(Date.now() / 1000) - 5 };
  });
  page.on('request', (r) => {
    if (new URL(r.url()).hostname.endsWith('.localhost')) sent.push(r);
  });
  await page.goto(`${web.url}/browser-sdk.html`);
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 20000 });
  assert.equal(await page.evaluate(() => window.__ready), true, 'cos-js-sdk-v5.min.js did not load');
  await sdkCall('client', {});
});

after(async () => {
  await browser?.close();
  await emu?.stop();
  await web?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('cos-js-sdk-v5 sliceUploadFile (12 MiB, 1 MiB parts) with cos-wasm temporary keys (cosPolicy upload preset + getFederationToken)', async () => {
  const key = `${PREFIX}slice/big.bin`;
  const from = sent.length;
  const r = await sdkCall('sliceUploadFile', { Key: key, bodyUrl: '/data/big.bin', ChunkSize: 1 * MiB, AsyncLimit: 2 });
  assert.equal(r.err, undefined, JSON.stringify(r.err));
  assert.equal(r.data.statusCode, 200);
  assert.ok(stsCalls >= 1, 'the SDK never asked for credentials');
  const mine = sent.slice(from);
  const listed = mine.filter((q) => q.method() === 'GET' && new URL(q.url()).searchParams.has('uploads'));
  assert.ok(listed.length >= 1, 'sliceUploadFile did not list the open uploads (GET /?uploads)');
  const parts = mine.filter((q) => q.method() === 'PUT' && new URL(q.url()).searchParams.has('partNumber'));
  assert.equal(new Set(parts.map((q) => new URL(q.url()).searchParams.get('partNumber'))).size, 12);
  for (const q of mine.filter((x) => x.method() !== 'OPTIONS')) {
    const h = await q.allHeaders();
    assert.ok(h['x-cos-security-token'] || new URL(q.url()).searchParams.has('x-cos-security-token'), `${q.method()} ${q.url()} carries no security token`);
  }
  const got = await getObject(key);
  assert.equal(got.status, 200);
  assert.equal(got.body.length, big.length);
  assert.equal(sha(got.body), sha(big), 'stored bytes differ from the file');
  assert.deepEqual(await openUploads(), [], 'an upload was left open');
});

test('cos-js-sdk-v5 with the same temporary keys: a key outside the granted prefix is refused', async () => {
  const r = await sdkCall('putObject', { Key: 'other/x.txt', Body: 'outside' });
  assert.equal(r.err?.statusCode, 403, JSON.stringify(r));
  assert.equal((await getObject('other/x.txt', 'HEAD')).status, 404);
});

test('cos-js-sdk-v5 putObject with an empty x-cos-meta-* header (sent unsigned) passes', async () => {
  const key = `${PREFIX}meta/empty.txt`;
  const from = sent.length;
  const r = await sdkCall('putObject', { Key: key, Body: 'empty meta', Headers: { 'x-cos-meta-empty': '', 'x-cos-meta-who': 'browser' } });
  assert.equal(r.err, undefined, JSON.stringify(r.err));
  assert.equal(r.data.statusCode, 200);
  // the case the emulator's stance is about: the header went out, and not in q-header-list
  const put = sent.slice(from).find((q) => q.method() === 'PUT');
  const h = await put.allHeaders();
  assert.equal(h['x-cos-meta-empty'], '', 'the SDK no longer sends the empty header');
  const auth = h.authorization ?? new URL(put.url()).searchParams.get('q-header-list') ?? '';
  const headerList = decodeURIComponent(auth).match(/q-header-list=([^&]*)/)?.[1] ?? '';
  assert.ok(!headerList.split(';').includes('x-cos-meta-empty'), `the SDK now signs it: ${headerList}`);
  assert.ok(headerList.split(';').includes('x-cos-meta-who'), headerList);
  const got = await getObject(key);
  assert.equal(got.status, 200);
  assert.equal(got.body.toString(), 'empty meta');
  assert.equal(got.headers.get('x-cos-meta-who'), 'browser');
  // ignored, not stored (cos-emulator README, UNSIGNED_EMPTY_META_IGNORED)
  assert.equal(got.headers.get('x-cos-meta-empty'), null);
});

/** Open multipart uploads of `key` with their parts (permanent key): [{ uploadId, parts: [n] }]. */
async function uploadsOf(key) {
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  const ep = { bucket: BUCKET, region: REGION, domain: '127.0.0.1', port: emu.port, protocol: 'http', pathStyle: true, expires: 60 };
  try {
    const list = signer.signRequest({ ...ep, method: 'GET', query: { uploads: null, prefix: key } });
    const xml = await (await fetch(list.url, { headers: list.headers })).text();
    const ids = [...xml.matchAll(/<Upload><Key>([^<]+)<\/Key><UploadId>([^<]+)<\/UploadId>/g)].filter((m) => decodeURIComponent(m[1]) === key).map((m) => m[2]);
    const out = [];
    for (const uploadId of ids) {
      const lp = signer.signRequest({ ...ep, method: 'GET', key, query: { uploadId } });
      const parts = await (await fetch(lp.url, { headers: lp.headers })).text();
      out.push({ uploadId, parts: [...parts.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1])) });
    }
    return out;
  } finally {
    signer.free();
  }
}

/** Starts another upload of `key` with one 1 MiB part of other bytes; resolves to its id. */
async function openJunkUpload(key) {
  const signer = new CosSigner({ secretId: ID, secretKey: KEY });
  const ep = { bucket: BUCKET, region: REGION, domain: '127.0.0.1', port: emu.port, protocol: 'http', pathStyle: true, expires: 60, key };
  try {
    const init = signer.signRequest({ ...ep, method: 'POST', query: { uploads: null } });
    const xml = await (await fetch(init.url, { method: 'POST', headers: init.headers })).text();
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(xml)[1];
    const part = signer.signRequest({ ...ep, method: 'PUT', query: { partNumber: 1, uploadId } });
    const res = await fetch(part.url, { method: 'PUT', headers: part.headers, body: new Uint8Array(MiB).fill(7) });
    assert.equal(res.status, 200);
    return uploadId;
  } finally {
    signer.free();
  }
}

test('cos-wasm/upload uploadFile picks up an upload cos-js-sdk-v5 sliceUploadFile paused (new device: empty store), reusing its parts and aborting an unusable one', async () => {
  const key = `${PREFIX}adopt/big.bin`;
  // 1. The official SDK starts the upload and is paused after 4 parts: the 5th part request is
  // held back (an upload on loopback is too fast to pause from onProgress), the task paused,
  // then that request dropped, as a closed laptop would.
  let partsSeen = 0;
  let pausedNow;
  const pausedDone = new Promise((ok) => (pausedNow = ok));
  const route = async (r) => {
    const u = new URL(r.request().url());
    if (r.request().method() !== 'PUT' || !u.searchParams.has('partNumber') || ++partsSeen <= 4) return r.continue();
    if (partsSeen === 5) {
      await page.evaluate(() => window.__cos.pauseTask(window.__taskId));
      setTimeout(pausedNow, 300);
    }
    return r.abort('aborted');
  };
  await page.route((u) => u.pathname === `/${key}`, route);
  const started = await page.evaluate(
    async ({ key, bucket, region }) => {
      const blob = await (await fetch('/data/big.bin')).blob();
      window.__sdkDone = undefined;
      return new Promise((ok) => {
        window.__cos.sliceUploadFile({
          Bucket: bucket, Region: region, Key: key, Body: blob, ChunkSize: 1024 * 1024, AsyncLimit: 1,
          onTaskReady: (id) => {
            window.__taskId = id;
            ok(id);
          },
        }, (err, data) => (window.__sdkDone = err ? JSON.stringify(err) : data.statusCode));
      });
    },
    { key, bucket: BUCKET, region: REGION },
  );
  assert.ok(started);
  await pausedDone;
  await page.unroute((u) => u.pathname === `/${key}`, route);
  assert.equal(await page.evaluate(() => window.__sdkDone), undefined, 'the SDK did not stay paused');
  const [sdkUpload, ...others] = await uploadsOf(key);
  assert.deepEqual(others, []);
  assert.deepEqual(sdkUpload.parts, [1, 2, 3, 4]);
  // 2. Another open upload of the key, of other bytes (from Node, permanent key): unusable.
  const junkId = await openJunkUpload(key);

  // 3. A new device: a fresh browser profile (empty IndexedDB) runs uploadFile with a CosSigner
  // made from cos-wasm temporary keys.
  const other = await launchChromium();
  try {
    const p2 = other.page;
    await p2.exposeFunction('__credentials', async () => {
      // the upload preset has no AbortMultipartUpload (cancel() and aborting an unusable upload
      // need it): granted here
      const policy = cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: ['upload', 'AbortMultipartUpload'], prefix: PREFIX }] });
      return getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, endpoint: `${emu.url}/`, name: 'browser-wasm', policy, durationSeconds: 900 });
    });
    const ops = [];
    p2.on('request', (r) => {
      const u = new URL(r.url());
      if (u.hostname.endsWith('.localhost') && r.method() !== 'OPTIONS') ops.push(`${r.method()} ${[...u.searchParams.keys()].filter((k) => !k.startsWith('q-') && k !== 'x-cos-security-token').join('&')}`);
    });
    await p2.goto(`${web.url}/browser-sdk.html`);
    const r = await p2.evaluate(
      async ({ key, bucket, region, port }) => {
        const { CosSigner, init } = await import('cos-wasm');
        const { init: initHash } = await import('cos-wasm/hash');
        const { uploadFile } = await import('cos-wasm/upload');
        await Promise.all([init(), initHash()]);
        const c = await window.__credentials();
        const signer = new CosSigner({ secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken });
        const blob = await (await fetch('/data/big.bin')).blob();
        try {
          const res = await uploadFile(blob, { signer, bucket, region, domain: '{Bucket}.localhost', port, protocol: 'http', key });
          return { ok: true, uploadId: res.uploadId, parts: res.parts, resumedParts: res.resumedParts, crc64: res.crc64 };
        } catch (e) {
          return { ok: false, code: e.code, message: e.message };
        } finally {
          signer.free();
        }
      },
      { key, bucket: BUCKET, region: REGION, port: emu.port },
    );
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.uploadId, sdkUpload.uploadId, 'the paused upload was not the one continued');
    assert.equal(r.parts, 12);
    assert.equal(r.resumedParts, sdkUpload.parts.length);
    const sentParts = ops.filter((o) => o.startsWith('PUT ') && o.includes('partNumber'));
    assert.equal(sentParts.length, 12 - sdkUpload.parts.length, ops.join('\n'));
    assert.ok(ops.includes('GET uploads&prefix'), ops.join('\n'));
    assert.deepEqual(ops.filter((o) => o.startsWith('DELETE')), ['DELETE uploadId'], `the unusable upload was not aborted (once):\n${ops.join('\n')}`);
    assert.ok(!(await uploadsOf(key)).some((u) => u.uploadId === junkId), 'the unusable upload is still open');
    assert.ok(!ops.includes('POST uploads'), 'a new upload was started');
  } finally {
    await other.close();
  }
  const got = await getObject(key);
  assert.equal(got.status, 200);
  assert.equal(sha(got.body), sha(big), 'stored bytes differ from the file');
  assert.deepEqual(await uploadsOf(key), [], 'an upload of the key was left open');
});
