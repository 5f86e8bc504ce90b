// TC3 signing, the COS policy builder and the STS client of the packed package, in Node,
// against a fake STS on 127.0.0.1 (tests/js/fake-sts.mjs); and the same client inside
// workerd.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from 'cos-wasm/sts';
import * as signerEntry from 'cos-wasm';
import { tc3Authorization, cosPolicy, getFederationToken, assumeRole, credentialsProvider } from 'cos-wasm/sts';
import { isCosError } from 'cos-wasm';
import { startFakeSts, tc3Expected } from './fake-sts.mjs';
import { assertCosError, loadVectors } from './helpers.mjs';
import { startWorkerd } from './workerd.mjs';
import { startEmulator } from './emulator.mjs';
import { stsFlow, flowPolicy, EXPECTED_FLOW, FLOW_BUCKET, FLOW_REGION } from './sts-flow.mjs';

const STS_WORKER = fileURLToPath(new URL('./workerd-sts-worker.js', import.meta.url));
const FLOW_MODULE = { 'sts-flow.js': fileURLToPath(new URL('./sts-flow.mjs', import.meta.url)) };

const ID = 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE';
const KEY = 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE';
const BUCKET = 'examplebucket-1250000000';
const REGION = 'ap-guangzhou';
const tc3Cases = loadVectors().tc3.cases;
// The official signer (a devDependency of the repository root), to judge what the client sent.
const requireRoot = createRequire(new URL('../../package.json', import.meta.url));
const OfficialSign = requireRoot('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign.js').default;

async function assertRejects(promise, code, secrets = []) {
  let thrown;
  try {
    await promise;
  } catch (e) {
    thrown = e;
  }
  assert.ok(isCosError(thrown), `expected CosError ${code}, got ${thrown}`);
  assert.equal(thrown.code, code, thrown.message);
  for (const s of secrets) assert.ok(!thrown.message.includes(s), `message leaks a secret: ${thrown.message}`);
  return thrown;
}

async function withSts(fn) {
  const sts = await startFakeSts({ keys: { [ID]: KEY } });
  try {
    await fn(sts);
  } finally {
    await sts.close();
  }
}

test("the fake STS's own TC3 verifier reproduces every vector (so it can judge the client)", () => {
  for (const c of tc3Cases) {
    const i = c.input;
    const u = new URL(i.url);
    const got = tc3Expected({
      secretId: i.secret_id, secretKey: i.secret_key, method: i.method, path: u.pathname, query: u.search.slice(1),
      contentType: i.content_type, host: u.hostname, body: i.body, timestamp: i.timestamp, service: i.service,
    });
    assert.equal(got.canonicalRequest, c.expected.canonical_request, c.id);
    assert.equal(got.stringToSign, c.expected.string_to_sign, c.id);
    assert.equal(got.authorization, c.expected.authorization, c.id);
  }
});

test('tc3Authorization: bytes bodies sign like strings; bad input is coded and never echoes the key', () => {
  const base = { secretId: ID, secretKey: KEY, method: 'POST', url: 'https://sts.tencentcloudapi.com/', contentType: 'application/json', body: '{"a":"é"}', timestamp: 1700000000, service: 'sts' };
  const s = tc3Authorization(base);
  assert.equal(tc3Authorization({ ...base, body: new TextEncoder().encode(base.body) }), s);
  assert.equal(tc3Authorization({ ...base, body: new TextEncoder().encode(base.body).buffer }), s);
  const bad = [
    [{ url: 'https://h/a b' }, 'ERR_INVALID_URL'],
    [{ url: 'https://h/#f' }, 'ERR_INVALID_URL'],
    [{ url: 'h/' }, 'ERR_INVALID_URL'],
    [{ method: 'PUT' }, 'ERR_INVALID_METHOD'],
    [{ method: 'GET' }, 'ERR_INVALID_ARGUMENT'],
    [{ contentType: 'Application/JSON' }, 'ERR_INVALID_HEADER_VALUE'],
    [{ service: 'STS' }, 'ERR_INVALID_SERVICE'],
    [{ timestamp: 1.5 }, 'ERR_INVALID_TIMESTAMP'],
    [{ timestamp: '1700000000' }, 'ERR_INVALID_TIMESTAMP'],
    [{ timestamp: undefined }, 'ERR_INVALID_TIMESTAMP'],
    [{ secretKey: '' }, 'ERR_INVALID_CREDENTIALS'],
    [{ secretKey: `${KEY}\n` }, 'ERR_INVALID_CREDENTIALS'],
    [{ secretId: 'a b' }, 'ERR_INVALID_CREDENTIALS'],
    [{ body: {} }, 'ERR_INVALID_ARGUMENT'],
    [{ url: undefined }, 'ERR_INVALID_ARGUMENT'],
  ];
  for (const [patch, code] of bad) assertCosError(() => tc3Authorization({ ...base, ...patch }), code, [KEY]);
  assertCosError(() => tc3Authorization(null), 'ERR_INVALID_ARGUMENT');
});

test('cosPolicy: Tencent\'s sample upload actions equal the policies inside the TC3 vectors; the upload preset adds what the resumable uploaders list', () => {
  const inVectors = new Set(tc3Cases.map((c) => (c.input.body.startsWith('{') ? JSON.parse(c.input.body).Policy : undefined)).filter(Boolean));
  const sample = ['PostObject', 'PutObject', 'InitiateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'];
  for (const prefix of ['users/alice/', '用户/上传者/', 'tmp/']) {
    const p = cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: sample, prefix }] });
    assert.ok(inVectors.has(encodeURIComponent(p)), p);
  }
  const preset = JSON.parse(cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: 'upload', prefix: 'u/' }] }));
  assert.deepEqual(preset.statement[0].action, [...sample, 'ListMultipartUploads', 'ListParts'].map((a) => `name/cos:${a}`));
});

test('cosPolicy: conditions, and a code for every mistake', () => {
  const p = JSON.parse(cosPolicy({
    bucket: BUCKET, region: REGION,
    allow: [{ actions: ['PutObject', 'name/cos:GetObject'], keys: ['a.txt'], conditions: { maxContentLength: 1024, contentTypes: 'image/png', requireSse: 'SSE-COS', sourceIps: undefined } }],
  }));
  assert.deepEqual(p.statement[0].condition, { numeric_less_than_equal: { 'cos:content-length': 1024 }, string_equal: { 'cos:content-type': ['image/png'], 'cos:x-cos-server-side-encryption': 'AES256' } });
  assert.deepEqual(p.statement[1].action, ['name/cos:GetObject']);
  const ok = { actions: 'upload', prefix: 'u/' };
  const bad = [
    [{ allow: [{ ...ok, actions: '*' }] }, 'ERR_UNKNOWN_ACTION'],
    [{ allow: [{ ...ok, actions: ['PutObject', 'putObject'] }] }, 'ERR_UNKNOWN_ACTION'],
    [{ allow: [{ ...ok, conditions: { content_length: 10 } }] }, 'ERR_UNKNOWN_CONDITION'],
    [{ allow: [{ ...ok, conditions: { 'cos:content-length': 10 } }] }, 'ERR_UNKNOWN_CONDITION'],
    [{ allow: [{ ...ok, conditions: { maxContentLength: -1 } }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, conditions: { maxContentLength: '10' } }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, conditions: { maxContentLength: 2 ** 60 } }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, conditions: { requireSse: 'AES256' } }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, conditions: [] }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, prefx: 'x/' }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, prefix: 'users/1' }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, prefix: 'users/*/' }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, prefix: '' }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, prefix: undefined }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ ...ok, keys: ['a'] }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [{ actions: 'download', prefix: 'u/', conditions: { maxContentLength: 5 } }] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [] }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: ok }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [ok], extra: 1 }, 'ERR_INVALID_CAM_POLICY'],
    [{ allow: [ok], bucket: 'examplebucket' }, 'ERR_INVALID_BUCKET'],
    [{ allow: [ok], region: 'AP' }, 'ERR_INVALID_REGION'],
  ];
  for (const [patch, code] of bad) assertCosError(() => cosPolicy({ bucket: BUCKET, region: REGION, ...patch }), code);
});

test('random inputs never trap tc3Authorization or cosPolicy', () => {
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  const junk = () => pick(['', 'a', '/', '%', '\u0000', '\ud800', '😀', '*', 'x'.repeat(900), 0, -1, 1.5, NaN, null, undefined, true, {}, [], 10n, ['a'], { a: 1 }]);
  for (let i = 0; i < 2000; i++) {
    for (const [fn, opts] of [
      [tc3Authorization, { secretId: pick([ID, junk()]), secretKey: pick([KEY, junk()]), method: pick(['POST', junk()]), url: pick(['https://sts.tencentcloudapi.com/', junk()]), contentType: pick(['application/json', junk()]), body: junk(), timestamp: pick([1700000000, junk()]), service: pick(['sts', junk()]) }],
      [cosPolicy, { bucket: pick([BUCKET, junk()]), region: pick([REGION, junk()]), allow: pick([[{ actions: pick(['upload', junk()]), prefix: pick(['u/', junk()]), conditions: pick([{ [pick(['maxContentLength', 'contentTypes', junk()])]: junk() }, junk()]) }], junk()]) }],
    ]) {
      try {
        assert.equal(typeof fn(opts), 'string');
      } catch (e) {
        assert.equal(e.name, 'CosError', String(e));
      }
    }
  }
  assert.ok(tc3Authorization({ secretId: ID, secretKey: KEY, method: 'POST', url: 'https://sts.tencentcloudapi.com/', contentType: 'application/json', body: '', timestamp: 1, service: 'sts' }));
});

test('getFederationToken and assumeRole against the fake STS', async () => {
  await withSts(async (sts) => {
    const policy = cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: 'upload', prefix: 'users/alice/', conditions: { maxContentLength: 1 << 20 } }] });
    const c = await getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, name: 'alice', policy, durationSeconds: 900, endpoint: sts.url });
    assert.match(c.tmpSecretId, /^AKIDtmp/);
    assert.match(c.sessionToken, /^token-/);
    assert.ok(c.tmpSecretKey && c.requestId);
    assert.ok(Math.abs(c.expiredTime - (Date.now() / 1000 + 900)) < 5);
    assert.equal(new Date(c.expiration).getTime(), c.expiredTime * 1000);
    const sent = sts.requests.at(-1);
    assert.equal(sent.headers['x-tc-action'], 'GetFederationToken');
    assert.equal(sent.headers['x-tc-region'], REGION);
    assert.equal(sent.headers['x-tc-token'], undefined);
    assert.deepEqual(JSON.parse(sent.body), { Name: 'alice', Policy: encodeURIComponent(policy), DurationSeconds: 900 });
    // The official tencentcloud-sdk-nodejs-common signer, given the same request, signs it alike.
    assert.equal(sent.headers.authorization, OfficialSign.sign3({
      method: 'POST', url: sts.url, payload: JSON.parse(sent.body), timestamp: Number(sent.headers['x-tc-timestamp']),
      service: 'sts', secretId: ID, secretKey: KEY, headers: { 'Content-Type': sent.headers['content-type'] },
    }));
    // A policy object works too; temporary caller keys send X-TC-Token.
    await getFederationToken({ secretId: ID, secretKey: KEY, securityToken: 'caller-token', region: REGION, name: 'bob', policy: JSON.parse(policy), endpoint: sts.url });
    assert.equal(sts.requests.at(-1).headers['x-tc-token'], 'caller-token');
    assert.equal(JSON.parse(sts.requests.at(-1).body).DurationSeconds, 1800);
    const r = await assumeRole({ secretId: ID, secretKey: KEY, region: REGION, roleArn: 'qcs::cam::uin/100000000001:roleName/cos-uploader', roleSessionName: 's1', durationSeconds: 43200, endpoint: sts.url });
    assert.match(r.sessionToken, /^token-/);
    assert.deepEqual(Object.keys(JSON.parse(sts.requests.at(-1).body)), ['RoleArn', 'RoleSessionName', 'DurationSeconds']);
  });
});

test('STS errors carry Tencent code and RequestId; failures are coded; no secret in any message', async () => {
  await withSts(async (sts) => {
    const opts = { secretId: ID, secretKey: KEY, region: REGION, name: 'alice', policy: cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: 'download', prefix: 'p/' }] }), endpoint: sts.url };
    const wrongKey = 'WrongSecretKeyValue123';
    const e = await assertRejects(getFederationToken({ ...opts, secretKey: wrongKey }), 'ERR_STS', [wrongKey]);
    assert.equal(e.tencentCode, 'AuthFailure.SignatureFailure');
    assert.match(e.requestId, /^[0-9a-f-]{36}$/);
    assert.ok(e.message.includes(e.requestId));
    const role = await assertRejects(assumeRole({ ...opts, roleArn: 'nope', roleSessionName: 's' }), 'ERR_STS');
    assert.equal(role.tencentCode, 'InvalidParameter.RoleNotExist');
    sts.mode = 'echo-error';
    await assertRejects(getFederationToken({ ...opts, securityToken: 'CallerSessionToken' }), 'ERR_STS', ['CallerSessionToken', KEY]);
    sts.mode = 'html';
    assert.equal((await assertRejects(getFederationToken(opts), 'ERR_STS_BAD_RESPONSE')).httpStatus, 502);
    sts.mode = 'no-credentials';
    await assertRejects(getFederationToken(opts), 'ERR_STS_BAD_RESPONSE');
    sts.mode = 'slow';
    await assertRejects(getFederationToken({ ...opts, timeoutMs: 200 }), 'ERR_TIMEOUT');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assertRejects(getFederationToken({ ...opts, signal: ac.signal }), 'ERR_ABORTED');
    await assertRejects(getFederationToken({ ...opts, signal: AbortSignal.abort() }), 'ERR_ABORTED');
    sts.mode = 'ok';
    // Validation before any request.
    const before = sts.requests.length;
    await assertRejects(getFederationToken({ ...opts, endpoint: 'http://sts.example.com/' }), 'ERR_INVALID_URL');
    await assertRejects(getFederationToken({ ...opts, durationSeconds: 7201 }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(assumeRole({ ...opts, roleArn: 'r', roleSessionName: 's', durationSeconds: 43201 }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken({ ...opts, policy: undefined }), 'ERR_INVALID_CAM_POLICY');
    await assertRejects(getFederationToken({ ...opts, policy: 'not json' }), 'ERR_INVALID_CAM_POLICY');
    await assertRejects(getFederationToken({ ...opts, region: 'AP' }), 'ERR_INVALID_REGION');
    await assertRejects(getFederationToken({ ...opts, secretKey: undefined }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken(undefined), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken({ ...opts, signal: {} }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken({ ...opts, timeoutMs: 2 ** 31 }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken({ ...opts, timeoutMs: 0 }), 'ERR_INVALID_ARGUMENT');
    await assertRejects(getFederationToken({ ...opts, fetch: 'nope' }), 'ERR_INVALID_ARGUMENT');
    assert.equal(sts.requests.length, before);
  });
  // Nothing listens: a network error.
  const closed = await startFakeSts({ keys: {} });
  await closed.close();
  await assertRejects(getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, name: 'a', policy: '{"statement":[]}', endpoint: closed.url }), 'ERR_NETWORK', [KEY]);
});

test('credentialsProvider: one refresh for concurrent callers, reuse until the margin, retry after failure', async () => {
  await withSts(async (sts) => {
    let clock = Date.now();
    const policy = cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: 'upload', prefix: 'u/' }] });
    let failNext = false;
    const provider = credentialsProvider(async () => {
      if (failNext) {
        failNext = false;
        return getFederationToken({ secretId: ID, secretKey: 'wrong-key', region: REGION, name: 'u', policy, endpoint: sts.url });
      }
      return getFederationToken({ secretId: ID, secretKey: KEY, region: REGION, name: 'u', policy, durationSeconds: 1800, endpoint: sts.url });
    }, { marginSeconds: 120, now: () => clock });
    const all = await Promise.all(Array.from({ length: 10 }, () => provider.get()));
    assert.equal(sts.requests.length, 1);
    assert.ok(all.every((c) => c === all[0]));
    clock += 1600 * 1000; // 200 s left: still outside the margin
    assert.equal(await provider.get(), all[0]);
    clock += 100 * 1000; // 100 s left: refresh
    const next = await provider.get();
    assert.notEqual(next, all[0]);
    assert.equal(sts.requests.length, 2);
    // A signer for the current credentials carries the session token.
    const signer = await provider.signer();
    assert.equal(await provider.signer(), signer);
    const url = new URL(signer.presignUrl({ method: 'PUT', key: 'u/a.txt', bucket: BUCKET, region: REGION, expires: 60 }));
    assert.equal(url.searchParams.get('x-cos-security-token'), next.sessionToken);
    assert.equal(url.searchParams.get('q-ak'), next.tmpSecretId);
    // A failed refresh rejects every waiter once; the next call within the back-off (1 s
    // after a first failure, on the provider's clock) gets the same error without a request;
    // after it, the next call tries again.
    provider.invalidate();
    failNext = true;
    const waiting = await Promise.allSettled([provider.get(), provider.get()]);
    assert.deepEqual(waiting.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(waiting[0].reason.code, 'ERR_STS');
    await assertRejects(provider.get(), 'ERR_STS');
    assert.equal(sts.requests.length, 3);
    clock += 1000;
    assert.notEqual(await provider.get(), next);
    assert.equal(sts.requests.length, 4);
  });
  // Credentials living less than twice the margin are kept for half their remaining life,
  // not refetched on every call.
  let t = 1_000_000_000_000;
  let calls = 0;
  const short = credentialsProvider(async () => {
    calls++;
    return { tmpSecretId: 'AKIDs', tmpSecretKey: 'k', sessionToken: 't', expiredTime: Math.floor(t / 1000) + 100 };
  }, { marginSeconds: 300, now: () => t });
  await short.get();
  t += 49_000;
  await short.get();
  assert.equal(calls, 1);
  t += 2_000;
  await short.get();
  assert.equal(calls, 2);
  assert.throws(() => credentialsProvider('x'), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  assert.throws(() => credentialsProvider(async () => ({}), { marginSeconds: -1 }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  assert.throws(() => credentialsProvider(async () => ({}), { now: 5 }), (e) => e.code === 'ERR_INVALID_ARGUMENT');
  await assertRejects(credentialsProvider(async () => ({ tmpSecretId: 'a' })).get(), 'ERR_INVALID_CREDENTIALS');
});

test('workerd: tc3Authorization, cosPolicy and getFederationToken against the fake STS', async () => {
  await withSts(async (sts) => {
    const w = await startWorkerd(STS_WORKER, FLOW_MODULE, { STS_URL: sts.url, SECRET_ID: ID, SECRET_KEY: KEY }, { localNetwork: true });
    try {
      const out = await (await fetch(`${w.url}/mint`)).json();
      assert.equal(out.error, undefined, out.error);
      assert.match(out.credentials.sessionToken, /^token-/);
      assert.equal(sts.requests.length, 2);
      assert.equal(out.wrongKey.code, 'ERR_STS');
      assert.equal(out.wrongKey.tencentCode, 'AuthFailure.SignatureFailure');
      assert.equal(out.authorization, api.tc3Authorization(out.tc3Input));
    } finally {
      await w.stop();
    }
  });
});

test('every URL tc3Authorization accepts is one fetch sends unchanged (the signed bytes are the sent bytes)', () => {
  const alphabet = ['a', 'Z', '0', '-', '.', '_', '~', '/', '?', '&', '=', '%', '%2F', '%2e', '%zz', ' ', '"', '<', '>', "'", '`', '{', '}', '|', '\\', '^', '[', ']', '#', '@', ':', '!', '$', '(', ')', '*', '+', ',', ';', 'é', '..', '.'];
  const pick = (a) => a[Math.floor(Math.random() * a.length)];
  const hosts = ['sts.tencentcloudapi.com', 'STS.TencentCloudAPI.com', '127.0.0.1:9000', '[::1]:8080', 'h', 'a_b', 'u@h', 'h:0'];
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    const tail = Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => pick(alphabet)).join('');
    const url = `${pick(['https', 'http', 'HTTPS'])}://${pick(hosts)}${pick(['/', '', '/x/'])}${tail}`;
    let auth;
    try {
      auth = tc3Authorization({ secretId: ID, secretKey: KEY, method: 'POST', url, contentType: 'application/json', body: '', timestamp: 1700000000, service: 'sts' });
    } catch (e) {
      assert.equal(e.name, 'CosError', String(e));
      continue;
    }
    accepted++;
    const u = new URL(url);
    const q = url.indexOf('?');
    const rest = url.slice(url.indexOf('://') + 3);
    const slash = rest.search(/[/?]/);
    const rawPath = slash < 0 || rest[slash] === '?' ? '/' : rest.slice(slash, q < 0 ? undefined : q - (url.length - rest.length));
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    assert.equal(u.pathname, rawPath, url);
    assert.equal(u.search.slice(1), rawQuery, url);
    // And the official signer (which signs what WHATWG URL yields) agrees.
    assert.equal(auth, OfficialSign.sign3({ method: 'POST', url, payload: '', timestamp: 1700000000, service: 'sts', secretId: ID, secretKey: KEY, headers: { 'Content-Type': 'application/json' } }), url);
  }
  assert.ok(accepted > 200, `only ${accepted} URLs accepted`);
});

test('edge worker POST /credentials: temporary keys for users/<id>/ with the worker limits, reused, STS failures as 502', async () => {
  const sts = await startFakeSts({ keys: { AKIDworker: 'worker-secret' } });
  const bindings = {
    COS_SECRET_ID: 'AKIDworker', COS_SECRET_KEY: 'worker-secret', USER_TOKENS: JSON.stringify({ 'tok-1': '1', 'tok-2': '2' }),
    COS_BUCKET: BUCKET, COS_REGION: REGION, STS_ENDPOINT: sts.url, MAX_UPLOAD_BYTES: '1048576',
    ALLOWED_CONTENT_TYPES: 'image/png,image/jpeg', STS_REQUIRE_SSE: 'SSE-COS', ALLOWED_ORIGIN: 'http://127.0.0.1',
  };
  const worker = fileURLToPath(new URL('../../examples/edge-worker/worker.js', import.meta.url));
  const w = await startWorkerd(worker, {}, bindings, { localNetwork: true });
  const post = (token) => fetch(`${w.url}/credentials`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{}' });
  try {
    const a = await (await post('tok-1')).json();
    assert.equal(a.error, undefined, JSON.stringify(a.error));
    assert.match(a.sessionToken, /^token-/);
    assert.equal(a.prefix, 'users/1/');
    const sent = sts.requests.filter((r) => r.headers['x-tc-action']);
    assert.equal(sent.length, 1);
    const policy = decodeURIComponent(JSON.parse(sent[0].body).Policy);
    // single-request uploads only (issue 25): no multipart statement, so no object over MAX_UPLOAD_BYTES
    assert.equal(policy, cosPolicy({ bucket: BUCKET, region: REGION, allow: [{ actions: ['PostObject', 'PutObject'], prefix: 'users/1/', conditions: { maxContentLength: 1048576, contentTypes: ['image/png', 'image/jpeg'], storageClasses: ['STANDARD'], acl: ['private'], requireSse: 'SSE-COS' } }] }));
    // what the page must send for the policy to allow its uploads
    assert.deepEqual({ acl: a.acl, storageClass: a.storageClass, sse: a.sse, maxBytes: a.maxBytes, contentTypes: a.contentTypes }, { acl: 'private', storageClass: 'STANDARD', sse: 'SSE-COS', maxBytes: 1048576, contentTypes: ['image/png', 'image/jpeg'] });
    assert.deepEqual(a.endpoint, { bucket: BUCKET, region: REGION, allowInsecureLocal: false });
    // Reused for the same user, a separate STS call for another.
    assert.equal((await (await post('tok-1')).json()).sessionToken, a.sessionToken);
    const b = await (await post('tok-2')).json();
    assert.equal(b.prefix, 'users/2/');
    assert.notEqual(b.sessionToken, a.sessionToken);
    assert.equal(sts.requests.filter((r) => r.headers['x-tc-action']).length, 2);
    assert.equal((await post('nope')).status, 401);
    const extra = await fetch(`${w.url}/credentials`, { method: 'POST', headers: { Authorization: 'Bearer tok-1', 'Content-Type': 'application/json' }, body: '{"acl":"public-read"}' });
    assert.equal(extra.status, 400);
  } finally {
    await w.stop();
    await sts.close();
  }
  // On by default (the policy pins the ACL); ALLOW_TEMPORARY_KEYS=false turns it off.
  const off = await startWorkerd(worker, {}, { ...bindings, ALLOW_TEMPORARY_KEYS: 'false' }, { localNetwork: true });
  try {
    const res = await fetch(`${off.url}/credentials`, { method: 'POST', headers: { Authorization: 'Bearer tok-1', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 404);
  } finally {
    await off.stop();
  }
  // An STS failure is the worker's upstream failing: 502 with the code, never the secret.
  const broken = await startFakeSts({ keys: { AKIDworker: 'another-secret' } });
  const w2 = await startWorkerd(worker, {}, { ...bindings, STS_ENDPOINT: broken.url }, { localNetwork: true });
  try {
    const res = await fetch(`${w2.url}/credentials`, { method: 'POST', headers: { Authorization: 'Bearer tok-1', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 502);
    const body = await res.text();
    assert.equal(JSON.parse(body).error.code, 'ERR_STS');
    assert.ok(!body.includes('worker-secret'));
  } finally {
    await w2.stop();
    await broken.close();
  }
});

// ---------------------------------------------------------------------------------------
// Against the local emulator's STS (cos-emulator/README.md, "STS"): the client, the official
// SDK, and uploads signed with the temporary keys, refused by the emulator outside the policy.

const EMU_ID = 'AKIDemulatorsts000000000000000000';
const EMU_KEY = 'emulator-sts-secret-key-0123456789';
const ROLE_ARN = 'qcs::cam::uin/100000000001:roleName/uploader';

async function withEmulator(fn) {
  const dir = mkdtempSync(join(tmpdir(), 'cos-wasm-sts-role-'));
  const rolePolicy = join(dir, 'role.json');
  writeFileSync(rolePolicy, cosPolicy({ bucket: FLOW_BUCKET, region: FLOW_REGION, allow: [{ actions: ['PutObject'], prefix: 'role/' }] }));
  const emu = await startEmulator({ credentials: [`${EMU_ID}:${EMU_KEY}`], args: ['--role', `${ROLE_ARN}=${rolePolicy}`] });
  try {
    await fn(emu);
  } finally {
    await emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('Node: getFederationToken at the emulator, then uploads signed with the temporary keys pass or fail on the policy', async () => {
  await withEmulator(async (emu) => {
    const { credentials, results } = await stsFlow({ ...signerEntry, ...api }, { emulatorUrl: emu.url, secretId: EMU_ID, secretKey: EMU_KEY });
    assert.match(credentials.tmpSecretId, /^AKIDtmp/);
    assert.ok(credentials.expiredTime > Date.now() / 1000 + 800);
    assert.deepEqual(results, EXPECTED_FLOW);
    // a wrong permanent key: Tencent's error code and the emulator's RequestId, no secret
    const e = await assertRejects(getFederationToken({ secretId: EMU_ID, secretKey: 'wrong-key-123', region: FLOW_REGION, name: 'u', policy: flowPolicy(api), endpoint: `${emu.url}/` }), 'ERR_STS', ['wrong-key-123']);
    assert.equal(e.tencentCode, 'AuthFailure.SignatureFailure');
    assert.match(e.requestId, /^[0-9a-f]{32}$/);
  });
});

test('Node: assumeRole at the emulator (a role from --role), narrowed by a session policy', async () => {
  await withEmulator(async (emu) => {
    const ep = { bucket: FLOW_BUCKET, region: FLOW_REGION, domain: `127.0.0.1:${emu.port}`, protocol: 'http', pathStyle: true, allowInsecureLocal: true };
    const put = async (c, key) => {
      const s = new signerEntry.CosSigner({ secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken });
      const r = s.signRequest({ ...ep, method: 'PUT', key, expires: 600 });
      s.free();
      return (await fetch(r.url, { method: 'PUT', headers: r.headers, body: 'x' })).status;
    };
    const base = { secretId: EMU_ID, secretKey: EMU_KEY, region: FLOW_REGION, roleArn: ROLE_ARN, roleSessionName: 's1', endpoint: `${emu.url}/` };
    const role = await assumeRole(base);
    assert.equal(await put(role, 'role/a'), 200);
    assert.equal(await put(role, 'users/1/a'), 403);
    const narrow = await assumeRole({ ...base, policy: cosPolicy({ bucket: FLOW_BUCKET, region: FLOW_REGION, allow: [{ actions: ['PutObject'], prefix: 'role/narrow/' }] }) });
    assert.equal(await put(narrow, 'role/narrow/a'), 200);
    assert.equal(await put(narrow, 'role/a'), 403);
    const e = await assertRejects(assumeRole({ ...base, roleArn: 'qcs::cam::uin/1:roleName/none' }), 'ERR_STS');
    assert.equal(e.tencentCode, 'InvalidParameter.RoleNotExist');
  });
});

test('workerd: getFederationToken at the emulator, then uploads signed with the temporary keys pass or fail on the policy', async () => {
  await withEmulator(async (emu) => {
    const w = await startWorkerd(STS_WORKER, FLOW_MODULE, { EMULATOR_URL: emu.url, SECRET_ID: EMU_ID, SECRET_KEY: EMU_KEY }, { localNetwork: true });
    try {
      const out = await (await fetch(`${w.url}/emulator`)).json();
      assert.equal(out.error, undefined, out.error);
      assert.deepEqual(out.results, EXPECTED_FLOW);
    } finally {
      await w.stop();
    }
  });
});

test('the official tencentcloud-sdk-nodejs-common CommonClient calls GetFederationToken at the emulator', async () => {
  const { CommonClient } = requireRoot('tencentcloud-sdk-nodejs-common');
  await withEmulator(async (emu) => {
    // The SDK derives the service from the endpoint's first label and signs URL.hostname: keep
    // the real STS host name and resolve it to the emulator (no network).
    const agent = new http.Agent({ lookup: (_host, opts, cb) => (opts?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)) });
    const client = (key) => new CommonClient('sts.tencentcloudapi.com', '2018-08-13', {
      credential: { secretId: EMU_ID, secretKey: key },
      region: FLOW_REGION,
      profile: { httpProfile: { endpoint: `sts.tencentcloudapi.com:${emu.port}`, protocol: 'http://', agent } },
    });
    const policy = flowPolicy(api);
    const out = await client(EMU_KEY).request('GetFederationToken', { Name: 'sdk-user', Policy: encodeURIComponent(policy), DurationSeconds: 900 });
    assert.match(out.Credentials.TmpSecretId, /^AKIDtmp/);
    assert.ok(out.Credentials.TmpSecretKey && out.Credentials.Token);
    assert.ok(Number.isInteger(out.ExpiredTime) && out.ExpiredTime > Date.now() / 1000);
    assert.match(out.RequestId, /^[0-9a-f]{32}$/);
    // the keys it minted work with cos-wasm's signer under the same policy
    const s = new signerEntry.CosSigner({ secretId: out.Credentials.TmpSecretId, secretKey: out.Credentials.TmpSecretKey, securityToken: out.Credentials.Token });
    const ep = { bucket: FLOW_BUCKET, region: FLOW_REGION, domain: `127.0.0.1:${emu.port}`, protocol: 'http', pathStyle: true, allowInsecureLocal: true };
    const r = s.signRequest({ ...ep, method: 'PUT', key: 'users/1/sdk.png', headers: { 'Content-Type': 'image/png', 'x-cos-acl': 'private' }, sse: { type: 'SSE-COS' }, expires: 600 });
    s.free();
    assert.equal((await fetch(r.url, { method: 'PUT', headers: r.headers, body: 'png' })).status, 200);
    // and the SDK sees the emulator's errors as Tencent's
    await assert.rejects(client('wrong').request('GetFederationToken', { Name: 'sdk-user', Policy: encodeURIComponent(policy) }), (e) => e.code === 'AuthFailure.SignatureFailure' && /^[0-9a-f]{32}$/.test(e.requestId));
    agent.destroy();
  });
});
