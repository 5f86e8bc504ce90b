// Issue 17: an attacker holding a legitimately issued form or pre-signed URL (from the example
// edge worker, under workerd, against the local emulator) tries every bypass the issue lists.
// Each must fail: the worker refuses the request, the signature or policy no longer holds
// (403 from the emulator), or the emulator refuses what the signature does not cover.
// After every attempt the object is checked: nothing the worker did not decide was stored.
//
// The rows marked STRICT-EMULATOR rely on the emulator refusing what no signature covers
// (unsigned x-cos-* headers and sub-resources, form fields the policy does not name), which
// is what the strict emulator does and what COS itself is UNCONFIRMED to do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { CosSigner, isCosError } from 'cos-wasm';
import { postFormOnce, startStack } from './e2e-stack.mjs';

let stack;
before(async () => {
  stack = await startStack({ maxUploadBytes: 1024 * 1024 });
});
after(async () => {
  await stack?.stop();
});

function callWorker(path, body, { token = stack.users.alice, headers = {} } = {}) {
  return fetch(stack.workerUrl + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function workerJson(path, body) {
  const res = await callWorker(path, body);
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

async function workerError(path, body) {
  const res = await callWorker(path, body);
  const json = await res.json();
  assert.ok(res.status >= 400, `${path} ${JSON.stringify(body)} was accepted`);
  return { status: res.status, code: json.error.code };
}

let n = 0;
const freshKey = (what) => `users/alice/attack-${what}-${++n}.bin`;

/** What the emulator holds at `key`: status, content type and whether anyone can read it. */
async function stored(key) {
  const get = await workerJson('/presign', { method: 'GET', key });
  const res = await fetch(get.url, { headers: get.headers });
  const body = await res.arrayBuffer();
  const anon = await fetch(new URL(get.url).origin + new URL(get.url).pathname);
  await anon.arrayBuffer();
  return { status: res.status, contentType: res.headers.get('content-type'), bytes: body.byteLength, anonymous: anon.status };
}

/** A pre-signed PUT from the worker; `send(extra)` sends `body` with its headers plus `extra`. */
async function presignedPut(key, body, request = {}) {
  const pre = await workerJson('/presign', { method: 'PUT', key, size: Buffer.byteLength(body), ...request });
  const { 'Content-Length': _length, ...headers } = pre.headers;
  return {
    pre,
    headers,
    send: (extra = {}, url = pre.url) => fetch(url, { method: 'PUT', headers: { ...headers, ...extra }, body }),
  };
}

/** Posts the worker's form with `edit(fields)` applied (a list of [name, value]); file last. */
async function postForm(form, edit = (f) => f, file = 'form body') {
  const r = await postFormOnce(form.url, edit(Object.entries(form.fields)), file);
  return { status: r.status, location: r.headers.location ?? null, text: r.text };
}

// ------------------------------------------------------------------ pre-signed PUT

test('presign PUT: every decided header is signed and returned (content type, ACL, storage class)', async () => {
  const { pre, send } = await presignedPut(freshKey('signed'), 'hello');
  assert.equal(pre.headers['Content-Type'], 'application/octet-stream');
  assert.equal(pre.headers['x-cos-acl'], 'private');
  assert.equal(pre.headers['x-cos-storage-class'], 'STANDARD');
  const list = decodeURIComponent(/q-header-list=([^&]*)/.exec(pre.url)[1]).split(';');
  for (const h of ['content-length', 'content-type', 'host', 'x-cos-acl', 'x-cos-storage-class']) assert.ok(list.includes(h), `${h} not signed: ${list}`);
  assert.equal((await send()).status, 200);
});

test('presign PUT without contentType: the caller cannot store text/html or make it public-read', async () => {
  const key = freshKey('html');
  const { send } = await presignedPut(key, '<script>alert(1)</script>');
  for (const extra of [
    { 'Content-Type': 'text/html' },
    { 'x-cos-acl': 'public-read' },
    { 'Content-Type': 'text/html', 'x-cos-acl': 'public-read' },
    { 'x-cos-storage-class': 'ARCHIVE' },
  ]) {
    const res = await send(extra);
    assert.equal(res.status, 403, `${JSON.stringify(extra)} accepted`);
    assert.match(await res.text(), /SignatureDoesNotMatch|AccessDenied/);
  }
  // a second x-cos-acl header is joined to the signed one: still refused
  const pre = await presignedPut(key, 'x');
  const h = new Headers(pre.headers);
  h.append('x-cos-acl', 'public-read');
  assert.equal((await fetch(pre.pre.url, { method: 'PUT', headers: h, body: 'x' })).status, 403);
  assert.equal((await stored(key)).status, 404, 'something was stored');
  // sent as issued: stored with the pinned type, private
  assert.equal((await send()).status, 200);
  assert.deepEqual(await stored(key), { status: 200, contentType: 'application/octet-stream', bytes: 25, anonymous: 403 });
});

test('STRICT-EMULATOR presign PUT + unsigned x-cos-copy-source does not copy another object', async () => {
  const victim = freshKey('victim');
  await (await presignedPut(victim, 'VICTIM SECRET', { contentType: 'text/plain' })).send();
  const key = freshKey('copy');
  const { send } = await presignedPut(key, 'abc');
  const res = await send({ 'x-cos-copy-source': `${stack.env.COS_BUCKET}.cos.${stack.env.COS_REGION}.myqcloud.com/${victim}` });
  assert.equal(res.status, 403, await res.text());
  const got = await stored(key);
  assert.equal(got.status, 404, `the copy was stored: ${JSON.stringify(got)}`);
});

test('STRICT-EMULATOR presign PUT + unsigned ?acl is not an ACL change', async () => {
  const key = freshKey('acl');
  assert.equal((await (await presignedPut(key, 'abc')).send()).status, 200);
  // a URL issued for an upload of exactly this body, turned into PUT ?acl by the holder
  const aclXml = '<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>';
  const { pre, send } = await presignedPut(key, aclXml);
  for (const [url, extra] of [
    [`${pre.url}&acl`, {}],
    [`${pre.url}&acl=`, {}],
    [`${pre.url}&ACL`, {}],
    [pre.url.replace('?', '?acl&'), {}],
  ]) {
    const res = await send(extra, url);
    assert.equal(res.status, 403, `${url}: ${res.status} ${await res.text()}`);
  }
  assert.deepEqual(await stored(key), { status: 200, contentType: 'application/octet-stream', bytes: 3, anonymous: 403 });
});

test('STRICT-EMULATOR presign GET + unsigned response-content-type cannot serve the object as HTML', async () => {
  const key = freshKey('get');
  assert.equal((await (await presignedPut(key, '<script>alert(1)</script>')).send()).status, 200);
  const get = await workerJson('/presign', { method: 'GET', key });
  for (const extra of ['response-content-type=text%2Fhtml', 'response-content-disposition=inline', 'acl']) {
    const res = await fetch(`${get.url}&${extra}`, { headers: get.headers });
    const text = await res.text();
    assert.equal(res.status, 403, `${extra}: ${res.status} ${res.headers.get('content-type')} ${text.slice(0, 80)}`);
  }
});

test('/presign refuses what the worker does not decide: query, headers, copy source, ACL, sub-resources', async () => {
  for (const extra of [
    { query: { acl: '' } },
    { headers: { 'x-cos-copy-source': 'b/k' } },
    { copySource: 'users/bob/secret.bin' },
    { acl: 'public-read' },
    { storageClass: 'ARCHIVE' },
    { subresource: 'acl' },
    { successActionRedirect: 'https://evil.example/' },
  ]) {
    assert.deepEqual(await workerError('/presign', { method: 'PUT', key: freshKey('x'), size: 3, ...extra }), { status: 400, code: 'ERR_BAD_REQUEST' }, JSON.stringify(extra));
  }
  // a method the worker does not sign, and size/contentType on a read
  assert.equal((await workerError('/presign', { method: 'DELETE', key: freshKey('x') })).code, 'ERR_BAD_REQUEST');
  assert.equal((await workerError('/presign', { method: ['PUT'], key: freshKey('x'), size: 3 })).code, 'ERR_BAD_REQUEST');
  assert.equal((await workerError('/presign', { method: 'GET', key: freshKey('x'), contentType: 'text/html' })).code, 'ERR_BAD_REQUEST');
  // a key that looks like a sub-resource is just a key (path-encoded), never a query
  const pre = await workerJson('/presign', { method: 'PUT', key: 'users/alice/a?acl', size: 1 });
  assert.match(pre.url, /\/users\/alice\/a%3Facl\?/);
});

// ------------------------------------------------------------------ content types

test('content types: exact, case-normalised match against full types; script-capable ones refused', async () => {
  for (const contentType of ['text/html', 'image/svg+xml', 'image/../text/html', 'text/plain;text/html', 'text/plain; charset=utf-8', 'image/', 'image/*', 'application/xhtml+xml', 'TEXT/HTML', ' text/html', 'text/plain\r\nx: y']) {
    for (const path of ['/presign', '/upload-form']) {
      const body = path === '/presign' ? { method: 'PUT', key: freshKey('ct'), size: 3, contentType } : { filename: `ct-${++n}.bin`, contentType };
      assert.deepEqual(await workerError(path, body), { status: 400, code: 'ERR_CONTENT_TYPE_NOT_ALLOWED' }, `${path} ${JSON.stringify(contentType)}`);
    }
  }
  for (const contentType of [['text/plain'], { toString: 'text/plain' }, 7]) {
    assert.equal((await workerError('/presign', { method: 'PUT', key: freshKey('ct'), size: 3, contentType })).code, 'ERR_BAD_REQUEST');
  }
  // an allowed type in another case is stored lower-cased; a missing one is octet-stream
  const pre = await workerJson('/presign', { method: 'PUT', key: freshKey('ct'), size: 3, contentType: 'TEXT/PLAIN' });
  assert.equal(pre.headers['Content-Type'], 'text/plain');
  const form = await workerJson('/upload-form', { filename: `ct-${++n}.bin` });
  assert.equal(form.fields['Content-Type'], 'application/octet-stream');
});

// ------------------------------------------------------------------ POST forms

test('upload form: pinned fields cannot be changed (content type, ACL, storage class, key)', async () => {
  const form = await workerJson('/upload-form', { filename: `form-${++n}.bin`, contentType: 'text/plain' });
  assert.equal(form.fields['Content-Type'], 'text/plain');
  assert.equal(form.fields.acl, 'private');
  assert.equal(form.fields['x-cos-storage-class'], 'STANDARD');
  assert.equal(form.fields.success_action_redirect, undefined);
  const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString());
  for (const [k, v] of [['Content-Type', 'text/plain'], ['acl', 'private'], ['x-cos-storage-class', 'STANDARD'], ['key', form.key]]) {
    assert.ok(policy.conditions.some((c) => !Array.isArray(c) && c[k] === v), `no exact ${k} condition`);
  }
  const set = (name, value) => (fields) => fields.map(([k, v]) => [k, k === name ? value : v]);
  for (const [what, edit] of [
    ['Content-Type text/html', set('Content-Type', 'text/html')],
    ['acl public-read', set('acl', 'public-read')],
    ['storage class ARCHIVE', set('x-cos-storage-class', 'ARCHIVE')],
    ['another key', set('key', 'users/alice/other.bin')],
    ["bob's key", set('key', 'users/bob/x.bin')],
    ['Content-Type removed', (f) => f.filter(([k]) => k !== 'Content-Type')],
  ]) {
    const r = await postForm(form, edit, '<script>alert(1)</script>');
    assert.equal(r.status, 403, `${what}: ${r.status} ${r.text}`);
  }
  // a second Content-Type / acl after the pinned one (which one would the server use?) is refused
  for (const name of ['Content-Type', 'acl']) {
    const r = await postForm(form, (f) => [...f.slice(0, 2), [name, name === 'acl' ? 'public-read' : 'text/html'], ...f.slice(2)]);
    assert.ok(r.status === 400 || r.status === 403, `duplicate ${name}: ${r.status}`);
  }
  assert.equal((await stored(form.key)).status, 404, 'a modified form stored something');
  // as issued: 201, stored with the pinned type, private
  assert.equal((await postForm(form)).status, 201);
  assert.deepEqual(await stored(form.key), { status: 200, contentType: 'text/plain', bytes: 9, anonymous: 403 });
});

/** Posts the worker's form with one extra field; asserts the refusal and that nothing was stored. */
async function extraFieldRefused(name, value) {
  const form = await workerJson('/upload-form', { filename: `extra-${++n}.bin` });
  const r = await postForm(form, (f) => [[name, value], ...f]);
  assert.equal(r.status, 403, `${name}: ${r.status} ${r.location ?? ''} ${r.text}`);
  assert.match(r.text, /AccessDenied/);
  assert.equal(r.location, null, 'the form redirected');
  assert.equal((await stored(form.key)).status, 404, `${name}: stored anyway`);
}

test('STRICT-EMULATOR upload form: fields the policy does not name are refused (metadata, x-cos-acl, grants, caching)', async () => {
  for (const [name, value] of [
    ['x-cos-meta-owner', 'mallory'],
    ['x-cos-acl', 'public-read'],
    ['x-cos-grant-read', 'id="anyone"'],
    ['Content-Disposition', 'inline'],
    ['Cache-Control', 'public, max-age=31536000'],
    ['x-cos-server-side-encryption', 'AES256'],
  ]) {
    await extraFieldRefused(name, value);
  }
});

test('STRICT-EMULATOR upload form: an added success_action_redirect is refused (no open redirect)', async () => {
  await extraFieldRefused('success_action_redirect', 'https://evil.example/landing');
});

test('/upload-form never issues a redirect or ACL it was not configured for; unknown fields refused', async () => {
  for (const extra of [{ successActionRedirect: 'https://evil.example/' }, { acl: 'public-read' }, { meta: { a: 'b' } }, { conditions: [] }, { keyPrefix: '' }]) {
    assert.deepEqual(await workerError('/upload-form', { filename: `r-${++n}.bin`, ...extra }), { status: 400, code: 'ERR_BAD_REQUEST' }, JSON.stringify(extra));
  }
});

// ------------------------------------------------------------------ request body limit

/**
 * POSTs `total` bytes of spaces to the worker over a raw socket in 16 KiB writes (chunked
 * unless `declared`), stopping once a response arrives or the worker closes the connection
 * (write errors are expected then); resolves to { status, code, sent }.
 */
function rawPost(path, { total, declared = false }) {
  const { hostname, port } = new URL(stack.workerUrl);
  return new Promise((resolve) => {
    const sock = net.connect(Number(port), hostname);
    let sent = 0;
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      sock.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      const code = /"code":"([A-Z_]+)"/.exec(body)?.[1];
      resolve({ status, code, sent });
    };
    sock.on('data', (d) => {
      text += d;
      // one JSON error body, whole once its closing brace arrives
      if (/\r\n\r\n[\s\S]*\}\s*$/.test(text) || /\r\n0\r\n\r\n$/.test(text)) finish();
    });
    sock.on('close', finish);
    sock.on('error', () => {});
    const head = [`POST ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, `Authorization: Bearer ${stack.users.alice}`, 'Content-Type: application/json',
      declared ? `Content-Length: ${total}` : 'Transfer-Encoding: chunked', '', ''].join('\r\n');
    sock.write(head);
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const frame = declared ? chunk : Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    // paced, so the response is read before a write into the closed connection resets it
    // (a reset would discard the response unread)
    const pause = (ms) => new Promise((r) => setTimeout(r, ms));
    const pump = async () => {
      await pause(declared ? 300 : 20); // a worker that judges the headers alone answers now
      while (!done && sent < total) {
        sent += chunk.length;
        if (!sock.write(frame)) await new Promise((r) => sock.once('drain', r));
        await pause(20);
      }
      if (!done && !declared) sock.write('0\r\n\r\n');
    };
    pump();
  });
}

test('the worker limits the body while reading it: declared or streamed, over 16 KiB is 413', async () => {
  // declared too large: refused before reading
  const declared = await rawPost('/upload-form', { total: 64 * 1024, declared: true });
  assert.deepEqual([declared.status, declared.code], [413, 'ERR_TOO_LARGE']);
  // chunked, no Content-Length: a 64 MiB body is abandoned soon after the cap
  const streamed = await rawPost('/upload-form', { total: 64 * 1024 * 1024 });
  assert.deepEqual([streamed.status, streamed.code], [413, 'ERR_TOO_LARGE']);
  assert.ok(streamed.sent < 16 * 1024 * 1024, `the worker took ${streamed.sent} bytes before refusing`);
  // a small body still works
  assert.equal((await callWorker('/upload-form', { filename: 'small.bin' })).status, 200);
});

// ------------------------------------------------------------------ the library itself

test('library: a key prefix that is empty once normalised is refused unless allowed', () => {
  const s = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  try {
    const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60 };
    for (const keyPrefix of ['', '/']) {
      try {
        s.postObjectForm({ ...ep, keyPrefix });
        assert.fail(`keyPrefix ${JSON.stringify(keyPrefix)} accepted`);
      } catch (e) {
        assert.ok(isCosError(e) && e.code === 'ERR_KEY_PREFIX_EMPTY', String(e));
      }
      const form = s.postObjectForm({ ...ep, keyPrefix, allowEmptyKeyPrefix: true });
      assert.equal(form.fields.key, '${filename}');
    }
    // strict by default: Content-Type, acl and storage class are fields with exact conditions
    const form = s.postObjectForm({ ...ep, keyPrefix: 'u/' });
    assert.deepEqual([form.fields['Content-Type'], form.fields.acl, form.fields['x-cos-storage-class']], ['application/octet-stream', 'default', 'STANDARD']);
    const lenient = s.postObjectForm({ ...ep, keyPrefix: 'u/', strict: false });
    assert.equal(lenient.fields.acl, undefined);
    // presignRequest pins x-cos-acl: default on writes unless told otherwise
    const put = s.presignRequest({ ...ep, method: 'PUT', key: 'a.bin' });
    assert.equal(put.headers['x-cos-acl'], 'default');
    const open = s.presignRequest({ ...ep, method: 'PUT', key: 'a.bin', pin: { acl: false } });
    assert.equal(open.headers['x-cos-acl'], undefined);
    const typed = s.presignRequest({ ...ep, method: 'PUT', key: 'a.bin', pin: { contentType: true, storageClass: true } });
    assert.deepEqual([typed.headers['Content-Type'], typed.headers['x-cos-storage-class']], ['application/octet-stream', 'STANDARD']);
  } finally {
    s.free();
  }
});
