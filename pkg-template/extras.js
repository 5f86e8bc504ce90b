// JS-side helpers over the wasm core: FormData for POST uploads, chunked hashing of
// Blobs/streams/buffers with progress and AbortSignal, and response CRC-64 checks.
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { Crc64, Md5, Sha1, verifyCrc64, explainSignatureMismatch, parseCosErrorXml } from './cos_wasm.js';

function cosError(code, message) {
  const e = new Error(message);
  e.name = 'CosError';
  e.code = code;
  return e;
}

/**
 * Builds the multipart body of a POST Object upload: every field of `form.fields` in
 * order, then `file` last (COS ignores fields after it).
 */
export function postFormData(form, file, filename) {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields)) data.append(name, value);
  if (filename === undefined) data.append('file', file);
  else data.append('file', file, filename);
  return data;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

async function* chunks(input, chunkSize) {
  if (input instanceof ArrayBuffer) input = new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(i + chunkSize, bytes.length));
    return;
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    for (let i = 0; i < input.size; i += chunkSize) {
      yield new Uint8Array(await input.slice(i, Math.min(i + chunkSize, input.size)).arrayBuffer());
    }
    return;
  }
  if (input && typeof input.getReader === 'function') {
    const reader = input.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
        for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(i + chunkSize, bytes.length));
      }
    } finally {
      reader.releaseLock();
    }
  }
  throw cosError('ERR_INVALID_ARGUMENT', 'hashInput() takes a Blob/File, a ReadableStream, an ArrayBuffer or a typed array');
}

function totalSize(input) {
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return input.byteLength;
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input.size;
  return undefined;
}

/**
 * Hashes a Blob/File, ReadableStream, ArrayBuffer or typed array in chunks (wasm memory
 * stays bounded by `chunkSize`). Resolves to `{ crc64, md5Base64, md5Hex, sha1Hex, bytes }`
 * for the requested `algorithms` (default `['crc64', 'md5']`).
 */
export async function hashInput(input, options = {}) {
  const { algorithms = ['crc64', 'md5'], chunkSize = DEFAULT_CHUNK, onProgress, signal } = options;
  for (const a of algorithms) {
    if (!['crc64', 'md5', 'sha1'].includes(a)) throw cosError('ERR_INVALID_ARGUMENT', `unknown algorithm ${String(a)}; use 'crc64', 'md5' or 'sha1'`);
  }
  if (!(Number.isInteger(chunkSize) && chunkSize > 0 && chunkSize <= 64 * 1024 * 1024)) {
    throw cosError('ERR_INVALID_ARGUMENT', 'chunkSize must be an integer between 1 and 64 MiB');
  }
  const crc = algorithms.includes('crc64') ? new Crc64() : undefined;
  const md5 = algorithms.includes('md5') ? new Md5() : undefined;
  const sha1 = algorithms.includes('sha1') ? new Sha1() : undefined;
  const total = totalSize(input);
  let done = 0;
  try {
    for await (const chunk of chunks(input, chunkSize)) {
      if (signal?.aborted) throw cosError('ERR_ABORTED', 'hashing was aborted');
      crc?.update(chunk);
      md5?.update(chunk);
      sha1?.update(chunk);
      done += chunk.byteLength;
      onProgress?.(done, total);
    }
    if (signal?.aborted) throw cosError('ERR_ABORTED', 'hashing was aborted');
    const out = { bytes: done };
    if (crc) out.crc64 = crc.digest();
    if (md5) {
      const raw = md5.digest();
      out.md5Hex = Array.from(raw, (b) => b.toString(16).padStart(2, '0')).join('');
      out.md5Base64 = btoa(String.fromCharCode(...raw));
    }
    if (sha1) out.sha1Hex = sha1.digestHex();
    return out;
  } finally {
    crc?.free();
    md5?.free();
    sha1?.free();
  }
}

/**
 * Checks a COS response's `x-cos-hash-crc64ecma` against a local CRC-64 (decimal string
 * or BigInt); throws a CosError `ERR_CRC64_MISMATCH` when they differ.
 */
export function verifyResponseCrc64(response, localCrc64) {
  verifyCrc64(localCrc64, response.headers.get('x-cos-hash-crc64ecma') ?? undefined);
}

// ---------------------------------------------------------------------------------------
// COS error responses: a CosError per refusal, the clock offset, one corrected retry.
// ---------------------------------------------------------------------------------------

/** Largest clock correction accepted, as for `CosSigner.clockOffset`: a day. */
const MAX_CLOCK_OFFSET = 86400;

function responseHeader(response, name) {
  const headers = response && response.headers;
  if (!headers || typeof headers.get !== 'function') {
    throw cosError('ERR_INVALID_ARGUMENT', 'expected a fetch Response (with headers.get)');
  }
  return headers.get(name);
}

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
 * Turns a failed COS response into a CosError: `ERR_SIGNATURE_MISMATCH` (with
 * `explanation`, when `signed` — what was signed: a `signRequest` result, a pre-signed URL,
 * or the signing options — is given), `ERR_CLOCK_SKEW` (with `clockOffset` measured from
 * the response's Date) or `ERR_COS_RESPONSE`; each carries COS's `cosCode`, `requestId`
 * and `status`. Reads the body; resolves to the error rather than throwing it.
 */
export async function cosErrorFromResponse(response, signed) {
  responseHeader(response, 'content-type');
  let body = '';
  try {
    body = typeof response.text === 'function' ? await response.text() : '';
  } catch {
    body = '';
  }
  let parsed;
  try {
    parsed = parseCosErrorXml(body);
  } catch {
    parsed = { code: `HTTP ${response.status}`, message: '', requestId: null };
  }
  const cosCode = parsed.code;
  const requestId = parsed.requestId ?? responseHeader(response, 'x-cos-request-id') ?? undefined;
  let error;
  if (cosCode === 'SignatureDoesNotMatch' && signed !== undefined) {
    let explanation;
    try {
      explanation = explainSignatureMismatch(body, signed);
    } catch {
      explanation = undefined; // what was signed could not be read: report the mismatch alone
    }
    error = cosError('ERR_SIGNATURE_MISMATCH', `COS: SignatureDoesNotMatch${explanation ? `: ${explanation.message}` : ''}`);
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
  error.status = response.status;
  if (requestId) error.requestId = requestId;
  return error;
}

/**
 * Runs `attempt()` (which signs with `signer` and sends); if it fails with
 * `ERR_CLOCK_SKEW` carrying a `clockOffset`, corrects `signer.clockOffset` and runs it once
 * more. Any other error, or a second skew, is thrown as it is.
 */
export async function withClockRetry(signer, attempt) {
  try {
    return await attempt();
  } catch (e) {
    if (!(e && e.name === 'CosError' && e.code === 'ERR_CLOCK_SKEW' && Number.isInteger(e.clockOffset))) throw e;
    signer.clockOffset = e.clockOffset;
    return attempt();
  }
}

