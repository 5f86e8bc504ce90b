// The whole example stack on 127.0.0.1, for the end-to-end tests and `scripts/demo.mjs`:
// a static server (the browser-upload page + the installed cos-wasm package), the strict
// local COS emulator (CORS for the page's origin) and the edge worker under workerd, run from
// its checked-in config.capnp. Every process is stopped by `stop()`.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { staticServer, launchChromium } from './harness.mjs';
import { startEmulator } from './emulator.mjs';
import { serveWorkerd } from './workerd.mjs';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const workerDir = join(root, 'examples', 'edge-worker');
export const pageDir = join(root, 'examples', 'browser-upload');
export const pkgDir = fileURLToPath(new URL('./node_modules/cos-wasm/', import.meta.url));
export const BUCKET = 'uploads-1250000000';
export const REGION = 'ap-guangzhou';

/**
 * Starts everything; resolves to { pageUrl, workerUrl, emulator, env, users, stop }.
 * `virtualHosted` addresses the emulator as `<bucket>.localhost:PORT` (browsers resolve
 * `*.localhost` to loopback) instead of path-style.
 * `users` maps user ids to their (random, dev-only) bearer tokens. `workerEnv` adds to or
 * overrides the worker's environment.
 */
export async function startStack({ maxUploadBytes = 6 * 1024 * 1024, ttl = 600, emulatorArgs = [], virtualHosted = false, workerEnv = {} } = {}) {
  const stops = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const tmp = mkdtempSync(join(tmpdir(), 'cos-wasm-e2e-'));
    stops.push(async () => rmSync(tmp, { recursive: true, force: true }));
    const configFile = join(tmp, 'config.json');
    writeFileSync(configFile, '{}');
    const web = await staticServer({ '/config.json': configFile, '/cos-wasm/': pkgDir, '/': pageDir });
    stops.push(web.close);

    const secretId = `AKID${randomBytes(12).toString('hex')}`;
    const secretKey = randomBytes(24).toString('base64url');
    const emulator = await startEmulator({ credentials: [`${secretId}:${secretKey}`], corsOrigins: [web.url], args: emulatorArgs });
    stops.push(emulator.stop);

    const users = { alice: randomBytes(16).toString('hex'), bob: randomBytes(16).toString('hex') };
    const env = {
      COS_SECRET_ID: secretId,
      COS_SECRET_KEY: secretKey,
      COS_BUCKET: BUCKET,
      COS_REGION: REGION,
      // path-style http://127.0.0.1:PORT/<bucket>/<key>, or virtual-hosted <bucket>.localhost:PORT
      COS_DOMAIN: virtualHosted ? `{Bucket}.localhost:${emulator.port}` : `127.0.0.1:${emulator.port}`,
      COS_PROTOCOL: 'http',
      COS_PATH_STYLE: virtualHosted ? 'false' : 'true',
      ALLOW_INSECURE_LOCAL: 'true',
      ALLOWED_ORIGIN: web.url,
      USER_TOKENS: JSON.stringify(Object.fromEntries(Object.entries(users).map(([id, t]) => [t, id]))),
      SSE_C_MASTER: randomBytes(32).toString('base64'),
      MAX_UPLOAD_BYTES: String(maxUploadBytes),
      ALLOWED_CONTENT_TYPES: 'application/octet-stream,text/plain,image/png,image/jpeg,application/pdf',
      URL_TTL_SECONDS: String(ttl),
      // POST /credentials: the emulator's STS (cos-emulator/README.md, "STS")
      STS_ENDPOINT: `${emulator.url}/`,
      ...workerEnv,
    };
    // the checked-in examples/edge-worker/config.capnp (bindings fromEnvironment), next to
    // node_modules/cos-wasm = the freshly packed package installed in tests/js
    const wdir = join(tmp, 'edge-worker');
    mkdirSync(join(wdir, 'node_modules'), { recursive: true });
    for (const f of ['config.capnp', 'worker.js', 'multipart.js', 'download.js']) copyFileSync(join(workerDir, f), join(wdir, f));
    symlinkSync(pkgDir, join(wdir, 'node_modules', 'cos-wasm'), 'dir');
    const worker = await serveWorkerd(join(wdir, 'config.capnp'), { env });
    stops.push(worker.stop);
    // cosOrigin: the COS endpoint the page sends the file (and its SSE-C key) to, whatever the
    // worker's signed URLs say (cos-wasm/upload refuses any other origin)
    const cosOrigin = virtualHosted ? `http://${BUCKET}.localhost:${emulator.port}` : `http://127.0.0.1:${emulator.port}`;
    writeFileSync(configFile, JSON.stringify({ api: worker.url, users, cosOrigin }));
    return { pageUrl: `${web.url}/index.html`, webUrl: web.url, workerUrl: worker.url, emulator, env, users, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * In the browser-upload page (already loaded): chooses `buf` as file `name`, picks `mode`,
 * clicks upload and resolves to the page's result ({ ok, key, crc64Local, crc64Server,
 * bytesMatch, sseEcho, steps: [text], error?, ... }).
 */
/**
 * A fresh headless Chromium on the stack's example page, once its app is up. `watch(page)`
 * may add listeners before the page loads; a page error while it loads fails the test.
 * Resolves to the browser (`browser.page` is the page; close it with `browser.close()`).
 */
export async function openExamplePage(stack, watch = () => {}) {
  const browser = await launchChromium();
  const { page } = browser;
  watch(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(stack.pageUrl);
  await page.waitForFunction(() => window.app !== undefined, null, { timeout: 20000 });
  assert.deepEqual(errors, []);
  return browser;
}

export async function uploadViaPage(page, mode, name, buf, timeout = 30000) {
  await page.evaluate(() => (window.__result = undefined));
  await page.setInputFiles('#file', { name, mimeType: 'application/octet-stream', buffer: buf });
  await page.selectOption('#mode', mode);
  await page.click('#upload');
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout });
  return page.evaluate(() => ({ ...window.__result, steps: window.__result.steps.map((s) => s.text) }));
}

/**
 * Sends one whole HTTP/1.1 request in a single write over a raw socket and reads the reply
 * until the server closes. A server that refuses a form early (a duplicated field) closes the
 * connection; `fetch`, still streaming the body, would then fail with EPIPE instead of
 * returning the refusal. Resolves to { status, headers, text }.
 */
export function sendOnce(url, { method = 'POST', headers = {}, body = Buffer.alloc(0) }) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    const chunks = [];
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', (e) => (chunks.length ? undefined : reject(e)));
    sock.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const hs = Object.fromEntries(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(lines[0].split(' ')[1]), headers: hs, text: rest.join('\r\n\r\n') });
    });
    const all = { Host: u.host, Connection: 'close', 'Content-Length': String(body.length), ...headers };
    const head = [`${method} ${u.pathname}${u.search} HTTP/1.1`, ...Object.entries(all).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
    // no half-close: a server may take the end of our side as an aborted request
    sock.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

/**
 * POSTs a form (`fields`: [name, value] pairs, in order; `file` appended last) to `url` with
 * `sendOnce`; resolves to { status, headers, text }.
 */
export async function postFormOnce(url, fields, file, filename = 'f.bin') {
  const fd = new FormData();
  for (const [k, v] of fields) fd.append(k, v);
  fd.append('file', new Blob([file]), filename);
  const encoded = new Request(url, { method: 'POST', body: fd });
  const body = Buffer.from(await encoded.arrayBuffer());
  return sendOnce(url, { headers: { 'Content-Type': encoded.headers.get('content-type') }, body });
}
