// JS-side helpers over the wasm core: FormData for POST uploads, chunked hashing of
// Blobs/streams/buffers with progress and AbortSignal, and response CRC-64 checks; and the
// lifetime guard of the exported classes (see "Security notes" in the README).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { CosSigner, CustomerKey, WrappingKey, Crc64, Md5, Sha1, verifyCrc64, isCosError, explainSignatureMismatch, parseCosErrorXml } from './cos_wasm.js';
import { cosError } from './errors.js';

// Built-ins captured when the package loads, before application code can replace them.
const { apply, ownKeys, getPrototypeOf } = Reflect;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const objectEntries = Object.entries;
const isArray = Array.isArray;
const isView = ArrayBuffer.isView;
const U8 = Uint8Array;
const getter = (proto, name) => ownDescriptor(proto, name).get;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype);
const viewGetters = [
  ['buffer', 'byteOffset', 'byteLength'].map((n) => getter(typedArrayProto, n)),
  ['buffer', 'byteOffset', 'byteLength'].map((n) => getter(DataView.prototype, n)),
];
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const BlobCtor = typeof Blob === 'undefined' ? undefined : Blob;
const FormDataCtor = typeof FormData === 'undefined' ? undefined : FormData;


const notBytes = 'expected a Uint8Array, another typed array, a DataView or an ArrayBuffer';

/**
 * A fresh Uint8Array over the bytes of a genuine ArrayBuffer or ArrayBufferView (checked by
 * internal slot: the intrinsic getters throw for a Proxy or an object whose prototype was
 * set to a typed array's), or undefined. A detached buffer is a CosError.
 */
function bytesOf(value) {
  if (isView(value)) {
    for (const [buffer, offset, length] of viewGetters) {
      let parts;
      try {
        parts = [apply(buffer, value, []), apply(offset, value, []), apply(length, value, [])];
      } catch {
        continue;
      }
      try {
        return new U8(...parts);
      } catch {
        throw cosError('ERR_INVALID_ARGUMENT', 'the bytes are in a detached ArrayBuffer');
      }
    }
    return undefined;
  }
  try {
    apply(arrayBufferByteLength, value, []);
  } catch {
    return undefined;
  }
  try {
    return new U8(value);
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', 'the ArrayBuffer is detached');
  }
}

/** `obj[name]` from an own property only; a throwing getter or trap is a CosError naming it. */
function own(obj, name, what) {
  try {
    const d = ownDescriptor(obj, name);
    if (d === undefined) return undefined;
    return d.get ? apply(d.get, obj, []) : d.value;
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', `reading \`${what}\` threw an exception`);
  }
}

const isObject = (v) => (typeof v === 'object' && v !== null) || typeof v === 'function';

let initialized = false;
/**
 * ERR_NOT_INITIALIZED (with the fix) until the browser `init()` has instantiated the wasm.
 * The default export, for web.js alone: `export *` (the loaders) does not pass it on.
 */
export default function assertInitialized() {
  if (initialized) return;
  try {
    isCosError(undefined);
    initialized = true;
  } catch {
    throw cosError('ERR_NOT_INITIALIZED', 'cos-wasm is not initialised yet: `await init()` once before using it (browsers and bundlers; Node and workerd initialise on import)');
  }
}

/**
 * The lifetime guard of a wasm-bindgen class. wasm-bindgen's own `free()` and methods call
 * into Rust with the object's pointer; a freed pointer (0) makes Rust throw from inside
 * wasm, which leaks wasm stack on every call and, after a few thousand, kills the module.
 * So every method and getter first checks, in JS, that the object is live
 * (`ERR_USE_AFTER_FREE` otherwise); `free()` is idempotent; `free()` re-entered from a
 * callback (an option getter) while a call on the same object runs is deferred until that
 * call returns, then wipes the secret; `[Symbol.dispose]` is the same `free()` for `using`.
 * `__wbg_ptr` is the glue's field for the pointer (wasm-bindgen is pinned in Cargo.toml).
 */
function guardClass(cls, label) {
  const proto = cls.prototype;
  const rawFree = proto.free;
  const active = new Map(); // pointer → calls in progress
  const pending = new Set(); // pointers whose free() waits for the call in progress
  const pointer = (self) => {
    try {
      const d = ownDescriptor(self, '__wbg_ptr');
      return d !== undefined && typeof d.value === 'number' && d.value > 0 ? d.value : 0;
    } catch {
      return 0;
    }
  };
  const freed = () => cosError('ERR_USE_AFTER_FREE', `this ${label} was freed (or was not made by cos-wasm)`);
  const wrap = (fn) => function guarded(...args) {
    const ptr = pointer(this);
    if (ptr === 0 || pending.has(ptr)) throw freed();
    active.set(ptr, (active.get(ptr) ?? 0) + 1);
    try {
      return apply(fn, this, args);
    } finally {
      const n = active.get(ptr) - 1;
      if (n > 0) active.set(ptr, n);
      else {
        active.delete(ptr);
        if (pending.delete(ptr)) apply(rawFree, this, []);
      }
    }
  };
  for (const key of ownKeys(proto)) {
    if (key === 'constructor' || key === 'free' || key === '__destroy_into_raw' || key === Symbol.dispose) continue;
    const d = ownDescriptor(proto, key);
    if (typeof d.value === 'function') d.value = wrap(d.value);
    if (typeof d.get === 'function') d.get = wrap(d.get);
    if (typeof d.set === 'function') d.set = wrap(d.set);
    defineProperty(proto, key, d);
  }
  function free() {
    const ptr = pointer(this);
    if (ptr === 0 || pending.has(ptr)) return;
    if (active.has(ptr)) pending.add(ptr);
    else apply(rawFree, this, []);
  }
  defineProperty(proto, 'free', { value: free, writable: true, configurable: true });
  if (typeof Symbol.dispose === 'symbol') defineProperty(proto, Symbol.dispose, { value: free, writable: true, configurable: true });
  for (const key of ownKeys(cls)) {
    const d = ownDescriptor(cls, key);
    if (typeof key !== 'string' || key.startsWith('__') || typeof d.value !== 'function' || key === 'prototype') continue;
    const fn = d.value;
    d.value = function guardedStatic(...args) {
      assertInitialized();
      return apply(fn, this, args);
    };
    defineProperty(cls, key, d);
  }
}

for (const [cls, label] of [[CosSigner, 'CosSigner'], [CustomerKey, 'CustomerKey'], [WrappingKey, 'WrappingKey'], [Crc64, 'Crc64'], [Md5, 'Md5'], [Sha1, 'Sha1']]) {
  guardClass(cls, label);
}

/**
 * Builds the multipart body of a POST Object upload: every field of `form.fields` in
 * order, then `file` (a Blob/File, or a string) last (COS ignores fields after it).
 */
export function postFormData(form, file, filename) {
  assertInitialized();
  if (!isObject(form)) throw cosError('ERR_INVALID_ARGUMENT', 'postFormData(form, file) takes the result of postObjectForm()/signPostPolicy() as `form`');
  const fields = own(form, 'fields', 'form.fields');
  if (!isObject(fields) || isArray(fields)) throw cosError('ERR_INVALID_ARGUMENT', '`form.fields` must be an object of form fields');
  if (!(typeof file === 'string' || (BlobCtor !== undefined && file instanceof BlobCtor))) {
    throw cosError('ERR_INVALID_ARGUMENT', '`file` must be a Blob, a File or a string');
  }
  if (filename !== undefined && typeof filename !== 'string') throw cosError('ERR_INVALID_ARGUMENT', '`filename` must be a string when given');
  if (FormDataCtor === undefined) throw cosError('ERR_INVALID_ARGUMENT', 'FormData is not available in this runtime');
  let entries;
  try {
    entries = objectEntries(fields);
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', 'reading `form.fields` threw an exception');
  }
  const data = new FormDataCtor();
  for (const [name, value] of entries) {
    if (typeof value !== 'string') throw cosError('ERR_INVALID_ARGUMENT', `form field ${JSON.stringify(name)} must be a string`);
    data.append(name, value);
  }
  if (filename === undefined) data.append('file', file);
  else data.append('file', file, filename);
  return data;
}

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
  assertInitialized();
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

