// POST /multipart: signs each step of a browser's multipart upload (cos-wasm/upload's `presign`
// callback), so the page uploads large files straight to COS without holding a credential.
//
//   { action: 'initiate', key | filename, size, partSize, contentType?, sse?, keyMd5?, algorithm? }
//       -> { url, headers, key, ticket }        the signed InitiateMultipartUpload
//   { action: 'bind', ticket, uploadId }      -> { ticket }   binds the ticket to COS's upload id
//   { action: 'part', ticket, partNumber, size } -> { url, headers }   UploadPart (Content-Type and Content-Length signed)
//   { action: 'list', ticket, partNumberMarker? } -> { url, headers }  ListParts
//   { action: 'complete', ticket, size }      -> { url, headers }   CompleteMultipartUpload (its XML's size signed)
//   { action: 'abort', ticket }               -> { url, headers }   AbortMultipartUpload
//
// Stateless: the ticket is `payload.HMAC` (HMAC-SHA256 under a key derived from the COS secret)
// over the user, the object key, the SSE mode and its pinned key-MD5, the declared size and an
// expiry; after `bind` also the upload id. So a caller is confined to its `users/<id>/` prefix
// (checked at initiate, as every other route does) and, once bound, to one upload id; every
// signed request carries the SSE headers pinned at initiate. `bind` trusts the first upload id it
// is given: COS itself refuses an upload id that belongs to another object key.
// Limits: the declared size is at most MAX_UPLOAD_BYTES, and every ticket uses the worker's one
// part size P (MULTIPART_PART_BYTES, default 8 MiB; the caller's `partSize` must equal it):
// part n is signed only for its exact length, min(P, size - (n - 1) × P), with Content-Length
// signed, and only for the part numbers the size needs. COS keeps one part per number, so the
// parts of one upload never add up to more than ceil(MAX_UPLOAD_BYTES / P) × P, even when
// several tickets (of different declared sizes) are bound to the same upload id; COS itself
// does not bound the sum of the parts. A per-ticket part size would not hold that bound.
//
// SSE modes as in /upload-form: SSE-C-CLIENT pins the algorithm and key-MD5 (the page adds the
// key header itself, sent to COS only); SSE-C-WORKER derives the object's key here (and so hands
// it to the page in the headers, as /presign does).

/** How long a ticket (and so a resumable upload) stays usable: a day. */
const TICKET_TTL_SECONDS = 86400;
const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
const MAX_PARTS = 10000;
const MiB = 1024 * 1024;
const ACTIONS = ['initiate', 'bind', 'part', 'list', 'complete', 'abort'];
/** The largest CompleteMultipartUpload XML signed: 10,000 parts of about 100 bytes each. */
const MAX_COMPLETE_BYTES = 2 * MiB;
/** Default of env.MULTIPART_PART_BYTES. */
const DEFAULT_PART_BYTES = 8 * MiB;

const enc = new TextEncoder();
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

async function hmac(key, data) {
  const k = await crypto.subtle.importKey('raw', typeof key === 'string' ? enc.encode(key) : key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, enc.encode(data)));
}

/** The ticket key: derived from the COS secret, so there is no extra secret to configure. */
const ticketKey = (env) => hmac(env.COS_SECRET_KEY, 'cos-wasm edge worker: multipart upload ticket v1');

async function seal(payload, env) {
  const body = b64url(enc.encode(JSON.stringify(payload)));
  return `${body}.${b64url(await hmac(await ticketKey(env), body))}`;
}

async function open(ticket, user, env, h) {
  const bad = () => new h.HttpError(403, 'ERR_FORBIDDEN', 'invalid or expired upload ticket');
  if (typeof ticket !== 'string' || ticket.length > 4096) throw bad();
  // exactly `payload.mac`: a ticket with anything appended is not the one that was issued
  const [body, mac, ...rest] = ticket.split('.');
  if (!body || !mac || rest.length) throw bad();
  const want = b64url(await hmac(await ticketKey(env), body));
  if (!h.timingSafeEqual(want, mac)) throw bad();
  let t;
  try {
    t = JSON.parse(new TextDecoder().decode(unb64url(body)));
  } catch {
    throw bad();
  }
  if (t.u !== user || !(t.e > Date.now() / 1000)) throw bad();
  return t;
}

/** The one part size of every upload (env.MULTIPART_PART_BYTES): 1 MiB to 5 GiB, and MAX_UPLOAD_BYTES in at most 10,000 parts. */
function partBytes(env, h) {
  // unset: undefined, or null from config.capnp's fromEnvironment binding of an unset variable
  const p = env.MULTIPART_PART_BYTES == null || env.MULTIPART_PART_BYTES === '' ? DEFAULT_PART_BYTES : Number(env.MULTIPART_PART_BYTES);
  if (!Number.isSafeInteger(p) || p < MiB || p > MAX_PART_BYTES || Math.ceil(h.maxBytes(env) / p) > MAX_PARTS) {
    throw new h.HttpError(500, 'ERR_CONFIG', 'MULTIPART_PART_BYTES must be an integer from 1 MiB to 5 GiB that splits MAX_UPLOAD_BYTES into at most 10,000 parts');
  }
  return p;
}

const int = (v, name, min, max, h) => {
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new h.HttpError(400, 'ERR_BAD_REQUEST', `${name} must be an integer from ${min} to ${max}`);
  return v;
};

/**
 * Signs one `step` on the ticket's object with the SSE pinned at initiate: every mode on
 * initiate, the SSE-C headers only on parts and ListParts, none on complete and abort.
 */
function sign(t, step, { method, query, headers = {} }, env, h) {
  const owned = [];
  const s = h.signer(env);
  try {
    let { sse, pinned } = h.sseFor(t.s, { keyMd5: t.m, algorithm: t.a }, env, t.k, owned);
    if (step === 'part' || step === 'list') {
      if (sse && sse.type !== 'SSE-C') sse = undefined;
    } else if (step !== 'initiate') {
      sse = pinned = undefined;
    }
    const signed = s.signRequest({
      ...h.endpoint(env),
      method,
      key: t.k,
      query,
      headers: { ...headers, ...pinned },
      sse,
      expires: h.ttl(env),
      allowInsecureLocal: h.bool(env.ALLOW_INSECURE_LOCAL),
    });
    return { url: signed.url, headers: signed.headers };
  } finally {
    s.free();
    for (const k of owned) k.free();
  }
}

/**
 * The route. `h` are the worker's helpers (HttpError, objectKey, checkSize, contentTypeFor,
 * objectAcl, storageClass, sseFor, signer, endpoint, ttl, bool, onlyFields, timingSafeEqual),
 * passed in by worker.js so the rules stay in one place.
 */
export async function multipart(user, body, env, h) {
  const action = body.action;
  if (!ACTIONS.includes(action)) throw new h.HttpError(400, 'ERR_BAD_REQUEST', `action must be one of ${ACTIONS.join(', ')}`);
  if (action === 'initiate') {
    h.onlyFields(body, ['action', 'key', 'filename', 'size', 'partSize', 'contentType', 'sse', 'keyMd5', 'algorithm']);
    const key = h.objectKey(user, body);
    if (body.size === undefined) throw new h.HttpError(400, 'ERR_BAD_REQUEST', 'size is required');
    const size = h.checkSize(body.size, env);
    const p = partBytes(env, h);
    const partSize = int(body.partSize, 'partSize (this worker signs parts of MULTIPART_PART_BYTES)', p, p, h);
    const mode = body.sse ?? 'NONE';
    // validates the mode and the SSE-C-CLIENT key-MD5 now, not at the first part
    const owned = [];
    try {
      h.sseFor(mode, body, env, key, owned);
    } finally {
      for (const k of owned) k.free();
    }
    const t = { u: user, k: key, s: mode, m: body.keyMd5, a: body.algorithm, z: size, p: partSize, e: Math.floor(Date.now() / 1000) + TICKET_TTL_SECONDS };
    const headers = {
      'Content-Type': h.contentTypeFor(body.contentType, env),
      'x-cos-acl': h.objectAcl(env),
      'x-cos-storage-class': h.storageClass(env),
    };
    const signed = sign(t, 'initiate', { method: 'POST', query: { uploads: null }, headers }, env, h);
    return { ...signed, key, bucket: env.COS_BUCKET, ticket: await seal(t, env) };
  }
  const t = await open(body.ticket, user, env, h);
  if (action === 'bind') {
    h.onlyFields(body, ['action', 'ticket', 'uploadId']);
    if (t.id !== undefined) throw new h.HttpError(403, 'ERR_FORBIDDEN', 'this ticket is already bound to an upload');
    if (typeof body.uploadId !== 'string' || !/^[A-Za-z0-9._~-]{1,256}$/.test(body.uploadId)) throw new h.HttpError(400, 'ERR_BAD_REQUEST', 'uploadId must be the id COS returned');
    return { ticket: await seal({ ...t, id: body.uploadId }, env) };
  }
  if (t.id === undefined) throw new h.HttpError(403, 'ERR_FORBIDDEN', 'bind the ticket to its upload id first');
  const uploadId = t.id;
  switch (action) {
    case 'part': {
      h.onlyFields(body, ['action', 'ticket', 'partNumber', 'size']);
      const partNumber = int(body.partNumber, 'partNumber', 1, Math.max(1, Math.ceil(t.z / t.p)), h);
      const exact = Math.min(t.p, t.z - (partNumber - 1) * t.p);
      const size = int(body.size, 'size', exact, exact, h);
      return sign(t, 'part', { method: 'PUT', query: { partNumber, uploadId }, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size } }, env, h);
    }
    case 'list': {
      h.onlyFields(body, ['action', 'ticket', 'partNumberMarker']);
      const query = { uploadId, 'max-parts': 1000 };
      if (body.partNumberMarker !== undefined) query['part-number-marker'] = int(body.partNumberMarker, 'partNumberMarker', 0, MAX_PARTS, h);
      return sign(t, 'list', { method: 'GET', query }, env, h);
    }
    case 'complete': {
      // Strict signing (the worker's signer): the XML body's type and exact size are signed.
      h.onlyFields(body, ['action', 'ticket', 'size']);
      const size = int(body.size, 'size (bytes of the CompleteMultipartUpload XML)', 1, MAX_COMPLETE_BYTES, h);
      return sign(t, 'complete', { method: 'POST', query: { uploadId }, headers: { 'Content-Type': 'application/xml', 'Content-Length': size } }, env, h);
    }
    case 'abort':
      h.onlyFields(body, ['action', 'ticket']);
      return sign(t, 'abort', { method: 'DELETE', query: { uploadId } }, env, h);
  }
}
