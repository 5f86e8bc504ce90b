// A SignatureDoesNotMatch during uploadFile: without cos-wasm/explain the error says to import
// it; once it is imported, the same error carries the explanation (which part differs). Its
// own file: the import of cos-wasm/explain registers the explainer for the whole process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CosSigner } from 'cos-wasm';
import { uploadFile } from 'cos-wasm/upload';

const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
const signer = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
// COS's refusal, without the StringToSign detail: the explainer still names a cause.
const refusal = () =>
  new Response(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The Signature you specified is invalid.</Message><RequestId>NjQ=</RequestId></Error>`,
    { status: 403, headers: { 'content-type': 'application/xml' } },
  );

async function refused() {
  try {
    await uploadFile(new Blob(['hello']), { ...ep, signer, key: 'a/b.txt', resume: false, retries: 0, fetch: refusal });
  } catch (e) {
    return e;
  }
  assert.fail('the upload should fail');
}

test('uploadFile: a SignatureDoesNotMatch says to import cos-wasm/explain, then carries its explanation once imported', async () => {
  const before = await refused();
  assert.equal(before.code, 'ERR_SIGNATURE_MISMATCH');
  assert.equal(before.explanation, undefined);
  assert.match(before.message, /import 'cos-wasm\/explain'/);

  await import('cos-wasm/explain');
  const after = await refused();
  assert.equal(after.code, 'ERR_SIGNATURE_MISMATCH');
  assert.equal(typeof after.explanation?.message, 'string', after.message);
  assert.ok(Array.isArray(after.explanation.differences) && after.explanation.differences.length > 0);
  assert.ok(!after.message.includes("import 'cos-wasm/explain'"));
});
