// Tencent Cloud STS over fetch (GetFederationToken, AssumeRole), signed with the wasm
// core's TC3-HMAC-SHA256, and a provider that caches temporary credentials until shortly
// before they expire. Runs wherever `fetch` does: Node >= 20, workerd, Deno, browsers.
// Written as plain ESM; the build derives sts.cjs from it for CommonJS.
import { tc3Authorization } from './extras.js';
import { isLoopbackHost, secretTransportAllowed } from './cos_wasm_sts.js';
import { cosError } from '../errors.js';
import { bytesOf, callMethod, isObject, isPrintableAscii, jsonText, own, ownOptions, readProp, runtimeFetch } from '../guard.js';
import { transportRule, urlParts } from '../transport.js';

/** STS API version (Tencent Cloud API v3). */
const STS_VERSION = '2018-08-13';
/** The public STS endpoint; `sts.intl.tencentcloudapi.com` serves the international site. */
const DEFAULT_STS_ENDPOINT = 'https://sts.tencentcloudapi.com/';
/** Default request timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Longest DurationSeconds per action: 7200 s for GetFederationToken, 43200 s for AssumeRole
 * (STS API docs; the AssumeRole ceiling also depends on the role's own maximum session).
 */
const MAX_DURATION = { GetFederationToken: 7200, AssumeRole: 43200 };
/** Default DurationSeconds (the GetFederationToken default of the STS docs). */
const DEFAULT_DURATION = 1800;
/** Default refresh margin of `credentialsProvider`: refresh when less than this remains. */
const DEFAULT_MARGIN_SECONDS = 300;

/** Largest STS reply read (a real one is about 2 KB): a bigger one is ERR_STS_BAD_RESPONSE. */
const MAX_REPLY_BYTES = 64 * 1024;
/** Largest CAM policy, as JSON text (CAM's own limit is smaller; this bounds the work). */
const MAX_POLICY_CHARS = 64 * 1024;
/** Longest secret id, key or token accepted, from a caller or in a reply. */
const MAX_SECRET_CHARS = 16 * 1024;
/** Credentials expiring sooner than this are refused as already expired (seconds). */
const MIN_REMAINING_SECONDS = 5;
/** Credentials claiming to live longer than this are refused as malformed (seconds). */
const MAX_LIFETIME_SECONDS = 2 * 86400;
/** Back-off of `credentialsProvider` after a failed refresh: 1 s, doubling, at most a minute. */
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

const OPTION_NAMES = ['secretId', 'secretKey', 'securityToken', 'region', 'endpoint', 'fetch', 'signal', 'timeoutMs'];
const rule = transportRule({ isLoopbackHost, secretTransportAllowed });
const { apply } = Reflect;
const setTimer = setTimeout;
const clearTimer = clearTimeout;
const now = Date.now;

function invalid(message) {
  return cosError('ERR_INVALID_ARGUMENT', message);
}

function requireString(o, name) {
  const v = o[name];
  if (typeof v !== 'string' || v === '') throw invalid(`\`${name}\` must be a non-empty string`);
  return v;
}

/** A secret or id given by the caller: printable ASCII (it goes into a header), bounded. */
function requireSecret(o, name, optional = false) {
  const v = o[name];
  if (optional && v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > MAX_SECRET_CHARS || !isPrintableAscii(v)) {
    throw invalid(`\`${name}\` must be a non-empty string of printable ASCII (no CR, LF or NUL), at most ${MAX_SECRET_CHARS} characters${optional ? ', when given' : ''}`);
  }
  return v;
}

/**
 * Every form in which a server may echo a secret: as given, URL-encoded (either case of
 * hex), upper- or lower-cased; compared case-insensitively.
 */
function secretForms(secrets) {
  const forms = new Set();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length < 4) continue;
    for (const f of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) forms.add(f.toLowerCase());
  }
  return [...forms];
}

/** `text` with every echo of a secret (any of `secretForms`) replaced by `***`. */
function redact(text, secrets) {
  let out = String(text);
  for (const form of secretForms(secrets)) {
    for (let at = out.toLowerCase().indexOf(form); at >= 0; at = out.toLowerCase().indexOf(form, at + 3)) {
      out = `${out.slice(0, at)}***${out.slice(at + form.length)}`;
    }
  }
  return out;
}

/** A short printable field of a reply (`Code`, `RequestId`), or undefined; never a secret. */
function replyField(v, secrets, pattern) {
  if (typeof v !== 'string' || v.length > 128 || !pattern.test(v)) return undefined;
  return redact(v, secrets) === v ? v : undefined;
}

function endpointUrl(endpoint) {
  const parts = urlParts(endpoint, '`endpoint`');
  // The reply carries secret keys: only loopback test servers may use plain http.
  if (!rule.secretAllowed(parts, true)) {
    throw cosError('ERR_INVALID_URL', 'endpoint must be https:// (http:// only for 127.0.0.1, localhost or [::1])');
  }
  if (parts.username || parts.password) throw cosError('ERR_INVALID_URL', 'endpoint must not carry credentials');
  return parts;
}

function policyText(policy, required) {
  if (policy === undefined || policy === null) {
    if (required) throw cosError('ERR_INVALID_CAM_POLICY', '`policy` is required (build it with cosPolicy())');
    return undefined;
  }
  const text = typeof policy === 'string' ? policy : jsonText(policy, 'ERR_INVALID_CAM_POLICY', 'policy', MAX_POLICY_CHARS);
  if (text.length > MAX_POLICY_CHARS) throw cosError('ERR_INVALID_CAM_POLICY', `\`policy\` is longer than ${MAX_POLICY_CHARS} characters`);
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw cosError('ERR_INVALID_CAM_POLICY', '`policy` must be a CAM policy object or its JSON text');
  }
  if (!parsed || typeof parsed !== 'object' || !Array.isArray(parsed.statement)) {
    throw cosError('ERR_INVALID_CAM_POLICY', '`policy` has no statement array (build it with cosPolicy())');
  }
  return text;
}

function duration(value, action) {
  const d = value ?? DEFAULT_DURATION;
  if (!Number.isInteger(d) || d < 1 || d > MAX_DURATION[action]) {
    throw invalid(`durationSeconds must be a whole number from 1 to ${MAX_DURATION[action]} for ${action}`);
  }
  return d;
}

/** Releases an unread reply's connection (a hostile or missing body is left alone). */
function discard(res) {
  try {
    const body = res.body;
    if (isObject(body) && typeof body.cancel === 'function') body.cancel().catch(() => {});
  } catch {
    // nothing to release
  }
}

/** The reply's body as text, read up to MAX_REPLY_BYTES (a bigger one is refused, not buffered). */
async function readReply(res, action) {
  const tooBig = () => cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered more than ${MAX_REPLY_BYTES} bytes`);
  const body = readProp(res, 'body', 'ERR_STS_BAD_RESPONSE', 'response.body');
  if (body !== null && body !== undefined) {
    const reader = callMethod(body, 'getReader', [], 'ERR_STS_BAD_RESPONSE', 'response.body.getReader');
    const chunks = [];
    let size = 0;
    try {
      for (;;) {
        const r = await callMethod(reader, 'read', [], 'ERR_STS_BAD_RESPONSE', 'response.body read');
        if (!isObject(r) || r.done) break;
        const bytes = bytesOf(r.value);
        if (bytes === undefined) throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered a body that is not bytes`);
        size += bytes.byteLength;
        if (size > MAX_REPLY_BYTES) throw tooBig();
        chunks.push(bytes.slice());
      }
    } catch (e) {
      try {
        reader.cancel().catch(() => {});
      } catch {
        // a hostile reader: nothing more to do
      }
      throw e?.name === 'CosError' ? e : cosError('ERR_STS_BAD_RESPONSE', `STS ${action}: reading the reply failed`);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return new TextDecoder().decode(all);
  }
  const text = await callMethod(res, 'text', [], 'ERR_STS_BAD_RESPONSE', 'response.text');
  if (typeof text !== 'string') throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered a body that is not text`);
  if (text.length > MAX_REPLY_BYTES) throw tooBig();
  return text;
}

/**
 * Runs `fetchImpl` and reads the reply under one deadline and the caller's AbortSignal: the
 * call ends at `timeoutMs` even when `fetchImpl` ignores the signal. Redirects are not
 * followed (the request carries X-TC-Token and is signed for this host). A failure below
 * HTTP is ERR_NETWORK without the runtime's text (it may quote a header value).
 */
async function fetchWithDeadline(fetchImpl, url, init, { signal, timeoutMs, host, action }) {
  const isAborted = () => readProp(signal, 'aborted', 'ERR_INVALID_ARGUMENT', 'signal.aborted') === true;
  if (signal !== undefined && isAborted()) throw cosError('ERR_ABORTED', 'the STS request was aborted');
  const controller = new AbortController();
  let fail;
  const stopped = new Promise((_, reject) => {
    fail = reject;
  });
  stopped.catch(() => {});
  const timer = setTimer(() => {
    controller.abort();
    fail(cosError('ERR_TIMEOUT', `STS did not answer within ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = () => {
    controller.abort();
    fail(cosError('ERR_ABORTED', 'the STS request was aborted'));
  };
  if (signal !== undefined) callMethod(signal, 'addEventListener', ['abort', onAbort, { once: true }], 'ERR_INVALID_ARGUMENT', 'signal.addEventListener');
  const work = (async () => {
    let res;
    try {
      // a null-prototype init: a polluted Object.prototype adds no fetch option
      res = await apply(fetchImpl, undefined, [url, { __proto__: null, ...init, redirect: 'manual', signal: controller.signal }]);
    } catch (e) {
      const name = typeof e?.name === 'string' && /^\w{1,40}$/.test(e.name) ? e.name : 'Error';
      throw cosError('ERR_NETWORK', `the request to ${host} failed below HTTP (${name}: DNS, connection, TLS or a CORS refusal)`);
    }
    if (!isObject(res)) throw cosError('ERR_STS_BAD_RESPONSE', `\`fetch\` did not resolve to a Response (STS ${action})`);
    const status = readProp(res, 'status', 'ERR_STS_BAD_RESPONSE', 'response.status');
    const type = readProp(res, 'type', 'ERR_STS_BAD_RESPONSE', 'response.type');
    const redirected = readProp(res, 'redirected', 'ERR_STS_BAD_RESPONSE', 'response.redirected');
    if (type === 'opaqueredirect' || redirected === true || (typeof status === 'number' && status >= 300 && status < 400)) {
      discard(res);
      throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered with a redirect, which is not followed (the request carries a token)`, { httpStatus: typeof status === 'number' ? status : undefined });
    }
    if (!Number.isInteger(status) || status < 100 || status > 999) throw cosError('ERR_STS_BAD_RESPONSE', `\`fetch\` resolved to a Response without a status (STS ${action})`);
    return { status, text: await readReply(res, action) };
  })();
  try {
    return await Promise.race([work, stopped]);
  } catch (e) {
    if (e?.name === 'CosError' && typeof e.code === 'string') throw e;
    throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action}: the reply could not be read`);
  } finally {
    work.catch(() => {});
    clearTimer(timer);
    if (signal !== undefined) {
      try {
        signal.removeEventListener('abort', onAbort);
      } catch {
        // a hostile signal: the listener is once-only anyway
      }
    }
  }
}

/** The temporary credentials of a reply, checked: present, well-formed and not expired. */
function replyCredentials(reply, action, requestId, status, secrets) {
  const c = own(reply, 'Credentials', 'Response.Credentials');
  const field = (name) => (isObject(c) ? own(c, name, `Credentials.${name}`) : undefined);
  const creds = { id: field('TmpSecretId'), key: field('TmpSecretKey'), token: field('Token') };
  const expiredTime = own(reply, 'ExpiredTime', 'Response.ExpiredTime');
  const bad = (why) => cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered ${why}`, { requestId, httpStatus: status });
  for (const v of Object.values(creds)) {
    if (typeof v !== 'string' || v === '' || v.length > MAX_SECRET_CHARS || !isPrintableAscii(v)) {
      throw bad('without well-formed Credentials {TmpSecretId, TmpSecretKey, Token} (printable ASCII strings)');
    }
  }
  const t = Math.floor(now() / 1000);
  if (!Number.isSafeInteger(expiredTime)) throw bad('without a whole-number ExpiredTime');
  if (expiredTime < t + MIN_REMAINING_SECONDS) throw bad('credentials that have already expired (is this clock right?)');
  if (expiredTime > t + MAX_LIFETIME_SECONDS) throw bad(`credentials expiring more than ${MAX_LIFETIME_SECONDS} s from now (is this clock right?)`);
  const expiration = own(reply, 'Expiration', 'Response.Expiration');
  return {
    tmpSecretId: creds.id,
    tmpSecretKey: creds.key,
    sessionToken: creds.token,
    expiredTime,
    expiration: typeof expiration === 'string' && /^[0-9TZ:.+-]{10,40}$/.test(expiration) ? expiration : new Date(expiredTime * 1000).toISOString(),
    requestId,
  };
}

/** One signed STS call; resolves to the temporary credentials, or throws a CosError. */
async function callSts(action, params, o) {
  const secretId = requireSecret(o, 'secretId');
  const secretKey = requireSecret(o, 'secretKey');
  const securityToken = requireSecret(o, 'securityToken', true);
  const secrets = [secretKey, securityToken];
  const region = requireString(o, 'region');
  if (!/^[a-z0-9-]{1,40}$/.test(region)) throw cosError('ERR_INVALID_REGION', 'region must be lowercase letters, digits and -, e.g. ap-guangzhou');
  const signal = o.signal;
  if (signal !== undefined && !(isObject(signal) && typeof readProp(signal, 'addEventListener', 'ERR_INVALID_ARGUMENT', 'signal.addEventListener') === 'function')) {
    throw invalid('`signal` must be an AbortSignal when given');
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // setTimeout fires at once for delays above 2^31 - 1 ms.
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) throw invalid('`timeoutMs` must be a whole number of milliseconds from 1 to 2147483647');
  const fetchImpl = o.fetch ?? runtimeFetch();
  if (typeof fetchImpl !== 'function') throw invalid('no fetch in this runtime: pass `fetch`');
  const parts = endpointUrl(o.endpoint ?? DEFAULT_STS_ENDPOINT);
  const url = parts.href;
  // `params` has no prototype: a polluted Object.prototype.toJSON is never called.
  const body = JSON.stringify({ __proto__: null, ...params });
  const timestamp = Math.floor(now() / 1000);
  const contentType = 'application/json';
  const headers = {
    __proto__: null,
    Authorization: tc3Authorization({ secretId, secretKey, method: 'POST', url, contentType, body, timestamp, service: 'sts' }),
    'Content-Type': contentType,
    'X-TC-Action': action,
    'X-TC-Version': STS_VERSION,
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': region,
  };
  if (securityToken) headers['X-TC-Token'] = securityToken;
  const { status, text } = await fetchWithDeadline(fetchImpl, url, { method: 'POST', headers, body }, { signal, timeoutMs, host: parts.host, action });
  let reply;
  try {
    const parsed = JSON.parse(text);
    reply = isObject(parsed) ? own(parsed, 'Response', 'Response') : undefined;
  } catch {
    reply = undefined;
  }
  if (!isObject(reply)) {
    throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered HTTP ${status} without a JSON Response`, { httpStatus: status });
  }
  const requestId = replyField(own(reply, 'RequestId', 'Response.RequestId'), secrets, /^[A-Za-z0-9-]+$/);
  const error = own(reply, 'Error', 'Response.Error');
  if (error !== undefined) {
    const code = isObject(error) ? own(error, 'Code', 'Error.Code') : undefined;
    const tencentCode = replyField(code, secrets, /^[A-Za-z0-9_.]+$/) ?? 'Unknown';
    const raw = isObject(error) ? own(error, 'Message', 'Error.Message') : undefined;
    const message = redact(typeof raw === 'string' ? raw.slice(0, 1024) : '', secrets);
    throw cosError('ERR_STS', `STS ${action} failed: ${tencentCode}: ${message}${requestId ? ` (RequestId ${requestId})` : ''}`, {
      tencentCode,
      requestId,
      httpStatus: status,
    });
  }
  return replyCredentials(reply, action, requestId, status, secrets);
}

/**
 * STS GetFederationToken: temporary credentials for a federated user `name`, limited by
 * `policy` (a CAM policy, e.g. from `cosPolicy()`), valid `durationSeconds` (default 1800,
 * at most 7200). Resolves to `{ tmpSecretId, tmpSecretKey, sessionToken, expiredTime,
 * expiration, requestId }`.
 */
export async function getFederationToken(opts) {
  const o = ownOptions(opts, [...OPTION_NAMES, 'name', 'policy', 'durationSeconds'], 'getFederationToken(options)');
  const name = requireString(o, 'name');
  const policy = policyText(o.policy, true);
  const params = { Name: name, Policy: encodeURIComponent(policy), DurationSeconds: duration(o.durationSeconds, 'GetFederationToken') };
  return callSts('GetFederationToken', params, o);
}

/**
 * STS AssumeRole: temporary credentials of the role `roleArn` for `roleSessionName`,
 * optionally narrowed by `policy`, valid `durationSeconds` (default 1800, at most 43200).
 * Resolves like `getFederationToken`.
 */
export async function assumeRole(opts) {
  const o = ownOptions(opts, [...OPTION_NAMES, 'roleArn', 'roleSessionName', 'policy', 'durationSeconds'], 'assumeRole(options)');
  const params = { RoleArn: requireString(o, 'roleArn'), RoleSessionName: requireString(o, 'roleSessionName'), DurationSeconds: duration(o.durationSeconds, 'AssumeRole') };
  const policy = policyText(o.policy, false);
  if (policy !== undefined) params.Policy = encodeURIComponent(policy);
  return callSts('AssumeRole', params, o);
}

/**
 * What a credentials source resolved to, read once (own properties) and checked: strings of
 * printable ASCII, and an expiry that is a whole number of seconds neither past nor absurdly
 * far (ERR_INVALID_CREDENTIALS). A plain frozen copy: the source's object is not kept.
 */
function checkCredentials(c, nowSeconds) {
  const fail = (why) => cosError('ERR_INVALID_CREDENTIALS', `the credentials source must resolve to { tmpSecretId, tmpSecretKey, sessionToken, expiredTime }: ${why}`);
  if (!isObject(c)) throw fail('it resolved to no object');
  let o;
  try {
    o = ownOptions(c, ['tmpSecretId', 'tmpSecretKey', 'sessionToken', 'expiredTime', 'expiration', 'requestId'], 'credentials');
  } catch {
    throw fail('reading them threw an exception');
  }
  for (const name of ['tmpSecretId', 'tmpSecretKey', 'sessionToken']) {
    const v = o[name];
    if (typeof v !== 'string' || v === '' || v.length > MAX_SECRET_CHARS || !isPrintableAscii(v)) throw fail(`\`${name}\` is not a non-empty string of printable ASCII`);
  }
  if (!Number.isSafeInteger(o.expiredTime)) throw fail('`expiredTime` is not a whole number of seconds');
  if (o.expiredTime <= nowSeconds) throw fail('they have already expired');
  if (o.expiredTime > nowSeconds + MAX_LIFETIME_SECONDS) throw fail(`\`expiredTime\` is more than ${MAX_LIFETIME_SECONDS} s away (milliseconds instead of seconds?)`);
  const out = { tmpSecretId: o.tmpSecretId, tmpSecretKey: o.tmpSecretKey, sessionToken: o.sessionToken, expiredTime: o.expiredTime };
  if (typeof o.expiration === 'string' && o.expiration.length <= 40) out.expiration = o.expiration;
  if (typeof o.requestId === 'string' && o.requestId.length <= 128) out.requestId = o.requestId;
  return Object.freeze(out);
}

/**
 * Caches temporary credentials from `source` (an async function, e.g. one calling
 * `getFederationToken`) and fetches new ones once fewer than `marginSeconds` (default 300)
 * remain (or half their remaining life, for credentials shorter-lived than that). Concurrent
 * callers during a refresh share one request. A failed refresh rejects those callers; the
 * next refresh waits a back-off (1 s after the first failure, doubling, at most 60 s, on the
 * `now` clock), during which callers get the still-valid credentials if there are any, else
 * the same error.
 *
 * Returns `{ get(), signer(), invalidate() }`: `get()` resolves to the credentials,
 * `signer()` to a `CosSigner` for them (one per credential set). `CosSigner` is the signer
 * entry's: `signer()` imports `cos-wasm` (the same package, through its own `exports` for
 * this runtime) the first time and initialises it (a no-op outside browsers).
 */
export function credentialsProvider(source, options) {
  if (typeof source !== 'function') throw invalid('credentialsProvider(source) takes an async function returning credentials');
  const o = ownOptions(options, ['marginSeconds', 'now'], 'credentialsProvider(source, options)', true);
  const marginSeconds = o.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  if (!Number.isSafeInteger(marginSeconds) || marginSeconds < 0) throw invalid('marginSeconds must be a whole number of seconds');
  const clock = o.now ?? now;
  if (typeof clock !== 'function') throw invalid('`now` must be a function returning milliseconds');
  const millis = () => {
    let t;
    try {
      t = apply(clock, undefined, []);
    } catch {
      throw invalid('`now()` threw an exception');
    }
    if (!Number.isFinite(t)) throw invalid('`now()` must return milliseconds (a finite number)');
    return t;
  };
  const seconds = () => Math.floor(millis() / 1000);
  let current;
  let refreshAt = 0;
  let signer;
  let pending;
  let failures = 0;
  let retryAt = 0;
  let lastError;
  async function get() {
    const t = seconds();
    if (current && t < refreshAt) return current;
    if (!pending && failures > 0 && millis() < retryAt) {
      if (current && t < current.expiredTime - MIN_REMAINING_SECONDS) return current;
      throw lastError;
    }
    if (!pending) {
      pending = (async () => {
        try {
          let raw;
          try {
            raw = await apply(source, undefined, []);
          } catch (e) {
            if (e?.name === 'CosError' && typeof e.code === 'string') throw e;
            throw cosError('ERR_INVALID_CREDENTIALS', 'the credentials source threw; see `cause`', { cause: e });
          }
          const next = checkCredentials(raw, seconds());
          // Credentials shorter-lived than the margin are used for half their remaining
          // life, not refetched on every call.
          const remaining = Math.max(0, next.expiredTime - seconds());
          refreshAt = next.expiredTime - Math.min(marginSeconds, Math.floor(remaining / 2));
          current = next;
          signer = undefined;
          failures = 0;
          return next;
        } catch (e) {
          failures++;
          retryAt = millis() + Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** Math.min(failures - 1, 16));
          lastError = e;
          throw e;
        } finally {
          pending = undefined;
        }
      })();
    }
    return pending;
  }
  return {
    get,
    async signer() {
      const c = await get();
      if (!signer || signer.credentials !== c) {
        const { CosSigner, init } = await import('cos-wasm');
        await init();
        signer = { credentials: c, signer: new CosSigner({ secretId: c.tmpSecretId, secretKey: c.tmpSecretKey, securityToken: c.sessionToken }) };
      }
      return signer.signer;
    },
    invalidate() {
      current = undefined;
      signer = undefined;
    },
  };
}
