// JS helpers of `cos-wasm/hash`: chunked hashing of Blobs/streams/buffers with progress and
// AbortSignal, response CRC-64 checks, and the lifetime guard of Crc64, Md5 and Sha1.
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { Crc64, Md5, Sha1, verifyCrc64, isCosError } from './cos_wasm_hash.js';
import { cosError } from '../errors.js';
import { bytesOf, guardClass, initCheck, isObject, own } from '../guard.js';

const isArray = Array.isArray;
const U8 = Uint8Array;
const BlobCtor = typeof Blob === 'undefined' ? undefined : Blob;
const notBytes = 'expected a Uint8Array, another typed array, a DataView or an ArrayBuffer';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/hash');
export default assertInitialized;

for (const [cls, label] of [[Crc64, 'Crc64'], [Md5, 'Md5'], [Sha1, 'Sha1']]) guardClass(cls, label, assertInitialized);

const DEFAULT_CHUNK = 4 * 1024 * 1024;

function* pieces(bytes, chunkSize) {
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, Math.min(i + chunkSize, bytes.length));
}

async function* chunks(input, chunkSize) {
  const bytes = bytesOf(input);
  if (bytes !== undefined) {
    yield* pieces(bytes, chunkSize);
    return;
  }
  if (BlobCtor !== undefined && input instanceof BlobCtor) {
    for (let i = 0; i < input.size; i += chunkSize) {
      yield new U8(await input.slice(i, Math.min(i + chunkSize, input.size)).arrayBuffer());
    }
    return;
  }
  if (isObject(input) && typeof input.getReader === 'function') {
    const reader = input.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        // Every chunk must be bytes: a string or other value is refused, never hashed as
        // 0 bytes; a Uint16Array or DataView is hashed as the bytes it views.
        const chunk = bytesOf(value);
        if (chunk === undefined) throw cosError('ERR_INVALID_ARGUMENT', `hashInput(): a stream chunk is not bytes (${notBytes})`);
        yield* pieces(chunk, chunkSize);
      }
    } finally {
      reader.releaseLock();
    }
  }
  throw cosError('ERR_INVALID_ARGUMENT', 'hashInput() takes a Blob/File, a ReadableStream of bytes, an ArrayBuffer or a typed array/DataView');
}

function totalSize(input) {
  const bytes = bytesOf(input);
  if (bytes !== undefined) return bytes.byteLength;
  if (BlobCtor !== undefined && input instanceof BlobCtor) return input.size;
  return undefined;
}

/**
 * Hashes a Blob/File, ReadableStream, ArrayBuffer or typed array in chunks (wasm memory
 * stays bounded by `chunkSize`). Resolves to `{ crc64, md5Base64, md5Hex, sha1Hex, bytes }`
 * for the requested `algorithms` (default `['crc64', 'md5']`).
 */
export async function hashInput(input, options) {
  assertInitialized();
  if (options !== undefined && (!isObject(options) || isArray(options))) throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(input, options): `options` must be an object when given');
  const opt = (name, fallback) => {
    const v = options === undefined ? undefined : own(options, name, name);
    return v === undefined ? fallback : v;
  };
  const algorithms = opt('algorithms', ['crc64', 'md5']);
  const chunkSize = opt('chunkSize', DEFAULT_CHUNK);
  const onProgress = opt('onProgress', undefined);
  const signal = opt('signal', undefined);
  if (!isArray(algorithms)) throw cosError('ERR_INVALID_ARGUMENT', "`algorithms` must be an array of 'crc64', 'md5', 'sha1'");
  for (const a of algorithms) {
    if (!['crc64', 'md5', 'sha1'].includes(a)) throw cosError('ERR_INVALID_ARGUMENT', `unknown algorithm ${typeof a === 'string' ? a : typeof a}; use 'crc64', 'md5' or 'sha1'`);
  }
  if (!(Number.isInteger(chunkSize) && chunkSize > 0 && chunkSize <= 64 * 1024 * 1024)) {
    throw cosError('ERR_INVALID_ARGUMENT', 'chunkSize must be an integer between 1 and 64 MiB');
  }
  if (onProgress !== undefined && typeof onProgress !== 'function') throw cosError('ERR_INVALID_ARGUMENT', '`onProgress` must be a function when given');
  if (signal !== undefined && !isObject(signal)) throw cosError('ERR_INVALID_ARGUMENT', '`signal` must be an AbortSignal when given');
  const aborted = () => {
    try {
      return signal !== undefined && signal.aborted === true;
    } catch {
      throw cosError('ERR_INVALID_ARGUMENT', 'reading `signal.aborted` threw an exception');
    }
  };
  const crc = algorithms.includes('crc64') ? new Crc64() : undefined;
  const md5 = algorithms.includes('md5') ? new Md5() : undefined;
  const sha1 = algorithms.includes('sha1') ? new Sha1() : undefined;
  const total = totalSize(input);
  let done = 0;
  try {
    for await (const chunk of chunks(input, chunkSize)) {
      if (aborted()) throw cosError('ERR_ABORTED', 'hashing was aborted');
      crc?.update(chunk);
      md5?.update(chunk);
      sha1?.update(chunk);
      done += chunk.byteLength;
      onProgress?.(done, total);
    }
    if (aborted()) throw cosError('ERR_ABORTED', 'hashing was aborted');
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
  assertInitialized();
  let headers;
  try {
    headers = isObject(response) ? response.headers : undefined;
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', 'reading `response.headers` threw an exception');
  }
  if (!isObject(headers) || typeof headers.get !== 'function') {
    throw cosError('ERR_INVALID_ARGUMENT', 'verifyResponseCrc64(response, crc64) takes a fetch Response (with `headers.get`)');
  }
  let header;
  try {
    header = headers.get('x-cos-hash-crc64ecma');
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', 'reading the response headers threw an exception');
  }
  verifyCrc64(localCrc64, typeof header === 'string' ? header : undefined);
}
