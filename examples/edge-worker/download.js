// GET /download?key=users/<id>/…: a URL the caller reads the object from, for keys under its
// own prefix (as every other route checks).
//
// - With CDN_DOMAIN and CDN_AUTH_KEY set: a Tencent CDN / EdgeOne URL-authenticated URL on that
//   domain (`cdnAuthUrl`, type CDN_AUTH_TYPE: A (default), B, C or D as configured on the
//   domain; CDN_SIGN_PARAM / CDN_TIME_PARAM when the domain renamed `sign` / `t`). COS
//   pre-signed URLs are not valid on a CDN domain. The CDN adds its own validity period to the
//   signing time; the key stays here.
// - Otherwise: a COS pre-signed GET (URL_TTL_SECONDS).
// Answers `{ url, key, via: 'cdn' | 'cos' }`. Objects stored with SSE-C cannot be read this way
// (every read needs the key headers): use POST /presign for them.
import { cdnAuthUrl, isCosError } from 'cos-wasm';

/** `https://host[:port]` of CDN_DOMAIN (a bare host means https). */
function cdnOrigin(domain, h) {
  const d = String(domain).trim().replace(/\/+$/, '');
  const origin = /^https?:\/\//i.test(d) ? d : `https://${d}`;
  if (!/^https?:\/\/[^/?#@\s]+$/i.test(origin)) throw new h.HttpError(500, 'ERR_CONFIG', 'CDN_DOMAIN must be a host or an http(s) origin');
  return origin;
}

/** The object's path as sent: each segment percent-encoded (the CDN signs the path as sent). */
const encodedPath = (key) => `/${key.split('/').map(encodeURIComponent).join('/')}`;

export function download(user, url, env, h) {
  for (const name of url.searchParams.keys()) {
    if (name !== 'key') throw new h.HttpError(400, 'ERR_BAD_REQUEST', 'only the `key` parameter is accepted');
  }
  const keys = url.searchParams.getAll('key');
  if (keys.length !== 1) throw new h.HttpError(400, 'ERR_BAD_REQUEST', 'give exactly one `key`');
  const key = h.objectKey(user, { key: keys[0] });
  if (env.CDN_DOMAIN && env.CDN_AUTH_KEY) {
    const type = env.CDN_AUTH_TYPE || 'A';
    const opts = { type, url: cdnOrigin(env.CDN_DOMAIN, h) + encodedPath(key), key: env.CDN_AUTH_KEY, timestamp: Math.floor(Date.now() / 1000) };
    if (env.CDN_SIGN_PARAM && (type === 'A' || type === 'D')) opts.signParam = env.CDN_SIGN_PARAM;
    if (env.CDN_TIME_PARAM && type === 'D') opts.timeParam = env.CDN_TIME_PARAM;
    try {
      return { url: cdnAuthUrl(opts), key, via: 'cdn' };
    } catch (e) {
      // A bad CDN_* setting is the worker's configuration, not the caller's request. The
      // message never contains the key (package contract), only the code is passed on.
      if (isCosError(e) && e.code !== 'ERR_INVALID_URL') throw new h.HttpError(500, 'ERR_CONFIG', `CDN authentication is misconfigured (${e.code}): check CDN_AUTH_TYPE, CDN_AUTH_KEY, CDN_SIGN_PARAM, CDN_TIME_PARAM`);
      throw e;
    }
  }
  const s = h.signer(env);
  try {
    const signed = s.presignUrl({ ...h.endpoint(env), method: 'GET', key, expires: h.ttl(env), allowInsecureLocal: h.bool(env.ALLOW_INSECURE_LOCAL) });
    return { url: signed, key, via: 'cos' };
  } finally {
    s.free();
  }
}
