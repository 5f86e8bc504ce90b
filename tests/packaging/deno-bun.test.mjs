// Deno and Bun (both from npm) run the runtime-agnostic vector suite against the packed
// package installed in tests/packaging/node_modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertProbe, bin, here, run, runFailing, vectorsPath } from './lib.mjs';

test('Deno: npm deno with --allow-read runs the vector suite; POST form, CRC-64', () => {
  assertProbe(JSON.parse(run(bin('deno'), ['run', '--allow-read', 'vector-suite.mjs', vectorsPath], { env: { DENO_NO_UPDATE_CHECK: '1' } })));
});

test('Deno: without --allow-read the import fails as documented (the loader reads the .wasm)', () => {
  const r = runFailing(bin('deno'), ['run', '--no-prompt', 'vector-suite.mjs', vectorsPath], { cwd: here, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /NotCapable: Requires read access to "[^"]*cos_wasm_bg\.wasm"/);
});

test('Bun: npm bun runs the vector suite; POST form, CRC-64', () => {
  assertProbe(JSON.parse(run(bin('bun'), ['vector-suite.mjs', vectorsPath])));
});
