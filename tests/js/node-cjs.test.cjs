// The packed package, loaded with require() in Node CommonJS.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const cos = require('cos-wasm');

test('require("cos-wasm") passes the shared suite (signing, SSE, keys, hashing)', async () => {
  const { runSuite } = await import('./suite.mjs');
  const { loadVectors, assertSuitePassed } = await import('./helpers.mjs');
  const data = loadVectors();
  await assertSuitePassed(await runSuite(cos, data), data);
});

test('CommonJS errors are CosErrors too', () => {
  assert.throws(() => new cos.CosSigner({ secretId: '', secretKey: 'x' }), (e) => cos.isCosError(e) && e.code === 'ERR_INVALID_CREDENTIALS');
  assert.equal(typeof cos.init, 'function');
});

test('CommonJS: customer keys, POST form helpers', () => {
  const key = cos.CustomerKey.generate('AES256');
  const wrapping = cos.WrappingKey.generate();
  const back = cos.CustomerKey.unwrap(key.wrap(wrapping, { aad: 'a' }), wrapping, { aad: 'a' });
  assert.equal(back.md5Base64, key.md5Base64);
  const signer = new cos.CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const form = signer.postObjectForm({ bucket: 'b-1', region: 'ap-x', key: 'a', expires: 60, sse: { type: 'SSE-C', key: back } });
  assert.equal([...cos.postFormData(form, new Blob(['x'])).keys()].at(-1), 'file');
});
