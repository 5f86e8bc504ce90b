// The runtime-agnostic suite: signing, SSE, keys, hashing and TC3, checked against the vector files
// of tests/vectors/. It uses only the cos-wasm API object it is given and web-standard globals
// (TextEncoder, atob/btoa), so Node ESM, Node CJS, headless Chromium and workerd all run this
// same code on the same data. Every check yields one `{ suite, id, ok, detail }`.

/**
 * One API object from the package's entries (`{ signer, keys, hash, ... }`, namespaces or
 * CommonJS exports): each entry's names over the signer's ERR_MOVED stubs; `init()` and
 * `initSync()` reach every entry (browsers need each entry's module initialised), and
 * `entries` keeps the originals.
 */
export function mergeEntries(entries) {
  const list = Object.values(entries);
  return Object.assign({}, ...list, {
    entries,
    init: async (inputs = {}) => {
      for (const [name, ns] of Object.entries(entries)) await ns.init(inputs[name]);
    },
  });
}

/** The vector files the suite reads (under tests/vectors/), keyed as in `data`. */
export const VECTOR_FILES = {
  signing: 'cos-signing.json',
  docSigning: 'cos-doc-signing.json',
  sse: 'sse-headers.json',
  keys: 'keys.json',
  hashes: 'hashes.json',
  tc3: 'tc3-signing.json',
  cdn: 'cdn-auth.json',
};

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

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const bytesOfHex = (hex) => new Uint8Array(hex.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
const bytesOfBase64 = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const hexOfBase64 = (b64) => [...atob(b64)].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
const utf8 = (text, repeat = 1) => new TextEncoder().encode(text.repeat(repeat));
const describe = (e) => `${e && e.name}: ${e && e.code}: ${e && e.message}`;
const isCosError = (e, code) => e instanceof Error && e.name === 'CosError' && (code ? e.code === code : typeof e.code === 'string');
// keys.json names wrapping algorithms by their envelope id; the JS API by their display name.
const WRAP = { aes256gcm: 'AES-256-GCM', sm4gcm: 'SM4-GCM' };

/** Runs `fn` (returning `[ok, detail]`) as one check; a throw fails it unless it is expected. */
function check(results, suite, id, fn) {
  let ok = false;
  let detail = '';
  try {
    [ok, detail] = fn();
  } catch (e) {
    detail = describe(e);
  }
  results.push({ suite, id, ok: Boolean(ok), detail: String(detail) });
}

/** Frees every object with a `free` method, once the check is done with it. */
function freeing(fn) {
  const owned = [];
  const own = (x) => (owned.push(x), x);
  try {
    return fn(own);
  } finally {
    for (const x of owned) x.free?.();
  }
}

function signerFor(api, input) {
  return new api.CosSigner({
    secretId: input.secret_id,
    secretKey: input.secret_key,
    ...(input.security_token ? { securityToken: input.security_token } : {}),
  });
}

function signingCase(api, c) {
  const { input, expected } = c;
  // A case cos-wasm deliberately refuses (`refusal`, marked from cos-wasm-refusals.json by
  // the test helpers) must fail with that code.
  const refusal = c.refusal;
  const rejects = input.reference === 'reject' || 'reject' in expected || refusal !== undefined;
  const req = {
    method: input.method,
    key: input.path,
    query: input.query,
    headers: input.headers,
    keyTime: input.key_time,
    ...(input.sign_headers ? { signHeaders: input.sign_headers } : {}),
  };
  const signer = signerFor(api, input);
  try {
    if (c.kind === 'auth') {
      const got = signer.authorization(req);
      return [!rejects && got === expected.authorization, got];
    }
    if (c.kind === 'presign') {
      const url = signer.presignUrl({ ...req, bucket: input.bucket, region: input.region });
      return [!rejects && same(canonicalUrl(url), expected.canonical), url];
    }
    if (c.kind === 'post_policy') {
      const fields = signer.signPostPolicy({ policy: input.policy, keyTime: input.key_time });
      const ok = !rejects && Object.entries(fields).every(([k, v]) => expected.fields[k] === v);
      return [ok, JSON.stringify(fields)];
    }
    return [false, `unknown kind ${c.kind}`];
  } catch (e) {
    return [rejects && isCosError(e) && (refusal === undefined || e.code === refusal.code), describe(e)];
  } finally {
    signer.free();
  }
}

/** Official-SDK cases and COS's documented examples (authorization, pre-signed URL, POST policy). */
export function runSigning(api, data) {
  const results = [];
  for (const c of [...data.signing.cases, ...data.docSigning.cases]) {
    check(results, 'signing', c.id, () => signingCase(api, c));
  }
  return results;
}

/** SSE headers for every mode × operation, SSE-C keys in every accepted form, copy-source headers. */
export function runSse(api, data) {
  const results = [];
  const { modes, operations, copy_source: copySource } = data.sse;
  for (const mode of modes) {
    for (const [op, accepted] of Object.entries(operations)) {
      check(results, 'sse', `${mode.id} ${op}`, () => {
        const want = mode.headers;
        if (!accepted.includes(mode.sse.type)) {
          try {
            api.sseHeaders(mode.sse, op);
            return [false, 'accepted'];
          } catch (e) {
            return [isCosError(e, 'ERR_SSE_NOT_ALLOWED'), describe(e)];
          }
        }
        const got = Object.entries(api.sseHeaders(mode.sse, op));
        if (mode.sse.type !== 'SSE-C') return [same(got, want), JSON.stringify(got)];
        // The key as base64 text, as raw bytes and as a CustomerKey gives the same headers.
        return freeing((own) => {
          const { key, algorithm } = mode.sse;
          const forms = [key, bytesOfBase64(key), own(api.CustomerKey.fromBase64(algorithm, key))];
          const all = forms.map((k) => Object.entries(api.sseHeaders({ ...mode.sse, key: k }, op)));
          return [all.every((h) => same(h, want)), JSON.stringify(all)];
        });
      });
    }
  }
  for (const c of copySource) {
    check(results, 'sse', `copy-source ${c.algorithm}`, () => freeing((own) => {
      const key = own(api.CustomerKey.fromBase64(c.algorithm, c.key));
      const got = [api.copySourceSseHeaders(c.key, c.algorithm), api.copySourceSseHeaders(key)].map(Object.entries);
      return [got.every((h) => same(h, c.headers)), JSON.stringify(got)];
    }));
  }
  return results;
}

/** Customer-key imports, fingerprints, HKDF and passphrase derivation, envelopes. */
export function runKeys(api, data) {
  const results = [];
  const { CustomerKey, WrappingKey } = api;
  for (const k of data.sse.customer_keys) {
    check(results, 'keys', `import ${k.id}`, () => freeing((own) => {
      const a = own(CustomerKey.fromHex(k.algorithm, k.key_hex));
      const b = own(CustomerKey.fromBase64(k.algorithm, k.key_base64));
      const c = own(CustomerKey.fromBytes(k.algorithm, bytesOfHex(k.key_hex)));
      const got = [a, b, c].map((x) => [x.algorithm, x.keyBase64, x.md5Base64]);
      return [got.every((g) => same(g, [k.algorithm, k.key_base64, k.key_md5])), JSON.stringify(got.map((g) => g[2]))];
    }));
  }
  for (const f of data.keys.fingerprints) {
    check(results, 'keys', `fingerprint ${f.algorithm}`, () => freeing((own) => {
      const got = own(CustomerKey.fromHex(f.algorithm, f.key_hex)).fingerprint;
      return [got === f.fingerprint, got];
    }));
  }
  for (const h of data.keys.hkdf) {
    check(results, 'keys', `hkdf ${h.algorithm}`, () => freeing((own) => {
      const key = own(CustomerKey.deriveHkdf({ master: bytesOfHex(h.master_hex), salt: bytesOfHex(h.salt_hex), bucket: h.bucket, key: h.key, algorithm: h.algorithm }));
      return [key.algorithm === h.algorithm && hexOfBase64(key.keyBase64) === h.key_hex, key.fingerprint];
    }));
  }
  // Each derivation is 100,000 PBKDF2 iterations: one per case, salt and iterations given as
  // such for SSE-C keys, as the stored parameter string for wrapping keys.
  for (const p of data.keys.passphrase) {
    check(results, 'keys', `passphrase ${p.purpose} ${p.algorithm}`, () => freeing((own) => {
      if (p.purpose === 'sse-c') {
        const fresh = CustomerKey.fromPassphrase({ passphrase: p.passphrase, salt: bytesOfHex(p.salt_hex), iterations: p.iterations, algorithm: p.algorithm });
        own(fresh.key);
        return [hexOfBase64(fresh.key.keyBase64) === p.key_hex && fresh.params === p.params, `${fresh.key.fingerprint} ${fresh.params}`];
      }
      const derived = WrappingKey.fromPassphrase({ passphrase: p.passphrase, params: p.params, algorithm: WRAP[p.algorithm] });
      own(derived.key);
      const ref = own(WrappingKey.fromBytes(WRAP[p.algorithm], bytesOfHex(p.key_hex)));
      return [derived.key.fingerprint === ref.fingerprint && derived.params === p.params, derived.key.fingerprint];
    }));
  }
  for (const e of data.keys.envelopes) {
    check(results, 'keys', `envelope ${e.wrap_algorithm} ${e.algorithm}`, () => freeing((own) => {
      const wk = own(WrappingKey.fromBytes(WRAP[e.wrap_algorithm], bytesOfHex(e.wrapping_key_hex)));
      const key = own(CustomerKey.unwrap(e.envelope, wk, { aad: e.aad }));
      let wrongAad = '';
      try {
        own(CustomerKey.unwrap(e.envelope, wk, { aad: `${e.aad}x` }));
      } catch (err) {
        wrongAad = err.code;
      }
      // A fresh wrap (random nonce) has the same header and opens to the same key.
      const fresh = key.wrap(wk, { aad: e.aad });
      const again = own(CustomerKey.unwrap(fresh, wk, { aad: e.aad }));
      const header = e.envelope.split('.').slice(0, 3).join('.') + '.';
      const ok = key.algorithm === e.algorithm && hexOfBase64(key.keyBase64) === e.key_hex
        && wrongAad === 'ERR_UNWRAP_FAILED' && fresh.startsWith(header) && again.md5Base64 === key.md5Base64;
      return [ok, `${key.algorithm} ${wrongAad}`];
    }));
  }
  return results;
}

/** MD5, SHA-1, CRC-64 (streaming classes and hashInput) and crc64Combine known answers. */
export async function runHashing(api, data) {
  const results = [];
  const digest = (Cls, bytes, method) => freeing((own) => {
    const h = own(new Cls());
    h.update(bytes);
    return h[method]();
  });
  for (const m of data.hashes.md5) {
    check(results, 'hashing', `md5 ${JSON.stringify(m.input)}`, () => {
      const bytes = utf8(m.input, m.repeat);
      const hex = digest(api.Md5, bytes, 'digestHex');
      const b64 = m.base64 ? digest(api.Md5, bytes, 'digestBase64') : undefined;
      return [hex === m.hex && b64 === m.base64, `${hex} ${b64}`];
    });
  }
  for (const s of data.hashes.sha1) {
    check(results, 'hashing', `sha1 ${JSON.stringify(s.input)} x${s.repeat ?? 1}`, () => {
      const hex = digest(api.Sha1, utf8(s.input, s.repeat), 'digestHex');
      return [hex === s.hex, hex];
    });
  }
  for (const c of data.hashes.crc64) {
    check(results, 'hashing', `crc64 ${JSON.stringify(c.input)}`, () => {
      const got = digest(api.Crc64, utf8(c.input, c.repeat), 'digest');
      const value = digest(api.Crc64, utf8(c.input, c.repeat), 'value');
      return [got === c.crc64 && value === BigInt(c.crc64), `${got} ${value}`];
    });
    const id = `hashInput ${JSON.stringify(c.input)}`;
    try {
      const out = await api.hashInput(utf8(c.input, c.repeat), { algorithms: ['crc64'] });
      results.push({ suite: 'hashing', id, ok: out.crc64 === c.crc64, detail: JSON.stringify(out) });
    } catch (e) {
      results.push({ suite: 'hashing', id, ok: false, detail: describe(e) });
    }
  }
  for (const c of data.hashes.crc64_combine) {
    check(results, 'hashing', `crc64Combine ${JSON.stringify([c.part1, c.part2])}`, () => {
      const [a, b] = [utf8(c.part1), utf8(c.part2)];
      const got = api.crc64Combine(digest(api.Crc64, a, 'digest'), digest(api.Crc64, b, 'digest'), b.length);
      return [got === c.crc64, got];
    });
  }
  return results;
}

/** Tencent Cloud API v3 (TC3-HMAC-SHA256) signatures of tencentcloud-sdk-nodejs-common. */
export function runTc3(api, data) {
  const results = [];
  for (const { id, input, expected } of data.tc3.cases) {
    check(results, 'tc3', id, () => {
      const got = api.tc3Authorization({
        secretId: input.secret_id, secretKey: input.secret_key, method: input.method, url: input.url,
        contentType: input.content_type, body: input.body, timestamp: input.timestamp, service: input.service,
      });
      return [got === expected.authorization, got];
    });
  }
  return results;
}

/**
 * Tencent CDN / EdgeOne URL authentication (cdnAuthUrl): the documents' worked examples, our
 * own cases and the refusals of cdn-auth.json. A type A case without `rand` is also signed
 * with a drawn one: 32 hex characters, and the URL otherwise as the vector's form.
 */
export function runCdn(api, data) {
  const results = [];
  for (const { id, input, expected } of data.cdn.cases) {
    check(results, 'cdn', id, () => {
      if (expected.error) {
        try {
          api.cdnAuthUrl(input);
          return [false, 'no error'];
        } catch (e) {
          const leaked = input.key.length >= 6 && String(e.message).includes(input.key.trim());
          return [isCosError(e, expected.error) && !leaked, describe(e)];
        }
      }
      const got = api.cdnAuthUrl(input);
      return [got === expected.url, got];
    });
  }
  check(results, 'cdn', 'type-a-draws-rand', () => {
    const input = { type: 'A', url: 'https://cdn.example.com/a.jpg?x=1', key: 'a1B2c3D4e5F6g7H8', timestamp: 1700000000 };
    const [a, b] = [api.cdnAuthUrl(input), api.cdnAuthUrl(input)];
    const m = /^https:\/\/cdn\.example\.com\/a\.jpg\?x=1&sign=1700000000-([0-9a-f]{32})-0-([0-9a-f]{32})$/.exec(a);
    return [Boolean(m) && a !== b, `${a} ${b}`];
  });
  return results;
}

/** Every section; resolves to one `{ suite, id, ok, detail }` per check. */
export async function runSuite(api, data) {
  return [...runSigning(api, data), ...runSse(api, data), ...runKeys(api, data), ...(await runHashing(api, data)), ...runTc3(api, data), ...runCdn(api, data)];
}
