// Runs the official cos-nodejs-sdk-v5 against the local COS emulator.
// COS_EMULATOR_BIN: path to the emulator binary (default: ../../target/release/cos-emulator,
// or $CARGO_TARGET_DIR/release/cos-emulator).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const COS = require('cos-nodejs-sdk-v5');

const here = dirname(fileURLToPath(import.meta.url));
const BIN =
  process.env.COS_EMULATOR_BIN ||
  (process.env.CARGO_TARGET_DIR
    ? join(process.env.CARGO_TARGET_DIR, 'release', 'cos-emulator')
    : resolve(here, '../../../target/release/cos-emulator'));

const SECRET_ID = 'AKIDsdktest0000000000000000000000000';
const SECRET_KEY = 'sdk-test-secret-key-0123456789abcd';
const BUCKET = 'sdktest-1250000000';
const REGION = 'ap-guangzhou';

let proc;
let port;
let dataDir;
let cos; // via the SDK's Ip option: requests go to 127.0.0.1:PORT with the real COS Host
let cosProxy; // via the SDK's Proxy option: absolute-form requests
let kmsKeyId = 'sdk-test-cmk';

function call(client, method, params) {
  return new Promise((res, rej) =>
    client[method]({ Bucket: BUCKET, Region: REGION, ...params }, (err, data) => (err ? rej(err) : res(data))),
  );
}

const sseC = (keyBuf) => ({
  'x-cos-server-side-encryption-customer-algorithm': 'AES256',
  'x-cos-server-side-encryption-customer-key': keyBuf.toString('base64'),
  'x-cos-server-side-encryption-customer-key-MD5': createHash('md5').update(keyBuf).digest('base64'),
});

function errText(err) {
  return JSON.stringify(err);
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cos-emu-sdk-'));
  proc = spawn(
    BIN,
    [
      '--port', '0',
      '--data-dir', dataDir,
      '--credentials', `${SECRET_ID}:${SECRET_KEY}`,
      '--kms-key', kmsKeyId,
      '--exit-on-stdin-close',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  port = await new Promise((res, rej) => {
    let buf = '';
    proc.on('error', rej);
    proc.on('exit', (code) => rej(new Error(`emulator exited early (${code}); BIN=${BIN}`)));
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/cos-emulator listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) res(Number(m[1]));
    });
  });
  cos = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Ip: `127.0.0.1:${port}` });
  cosProxy = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Protocol: 'http:', Proxy: `http://127.0.0.1:${port}` });
});

after(() => {
  if (proc) {
    proc.removeAllListeners('exit');
    proc.stdin.end(); // --exit-on-stdin-close
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('putObject / getObject / headObject without SSE (Ip option)', async () => {
  const body = Buffer.from('hello from the official SDK');
  const put = await call(cos, 'putObject', { Key: 'plain/hello.txt', Body: body, Headers: { 'x-cos-meta-who': 'sdk' } });
  assert.equal(put.statusCode, 200);
  assert.ok(put.ETag);
  const got = await call(cos, 'getObject', { Key: 'plain/hello.txt' });
  assert.equal(got.Body.toString(), body.toString());
  const head = await call(cos, 'headObject', { Key: 'plain/hello.txt' });
  assert.equal(head.headers['x-cos-meta-who'], 'sdk');
  assert.ok(head.headers['x-cos-hash-crc64ecma']);
});

test('absolute-form requests through the Proxy option', async () => {
  const body = Buffer.from('through a proxy');
  await call(cosProxy, 'putObject', { Key: 'proxy/p.txt', Body: body });
  const got = await call(cosProxy, 'getObject', { Key: 'proxy/p.txt' });
  assert.equal(got.Body.toString(), 'through a proxy');
});

test('SSE-COS put/get/head and encrypted at rest', async () => {
  const marker = 'SSE-COS-PLAINTEXT-MARKER-' + randomBytes(8).toString('hex');
  const put = await call(cos, 'putObject', { Key: 'sse/cos.txt', Body: Buffer.from(marker), ServerSideEncryption: 'AES256' });
  assert.equal(put.headers['x-cos-server-side-encryption'], 'AES256');
  const got = await call(cos, 'getObject', { Key: 'sse/cos.txt' });
  assert.equal(got.Body.toString(), marker);
  assert.equal(got.headers['x-cos-server-side-encryption'], 'AES256');
  const head = await call(cos, 'headObject', { Key: 'sse/cos.txt' });
  assert.equal(head.headers['x-cos-server-side-encryption'], 'AES256');
  // the plaintext is nowhere in the data dir
  const walk = (d) => readdirSync(d).flatMap((n) => { const p = join(d, n); return statSync(p).isDirectory() ? walk(p) : [p]; });
  for (const f of walk(dataDir)) assert.ok(!readFileSync(f).includes(marker), `plaintext found in ${f}`);
});

test('SSE-KMS put/get/head', async () => {
  const ctx = Buffer.from(JSON.stringify({ app: 'sdk-test' })).toString('base64');
  const put = await call(cos, 'putObject', {
    Key: 'sse/kms.txt',
    Body: Buffer.from('kms data'),
    ServerSideEncryption: 'cos/kms',
    SSEKMSKeyId: kmsKeyId,
    SSEContext: ctx,
  });
  assert.equal(put.headers['x-cos-server-side-encryption'], 'cos/kms');
  assert.equal(put.headers['x-cos-server-side-encryption-cos-kms-key-id'], kmsKeyId);
  const got = await call(cos, 'getObject', { Key: 'sse/kms.txt' });
  assert.equal(got.Body.toString(), 'kms data');
  const head = await call(cos, 'headObject', { Key: 'sse/kms.txt' });
  assert.equal(head.headers['x-cos-server-side-encryption'], 'cos/kms');
});

test('SSE-C (AES256) put/get/head; wrong or missing key fails', async () => {
  const key = randomBytes(32);
  const put = await call(cos, 'putObject', { Key: 'sse/c.bin', Body: Buffer.from('customer key data'), Headers: sseC(key) });
  assert.equal(put.headers['x-cos-server-side-encryption-customer-algorithm'], 'AES256');
  const got = await call(cos, 'getObject', { Key: 'sse/c.bin', Headers: sseC(key) });
  assert.equal(got.Body.toString(), 'customer key data');
  const head = await call(cos, 'headObject', { Key: 'sse/c.bin', Headers: sseC(key) });
  assert.equal(head.headers['x-cos-server-side-encryption-customer-key-md5'], sseC(key)['x-cos-server-side-encryption-customer-key-MD5']);

  await assert.rejects(call(cos, 'getObject', { Key: 'sse/c.bin', Headers: sseC(randomBytes(32)) }), (err) => {
    assert.equal(err.statusCode, 400);
    assert.match(errText(err), /SsecDecryptHeaderInvalid/);
    return true;
  });
  await assert.rejects(call(cos, 'getObject', { Key: 'sse/c.bin' }), (err) => {
    assert.equal(err.statusCode, 400);
    return true;
  });
});

const big = randomBytes(2 * 1024 * 1024 + 12345);
const bigMd5 = createHash('md5').update(big).digest('hex');

for (const [name, initHeaders, partHeaders, getHeaders] of [
  ['SSE-COS', { 'x-cos-server-side-encryption': 'AES256' }, {}, {}],
  ['SSE-KMS', { 'x-cos-server-side-encryption': 'cos/kms' }, {}, {}],
  ...(() => {
    const k = randomBytes(32);
    return [['SSE-C', sseC(k), sseC(k), sseC(k)]];
  })(),
]) {
  test(`multipart upload with ${name} (multipartInit / multipartUpload / multipartComplete)`, async () => {
    const Key = `mp/${name}.bin`;
    const init = await call(cos, 'multipartInit', { Key, Headers: initHeaders });
    const UploadId = init.UploadId;
    assert.ok(UploadId);
    const size = 1024 * 1024;
    const parts = [];
    for (let i = 0, n = 1; i < big.length; i += size, n++) {
      const r = await call(cos, 'multipartUpload', { Key, UploadId, PartNumber: n, Body: big.subarray(i, i + size), Headers: partHeaders });
      parts.push({ PartNumber: n, ETag: r.ETag });
    }
    const listed = await call(cos, 'multipartListPart', { Key, UploadId });
    assert.equal(listed.Part.length, parts.length);
    const done = await call(cos, 'multipartComplete', { Key, UploadId, Parts: parts });
    assert.equal(done.statusCode, 200);
    const got = await call(cos, 'getObject', { Key, Headers: getHeaders });
    assert.equal(createHash('md5').update(got.Body).digest('hex'), bigMd5);
    assert.ok(got.headers['x-cos-hash-crc64ecma']);
  });
}

test('sliceUploadFile with SSE-COS', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cos-emu-file-'));
  const fp = join(dir, 'big.bin');
  writeFileSync(fp, big);
  try {
    const r = await call(cos, 'sliceUploadFile', { Key: 'slice/big.bin', FilePath: fp, ChunkSize: 1024 * 1024, ServerSideEncryption: 'AES256' });
    assert.equal(r.statusCode, 200);
    const got = await call(cos, 'getObject', { Key: 'slice/big.bin' });
    assert.equal(createHash('md5').update(got.Body).digest('hex'), bigMd5);
    assert.equal(got.headers['x-cos-server-side-encryption'], 'AES256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a wrong SecretKey is rejected with SignatureDoesNotMatch', async () => {
  const bad = new COS({ SecretId: SECRET_ID, SecretKey: 'wrong', Protocol: 'http:', Ip: `127.0.0.1:${port}` });
  await assert.rejects(call(bad, 'headObject', { Key: 'plain/hello.txt' }), (err) => {
    assert.equal(err.statusCode, 403);
    return true;
  });
  await assert.rejects(call(bad, 'getObject', { Key: 'plain/hello.txt' }), (err) => {
    assert.match(errText(err), /SignatureDoesNotMatch/);
    return true;
  });
});

test('getObjectAcl / putObjectAcl with ACL XML (issue 11: GET ?acl returned the object bytes)', async () => {
  await call(cos, 'putObject', { Key: 'acl/a.txt', Body: Buffer.from('acl bytes') });
  const before = await call(cos, 'getObjectAcl', { Key: 'acl/a.txt' });
  assert.equal(before.ACL, 'private');
  await call(cos, 'putObjectAcl', { Key: 'acl/a.txt', ACL: 'public-read' });
  const after = await call(cos, 'getObjectAcl', { Key: 'acl/a.txt' });
  assert.equal(after.ACL, 'public-read');
  const got = await call(cos, 'getObject', { Key: 'acl/a.txt' });
  assert.equal(got.Body.toString(), 'acl bytes');
});

test('deleteMultipleObject (POST /?delete)', async () => {
  for (const Key of ['multi/1', 'multi/2']) await call(cos, 'putObject', { Key, Body: Buffer.from('x') });
  const r = await call(cos, 'deleteMultipleObject', { Objects: [{ Key: 'multi/1' }, { Key: 'multi/2' }] });
  assert.deepEqual(r.Deleted.map((d) => d.Key).sort(), ['multi/1', 'multi/2']);
  const list = await call(cos, 'getBucket', { Prefix: 'multi/' });
  assert.equal(list.Contents.length, 0);
});

test('getBucket with a space and a plus in the prefix, and encoding-type=url', async () => {
  for (const Key of ['sp/a b/1', 'sp/a+b/2']) await call(cos, 'putObject', { Key, Body: Buffer.from('x') });
  const a = await call(cos, 'getBucket', { Prefix: 'sp/a b' });
  assert.deepEqual(a.Contents.map((c) => c.Key), ['sp/a b/1']);
  const b = await call(cos, 'getBucket', { Prefix: 'sp/a+b', EncodingType: 'url' });
  assert.deepEqual(b.Contents.map((c) => decodeURIComponent(c.Key)), ['sp/a+b/2']);
});

test('sliceCopyFile of an SSE-C source (HEAD of the source without its key)', async () => {
  const key = randomBytes(32);
  await call(cos, 'putObject', { Key: 'copy/src.bin', Body: Buffer.from('copy me'), Headers: sseC(key) });
  const src = Object.fromEntries(
    Object.entries(sseC(key)).map(([k, v]) => [k.replace('x-cos-', 'x-cos-copy-source-'), v]),
  );
  const r = await call(cos, 'sliceCopyFile', {
    Key: 'copy/dst.bin',
    CopySource: `${BUCKET}.cos.${REGION}.myqcloud.com/copy/src.bin`,
    Headers: src,
  });
  assert.equal(r.statusCode, 200);
  const got = await call(cos, 'getObject', { Key: 'copy/dst.bin' });
  assert.equal(got.Body.toString(), 'copy me');
});

// --- issue 26: what the official SDK sends that COS accepts, and cos-wasm's temporary keys

test('x-cos-meta-* names that need URL-encoding, and an empty x-cos-meta-* header', async () => {
  const Headers = { 'x-cos-meta-a|b': '1', 'x-cos-meta-a^b!c': '2', 'x-cos-meta-empty': '' };
  const r = await call(cos, 'putObject', { Key: 'meta/odd.txt', Body: Buffer.from('meta'), Headers });
  assert.equal(r.statusCode, 200);
  const h = await call(cos, 'headObject', { Key: 'meta/odd.txt' });
  assert.equal(h.headers['x-cos-meta-a|b'], '1');
  assert.equal(h.headers['x-cos-meta-a^b!c'], '2');
});

test('an unknown sub-resource is a 4xx the SDK does not retry', async () => {
  await call(cos, 'putObject', { Key: 'tag/a.txt', Body: Buffer.from('x') });
  await assert.rejects(call(cos, 'putObjectTagging', { Key: 'tag/a.txt', Tags: [{ Key: 'k', Value: 'v' }] }), (err) => {
    assert.equal(err.statusCode, 400, errText(err));
    return true;
  });
});

/** The emulator's STS, TC3-signed as the official Tencent Cloud SDK signs (host without port). */
async function federationToken(policy) {
  const body = JSON.stringify({ Name: 'sdk', Policy: encodeURIComponent(policy), DurationSeconds: 1800 });
  const ts = Math.floor(Date.now() / 1000);
  const date = new Date(ts * 1000).toISOString().slice(0, 10);
  const sha = (x) => createHash('sha256').update(x).digest('hex');
  const hmac = (k, x) => createHmac('sha256', k).update(x).digest();
  const canonical = `POST\n/\n\ncontent-type:application/json\nhost:127.0.0.1\n\ncontent-type;host\n${sha(body)}`;
  const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/sts/tc3_request\n${sha(canonical)}`;
  const key = hmac(hmac(hmac(`TC3${SECRET_KEY}`, date), 'sts'), 'tc3_request');
  const sig = createHmac('sha256', key).update(toSign).digest('hex');
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      Authorization: `TC3-HMAC-SHA256 Credential=${SECRET_ID}/${date}/sts/tc3_request, SignedHeaders=content-type;host, Signature=${sig}`,
      'Content-Type': 'application/json', 'X-TC-Action': 'GetFederationToken', 'X-TC-Version': '2018-08-13',
      'X-TC-Timestamp': String(ts), 'X-TC-Region': REGION,
    },
    body,
  });
  const r = (await res.json()).Response;
  assert.ok(r.Credentials, JSON.stringify(r));
  return { tmpSecretId: r.Credentials.TmpSecretId, tmpSecretKey: r.Credentials.TmpSecretKey, sessionToken: r.Credentials.Token };
}

/** cos-wasm's STS entry, when the packed package is installed in tests/js (scripts/test.sh does). */
async function cosWasmSts() {
  try {
    // its CommonJS build (the `require` condition), resolved from tests/js
    const req = createRequire(resolve(here, '../../../tests/js/package.json'));
    return req('cos-wasm/sts');
  } catch {
    return undefined;
  }
}

/** The upload-preset policy cosPolicy writes (tests/vectors/cam-policies.json, case upload-prefix;
 * tests/cam_policy.rs checks the builder still writes exactly it). */
function uploadPresetFixture() {
  const v = JSON.parse(readFileSync(resolve(here, '../../../tests/vectors/cam-policies.json'), 'utf8'));
  const c = v.cases.find((x) => x.id === 'upload-prefix');
  return { bucket: c.input.bucket, region: c.input.region, prefix: c.input.allow[0].prefix, policy: c.policy };
}

async function sliceUploadWithTemporaryKeys(t, { bucket, region, prefix, creds }) {
  const tmp = new COS({
    SecretId: creds.tmpSecretId, SecretKey: creds.tmpSecretKey, SecurityToken: creds.sessionToken,
    Protocol: 'http:', Ip: `127.0.0.1:${port}`,
  });
  const dir = mkdtempSync(join(tmpdir(), 'cos-emu-tmpkeys-'));
  const fp = join(dir, 'big.bin');
  writeFileSync(fp, big);
  const at = (Key) => ({ Bucket: bucket, Region: region, Key });
  const go = (method, params) => new Promise((res, rej) => tmp[method](params, (err, data) => (err ? rej(err) : res(data))));
  try {
    const Key = `${prefix}slice-${t}.bin`;
    const r = await go('sliceUploadFile', { ...at(Key), FilePath: fp, ChunkSize: 1024 * 1024 });
    assert.equal(r.statusCode, 200);
    const got = await call(cos, 'getObject', { Bucket: bucket, Region: region, Key });
    assert.equal(createHash('md5').update(got.Body).digest('hex'), bigMd5);
    // resume: an upload this SDK started and left open is found and finished
    const open = await go('multipartInit', at(`${prefix}resume-${t}.bin`));
    await go('multipartUpload', { ...at(`${prefix}resume-${t}.bin`), UploadId: open.UploadId, PartNumber: 1, Body: big.subarray(0, 1024 * 1024) });
    const again = await go('sliceUploadFile', { ...at(`${prefix}resume-${t}.bin`), FilePath: fp, ChunkSize: 1024 * 1024 });
    assert.equal(again.statusCode, 200);
    // outside the grant: refused
    await assert.rejects(go('sliceUploadFile', { ...at(`other/${t}.bin`), FilePath: fp, ChunkSize: 1024 * 1024 }), (err) => {
      assert.equal(err.statusCode, 403, errText(err));
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sliceUploadFile with temporary keys of the cosPolicy upload preset (the policy cosPolicy writes)', async () => {
  const f = uploadPresetFixture();
  const creds = await federationToken(f.policy);
  await sliceUploadWithTemporaryKeys('fixture', { ...f, creds });
});

test('sliceUploadFile with cos-wasm cosPolicy + getFederationToken', async (t) => {
  const sts = await cosWasmSts();
  if (!sts) {
    t.skip('cos-wasm is not installed in tests/js (bash scripts/pack.sh installs it)');
    return;
  }
  const bucket = 'wasmkeys-1250000000';
  const policy = sts.cosPolicy({ bucket, region: REGION, allow: [{ actions: 'upload', prefix: 'u/1/' }] });
  const creds = await sts.getFederationToken({
    secretId: SECRET_ID, secretKey: SECRET_KEY, region: REGION, endpoint: `http://127.0.0.1:${port}/`, name: 'sdk', policy,
  });
  await sliceUploadWithTemporaryKeys('wasm', { bucket, region: REGION, prefix: 'u/1/', creds });
});
