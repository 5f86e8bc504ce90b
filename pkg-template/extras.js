// JS helpers of the signer entry (`cos-wasm`): FormData for POST uploads, COS error
// responses and one clock-corrected retry; the lifetime guard of CosSigner; and a stub for
// every name that moved to another entry (ERR_MOVED naming the new import).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { __CosSigner, isCosError, __cdn, __sse } from './cos_wasm.js';
import { cosError } from './errors.js';
import { guardClass, initCheck, isObject, own, ownEntries } from './guard.js';
import { errorFields, responseError } from './responses.js';
import { pairs, unpack, withArgs, withSnapshot } from './snapshot.js';

export { clockOffsetFromResponse, withClockRetry } from './responses.js';

const isArray = Array.isArray;
const BlobCtor = typeof Blob === 'undefined' ? undefined : Blob;
const { apply, getPrototypeOf } = Reflect;
const ownDescriptor = Object.getOwnPropertyDescriptor;
// FormData: in Node the global is a lazy getter that loads its fetch implementation (undici)
// on first read, ~30 ms, most of this entry's cold start when read at import. Its getter (or,
// in browsers, its value) is captured now, before application code can replace it, and
// called by the first postFormData(). It is looked up along the global object's prototype
// chain: workerd defines its globals on the global scope's prototype.
const formDataSlot = (() => {
  for (let o = globalThis; o !== null; o = getPrototypeOf(o)) {
    const d = ownDescriptor(o, 'FormData');
    if (d !== undefined) return d;
  }
  return undefined;
})();
let formDataCtor;
function FormDataCtor() {
  if (formDataCtor === undefined && formDataSlot !== undefined) {
    formDataCtor = formDataSlot.get ? apply(formDataSlot.get, globalThis, []) : formDataSlot.value;
  }
  return formDataCtor;
}

/** Whether `v` is a Blob (a throwing getPrototypeOf trap is a no). */
function isBlob(v) {
  try {
    return BlobCtor !== undefined && v instanceof BlobCtor;
  } catch {
    return false;
  }
}

/**
 * ERR_NOT_INITIALIZED (with the fix) until the browser `init()` has instantiated the wasm.
 * The default export, for web.js alone: `export *` (the loaders) does not pass it on.
 */
const assertInitialized = initCheck(isCosError);
export default assertInitialized;

// The signing methods cross into wasm once each: their options are read by snapshot.js and
// passed, encoded, to the raw `__call` (src/wasm/signer.rs), whose packed result is
// unpacked here. Options COS takes as JSON text are sent as JSON.stringify made them.
const SSE_JSON = { 'sse.context': ['ERR_INVALID_SSE', false] };
const POST_JSON = { ...SSE_JSON, 'conditions.*': ['ERR_INVALID_POLICY', true] };
const POLICY_JSON = { policy: ['ERR_INVALID_POLICY', false] };
const text = (r) => r;
const request = (r) => {
  const parts = unpack(r);
  return { method: parts[0], url: parts[1], headers: pairs(parts, 2) };
};
const form = (r) => {
  const parts = unpack(r);
  return { url: parts[0], fields: pairs(parts, 1) };
};
const RawSigner = __CosSigner;
const rawCall = RawSigner.prototype.__call;
delete RawSigner.prototype.__call;
for (const [op, name, json, result] of [
  [0, 'authorization', undefined, text],
  [1, 'presignUrl', undefined, text],
  [2, 'signRequest', SSE_JSON, request],
  [3, 'presignRequest', SSE_JSON, request],
  [4, 'postObjectForm', POST_JSON, form],
  [5, 'signPostPolicy', POLICY_JSON, (r) => pairs(unpack(r))],
]) {
  const method = {
    [name](options) {
      return result(withSnapshot(options, json, (t, b) => apply(rawCall, this, [op, t, b])));
    },
  }[name];
  Object.defineProperty(RawSigner.prototype, name, { value: method, writable: true, configurable: true });
}

guardClass(RawSigner, 'CosSigner', assertInitialized);

/**
 * Signs COS requests with one set of credentials: `new CosSigner({ secretId, secretKey,
 * securityToken?, clockOffset? })`. The wasm class under it takes the options' snapshot.
 */
export const CosSigner = class CosSigner extends RawSigner {
  constructor(options) {
    assertInitialized();
    withSnapshot(options, undefined, (t, b) => super(t, b));
  }
};

/** The SSE headers (or POST form fields) that `sse` takes for `operation`. */
export function sseHeaders(sse, operation) {
  assertInitialized();
  return pairs(unpack(withArgs([sse, operation], ['sse', 'operation'], SSE_JSON, (t, b) => __sse(0, t, b))));
}

/** The `x-cos-copy-source-server-side-encryption-customer-*` headers of a copy source's key. */
export function copySourceSseHeaders(key, algorithm) {
  assertInitialized();
  return pairs(unpack(withArgs([key, algorithm], ['key', 'algorithm'], undefined, (t, b) => __sse(1, t, b))));
}

// crypto.getRandomValues, captured before application code can replace it (absent: TypeA
// then needs `rand`).
const webCrypto = globalThis.crypto;
const getRandomValues = typeof webCrypto?.getRandomValues === 'function' ? webCrypto.getRandomValues : undefined;

/**
 * A URL authenticated for a Tencent CDN / EdgeOne domain (types A–D): `{ type, url, key,
 * timestamp, rand?, uid?, signParam?, timeParam?, timeFormat? }`. TypeA's `rand`, when not
 * given, is drawn from crypto.getRandomValues here and passed in.
 */
export function cdnAuthUrl(options) {
  assertInitialized();
  let random;
  if (getRandomValues !== undefined) {
    random = new Uint8Array(16);
    Reflect.apply(getRandomValues, webCrypto, [random]);
  }
  return withArgs([options, random], ['options', 'random'], undefined, (t, b) => __cdn(t, b));
}

/** The unsigned URL of an object (public objects): `{ bucket, region, key, sse?, … }`. */
export function objectUrl(options) {
  assertInitialized();
  return withSnapshot(options, SSE_JSON, (t, b) => __sse(2, t, b));
}

/**
 * Builds the multipart body of a POST Object upload: every field of `form.fields` in
 * order, then `file` (a Blob/File, or a string) last (COS ignores fields after it).
 * Plain JS: it needs no init(), so a page that posts a form its worker signed never
 * downloads the signer's .wasm.
 */
export function postFormData(form, file, filename) {
  if (!isObject(form)) throw cosError('ERR_INVALID_ARGUMENT', 'postFormData(form, file) takes the result of postObjectForm()/signPostPolicy() as `form`');
  const fields = own(form, 'fields', 'form.fields');
  if (!isObject(fields) || isArray(fields)) throw cosError('ERR_INVALID_ARGUMENT', '`form.fields` must be an object of form fields');
  if (!(typeof file === 'string' || isBlob(file))) {
    throw cosError('ERR_INVALID_ARGUMENT', '`file` must be a Blob, a File or a string');
  }
  if (filename !== undefined && typeof filename !== 'string') throw cosError('ERR_INVALID_ARGUMENT', '`filename` must be a string when given');
  const FormDataClass = FormDataCtor();
  if (typeof FormDataClass !== 'function') throw cosError('ERR_INVALID_ARGUMENT', 'FormData is not available in this runtime');
  const entries = ownEntries(fields, 'form.fields');
  // A string file with a filename goes as a Blob of its UTF-8 bytes: FormData takes a filename
  // only with a Blob (a TypeError otherwise).
  const body = typeof file === 'string' && filename !== undefined ? new BlobCtor([file]) : file;
  try {
    const data = new FormDataClass();
    for (const [name, value] of entries) {
      if (typeof value !== 'string') throw cosError('ERR_INVALID_ARGUMENT', `form field ${JSON.stringify(name.slice(0, 64))} must be a string`);
      data.append(name, value);
    }
    if (filename === undefined) data.append('file', body);
    else data.append('file', body, filename);
    return data;
  } catch (e) {
    if (isObject(e) && e.name === 'CosError') throw e;
    throw cosError('ERR_INVALID_ARGUMENT', 'postFormData(): the runtime\'s FormData refused the form or the file');
  }
}

/**
 * Turns a failed COS response into a CosError: `ERR_SIGNATURE_MISMATCH`, `ERR_CLOCK_SKEW`
 * (with `clockOffset` measured from the response's Date) or `ERR_COS_RESPONSE`; each
 * carries COS's `cosCode`, `requestId` and `status`. Reads the body; resolves to the error
 * rather than throwing it. `cosErrorFromResponse` of `cos-wasm/explain` also names, for a
 * SignatureDoesNotMatch, which part of the request differs from what was signed.
 */
export async function cosErrorFromResponse(response, signed) {
  assertInitialized();
  return responseError(response, signed, errorFields, undefined,
    signed === undefined ? '' : " (cosErrorFromResponse of 'cos-wasm/explain' says which part differs)");
}

/**
 * A stand-in for a name that moved to another entry: any use (call, `new`, property read,
 * `instanceof`) throws a CosError `ERR_MOVED` naming the new import.
 */
function moved(name, entry) {
  const fail = () => {
    throw cosError('ERR_MOVED', `${name} moved to another entry: import { ${name} } from 'cos-wasm/${entry}' (the 'cos-wasm' entry is the signer; README "Entries")`);
  };
  // Symbol reads (inspection, Symbol.hasInstance) see nothing, so `instanceof` goes on to
  // read `prototype`, which throws.
  return new Proxy(function () {}, {
    apply: fail,
    construct: fail,
    get: (_, key) => (typeof key === 'symbol' ? undefined : fail()),
    set: fail,
    defineProperty: fail,
  });
}

/** @deprecated moved to `cos-wasm/keys` */
export const CustomerKey = moved('CustomerKey', 'keys');
/** @deprecated moved to `cos-wasm/keys` */
export const WrappingKey = moved('WrappingKey', 'keys');
/** @deprecated moved to `cos-wasm/hash` */
export const Crc64 = moved('Crc64', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const Md5 = moved('Md5', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const Sha1 = moved('Sha1', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const hashInput = moved('hashInput', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const crc64Combine = moved('crc64Combine', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const verifyCrc64 = moved('verifyCrc64', 'hash');
/** @deprecated moved to `cos-wasm/hash` */
export const verifyResponseCrc64 = moved('verifyResponseCrc64', 'hash');
/** @deprecated moved to `cos-wasm/sts` */
export const tc3Authorization = moved('tc3Authorization', 'sts');
/** @deprecated moved to `cos-wasm/sts` */
export const cosPolicy = moved('cosPolicy', 'sts');
/** @deprecated moved to `cos-wasm/sts` */
export const getFederationToken = moved('getFederationToken', 'sts');
/** @deprecated moved to `cos-wasm/sts` */
export const assumeRole = moved('assumeRole', 'sts');
/** @deprecated moved to `cos-wasm/sts` */
export const credentialsProvider = moved('credentialsProvider', 'sts');
/** @deprecated moved to `cos-wasm/explain` */
export const explainSignatureMismatch = moved('explainSignatureMismatch', 'explain');
/** @deprecated moved to `cos-wasm/explain` */
export const parseCosErrorXml = moved('parseCosErrorXml', 'explain');
/** @deprecated moved to `cos-wasm/explain` */
export const bucketEncryptionXml = moved('bucketEncryptionXml', 'explain');
/** @deprecated moved to `cos-wasm/explain` */
export const parseBucketEncryptionXml = moved('parseBucketEncryptionXml', 'explain');
