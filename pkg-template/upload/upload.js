// cos-wasm/upload: resumable, concurrent multipart uploads of a Blob/File to COS, with SSE on
// every step and an end-to-end CRC-64 check (issue 15). Plain JS orchestration over fetch; the
// only wasm it needs is the CRC-64 of cos-wasm/hash (one import line below, so the entry it
// comes from can move): in a browser call that entry's init() first; the Node, workerd and
// edge-light loaders build.mjs writes beside this file instantiate it at import.
// No credentials are held here: requests are signed by a duck-typed `signer` (an object with
// `signRequest(options)`, e.g. a CosSigner made from temporary credentials) or by a
// `presign(request)` callback (e.g. an edge worker that signs each step).
import { Crc64, Md5, crc64Combine, verifyResponseCrc64, isLoopbackHost, secretTransportAllowed } from '../hash/web.js';
import { errorFields, registeredExplainer, responseError, withClockRetry } from '../responses.js';
import { cosError } from '../errors.js';
import { xmlBlocks, xmlEscape, xmlText } from '../xml.js';
import { ownEntries, ownOptions, runtimeFetch } from '../guard.js';
import { transportRule, urlParts } from '../transport.js';

/**
 * A failed COS response as a CosError (the signer entry's cosErrorFromResponse, without its
 * wasm). A SignatureDoesNotMatch carries the explanation (which part differs, and why) when
 * `cos-wasm/explain` was imported (and, in a browser, its init() done); else the message
 * says how to get one.
 */
function cosErrorFromResponse(response, signed) {
  const explain = registeredExplainer();
  const hint = explain === undefined
    ? " (import 'cos-wasm/explain' to have uploadFile's errors say which part of the request differs)"
    : ' (cos-wasm/explain could not explain it: in a browser, has its init() been awaited?)';
  return responseError(response, signed, errorFields, explain, hint);
}

const MiB = 1024 * 1024;
/** Default part size: 8 MiB. */
const DEFAULT_PART_SIZE = 8 * MiB;
/** COS: parts are at least 1 MB (all but the last), at most 5 GB, at most 10,000 of them. */
const MIN_PART_SIZE = MiB;
const MAX_PART_SIZE = 5 * 1024 * MiB;
const MAX_PARTS = 10000;
const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;
/** Retries per request on a network error, HTTP 5xx or 429 (exponential backoff, full jitter). */
const DEFAULT_RETRIES = 4;
const BACKOFF_BASE_MS = 300;
const BACKOFF_CAP_MS = 8000;
/** The buffer a part is hashed through as it streams from the file. */
const HASH_BUFFER = 256 * 1024;
/**
 * Milliseconds a read of the file may go without delivering bytes before it is given up and
 * retried with a new stream of the slice (option `readStallTimeout`, counted against
 * `retries`). Chromium, reading a slice of a large in-memory Blob while fetch sends the same
 * slice, now and then never settles a read: the 1 GiB upload of bench/upload.mjs hung three
 * times after all its parts had been stored, waiting for one part's hash.
 */
const DEFAULT_READ_STALL_MS = 30_000;
/** Bytes hashed at each end of the file for its fingerprint. */
const FINGERPRINT_BYTES = MiB;
/** Seconds a signature made with `signer` is valid. */
const DEFAULT_EXPIRES = 900;
/**
 * UNCONFIRMED for COS: whether ListParts of an SSE-C upload wants the SSE-C headers. S3 does not
 * need them; the issue asks for them and the emulator accepts them, so they are sent (the key
 * only ever travels to COS, over the same channel as the parts).
 */
const SSE_C_ON_LIST_PARTS = true;

/**
 * `adoptOpenUploads`: how many of the key's open uploads (newest first) are examined with
 * ListParts when the store has nothing for the file. The one with the most reusable parts is
 * continued; the other examined ones are aborted; any beyond are left alone.
 */
const ADOPT_MAX_CANDIDATES = 4;
/** A part ETag that is the MD5 of its bytes (COS: parts uploaded without SSE-C / KMS). */
const MD5_ETAG = /^"?([0-9a-fA-F]{32})"?$/;

const SSE_PREFIX = 'x-cos-server-side-encryption';
const SSE_C_PREFIX = 'x-cos-server-side-encryption-customer-';
const SSE_C_KEY = 'x-cos-server-side-encryption-customer-key';
/** Headers that carry a secret: an SSE-C key (of the object, or of a copy source), a security token. */
const KEY_HEADER = /^x-cos-(copy-source-)?server-side-encryption-customer-key$/i;
const TOKEN_HEADER = /^x-cos-security-token$/i;
/** The largest file: 10,000 parts of 5 GiB (COS's own object limit is 48.82 TiB). */
const MAX_FILE_BYTES = MAX_PARTS * 5 * 1024 * 1024 * 1024;
const rule = transportRule({ isLoopbackHost, secretTransportAllowed });

const isObject = (v) => typeof v === 'object' && v !== null;
const invalid = (message) => cosError('ERR_INVALID_ARGUMENT', message);

// ---------------------------------------------------------------------------------------
// Small helpers: CRC-64 of bytes, XML fields, backoff
// ---------------------------------------------------------------------------------------

function crc64Of(bytes) {
  const crc = new Crc64();
  try {
    crc.update(bytes);
    return crc.digest();
  } finally {
    crc.free();
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const unreadable = (e) =>
  cosError('ERR_FILE_NOT_READABLE', `the file could not be read (${e?.name ?? 'Error'}: changed, moved or deleted since it was chosen?); choose it again to resume`, { cause: e });

/** The file gave other bytes than its `size` promised (a Blob whose size lies, or a file changed). */
const shortRead = (got, want, what) =>
  cosError('ERR_FILE_NOT_READABLE', `${what}: the file gave ${got} bytes where its size promised ${want} (changed since it was chosen?); choose it again`);

const backoff = (attempt) => Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);

function retryable(e) {
  if (!e || e.name !== 'CosError') return false;
  if (e.code === 'ERR_NETWORK') return true;
  return (e.code === 'ERR_COS_RESPONSE' || e.code === 'ERR_CLOCK_SKEW' || e.code === 'ERR_SIGNATURE_MISMATCH') && (e.status >= 500 || e.status === 429);
}

// ---------------------------------------------------------------------------------------
// Resume state stores
// ---------------------------------------------------------------------------------------

/** A store in memory (Node, tests, or `resume` across calls of one page without IndexedDB). */
export function memoryStore() {
  const m = new Map();
  const copy = (v) => {
    if (v === undefined) return undefined;
    try {
      return JSON.parse(JSON.stringify(v));
    } catch {
      throw invalid('memoryStore: the state is not JSON (BigInt, a cycle, or a throwing getter)');
    }
  };
  return {
    async get(id) {
      return copy(m.get(id));
    },
    async put(id, state) {
      m.set(id, copy(state));
    },
    async delete(id) {
      m.delete(id);
    },
  };
}

/**
 * A store in IndexedDB (database `name`, default `cos-wasm-uploads`): the default in browsers.
 * Records hold the upload id, part size, the file's fingerprint and each finished part's
 * number, ETag, size and CRC-64; never a key or a signature.
 */
export function indexedDbStore(name = 'cos-wasm-uploads') {
  let db;
  const open = () =>
    (db ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('uploads');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }));
  const tx = async (mode, fn) => {
    const d = await open();
    return new Promise((resolve, reject) => {
      const t = d.transaction('uploads', mode);
      const req = fn(t.objectStore('uploads'));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  };
  return {
    get: (id) => tx('readonly', (s) => s.get(id)),
    put: (id, state) => tx('readwrite', (s) => s.put(state, id)),
    delete: (id) => tx('readwrite', (s) => s.delete(id)),
  };
}

let defaultStore;
function storeFor(option) {
  if (option !== undefined) {
    if (!isObject(option) || typeof option.get !== 'function' || typeof option.put !== 'function' || typeof option.delete !== 'function') {
      throw invalid('`store` must be an object with get(id), put(id, state) and delete(id)');
    }
    return option;
  }
  return (defaultStore ??= typeof indexedDB === 'undefined' ? memoryStore() : indexedDbStore());
}

// ---------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------

/** RFC 9110 field names; values without CR, LF or NUL (fetch would refuse them as a network error). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

function headerMap(value, what) {
  if (value === undefined) return {};
  if (!isObject(value) || Array.isArray(value)) throw invalid(`\`${what}\` must be an object of header names to strings`);
  const entries = ownEntries(value, what);
  for (const [k, v] of entries) {
    if (typeof v !== 'string') throw invalid(`\`${what}\` header ${JSON.stringify(k.slice(0, 64))} must be a string`);
    if (!HEADER_NAME.test(k) || !HEADER_VALUE.test(v)) throw invalid(`\`${what}\` header ${JSON.stringify(k.slice(0, 64))}: not a valid header name, or a value with CR, LF or NUL`);
  }
  return mergeHeaders(Object.fromEntries(entries));
}

/**
 * The header maps in order, one entry per name whatever its case (a later one replaces an
 * earlier one; fetch would join duplicates with a comma).
 */
/**
 * Strict signing (`strict`, default true; README "Strict buckets and size-bound PUT URLs"): a
 * PUT or POST carries its exact `Content-Length` (0 without a body) and, with a body, a
 * `Content-Type` (the body's part: `application/octet-stream`), so both are signed (the
 * `presign` callback sees them too; `contentLength` is set on every such step).
 */
function strictRequest(req, body) {
  if (req.method !== 'PUT' && req.method !== 'POST') return req;
  const size = body === undefined ? 0 : typeof body === 'string' ? new TextEncoder().encode(body).length : body.size;
  const headers = { ...req.headers };
  const has = (n) => Object.keys(headers).some((k) => k.toLowerCase() === n);
  if (!has('content-length')) headers['Content-Length'] = String(size);
  if (size > 0 && !has('content-type')) headers['Content-Type'] = 'application/octet-stream';
  return { ...req, headers, contentLength: size };
}

/** `fetch` sets Content-Length from the body (browsers refuse to let a page set it). */
function withoutContentLength(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-length'));
}

function mergeHeaders(...maps) {
  const out = { __proto__: null };
  for (const m of maps) {
    for (const [k, v] of Object.entries(m)) {
      for (const old of Object.keys(out)) if (old.toLowerCase() === k.toLowerCase()) delete out[old];
      out[k] = v;
    }
  }
  return { ...out };
}

/**
 * Splits `sse` (the headers of `sseHeaders(…)` or a CustomerKey's headers) into what goes on
 * Initiate / PutObject (all of them) and what goes on every UploadPart and ListParts (the SSE-C
 * triple only).
 */
function sseSplit(sse) {
  const all = headerMap(sse, 'sse');
  const c = {};
  for (const [k, v] of Object.entries(all)) {
    const lower = k.toLowerCase();
    if (!lower.startsWith(SSE_PREFIX)) throw invalid(`\`sse\` takes only x-cos-server-side-encryption* headers (from sseHeaders()); got ${JSON.stringify(k)}`);
    if (lower.startsWith(SSE_C_PREFIX)) c[k] = v;
  }
  const keyName = Object.keys(c).find((k) => k.toLowerCase() === SSE_C_KEY);
  const key = keyName === undefined ? {} : { [keyName]: c[keyName] };
  const pinned = Object.fromEntries(Object.entries(c).filter(([k]) => k !== keyName));
  const pinnedAll = Object.fromEntries(Object.entries(all).filter(([k]) => k !== keyName));
  return { all: pinnedAll, c: pinned, key };
}

const OPTION_NAMES = ['key', 'signer', 'presign', 'origin', 'bucket', 'region', 'domain', 'protocol', 'port', 'pathStyle', 'allowInsecureLocal', 'sse', 'headers', 'contentType', 'partSize', 'multipartThreshold', 'concurrency', 'retries', 'expires', 'onProgress', 'signal', 'fetch', 'resume', 'store', 'readStallTimeout', 'strict', 'adoptOpenUploads'];

/**
 * Where a step may go: an http(s) URL without credentials, at the COS origin the page chose
 * (`origin`, or the endpoint options), else ERR_INVALID_URL: a presign callback (or a
 * compromised worker behind it) cannot send the steps, and the SSE-C key with them, anywhere
 * else. A step carrying a secret header (the SSE-C key, from `sse`, `headers` or the answer's
 * headers) goes only over https, or plain http to a loopback host when `allowInsecureLocal`
 * is set (the wasm core's rule, through transport.js): ERR_SSE_C_REQUIRES_HTTPS.
 */
function checkTransport(url, headers, o, what) {
  const u = urlParts(url, `the URL ${what} gave`);
  if (u.username || u.password) throw cosError('ERR_INVALID_URL', `${what} gave a URL with credentials in it`);
  if (o.origin !== undefined && u.origin !== o.origin) {
    throw cosError('ERR_INVALID_URL', `${what} gave a URL for ${u.origin.slice(0, 200)}, not the COS endpoint ${o.origin} this upload was given (\`origin\` or bucket/region/domain)`);
  }
  const carriesKey = Object.keys(headers).some((k) => KEY_HEADER.test(k));
  if (carriesKey && !rule.secretAllowed(u, o.endpoint.allowInsecureLocal === true)) {
    throw cosError(
      'ERR_SSE_C_REQUIRES_HTTPS',
      `an SSE-C key would be sent over plain http to ${u.host.slice(0, 200)}; use an https endpoint (or, for a local emulator on localhost/127.x, set allowInsecureLocal)`,
    );
  }
}

/**
 * The origin (`scheme://host[:port]`) steps must go to: `origin` as given, or the one the
 * endpoint options name (the host COS's URLs use: `domain` with {Bucket}/{Region}
 * substituted, else `<bucket>.cos.<region>.myqcloud.com`); undefined when neither is given.
 */
function endpointOrigin(o) {
  if (o.origin !== undefined) {
    const u = urlParts(o.origin, '`origin`');
    if (u.username || u.password || u.href !== `${u.origin}/`) throw invalid('`origin` must be an origin such as https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com, without path or credentials');
    return u.origin;
  }
  if (typeof o.bucket !== 'string' || typeof o.region !== 'string') return undefined;
  if (o.protocol !== undefined && typeof o.protocol !== 'string') throw invalid('`protocol` must be a string when given');
  if (o.domain !== undefined && typeof o.domain !== 'string') throw invalid('`domain` must be a string when given');
  if (o.port !== undefined && !(Number.isSafeInteger(o.port) && o.port > 0 && o.port < 65536)) throw invalid('`port` must be an integer from 1 to 65535 when given');
  const scheme = (o.protocol ?? 'https').replace(/:$/, '').toLowerCase();
  const host = o.domain === undefined ? `${o.bucket}.cos.${o.region}.myqcloud.com` : o.domain.split('{Bucket}').join(o.bucket).split('{Region}').join(o.region);
  return urlParts(`${scheme}://${host}${o.port === undefined ? '' : `:${o.port}`}/`, 'the endpoint (`protocol`, `domain`, `port`, `bucket`, `region`)').origin;
}

function runtimeFetchOrFail() {
  const f = runtimeFetch();
  if (typeof f !== 'function') throw invalid('no fetch in this runtime: pass `fetch`');
  return f;
}

function readOptions(file, options) {
  if (!(typeof Blob !== 'undefined' && file instanceof Blob)) throw invalid('uploadFile(file, options): `file` must be a Blob or a File');
  if (!isObject(options)) throw invalid('uploadFile(file, options): `options` is required (key, and signer or presign)');
  // Read once (a getter cannot answer differently later), own properties only.
  const o = ownOptions(options, OPTION_NAMES, 'options');
  if (typeof o.key !== 'string' || o.key === '' || o.key === '/') throw invalid('`key` (the object key) must be a non-empty string');
  const hasSigner = o.signer !== undefined;
  const hasPresign = o.presign !== undefined;
  if (hasSigner === hasPresign) throw invalid('give exactly one of `signer` (an object with signRequest) and `presign` (a function)');
  if (hasSigner && (!isObject(o.signer) || typeof o.signer.signRequest !== 'function')) throw invalid('`signer` must have a signRequest(options) method (e.g. a CosSigner)');
  if (hasPresign && typeof o.presign !== 'function') throw invalid('`presign` must be a function (request) => Promise<{ url, headers }>');
  const origin = endpointOrigin(o);
  if (hasPresign && origin === undefined) throw invalid('with `presign`, give the COS endpoint the URLs must go to: `origin` (e.g. https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com) or `bucket` and `region` (and `domain`, `protocol`, `port`)');
  let size;
  try {
    size = file.size;
  } catch {
    throw invalid('reading `file.size` threw an exception');
  }
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_FILE_BYTES) throw invalid(`\`file.size\` must be a whole number of bytes up to ${MAX_FILE_BYTES} (10,000 parts of 5 GiB)`);
  if (hasSigner && (typeof o.bucket !== 'string' || typeof o.region !== 'string')) throw invalid('with `signer`, `bucket` and `region` are required');
  const int = (name, fallback, min, max) => {
    const v = o[name] ?? fallback;
    if (!Number.isSafeInteger(v) || v < min || v > max) throw invalid(`\`${name}\` must be an integer from ${min} to ${max}`);
    return v;
  };
  const partSize = int('partSize', DEFAULT_PART_SIZE, MIN_PART_SIZE, MAX_PART_SIZE);
  const concurrency = int('concurrency', DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY);
  const retries = int('retries', DEFAULT_RETRIES, 0, 20);
  const expires = int('expires', DEFAULT_EXPIRES, 1, 7 * 86400);
  const multipartThreshold = int('multipartThreshold', partSize, 0, 5 * 1024 * MiB);
  const readStallTimeout = int('readStallTimeout', DEFAULT_READ_STALL_MS, 1, 3_600_000);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw invalid('`onProgress` must be a function when given');
  if (o.signal !== undefined && !(isObject(o.signal) && typeof o.signal.addEventListener === 'function')) throw invalid('`signal` must be an AbortSignal when given');
  if (o.fetch !== undefined && typeof o.fetch !== 'function') throw invalid('`fetch` must be a function when given');
  if (o.contentType !== undefined && typeof o.contentType !== 'string') throw invalid('`contentType` must be a string when given');
  if (o.resume !== undefined && typeof o.resume !== 'boolean') throw invalid('`resume` must be a boolean when given');
  if (o.strict !== undefined && typeof o.strict !== 'boolean') throw invalid('`strict` must be a boolean when given');
  if (o.adoptOpenUploads !== undefined && typeof o.adoptOpenUploads !== 'boolean') throw invalid('`adoptOpenUploads` must be a boolean when given');
  const endpoint = {};
  for (const k of ['bucket', 'region', 'domain', 'protocol', 'port', 'pathStyle', 'allowInsecureLocal']) if (o[k] !== undefined) endpoint[k] = o[k];
  return {
    file,
    size,
    origin,
    key: o.key,
    endpoint,
    signer: o.signer,
    presign: o.presign,
    sse: sseSplit(o.sse),
    headers: headerMap(o.headers, 'headers'),
    contentType: o.contentType ?? (file.type || 'application/octet-stream'),
    partSize,
    multipartThreshold,
    concurrency,
    retries,
    expires,
    readStallTimeout,
    onProgress: o.onProgress,
    signal: o.signal,
    fetch: o.fetch ?? runtimeFetchOrFail(),
    resume: o.resume ?? true,
    strict: o.strict ?? true,
    store: o.resume === false ? undefined : storeFor(o.store),
    adoptOpenUploads: o.adoptOpenUploads ?? true,
  };
}

// ---------------------------------------------------------------------------------------
// One upload
// ---------------------------------------------------------------------------------------

const STOP_PAUSE = 'pause';
const STOP_CANCEL = 'cancel';
const STOP_SIGNAL = 'signal';

class Upload {
  constructor(opts) {
    this.o = opts;
    this.size = opts.size;
    this.stopReason = undefined;
    this.run = new AbortController();
    this.resumed = undefined;
    this.uploadId = undefined;
    this.parts = new Map(); // number → { etag, crc64, size }
    this.resumedParts = 0;
    this.requests = 0;
    this.saving = Promise.resolve();
    if (opts.signal) {
      if (opts.signal.aborted) this.stop(STOP_SIGNAL);
      else opts.signal.addEventListener('abort', () => this.stop(STOP_SIGNAL), { once: true });
    }
  }

  stop(reason) {
    if (this.stopReason === STOP_CANCEL || this.finished) return;
    this.stopReason = reason;
    this.run.abort();
    if (reason !== STOP_PAUSE) {
      // wake a paused upload so that it ends
      const r = this.resumed;
      this.resumed = undefined;
      r?.();
    }
  }

  aborted() {
    return cosError('ERR_ABORTED', this.stopReason === STOP_CANCEL ? 'the upload was cancelled' : 'the upload was aborted by its signal');
  }

  /** Throws if cancelled or signalled; waits while paused. */
  async checkpoint() {
    for (;;) {
      if (this.stopReason === STOP_CANCEL || this.stopReason === STOP_SIGNAL) throw this.aborted();
      if (this.stopReason !== STOP_PAUSE) return;
      await new Promise((resolve) => (this.resumed = resolve));
    }
  }

  pause() {
    if (!this.stopReason) this.stop(STOP_PAUSE);
  }

  resume() {
    if (this.stopReason !== STOP_PAUSE) return;
    this.stopReason = undefined;
    this.run = new AbortController();
    const r = this.resumed;
    this.resumed = undefined;
    r?.();
  }

  // ------------------------------------------------------------------ requests

  /**
   * What goes out for `req`: `{ url, headers, signed }` from the signer or the presign callback,
   * whose answer is read once and checked: an http(s) URL, valid headers, and the SSE-C key
   * (added here, never seen by the callback) only over https or to an allowed loopback host.
   */
  async authorize(req) {
    const o = this.o;
    const key = req.sseKey ? o.sse.key : {};
    const what = o.signer ? `signer.signRequest (${req.operation})` : `presign(${req.operation})`;
    let r;
    try {
      if (o.signer) {
        r = o.signer.signRequest({ ...o.endpoint, method: req.method, ...(req.bucketLevel ? {} : { key: o.key }), query: req.query, headers: { ...req.headers, ...key }, expires: o.expires, strict: o.strict });
      } else {
        const { sseKey, ...request } = req;
        r = await o.presign({ ...request, key: o.key, headers: { ...req.headers } });
      }
    } catch (e) {
      if (e?.name === 'CosError' && typeof e.code === 'string') throw e;
      // the thrown error's own code (e.g. the edge worker's ERR_FORBIDDEN) is named, never its message
      const code = typeof e?.code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(e.code) ? ` (${e.code})` : '';
      throw cosError('ERR_SIGNING_FAILED', `${what} threw${code}; see \`cause\``, { cause: e });
    }
    if (!isObject(r)) throw invalid(`${what} must give { url, headers }`);
    const { url, headers: signedHeaders } = { __proto__: null, ...Object.fromEntries(ownEntries(r, `${what}'s answer`, ['url', 'headers'])) };
    if (typeof url !== 'string') throw invalid(`${what} must give { url, headers } with a string url`);
    const headers = mergeHeaders(req.headers, headerMap(signedHeaders, `${what}'s headers`), key);
    checkTransport(url, headers, o, what);
    return { url, headers, signed: { url, headers, method: req.method } };
  }

  /**
   * Sends `req` with retries; resolves to the ok Response. A pause aborts the request in flight
   * and sends it again on resume; cancel() and the caller's signal end it with ERR_ABORTED.
   * `unstoppable`: not stopped by them (the initiate, the Complete, and the AbortMultipartUpload
   * of cancel(), which must run after the stop).
   */
  async send(req, body, unstoppable = false) {
    const o = this.o;
    if (o.strict) req = strictRequest(req, body);
    for (let attempt = 0; ; attempt++) {
      if (!unstoppable) await this.checkpoint();
      const signal = unstoppable ? new AbortController().signal : this.run.signal;
      const once = async () => {
        const { url, headers, signed } = await this.authorize(req);
        let res;
        this.requests++;
        try {
          // Never follows a redirect: the request may carry the SSE-C key or a security token,
          // and a redirect would take them to a host nobody checked.
          res = await Reflect.apply(o.fetch, undefined, [url, { __proto__: null, method: req.method, headers: withoutContentLength(headers), body, signal, redirect: 'manual' }]);
        } catch (e) {
          if (signal.aborted) throw this.aborted();
          // the runtime's text is not repeated: it may quote a header value (a key, a token)
          const name = typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'Error';
          throw cosError('ERR_NETWORK', `${req.operation} failed below HTTP (${name}: network, or a CORS refusal)`);
        }
        if (!(isObject(res) && typeof res.status === 'number' && isObject(res.headers) && typeof res.headers.get === 'function' && typeof res.text === 'function')) {
          throw invalid(`\`fetch\` must resolve to a Response (${req.operation})`);
        }
        if (res.type === 'opaqueredirect' || res.redirected === true || (res.status >= 300 && res.status < 400)) {
          throw cosError('ERR_COS_RESPONSE', `${req.operation} was answered with a redirect, which is never followed (the request may carry a key or a token)`, { status: res.status });
        }
        if (!res.ok) throw await cosErrorFromResponse(res, signed);
        return res;
      };
      try {
        return o.signer ? await withClockRetry(o.signer, once) : await once();
      } catch (e) {
        if (signal.aborted) {
          if (this.stopReason === STOP_PAUSE) {
            attempt--;
            continue;
          }
          throw this.aborted();
        }
        if (!retryable(e) || attempt >= o.retries) throw e;
        await sleep(backoff(attempt), signal);
      }
    }
  }

  // ------------------------------------------------------------------ state

  get stateId() {
    return `${this.o.endpoint.bucket ?? ''}/${this.o.key}`;
  }

  /**
   * The bytes of `blob`, retried like a request: a browser refuses to read a File changed,
   * moved or deleted since it was chosen (NotReadableError), and sometimes a large in-memory
   * Blob transiently. `ERR_FILE_NOT_READABLE` when it keeps failing.
   */
  async read(blob) {
    for (let attempt = 0; ; attempt++) {
      try {
        return new Uint8Array(await blob.arrayBuffer());
      } catch (e) {
        if (attempt >= this.o.retries) throw unreadable(e);
        await sleep(backoff(attempt), this.run.signal);
        await this.checkpoint();
      }
    }
  }

  /**
   * `{ crc64, size }` of `blob`, read as a stream into one reused buffer (a BYOB reader where the
   * stream is a byte stream, as Blob streams are in browsers: no garbage per chunk), retried
   * like read().
   */
  /**
   * `read` (a stream read of the file), or a rejection once it has not settled within
   * `readStallTimeout` (the reader is cancelled): hash() then retries with a new stream.
   */
  stallGuard(read, reader) {
    let timer;
    const stalled = new Promise((_, reject) => {
      timer = setTimeout(() => {
        // rejected first: cancelling settles the pending read as `done`, which must not win
        reject(new DOMException(`no bytes from the file for ${this.o.readStallTimeout} ms`, 'TimeoutError'));
        reader.cancel().catch(() => {});
      }, this.o.readStallTimeout);
    });
    return Promise.race([read, stalled]).finally(() => clearTimeout(timer));
  }

  async hash(blob) {
    for (let attempt = 0; ; attempt++) {
      const crc = new Crc64();
      let size = 0;
      try {
        const stream = blob.stream();
        let reader;
        let buffer;
        try {
          reader = stream.getReader({ mode: 'byob' });
          buffer = new ArrayBuffer(HASH_BUFFER);
        } catch {
          reader = stream.getReader();
        }
        for (;;) {
          const { done, value } = await this.stallGuard(buffer ? reader.read(new Uint8Array(buffer)) : reader.read(), reader);
          if (done) break;
          crc.update(value);
          size += value.byteLength;
          if (buffer) buffer = value.buffer;
        }
        return { crc64: crc.digest(), size };
      } catch (e) {
        if (attempt >= this.o.retries) throw unreadable(e);
        await sleep(backoff(attempt), this.run.signal);
        await this.checkpoint();
      } finally {
        crc.free();
      }
    }
  }

  async fingerprint() {
    const f = this.o.file;
    const head = await this.read(f.slice(0, Math.min(FINGERPRINT_BYTES, this.size)));
    const tail = await this.read(f.slice(Math.max(0, this.size - FINGERPRINT_BYTES)));
    return { size: this.size, lastModified: typeof f.lastModified === 'number' ? f.lastModified : null, head: crc64Of(head), tail: crc64Of(tail) };
  }

  save() {
    if (!this.o.store) return Promise.resolve();
    const state = {
      version: 1,
      key: this.o.key,
      uploadId: this.uploadId,
      partSize: this.partSize,
      fingerprint: this.fp,
      parts: [...this.parts].map(([n, p]) => ({ n, ...p })),
    };
    const store = this.o.store;
    this.saving = this.saving.then(() => store.put(this.stateId, state)).catch(() => {});
    return this.saving;
  }

  async forget() {
    await this.saving;
    const store = this.o.store;
    if (store) await Promise.resolve().then(() => store.delete(this.stateId)).catch(() => {});
  }

  // ------------------------------------------------------------------ steps

  async abortUpload(uploadId) {
    try {
      await this.send({ operation: 'AbortMultipartUpload', method: 'DELETE', query: { uploadId }, headers: {}, uploadId }, undefined, true);
    } catch (e) {
      if (e?.cosCode !== 'NoSuchUpload') throw e;
    }
  }

  /**
   * The parts COS holds for `uploadId` up to part `last`: Map number → { etag, size }; undefined
   * if the upload is gone. Pages only forward (a NextPartNumberMarker that does not move on, or
   * passes `last`, ends the listing), so a server cannot keep it going.
   */
  async listParts(uploadId, last) {
    const found = new Map();
    let marker = 0;
    for (;;) {
      const query = { uploadId, 'max-parts': 1000 };
      if (marker) query['part-number-marker'] = marker;
      let res;
      try {
        res = await this.send({ operation: 'ListParts', method: 'GET', query, headers: SSE_C_ON_LIST_PARTS ? { ...this.o.sse.c } : {}, sseKey: SSE_C_ON_LIST_PARTS, uploadId });
      } catch (e) {
        if (e?.cosCode === 'NoSuchUpload') return undefined;
        throw e;
      }
      const xml = await res.text();
      for (const p of xmlBlocks(xml, 'Part')) {
        const n = Number(xmlText(p, 'PartNumber'));
        found.set(n, { etag: xmlText(p, 'ETag') ?? '', size: Number(xmlText(p, 'Size')) });
      }
      if (xmlText(xml, 'IsTruncated') !== 'true') return found;
      const next = Number(xmlText(xml, 'NextPartNumberMarker'));
      if (!(Number.isSafeInteger(next) && next > marker && next < last)) return found;
      marker = next;
    }
  }

  /**
   * The stored state, as plain checked values (a store may hand back anything: another
   * upload's record, a Proxy, JSON with `__proto__`); undefined when there is none usable.
   */
  async storedState() {
    const store = this.o.store;
    try {
      const raw = await store.get(this.stateId);
      if (!isObject(raw)) return undefined;
      const s = JSON.parse(JSON.stringify(raw));
      if (!isObject(s) || typeof s.uploadId !== 'string' || s.uploadId === '') return undefined;
      return { uploadId: s.uploadId, key: s.key, partSize: s.partSize, fingerprint: JSON.stringify(s.fingerprint), parts: Array.isArray(s.parts) ? s.parts : [] };
    } catch {
      return undefined;
    }
  }

  /** Expected bytes of part `n` (1-based) with `partSize`. */
  partLength(n, partSize = this.partSize) {
    return Math.min(partSize, this.size - (n - 1) * partSize);
  }

  /**
   * Loads the stored state; keeps the parts ListParts confirms and whose bytes in the file still
   * have the stored CRC-64 (so neither a fingerprint collision, a file edited in the middle nor
   * a corrupted store can put other bytes in the object), or aborts a stale upload.
   */
  async restore() {
    const o = this.o;
    if (!o.store) return;
    const state = await this.storedState();
    if (!state) return;
    const ps = state.partSize;
    const usable =
      Number.isSafeInteger(ps) && ps >= MIN_PART_SIZE && ps <= MAX_PART_SIZE && Math.ceil(this.size / ps) <= MAX_PARTS && state.key === o.key;
    const same = usable && state.fingerprint === JSON.stringify(this.fp);
    if (!same) {
      // A different file under the same key: the old upload's parts are useless. Abort it so
      // nothing is left behind, then start over.
      await this.abortUpload(state.uploadId).catch(() => {});
      await this.forget();
      return;
    }
    // cancel() from here on aborts this upload too
    this.uploadId = state.uploadId;
    const count = Math.ceil(this.size / ps);
    const held = await this.listParts(state.uploadId, count);
    if (held === undefined) {
      this.uploadId = undefined;
      await this.forget();
      return;
    }
    this.partSize = ps;
    for (const p of state.parts) {
      if (!isObject(p) || !Number.isSafeInteger(p.n) || p.n < 1 || p.n > count || this.parts.has(p.n)) continue;
      const cos = held.get(p.n);
      const size = this.partLength(p.n);
      if (!cos || typeof p.etag !== 'string' || cos.etag !== p.etag || cos.size !== size || p.size !== size || typeof p.crc64 !== 'string') continue;
      await this.checkpoint();
      const local = await this.hash(o.file.slice((p.n - 1) * ps, (p.n - 1) * ps + size));
      if (local.crc64 === p.crc64 && local.size === size) this.parts.set(p.n, { etag: p.etag, crc64: p.crc64, size });
    }
    this.resumedParts = this.parts.size;
  }

  // ------------------------------------------------------------------ adopting an open upload

  /**
   * The open multipart uploads of exactly this key (ListMultipartUploads with `prefix=key`),
   * newest first: [{ uploadId, initiated }]. One page (up to 1,000 uploads of the prefix).
   */
  async openUploadsOfKey() {
    const res = await this.send({ operation: 'ListMultipartUploads', method: 'GET', query: { uploads: null, prefix: this.o.key }, headers: {}, bucketLevel: true });
    const xml = await res.text();
    const encoded = xmlText(xml, 'Encoding-Type') === 'url';
    const found = [];
    for (const u of xmlBlocks(xml, 'Upload')) {
      let key = xmlText(u, 'Key') ?? '';
      try {
        if (encoded) key = decodeURIComponent(key);
      } catch {
        continue;
      }
      const uploadId = xmlText(u, 'UploadId');
      if (key !== this.o.key || !uploadId) continue;
      found.push({ uploadId, initiated: Date.parse(xmlText(u, 'Initiated') ?? '') || 0 });
    }
    return found.sort((a, b) => b.initiated - a.initiated);
  }

  /** `{ md5Hex, crc64, size }` of `blob` (one part, read whole, retried like read()). */
  async md5AndCrc64(blob) {
    const bytes = await this.read(blob);
    const md5 = new Md5();
    try {
      md5.update(bytes);
      return { md5Hex: md5.digestHex().toLowerCase(), crc64: crc64Of(bytes), size: bytes.byteLength };
    } finally {
      md5.free();
    }
  }

  /**
   * The parts of open upload `uploadId` this file can reuse: Map number → { etag, crc64, size },
   * and their part size; undefined when the upload cannot be continued with this file (parts of
   * sizes that no single part size explains, or beyond the file's end). A part is reused only
   * when its ETag is the MD5 of the same bytes of the file; its CRC-64 is computed from those
   * bytes (the whole object's CRC-64 is then checked against COS's on completion, as always).
   */
  async reusableParts(uploadId, digests) {
    const held = await this.listParts(uploadId, MAX_PARTS + 1);
    if (!held || held.size === 0) return undefined;
    const ps = Math.max(...[...held.values()].map((p) => p.size));
    if (!(Number.isSafeInteger(ps) && ps >= MIN_PART_SIZE && ps <= MAX_PART_SIZE && Math.ceil(this.size / ps) <= MAX_PARTS)) return undefined;
    const count = Math.ceil(this.size / ps);
    for (const [n, p] of held) if (n > count || p.size !== this.partLength(n, ps)) return undefined;
    const parts = new Map();
    for (const n of [...held.keys()].sort((a, b) => a - b)) {
      const p = held.get(n);
      const md5 = MD5_ETAG.exec(p.etag)?.[1]?.toLowerCase();
      if (!md5) continue;
      await this.checkpoint();
      const at = `${ps}:${n}`;
      if (!digests.has(at)) digests.set(at, await this.md5AndCrc64(this.o.file.slice((n - 1) * ps, (n - 1) * ps + p.size)));
      const local = digests.get(at);
      if (local.md5Hex === md5 && local.size === p.size) parts.set(n, { etag: p.etag, crc64: local.crc64, size: p.size });
    }
    return parts.size ? { parts, partSize: ps } : undefined;
  }

  /**
   * When the store has nothing for this file: continues an upload of the key that another
   * client left open (the official SDKs' sliceUploadFile, another device, cleared site data),
   * reusing the parts whose bytes match (the examined upload with the most of them), and aborts
   * the other examined uploads.
   * Only with `signer` (ListMultipartUploads is a bucket-level request a `presign` callback
   * is not asked for), and only without `sse` or `headers` (what an open upload was initiated
   * with cannot be read back, so it could not be shown to match). Failing to list (e.g. a key
   * without ListMultipartUploads) starts a new upload, as before.
   */
  async adoptOpen() {
    const o = this.o;
    if (!o.store || !o.adoptOpenUploads || !o.signer) return;
    if (Object.keys(o.sse.all).length || Object.keys(o.sse.key).length || Object.keys(o.headers).length) return;
    let open;
    try {
      open = await this.openUploadsOfKey();
    } catch (e) {
      await this.checkpoint();
      if (e?.code === 'ERR_ABORTED') throw e;
      return;
    }
    const digests = new Map(); // `${partSize}:${n}` → the file's bytes there, hashed once
    const unused = [];
    let best;
    for (const { uploadId } of open.slice(0, ADOPT_MAX_CANDIDATES)) {
      let usable;
      try {
        usable = await this.reusableParts(uploadId, digests);
      } catch (e) {
        await this.checkpoint();
        if (e?.code === 'ERR_ABORTED' || e?.code === 'ERR_FILE_NOT_READABLE') throw e;
        continue; // not readable with this key: not ours to abort
      }
      if (usable && (!best || usable.parts.size > best.parts.size)) {
        if (best) unused.push(best.uploadId);
        best = { uploadId, ...usable };
      } else {
        unused.push(uploadId);
      }
    }
    for (const uploadId of unused) {
      await this.checkpoint();
      await this.abortUpload(uploadId).catch(() => {});
    }
    if (!best) return;
    this.uploadId = best.uploadId;
    this.partSize = best.partSize;
    this.parts = best.parts;
    this.resumedParts = this.parts.size;
    await this.save();
  }

  async initiate() {
    const o = this.o;
    const headers = { ...o.headers, 'Content-Type': o.contentType, ...o.sse.all };
    // Not aborted by pause, cancel or the signal once sent: an upload COS created but whose id
    // never arrived could be neither resumed nor aborted. The stop takes effect right after.
    const res = await this.send({ operation: 'InitiateMultipartUpload', method: 'POST', query: { uploads: null }, headers, sseKey: true }, undefined, true);
    const uploadId = xmlText(await res.text(), 'UploadId');
    if (!uploadId) throw cosError('ERR_COS_RESPONSE', 'COS: InitiateMultipartUpload answered without an UploadId');
    this.uploadId = uploadId;
    await this.save();
  }

  progress() {
    if (!this.o.onProgress) return;
    let loaded = 0;
    for (const p of this.parts.values()) loaded += p.size;
    try {
      this.o.onProgress({ loaded, total: this.size, partsDone: this.parts.size, partsTotal: this.partCount });
    } catch {
      // a throwing progress callback does not stop the upload
    }
  }

  /** Sends `body` (a Blob) while hashing it; resolves to `{ res, crc64, size }`. */
  async sendHashed(req, body) {
    const hashing = this.hash(body);
    hashing.catch(() => {}); // awaited below
    let res;
    try {
      res = await this.send(req, body);
    } catch (e) {
      // an unreadable file also fails the send: say so rather than ERR_NETWORK
      const unread = await hashing.then(() => undefined, (h) => h);
      throw unread?.code === 'ERR_FILE_NOT_READABLE' ? unread : e;
    }
    return { res, ...(await hashing) };
  }

  async uploadPart(n) {
    const o = this.o;
    const start = (n - 1) * this.partSize;
    const end = Math.min(start + this.partSize, this.size);
    // The file's slice is the body and the part is hashed as it streams from the file, while it
    // is sent: neither is held in memory (as cos-js-sdk-v5 sends its slices), and the hashing
    // costs no time. Measured in Chromium: a Uint8Array body uploads about 3× slower, a Blob
    // copy of the bytes grows memory by hundreds of MiB, hashing before sending costs 15–20%.
    // A browser refuses to read a File changed since it was chosen; COS's CRC-64 of the part
    // and of the whole object is checked against ours in any case.
    const body = o.file.slice(start, end);
    const { res, crc64, size } = await this.sendHashed(
      { operation: 'UploadPart', method: 'PUT', query: { partNumber: n, uploadId: this.uploadId }, headers: { ...o.sse.c }, sseKey: true, uploadId: this.uploadId, partNumber: n, contentLength: end - start },
      body,
    );
    if (size !== end - start) throw shortRead(size, end - start, `part ${n}`);
    const etag = res.headers.get('etag');
    if (!etag) {
      throw cosError(
        'ERR_CORS_ETAG_NOT_EXPOSED',
        `UploadPart ${n} succeeded but its ETag header is not readable: add ETag to the bucket's CORS ExposeHeader (Access-Control-Expose-Headers), or multipart uploads cannot complete from a browser`,
      );
    }
    const header = res.headers.get('x-cos-hash-crc64ecma');
    if (header !== null && header !== crc64) throw cosError('ERR_CRC64_MISMATCH', `part ${n}: COS's CRC-64 ${header} differs from the local ${crc64}`);
    this.parts.set(n, { etag, crc64, size });
    await this.save();
    this.progress();
  }

  async uploadParts() {
    const queue = [];
    for (let n = 1; n <= this.partCount; n++) if (!this.parts.has(n)) queue.push(n);
    let failure;
    const worker = async () => {
      for (let n = queue.shift(); n !== undefined && failure === undefined; n = queue.shift()) {
        try {
          await this.uploadPart(n);
        } catch (e) {
          failure ??= e;
          queue.length = 0; // the others finish the part they hold, then stop
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency, queue.length) }, worker));
    if (failure) throw failure;
  }

  async complete() {
    const numbers = [...this.parts.keys()].sort((a, b) => a - b);
    const body = `<CompleteMultipartUpload>${numbers.map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>${xmlEscape(this.parts.get(n).etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    let crc;
    for (const n of numbers) {
      const p = this.parts.get(n);
      crc = crc === undefined ? p.crc64 : crc64Combine(crc, p.crc64, p.size);
    }
    // Not aborted by pause, cancel or the signal once sent: COS may complete an upload whose
    // answer the page dropped, and then a resent Complete or a cancel's Abort finds NoSuchUpload
    // while the object exists. Too late to cancel: the result says what COS holds.
    const res = await this.send({ operation: 'CompleteMultipartUpload', method: 'POST', query: { uploadId: this.uploadId }, headers: { 'Content-Type': 'application/xml' }, uploadId: this.uploadId }, body, true);
    const xml = await res.text();
    // COS, like S3, may answer 200 and put an error in the body.
    if (/<Error>/.test(xml)) throw await cosErrorFromResponse(new Response(xml, { status: 500, headers: res.headers }));
    this.finished = true;
    await this.forget();
    this.verify(res, crc, 'the assembled object');
    return { key: this.o.key, uploadId: this.uploadId, etag: xmlText(xml, 'ETag') ?? res.headers.get('etag'), location: xmlText(xml, 'Location'), crc64: crc, size: this.size, parts: numbers.length, resumedParts: this.resumedParts };
  }

  verify(res, crc, what) {
    if (res.headers.get('x-cos-hash-crc64ecma') === null) {
      throw cosError('ERR_CRC64_MISMATCH', `${what} could not be verified: COS's x-cos-hash-crc64ecma header is not readable (add it to the bucket's CORS ExposeHeader)`);
    }
    verifyResponseCrc64(res, crc);
  }

  async putObject() {
    const o = this.o;
    const headers = { ...o.headers, 'Content-Type': o.contentType, ...o.sse.all };
    const { res, crc64, size } = await this.sendHashed({ operation: 'PutObject', method: 'PUT', query: {}, headers, sseKey: true, contentLength: this.size }, o.file);
    if (size !== this.size) throw shortRead(size, this.size, 'the file');
    this.finished = true;
    this.verify(res, crc64, 'the object');
    return { key: o.key, etag: res.headers.get('etag'), crc64, size, parts: 0, resumedParts: 0 };
  }

  async start() {
    try {
      await this.checkpoint();
      if (this.size === 0 || this.size <= this.o.multipartThreshold) return await this.putObject();
      this.fp = await this.fingerprint();
      await this.restore();
      if (!this.uploadId) await this.adoptOpen();
      if (!this.uploadId) this.partSize = Math.max(this.o.partSize, Math.ceil(this.size / MAX_PARTS / MiB) * MiB);
      this.partCount = Math.ceil(this.size / this.partSize);
      await this.checkpoint();
      if (!this.uploadId) await this.initiate();
      this.progress();
      await this.uploadParts();
      await this.checkpoint();
      return await this.complete();
    } catch (e) {
      if (this.stopReason === STOP_CANCEL && !this.finished) throw this.aborted();
      if (e?.name === 'CosError' && typeof e.code === 'string') throw e;
      // a bug or a hostile object got through: still a CosError with a stable code
      throw cosError('ERR_UNEXPECTED', `the upload failed unexpectedly (${e?.name ?? typeof e}); see \`cause\``, { cause: e });
    }
  }
}

/**
 * Uploads `file` to `options.key`: a single PUT up to `partSize`, else a resumable multipart
 * upload (see the README, "Large files"). Returns a task: `await` it (or its `done`) for the
 * result; `pause()`, `resume()`, `cancel()` (AbortMultipartUpload; nothing is left behind).
 */
export function uploadFile(file, options) {
  let opts;
  let up;
  try {
    opts = readOptions(file, options);
    up = new Upload(opts); // reads file.size and the signal
  } catch (e) {
    throw e?.name === 'CosError' ? e : invalid('reading `file` or `options` threw an exception');
  }
  let cancelling;
  const done = up.start().catch(async (e) => {
    // Cancelled, or failed with no state to resume from (`resume: false`): leave nothing behind.
    if ((up.stopReason === STOP_CANCEL || !opts.store) && !up.finished && up.uploadId) {
      await up.abortUpload(up.uploadId).catch(() => {});
      await up.forget();
    }
    throw e;
  });
  done.catch(() => {});
  return {
    done,
    then: (ok, fail) => done.then(ok, fail),
    catch: (fail) => done.catch(fail),
    finally: (fn) => done.finally(fn),
    pause: () => up.pause(),
    resume: () => up.resume(),
    cancel: () => (cancelling ??= (up.stop(STOP_CANCEL), done.then(() => undefined, () => undefined))),
    get uploadId() {
      return up.uploadId;
    },
    get requests() {
      return up.requests;
    },
  };
}
