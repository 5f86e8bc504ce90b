// JS side of `cos-wasm/explain` (the entry that reads and writes COS XML: error bodies,
// signature-mismatch explanations, bucket encryption): cosErrorFromResponse with the
// signature-mismatch explanation (the wasm XML parser and explainSignatureMismatch).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { explainSignatureMismatch, parseCosErrorXml, isCosError } from './cos_wasm_explain.js';
import { initCheck } from '../guard.js';
import { responseError } from '../responses.js';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/explain');
export default assertInitialized;

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
