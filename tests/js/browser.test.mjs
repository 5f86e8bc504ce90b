// The packed package in headless Chromium: imported by name (import map) from the
// installed tarball, initialised with `await init()`, running the shared suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticServer, launchChromium } from './harness.mjs';
import { loadVectors, assertSuitePassed } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));

test('the shared suite (signing, SSE, keys, hashing, TC3, CDN auth) in headless Chromium', async () => {
  const server = await staticServer({ '/': here });
  const browser = await launchChromium();
  try {
    const errors = [];
    browser.page.on('pageerror', (e) => errors.push(String(e)));
    await browser.page.goto(`${server.url}/browser-suite.html`);
    await browser.page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30000 });
    assert.equal(await browser.page.evaluate(() => window.__ready), true);
    const data = loadVectors();
    const results = await browser.page.evaluate((d) => window.__run(d), data);
    assert.deepEqual(errors, []);
    await assertSuitePassed(results, data);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('Chromium: POST form body, customer keys in localStorage, hashing a File', async () => {
  const { createHash } = await import('node:crypto');
  const server = await staticServer({ '/': here });
  const browser = await launchChromium();
  try {
    await browser.page.goto(`${server.url}/browser-features.html`);
    await browser.page.waitForFunction(() => window.__out !== undefined, null, { timeout: 30000 });
    const out = await browser.page.evaluate(() => window.__out);
    assert.equal(out.error, undefined, out.error);
    // The multipart body a browser sends: every field in order, the file part last.
    for (const body of [out.form.element, out.form.helper]) {
      const boundary = body.contentType.match(/boundary=(.+)$/)[1];
      const parts = body.text.split(`--${boundary}`).slice(1, -1);
      const names = parts.map((p) => p.match(/name="([^"]+)"/)[1]);
      assert.deepEqual(names, [...Object.keys(out.form.fields), 'file']);
      assert.match(parts.at(-1), /filename="hello.txt"[\s\S]*hello cos/);
      for (const [k, v] of Object.entries(out.form.fields)) assert.ok(body.text.includes(`name="${k}"\r\n\r\n${v}\r\n`), k);
    }
    assert.equal(out.form.fields['x-cos-server-side-encryption-customer-key-MD5'], out.form.md5);
    assert.equal(out.keys.same, true);
    const data = new Uint8Array(1 << 20).fill(3);
    assert.equal(out.hash.md5Hex, createHash('md5').update(data).digest('hex'));
    assert.equal(out.hash.sha1Hex, createHash('sha1').update(data).digest('hex'));
    assert.equal(out.hash.bytes, 1 << 20);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('Chromium: getFederationToken and credentialsProvider against a fake STS (cross-origin fetch)', async () => {
  const { startFakeSts } = await import('./fake-sts.mjs');
  const sts = await startFakeSts({ keys: { AKIDbrowser: 'browser-secret' } });
  const server = await staticServer({ '/': here });
  const browser = await launchChromium();
  try {
    const q = new URLSearchParams({ sts: sts.url, id: 'AKIDbrowser', key: 'browser-secret' });
    await browser.page.goto(`${server.url}/browser-sts.html?${q}`);
    await browser.page.waitForFunction(() => window.__out !== undefined, null, { timeout: 30000 });
    const out = await browser.page.evaluate(() => window.__out);
    assert.equal(out.error, undefined, out.error);
    assert.equal(out.same, true);
    assert.match(out.credentials.sessionToken, /^token-/);
    assert.deepEqual(out.wrong, { code: 'ERR_STS', tencentCode: 'AuthFailure.SignatureFailure' });
    assert.equal(new URL(out.url).searchParams.get('x-cos-security-token'), out.credentials.sessionToken);
    assert.equal(sts.requests.filter((r) => r.headers['x-tc-action']).length, 2);
  } finally {
    await browser.close();
    await server.close();
    await sts.close();
  }
});
