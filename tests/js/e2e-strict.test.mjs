// The example stack (edge worker in workerd, example page in Chromium) against an emulator
// whose buckets are all in strict signing mode (`--strict-sign '*'`, issue 27): the worker
// and cos-wasm/upload sign strictly by default, so a large multipart upload from the page
// (initiate, parts, Complete) and a /presign PUT go through; a write signed without strict
// mode does not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner } from 'cos-wasm';
import { launchChromium } from './harness.mjs';
import { startStack, BUCKET, REGION } from './e2e-stack.mjs';
import { makeFileInPage } from './page-file.mjs';

const MiB = 1024 * 1024;
let stack;
let browser;

before(async () => {
  stack = await startStack({ maxUploadBytes: 32 * MiB, emulatorArgs: ['--strict-sign', '*'] });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const call = async (route, body, user = 'alice') => {
  const res = await fetch(`${stack.workerUrl}${route}`, { method: 'POST', headers: { Authorization: `Bearer ${stack.users[user]}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
};
const withoutLength = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'content-length'));

test('strict bucket: a 20 MiB multipart upload from the page (uploadFile + the worker\'s /multipart), read back', async () => {
  const page = await browser.context.newPage();
  await page.goto(stack.pageUrl);
  await page.waitForFunction(() => window.large !== undefined, null, { timeout: 20000 });
  await makeFileInPage(page, 'strict.bin', 20 * MiB);
  const result = await page.evaluate(() => window.large.start(window.__file, { mode: 'SSE-C-CLIENT', user: 'alice', partSize: 8 * 1024 * 1024, concurrency: 2 }));
  assert.equal(result.error, undefined, result.message);
  assert.equal(result.parts, 3);
  const back = await page.evaluate(() => window.large.readBack('strict.bin', { mode: 'SSE-C-CLIENT', user: 'alice' }));
  assert.equal(back.status, 200);
  assert.equal(back.size, 20 * MiB);
  assert.equal(back.crc64, result.crc64);
  await page.close();
});

test('strict bucket: the worker\'s /presign PUT (type and size signed) is accepted; a PUT signed without strict mode is refused', async () => {
  const body = Buffer.from('strict presign body');
  const p = await call('/presign', { method: 'PUT', key: 'users/alice/p.txt', size: body.length, contentType: 'text/plain' });
  assert.equal(p.status, 200, JSON.stringify(p.json));
  const ok = await fetch(p.json.url, { method: 'PUT', headers: withoutLength(p.json.headers), body });
  assert.equal(ok.status, 200, await ok.text());
  // a non-strict signature for the same bucket: the unsigned Content-Type is refused
  const port = Number(stack.env.COS_DOMAIN.split(':')[1]);
  const s = new CosSigner({ secretId: stack.env.COS_SECRET_ID, secretKey: stack.env.COS_SECRET_KEY });
  const url = s.presignUrl({ bucket: BUCKET, region: REGION, domain: '127.0.0.1', port, protocol: 'http', pathStyle: true, method: 'PUT', key: 'users/alice/q.txt', expires: 60 });
  s.free();
  const refused = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body });
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
});
