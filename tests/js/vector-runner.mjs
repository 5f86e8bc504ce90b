// Runs the official-SDK vector cases through a cos-wasm API object. Shared by the Node,
// Chromium and workerd tests, so every runtime executes the same code.

/** origin, decoded path, sorted decoded query pairs: the vectors' canonical URL form. */
export function canonicalUrl(url) {
  const q = url.indexOf('?');
  const base = q < 0 ? url : url.slice(0, q);
  const query = q < 0 ? '' : url.slice(q + 1);
  const pathStart = base.indexOf('/', base.indexOf('://') + 3);
  const origin = pathStart < 0 ? base : base.slice(0, pathStart);
  const path = pathStart < 0 ? '' : decodeURIComponent(base.slice(pathStart));
  const pairs = query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf('=');
      const k = i < 0 ? kv : kv.slice(0, i);
      const v = i < 0 ? '' : kv.slice(i + 1);
      return [decodeURIComponent(k), decodeURIComponent(v)];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return { origin, path, query: pairs };
}

function signerFor(api, input) {
  return new api.CosSigner({
    secretId: input.secret_id,
    secretKey: input.secret_key,
    ...(input.security_token ? { securityToken: input.security_token } : {}),
  });
}

/** Returns one `{ id, ok, detail }` per case. */
export function runVectors(api, cases) {
  const results = [];
  for (const c of cases) {
    const { input, expected } = c;
    const rejects = input.reference === 'reject' || 'reject' in expected;
    let ok = false;
    let detail = '';
    const signer = signerFor(api, input);
    try {
      if (c.kind === 'auth') {
        const got = signer.authorization({ method: input.method, key: input.path, query: input.query, headers: input.headers, keyTime: input.key_time });
        ok = !rejects && got === expected.authorization;
        detail = got;
      } else if (c.kind === 'presign') {
        const url = signer.presignUrl({ method: input.method, key: input.path, query: input.query, headers: input.headers, keyTime: input.key_time, bucket: input.bucket, region: input.region });
        ok = !rejects && JSON.stringify(canonicalUrl(url)) === JSON.stringify(expected.canonical);
        detail = url;
      } else if (c.kind === 'post_policy') {
        const fields = signer.signPostPolicy({ policy: input.policy, keyTime: input.key_time });
        ok = !rejects && Object.entries(fields).every(([k, v]) => expected.fields[k] === v);
        detail = JSON.stringify(fields);
      } else {
        detail = `unknown kind ${c.kind}`;
      }
    } catch (e) {
      ok = rejects && e instanceof Error && e.name === 'CosError' && typeof e.code === 'string';
      detail = `${e && e.name}: ${e && e.code}: ${e && e.message}`;
    } finally {
      signer.free();
    }
    results.push({ id: c.id, ok, detail });
  }
  return results;
}
