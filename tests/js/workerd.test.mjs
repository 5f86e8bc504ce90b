// The packed package inside workerd (Cloudflare Workers runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startWorkerd } from './workerd.mjs';
import { loadCases } from './helpers.mjs';

test('workerd: signs a request and runs every vector case', async () => {
  const w = await startWorkerd(fileURLToPath(new URL('./workerd-worker.js', import.meta.url)), {
    'vector-runner.mjs': fileURLToPath(new URL('./vector-runner.mjs', import.meta.url)),
  });
  try {
    const url = await (await fetch(w.url)).text();
    assert.match(url, /^https:\/\/examplebucket-1250000000\.cos\.ap-guangzhou\.myqcloud\.com\/hello\.txt\?q-sign-algorithm=sha1/);
    const cases = loadCases();
    const res = await fetch(w.url, { method: 'POST', body: JSON.stringify({ cases }) });
    const { results } = await res.json();
    assert.equal(results.length, cases.length);
    assert.deepEqual(results.filter((r) => !r.ok), []);
  } finally {
    await w.stop();
  }
});
