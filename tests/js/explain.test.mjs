// Troubleshooting 403s against the local COS emulator: for each way a signed request goes
// wrong on its way to COS, explainSignatureMismatch (through cosErrorFromResponse) names the
// part that differs; a skewed COS clock is measured and corrected; keys with dot segments
// survive the URL parsers of Node's fetch and Chromium. The entry's other COS XML, bucket
// default encryption, is written, stored by the emulator and read back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner, clockOffsetFromResponse, withClockRetry } from 'cos-wasm';
import { CustomerKey } from 'cos-wasm/keys';
import { bucketEncryptionXml, cosErrorFromResponse, explainSignatureMismatch, parseBucketEncryptionXml } from 'cos-wasm/explain';
import { startEmulator } from './emulator.mjs';
import { assertCosError } from './helpers.mjs';
import { staticServer, launchChromium } from './harness.mjs';

const ID = 'AKIDexplaintest';
const SECRET = 'explain-secret-key';
const signer = new CosSigner({ secretId: ID, secretKey: SECRET });
let emu;
let ep;

before(async () => {
  emu = await startEmulator({ credentials: [`${ID}:${SECRET}`], corsOrigins: ['*'] });
  ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', protocol: 'http', domain: '127.0.0.1', port: emu.port, pathStyle: true, allowInsecureLocal: true };
});
after(async () => emu?.stop());

/** Sends `signed` after `tamper(url, headers)` and explains COS's 403. */
async function explainAfter(signed, { method = 'GET', url = signed.url, headers = signed.headers, body } = {}) {
  const res = await fetch(url, { method, headers, body });
  assert.equal(res.status, 403, `expected a refusal, got ${res.status}`);
  const error = await cosErrorFromResponse(res, { ...signed, method });
  assert.equal(error.code, 'ERR_SIGNATURE_MISMATCH', error.message);
  assert.equal(error.cosCode, 'SignatureDoesNotMatch');
  assert.ok(error.requestId, 'carries the request id');
  return error;
}

const causes = (error) => error.explanation.differences.map((d) => d.cause);

test('a space in the key sent as "+" is PATH_SPACE_AS_PLUS', async () => {
  const signed = signer.signRequest({ ...ep, method: 'GET', key: 'docs/a b.txt', expires: 60 });
  const error = await explainAfter(signed, { url: signed.url.replace('a%20b', 'a+b') });
  assert.deepEqual(causes(error), ['PATH_SPACE_AS_PLUS']);
});

test('a key in NFD sent for one signed in NFC is PATH_UNICODE_NORMALIZATION', async () => {
  const nfc = 'caf\u00e9.txt';
  const signed = signer.signRequest({ ...ep, method: 'GET', key: nfc, expires: 60 });
  const nfdPath = encodeURIComponent(nfc.normalize('NFD'));
  const error = await explainAfter(signed, { url: signed.url.replace(encodeURIComponent(nfc), nfdPath) });
  assert.deepEqual(causes(error), ['PATH_UNICODE_NORMALIZATION']);
});

test('a dot-segment key built naively is PATH_DOT_SEGMENTS; cos-wasm URLs arrive as signed', async () => {
  const key = 'a/../b.txt';
  const body = 'dots';
  const put = signer.signRequest({ ...ep, method: 'PUT', key, expires: 60, headers: { 'Content-Length': body.length } });
  assert.match(put.url, /\/a\/\.\.%2Fb\.txt$/);
  const ok = await fetch(put.url, { method: 'PUT', headers: put.headers, body });
  assert.equal(ok.status, 200, await ok.text());
  const presigned = signer.presignUrl({ ...ep, method: 'GET', key, expires: 60 });
  const got = await fetch(presigned);
  assert.equal(got.status, 200);
  assert.equal(await got.text(), body);
  // The same request with the path written out literally: fetch removes the dot segment.
  const naive = { ...put, url: put.url.replace('..%2F', '../') };
  const error = await explainAfter(naive, { method: 'PUT', headers: put.headers, body });
  assert.deepEqual(causes(error), ['PATH_DOT_SEGMENTS']);
});

test('a header changed on the way is HEADER_VALUE; a dropped one is named', async () => {
  const body = 'hello';
  const signed = signer.signRequest({ ...ep, method: 'PUT', key: 'h.txt', expires: 60, headers: { 'Content-Type': 'text/plain', 'x-cos-meta-note': 'one', 'Content-Length': body.length } });
  let error = await explainAfter(signed, { method: 'PUT', headers: { ...signed.headers, 'Content-Type': 'text/html' }, body });
  assert.deepEqual(causes(error), ['HEADER_VALUE']);
  assert.match(error.message, /content-type/);
  // A signed header that never arrives: the emulator refuses it before comparing
  // signatures (AccessDenied naming the header); a server that hashes it as empty gets
  // SignatureDoesNotMatch, which the explainer calls HEADER_MISSING.
  const { 'x-cos-meta-note': _dropped, ...without } = signed.headers;
  const res = await fetch(signed.url, { method: 'PUT', headers: without, body });
  error = await cosErrorFromResponse(res, { ...signed, method: 'PUT' });
  if (error.code === 'ERR_SIGNATURE_MISMATCH') assert.deepEqual(causes(error), ['HEADER_MISSING']);
  else assert.match(`${error.code} ${error.message}`, /^ERR_COS_RESPONSE .*x-cos-meta-note/);
});

test('a signed query parameter changed is PARAM_VALUE', async () => {
  const signed = signer.signRequest({ ...ep, method: 'GET', key: 'p.txt', query: { 'response-content-type': 'text/plain' }, expires: 60 });
  const error = await explainAfter(signed, { url: signed.url.replace('text%2Fplain', 'text%2Fhtml') });
  assert.deepEqual(causes(error), ['PARAM_VALUE']);
});

test('everything hashed alike but the secret is SECRET_KEY; no secret in any message', async () => {
  const key = CustomerKey.generate('AES256');
  const wrong = new CosSigner({ secretId: ID, secretKey: 'not-the-secret' });
  const signed = wrong.signRequest({ ...ep, method: 'GET', key: 'k.txt', sse: { type: 'SSE-C', key }, expires: 60 });
  const error = await explainAfter(signed);
  assert.deepEqual(causes(error), ['SECRET_KEY']);
  const text = JSON.stringify(error.explanation) + error.message;
  for (const secret of ['not-the-secret', SECRET, key.keyBase64]) assert.ok(!text.includes(secret), 'no secret echoed');
  // The signing options work as well as the signed request.
  const res = await fetch(signed.url, { headers: signed.headers });
  const fromOptions = explainSignatureMismatch(await res.text(), { ...ep, method: 'GET', key: 'k.txt', headers: signed.headers });
  assert.deepEqual(fromOptions.differences.map((d) => d.cause), ['SECRET_KEY']);
  wrong.free();
  key.free();
});

test('a pre-signed URL changed on the way is explained from the URL alone', async () => {
  const url = signer.presignUrl({ ...ep, method: 'GET', key: 'docs/a b.txt', expires: 60 });
  const res = await fetch(url.replace('a%20b', 'a+b'));
  const error = await cosErrorFromResponse(res, url);
  assert.equal(error.code, 'ERR_SIGNATURE_MISMATCH');
  assert.deepEqual(causes(error), ['PATH_SPACE_AS_PLUS']);
});

test('other refusals are ERR_COS_RESPONSE with COS code and request id; bad input is a CosError', async () => {
  const signed = signer.signRequest({ ...ep, method: 'GET', key: 'missing.txt', expires: 60 });
  const res = await fetch(signed.url, { headers: signed.headers });
  const error = await cosErrorFromResponse(res, signed);
  assert.equal(error.code, 'ERR_COS_RESPONSE');
  assert.equal(error.cosCode, 'NoSuchKey');
  assert.equal(error.status, 404);
  assertCosError(() => explainSignatureMismatch('<html>', signed), 'ERR_INVALID_XML');
  assertCosError(() => explainSignatureMismatch('<Error><Code>X</Code></Error>', 42), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => explainSignatureMismatch('<Error><Code>X</Code></Error>', { url: 'https://h/k' }), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => clockOffsetFromResponse({}), 'ERR_INVALID_ARGUMENT');
  assertCosError(() => new CosSigner({ secretId: ID, secretKey: SECRET, clockOffset: 1e9 }), 'ERR_INVALID_ARGUMENT');
});

test('bucket default encryption XML: PUT /?encryption body, GET /?encryption answer', async () => {
  for (const cfg of [{ algorithm: 'AES256' }, { algorithm: 'SM4' }, { algorithm: 'KMS', kmsKeyId: 'cmk-1' }, { algorithm: 'KMS' }]) {
    const xml = bucketEncryptionXml(cfg);
    assert.match(xml, /<ServerSideEncryptionConfiguration>/);
    assert.deepEqual(parseBucketEncryptionXml(xml), cfg);
  }
  assertCosError(() => parseBucketEncryptionXml('<nope/>'), 'ERR_INVALID_XML');
  assertCosError(() => bucketEncryptionXml({ algorithm: 'cos/kms' }), 'ERR_INVALID_SSE');
  // Through the emulator: the body it accepts and the answer it gives.
  for (const cfg of [{ algorithm: 'SM4' }, { algorithm: 'AES256' }]) {
    const put = signer.signRequest({ ...ep, method: 'PUT', key: '', query: { encryption: '' }, expires: 60 });
    const putRes = await fetch(put.url, { method: 'PUT', headers: put.headers, body: bucketEncryptionXml(cfg) });
    assert.equal(putRes.status, 200, await putRes.text());
    const get = signer.signRequest({ ...ep, method: 'GET', key: '', query: { encryption: '' }, expires: 60 });
    const getRes = await fetch(get.url, { headers: get.headers });
    assert.equal(getRes.status, 200);
    assert.deepEqual(parseBucketEncryptionXml(await getRes.text()), cfg);
  }
});

test('a COS clock two hours ahead: ERR_CLOCK_SKEW with the offset, corrected by one retry', async () => {
  const skewed = await startEmulator({ credentials: [`${ID}:${SECRET}`], args: ['--clock-offset', '7200'] });
  try {
    const at = { ...ep, port: skewed.port };
    const local = new CosSigner({ secretId: ID, secretKey: SECRET });
    let attempts = 0;
    const body = 'on time';
    const status = await withClockRetry(local, async () => {
      attempts += 1;
      const put = local.signRequest({ ...at, method: 'PUT', key: 'clock.txt', expires: 600, headers: { 'Content-Length': body.length } });
      const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body });
      if (!res.ok) throw await cosErrorFromResponse(res, put);
      return res.status;
    });
    assert.equal(status, 200);
    assert.equal(attempts, 2);
    assert.ok(Math.abs(local.clockOffset - 7200) <= 2, `offset ${local.clockOffset}`);
    // Without the retry helper, the error says what happened.
    const fresh = new CosSigner({ secretId: ID, secretKey: SECRET });
    const put = fresh.signRequest({ ...at, method: 'GET', key: 'clock.txt', expires: 600 });
    const error = await cosErrorFromResponse(await fetch(put.url, { headers: put.headers }), put);
    assert.equal(error.code, 'ERR_CLOCK_SKEW');
    assert.ok(Math.abs(error.clockOffset - 7200) <= 2);
    local.free();
    fresh.free();
  } finally {
    await skewed.stop();
  }
});

test('Chromium fetches a pre-signed URL of a dot-segment key as signed', async () => {
  const key = 'x/./y/../z.txt';
  const put = signer.signRequest({ ...ep, method: 'PUT', key, expires: 60, headers: { 'Content-Length': 2 } });
  assert.equal((await fetch(put.url, { method: 'PUT', headers: put.headers, body: 'ok' })).status, 200);
  const url = signer.presignUrl({ ...ep, method: 'GET', key, expires: 60 });
  const server = await staticServer({ '/': new URL('.', import.meta.url).pathname });
  const browser = await launchChromium();
  try {
    await browser.page.goto(`${server.url}/`);
    const got = await browser.page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, text: await r.text() };
    }, url);
    assert.deepEqual(got, { status: 200, text: 'ok' });
  } finally {
    await browser.close();
    await server.close();
  }
});
