// A module worker that mints temporary credentials from a (fake) STS with cos-wasm, as the
// edge-worker example's /credentials route does: TC3 signing and fetch inside workerd.
// GET /emulator runs tests/js/sts-flow.mjs against the local emulator (env.EMULATOR_URL).
import * as signer from 'cos-wasm';
import * as sts from 'cos-wasm/sts';
import { stsFlow } from './sts-flow.js';

// The STS entry and the signer entry (stsFlow signs with the temporary keys).
const api = { ...signer, ...sts };
const { tc3Authorization, cosPolicy, getFederationToken } = sts;

export default {
  async fetch(request, env) {
    // workerd.mjs probes readiness with HEAD /: answer without calling STS.
    const path = new URL(request.url).pathname;
    if (path === '/emulator') {
      try {
        return Response.json(await stsFlow(api, { emulatorUrl: env.EMULATOR_URL, secretId: env.SECRET_ID, secretKey: env.SECRET_KEY }));
      } catch (e) {
        return Response.json({ error: `${e.name}: ${e.code}: ${e.message}` });
      }
    }
    if (path !== '/mint') return new Response('ready');
    try {
      const policy = cosPolicy({ bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', allow: [{ actions: 'upload', prefix: 'users/1/', conditions: { maxContentLength: 1048576 } }] });
      const opts = { secretId: env.SECRET_ID, secretKey: env.SECRET_KEY, region: 'ap-guangzhou', name: 'user-1', policy, endpoint: env.STS_URL };
      const credentials = await getFederationToken(opts);
      const wrongKey = await getFederationToken({ ...opts, secretKey: 'wrong' }).catch((e) => ({ code: e.code, tencentCode: e.tencentCode }));
      const tc3Input = { secretId: 'AKIDx', secretKey: 'k', method: 'POST', url: 'https://sts.tencentcloudapi.com/', contentType: 'application/json', body: '{}', timestamp: 1700000000, service: 'sts' };
      return Response.json({ credentials, wrongKey, tc3Input, authorization: tc3Authorization(tc3Input) });
    } catch (e) {
      return Response.json({ error: `${e.name}: ${e.code}: ${e.message}` });
    }
  },
};
