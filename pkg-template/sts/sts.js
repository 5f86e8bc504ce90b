// Tencent Cloud STS over fetch (GetFederationToken, AssumeRole), signed with the wasm
// core's TC3-HMAC-SHA256, and a provider that caches temporary credentials until shortly
// before they expire. Runs wherever `fetch` does: Node >= 20, workerd, Deno, browsers.
// Written as plain ESM; the build derives sts.cjs from it for CommonJS.
import { tc3Authorization } from './extras.js';
import { cosError } from '../errors.js';

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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function invalid(message) {
  return cosError('ERR_INVALID_ARGUMENT', message);
}

function requireString(opts, name) {
  const v = opts[name];
  if (typeof v !== 'string' || v === '') throw invalid(`\`${name}\` must be a non-empty string`);
  return v;
}

/** Removes every occurrence of the given secrets from a text (STS error messages). */
function redact(text, secrets) {
  let out = String(text);
  for (const s of secrets) if (typeof s === 'string' && s.length >= 4) out = out.split(s).join('***');
  return out;
}

function endpointUrl(endpoint) {
  let url;
  try {
    url = new URL(endpoint);
  } catch {
    throw cosError('ERR_INVALID_URL', 'endpoint is not a URL');
  }
  // The reply carries secret keys: only loopback test servers may use plain http.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw cosError('ERR_INVALID_URL', 'endpoint must be https:// (http:// only for 127.0.0.1, localhost or [::1])');
  }
  return url.href;
}

function policyText(policy, required) {
  if (policy === undefined || policy === null) {
    if (required) throw cosError('ERR_INVALID_CAM_POLICY', '`policy` is required (build it with cosPolicy())');
    return undefined;
  }
  const text = typeof policy === 'string' ? policy : JSON.stringify(policy);
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

/** Runs `fetchImpl` with a timeout and the caller's AbortSignal; both become coded CosErrors. */
async function fetchWithDeadline(fetchImpl, url, init, { signal, timeoutMs, host }) {
  if (signal?.aborted) throw cosError('ERR_ABORTED', 'the STS request was aborted');
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetchImpl(url, { ...init, signal: controller.signal });
    const text = await res.text();
    return { res, text };
  } catch (e) {
    if (timedOut) throw cosError('ERR_TIMEOUT', `STS did not answer within ${timeoutMs} ms`);
    if (signal?.aborted) throw cosError('ERR_ABORTED', 'the STS request was aborted');
    throw cosError('ERR_NETWORK', `the request to ${host} failed: ${e?.message ?? e}`, { cause: e });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** One signed STS call; resolves to `Response` of the reply, or throws a CosError. */
async function callSts(action, params, opts) {
  if (!opts || typeof opts !== 'object') throw invalid(`${action} expects an options object`);
  const secretId = requireString(opts, 'secretId');
  const secretKey = requireString(opts, 'secretKey');
  const region = requireString(opts, 'region');
  if (!/^[a-z0-9-]{1,40}$/.test(region)) throw cosError('ERR_INVALID_REGION', 'region must be lowercase letters, digits and -, e.g. ap-guangzhou');
  const { securityToken, signal } = opts;
  if (securityToken !== undefined && typeof securityToken !== 'string') throw invalid('`securityToken` must be a string when given');
  if (signal !== undefined && typeof signal?.addEventListener !== 'function') throw invalid('`signal` must be an AbortSignal when given');
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // setTimeout fires at once for delays above 2^31 - 1 ms.
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 2 ** 31 - 1) throw invalid('`timeoutMs` must be a whole number of milliseconds from 1 to 2147483647');
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== 'function') throw invalid('no fetch in this runtime: pass `fetch`');
  const url = endpointUrl(opts.endpoint ?? DEFAULT_STS_ENDPOINT);
  const body = JSON.stringify(params);
  const timestamp = Math.floor(Date.now() / 1000);
  const contentType = 'application/json';
  const headers = {
    Authorization: tc3Authorization({ secretId, secretKey, method: 'POST', url, contentType, body, timestamp, service: 'sts' }),
    'Content-Type': contentType,
    'X-TC-Action': action,
    'X-TC-Version': STS_VERSION,
    'X-TC-Timestamp': String(timestamp),
    'X-TC-Region': region,
  };
  if (securityToken) headers['X-TC-Token'] = securityToken;
  const host = new URL(url).host;
  const { res, text } = await fetchWithDeadline(fetchImpl, url, { method: 'POST', headers, body }, { signal, timeoutMs, host });
  let reply;
  try {
    reply = JSON.parse(text)?.Response;
  } catch {
    reply = undefined;
  }
  if (!reply || typeof reply !== 'object') {
    throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered HTTP ${res.status} without a JSON Response`, { httpStatus: res.status });
  }
  const requestId = typeof reply.RequestId === 'string' ? reply.RequestId : undefined;
  if (reply.Error) {
    const tencentCode = String(reply.Error.Code ?? 'Unknown');
    const message = redact(reply.Error.Message ?? '', [secretKey, securityToken]);
    throw cosError('ERR_STS', `STS ${action} failed: ${tencentCode}: ${message}${requestId ? ` (RequestId ${requestId})` : ''}`, {
      tencentCode,
      requestId,
      httpStatus: res.status,
    });
  }
  const c = reply.Credentials;
  const ok = c && typeof c.TmpSecretId === 'string' && c.TmpSecretId && typeof c.TmpSecretKey === 'string' && c.TmpSecretKey
    && typeof c.Token === 'string' && c.Token && Number.isInteger(reply.ExpiredTime);
  if (!ok) {
    throw cosError('ERR_STS_BAD_RESPONSE', `STS ${action} answered without Credentials {TmpSecretId, TmpSecretKey, Token} and ExpiredTime`, { requestId, httpStatus: res.status });
  }
  return {
    tmpSecretId: c.TmpSecretId,
    tmpSecretKey: c.TmpSecretKey,
    sessionToken: c.Token,
    expiredTime: reply.ExpiredTime,
    expiration: typeof reply.Expiration === 'string' ? reply.Expiration : new Date(reply.ExpiredTime * 1000).toISOString(),
    requestId,
  };
}

/**
 * STS GetFederationToken: temporary credentials for a federated user `name`, limited by
 * `policy` (a CAM policy, e.g. from `cosPolicy()`), valid `durationSeconds` (default 1800,
 * at most 7200). Resolves to `{ tmpSecretId, tmpSecretKey, sessionToken, expiredTime,
 * expiration, requestId }`.
 */
export async function getFederationToken(opts) {
  const name = requireString(opts ?? {}, 'name');
  const policy = policyText(opts.policy, true);
  const params = { Name: name, Policy: encodeURIComponent(policy), DurationSeconds: duration(opts.durationSeconds, 'GetFederationToken') };
  return callSts('GetFederationToken', params, opts);
}

/**
 * STS AssumeRole: temporary credentials of the role `roleArn` for `roleSessionName`,
 * optionally narrowed by `policy`, valid `durationSeconds` (default 1800, at most 43200).
 * Resolves like `getFederationToken`.
 */
export async function assumeRole(opts) {
  const o = opts ?? {};
  const params = { RoleArn: requireString(o, 'roleArn'), RoleSessionName: requireString(o, 'roleSessionName'), DurationSeconds: duration(o.durationSeconds, 'AssumeRole') };
  const policy = policyText(o.policy, false);
  if (policy !== undefined) params.Policy = encodeURIComponent(policy);
  return callSts('AssumeRole', params, opts);
}

function checkCredentials(c) {
  const ok = c && typeof c.tmpSecretId === 'string' && typeof c.tmpSecretKey === 'string' && typeof c.sessionToken === 'string' && Number.isInteger(c.expiredTime);
  if (!ok) throw cosError('ERR_INVALID_CREDENTIALS', 'the credentials source must resolve to { tmpSecretId, tmpSecretKey, sessionToken, expiredTime }');
  return c;
}

/**
 * Caches temporary credentials from `source` (an async function, e.g. one calling
 * `getFederationToken`) and fetches new ones once fewer than `marginSeconds` (default 300)
 * remain (or half their remaining life, for credentials shorter-lived than that). Concurrent callers during a refresh share one request; a failed refresh rejects
 * those callers and the next call tries again.
 *
 * Returns `{ get(), signer(), invalidate() }`: `get()` resolves to the credentials,
 * `signer()` to a `CosSigner` for them (one per credential set). `CosSigner` is the signer
 * entry's: `signer()` imports `cos-wasm` (the same package, through its own `exports` for
 * this runtime) the first time and initialises it (a no-op outside browsers).
 */
export function credentialsProvider(source, options = {}) {
  if (typeof source !== 'function') throw invalid('credentialsProvider(source) takes an async function returning credentials');
  const marginSeconds = options.marginSeconds ?? DEFAULT_MARGIN_SECONDS;
  if (!Number.isInteger(marginSeconds) || marginSeconds < 0) throw invalid('marginSeconds must be a whole number of seconds');
  const now = options.now ?? (() => Date.now());
  if (typeof now !== 'function') throw invalid('`now` must be a function returning milliseconds');
  const seconds = () => Math.floor(now() / 1000);
  let current;
  let refreshAt = 0;
  let signer;
  let pending;
  async function get() {
    if (current && seconds() < refreshAt) return current;
    if (!pending) {
      pending = (async () => {
        try {
          const next = checkCredentials(await source());
          // Credentials shorter-lived than the margin are used for half their remaining
          // life, not refetched on every call.
          const remaining = Math.max(0, next.expiredTime - seconds());
          refreshAt = next.expiredTime - Math.min(marginSeconds, Math.floor(remaining / 2));
          current = next;
          signer = undefined;
          return next;
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
