// The temporary-credentials flow against the local emulator, shared by Node and workerd
// (tests/js/sts.test.mjs, tests/js/workerd-sts-worker.js): mint keys with cos-wasm's
// getFederationToken at the emulator's STS, then sign uploads with them in a CosSigner; the
// emulator enforces the policy cosPolicy wrote. `api` is the cos-wasm module of the runtime.

export const FLOW_BUCKET = 'examplebucket-1250000000';
export const FLOW_REGION = 'ap-guangzhou';

/** The grant the flow asks for: uploads under users/1/, ≤ 1024 bytes, PNG, SSE-COS, ACL private. */
export function flowPolicy(api) {
  return api.cosPolicy({
    bucket: FLOW_BUCKET,
    region: FLOW_REGION,
    allow: [{ actions: 'upload', prefix: 'users/1/', conditions: { maxContentLength: 1024, contentTypes: ['image/png'], requireSse: 'SSE-COS', acl: 'private' } }],
  });
}

/**
 * Resolves to { credentials, results } where results maps each case to { status, code } of
 * the emulator's answer: `inScope` must succeed, every other case must be refused.
 */
export async function stsFlow(api, { emulatorUrl, secretId, secretKey, fetchImpl = fetch }) {
  const credentials = await api.getFederationToken({
    secretId, secretKey, region: FLOW_REGION, name: 'user-1', policy: flowPolicy(api), durationSeconds: 900, endpoint: `${emulatorUrl}/`,
  });
  const signer = new api.CosSigner({ secretId: credentials.tmpSecretId, secretKey: credentials.tmpSecretKey, securityToken: credentials.sessionToken });
  const ep = { bucket: FLOW_BUCKET, region: FLOW_REGION, domain: new URL(emulatorUrl).host, protocol: 'http', pathStyle: true, allowInsecureLocal: true };
  const put = async (key, body, { type = 'image/png', sse = true, acl = 'private' } = {}) => {
    const headers = { 'Content-Type': type };
    if (acl) headers['x-cos-acl'] = acl;
    const signed = signer.signRequest({ ...ep, method: 'PUT', key, headers, expires: 600, ...(sse ? { sse: { type: 'SSE-COS' } } : {}) });
    const res = await fetchImpl(signed.url, { method: 'PUT', headers: signed.headers, body });
    const text = await res.text();
    return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? null };
  };
  const png = 'png-bytes';
  const results = {
    inScope: await put('users/1/a.png', png),
    outOfScopeKey: await put('users/2/a.png', png),
    oversize: await put('users/1/big.png', 'x'.repeat(1025)),
    wrongType: await put('users/1/a.html', '<p>', { type: 'text/html' }),
    missingSse: await put('users/1/b.png', png, { sse: false }),
    wrongAcl: await put('users/1/c.png', png, { acl: 'public-read' }),
  };
  signer.free();
  return { credentials, results };
}

/** What stsFlow must find: in scope 200, each other case AccessDenied. */
export const EXPECTED_FLOW = {
  inScope: { status: 200, code: null },
  outOfScopeKey: { status: 403, code: 'AccessDenied' },
  oversize: { status: 403, code: 'AccessDenied' },
  wrongType: { status: 403, code: 'AccessDenied' },
  missingSse: { status: 403, code: 'AccessDenied' },
  wrongAcl: { status: 403, code: 'AccessDenied' },
};
