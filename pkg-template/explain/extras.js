// JS side of `cos-wasm/explain` (the entry that reads and writes COS XML: error bodies,
// signature-mismatch explanations, bucket encryption): cosErrorFromResponse with the
// signature-mismatch explanation (the wasm XML parser and explainSignatureMismatch).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { __explain, isCosError } from './cos_wasm_explain.js';
import { cosError } from '../errors.js';
import { initCheck } from '../guard.js';
import { registerExplainer, responseError } from '../responses.js';
import { unpack, withArgs } from '../snapshot.js';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/explain');
export default assertInitialized;

/** Longest error body read, in UTF-16 units (src/wasm/explain.rs MAX_ERROR_XML_CHARS): checked before it is copied. */
const MAX_ERROR_XML_CHARS = 256 * 1024;

function call(op, args, names) {
  assertInitialized();
  const xml = args[0];
  if (op !== 2 && typeof xml === 'string' && xml.length > MAX_ERROR_XML_CHARS) {
    throw cosError('ERR_INVALID_XML', `the error body is longer than ${MAX_ERROR_XML_CHARS} characters; COS's are a few KB`);
  }
  return withArgs(args, names, undefined, (t, b) => __explain(op, t, b));
}

const requestId = (part) => (part === '-' ? null : part.slice(1));

/**
 * Which part of a refused request differs from what was signed: `{ code, requestId,
 * message, differences: [{ component, cause, message }] }` from COS's `<Error>` body and
 * what was signed (a `signRequest` result, a pre-signed URL, or the signing options).
 */
export function explainSignatureMismatch(errorXml, request) {
  const p = unpack(call(0, [errorXml, request], ['errorXml', 'request']));
  const differences = [];
  for (let i = 3; i + 2 < p.length; i += 3) differences[differences.length] = { component: p[i], cause: p[i + 1], message: p[i + 2] };
  return { code: p[0], requestId: requestId(p[1]), message: p[2], differences };
}

/** `{ code, message, requestId }` of a COS `<Error>` body. */
export function parseCosErrorXml(xml) {
  const p = unpack(call(1, [xml], ['xml']));
  return { code: p[0], message: p[1], requestId: requestId(p[2]) };
}

/** The `<ServerSideEncryptionConfiguration>` body of `PUT /?encryption`: `{ algorithm: 'AES256' | 'SM4' | 'KMS', kmsKeyId? }`. */
export function bucketEncryptionXml(options) {
  return call(2, [options], ['options']);
}

/** `{ algorithm, kmsKeyId? }` of a `GET /?encryption` answer. */
export function parseBucketEncryptionXml(xml) {
  const p = unpack(call(3, [xml], ['xml']));
  return p.length > 1 ? { algorithm: p[0], kmsKeyId: p[1] } : { algorithm: p[0] };
}

// cos-wasm/upload's errors explain a SignatureDoesNotMatch once this entry is imported.
registerExplainer(explainSignatureMismatch);

/**
 * Turns a failed COS response into a CosError: `ERR_SIGNATURE_MISMATCH` (with
 * `explanation`, when `signed` — what was signed: a `signRequest` result, a pre-signed URL,
 * or the signing options — is given), `ERR_CLOCK_SKEW` (with `clockOffset` measured from
 * the response's Date) or `ERR_COS_RESPONSE`; each carries COS's `cosCode`, `requestId`
 * and `status`. Reads the body; resolves to the error rather than throwing it.
 */
export async function cosErrorFromResponse(response, signed) {
  assertInitialized();
  return responseError(response, signed, parseCosErrorXml, explainSignatureMismatch);
}
