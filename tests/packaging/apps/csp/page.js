// The page of the Content-Security-Policy row (tests/packaging/csp.test.mjs): the installed
// package's browser modules as they ship, loaded under `script-src 'self'` (with or without
// 'wasm-unsafe-eval'). Every entry's init(), a signature, and a form its "worker" (the test's
// server) signed, posted with postFormData, which needs no wasm.
import * as signer from '/cos-wasm/web.js';
import * as hash from '/cos-wasm/hash/web.js';
import * as keys from '/cos-wasm/keys/web.js';
import * as sts from '/cos-wasm/sts/web.js';
import * as explain from '/cos-wasm/explain/web.js';

const entries = { 'cos-wasm': signer, 'cos-wasm/hash': hash, 'cos-wasm/keys': keys, 'cos-wasm/sts': sts, 'cos-wasm/explain': explain };

/** Each entry's init(): 'ok' or `${name} ${code}: ${message}`. */
window.initAll = async () => {
  const out = {};
  for (const [name, entry] of Object.entries(entries)) {
    try {
      await entry.init();
      out[name] = 'ok';
    } catch (e) {
      out[name] = `${e.name} ${e.code}: ${e.message}`;
    }
  }
  return out;
};

/** An Authorization computed in the page (after a successful init()). */
window.authorization = () => {
  const s = new signer.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  try {
    return s.authorization({ method: 'PUT', key: 'a b.txt', keyTime: '1700000000;1700003600' });
  } finally {
    s.free();
  }
};

/** The no-wasm flow: a form signed by the worker, posted with postFormData. */
window.postSignedForm = async () => {
  const form = await (await fetch('/sign-form', { method: 'POST' })).json();
  const res = await fetch(form.url, { method: 'POST', body: signer.postFormData(form, new Blob(['hello from a strict page']), 'hello.txt') });
  return { status: res.status, body: await res.text() };
};
