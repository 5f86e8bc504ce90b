// Browser direct upload with cos-wasm: no framework, no bundler.
// 1. ask the edge worker for a signed POST form (it holds the COS secret),
// 2. hash the file locally (CRC-64, progress), POST it straight to COS with XMLHttpRequest
//    (upload progress), and check COS's x-cos-hash-crc64ecma against the local CRC-64,
// 3. ask the worker for a pre-signed GET, download, and compare the bytes.
// Mode SSE-C-CLIENT generates the SSE-C key here, stores it wrapped (passphrase-derived
// WrappingKey) in IndexedDB, and never sends it to the worker: the worker pins its MD5.
// The page needs the POST-form helpers of the signer entry (it signs nothing itself: the
// worker does), the hashing entry and, for SSE-C-CLIENT, the keys entry: three small .wasm.
import { init as initSigner, postFormData, sseHeaders } from 'cos-wasm';
import { init as initHash, hashInput, verifyResponseCrc64 } from 'cos-wasm/hash';
import { init as initKeys, CustomerKey, WrappingKey } from 'cos-wasm/keys';
// Signing "temporary keys" (temporary.js): the worker hands out STS keys instead, and the page
// signs its own PUT or POST form with them.
import { forgetCredentials, uploadWithTemporaryKeys } from './temporary.js';

const init = () => Promise.all([initSigner(), initHash(), initKeys()]);
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- configuration
// `config.json` beside the page ({ api, users: { id: token }, cosOrigin }, written by the demo), or
// `?api=https://worker.example&token=…`.
async function loadConfig() {
  const q = new URLSearchParams(location.search);
  if (q.get('api')) return { api: q.get('api'), users: { me: q.get('token') ?? '' } };
  const res = await fetch('config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error('no config.json and no ?api= parameter');
  return res.json();
}

let config;
const token = () => config.users[$('user').value];

/** Calls the worker; throws its `{ error: { code, message } }` as an Error with `code`. */
async function api(path, body) {
  const res = await fetch(new URL(path, config.api), {
    method: 'POST',
    headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw Object.assign(new Error(`${json.error.code}: ${json.error.message}`), { code: json.error.code, status: res.status });
  return json;
}

// ---------------------------------------------------------------- IndexedDB (wrapped keys)
function idb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('cos-wasm-demo', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('keys', { keyPath: 'object' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function idbTx(mode, fn) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('keys', mode);
    const req = fn(tx.objectStore('keys'));
    tx.oncomplete = () => (db.close(), resolve(req?.result));
    tx.onerror = () => (db.close(), reject(tx.error));
  });
}
const putRecord = (rec) => idbTx('readwrite', (s) => s.put(rec));
const getRecord = (object) => idbTx('readonly', (s) => s.get(object));
const allRecords = () => idbTx('readonly', (s) => s.getAll());

/** The wrapping key from the passphrase: fresh parameters, or the stored ones. */
function wrappingKey(params) {
  const passphrase = $('passphrase').value;
  return params
    ? { key: WrappingKey.fromPassphrase({ passphrase, params }).key, params }
    : WrappingKey.fromPassphrase({ passphrase, iterations: 200_000 });
}

/** Loads the page-held key of `object` from IndexedDB and unwraps it. */
async function loadPageKey(bucket, object) {
  const rec = await getRecord(`${bucket}/${object}`);
  if (!rec) throw new Error(`no page-held key for ${object}`);
  const { key: wk } = wrappingKey(rec.params);
  try {
    return CustomerKey.unwrap(rec.envelope, wk, { aad: rec.object });
  } finally {
    wk.free();
  }
}

async function showKeys() {
  const rows = (await allRecords()).map((r) => `<tr><td>${escape(r.object)}</td><td>${r.algorithm}</td><td>${r.fingerprint}</td></tr>`);
  $('keys').tBodies[0].innerHTML = rows.join('');
}
const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// ---------------------------------------------------------------- steps and progress
let steps = [];
function step(text, ok = true) {
  steps.push({ text, ok });
  const li = document.createElement('li');
  li.className = ok ? 'ok' : 'fail';
  li.textContent = text;
  $('steps').append(li);
}
function status(state, text) {
  $('status').dataset.state = state;
  $('status').textContent = text;
}
const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;

/** COS error code from an XML error body. */
const cosCode = (xml) => /<Code>([^<]+)<\/Code>/.exec(xml ?? '')?.[1];

/** POSTs the form with XMLHttpRequest (upload progress); resolves to { status, headers, body }. */
function sendForm(form, body) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.url);
    xhr.upload.onprogress = (e) => e.lengthComputable && ($('upload-progress').value = e.loaded / e.total);
    xhr.onload = () => resolve({ status: xhr.status, headers: { get: (n) => xhr.getResponseHeader(n) }, body: xhr.responseText });
    xhr.onerror = () => reject(new Error('network error (CORS?) posting the form'));
    xhr.send(body);
  });
}

// ---------------------------------------------------------------- the flow
/**
 * Uploads `file` with `mode`, verifies the CRC-64, downloads it back and compares bytes.
 * `overrides` are merged into the /upload-form request (tests use them for negative paths).
 * Resolves to a result object (also kept in window.__result).
 */
async function run({ file, mode, signing = 'worker', overrides = {} }) {
  if (signing !== 'worker') return runTemporary({ file, how: signing, overrides });
  steps = [];
  $('steps').replaceChildren();
  $('hash-progress').value = 0;
  $('upload-progress').value = 0;
  const result = { mode, file: file.name, size: file.size, steps };
  status('busy', `Working: ${mode}…`);
  const owned = [];
  try {
    // 1. hash locally (chunked in wasm; progress)
    const local = await hashInput(file, { algorithms: ['crc64'], onProgress: (done, total) => ($('hash-progress').value = total ? done / total : 1) });
    result.crc64Local = local.crc64;
    step(`hashed ${file.name} (${mib(file.size)}): CRC-64 ${local.crc64}`);

    // 2. the form from the worker
    const request = { filename: file.name, size: file.size, contentType: file.type || 'application/octet-stream', sse: mode, ...overrides };
    let pageKey;
    if (mode === 'SSE-C-CLIENT') {
      pageKey = CustomerKey.generate('AES256');
      owned.push(pageKey);
      request.keyMd5 = pageKey.md5Base64; // only the MD5 goes to the worker
      request.algorithm = pageKey.algorithm;
    }
    const form = await api('/upload-form', request);
    result.key = form.key;
    step(`worker signed a POST form for ${form.key} (SSE fields: ${Object.keys(form.fields).filter((f) => f.startsWith('x-cos-')).join(', ') || 'no SSE'})`);

    if (pageKey) {
      // store the key wrapped, bound to bucket/object, before anything is uploaded with it
      const { key: wk, params } = wrappingKey();
      const object = `${form.bucket}/${form.key}`;
      await putRecord({ object, algorithm: pageKey.algorithm, fingerprint: pageKey.fingerprint, params, envelope: pageKey.wrap(wk, { aad: object }) });
      wk.free();
      step(`page key ${pageKey.fingerprint} wrapped and stored in IndexedDB`);
      await showKeys();
      // the key field itself (not in the policy; COS checks it against the pinned MD5)
      Object.assign(form.fields, sseHeaders({ type: 'SSE-C', key: pageKey }, 'PostObject'));
    }

    // 3. upload straight to COS
    const up = await sendForm(form, postFormData(form, file, file.name));
    result.uploadStatus = up.status;
    if (up.status >= 300) {
      result.uploadError = cosCode(up.body) ?? `HTTP ${up.status}`;
      throw new Error(`upload refused by COS: ${up.status} ${result.uploadError}`);
    }
    result.crc64Server = up.headers.get('x-cos-hash-crc64ecma');
    result.sseEcho = up.headers.get('x-cos-server-side-encryption') ?? up.headers.get('x-cos-server-side-encryption-customer-algorithm');
    verifyResponseCrc64(up, local.crc64); // throws ERR_CRC64_MISMATCH
    step(`uploaded (${up.status}); server CRC-64 ${result.crc64Server} matches${result.sseEcho ? `; encrypted: ${result.sseEcho}` : ''}`);

    // 4. download through a pre-signed GET
    const got = await download(form.key, mode, { bucket: form.bucket });
    result.downloadStatus = got.status;
    if (got.status !== 200) throw new Error(`download refused: ${got.status} ${got.code}`);
    const a = new Uint8Array(await file.arrayBuffer());
    const b = new Uint8Array(got.bytes);
    result.bytesMatch = a.length === b.length && a.every((v, i) => v === b[i]);
    const back = await hashInput(got.bytes, { algorithms: ['crc64'] });
    result.crc64Downloaded = back.crc64;
    step(`downloaded ${mib(b.length)} via pre-signed GET; bytes ${result.bytesMatch ? 'match' : 'DIFFER'}`, result.bytesMatch);
    if (!result.bytesMatch) throw new Error('downloaded bytes differ');
    result.ok = true;
    status('done', `Done: ${mode}, ${file.name} uploaded encrypted, verified and read back.`);
  } catch (e) {
    result.ok = false;
    result.error = e.code ?? result.uploadError ?? String(e.message ?? e);
    result.message = String(e.message ?? e);
    step(result.message, false);
    status('error', `Failed: ${result.message}`);
  } finally {
    for (const k of owned) k.free();
    window.__result = result;
  }
  return result;
}

/**
 * Temporary-keys flow: keys from POST /credentials, the upload signed here (`how`: `put` or
 * `post`), CRC-64 checked, then read back through the worker. `overrides` go to
 * uploadWithTemporaryKeys (tests use them for refusals). Resolves to a result object.
 */
async function runTemporary({ file, how, overrides }) {
  steps = [];
  $('steps').replaceChildren();
  const result = { mode: `temporary-${how}`, file: file.name, size: file.size, steps };
  status('busy', `Working: temporary keys, ${how}…`);
  try {
    const local = await hashInput(file, { algorithms: ['crc64'] });
    const up = await uploadWithTemporaryKeys(api, file, how, overrides);
    Object.assign(result, { key: up.key, uploadStatus: up.status });
    if (up.status >= 300) {
      result.uploadError = up.code ?? `HTTP ${up.status}`;
      throw new Error(`upload refused by COS: ${up.status} ${result.uploadError}`);
    }
    verifyResponseCrc64(up, local.crc64);
    step(`uploaded ${up.key} with temporary keys (${how === 'post' ? 'POST form' : 'PUT'}, ${up.status}); CRC-64 matches`);
    const got = await download(up.key, 'NONE');
    result.downloadStatus = got.status;
    const a = new Uint8Array(await file.arrayBuffer());
    result.bytesMatch = got.status === 200 && a.length === got.bytes.byteLength && a.every((v, i) => v === new Uint8Array(got.bytes)[i]);
    if (!result.bytesMatch) throw new Error(`read back failed: ${got.status} ${got.code ?? 'bytes differ'}`);
    step('read back through the worker; bytes match');
    result.ok = true;
    status('done', `Done: ${file.name} uploaded with temporary keys and read back.`);
  } catch (e) {
    Object.assign(result, { ok: false, error: e.code ?? result.uploadError ?? String(e.message ?? e), message: String(e.message ?? e) });
    step(result.message, false);
    status('error', `Failed: ${result.message}`);
  }
  window.__result = result;
  return result;
}

/**
 * Downloads `key` through a worker-signed URL. SSE-C-CLIENT unwraps the page key from
 * IndexedDB (or uses `customerKey`) and adds the key header the URL was signed for.
 */
async function download(key, mode, { bucket, customerKey } = {}) {
  const req = { method: 'GET', key, sse: mode };
  let pageKey = customerKey;
  if (mode === 'SSE-C-CLIENT') {
    pageKey ??= await loadPageKey(bucket, key);
    req.keyMd5 = pageKey.md5Base64;
    req.algorithm = pageKey.algorithm;
  }
  const pre = await api('/presign', req);
  const headers = { ...pre.headers };
  if (pageKey) Object.assign(headers, sseHeaders({ type: 'SSE-C', key: pageKey }, 'GetObject'));
  if (pageKey && pageKey !== customerKey) pageKey.free();
  const res = await fetch(pre.url, { headers });
  if (!res.ok) return { status: res.status, code: cosCode(await res.text()) };
  return { status: res.status, bytes: await res.arrayBuffer() };
}

// ---------------------------------------------------------------- wiring
async function main() {
  await init(); // loads each entry's .wasm beside its web.js
  config = await loadConfig();
  for (const id of Object.keys(config.users)) $('user').add(new Option(id, id));
  $('user').onchange = forgetCredentials;
  const sync = () => ($('passphrase-row').hidden = $('mode').value !== 'SSE-C-CLIENT');
  $('mode').onchange = sync;
  sync();
  $('upload').onclick = () => {
    const file = $('file').files[0];
    if (!file) return status('error', 'Choose a file first.');
    run({ file, mode: $('mode').value, signing: $('signing').value });
  };
  $('upload').disabled = false;
  await showKeys();
  status('ready', 'Ready: choose a file and an encryption mode.');
  window.app = { run, download, api, loadPageKey, cos: { CustomerKey, WrappingKey, hashInput, postFormData, sseHeaders, verifyResponseCrc64 } };
}

main().catch((e) => status('error', `Could not start: ${e.message}`));
