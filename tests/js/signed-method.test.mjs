// A signRequest/presignRequest result carries the method it signed (issue 24): passed to
// cosErrorFromResponse / explainSignatureMismatch as the README shows, a wrong secret on a
// PUT is SECRET_KEY, not a METHOD difference. COS's 403 body is written here as COS writes
// it for a request that arrived exactly as signed (FormatString, StringToSign).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CosSigner } from 'cos-wasm';
import { cosErrorFromResponse, explainSignatureMismatch } from 'cos-wasm/explain';

const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
const now = Math.floor(Date.now() / 1000);
const keyTime = `${now - 60};${now + 3600}`; // current: an expired one is explained as CLOCK_SKEW

/** COS's SignatureDoesNotMatch body for a PUT of k.txt that arrived as signed. */
function cosBody() {
  const format = `put\n/k.txt\n\nhost=${ep.bucket}.cos.${ep.region}.myqcloud.com&x-cos-acl=default\n`;
  const stringToSign = `sha1\n${keyTime}\n${createHash('sha1').update(format).digest('hex')}\n`;
  return `<Error><Code>SignatureDoesNotMatch</Code><RequestId>NjU1</RequestId><StringToSign>${stringToSign}</StringToSign><FormatString>${format.replaceAll('&', '&amp;')}</FormatString></Error>`;
}

test('signRequest and presignRequest results carry their method, upper-case', () => {
  const signer = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  assert.equal(signer.signRequest({ ...ep, method: 'put', key: 'k.txt', keyTime }).method, 'PUT');
  assert.equal(signer.presignRequest({ ...ep, method: 'Delete', key: 'k.txt', keyTime }).method, 'DELETE');
  assert.equal(signer.signRequest({ ...ep, method: 'GET', key: 'k.txt', keyTime }).method, 'GET');
  signer.free();
});

test('a wrong secret on a PUT, the signed request passed as it is: SECRET_KEY, not METHOD', async () => {
  const wrong = new CosSigner({ secretId: 'AKIDexample', secretKey: 'not-the-secret' });
  const signed = wrong.signRequest({ ...ep, method: 'PUT', key: 'k.txt', keyTime });
  wrong.free();
  assert.deepEqual(explainSignatureMismatch(cosBody(), signed).differences.map((d) => d.cause), ['SECRET_KEY']);
  const error = await cosErrorFromResponse(new Response(cosBody(), { status: 403 }), signed);
  assert.equal(error.code, 'ERR_SIGNATURE_MISMATCH');
  assert.deepEqual(error.explanation.differences.map((d) => d.cause), ['SECRET_KEY']);
  // what the result without its method (before) was explained as
  const { url, headers } = signed;
  assert.ok(explainSignatureMismatch(cosBody(), { url, headers }).differences.some((d) => d.cause === 'METHOD'));
});
