// The packed package, loaded with require() in Node CommonJS.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const cos = require('cos-wasm');

test('require("cos-wasm") signs every vector like the ESM build', async () => {
  const { runVectors } = await import('./vector-runner.mjs');
  const file = process.env.COS_VECTORS || path.join(__dirname, '../vectors/cos-signing.json');
  const cases = JSON.parse(readFileSync(file, 'utf8')).cases;
  const failed = runVectors(cos, cases).filter((r) => !r.ok);
  assert.deepEqual(failed, []);
});

test('CommonJS errors are CosErrors too', () => {
  assert.throws(() => new cos.CosSigner({ secretId: '', secretKey: 'x' }), (e) => cos.isCosError(e) && e.code === 'ERR_INVALID_CREDENTIALS');
  assert.equal(typeof cos.init, 'function');
});

test('CommonJS: SSE, customer keys, POST form helpers and hashing', async () => {
  const key = cos.CustomerKey.generate('AES256');
  const wrapping = cos.WrappingKey.generate();
  const back = cos.CustomerKey.unwrap(key.wrap(wrapping, { aad: 'a' }), wrapping, { aad: 'a' });
  assert.equal(back.md5Base64, key.md5Base64);
  const signer = new cos.CosSigner({ secretId: 'AKIDx', secretKey: 'k' });
  const form = signer.postObjectForm({ bucket: 'b-1', region: 'ap-x', key: 'a', expires: 60, sse: { type: 'SSE-C', key: back } });
  assert.equal([...cos.postFormData(form, new Blob(['x'])).keys()].at(-1), 'file');
  const out = await cos.hashInput(new Blob(['123456789']), { algorithms: ['crc64'] });
  assert.equal(out.crc64, '11051210869376104954');
});
