// The packed package, loaded with require() in Node CommonJS.
const { test } = require('node:test');
const assert = require('node:assert/strict');
// Every entry, merged as suite.mjs's mergeEntries does (the signer's ERR_MOVED stubs replaced).
const signerEntry = require('cos-wasm');
const cos = Object.assign({}, signerEntry, ...['keys', 'hash', 'sts', 'explain'].map((e) => require(`cos-wasm/${e}`)));

test('require("cos-wasm") passes the shared suite (signing, SSE, keys, hashing)', async () => {
  const { runSuite } = await import('./suite.mjs');
  const { loadVectors, assertSuitePassed } = await import('./helpers.mjs');
  const data = loadVectors();
  await assertSuitePassed(await runSuite(cos, data), data);
});

test('CommonJS: a moved name throws ERR_MOVED naming its new entry', () => {
  assert.throws(() => signerEntry.CustomerKey.generate('AES256'), (e) => cos.isCosError(e) && e.code === 'ERR_MOVED' && /from 'cos-wasm\/keys'/.test(e.message));
  assert.throws(() => new signerEntry.Crc64(), (e) => e.code === 'ERR_MOVED' && /from 'cos-wasm\/hash'/.test(e.message));
  assert.throws(() => signerEntry.bucketEncryptionXml({ algorithm: 'AES256' }), (e) => e.code === 'ERR_MOVED' && /from 'cos-wasm\/explain'/.test(e.message));
  assert.match(require('cos-wasm/explain').bucketEncryptionXml({ algorithm: 'AES256' }), /<SSEAlgorithm>AES256<\/SSEAlgorithm>/);
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

test('CommonJS: the STS client, TC3 and the policy builder', async () => {
  assert.equal(typeof cos.getFederationToken, 'function');
  assert.equal(typeof cos.assumeRole, 'function');
  const policy = cos.cosPolicy({ bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', allow: [{ actions: 'download', prefix: 'p/' }] });
  assert.equal(JSON.parse(policy).version, '2.0');
  await assert.rejects(cos.getFederationToken({ secretId: 'a', secretKey: 'b', region: 'ap-guangzhou', name: 'n', policy, endpoint: 'http://sts.example.com/' }), (e) => cos.isCosError(e) && e.code === 'ERR_INVALID_URL');
  const p = cos.credentialsProvider(async () => ({ tmpSecretId: 'AKIDt', tmpSecretKey: 'k', sessionToken: 't', expiredTime: Math.floor(Date.now() / 1000) + 3600 }));
  assert.match((await p.signer()).presignUrl({ method: 'GET', key: 'a', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60 }), /x-cos-security-token=t/);
});
