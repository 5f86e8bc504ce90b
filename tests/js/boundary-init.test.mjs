// Each browser entry (web.js of cos-wasm, cos-wasm/keys, /hash, /sts, /explain) before its
// `await init()`: constructors, static methods, the glue's free functions and the JS helpers
// are ERR_NOT_INITIALIZED with a hint, not a raw TypeError (issue 12). Runs in its own
// process (node --test isolates files), so the modules really are uninitialised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertCosError } from './helpers.mjs';

const pkg = new URL('./node_modules/cos-wasm/', import.meta.url);
const ENTRIES = { '': 'cos_wasm', 'keys/': 'cos_wasm_keys', 'hash/': 'cos_wasm_hash', 'sts/': 'cos_wasm_sts', 'explain/': 'cos_wasm_explain' };
const isClass = (v) => Function.prototype.toString.call(v).startsWith('class');

test('before init(): ERR_NOT_INITIALIZED with a hint, entry by entry; after init() everything works', async () => {
  const web = {};
  const glue = {};
  for (const [dir, name] of Object.entries(ENTRIES)) {
    web[dir] = await import(new URL(`${dir}web.js`, pkg));
    // the wasm-bindgen glue itself: importing it does not instantiate anything
    glue[dir] = await import(new URL(`${dir}${name}.js`, pkg));
  }
  const keys = web['keys/'];
  const hash = web['hash/'];
  const e = assertCosError(() => keys.CustomerKey.generate('AES256'), 'ERR_NOT_INITIALIZED');
  assert.match(e.message, /await init\(\)/);
  assertCosError(() => keys.WrappingKey.generate(), 'ERR_NOT_INITIALIZED');
  // plain JS, no init() needed: a page that only posts a worker-signed form skips the signer's .wasm
  assert.ok(web[''].postFormData({ fields: { key: 'a.txt' } }, new Blob(['x'])) instanceof FormData);
  assertCosError(() => web[''].postFormData({ fields: { key: 1 } }, new Blob(['x'])), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => hash.verifyResponseCrc64(new Response('x'), '1'), 'ERR_NOT_INITIALIZED');
  await assert.rejects(hash.hashInput(new Uint8Array(1)), (err) => err.code === 'ERR_NOT_INITIALIZED');
  await assert.rejects(web[''].cosErrorFromResponse(new Response('<Error/>', { status: 403 })), (err) => err.code === 'ERR_NOT_INITIALIZED');
  await assert.rejects(web['explain/'].cosErrorFromResponse(new Response('<Error/>', { status: 403 })), (err) => err.code === 'ERR_NOT_INITIALIZED');
  // every function and class each glue exports (a new one included) is checked in its web.js
  let reached = 0;
  for (const dir of Object.keys(ENTRIES)) {
    // (`__`-names are raw one-crossing exports, reached only through the entry's helpers)
    const names = Object.keys(glue[dir]).filter((k) => k !== 'default' && k !== 'initSync' && !k.startsWith('__'));
    reached += names.length;
    for (const name of names) {
      assert.equal(typeof web[dir][name], 'function', `${dir}web.js exports ${name}`);
      const err = assertCosError(() => (isClass(glue[dir][name]) ? new web[dir][name]({}) : web[dir][name]()), 'ERR_NOT_INITIALIZED');
      assert.match(err.message, /await init\(\)/, `${dir}${name}`);
    }
    assert.equal(typeof web[dir].initSync, 'function');
  }
  // the signer's class and free functions are helpers over its one crossing, init-checked there
  for (const name of ['CosSigner', 'sseHeaders', 'copySourceSseHeaders', 'objectUrl']) {
    const err = assertCosError(() => (name === 'CosSigner' ? new web[''][name]({}) : web[''][name]({})), 'ERR_NOT_INITIALIZED');
    assert.match(err.message, /await init\(\)/, name);
    reached++;
  }
  assert.ok(reached >= 17 + 4 * 2, String(reached));

  // Initialising one entry does not initialise another (each has its own module).
  await keys.init(readFileSync(new URL('keys/cos_wasm_keys_bg.wasm', pkg)));
  assertCosError(() => new hash.Crc64(), 'ERR_NOT_INITIALIZED');
  const key = keys.CustomerKey.generate('AES256');
  assert.equal(key.algorithm, 'AES256');
  assert.ok(key instanceof keys.CustomerKey && key instanceof glue['keys/'].CustomerKey);
  // wasm-bindgen's own `{ module_or_path }` is accepted too
  await hash.init({ module_or_path: readFileSync(new URL('hash/cos_wasm_hash_bg.wasm', pkg)) });
  await web[''].init(readFileSync(new URL('cos_wasm_bg.wasm', pkg)));
  const crc = new hash.Crc64();
  assert.ok(crc instanceof hash.Crc64 && crc instanceof glue['hash/'].Crc64);
  assert.equal(hash.Crc64.name, 'Crc64');
  crc.free();
  const signer = new web[''].CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  assert.ok(signer instanceof web[''].CosSigner);
  // a keys-entry CustomerKey signs through the signer entry
  const headers = signer.signRequest({ method: 'PUT', key: 'a', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60, sse: { type: 'SSE-C', key } }).headers;
  assert.equal(headers['x-cos-server-side-encryption-customer-key-MD5'], key.md5Base64);
  key.free();
  signer.free();
  class Sub extends hash.Md5 {}
  const sub = new Sub();
  assert.ok(sub instanceof Sub && sub instanceof hash.Md5);
  sub.free();
  assert.equal(web[''].isCosError(new Error('x')), false);
  assert.equal(hash.crc64Combine('0', '0', 0), '0');
  assert.equal((await hash.hashInput(new TextEncoder().encode('123456789'))).crc64, '11051210869376104954');
  for (const dir of ['sts/', 'explain/']) {
    await web[dir].init(readFileSync(new URL(`${dir}${ENTRIES[dir]}_bg.wasm`, pkg)));
    assert.equal(web[dir].isCosError(new Error('x')), false);
  }
});
