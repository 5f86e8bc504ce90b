import * as cos from 'cos-wasm';
import { runFuzzSuite } from './fuzz-suite.mjs';
const t0 = performance.now(); const r = runFuzzSuite(cos, { misuseCalls: 200000, randomCalls: 500 }); console.log((performance.now()-t0).toFixed(0), 'ms', r.calls, JSON.stringify(r.wrong).slice(0,1500), r.escaped, r.memory, r.secrets, r.signatureOk);
