// The packed package inside workerd (Cloudflare Workers runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startWorkerd } from './workerd.mjs';
import { loadVectors, assertSuitePassed } from './helpers.mjs';

test('workerd: signs, customer keys, SSE, and the shared suite (signing, SSE, keys, hashing, TC3, CDN auth)', async () => {
  const w = await startWorkerd(fileURLToPath(new URL('./workerd-worker.js', import.meta.url)), {
    'suite.mjs': fileURLToPath(new URL('./suite.mjs', import.meta.url)),
  });
  try {
    const url = await (await fetch(w.url)).text();
    assert.match(url, /^https:\/\/examplebucket-1250000000\.cos\.ap-guangzhou\.myqcloud\.com\/hello\.txt\?q-sign-algorithm=sha1/);
    const features = await (await fetch(`${w.url}/features`)).json();
    assert.equal(features.same, true);
    assert.equal(features.freed, 'ERR_USE_AFTER_FREE');
    const data = loadVectors();
    const res = await fetch(w.url, { method: 'POST', body: JSON.stringify(data) });
    const { results } = await res.json();
    await assertSuitePassed(results, data);
  } finally {
    await w.stop();
  }
});
