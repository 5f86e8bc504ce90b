// Content-Security-Policy row (issue 29): the installed tarball's browser modules, served
// unbundled under `script-src 'self'` to headless Chromium. Without 'wasm-unsafe-eval' every
// entry's init() is the CosError ERR_WASM_CSP naming the directive and the no-wasm flow; that
// flow (a form the worker signed, posted with postFormData) works under the same policy; with
// 'wasm-unsafe-eval' added the signer signs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { apps, installed } from './lib.mjs';
import { launchChromium } from '../js/harness.mjs';
import { CosSigner } from 'cos-wasm';

const STRICT = "default-src 'self'; script-src 'self'";
const WITH_WASM = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const BUCKET = 'examplebucket-1250000000';
const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const page = (csp) => ['<!doctype html><meta charset="utf-8"><title>strict CSP</title><script type="module" src="/app/page.js"></script>', csp];

let browser;
let server;
let origin;
const received = [];
// The "worker": signs a POST form for the page, as an edge worker would (Node entry of the tarball).
const signer = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });

function serveFile(res, dir, rel) {
  const file = resolve(dir, normalize(`./${rel}`));
  if (!file.startsWith(resolve(dir)) || !existsSync(file) || !statSync(file).isFile()) return res.writeHead(404).end('not found');
  res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
}

before(async () => {
  server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://x');
    const pages = { '/strict.html': page(STRICT), '/wasm-ok.html': page(WITH_WASM) };
    if (pages[pathname]) {
      const [html, csp] = pages[pathname];
      return res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': csp }).end(html);
    }
    if (pathname.startsWith('/cos-wasm/')) return serveFile(res, installed, pathname.slice('/cos-wasm/'.length));
    if (pathname.startsWith('/app/')) return serveFile(res, join(apps, 'csp'), pathname.slice('/app/'.length));
    if (pathname === '/sign-form' && req.method === 'POST') {
      const form = signer.postObjectForm({ bucket: BUCKET, region: 'ap-guangzhou', key: 'uploads/hello.txt', expires: 600, domain: origin.slice('http://'.length), protocol: 'http', pathStyle: true });
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(form));
    }
    if (pathname === `/${BUCKET}/` && req.method === 'POST') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const data = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] } }).formData();
      received.push({ names: [...data.keys()], fields: Object.fromEntries([...data].filter(([, v]) => typeof v === 'string')), file: await data.get('file')?.text() });
      return res.writeHead(204).end();
    }
    res.writeHead(404).end('not found');
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await new Promise((ok) => server.close(ok));
  signer.free();
});

async function open(path) {
  await browser.page.goto(`${origin}${path}`);
  await browser.page.waitForFunction(() => typeof window.initAll === 'function', null, { timeout: 15000 });
}

test("script-src 'self': every entry's init() is ERR_WASM_CSP naming 'wasm-unsafe-eval' and postFormData; the worker-signed form posts", async () => {
  await open('/strict.html');
  const results = await browser.page.evaluate(() => window.initAll());
  assert.deepEqual(Object.keys(results), ['cos-wasm', 'cos-wasm/hash', 'cos-wasm/keys', 'cos-wasm/sts', 'cos-wasm/explain']);
  for (const [entry, result] of Object.entries(results)) {
    assert.ok(result.startsWith(`CosError ERR_WASM_CSP: ${entry}: the page's Content-Security-Policy refused`), result);
    assert.match(result, /add 'wasm-unsafe-eval' to the page's script-src/);
    assert.match(result, /postFormData\(form, file\)/);
  }
  // the no-wasm flow under the same policy
  received.length = 0;
  const posted = await browser.page.evaluate(() => window.postSignedForm());
  assert.equal(posted.status, 204, JSON.stringify(posted));
  assert.equal(received.length, 1);
  const [form] = received;
  assert.equal(form.names[0], 'key');
  assert.equal(form.names.at(-1), 'file', 'the file goes last');
  assert.equal(form.file, 'hello from a strict page');
  assert.equal(form.fields.key, 'uploads/hello.txt');
  // the signature the server received is the one its policy and key time give
  const again = signer.signPostPolicy({ policy: Buffer.from(form.fields.policy, 'base64').toString('utf8'), keyTime: form.fields['q-key-time'] });
  assert.equal(form.fields['q-signature'], again['q-signature']);
  assert.match(form.fields['q-signature'], /^[0-9a-f]{40}$/);
});

test("script-src 'self' 'wasm-unsafe-eval': every entry initialises and the page signs as Node does", async () => {
  await open('/wasm-ok.html');
  const results = await browser.page.evaluate(() => window.initAll());
  assert.deepEqual(Object.values(results), ['ok', 'ok', 'ok', 'ok', 'ok'], JSON.stringify(results));
  const inPage = await browser.page.evaluate(() => window.authorization());
  assert.equal(inPage, signer.authorization({ method: 'PUT', key: 'a b.txt', keyTime: '1700000000;1700003600' }));
});
