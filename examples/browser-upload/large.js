// "Large file" mode of the demo: a resumable multipart upload with cos-wasm/upload. The edge
// worker signs each step (POST /multipart, see examples/edge-worker/multipart.js); the page
// holds no credential. Pause, resume, cancel; reload the page and pick the same file again: the
// upload continues (state in IndexedDB, confirmed by ListParts), sending only missing parts.
// SSE-C-CLIENT: the page's key is generated once per object, kept wrapped (passphrase) in
// IndexedDB so a resumed upload uses the same key, and only its MD5 goes to the worker.
import { init as initSigner, sseHeaders } from 'cos-wasm';
import { init as initHash, hashInput } from 'cos-wasm/hash';
import { init as initKeys, CustomerKey, WrappingKey } from 'cos-wasm/keys';
import { uploadFile, indexedDbStore } from 'cos-wasm/upload';

const $ = (id) => document.getElementById(id);
const keys = indexedDbStore('cos-wasm-demo-large-keys');

async function loadConfig() {
  const q = new URLSearchParams(location.search);
  if (q.get('api')) return { api: q.get('api'), users: { me: q.get('token') ?? '' } };
  return (await fetch('config.json', { cache: 'no-store' })).json();
}

/** Calls the worker; throws its `{ error: { code, message } }` as an Error with `code`. */
async function api(config, user, body) {
  const res = await fetch(new URL('/multipart', config.api), {
    method: 'POST',
    headers: { Authorization: `Bearer ${config.users[user]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw Object.assign(new Error(`${json.error.code}: ${json.error.message}`), { code: json.error.code });
  return json;
}

/** The page key for `object`: the stored one (unwrapped with the passphrase), else a new one, stored. */
async function pageKeyFor(object, passphrase) {
  const rec = await keys.get(object);
  if (rec) {
    const { key: wk } = WrappingKey.fromPassphrase({ passphrase, params: rec.params });
    try {
      return CustomerKey.unwrap(rec.envelope, wk, { aad: object });
    } finally {
      wk.free();
    }
  }
  const key = CustomerKey.generate('AES256');
  const { key: wk, params } = WrappingKey.fromPassphrase({ passphrase, iterations: 200_000 });
  await keys.put(object, { params, envelope: key.wrap(wk, { aad: object }) });
  wk.free();
  return key;
}

/**
 * cos-wasm/upload's `presign` callback over the worker's /multipart: initiate returns a ticket,
 * bound once to COS's upload id; every later step sends the bound ticket. After a reload the
 * page asks for a fresh ticket for the same object (its signed initiate is not used) and binds it.
 */
function workerPresign(call, initiate) {
  let ticket;
  const bound = new Map();
  const ticketFor = (uploadId) => {
    if (!bound.has(uploadId)) {
      bound.set(uploadId, (async () => {
        ticket ??= (await call(initiate)).ticket;
        return (await call({ action: 'bind', ticket, uploadId })).ticket;
      })());
    }
    return bound.get(uploadId);
  };
  const actions = { UploadPart: 'part', ListParts: 'list', CompleteMultipartUpload: 'complete', AbortMultipartUpload: 'abort' };
  return async (req) => {
    if (req.operation === 'InitiateMultipartUpload') {
      const r = await call(initiate);
      ticket = r.ticket;
      return r;
    }
    const body = { action: actions[req.operation], ticket: await ticketFor(req.uploadId) };
    if (req.operation === 'UploadPart') Object.assign(body, { partNumber: req.partNumber, size: req.contentLength });
    if (req.operation === 'CompleteMultipartUpload') body.size = req.contentLength; // signed: the worker signs strictly
    if (req.query['part-number-marker'] !== undefined) body.partNumberMarker = req.query['part-number-marker'];
    return call(body);
  };
}

let config;
let task;

/**
 * Starts (or resumes) the upload of `file` as `users/<user>/<name>` with encryption `mode`.
 * Resolves to the result, also kept in `window.large.result` (or `{ error, message }`).
 */
async function start(file, { mode = 'SSE-C-CLIENT', user = Object.keys(config.users)[0], name = file.name, partSize = 8 * 1024 * 1024, concurrency = 4, passphrase = $('passphrase')?.value ?? 'demo passphrase, change me' } = {}) {
  const key = `users/${user}/${name}`;
  const initiate = { action: 'initiate', key, size: file.size, partSize, contentType: file.type || 'application/octet-stream', sse: mode };
  let sse;
  let pageKey;
  if (mode === 'SSE-C-CLIENT') {
    pageKey = await pageKeyFor(key, passphrase);
    initiate.keyMd5 = pageKey.md5Base64;
    initiate.algorithm = pageKey.algorithm;
    sse = sseHeaders({ type: 'SSE-C', key: pageKey }, 'UploadPart');
  }
  const state = (window.large.state = { progress: undefined, result: undefined });
  $('large-status').textContent = `Uploading ${key}…`;
  task = uploadFile(file, {
    key,
    // the COS endpoint is the page's decision (config.json), not the worker's: a signed URL for
    // any other origin is refused, so the key and the file go nowhere else
    origin: config.cosOrigin,
    presign: workerPresign((body) => api(config, user, body), initiate),
    sse,
    partSize,
    multipartThreshold: 0, // /multipart signs multipart steps only (small files: the POST form)
    allowInsecureLocal: true, // the SSE-C key may go over plain http only to a loopback emulator
    concurrency,
    onProgress: (p) => {
      state.progress = p;
      $('large-progress').value = p.loaded / p.total;
    },
  });
  window.large.task = task;
  try {
    state.result = await task;
    $('large-status').textContent = `Done: ${key}, ${state.result.parts} parts (${state.result.resumedParts} resumed), CRC-64 ${state.result.crc64} verified.`;
  } catch (e) {
    state.result = { error: e.code ?? 'ERROR', message: String(e.message ?? e) };
    $('large-status').textContent = `Stopped: ${state.result.message}`;
  } finally {
    pageKey?.free();
  }
  return state.result;
}

/**
 * Reads `users/<user>/<name>` back through a worker-signed GET (with the page key for
 * SSE-C-CLIENT) and hashes it as it streams in: resolves to `{ status, size, crc64 }`.
 */
async function readBack(name, { mode = 'SSE-C-CLIENT', user = Object.keys(config.users)[0], passphrase = 'demo passphrase, change me' } = {}) {
  const key = `users/${user}/${name}`;
  const req = { method: 'GET', key, sse: mode };
  let pageKey;
  if (mode === 'SSE-C-CLIENT') {
    pageKey = await pageKeyFor(key, passphrase);
    Object.assign(req, { keyMd5: pageKey.md5Base64, algorithm: pageKey.algorithm });
  }
  const res = await fetch(new URL('/presign', config.api), {
    method: 'POST',
    headers: { Authorization: `Bearer ${config.users[user]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(req),
  });
  const pre = await res.json();
  const headers = { ...pre.headers, ...(pageKey ? sseHeaders({ type: 'SSE-C', key: pageKey }, 'GetObject') : {}) };
  pageKey?.free();
  const got = await fetch(pre.url, { headers });
  if (!got.ok) return { status: got.status };
  const h = await hashInput(got.body, { algorithms: ['crc64'] });
  return { status: got.status, size: h.bytes, crc64: h.crc64 };
}

async function main() {
  await Promise.all([initSigner(), initHash(), initKeys()]);
  config = await loadConfig();
  window.large = { start, readBack, pause: () => task?.pause(), resume: () => task?.resume(), cancel: () => task?.cancel(), state: {} };
  $('large-start').onclick = () => {
    const file = $('file').files[0];
    if (file) start(file, { mode: $('mode').value, user: $('user').value });
  };
  $('large-pause').onclick = () => task?.pause();
  $('large-resume').onclick = () => task?.resume();
  $('large-cancel').onclick = () => task?.cancel();
}

main().catch((e) => ($('large-status').textContent = `Could not start: ${e.message}`));
