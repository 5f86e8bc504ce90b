// The fuzz suite (fuzz-suite.mjs) inside workerd, the Cloudflare Workers runtime, where a
// long-lived isolate serves many requests: the same assertions as in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startWorkerd } from './workerd.mjs';

test('fuzz suite (workerd): misuse calls and random inputs to every export', async () => {
  const w = await startWorkerd(fileURLToPath(new URL('./fuzz-worker.js', import.meta.url)), {
    'fuzz-suite.mjs': fileURLToPath(new URL('./fuzz-suite.mjs', import.meta.url)),
    'suite.mjs': fileURLToPath(new URL('./suite.mjs', import.meta.url)),
  });
  try {
    const r = await (await fetch(`${w.url}/fuzz?misuse=200000&random=1000`)).json();
    console.log(`fuzz-suite workerd: ${r.calls} calls in ${r.ms} ms; memory ${r.memory.before} -> ${r.memory.after} B`);
    assert.deepEqual(r.escaped, [], 'only CosErrors may escape');
    assert.deepEqual(r.wrong, [], 'each misuse class has its outcome');
    assert.deepEqual(r.leaked, [], 'no secret in any error message');
    assert.ok(r.calls >= 200_000);
    assert.equal(r.memory.after, r.memory.before, 'wasm memory stays flat');
    assert.deepEqual(r.secrets, { SECRET_KEY: 0, REENTRANT_SECRET: 0, KEY_B64: 0, KEY_BYTES: 0, CDN_KEY: 0 });
    assert.equal(r.signatureOk, true, 'a known-good signature still matches');
  } finally {
    await w.stop();
  }
});
