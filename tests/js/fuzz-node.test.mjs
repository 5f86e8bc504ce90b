// The fuzz suite (fuzz-suite.mjs) in Node against the packed package: one million mixed
// misuse calls plus random inputs to every export. Only CosErrors escape, the module stays
// healthy, wasm memory stays flat and no freed secret stays in it (issue 12).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api as cos } from './all.mjs';
import { runFuzzSuite } from './fuzz-suite.mjs';


test('fuzz suite (Node): a million misuse calls, random inputs to every export', () => {
  const t0 = Date.now();
  const r = runFuzzSuite(cos, { misuseCalls: 1_000_000, randomCalls: 1_000 });
  const ms = Date.now() - t0;
  console.log(`fuzz-suite node: ${r.calls} calls in ${ms} ms; memory ${r.memory.before} -> ${r.memory.after} B; codes ${JSON.stringify(r.codes)}`);
  assert.deepEqual(r.escaped, [], 'only CosErrors may escape');
  assert.deepEqual(r.wrong, [], 'each misuse class has its outcome');
  assert.deepEqual(r.leaked, [], 'no secret in any error message');
  assert.ok(r.calls >= 1_000_000);
  assert.equal(r.memory.after, r.memory.before, 'wasm memory stays flat');
  assert.deepEqual(r.secrets, { SECRET_KEY: 0, REENTRANT_SECRET: 0, KEY_B64: 0, KEY_BYTES: 0, CDN_KEY: 0 });
  assert.equal(r.signatureOk, true, 'a known-good signature still matches');
});
