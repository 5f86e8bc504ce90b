// Strict signing and size-bound PUT URLs (issue 27) against the emulator's `--strict-sign`
// bucket mode, in the three runtimes: Node, headless Chromium (fetch sets Content-Length
// itself; the emulator is cross-origin) and workerd. The checks are strict-put.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api } from './all.mjs';
import { startEmulator } from './emulator.mjs';
import { staticServer, launchChromium } from './harness.mjs';
import { startWorkerd } from './workerd.mjs';
import { runBoundPut, BOUND_PUT_CHECKS } from './strict-put.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const ID = 'AKIDstrictsign';
const SECRET = 'strict-sign-secret';
let emu;
let ep;

before(async () => {
  emu = await startEmulator({ credentials: [`${ID}:${SECRET}`], corsOrigins: ['*'], args: ['--strict-sign', '*'] });
  ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', protocol: 'http', domain: '127.0.0.1', port: emu.port, pathStyle: true };
});
after(async () => emu?.stop());

function assertAllPassed(results) {
  assert.deepEqual(results.filter((r) => !r.ok), []);
  assert.equal(results.length, BOUND_PUT_CHECKS);
}

test('Node: strict signing, a size-bound PUT URL, --strict-sign refusals', async () => {
  assertAllPassed(await runBoundPut(api, { ep, secretId: ID, secretKey: SECRET, prefix: 'node' }));
});

test('Chromium: the same checks, cross-origin to the emulator', async () => {
  const server = await staticServer({ '/': here });
  const browser = await launchChromium();
  try {
    const errors = [];
    browser.page.on('pageerror', (e) => errors.push(String(e)));
    await browser.page.goto(`${server.url}/strict-put.html`);
    await browser.page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30000 });
    assert.equal(await browser.page.evaluate(() => window.__ready), true);
    const results = await browser.page.evaluate((o) => window.__run(o), { ep, secretId: ID, secretKey: SECRET, prefix: 'chromium' });
    assert.deepEqual(errors, []);
    assertAllPassed(results);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('workerd: the same checks from a worker', async () => {
  const w = await startWorkerd(fileURLToPath(new URL('./strict-put-worker.js', import.meta.url)), {
    'suite.mjs': fileURLToPath(new URL('./suite.mjs', import.meta.url)),
    'strict-put.mjs': fileURLToPath(new URL('./strict-put.mjs', import.meta.url)),
  }, {}, { localNetwork: true });
  try {
    const res = await fetch(w.url, { method: 'POST', body: JSON.stringify({ ep, secretId: ID, secretKey: SECRET, prefix: 'workerd' }) });
    const { results } = await res.json();
    assertAllPassed(results);
  } finally {
    await w.stop();
  }
});
