// "Temporary credentials" mode of the page: the worker's POST /credentials hands out STS keys
// scoped to users/<id>/ (size, type, SSE, storage class and ACL pinned by their CAM policy),
// and the page signs its own uploads with a local CosSigner: a simple PUT or a POST form.
// COS (here: the emulator) decides each upload against the policy; the worker is not asked
// again until the keys near expiry.
import { CosSigner, postFormData } from 'cos-wasm';

let cached;

/** The keys from the worker, reused until 5 minutes before they expire. */
export async function temporaryCredentials(api) {
  if (!cached || cached.expiredTime - Date.now() / 1000 < 300) cached = await api('/credentials', {});
  return cached;
}

/** Forgets the cached keys (another user was chosen). */
export function forgetCredentials() {
  cached = undefined;
}

/**
 * Uploads `file` with temporary keys. `how`: `put` (simple PUT) or `post` (POST form).
 * `overrides` (for tests of refusals): `key`, `contentType`, `sse` (`null` = none),
 * `contentLengthRange` (POST; `null` = none, leaving the size to the keys' policy).
 * Resolves to { key, status, code, headers }.
 */
export async function uploadWithTemporaryKeys(api, file, how, overrides = {}) {
  const c = await temporaryCredentials(api);
  const key = overrides.key ?? `${c.prefix}${file.name}`;
  const contentType = overrides.contentType ?? (file.type || 'application/octet-stream');
  const sseMode = 'sse' in overrides ? overrides.sse : c.sse;
  const sse = sseMode && sseMode !== 'NONE' ? { type: sseMode } : undefined;
  const range = 'contentLengthRange' in overrides ? overrides.contentLengthRange : [0, c.maxBytes];
  // strict: the PUT signs its Content-Type and Content-Length (buckets in COS's strict mode; the
  // form's policy pins them its own way)
  const signer = new CosSigner({ secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken, strict: true });
  let res;
  try {
    if (how === 'post') {
      const form = signer.postObjectForm({
        ...c.endpoint, key, expires: 600, contentType, acl: c.acl, storageClass: c.storageClass, ...(range ? { contentLengthRange: range } : {}), ...(sse ? { sse } : {}),
      });
      res = await fetch(form.url, { method: 'POST', body: postFormData(form, file, file.name) });
    } else {
      const headers = { 'Content-Type': contentType, 'Content-Length': file.size, 'x-cos-acl': c.acl, 'x-cos-storage-class': c.storageClass };
      const signed = signer.signRequest({ ...c.endpoint, method: 'PUT', key, headers, expires: 600, ...(sse ? { sse } : {}) });
      // fetch sets Content-Length from the body (a page may not set it)
      const { 'Content-Length': _length, ...send } = signed.headers;
      res = await fetch(signed.url, { method: 'PUT', headers: send, body: file });
    }
  } finally {
    signer.free();
  }
  const text = await res.text();
  return { key, status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null, headers: res.headers };
}
