// cos-wasm edge worker (Cloudflare Workers / workerd module syntax).
//
// Hands browsers what they need to talk to COS directly, without ever seeing the COS secret:
//   POST /upload-form  { filename | key, size?, contentType?, sse?, keyMd5?, algorithm? } -> { url, fields, key, bucket }
//   POST /presign      { method: 'GET' | 'HEAD' | 'PUT', key | filename, size?, contentType?, sse?, keyMd5?, algorithm? } -> { url, headers, key, bucket }
//   POST /multipart    { action, ... } -> signed steps of a resumable multipart upload (multipart.js)
//   POST /credentials  {} -> { tmpSecretId, tmpSecretKey, sessionToken, expiredTime, expiration, bucket, region,
//                              prefix, acl, storageClass, sse, maxBytes, contentTypes, endpoint }
//                      temporary keys from STS for uploads under `users/<id>/` only, bounded by
//                      MAX_UPLOAD_BYTES, ALLOWED_CONTENT_TYPES, STORAGE_CLASS, OBJECT_ACL (uploads must
//                      send `x-cos-acl: <acl>`) and STS_REQUIRE_SSE (reused until 5 minutes before
//                      expiry, one STS call per user at a time); ALLOW_TEMPORARY_KEYS=false turns it off
//   GET  /download?key= -> { url, key, via }: a CDN-authenticated URL when CDN_DOMAIN and CDN_AUTH_KEY
//                      are set, a COS pre-signed GET otherwise (download.js)
//   GET  /health       -> { ok: true }
// Callers authenticate with `Authorization: Bearer <token>`; env.USER_TOKENS maps tokens to
// user ids and each user may only touch keys under `users/<id>/`. Any other body field
// (query, headers, copySource, acl, redirect, ...) is refused: the caller decides none of them.
//
// Everything an upload stores is decided here and pinned by the signature (issue 17):
//   - Content-Type: exactly one of env.ALLOWED_CONTENT_TYPES (full types, compared lower-cased;
//     no prefixes, no script-capable types such as text/html or image/svg+xml); a missing type
//     is application/octet-stream. Signed into PUT URLs, an exact condition in forms.
//   - ACL: env.OBJECT_ACL, `private` (default) or `default`; storage class: env.STORAGE_CLASS
//     (default STANDARD). Both signed / exact conditions, so `x-cos-acl: public-read` added by
//     the caller breaks the signature or the policy.
//   - forms carry no redirect and exactly the fields signed here (the library's strict mode);
//     pre-signed URLs carry no sub-resource and no copy source. Whether COS itself refuses an
//     unsigned x-cos-* header, query parameter or form field is UNCONFIRMED; the local
//     emulator refuses them.
//
// `sse` values:
//   'NONE' | 'SSE-COS' | 'SSE-COS-SM4' | 'SSE-KMS' | 'SSE-KMS-SM4'
//   'SSE-C-WORKER' | 'SSE-C-WORKER-SM4': a per-object key derived (HKDF) from env.SSE_C_MASTER;
//       the browser never holds the master, only the key of the one object it was granted.
//   'SSE-C-CLIENT': the page holds the key. It sends only `keyMd5` (and `algorithm`); the worker
//       signs a policy / URL that pins the algorithm and key-MD5, and the page adds the key
//       itself (a form field or header that the signature does not cover, but COS checks it
//       against the pinned MD5). The key never reaches the worker.
//
// Errors are JSON `{ error: { code, message } }`: a CosError's own code (400) or one of the
// worker's codes (ERR_UNAUTHORIZED 401, ERR_FORBIDDEN 403, ERR_BAD_REQUEST 400, ...).
// The signer entry, plus customer-key derivation and the STS client (each entry is its own
// small .wasm: a worker that only signs imports 'cos-wasm' alone).
import { CosSigner, isCosError } from 'cos-wasm';
import { CustomerKey } from 'cos-wasm/keys';
import { cosPolicy, credentialsProvider, getFederationToken } from 'cos-wasm/sts';
import { multipart } from './multipart.js';
import { download } from './download.js';

class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const SSEC_ALG = 'x-cos-server-side-encryption-customer-algorithm';
const SSEC_MD5 = 'x-cos-server-side-encryption-customer-key-MD5';
const MODES = new Set(['NONE', 'SSE-COS', 'SSE-COS-SM4', 'SSE-KMS', 'SSE-KMS-SM4', 'SSE-C-WORKER', 'SSE-C-WORKER-SM4', 'SSE-C-CLIENT']);

function bool(v) {
  return v === true || v === 'true' || v === '1';
}

/** The COS endpoint options from env (real COS by default; overrides for a local emulator). */
function endpoint(env) {
  const ep = { bucket: env.COS_BUCKET, region: env.COS_REGION };
  if (env.COS_DOMAIN) ep.domain = env.COS_DOMAIN;
  if (env.COS_PROTOCOL) ep.protocol = env.COS_PROTOCOL;
  if (bool(env.COS_PATH_STYLE)) ep.pathStyle = true;
  return ep;
}

function allowedOrigins(env) {
  return String(env.ALLOWED_ORIGIN ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function corsHeaders(request, env) {
  const origin = request.headers.get('Origin');
  const allowed = allowedOrigins(env);
  if (!origin || !(allowed.includes(origin) || allowed.includes('*'))) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Max-Age': '600',
    Vary: 'Origin',
  };
}

function json(body, status, request, env) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...corsHeaders(request, env) },
  });
}

function timingSafeEqual(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  return diff === 0;
}

/** The caller's user id, from `Authorization: Bearer <token>` and env.USER_TOKENS. */
function authenticate(request, env) {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '');
  if (!m) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'missing bearer token');
  let tokens;
  try {
    tokens = JSON.parse(env.USER_TOKENS ?? '{}');
  } catch {
    throw new HttpError(500, 'ERR_CONFIG', 'USER_TOKENS is not JSON');
  }
  let user;
  for (const [token, id] of Object.entries(tokens)) if (timingSafeEqual(token, m[1])) user = id;
  if (!user || !/^[A-Za-z0-9_-]{1,64}$/.test(user)) throw new HttpError(401, 'ERR_UNAUTHORIZED', 'unknown bearer token');
  return user;
}

/** Resolves `{ key }` or `{ filename }` to an object key under the user's prefix, or refuses. */
function objectKey(user, body) {
  const prefix = `users/${user}/`;
  let key;
  if (typeof body.key === 'string') key = body.key;
  else if (typeof body.filename === 'string') key = prefix + body.filename;
  else throw new HttpError(400, 'ERR_BAD_REQUEST', 'key or filename is required');
  if (!key.startsWith(prefix)) throw new HttpError(403, 'ERR_FORBIDDEN', `keys must start with ${prefix}`);
  const rest = key.slice(prefix.length);
  if (!rest || rest.split('/').some((seg) => seg === '' || seg === '.' || seg === '..') || /[\u0000-\u001f\u007f\\]/.test(rest) || rest.length > 512) {
    throw new HttpError(400, 'ERR_BAD_REQUEST', 'invalid object key');
  }
  return key;
}

function maxBytes(env) {
  const n = Number(env.MAX_UPLOAD_BYTES ?? 100 * 1024 * 1024);
  if (!Number.isSafeInteger(n) || n < 1) throw new HttpError(500, 'ERR_CONFIG', 'MAX_UPLOAD_BYTES must be a positive integer');
  return n;
}

function checkSize(size, env) {
  if (size === undefined) return undefined;
  if (!Number.isSafeInteger(size) || size < 1) throw new HttpError(400, 'ERR_BAD_REQUEST', 'size must be a positive integer');
  if (size > maxBytes(env)) throw new HttpError(400, 'ERR_TOO_LARGE', `size ${size} exceeds the limit of ${maxBytes(env)} bytes`);
  return size;
}

/** The type stored when the caller names none. */
const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** Used when env.ALLOWED_CONTENT_TYPES is unset: full types, none a browser runs as script. */
const DEFAULT_CONTENT_TYPES = 'application/octet-stream,application/pdf,image/png,image/jpeg,image/gif,image/webp,text/plain';
/**
 * Types a browser renders as an active document on the bucket's origin (script, HTML, SVG,
 * XML that can carry XHTML): refused even when configured, a stored page would run as the site.
 */
const SCRIPT_CAPABLE = /^(text\/(html|xml|javascript|ecmascript|xsl)|application\/(xhtml\+xml|xml|javascript|ecmascript|x-javascript|x-shockwave-flash|pdf\+xml|vnd\.wap\.xhtml\+xml)|image\/svg\+xml|multipart\/x-mixed-replace)$|\+xml$/;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;

/** env.ALLOWED_CONTENT_TYPES as a Set of full lower-case types; a bad entry is a config error. */
function allowedContentTypes(env) {
  const list = String(env.ALLOWED_CONTENT_TYPES || DEFAULT_CONTENT_TYPES).split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const t of list) {
    if (!MIME.test(t)) throw new HttpError(500, 'ERR_CONFIG', `ALLOWED_CONTENT_TYPES entry ${JSON.stringify(t)} is not a full type/subtype (no prefixes, wildcards or parameters)`);
    if (SCRIPT_CAPABLE.test(t)) throw new HttpError(500, 'ERR_CONFIG', `ALLOWED_CONTENT_TYPES entry ${t} is script-capable; it would serve pages on the bucket's origin`);
  }
  return new Set(list);
}

/** The exact Content-Type to pin: the caller's, lower-cased, if it is allowed; else refused. */
function contentTypeFor(contentType, env) {
  const allowed = allowedContentTypes(env);
  if (contentType === undefined || contentType === null || contentType === '') return DEFAULT_CONTENT_TYPE;
  if (typeof contentType !== 'string') throw new HttpError(400, 'ERR_BAD_REQUEST', 'contentType must be a string');
  const t = contentType.trim().toLowerCase();
  if (!MIME.test(t) || !allowed.has(t)) {
    throw new HttpError(400, 'ERR_CONTENT_TYPE_NOT_ALLOWED', `content type ${JSON.stringify(contentType.slice(0, 100))} is not allowed; allowed: ${[...allowed].join(', ')}`);
  }
  return t;
}

/** env.OBJECT_ACL: `private` (default) or `default` (inherit the bucket's ACL). Never public. */
function objectAcl(env) {
  const acl = env.OBJECT_ACL || 'private';
  if (acl !== 'private' && acl !== 'default') throw new HttpError(500, 'ERR_CONFIG', 'OBJECT_ACL must be private or default');
  return acl;
}

/** env.STORAGE_CLASS (default STANDARD; MAZ_STANDARD for a multi-AZ bucket). */
function storageClass(env) {
  const c = env.STORAGE_CLASS || 'STANDARD';
  if (!/^[A-Z][A-Z_]{1,31}$/.test(c)) throw new HttpError(500, 'ERR_CONFIG', 'STORAGE_CLASS must be a COS storage class such as STANDARD');
  return c;
}

/** Refuses body fields the route does not know (query, headers, copySource, acl, redirect, ...). */
function onlyFields(body, allowed) {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) {
      throw new HttpError(400, 'ERR_BAD_REQUEST', `unknown field ${JSON.stringify(k.slice(0, 40))}: the worker decides query parameters, headers, ACL, copy sources and redirects itself`);
    }
  }
}

function masterBytes(env) {
  if (!env.SSE_C_MASTER) throw new HttpError(500, 'ERR_CONFIG', 'SSE_C_MASTER is not configured');
  try {
    return Uint8Array.from(atob(env.SSE_C_MASTER), (c) => c.charCodeAt(0));
  } catch {
    throw new HttpError(500, 'ERR_CONFIG', 'SSE_C_MASTER must be base64');
  }
}

/**
 * The SSE description for `mode` on `key`: `{ sse }` for package-built SSE, or `{ pinned }`
 * (algorithm + key-MD5 of a page-held key) for SSE-C-CLIENT. Derived keys go in `owned`
 * so the caller frees them.
 */
function sseFor(mode, body, env, key, owned) {
  mode = mode ?? 'NONE';
  if (!MODES.has(mode)) throw new HttpError(400, 'ERR_BAD_REQUEST', `sse must be one of ${[...MODES].join(', ')}`);
  switch (mode) {
    case 'NONE':
      return {};
    case 'SSE-COS':
      return { sse: { type: 'SSE-COS' } };
    case 'SSE-COS-SM4':
      return { sse: { type: 'SSE-COS', algorithm: 'SM4' } };
    case 'SSE-KMS':
    case 'SSE-KMS-SM4': {
      const sse = { type: 'SSE-KMS', context: { bucket: env.COS_BUCKET } };
      if (mode === 'SSE-KMS-SM4') sse.algorithm = 'SM4';
      if (env.KMS_KEY_ID) sse.kmsKeyId = env.KMS_KEY_ID;
      return { sse };
    }
    case 'SSE-C-WORKER':
    case 'SSE-C-WORKER-SM4': {
      const algorithm = mode === 'SSE-C-WORKER-SM4' ? 'SM4' : 'AES256';
      const k = CustomerKey.deriveHkdf({ master: masterBytes(env), bucket: env.COS_BUCKET, key, algorithm });
      owned.push(k);
      return { sse: { type: 'SSE-C', key: k } };
    }
    case 'SSE-C-CLIENT': {
      const algorithm = body.algorithm ?? 'AES256';
      if (algorithm !== 'AES256' && algorithm !== 'SM4') throw new HttpError(400, 'ERR_BAD_REQUEST', 'algorithm must be AES256 or SM4');
      if (typeof body.keyMd5 !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(body.keyMd5)) {
        throw new HttpError(400, 'ERR_BAD_REQUEST', 'SSE-C-CLIENT needs keyMd5 (base64 MD5 of the key, never the key)');
      }
      return { pinned: { [SSEC_ALG]: algorithm, [SSEC_MD5]: body.keyMd5 } };
    }
  }
}

/** ERR_CONFIG naming the environment binding that is missing (never its value). */
function requireCredentials(env) {
  for (const name of ['COS_SECRET_ID', 'COS_SECRET_KEY']) {
    if (!env[name]) {
      throw new HttpError(500, 'ERR_CONFIG', `COS credentials are not configured: the environment binding ${name} is ${env[name] === undefined ? 'undefined' : 'empty'} (set it with \`wrangler secret put ${name}\`, in .dev.vars for wrangler dev, or in config.capnp for workerd)`);
    }
  }
}

function signer(env) {
  requireCredentials(env);
  // strict: every write signs its Content-Type and Content-Length (buckets in COS's strict mode)
  return new CosSigner({ secretId: env.COS_SECRET_ID, secretKey: env.COS_SECRET_KEY, securityToken: env.COS_SECURITY_TOKEN || undefined, strict: true });
}

function ttl(env) {
  const n = Number(env.URL_TTL_SECONDS ?? 600);
  return Number.isSafeInteger(n) && n > 0 ? n : 600;
}

const COMMON_FIELDS = ['key', 'filename', 'size', 'contentType', 'sse', 'keyMd5', 'algorithm'];

function uploadForm(user, body, env) {
  onlyFields(body, COMMON_FIELDS);
  const key = objectKey(user, body);
  checkSize(body.size, env);
  const contentType = contentTypeFor(body.contentType, env);
  const owned = [];
  const s = signer(env);
  try {
    const { sse, pinned } = sseFor(body.sse, body, env, key, owned);
    const form = s.postObjectForm({
      ...endpoint(env),
      key,
      expires: ttl(env),
      sse,
      contentLengthRange: [1, maxBytes(env)],
      // pinned: each a form field with an exact policy condition
      contentType,
      acl: objectAcl(env),
      storageClass: storageClass(env),
      successActionStatus: 201,
      allowInsecureLocal: bool(env.ALLOW_INSECURE_LOCAL),
      // SSE-C-CLIENT: the policy requires these exact values; the page adds the key field.
      conditions: pinned ? Object.entries(pinned).map(([k, v]) => ({ [k]: v })) : undefined,
    });
    const fields = pinned ? { ...pinned, ...form.fields } : form.fields;
    return { url: form.url, fields, key, bucket: env.COS_BUCKET, maxBytes: maxBytes(env) };
  } finally {
    s.free();
    for (const k of owned) k.free();
  }
}

function presign(user, body, env) {
  onlyFields(body, ['method', ...COMMON_FIELDS]);
  const method = body.method === undefined ? 'GET' : typeof body.method === 'string' ? body.method.toUpperCase() : '';
  if (method !== 'GET' && method !== 'PUT' && method !== 'HEAD') throw new HttpError(400, 'ERR_BAD_REQUEST', 'method must be GET, HEAD or PUT');
  const key = objectKey(user, body);
  const headers = {};
  if (method === 'PUT') {
    // Every one of these is signed (q-header-list), so the URL uploads exactly `size` bytes of
    // this type, with this ACL and storage class: a changed or added value breaks the signature.
    if (body.size === undefined) throw new HttpError(400, 'ERR_BAD_REQUEST', 'size is required for PUT');
    headers['Content-Length'] = checkSize(body.size, env);
    headers['Content-Type'] = contentTypeFor(body.contentType, env);
    headers['x-cos-acl'] = objectAcl(env);
    headers['x-cos-storage-class'] = storageClass(env);
  } else if (body.size !== undefined || body.contentType !== undefined) {
    throw new HttpError(400, 'ERR_BAD_REQUEST', 'size and contentType are for PUT');
  }
  const owned = [];
  const s = signer(env);
  try {
    let { sse, pinned } = sseFor(body.sse, body, env, key, owned);
    // Reads decrypt SSE-COS / SSE-KMS automatically: only SSE-C is sent on GET/HEAD.
    if (method !== 'PUT' && sse && sse.type !== 'SSE-C') sse = undefined;
    const signed = s.presignRequest({
      ...endpoint(env),
      method,
      key,
      headers: { ...headers, ...pinned },
      sse,
      expires: ttl(env),
      allowInsecureLocal: bool(env.ALLOW_INSECURE_LOCAL),
    });
    return { url: signed.url, headers: signed.headers, key, bucket: env.COS_BUCKET };
  } finally {
    s.free();
    for (const k of owned) k.free();
  }
}

/** The largest JSON body the worker reads. */
const MAX_BODY_BYTES = 16 * 1024;

/** The body as text, read chunk by chunk and abandoned as soon as it passes `max` bytes. */
async function readCapped(request, max) {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && !(Number(declared) <= max)) throw new HttpError(413, 'ERR_TOO_LARGE', `request body over ${max} bytes`);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel().catch(() => {});
      throw new HttpError(413, 'ERR_TOO_LARGE', `request body over ${max} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(n);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.byteLength;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}

/** What temporary keys from POST /credentials may do: single-request uploads, never multipart. */
const CREDENTIALS_ACTIONS = ['PostObject', 'PutObject'];

/** The CAM policy of a user's temporary keys: uploads under `users/<id>/`, with the worker's limits. */
function credentialsPolicy(user, env) {
  const conditions = {
    maxContentLength: maxBytes(env),
    contentTypes: [...allowedContentTypes(env)],
    storageClasses: [storageClass(env)],
    acl: [objectAcl(env)],
  };
  const sse = env.STS_REQUIRE_SSE || 'NONE';
  if (sse !== 'NONE') conditions.requireSse = sse;
  // Single-request uploads only (PutObject, PostObject), each capped by `maxContentLength`: no
  // multipart action, so the keys cannot assemble an object larger than MAX_UPLOAD_BYTES out of
  // parts (up to 10,000 of them). Large files go through POST /multipart, whose ticket pins the
  // total size (issue 25).
  return cosPolicy({ bucket: env.COS_BUCKET, region: env.COS_REGION, allow: [{ actions: CREDENTIALS_ACTIONS, prefix: `users/${user}/`, conditions }] });
}

/** One credentials provider per user in this isolate (bounded: the oldest is dropped). */
const providers = new Map();
const MAX_PROVIDERS = 1000;

async function credentials(user, body, env) {
  onlyFields(body, []);
  // On by default: the policy pins the ACL like the other routes (`acl` condition).
  if (String(env.ALLOW_TEMPORARY_KEYS ?? '').toLowerCase() === 'false') throw new HttpError(404, 'ERR_NOT_FOUND', 'temporary keys are turned off (ALLOW_TEMPORARY_KEYS=false)');
  requireCredentials(env);
  const policy = credentialsPolicy(user, env);
  const cacheKey = `${user}\n${policy}`;
  let provider = providers.get(cacheKey);
  if (!provider) {
    const duration = Number(env.STS_DURATION_SECONDS || 1800);
    provider = credentialsProvider(() => getFederationToken({
      secretId: env.COS_SECRET_ID,
      secretKey: env.COS_SECRET_KEY,
      securityToken: env.COS_SECURITY_TOKEN || undefined,
      region: env.STS_REGION || env.COS_REGION,
      endpoint: env.STS_ENDPOINT || undefined,
      // STS's Name character set is UNCONFIRMED: keep to letters, digits and _-.
      name: `u-${String(user).replace(/[^\w.-]/g, '_')}`.slice(0, 32),
      durationSeconds: duration,
      policy,
    }), { marginSeconds: 300 });
    if (providers.size >= MAX_PROVIDERS) providers.delete(providers.keys().next().value);
    providers.set(cacheKey, provider);
  }
  const c = await provider.get();
  return {
    tmpSecretId: c.tmpSecretId,
    tmpSecretKey: c.tmpSecretKey,
    sessionToken: c.sessionToken,
    expiredTime: c.expiredTime,
    expiration: c.expiration,
    bucket: env.COS_BUCKET,
    region: env.COS_REGION,
    prefix: `users/${user}/`,
    // what every upload must send for the policy to allow it
    acl: objectAcl(env),
    storageClass: storageClass(env),
    sse: env.STS_REQUIRE_SSE || 'NONE',
    maxBytes: maxBytes(env),
    contentTypes: [...allowedContentTypes(env)],
    endpoint: { ...endpoint(env), allowInsecureLocal: bool(env.ALLOW_INSECURE_LOCAL) },
  };
}

async function readJson(request) {
  if (!/^application\/json\b/i.test(request.headers.get('Content-Type') ?? '')) {
    throw new HttpError(400, 'ERR_BAD_REQUEST', 'send a JSON body (Content-Type: application/json)');
  }
  let text;
  try {
    text = await readCapped(request, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw new HttpError(400, 'ERR_BAD_REQUEST', 'the body must be UTF-8 JSON');
  }
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {}
  throw new HttpError(400, 'ERR_BAD_REQUEST', 'the body must be a JSON object');
}

// POST /multipart (multipart.js): signs each step of a large upload, with this file's rules.
const multipartRoute = (user, body, env) =>
  multipart(user, body, env, { HttpError, objectKey, checkSize, maxBytes, contentTypeFor, objectAcl, storageClass, sseFor, signer, endpoint, ttl, bool, onlyFields, timingSafeEqual });

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const origin = request.headers.get('Origin');
    try {
      if (origin && !corsHeaders(request, env)['Access-Control-Allow-Origin']) {
        throw new HttpError(403, 'ERR_ORIGIN_NOT_ALLOWED', 'this origin may not call the worker');
      }
      if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: corsHeaders(request, env) });
      if (pathname === '/health' && (request.method === 'GET' || request.method === 'HEAD')) return json({ ok: true }, 200, request, env);
      if (pathname === '/download' && request.method === 'GET') {
        const helpers = { HttpError, objectKey, signer, endpoint, ttl, bool };
        return json(download(authenticate(request, env), new URL(request.url), env, helpers), 200, request, env);
      }
      const routes = { '/upload-form': uploadForm, '/presign': presign, '/credentials': credentials, '/multipart': multipartRoute };
      const route = routes[pathname];
      if (!route) throw new HttpError(404, 'ERR_NOT_FOUND', 'no such endpoint');
      if (request.method !== 'POST') throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', 'use POST');
      const user = authenticate(request, env);
      const body = await readJson(request);
      return json(await route(user, body, env), 200, request, env);
    } catch (e) {
      if (e instanceof HttpError) return json({ error: { code: e.code, message: e.message } }, e.status, request, env);
      // CosError messages never contain secrets or keys (package contract). STS failures are the
      // worker's upstream failing, not the caller's request.
      if (isCosError(e) && ['ERR_STS', 'ERR_STS_BAD_RESPONSE', 'ERR_TIMEOUT', 'ERR_NETWORK'].includes(e.code)) {
        return json({ error: { code: e.code, message: e.message, requestId: e.requestId } }, 502, request, env);
      }
      if (isCosError(e)) return json({ error: { code: e.code, message: e.message } }, 400, request, env);
      return json({ error: { code: 'ERR_INTERNAL', message: 'internal error' } }, 500, request, env);
    }
  },
};
