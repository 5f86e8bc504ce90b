// JS helpers of `cos-wasm/hash`: chunked hashing of Blobs/streams/buffers with progress and
// AbortSignal, response CRC-64 checks, and the lifetime guard of Crc64, Md5 and Sha1.
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { Crc64, Md5, Sha1, verifyCrc64, isCosError } from './cos_wasm_hash.js';
import { cosError } from '../errors.js';
import { bytesOf, callMethod, guardClass, initCheck, isObject, own, readProp } from '../guard.js';

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
  if (isBlob(input)) {
    const size = blobSize(input);
    for (let i = 0; i < size; i += chunkSize) {
      const end = Math.min(i + chunkSize, size);
      const part = callMethod(input, 'slice', [i, end], 'ERR_INVALID_ARGUMENT', 'hashInput(): the Blob\'s slice');
      const bytes = bytesOf(await callMethod(part, 'arrayBuffer', [], 'ERR_INVALID_ARGUMENT', 'hashInput(): the Blob slice\'s arrayBuffer'));
      if (bytes === undefined) throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(): a Blob slice did not give bytes');
      // a Blob whose size lies (a subclass), or a file changed since: stop at the first
      // slice that differs, never loop over a size nobody can read (1e15)
      if (bytes.byteLength !== end - i) throw cosError('ERR_FILE_NOT_READABLE', `hashInput(): the Blob gave other bytes than its size (${size}) promised`);
      yield bytes;
    }
    return;
  }
  if (isObject(input) && typeof readProp(input, 'getReader', 'ERR_INVALID_ARGUMENT', 'input.getReader') === 'function') {
    const reader = callMethod(input, 'getReader', [], 'ERR_INVALID_ARGUMENT', 'input.getReader');
    try {
      for (;;) {
        const r = await callMethod(reader, 'read', [], 'ERR_INVALID_ARGUMENT', 'the stream reader\'s read');
        if (!isObject(r)) throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(): the stream reader\'s read() gave no { done, value }');
        const done = readProp(r, 'done', 'ERR_INVALID_ARGUMENT', 'read().done');
        const value = done ? undefined : readProp(r, 'value', 'ERR_INVALID_ARGUMENT', 'read().value');
        if (done) return;
        // Every chunk must be bytes: a string or other value is refused, never hashed as
        // 0 bytes; a Uint16Array or DataView is hashed as the bytes it views.
        const chunk = bytesOf(value);
        if (chunk === undefined) throw cosError('ERR_INVALID_ARGUMENT', `hashInput(): a stream chunk is not bytes (${notBytes})`);
        yield* pieces(chunk, chunkSize);
      }
    } finally {
      try {
        reader.releaseLock();
      } catch {
        // a hostile reader: the stream is the caller's
      }
    }
  }
  throw cosError('ERR_INVALID_ARGUMENT', 'hashInput() takes a Blob/File, a ReadableStream of bytes, an ArrayBuffer or a typed array/DataView');
}

/** Whether `v` is a Blob (a throwing getPrototypeOf trap is a no). */
function isBlob(v) {
  try {
    return BlobCtor !== undefined && v instanceof BlobCtor;
  } catch {
    return false;
  }
}

/** A Blob's size, read once and checked: a whole number of bytes (never NaN, 1e300 or a throw). */
function blobSize(blob) {
  const size = readProp(blob, 'size', 'ERR_INVALID_ARGUMENT', 'the Blob\'s size');
  if (!Number.isSafeInteger(size) || size < 0) throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(): the Blob\'s size is not a whole number of bytes');
  return size;
}

function totalSize(input) {
  const bytes = bytesOf(input);
  if (bytes !== undefined) return bytes.byteLength;
  if (isBlob(input)) return blobSize(input);
  return undefined;
}

/**
 * Hashes a Blob/File, ReadableStream, ArrayBuffer or typed array in chunks (wasm memory
 * stays bounded by `chunkSize`). Resolves to `{ crc64, md5Base64, md5Hex, sha1Hex, bytes }`
 * for the requested `algorithms` (default `['crc64', 'md5']`).
 */
export async function hashInput(input, options) {
  assertInitialized();
  try {
    return await hashAll(input, options);
  } catch (e) {
    if (isObject(e) && e.name === 'CosError' && typeof e.code === 'string') throw e;
    // a hostile input or callback got through: still a coded CosError, never its text
    throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(): reading the input threw an exception');
  }
}

async function hashAll(input, options) {
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
  const names = [];
  const count = own(algorithms, 'length', 'algorithms');
  if (!Number.isSafeInteger(count) || count > 3) throw cosError('ERR_INVALID_ARGUMENT', "`algorithms` must be an array of at most 3 of 'crc64', 'md5', 'sha1'");
  for (let i = 0; i < count; i++) names.push(own(algorithms, String(i), 'algorithms'));
  for (const a of names) {
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
  const crc = names.includes('crc64') ? new Crc64() : undefined;
  const md5 = names.includes('md5') ? new Md5() : undefined;
  const sha1 = names.includes('sha1') ? new Sha1() : undefined;
  const total = totalSize(input);
  let done = 0;
  try {
    for await (const chunk of chunks(input, chunkSize)) {
      if (aborted()) throw cosError('ERR_ABORTED', 'hashing was aborted');
      crc?.update(chunk);
      md5?.update(chunk);
      sha1?.update(chunk);
      done += chunk.byteLength;
      if (onProgress !== undefined) {
        try {
          onProgress(done, total);
        } catch {
          throw cosError('ERR_INVALID_ARGUMENT', 'hashInput(): `onProgress` threw an exception');
        }
      }
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
  const headers = readProp(response, 'headers', 'ERR_INVALID_ARGUMENT', 'response.headers');
  if (!isObject(headers) || typeof readProp(headers, 'get', 'ERR_INVALID_ARGUMENT', 'response.headers.get') !== 'function') {
    throw cosError('ERR_INVALID_ARGUMENT', 'verifyResponseCrc64(response, crc64) takes a fetch Response (with `headers.get`)');
  }
  const header = callMethod(headers, 'get', ['x-cos-hash-crc64ecma'], 'ERR_INVALID_ARGUMENT', 'response.headers.get');
  verifyCrc64(localCrc64, typeof header === 'string' ? header : undefined);
}
