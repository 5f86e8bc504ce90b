// GET /download?key= of the edge worker (issue 27), end to end: the worker under workerd, the
// emulator, and for CDN mode a stand-in CDN that checks Tencent CDN URL authentication with
// its own implementation (node:crypto MD5, type A and D as the CDN pages state them) and
// pulls the object from the emulator (its origin), as a CDN does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { CosSigner } from 'cos-wasm';
import { startStack, BUCKET, REGION } from './e2e-stack.mjs';

const KEY = 'users/alice/下载/a b (1).txt';
const BODY = Buffer.from(`download me ${randomBytes(8).toString('hex')}`);
const md5 = (s) => createHash('md5').update(s).digest('hex');

function cosEndpoint(stack) {
  return { bucket: BUCKET, region: REGION, domain: `127.0.0.1:${stack.emulator.port}`, protocol: 'http', pathStyle: true };
}

async function putObject(stack) {
  const s = new CosSigner({ secretId: stack.env.COS_SECRET_ID, secretKey: stack.env.COS_SECRET_KEY });
  const r = s.signRequest({ ...cosEndpoint(stack), method: 'PUT', key: KEY, headers: { 'Content-Type': 'text/plain', 'Content-Length': BODY.length }, strict: true, expires: 600 });
  const res = await fetch(r.url, { method: 'PUT', headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => k !== 'Content-Length')), body: BODY });
  assert.equal(res.status, 200, await res.text());
  s.free();
}

const download = (stack, token, query) => fetch(`${stack.workerUrl}/download?${query}`, { headers: { Authorization: `Bearer ${token}` } });

/**
 * A stand-in CDN on 127.0.0.1: type A (`sign=ts-rand-uid-md5`) or D (`sign=md5&t=ts`) checked
 * against `key`, the timestamp within `validity` seconds; then the object from `origin()`.
 */
async function fakeCdn({ type, key, validity = 600, origin }) {
  const seen = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://cdn');
    const path = req.url.split('?')[0]; // as sent: percent-encoded
    seen.push(req.url);
    let ts;
    let ok = false;
    if (type === 'A') {
      const m = /^(\d+)-([A-Za-z0-9]*)-([A-Za-z0-9]+)-([0-9a-f]{32})$/.exec(url.searchParams.get('sign') ?? '');
      if (m) [ts, ok] = [Number(m[1]), md5(`${path}-${m[1]}-${m[2]}-${m[3]}-${key}`) === m[4]];
    } else {
      const t = url.searchParams.get('t') ?? '';
      [ts, ok] = [Number(t), /^\d+$/.test(t) && md5(key + path + t) === url.searchParams.get('sign')];
    }
    if (!ok || Math.abs(Date.now() / 1000 - ts) > validity) return res.writeHead(403).end('cdn: authentication failed');
    const upstream = await fetch(origin(decodeURIComponent(path.slice(1))));
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, seen, close: () => new Promise((ok) => server.close(ok)) };
}

test('GET /download without a CDN: a COS pre-signed URL that reads the object; other prefixes refused', async () => {
  const stack = await startStack();
  try {
    await putObject(stack);
    const res = await download(stack, stack.users.alice, new URLSearchParams({ key: KEY }));
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.via, 'cos');
    assert.equal(body.key, KEY);
    assert.match(body.url, /q-signature=/);
    const got = await fetch(body.url);
    assert.equal(got.status, 200);
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), BODY);
    // bob may not read alice's prefix; a missing or repeated key, another parameter: 400
    assert.equal((await download(stack, stack.users.bob, new URLSearchParams({ key: KEY }))).status, 403);
    assert.equal((await download(stack, stack.users.alice, '')).status, 400);
    assert.equal((await download(stack, stack.users.alice, `key=a&key=b`)).status, 400);
    assert.equal((await download(stack, stack.users.alice, `key=${encodeURIComponent(KEY)}&x=1`)).status, 400);
    assert.equal((await fetch(`${stack.workerUrl}/download?key=${encodeURIComponent(KEY)}`)).status, 401);
  } finally {
    await stack.stop();
  }
});

for (const type of ['A', 'D']) {
  test(`GET /download through a CDN (type ${type}): the URL the CDN accepts, the object through it`, async () => {
    const cdnKey = `cdn${randomBytes(12).toString('hex')}`;
    let stack;
    const cdn = await fakeCdn({
      type,
      key: cdnKey,
      origin: (key) => {
        const s = new CosSigner({ secretId: stack.env.COS_SECRET_ID, secretKey: stack.env.COS_SECRET_KEY });
        try {
          return s.presignUrl({ ...cosEndpoint(stack), method: 'GET', key, expires: 60 });
        } finally {
          s.free();
        }
      },
    });
    stack = await startStack({ workerEnv: { CDN_DOMAIN: cdn.url, CDN_AUTH_KEY: cdnKey, CDN_AUTH_TYPE: type } });
    try {
      await putObject(stack);
      const res = await download(stack, stack.users.alice, new URLSearchParams({ key: KEY }));
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.via, 'cdn');
      assert.ok(body.url.startsWith(`${cdn.url}/users/alice/%E4%B8%8B%E8%BD%BD/a%20b%20(1).txt?sign=`), body.url);
      assert.ok(!body.url.includes(cdnKey) && !JSON.stringify(body).includes(stack.env.COS_SECRET_KEY));
      const got = await fetch(body.url);
      assert.equal(got.status, 200, await got.clone().text());
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), BODY);
      // the CDN refuses a changed path or signature
      assert.equal((await fetch(body.url.replace('a%20b', 'a%20c'))).status, 403);
      assert.equal((await fetch(body.url.replace(/sign=(\d+-)?[0-9a-z]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0')))).status, 403);
    } finally {
      await stack?.stop();
      await cdn.close();
    }
  });
}

test('GET /download with a misconfigured CDN key: 500 ERR_CONFIG, the key never echoed', async () => {
  const stack = await startStack({ workerEnv: { CDN_DOMAIN: 'cdn.example.com', CDN_AUTH_KEY: 'short', CDN_AUTH_TYPE: 'D' } });
  try {
    const res = await download(stack, stack.users.alice, new URLSearchParams({ key: KEY }));
    const text = await res.text();
    assert.equal(res.status, 500, text);
    assert.equal(JSON.parse(text).error.code, 'ERR_CONFIG');
    assert.ok(!text.includes('short'));
  } finally {
    await stack.stop();
  }
});

test('a worker whose COS_SECRET_KEY binding is empty: 500 ERR_CONFIG naming the binding and how to set it', async () => {
  const stack = await startStack({ workerEnv: { COS_SECRET_KEY: '' } });
  try {
    const res = await download(stack, stack.users.alice, new URLSearchParams({ key: KEY }));
    const body = JSON.parse(await res.text());
    assert.equal(res.status, 500);
    assert.equal(body.error.code, 'ERR_CONFIG');
    assert.match(body.error.message, /COS_SECRET_KEY is empty .*wrangler secret put COS_SECRET_KEY/);
  } finally {
    await stack.stop();
  }
});
