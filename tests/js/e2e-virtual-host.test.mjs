// The example stack with virtual-hosted addressing (`COS_DOMAIN={Bucket}.localhost:PORT`, as
// a browser reaches real COS): a page upload with a worker-derived SSE-C key and the read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchChromium } from './harness.mjs';
import { startStack, uploadViaPage } from './e2e-stack.mjs';

test('virtual-hosted <bucket>.localhost: page upload (SSE-C, worker key) and pre-signed download', async () => {
  const stack = await startStack({ virtualHosted: true });
  let browser;
  try {
    browser = await launchChromium();
    await browser.page.goto(stack.pageUrl);
    await browser.page.waitForFunction(() => window.app !== undefined, null, { timeout: 20000 });
    const r = await uploadViaPage(browser.page, 'SSE-C-WORKER', 'vhost.bin', randomBytes(1024 * 1024));
    assert.equal(r.ok, true, `${r.message}\n${r.steps.join('\n')}`);
    assert.equal(r.bytesMatch, true);
    assert.equal(r.crc64Server, r.crc64Local);
  } finally {
    await browser?.close();
    await stack.stop();
  }
});
