// A small stand-in for Tencent Cloud STS on 127.0.0.1, for the STS client tests (until the
// emulator speaks STS). It checks the TC3 signature with its own node:crypto
// implementation of the documented formula (itself checked against
// tests/vectors/tc3-signing.json by sts.test.mjs), the X-TC-* headers and the parameters,
// and answers like STS: `{ Response: { Credentials, ExpiredTime, Expiration, RequestId } }` or
// `{ Response: { Error: { Code, Message }, RequestId } }`.
import { createServer } from 'node:http';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const hmac = (key, msg) => createHmac('sha256', key).update(msg).digest();

/** TC3 signature of a request, from the TC3 doc's formula. Returns the intermediates too. */
export function tc3Expected({ secretId, secretKey, method, path, query, contentType, host, body, timestamp, service }) {
  const canonicalRequest = `${method}\n${path}\n${query}\ncontent-type:${contentType}\nhost:${host}\n\ncontent-type;host\n${sha256(body)}`;
  const date = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256(canonicalRequest)}`;
  const kSigning = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return {
    canonicalRequest,
    stringToSign,
    authorization: `TC3-HMAC-SHA256 Credential=${secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
  };
}

const MAX_SKEW = 300;

/**
 * Starts the fake STS. `keys` maps SecretId → SecretKey. `mode` (settable on the returned
 * object) picks a misbehaviour: 'ok', 'slow', 'html', 'no-credentials', 'echo-error'.
 * Resolves to { url, requests, mode, close }.
 */
export async function startFakeSts({ keys, durationDefault = 1800 } = {}) {
  const state = { mode: 'ok', requests: [] };
  const server = createServer((req, res) => {
    // Browsers (the Chromium test) call cross-origin.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-tc-action, x-tc-version, x-tc-timestamp, x-tc-region, x-tc-token');
    if (req.method === 'OPTIONS') return res.end();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const requestId = randomUUID();
      const reply = (response) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ Response: { ...response, RequestId: requestId } }));
      };
      const fail = (Code, Message) => reply({ Error: { Code, Message } });
      const h = req.headers;
      state.requests.push({ headers: h, body });
      if (state.mode === 'slow') return setTimeout(() => fail('InternalError', 'too late'), 5000);
      if (state.mode === 'html') {
        res.statusCode = 502;
        return res.end('<html>bad gateway</html>');
      }
      const action = h['x-tc-action'];
      if (h['x-tc-version'] !== '2018-08-13') return fail('InvalidParameter', 'X-TC-Version');
      if (!['GetFederationToken', 'AssumeRole'].includes(action)) return fail('InvalidAction', `no action ${action}`);
      const timestamp = Number(h['x-tc-timestamp']);
      if (!Number.isInteger(timestamp) || Math.abs(timestamp - Date.now() / 1000) > MAX_SKEW) return fail('AuthFailure.SignatureExpire', 'timestamp');
      const m = /^TC3-HMAC-SHA256 Credential=([^/]+)\/\d{4}-\d{2}-\d{2}\/sts\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/.exec(h.authorization ?? '');
      if (!m) return fail('AuthFailure.InvalidAuthorization', 'malformed Authorization');
      const secretKey = keys[m[1]];
      if (!secretKey) return fail('AuthFailure.SecretIdNotFound', `SecretId ${m[1]} not found`);
      const url = new URL(req.url, 'http://x');
      const expected = tc3Expected({
        secretId: m[1], secretKey, method: req.method, path: url.pathname, query: url.search.slice(1),
        contentType: h['content-type'], host: h.host.replace(/:\d+$/, ''), body, timestamp, service: 'sts',
      }).authorization;
      if (expected.length !== h.authorization.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(h.authorization))) {
        return fail('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
      }
      let params;
      try {
        params = JSON.parse(body);
      } catch {
        return fail('InvalidParameter', 'body is not JSON');
      }
      if (state.mode === 'echo-error') return fail('InvalidParameter', `bad token ${h['x-tc-token']}`);
      if (state.mode === 'no-credentials') return reply({ ExpiredTime: 1 });
      const duration = params.DurationSeconds ?? durationDefault;
      if (action === 'GetFederationToken') {
        if (typeof params.Name !== 'string' || typeof params.Policy !== 'string') return fail('MissingParameter', 'Name and Policy');
        try {
          JSON.parse(decodeURIComponent(params.Policy));
        } catch {
          return fail('InvalidParameter.PolicyTooLong', 'policy is not URL-encoded JSON');
        }
        if (duration > 7200) return fail('InvalidParameter', 'DurationSeconds');
      } else if (!/^qcs::cam::uin\/\d+:roleName\/[\w+=,.@-]+$/.test(params.RoleArn ?? '') || !params.RoleSessionName) {
        return fail('InvalidParameter.RoleNotExist', 'role not found');
      }
      const expiredTime = Math.floor(Date.now() / 1000) + duration;
      reply({
        Credentials: { Token: `token-${randomUUID()}`, TmpSecretId: `AKIDtmp${state.requests.length}`, TmpSecretKey: `tmpkey-${randomUUID()}` },
        ExpiredTime: expiredTime,
        Expiration: new Date(expiredTime * 1000).toISOString().replace('.000Z', 'Z'),
      });
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  state.url = `http://127.0.0.1:${server.address().port}/`;
  state.close = () => new Promise((ok) => {
    server.closeAllConnections();
    server.close(ok);
  });
  return state;
}
