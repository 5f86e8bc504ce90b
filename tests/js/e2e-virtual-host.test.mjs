// The example stack with virtual-hosted addressing (`COS_DOMAIN={Bucket}.localhost:PORT`, as
// a browser reaches real COS): a page upload with SSE-COS and the read back. Not SSE-C: the
// emulator speaks plain http, and `<bucket>.localhost` is not literal loopback (resolvers may
// send it to DNS), so cos-wasm refuses to put a customer key on that wire (issue 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openExamplePage, startStack, uploadViaPage } from './e2e-stack.mjs';

test('virtual-hosted <bucket>.localhost: page upload (SSE-COS) and pre-signed download', async () => {
  const stack = await startStack({ virtualHosted: true });
  let browser;
  try {
    browser = await openExamplePage(stack);
    const r = await uploadViaPage(browser.page, 'SSE-COS', 'vhost.bin', randomBytes(1024 * 1024));
    assert.equal(r.ok, true, `${r.message}\n${r.steps.join('\n')}`);
    assert.equal(r.bytesMatch, true);
    assert.equal(r.crc64Server, r.crc64Local);
  } finally {
    await browser?.close();
    await stack.stop();
  }
});
