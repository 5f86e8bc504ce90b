// The hostile-caller fuzz suite (issue 12), runtime-agnostic: no Node APIs, so the same
// module runs in Node (fuzz-node.test.mjs) and inside workerd (fuzz-worker.js).
//
// runFuzzSuite(cos, options) drives every export with hostile values — look-alike bytes
// (forged prototypes, proxies, detached buffers), throwing getters / traps / toJSON, freed
// objects, double and re-entrant free(), forged class instances, polluted prototypes — and
// returns a report; the runners assert on it:
//   escaped:  errors that were not CosErrors with an ERR_ code (must be empty)
//   wrong:    calls that succeeded or failed differently from what the class of misuse requires
//   leaked:   error messages that contain a secret
//   memory:   wasm memory size before and after the million misuse calls
//   secrets:  copies of freed secrets found in wasm memory at the end
//   signatureOk: a known-good signature still matches after everything

const SECRET_KEY = 'SKfuzzSecretThatMustBeWiped0123';
const REENTRANT_SECRET = 'SKreentrantFreeSecretMustBeWiped';
const KEY_BYTES = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i);
const b64 = (bytes) => btoa(String.fromCharCode(...bytes));
const KEY_B64 = b64(KEY_BYTES);
// A CDN / EdgeOne authentication key (cdnAuthUrl): never in a message, wiped after each call.
const CDN_KEY = 'CdnFuzzKeyMustBeWiped0123456789';
const SECRETS = [SECRET_KEY, REENTRANT_SECRET, KEY_B64, CDN_KEY];
const cdnGood = { type: 'D', url: 'https://cdn.example.com/a%20b.jpg?x=1', key: CDN_KEY, timestamp: 1721029907 };
const CDN_OPTIONS = ['type', 'url', 'key', 'timestamp', 'rand', 'uid', 'signParam', 'timeParam', 'timeFormat'];
const ep = { bucket: 'examplebucket-1250000000', region: 'ap-guangzhou' };
const fixed = { method: 'GET', key: 'fuzz.txt', keyTime: '1557989151;1557996351', headers: { 'x-cos-meta-a': '1' } };

/** Every option name the package reads, for throwing getters and prototype pollution. */
export const OPTION_NAMES = [
  'secretId', 'secretKey', 'securityToken', 'method', 'key', 'keyPrefix', 'query', 'headers', 'signHeaders',
  'keyTime', 'expires', 'start', 'end', 'bucket', 'region', 'protocol', 'domain', 'port', 'pathStyle',
  'allowInsecureLocal', 'sse', 'type', 'algorithm', 'kmsKeyId', 'context', 'keyMd5', 'copySourceSse',
  'operation', 'policy', 'conditions', 'contentLengthRange', 'contentType', 'successActionStatus',
  'successActionRedirect', 'meta', 'storageClass', 'acl', 'master', 'salt', 'passphrase', 'params',
  'iterations', 'aad', 'fields', 'algorithms', 'chunkSize', 'onProgress', 'signal',
  'url', 'timestamp', 'rand', 'uid', 'signParam', 'timeParam', 'timeFormat', 'strict',
];

function detached(make) {
  const buf = new ArrayBuffer(32);
  const view = make(buf);
  try {
    structuredClone(buf, { transfer: [buf] });
  } catch {
    return undefined;
  }
  return view;
}

/** Values that look like bytes but are not (or no longer) a readable ArrayBuffer(View). */
export function hostileBuffers() {
  const out = [
    Object.setPrototypeOf({}, Uint8Array.prototype),
    Object.setPrototypeOf({ length: 32, byteLength: 32 }, Uint8Array.prototype),
    Object.setPrototypeOf({}, ArrayBuffer.prototype),
    Object.setPrototypeOf({}, DataView.prototype),
    new Proxy(new Uint8Array(32), {}),
    new Proxy(new ArrayBuffer(32), {}),
    new Proxy(new Uint8Array(32), { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } }),
    { length: 32, 0: 1, 1: 2 },
    [1, 2, 3],
    detached((b) => new Uint8Array(b)),
    detached((b) => new DataView(b)),
    detached((b) => b),
  ];
  return out.filter((v) => v !== undefined);
}

function throwingGetter(base, name) {
  const o = { ...base };
  Object.defineProperty(o, name, { enumerable: true, get() { throw new Error(`getter ${name}`); } });
  return o;
}

const throwingProxy = () => new Proxy({}, {
  get() { throw new Error('trap'); },
  getOwnPropertyDescriptor() { throw new Error('trap'); },
  ownKeys() { throw new Error('trap'); },
  has() { throw new Error('trap'); },
  getPrototypeOf() { throw new Error('trap'); },
});

function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Finds `needle` (bytes) in `hay` (bytes); returns the number of occurrences. */
function countBytes(hay, needle) {
  let n = 0;
  const first = needle[0];
  for (let i = hay.indexOf(first); i >= 0 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) n++;
  }
  return n;
}

/**
 * Runs the suite against the package namespace `cos` (already initialised). `misuseCalls`
 * mixed misuse calls (default one million) and `randomCalls` random-input calls of every
 * export. Returns the report described at the top of this file.
 */
/** A stub of the signer entry for a name that moved: reading any property is ERR_MOVED. */
function isMovedStub(value) {
  try {
    void value.name;
    return false;
  } catch (e) {
    return e?.code === 'ERR_MOVED';
  }
}

export function runFuzzSuite(cos, { misuseCalls = 1_000_000, randomCalls = 3_000, seed = 0x2545f491 } = {}) {
  const { CosSigner, CustomerKey, WrappingKey, Crc64, Md5, Sha1 } = cos;
  // One linear memory per entry (`cos.entries`, see mergeEntries in suite.mjs), or one.
  const memories = Object.values(cos.entries ?? { cos }).map((e) => e.initSync({ module: new Uint8Array() }).memory);
  const memory = { buffer: { get byteLength() { return memories.reduce((n, m) => n + m.buffer.byteLength, 0); } } };
  const report = { calls: 0, escaped: [], wrong: [], leaked: [], codes: {}, memory: {}, secrets: {}, signatureOk: false };
  const note = (list, what) => {
    if (list.length < 20) list.push(what);
  };
  const enc = new TextEncoder();

  /** Runs fn; `expect` is an error code, 'ok' (must not throw) or 'any' (a CosError or success). */
  function call(label, fn, expect) {
    report.calls++;
    try {
      fn();
      if (expect !== 'ok' && expect !== 'any') note(report.wrong, `${label}: succeeded, expected ${expect}`);
    } catch (e) {
      const isCos = e instanceof Error && e.name === 'CosError' && typeof e.code === 'string' && /^ERR_[A-Z0-9_]+$/.test(e.code);
      if (!isCos) {
        note(report.escaped, `${label}: ${e?.name}: ${e?.message}`);
        return;
      }
      report.codes[e.code] = (report.codes[e.code] ?? 0) + 1;
      if (SECRETS.some((s) => e.message.includes(s))) note(report.leaked, label);
      if (expect === 'ok') note(report.wrong, `${label}: threw ${e.code}: ${e.message}`);
      else if (expect !== 'any' && expect !== e.code) note(report.wrong, `${label}: threw ${e.code}, expected ${expect}: ${e.message}`);
    }
  }

  const good = new CosSigner({ secretId: 'AKIDfuzz', secretKey: SECRET_KEY });
  const goodAuth = good.authorization(fixed);
  const wrapping = WrappingKey.generate('AES-256-GCM');
  const liveKey = CustomerKey.generate('AES256');
  const hasher = new Crc64();
  const freedSigner = new CosSigner({ secretId: 'AKIDfuzz', secretKey: 'freed-secret' });
  freedSigner.free();
  const freedKey = CustomerKey.fromBytes('AES256', KEY_BYTES);
  freedKey.free();
  const freedMd5 = new Md5();
  freedMd5.free();
  const freedWrapping = WrappingKey.generate('AES-256-GCM');
  freedWrapping.free();
  const forgedSigner = Object.create(CosSigner.prototype);
  const forgedKey = Object.create(CustomerKey.prototype);
  const hostile = hostileBuffers();
  const signRequestOptions = ['method', 'key', 'query', 'headers', 'signHeaders', 'keyTime', 'expires', 'bucket', 'region', 'protocol',
    'domain', 'port', 'pathStyle', 'allowInsecureLocal', 'sse', 'copySourceSse', 'operation'];
  const throwing = signRequestOptions.map((name) => [name, throwingGetter({ ...fixed, ...ep, sse: { type: 'SSE-COS' } }, name)]);
  const bytes = enc.encode('123456789');

  const misuse = [
    () => call('freed signer method', () => freedSigner.authorization(fixed), 'ERR_USE_AFTER_FREE'),
    () => call('double free', () => freedSigner.free(), 'ok'),
    () => call('double dispose', () => freedKey[Symbol.dispose](), 'ok'),
    () => call('freed key getter', () => freedKey.md5Base64, 'ERR_USE_AFTER_FREE'),
    () => call('freed hasher', () => freedMd5.update(bytes), 'ERR_USE_AFTER_FREE'),
    () => call('freed key in options', () => good.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-C', key: freedKey } }), 'ERR_USE_AFTER_FREE'),
    () => call('freed wrapping key', () => liveKey.wrap(freedWrapping, {}), 'ERR_USE_AFTER_FREE'),
    () => call('forged signer', () => forgedSigner.authorization(fixed), 'ERR_USE_AFTER_FREE'),
    () => call('forged key', () => good.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-C', key: forgedKey } }), 'ERR_USE_AFTER_FREE'),
    (i) => call('hostile SSE-C key', () => good.signRequest({ ...fixed, ...ep, method: 'PUT', sse: { type: 'SSE-C', key: hostile[i % hostile.length] } }), 'any'),
    (i) => call('hostile key bytes', () => CustomerKey.fromBytes('AES256', hostile[i % hostile.length]).free(), 'ERR_INVALID_ARGUMENT'),
    (i) => call('hostile update', () => hasher.update(hostile[i % hostile.length]), 'ERR_INVALID_ARGUMENT'),
    (i) => call('hostile aad', () => liveKey.wrap(wrapping, { aad: hostile[i % hostile.length] }), 'ERR_INVALID_ARGUMENT'),
    (i) => call('hostile master', () => CustomerKey.deriveHkdf({ master: hostile[i % hostile.length], bucket: 'b-1', key: 'k' }).free(), 'ERR_INVALID_ARGUMENT'),
    (i) => call('hostile salt', () => CustomerKey.deriveHkdf({ master: KEY_BYTES, salt: hostile[i % hostile.length], bucket: 'b-1', key: 'k' }).free(), 'ERR_INVALID_ARGUMENT'),
    (i) => {
      const [name, opts] = throwing[i % throwing.length];
      call(`throwing getter ${name}`, () => good.signRequest(opts), 'ERR_INVALID_ARGUMENT');
    },
    () => call('throwing sse getter', () => good.signRequest({ ...fixed, ...ep, sse: throwingProxy() }), 'ERR_INVALID_ARGUMENT'),
    () => call('throwing contentLengthRange', () => good.postObjectForm(throwingGetter({ ...ep, key: 'a', keyTime: '1;2' }, 'contentLengthRange')), 'ERR_INVALID_ARGUMENT'),
    () => call('throwing toJSON', () => good.signPostPolicy({ policy: { toJSON() { throw new Error('toJSON'); } }, keyTime: '1;2' }), 'ERR_INVALID_POLICY'),
    () => call('proxy options', () => good.authorization(throwingProxy()), 'any'),
    () => call('revoked proxy', () => good.authorization(revokedProxy()), 'ERR_INVALID_ARGUMENT'),
    () => call('proxy headers', () => good.authorization({ ...fixed, headers: throwingProxy() }), 'ERR_INVALID_ARGUMENT'),
    () => call('throwing aad getter', () => liveKey.wrap(wrapping, throwingGetter({}, 'aad')), 'ERR_INVALID_ARGUMENT'),
    () => {
      // free() re-entered from a getter while the signer is in a call: deferred, then wiped.
      const s = new CosSigner({ secretId: 'AKIDfuzz', secretKey: REENTRANT_SECRET });
      call('re-entrant free', () => s.authorization({ ...fixed, get headers() { s.free(); return { 'x-cos-meta-a': '1' }; } }), 'ok');
      call('after re-entrant free', () => s.authorization(fixed), 'ERR_USE_AFTER_FREE');
      call('free after re-entrant free', () => s.free(), 'ok');
    },
    () => {
      const k = CustomerKey.fromBytes('AES256', KEY_BYTES);
      call('re-entrant key free', () => k.wrap(wrapping, { get aad() { k.free(); return 'x'; } }), 'ok');
      call('after re-entrant key free', () => k.fingerprint, 'ERR_USE_AFTER_FREE');
    },
    () => call('strict write without type and size', () => good.signRequest({ ...fixed, ...ep, method: 'PUT', strict: true }), 'ERR_STRICT_SIGN_MISSING_HEADER'),
    (i) => call('strict not a boolean', () => good.presignUrl({ ...fixed, ...ep, strict: [1, 'true', false, {}][i % 4] }), i % 4 === 2 ? 'ok' : 'ERR_INVALID_ARGUMENT'),
    () => call('cdnAuthUrl', () => cos.cdnAuthUrl(cdnGood), 'ok'),
    () => call('cdnAuthUrl type A drawn rand', () => cos.cdnAuthUrl({ ...cdnGood, type: 'A' }), 'ok'),
    (i) => call('cdnAuthUrl throwing getter', () => cos.cdnAuthUrl(throwingGetter({ ...cdnGood, type: 'A', rand: 'r', uid: '1' }, CDN_OPTIONS[i % CDN_OPTIONS.length])), 'ERR_INVALID_ARGUMENT'),
    (i) => call('cdnAuthUrl bad timestamp', () => cos.cdnAuthUrl({ ...cdnGood, timestamp: [-1, 1.5, NaN, Infinity, 2 ** 64, '1', 10n, null][i % 8] }), 'ERR_INVALID_TIMESTAMP'),
    (i) => call('cdnAuthUrl bad key', () => cos.cdnAuthUrl({ ...cdnGood, key: [CDN_KEY + ' ', CDN_KEY + '\n', '', 'short', CDN_KEY.repeat(2)][i % 5] }), 'ERR_INVALID_CDN_AUTH'),
    (i) => call('cdnAuthUrl hostile url', () => cos.cdnAuthUrl({ ...cdnGood, url: ['/rel', 'https://h/é', 'https://h/#f', 'javascript:x', '\ud800'][i % 5] }), 'any'),
    () => call('cdnAuthUrl proxy options', () => cos.cdnAuthUrl(throwingProxy()), 'any'),
    () => call('cdnAuthUrl revoked proxy', () => cos.cdnAuthUrl(revokedProxy()), 'ERR_INVALID_ARGUMENT'),
  ];

  // Weighted like the failures of issue 12 (thousands of double frees and calls on freed
  // objects killed the module): the cheap lifetime misuses most often, every class each round.
  const weights = { 1: 8, 2: 8, 0: 6, 3: 6, 4: 6, 7: 2 };
  // A million thrown errors: capturing a stack trace for each is most of the run time, and
  // the suite checks codes and messages, not stacks.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const schedule = misuse.flatMap((f, k) => Array(weights[k] ?? 1).fill(f));
  const warm = Math.min(misuseCalls, 20_000);
  let i = 0;
  while (report.calls < warm) misuse[i % misuse.length](i++);
  report.memory.before = memory.buffer.byteLength;
  while (report.calls < misuseCalls) schedule[i % schedule.length](i++);
  report.memory.after = memory.buffer.byteLength;
  Error.stackTraceLimit = stackTraceLimit;

  // Random inputs of every export, with the hostile classes mixed in.
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const strings = ['', 'a', '/', '%', '\u0000', '\ud800', 'café', ' pad ', '\r\n', 'x'.repeat(900), 'AES256', 'SM4', 'SSE-C', 'SSE-COS', 'SSE-KMS',
    'PutObject', 'GetObject', 'UploadPart', KEY_B64, '1;2', 'examplebucket-1250000000', 'ap-guangzhou', '127.0.0.1', 'evil.localhost', 'http'];
  const scalar = () => pick([pick(strings), 0, -1, 1.5, NaN, Infinity, 2 ** 64, null, undefined, true, false, 10n, Symbol('s')]);
  const value = (depth = 0) => {
    const r = rand();
    if (depth > 2 || r < 0.4) return scalar();
    if (r < 0.5) return pick(hostile);
    if (r < 0.55) return pick([throwingProxy(), revokedProxy(), freedKey, forgedKey, liveKey, new Uint16Array(16), new DataView(new ArrayBuffer(32))]);
    if (r < 0.65) return [value(depth + 1), value(depth + 1)];
    const o = {};
    for (let i = 0; i < 4; i++) o[pick([...OPTION_NAMES, pick(strings)])] = value(depth + 1);
    if (rand() < 0.2) Object.defineProperty(o, pick(OPTION_NAMES), { enumerable: true, get() { throw new Error('getter'); } });
    return o;
  };
  for (let i = 0; i < randomCalls; i++) {
    const v = value();
    const w = value();
    // The fuzzed object's own properties (getters included, not invoked) over a valid base,
    // so deep paths are reached too.
    let base = { ...fixed, ...ep };
    try {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) base = Object.defineProperties(base, Object.getOwnPropertyDescriptors(v));
    } catch {
      base = v;
    }
    const any = (label, fn) => call(label, fn, 'any');
    any('signRequest', () => good.signRequest(base));
    any('presignRequest', () => good.presignRequest(base));
    any('presignUrl', () => good.presignUrl(base));
    any('postObjectForm', () => good.postObjectForm(base));
    any('signPostPolicy', () => good.signPostPolicy({ policy: v, keyTime: '1;2' }));
    any('authorization', () => good.authorization(base));
    any('sseHeaders', () => cos.sseHeaders(v, w));
    any('copySourceSseHeaders', () => cos.copySourceSseHeaders(v, w));
    any('objectUrl', () => cos.objectUrl(base));
    any('bucketEncryptionXml', () => cos.bucketEncryptionXml(v));
    any('parseBucketEncryptionXml', () => cos.parseBucketEncryptionXml(v));
    any('CustomerKey.fromBytes', () => CustomerKey.fromBytes(v, w).free());
    any('CustomerKey.fromBase64', () => CustomerKey.fromBase64(v, w).free());
    any('CustomerKey.fromHex', () => CustomerKey.fromHex(v, w).free());
    any('CustomerKey.deriveHkdf', () => CustomerKey.deriveHkdf(base).free());
    any('CustomerKey.unwrap', () => CustomerKey.unwrap(v, wrapping, w).free());
    any('CustomerKey.wrap', () => liveKey.wrap(v, w));
    any('WrappingKey.fromBytes', () => WrappingKey.fromBytes(v, w).free());
    any('Crc64.update', () => hasher.update(v));
    const sha1 = new Sha1();
    any('Sha1.update', () => sha1.update(w));
    sha1.free();
    any('crc64Combine', () => cos.crc64Combine(v, w, value()));
    any('verifyCrc64', () => cos.verifyCrc64(v, w));
    any('postFormData', () => cos.postFormData(v, w));
    any('verifyResponseCrc64', () => cos.verifyResponseCrc64(v, w));
    any('isCosError', () => cos.isCosError(v));
    any('explainSignatureMismatch', () => cos.explainSignatureMismatch(v, base));
    any('explainSignatureMismatch(xml)', () => cos.explainSignatureMismatch('<Error><Code>SignatureDoesNotMatch</Code><FormatString>get\n/a\n\n\n</FormatString></Error>', v));
    any('parseCosErrorXml', () => cos.parseCosErrorXml(v));
    any('clockOffset', () => { good.clockOffset = v; });
    any('tc3Authorization', () => cos.tc3Authorization(base));
    any('cosPolicy', () => cos.cosPolicy(v));
    any('cdnAuthUrl', () => cos.cdnAuthUrl(v));
    any('cdnAuthUrl(base)', () => {
      let o = { ...cdnGood };
      try {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) o = Object.defineProperties(o, Object.getOwnPropertyDescriptors(v));
      } catch {
        o = v;
      }
      cos.cdnAuthUrl(o);
    });
    // The signer entry's stubs of the names that moved to other entries: ERR_MOVED on any use.
    for (const [name, stub] of Object.entries(cos.entries?.signer ?? {})) {
      if (cos[name] === stub || !isMovedStub(stub)) continue;
      call(`moved ${name}()`, () => stub(v, w), 'ERR_MOVED');
      call(`moved new ${name}`, () => new stub(v), 'ERR_MOVED');
      call(`moved ${name}.prop`, () => stub[typeof v === 'string' ? v : 'x'], 'ERR_MOVED');
    }
  }
  good.clockOffset = 0;

  // Still healthy: the known-good signature, a fresh signer, the shared hasher.
  hasher.reset();
  hasher.update(bytes);
  const fresh = new CosSigner({ secretId: 'AKIDfuzz', secretKey: SECRET_KEY });
  report.signatureOk = good.authorization(fixed) === goodAuth
    && fresh.authorization(fixed) === goodAuth
    && hasher.digest() === '11051210869376104954';
  fresh.free();

  for (const o of [good, wrapping, liveKey, hasher]) o.free();
  for (const [name, needle] of Object.entries({ SECRET_KEY, REENTRANT_SECRET, KEY_B64, KEY_BYTES, CDN_KEY })) {
    report.secrets[name] = memories.reduce((n, m) => n + countBytes(new Uint8Array(m.buffer), typeof needle === 'string' ? enc.encode(needle) : needle), 0);
  }
  return report;
}
