// cos-wasm requests (signRequest, presignUrl/presignRequest, postObjectForm) from Node are
// accepted by the strict local COS emulator, for every SSE mode and algorithm.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CosSigner, postFormData } from 'cos-wasm';
import { CustomerKey } from 'cos-wasm/keys';
import { hashInput, verifyResponseCrc64, crc64Combine } from 'cos-wasm/hash';
import { startEmulator } from './emulator.mjs';

const ID = 'AKIDemulatortest';
const SECRET = 'emulator-secret-key';
const TMP = ['AKIDtemporary', 'temporary-secret', 'session-token+/='];
let emu;
let ep;
const signer = new CosSigner({ secretId: ID, secretKey: SECRET });

before(async () => {
  emu = await startEmulator({ credentials: [`${ID}:${SECRET}`, TMP.join(':')] });
  ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', protocol: 'http', domain: '127.0.0.1', port: emu.port, pathStyle: true, allowInsecureLocal: true };
});
after(async () => emu?.stop());

const aes = CustomerKey.generate('AES256');
const sm4 = CustomerKey.generate('SM4');
const MODES = {
  'SSE-COS/AES256': { type: 'SSE-COS' },
  'SSE-COS/SM4': { type: 'SSE-COS', algorithm: 'SM4' },
  'SSE-KMS/AES256': { type: 'SSE-KMS', context: { app: 'test' } },
  'SSE-KMS/SM4': { type: 'SSE-KMS', algorithm: 'SM4' },
  'SSE-C/AES256': { type: 'SSE-C', key: aes },
  'SSE-C/SM4': { type: 'SSE-C', key: sm4 },
};
const readSse = (sse) => (sse.type === 'SSE-C' ? sse : undefined);

function plaintextOnDisk(dir, needle) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (plaintextOnDisk(p, needle)) return true;
    } else if (readFileSync(p).includes(needle)) return true;
  }
  return false;
}

for (const [name, sse] of Object.entries(MODES)) {
  test(`${name}: signed PUT, GET, HEAD, pre-signed GET, POST form`, async () => {
    const body = Buffer.from(`secret payload for ${name} ${'x'.repeat(5000)}`);
    const key = `sse/${name.replace('/', '-')}.bin`;
    const put = signer.signRequest({ ...ep, method: 'PUT', key, sse, expires: 300, headers: { 'Content-Length': body.length } });
    const putRes = await fetch(put.url, { method: 'PUT', headers: put.headers, body });
    assert.equal(putRes.status, 200, await putRes.text());
    const { crc64 } = await hashInput(body);
    verifyResponseCrc64(putRes, crc64);
    assert.notEqual(putRes.headers.get('etag'), '"d41d8cd98f00b204e9800998ecf8427e"', 'ETag is not the MD5 of nothing');
    assert.ok(!plaintextOnDisk(emu.dataDir, Buffer.from(`secret payload for ${name}`)), 'stored encrypted at rest');

    const get = signer.signRequest({ ...ep, method: 'GET', key, sse: readSse(sse), expires: 300 });
    const getRes = await fetch(get.url, { headers: get.headers });
    assert.equal(getRes.status, 200);
    assert.deepEqual(Buffer.from(await getRes.arrayBuffer()), body);
    const echoed = getRes.headers.get('x-cos-server-side-encryption') ?? getRes.headers.get('x-cos-server-side-encryption-customer-algorithm');
    assert.ok(echoed, 'SSE echoed');

    const head = signer.signRequest({ ...ep, method: 'HEAD', key, sse: readSse(sse), expires: 300 });
    assert.equal((await fetch(head.url, { method: 'HEAD', headers: head.headers })).status, 200);

    const pre = signer.presignRequest({ ...ep, method: 'GET', key, sse: readSse(sse), expires: 300 });
    const preRes = await fetch(pre.url, { headers: pre.headers });
    assert.equal(preRes.status, 200);
    assert.deepEqual(Buffer.from(await preRes.arrayBuffer()), body);

    const form = signer.postObjectForm({ ...ep, keyPrefix: `post/${name.replace('/', '-')}/`, sse, expires: 300, contentLengthRange: [1, 1 << 20], successActionStatus: 201 });
    const postRes = await fetch(form.url, { method: 'POST', body: postFormData(form, new Blob([body]), 'form.bin') });
    assert.equal(postRes.status, 201, await postRes.clone().text());
    assert.equal(postRes.headers.get('location'), `${emu.url}/examplebucket-1250000000/post/${name.replace('/', '-')}/form.bin`);
    const back = signer.signRequest({ ...ep, method: 'GET', key: `post/${name.replace('/', '-')}/form.bin`, sse: readSse(sse), expires: 300 });
    assert.deepEqual(Buffer.from(await (await fetch(back.url, { headers: back.headers })).arrayBuffer()), body);
  });
}

test('SSE-C: a wrong key and a missing key are refused', async () => {
  const other = CustomerKey.generate('AES256');
  const key = 'sse/SSE-C-AES256.bin';
  const wrong = signer.signRequest({ ...ep, method: 'GET', key, sse: { type: 'SSE-C', key: other }, expires: 300 });
  const res = await fetch(wrong.url, { headers: wrong.headers });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /<Code>SsecDecryptHeaderInvalid<\/Code>/);
  const none = signer.signRequest({ ...ep, method: 'GET', key, expires: 300 });
  assert.equal((await fetch(none.url, { headers: none.headers })).status, 400);
  other.free();
});

test('a policy violation, an expired signature and a tampered one are refused', async () => {
  const form = signer.postObjectForm({ ...ep, key: 'small.bin', expires: 300, contentLengthRange: [1, 10] });
  const big = await fetch(form.url, { method: 'POST', body: postFormData(form, new Blob([new Uint8Array(100)])) });
  assert.equal(big.status, 400);
  assert.match(await big.text(), /EntityTooLarge/);
  const now = Math.floor(Date.now() / 1000);
  const old = signer.presignUrl({ ...ep, method: 'GET', key: 'small.bin', keyTime: { start: now - 7200, end: now - 3600 } });
  assert.equal((await fetch(old)).status, 403);
  // Flip the first hex digit of the signature (always a change).
  const url = signer.presignUrl({ ...ep, method: 'GET', key: 'a.bin', expires: 60 })
    .replace(/q-signature=([0-9a-f])/, (_, d) => `q-signature=${d === '0' ? '1' : '0'}`);
  const res = await fetch(url);
  assert.equal(res.status, 403);
  assert.match(await res.text(), /SignatureDoesNotMatch/);
});

test('temporary credentials (security token) and multipart upload with SSE-C and combined CRC-64', async () => {
  const tmp = new CosSigner({ secretId: TMP[0], secretKey: TMP[1], securityToken: TMP[2] });
  const key = 'mp/big.bin';
  const init = tmp.signRequest({ ...ep, method: 'POST', key, query: { uploads: null }, sse: { type: 'SSE-C', key: aes }, expires: 300 });
  const initRes = await fetch(init.url, { method: 'POST', headers: init.headers });
  assert.equal(initRes.status, 200, await initRes.clone().text());
  const uploadId = (await initRes.text()).match(/<UploadId>([^<]+)<\/UploadId>/)[1];
  const parts = [Buffer.alloc(1024 * 1024, 1), Buffer.from('tail')];
  const etags = [];
  let crc;
  for (const [i, part] of parts.entries()) {
    const up = tmp.signRequest({ ...ep, method: 'PUT', key, query: { partNumber: i + 1, uploadId }, sse: { type: 'SSE-C', key: aes }, expires: 300 });
    const res = await fetch(up.url, { method: 'PUT', headers: up.headers, body: part });
    assert.equal(res.status, 200, await res.clone().text());
    etags.push(res.headers.get('etag'));
    const partCrc = res.headers.get('x-cos-hash-crc64ecma');
    crc = crc === undefined ? partCrc : crc64Combine(crc, partCrc, part.length);
  }
  const xml = `<CompleteMultipartUpload>${etags.map((e, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const done = tmp.signRequest({ ...ep, method: 'POST', key, query: { uploadId }, expires: 300 });
  const doneRes = await fetch(done.url, { method: 'POST', headers: done.headers, body: xml });
  assert.equal(doneRes.status, 200, await doneRes.clone().text());
  verifyResponseCrc64(doneRes, crc);
  const get = tmp.signRequest({ ...ep, method: 'GET', key, sse: { type: 'SSE-C', key: aes }, expires: 300 });
  assert.deepEqual(Buffer.from(await (await fetch(get.url, { headers: get.headers })).arrayBuffer()), Buffer.concat(parts));
});
