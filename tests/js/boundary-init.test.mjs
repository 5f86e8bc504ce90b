// The browser entry (web.js) before `await init()`: static methods and the JS helpers are
// ERR_NOT_INITIALIZED with a hint, not a raw TypeError (issue 12). Runs in its own process
// (node --test isolates files), so the module really is uninitialised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertCosError } from './helpers.mjs';

const dir = new URL('./node_modules/cos-wasm/', import.meta.url);

test('before init(): ERR_NOT_INITIALIZED with a hint; after init() everything works', async () => {
  const web = await import(new URL('web.js', dir));
  const e = assertCosError(() => web.CustomerKey.generate('AES256'), 'ERR_NOT_INITIALIZED');
  assert.match(e.message, /await init\(\)/);
  assertCosError(() => web.WrappingKey.generate(), 'ERR_NOT_INITIALIZED');
  assertCosError(() => web.postFormData({ fields: {} }, new Blob(['x'])), 'ERR_NOT_INITIALIZED');
  assertCosError(() => web.verifyResponseCrc64(new Response('x'), '1'), 'ERR_NOT_INITIALIZED');
  await assert.rejects(web.hashInput(new Uint8Array(1)), (err) => err.code === 'ERR_NOT_INITIALIZED');
  await web.init(readFileSync(new URL('cos_wasm_bg.wasm', dir)));
  const key = web.CustomerKey.generate('AES256');
  assert.equal(key.algorithm, 'AES256');
  key.free();
  assert.equal((await web.hashInput(new TextEncoder().encode('123456789'))).crc64, '11051210869376104954');
});
