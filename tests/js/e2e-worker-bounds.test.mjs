// Issue 25, the edge worker's promises end to end against the strict emulator (worker in
// workerd from the checked-in config.capnp, examples/edge-worker/README.md):
// - temporary keys from POST /credentials are bounded in total size: with MAX_UPLOAD_BYTES
//   1 MiB they cannot store a 3 MiB object in parts (no multipart action), only single
//   requests up to the cap;
// - a pre-signed PUT cannot gain Content-Disposition, Cache-Control, Content-Encoding or
//   Expires: the worker does not sign them and the emulator refuses them unsigned;
// - MULTIPART_PART_BYTES reaches the worker from config.capnp.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner } from 'cos-wasm';
import { startStack } from './e2e-stack.mjs';

const MiB = 1024 * 1024;
let stack;

before(async () => {
  stack = await startStack({ maxUploadBytes: MiB, workerEnv: { MULTIPART_PART_BYTES: String(2 * MiB) } });
});
after(async () => stack?.stop());

const ask = async (path, body, user = 'alice') => {
  const res = await fetch(`${stack.workerUrl}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stack.users[user]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
};

test('temporary keys cannot assemble an object larger than MAX_UPLOAD_BYTES out of parts', async () => {
  const { status, json: c } = await ask('/credentials', {});
  assert.equal(status, 200, JSON.stringify(c));
  const signer = new CosSigner({ secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken });
  const ep = { bucket: stack.env.COS_BUCKET, region: stack.env.COS_REGION, domain: stack.env.COS_DOMAIN, protocol: 'http', pathStyle: true };
  const key = `${c.prefix}big.bin`;
  const send = (o, body) => {
    const s = signer.signRequest({ ...ep, ...o, key, expires: 300, headers: { 'x-cos-acl': c.acl, 'x-cos-storage-class': c.storageClass, ...o.headers } });
    return fetch(s.url, { method: o.method, headers: s.headers, body });
  };
  const initiate = await send({ method: 'POST', query: { uploads: null }, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(initiate.status, 403, await initiate.text());
  // one request up to the cap still works; above it, refused
  const small = await send({ method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(MiB) } }, new Uint8Array(MiB));
  assert.equal(small.status, 200, await small.text());
  const big = await send({ method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(MiB + 1) } }, new Uint8Array(MiB + 1));
  assert.equal(big.status, 403, await big.text());
  signer.free();
});

test('a pre-signed PUT cannot gain Content-Disposition, Cache-Control, Content-Encoding or Expires', async () => {
  const body = new TextEncoder().encode('hello');
  for (const [name, value] of [['Content-Disposition', 'inline; filename=x.html'], ['Cache-Control', 'public, max-age=31536000'], ['Content-Encoding', 'gzip'], ['Expires', 'Thu, 01 Jan 2099 00:00:00 GMT']]) {
    const { status, json } = await ask('/presign', { method: 'PUT', key: 'users/alice/h.txt', size: body.length, contentType: 'text/plain' });
    assert.equal(status, 200, JSON.stringify(json));
    const res = await fetch(json.url, { method: 'PUT', headers: { ...json.headers, [name]: value }, body });
    assert.equal(res.status, 403, `${name}: ${await res.text()}`);
  }
  const { json } = await ask('/presign', { method: 'PUT', key: 'users/alice/h.txt', size: body.length, contentType: 'text/plain' });
  assert.equal((await fetch(json.url, { method: 'PUT', headers: json.headers, body })).status, 200);
});

test('MULTIPART_PART_BYTES is read from config.capnp: the worker signs parts of that size only', async () => {
  const wrong = await ask('/multipart', { action: 'initiate', key: 'users/alice/m.bin', size: MiB, partSize: 8 * MiB });
  assert.equal(wrong.status, 400, JSON.stringify(wrong.json));
  assert.match(JSON.stringify(wrong.json), /2097152|MULTIPART_PART_BYTES/);
});
