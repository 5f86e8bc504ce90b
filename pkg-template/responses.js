// COS error responses, shared by the signer and upload entries (a small JS reading of the
// error body, errorFields) and the explain entry (the wasm XML parser and the signature-
// mismatch explanation); the one clock-corrected retry. No wasm: cos-wasm/upload imports it.
// Internal; written as plain ESM, the build derives responses.cjs from it.
import { cosError } from './errors.js';
import { xmlText } from './xml.js';
import { callMethod, isObject, readProp } from './guard.js';

/** Largest clock correction accepted, as for `CosSigner.clockOffset`: a day. */
const MAX_CLOCK_OFFSET = 86400;

/**
 * Header `name` of a fetch Response (a string, or null), read through hostile-proof calls:
 * a Response-like without `headers.get`, or whose getter or `get` throws, is a CosError.
 */
function responseHeader(response, name) {
  const headers = readProp(response, 'headers', 'ERR_INVALID_ARGUMENT', 'response.headers');
  if (!isObject(headers) || typeof readProp(headers, 'get', 'ERR_INVALID_ARGUMENT', 'response.headers.get') !== 'function') {
    throw cosError('ERR_INVALID_ARGUMENT', 'expected a fetch Response (with headers.get)');
  }
  const v = callMethod(headers, 'get', [name], 'ERR_INVALID_ARGUMENT', 'response.headers.get');
  return typeof v === 'string' ? v : null;
}

/** Longest error body read (COS's are under 1 KB; a SignatureDoesNotMatch one a few KB). */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * COS's clock minus this device's, in whole seconds, from a response's `Date` header:
 * give it to `CosSigner`'s `clockOffset`. In a browser the bucket's CORS configuration must
 * list `Date` in ExposeHeaders, or the header is hidden from the page.
 */
export function clockOffsetFromResponse(response) {
  const date = responseHeader(response, 'date');
  const server = date === null ? NaN : Date.parse(date);
  if (!Number.isFinite(server)) {
    throw cosError('ERR_INVALID_ARGUMENT', "the response has no readable Date header (in a browser, add Date to the bucket's CORS ExposeHeaders)");
  }
  const offset = Math.round((server - Date.now()) / 1000);
  return Math.max(-MAX_CLOCK_OFFSET, Math.min(MAX_CLOCK_OFFSET, offset));
}

/**
 * The signature-mismatch explainer of `cos-wasm/explain`, which registers it when it is
 * imported: the JS-only helpers (`cos-wasm/upload`) then explain a SignatureDoesNotMatch
 * without importing that entry's wasm themselves. The first registration is kept.
 */
let registered;
export function registerExplainer(explain) {
  if (registered === undefined) registered = explain;
}

/** The explainer `cos-wasm/explain` registered, if it was imported. */
export function registeredExplainer() {
  return registered;
}

/**
 * Turns a failed COS response into a CosError: `ERR_SIGNATURE_MISMATCH` (with
 * `explanation` when `explain` and `signed` — what was signed: a `signRequest` result, a
 * pre-signed URL, or the signing options — are given), `ERR_CLOCK_SKEW` (with `clockOffset`
 * measured from the response's Date) or `ERR_COS_RESPONSE`; each carries COS's `cosCode`,
 * `requestId` and `status`. Reads the body; resolves to the error rather than throwing it.
 * `parse(body)` reads `{ code, message, requestId }` (throws when it is no COS error body);
 * `explain(body, signed)` is `explainSignatureMismatch` (the explain entry) or undefined.
 */
export async function responseError(response, signed, parse, explain, hint) {
  responseHeader(response, 'content-type');
  const rawStatus = readProp(response, 'status', 'ERR_INVALID_ARGUMENT', 'response.status');
  const status = Number.isInteger(rawStatus) ? rawStatus : 0;
  let body = '';
  try {
    const text = await callMethod(response, 'text', [], 'ERR_INVALID_ARGUMENT', 'response.text');
    body = typeof text === 'string' ? text.slice(0, MAX_ERROR_BODY) : '';
  } catch {
    body = '';
  }
  let parsed;
  try {
    parsed = parse(body);
  } catch {
    parsed = { code: `HTTP ${status}`, message: '', requestId: null };
  }
  const cosCode = parsed.code;
  const requestId = parsed.requestId ?? responseHeader(response, 'x-cos-request-id') ?? undefined;
  let error;
  if (cosCode === 'SignatureDoesNotMatch') {
    let explanation;
    try {
      explanation = signed !== undefined && explain !== undefined ? explain(body, signed) : undefined;
    } catch {
      explanation = undefined; // what was signed could not be read: report the mismatch alone
    }
    error = cosError('ERR_SIGNATURE_MISMATCH', `COS: SignatureDoesNotMatch${explanation ? `: ${explanation.message}` : hint ?? ''}`);
    if (explanation) error.explanation = explanation;
  } else if (cosCode === 'RequestTimeTooSkewed' || /expired/i.test(parsed.message)) {
    let offset;
    try {
      offset = clockOffsetFromResponse(response);
    } catch {
      offset = undefined;
    }
    const how = offset === undefined ? 'is probably wrong' : `differs from COS's by ${offset} s`;
    error = cosError('ERR_CLOCK_SKEW', `COS: ${cosCode}: this device's clock ${how}; set CosSigner clockOffset and sign again`);
    if (offset !== undefined) error.clockOffset = offset;
  } else {
    error = cosError('ERR_COS_RESPONSE', `COS: ${cosCode}${parsed.message ? `: ${parsed.message}` : ''}`);
  }
  error.cosCode = cosCode;
  error.status = status;
  if (requestId) error.requestId = requestId;
  return error;
}

/**
 * `{ code, message, requestId }` of a COS `<Error>` body, read with a regular expression
 * (COS codes and request ids are plain ASCII): the signer and upload entries do without the wasm XML
 * parser of `cos-wasm/explain`, whose `parseCosErrorXml` is strict.
 */
export function errorFields(body) {
  const code = /<Error>/.test(body) ? xmlText(body, 'Code') : undefined;
  if (code === undefined || code === '') throw cosError('ERR_INVALID_XML', 'not a COS error body');
  return { code, message: xmlText(body, 'Message') ?? '', requestId: xmlText(body, 'RequestId') ?? null };
}

/**
 * Runs `attempt()` (which signs with `signer` and sends); if it fails with
 * `ERR_CLOCK_SKEW` carrying a `clockOffset`, corrects `signer.clockOffset` and runs it once
 * more. Any other error, or a second skew, is thrown as it is.
 */
export async function withClockRetry(signer, attempt) {
  if (!isObject(signer)) throw cosError('ERR_INVALID_ARGUMENT', 'withClockRetry(signer, attempt): `signer` must be the CosSigner that `attempt` signs with');
  if (typeof attempt !== 'function') throw cosError('ERR_INVALID_ARGUMENT', 'withClockRetry(signer, attempt): `attempt` must be a function that signs and sends');
  try {
    return await attempt();
  } catch (e) {
    let retry = false;
    try {
      retry = isObject(e) && e.name === 'CosError' && e.code === 'ERR_CLOCK_SKEW' && Number.isInteger(e.clockOffset);
    } catch {
      retry = false;
    }
    if (!retry) throw e;
    try {
      signer.clockOffset = e.clockOffset;
    } catch (set) {
      if (isObject(set) && set.name === 'CosError') throw set;
      throw cosError('ERR_INVALID_ARGUMENT', 'withClockRetry(): setting `signer.clockOffset` threw an exception');
    }
    return attempt();
  }
}
