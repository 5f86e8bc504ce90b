// workerd: POST { ep, secretId, secretKey } runs the strict-signing checks (strict-put.mjs)
// against the emulator with the worker's own fetch; POST /cdn { cases } runs cdnAuthUrl.
import * as signer from 'cos-wasm';
import * as explain from 'cos-wasm/explain';
import { mergeEntries } from './suite.mjs';
import { runBoundPut } from './strict-put.mjs';

const api = mergeEntries({ signer, explain });

export default {
  async fetch(request) {
    if (request.method !== 'POST') return new Response('ok');
    const opts = await request.json();
    return Response.json({ results: await runBoundPut(api, opts) });
  },
};
