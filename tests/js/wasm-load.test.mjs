// The browser `init()` (web.js of every entry) when the .wasm does not arrive as it should
// (issue 29): each kind of failure is its own stable code, and the message says what was
// fetched and what arrived. Run in Node against a 127.0.0.1 server (fetch, Response and
// streaming compilation are the same APIs as in a browser); the Content-Security-Policy
// refusal needs a browser: tests/packaging/csp.test.mjs. Its own process (node --test
// isolates files), so the modules really are uninitialised.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const pkg = new URL('./node_modules/cos-wasm/', import.meta.url);
const signerWasm = readFileSync(new URL('cos_wasm_bg.wasm', pkg));
const hashWasm = readFileSync(new URL('hash/cos_wasm_hash_bg.wasm', pkg));
const PAGE = '<!doctype html>\n<html><head><script type="module" src="/@vite/client"></script></head><body></body></html>\n';

const ROUTES = {
  '/missing.wasm': [404, 'text/plain', 'Not Found'],
  '/index-fallback.wasm': [200, 'text/html', PAGE],
  '/html-as-wasm.wasm': [200, 'application/wasm', PAGE],
  '/as-js.wasm': [200, 'text/javascript', 'export default "data:application/wasm;base64,AGFzbQ"'],
  '/octet.wasm': [200, 'application/octet-stream', hashWasm],
  '/signer.wasm': [200, 'application/wasm', signerWasm],
};
let server;
let origin;
before(async () => {
  server = createServer((req, res) => {
    const [status, type, body] = ROUTES[req.url] ?? [500, 'text/plain', 'no route'];
    res.writeHead(status, { 'content-type': type }).end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((ok) => server.close(ok)));

const hash = () => import(new URL('hash/web.js', pkg));
const signer = () => import(new URL('web.js', pkg));

async function rejectsWith(promise, code, ...patterns) {
  const err = await promise.then(() => assert.fail(`expected ${code}`), (e) => e);
  assert.equal(err.name, 'CosError', String(err.stack));
  assert.equal(err.code, code, err.message);
  for (const p of patterns) assert.match(err.message, p);
  return err;
}

test('404: ERR_WASM_FETCH names the URL, the status and what the body was', async () => {
  const { init } = await hash();
  await rejectsWith(init(`${origin}/missing.wasm`), 'ERR_WASM_FETCH', /^cos-wasm\/hash: /, /\/missing\.wasm/, /HTTP 404/, /text\/plain/, /"Not Found"/);
  // a network failure (nothing listens) is the same code
  const closed = createServer();
  await new Promise((ok) => closed.listen(0, '127.0.0.1', ok));
  const dead = `http://127.0.0.1:${closed.address().port}/x.wasm`;
  await new Promise((ok) => closed.close(ok));
  await rejectsWith(init(dead), 'ERR_WASM_FETCH', /fetching its WebAssembly module http:\/\/127\.0\.0\.1:\d+\/x\.wasm failed/);
});

test('HTML in place of the wasm (a dev server\'s index.html): ERR_WASM_HTML with its first bytes, whatever the Content-Type', async () => {
  const { init } = await hash();
  await rejectsWith(init(`${origin}/index-fallback.wasm`), 'ERR_WASM_HTML', /index-fallback\.wasm/, /HTML page/, /text\/html/, /3c 21 64 6f/, /"<!doctype html>/, /dev server/);
  // served as application/wasm: streaming compilation fails first; the code is the same
  await rejectsWith(init(`${origin}/html-as-wasm.wasm`), 'ERR_WASM_HTML', /html-as-wasm\.wasm/, /application\/wasm/, /3c 21 64 6f/);
  // a Response given to init() is described the same way
  await rejectsWith(init(new Response(PAGE, { headers: { 'content-type': 'text/html' } })), 'ERR_WASM_HTML', /3c 21 64 6f/);
});

test('wrong MIME type: a JS module in place of the wasm is ERR_WASM_MIME; real wasm bytes under the wrong type still load', async () => {
  const { init, Crc64 } = await hash();
  await rejectsWith(init(`${origin}/as-js.wasm`), 'ERR_WASM_MIME', /as-js\.wasm/, /text\/javascript/, /not application\/wasm/, /"export default/);
  // application/octet-stream with the module's bytes: streaming compilation would refuse
  // the type; init() compiles the bytes instead (wasm-bindgen's fallback, without its warning)
  const warnings = [];
  const warn = console.warn;
  console.warn = (...a) => warnings.push(a.join(' '));
  try {
    await init(`${origin}/octet.wasm`);
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
  const crc = new Crc64();
  crc.update(new TextEncoder().encode('123456789'));
  assert.equal(crc.digest(), '11051210869376104954');
  crc.free();
});

test('another entry\'s wasm, or bytes that are no module: ERR_WASM_INVALID', async () => {
  const { init } = await signer();
  await rejectsWith(init(new Uint8Array([1, 2, 3, 4])), 'ERR_WASM_INVALID', /^cos-wasm: the module given to init\(\) is not its WebAssembly module/);
  // cos-wasm/hash's module given to the signer: it compiles but does not link
  await rejectsWith(init(hashWasm), 'ERR_WASM_INVALID');
  // and after all that, the right module still initialises
  await init(`${origin}/signer.wasm`);
  const { CosSigner } = await signer();
  const s = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  assert.match(s.authorization({ method: 'GET', key: 'a.txt', keyTime: '1700000000;1700003600' }), /q-signature=[0-9a-f]{40}$/);
  s.free();
});

test('ERR_NOT_INITIALIZED names the entry whose init() is missing', async () => {
  const keys = await import(new URL('keys/web.js', pkg));
  const err = (() => {
    try {
      keys.CustomerKey.generate('AES256');
    } catch (e) {
      return e;
    }
  })();
  assert.equal(err.code, 'ERR_NOT_INITIALIZED');
  assert.match(err.message, /^cos-wasm\/keys is not initialised yet: `await init\(\)` of 'cos-wasm\/keys'/);
  assert.match(err.message, /import \{ init \} from 'cos-wasm\/keys'/);
});
