// End to end in headless Chromium, temporary credentials: the browser-upload page asks the
// edge worker (workerd) for STS keys (POST /credentials, minted at the emulator's STS), signs
// its own uploads with a local CosSigner (simple PUT and POST form), and the strict emulator
// decides each one against the keys' CAM policy: in scope succeeds and reads back; an
// out-of-scope key, an oversize body, a wrong content type and a missing SSE are each refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openExamplePage, startStack } from './e2e-stack.mjs';

const MAX = 64 * 1024;
let stack;
let browser;
let page;

before(async () => {
  stack = await startStack({ maxUploadBytes: MAX, workerEnv: { STS_REQUIRE_SSE: 'SSE-COS' } });
  browser = await openExamplePage(stack);
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Runs the page's temporary-keys flow on a generated file; resolves to its result. */
function runInPage(how, { size = 1000, type = 'image/png', name = 'pic.png', overrides = {} } = {}) {
  return page.evaluate(
    async ({ how, size, type, name, overrides }) => {
      const bytes = new Uint8Array(size).fill(7);
      crypto.getRandomValues(bytes.subarray(0, Math.min(size, 65536)));
      const r = await window.app.run({ file: new File([bytes], name, { type }), signing: how, overrides });
      return { ...r, steps: r.steps.map((s) => s.text) };
    },
    { how, size, type, name, overrides },
  );
}

test('the page signs a PUT with temporary keys from the worker (chosen in the UI), uploads in scope and reads it back', async () => {
  await page.selectOption('#user', 'alice');
  await page.evaluate(() => (window.__result = undefined));
  await page.setInputFiles('#file', { name: 'ui.png', mimeType: 'image/png', buffer: randomBytes(2000) });
  await page.selectOption('#signing', 'put');
  await page.click('#upload');
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
  const r = await page.evaluate(() => ({ ...window.__result, steps: window.__result.steps.map((s) => s.text) }));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.key, 'users/alice/ui.png');
  assert.equal(r.bytesMatch, true);
});

for (const how of ['put', 'post']) {
  test(`temporary keys, ${how}: in scope succeeds; out-of-scope key, oversize, wrong type and missing SSE are refused by the emulator`, async () => {
    const ok = await runInPage(how, { name: `ok-${how}.png` });
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.uploadStatus, how === 'post' ? 204 : 200);

    const refused = async (what, opts, codes) => {
      const r = await runInPage(how, opts);
      assert.equal(r.ok, false, `${what}: ${JSON.stringify(r)}`);
      assert.ok(r.uploadStatus >= 400, `${what}: ${r.uploadStatus}`);
      assert.ok(codes.includes(r.uploadError), `${what}: ${r.uploadError} not in ${codes}`);
    };
    await refused('another user\'s prefix', { overrides: { key: `users/bob/${how}.png` } }, ['AccessDenied']);
    // PUT: the CAM policy's cos:content-length; POST: the form's own content-length-range first
    await refused('oversize', { size: MAX + 1 }, how === 'put' ? ['AccessDenied'] : ['EntityTooLarge']);
    await refused('oversize, form without a range', { size: MAX + 1, overrides: { contentLengthRange: null } }, ['AccessDenied']);
    await refused('wrong content type', { overrides: { contentType: 'text/html' } }, ['AccessDenied']);
    await refused('missing SSE', { overrides: { sse: null } }, ['AccessDenied']);
  });
}

test('the keys come once per user and are reused (one STS call), and an unknown user gets none', async () => {
  const a = await page.evaluate(() => window.app.api('/credentials', {}));
  const b = await page.evaluate(() => window.app.api('/credentials', {}));
  assert.equal(a.sessionToken, b.sessionToken);
  assert.equal(a.prefix, 'users/alice/');
  assert.equal(a.acl, 'private');
  const res = await fetch(`${stack.workerUrl}/credentials`, { method: 'POST', headers: { Authorization: 'Bearer nope', 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 401);
});
