// A module worker that imports cos-wasm by name (the package's `workerd` export) and
// runs the vectors it is POSTed, returning the results.
import * as api from 'cos-wasm';
import { runVectors } from './vector-runner.mjs';

export default {
  async fetch(request) {
    const started = Date.now();
    if (request.method !== 'POST') {
      // Smoke path: sign one request.
      const signer = new api.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
      const url = signer.presignUrl({ method: 'GET', key: 'hello.txt', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', expires: 60 });
      return new Response(url);
    }
    const { cases } = await request.json();
    return Response.json({ results: runVectors(api, cases), ms: Date.now() - started });
  },
};
