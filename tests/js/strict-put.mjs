// Strict signing against the emulator's `--strict-sign` bucket mode, runtime-agnostic (web
// APIs only: fetch, TextEncoder), so Node, headless Chromium and workerd run this same code.
// runBoundPut(api, { ep, secretId, secretKey }) resolves to one `{ suite, id, ok, detail }`
// per check. `ep` is the endpoint of an emulator started with `--strict-sign '*'`.
//
// A size-bound PUT URL: presignRequest with Content-Type and Content-Length signs both, so
// COS (which recomputes the signature from the headers it receives) accepts exactly that
// size and type. fetch sets Content-Length from the body itself (browsers refuse to let a
// page set it), so the tests send every returned header but that one.

const describe = (e) => `${e && e.name}: ${e && e.code}: ${e && e.message}`;

/** The returned headers a `fetch` can be given: all but Content-Length, which fetch sets from the body. */
export function sendable(headers) {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-length'));
}

export async function runBoundPut(api, { ep, secretId, secretKey, prefix = 'strict' }) {
  const results = [];
  const check = async (id, fn) => {
    let ok = false;
    let detail = '';
    try {
      [ok, detail] = await fn();
    } catch (e) {
      detail = describe(e);
    }
    results.push({ suite: 'strict', id, ok: Boolean(ok), detail: String(detail) });
  };
  const strict = new api.CosSigner({ secretId, secretKey, strict: true });
  const loose = new api.CosSigner({ secretId, secretKey });
  const body = new TextEncoder().encode('exactly twenty bytes');
  const key = `${prefix}/bound.txt`;
  const bound = () => strict.presignRequest({ ...ep, method: 'PUT', key, headers: { 'Content-Type': 'text/plain', 'Content-Length': body.length }, expires: 600 });

  await check('refuses a write without Content-Type and Content-Length', () => {
    try {
      strict.presignRequest({ ...ep, method: 'PUT', key, expires: 600 });
      return [false, 'signed'];
    } catch (e) {
      return [e.name === 'CosError' && e.code === 'ERR_STRICT_SIGN_MISSING_HEADER', describe(e)];
    }
  });
  await check('per-call strict overrides the constructor', () => {
    try {
      loose.signRequest({ ...ep, method: 'PUT', key, headers: { 'Content-Type': 'text/plain' }, strict: true, expires: 600 });
      return [false, 'signed'];
    } catch (e) {
      const ok = e.code === 'ERR_STRICT_SIGN_MISSING_HEADER';
      const off = strict.signRequest({ ...ep, method: 'PUT', key, strict: false, expires: 600 });
      return [ok && typeof off.url === 'string', describe(e)];
    }
  });
  await check('bodyless writes sign Content-Length: 0', () => {
    const init = strict.signRequest({ ...ep, method: 'POST', key, query: { uploads: null }, expires: 600 });
    const get = strict.signRequest({ ...ep, method: 'GET', key, expires: 600 });
    return [init.headers['Content-Length'] === '0' && /content-length/.test(init.headers.Authorization) && !('Content-Length' in get.headers), JSON.stringify(init.headers)];
  });
  await check('a bodyless write signed with Content-Length: 0 is accepted (fetch sends exactly that)', async () => {
    const init = strict.signRequest({ ...ep, method: 'POST', key: `${prefix}/multipart.bin`, query: { uploads: null }, expires: 600 });
    const res = await fetch(init.url, { method: 'POST', headers: sendable(init.headers) });
    return [res.status === 200, `${res.status} ${await res.text()}`];
  });
  await check('a bound PUT URL returns the headers to send', () => {
    const p = bound();
    const list = decodeURIComponent(new URL(p.url).searchParams.get('q-header-list'));
    return [p.headers['Content-Type'] === 'text/plain' && p.headers['Content-Length'] === String(body.length) && /content-length;content-type/.test(list), `${list} ${JSON.stringify(p.headers)}`];
  });
  await check('one byte more is refused', async () => {
    const p = bound();
    const more = new Uint8Array(body.length + 1).fill(33);
    more.set(body);
    const res = await fetch(p.url, { method: 'PUT', headers: sendable(p.headers), body: more });
    return [res.status === 403, `${res.status} ${await res.text()}`];
  });
  await check('another type is refused', async () => {
    const p = bound();
    const res = await fetch(p.url, { method: 'PUT', headers: { ...sendable(p.headers), 'Content-Type': 'text/html' }, body });
    return [res.status === 403, `${res.status} ${await res.text()}`];
  });
  await check('the exact size and type are stored', async () => {
    const p = bound();
    const put = await fetch(p.url, { method: 'PUT', headers: sendable(p.headers), body });
    if (put.status !== 200) return [false, `PUT ${put.status} ${await put.text()}`];
    const g = strict.signRequest({ ...ep, method: 'GET', key, expires: 600 });
    const res = await fetch(g.url, { headers: g.headers });
    const got = new Uint8Array(await res.arrayBuffer());
    const same = got.length === body.length && got.every((b, i) => b === body[i]);
    return [res.status === 200 && same && res.headers.get('content-type') === 'text/plain', `${res.status} ${got.length} ${res.headers.get('content-type')}`];
  });
  await check('an unsigned type is refused under --strict-sign, and explained', async () => {
    const p = loose.presignRequest({ ...ep, method: 'PUT', key: `${prefix}/loose.txt`, expires: 600 });
    const res = await fetch(p.url, { method: 'PUT', headers: { ...sendable(p.headers), 'Content-Type': 'text/plain' }, body });
    const xml = await res.text();
    if (res.status !== 403) return [false, `${res.status} ${xml}`];
    const e = api.explainSignatureMismatch(xml, { url: p.url, method: 'PUT', headers: p.headers });
    const causes = e.differences.map((d) => d.cause);
    return [e.code === 'SignatureDoesNotMatch' && causes[0] === 'STRICT_SIGN', `${e.code} ${causes}`];
  });
  strict.free();
  loose.free();
  return results;
}

/** The ids runBoundPut checks, for runners asserting that every check ran. */
export const BOUND_PUT_CHECKS = 9;
