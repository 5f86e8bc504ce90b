// The packed package in headless Chromium: imported by name (import map) from the
// installed tarball, initialised with `await init()`, running every vector case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { staticServer, launchChromium } from './harness.mjs';
import { loadCases, vectorsPath } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));

test('every vector case in headless Chromium', async () => {
  const server = await staticServer({ '/vectors.json': vectorsPath, '/': here });
  const browser = await launchChromium();
  try {
    const errors = [];
    browser.page.on('pageerror', (e) => errors.push(String(e)));
    await browser.page.goto(`${server.url}/browser-vectors.html`);
    await browser.page.waitForFunction(() => window.__results !== undefined, null, { timeout: 30000 });
    const results = await browser.page.evaluate(() => window.__results);
    assert.deepEqual(errors, []);
    assert.equal(results.length, loadCases().length);
    assert.deepEqual(results.filter((r) => !r.ok), []);
  } finally {
    await browser.close();
    await server.close();
  }
});
