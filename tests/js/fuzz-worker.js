// workerd worker for fuzz-workerd.test.mjs: runs the runtime-agnostic fuzz suite against
// the package as workerd resolves it, and answers with the report.
import * as signer from 'cos-wasm';
import * as keys from 'cos-wasm/keys';
import * as hash from 'cos-wasm/hash';
import * as sts from 'cos-wasm/sts';
import * as explain from 'cos-wasm/explain';
import { runFuzzSuite } from './fuzz-suite.mjs';
import { mergeEntries } from './suite.mjs';

const cos = mergeEntries({ signer, keys, hash, sts, explain });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== '/fuzz') return new Response('ready');
    const misuseCalls = Number(url.searchParams.get('misuse') ?? 200000);
    const randomCalls = Number(url.searchParams.get('random') ?? 1000);
    const t0 = Date.now();
    const report = runFuzzSuite(cos, { misuseCalls, randomCalls });
    report.ms = Date.now() - t0;
    return Response.json(report);
  },
};
