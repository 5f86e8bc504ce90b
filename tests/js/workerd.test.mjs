// The packed package inside workerd (Cloudflare Workers runtime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startWorkerd } from './workerd.mjs';
import { loadCases } from './helpers.mjs';

test('workerd: signs, runs every vector case, customer keys, SSE and hashing', async () => {
  const w = await startWorkerd(fileURLToPath(new URL('./workerd-worker.js', import.meta.url)), {
    'vector-runner.mjs': fileURLToPath(new URL('./vector-runner.mjs', import.meta.url)),
  });
  try {
    const url = await (await fetch(w.url)).text();
    assert.match(url, /^https:\/\/examplebucket-1250000000\.cos\.ap-guangzhou\.myqcloud\.com\/hello\.txt\?q-sign-algorithm=sha1/);
    const features = await (await fetch(`${w.url}/features`)).json();
    assert.equal(features.same, true);
    assert.equal(features.freed, 'ERR_USE_AFTER_FREE');
    assert.equal(features.hash.crc64, '11051210869376104954');
    assert.equal(features.hash.md5Hex, '25f9e794323b453885f5181f1b624d0b');
    const { CustomerKey } = await import('cos-wasm');
    assert.equal(features.hkdf, CustomerKey.deriveHkdf({ master: new Uint8Array(32).fill(7), bucket: 'b-1', key: 'x' }).md5Base64);
    const cases = loadCases();
    const res = await fetch(w.url, { method: 'POST', body: JSON.stringify({ cases }) });
    const { results } = await res.json();
    assert.equal(results.length, cases.length);
    assert.deepEqual(results.filter((r) => !r.ok), []);
  } finally {
    await w.stop();
  }
});
