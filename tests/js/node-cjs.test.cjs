// The packed package, loaded with require() in Node CommonJS.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { readFileSync } = require('node:fs');
const path = require('node:path');
const cos = require('cos-wasm');

test('require("cos-wasm") signs every vector like the ESM build', async () => {
  const { runVectors } = await import('./vector-runner.mjs');
  const file = process.env.COS_VECTORS || path.join(__dirname, '../../../shared/vectors/cos-signing.json');
  const cases = JSON.parse(readFileSync(file, 'utf8')).cases;
  const failed = runVectors(cos, cases).filter((r) => !r.ok);
  assert.deepEqual(failed, []);
});

test('CommonJS errors are CosErrors too', () => {
  assert.throws(() => new cos.CosSigner({ secretId: '', secretKey: 'x' }), (e) => cos.isCosError(e) && e.code === 'ERR_INVALID_CREDENTIALS');
  assert.equal(typeof cos.init, 'function');
});
