// The browser entry (web.js) before `await init()`: constructors, static methods, the glue's
// free functions and the JS helpers are ERR_NOT_INITIALIZED with a hint, not a raw TypeError
// (issue 12). Runs in its own process (node --test isolates files), so the module really is
// uninitialised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertCosError } from './helpers.mjs';

const dir = new URL('./node_modules/cos-wasm/', import.meta.url);

test('before init(): ERR_NOT_INITIALIZED with a hint; after init() everything works', async () => {
  const web = await import(new URL('web.js', dir));
  // the wasm-bindgen glue itself: importing it does not instantiate anything
  const glue = await import(new URL('cos_wasm.js', dir));
  const e = assertCosError(() => web.CustomerKey.generate('AES256'), 'ERR_NOT_INITIALIZED');
  assert.match(e.message, /await init\(\)/);
  assertCosError(() => web.WrappingKey.generate(), 'ERR_NOT_INITIALIZED');
  assertCosError(() => web.postFormData({ fields: {} }, new Blob(['x'])), 'ERR_NOT_INITIALIZED');
  assertCosError(() => web.verifyResponseCrc64(new Response('x'), '1'), 'ERR_NOT_INITIALIZED');
  await assert.rejects(web.hashInput(new Uint8Array(1)), (err) => err.code === 'ERR_NOT_INITIALIZED');
  await assert.rejects(web.cosErrorFromResponse(new Response('<Error/>', { status: 403 })), (err) => err.code === 'ERR_NOT_INITIALIZED');
  // every function and class the glue exports (a new one included) is checked in web.js
  const isClass = (v) => Function.prototype.toString.call(v).startsWith('class');
  const reached = Object.keys(glue).filter((k) => k !== 'default' && k !== 'initSync');
  assert.ok(reached.length >= 17, reached.join());
  for (const name of reached) {
    assert.equal(typeof web[name], 'function', `web.js exports ${name}`);
    const err = assertCosError(() => (isClass(glue[name]) ? new web[name]({}) : web[name]()), 'ERR_NOT_INITIALIZED');
    assert.match(err.message, /await init\(\)/, name);
  }
  assert.equal(typeof web.initSync, 'function');

  await web.init(readFileSync(new URL('cos_wasm_bg.wasm', dir)));
  const key = web.CustomerKey.generate('AES256');
  assert.equal(key.algorithm, 'AES256');
  assert.ok(key instanceof web.CustomerKey && key instanceof glue.CustomerKey);
  key.free();
  const crc = new web.Crc64();
  assert.ok(crc instanceof web.Crc64 && crc instanceof glue.Crc64);
  assert.equal(web.Crc64.name, 'Crc64');
  crc.free();
  const signer = new web.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  assert.ok(signer instanceof web.CosSigner);
  signer.free();
  class Sub extends web.Md5 {}
  const sub = new Sub();
  assert.ok(sub instanceof Sub && sub instanceof web.Md5);
  sub.free();
  assert.equal(web.isCosError(new Error('x')), false);
  assert.equal(web.crc64Combine('0', '0', 0), '0');
  assert.equal((await web.hashInput(new TextEncoder().encode('123456789'))).crc64, '11051210869376104954');
});
