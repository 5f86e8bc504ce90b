// A module worker that imports cos-wasm by name (the package's `workerd` export) and
// runs the shared suite on the vector data it is POSTed, returning the results.
import * as signer from 'cos-wasm';
import * as keys from 'cos-wasm/keys';
import * as hash from 'cos-wasm/hash';
import * as sts from 'cos-wasm/sts';
import * as explain from 'cos-wasm/explain';
import { runSuite, mergeEntries } from './suite.mjs';

const api = mergeEntries({ signer, keys, hash, sts, explain });

export default {
  async fetch(request) {
    const started = Date.now();
    if (new URL(request.url).pathname === '/features') {
      // Customer keys and SSE signing inside workerd, and use after free().
      const key = api.CustomerKey.generate('SM4');
      const wrapping = api.WrappingKey.generate('SM4-GCM');
      const back = api.CustomerKey.unwrap(key.wrap(wrapping, { aad: 'b/k' }), wrapping, { aad: 'b/k' });
      const signer = new api.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
      const signed = signer.signRequest({ method: 'PUT', key: 'k', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60, sse: { type: 'SSE-C', key: back } });
      let freed;
      key.free();
      try {
        api.sseHeaders({ type: 'SSE-C', key }, 'PutObject');
      } catch (e) {
        freed = e.code;
      }
      return Response.json({
        same: back.md5Base64 === signed.headers['x-cos-server-side-encryption-customer-key-MD5'],
        freed,
      });
    }
    if (request.method !== 'POST') {
      // Smoke path: sign one request.
      const signer = new api.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
      const url = signer.presignUrl({ method: 'GET', key: 'hello.txt', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60 });
      return new Response(url);
    }
    const data = await request.json();
    return Response.json({ results: await runSuite(api, data), ms: Date.now() - started });
  },
};
