// The raw one-crossing exports (`__CosSigner`, `__sse`, `__sts`, `__cdn`) decode a snapshot
// text that the package's own snapshot.js made; Node's loaders export them (an `export *`
// of the glue), so a hostile caller can hand them anything. Every malformed, truncated,
// over-deep or lying snapshot is a CosError ERR_INVALID_ARGUMENT (or the option's own
// code), never a trap, and the module still signs correctly afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as cos from 'cos-wasm';
import * as sts from 'cos-wasm/sts';

const SECRET_ID = 'AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5q';
const SECRET_KEY = 'BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz';
const HEADERS = { 'Content-Type': 'text/plain', 'Content-Length': '13', 'x-cos-meta-a': 'b', Host: 'examplebucket-1250000000.cos.ap-beijing.myqcloud.com' };
const SIGN = { method: 'PUT', key: 'exampleobject(腾讯云)', headers: HEADERS, keyTime: '1557989151;1557996351' };

// Well-formed snapshots to mutate (the encoding is documented in src/wasm/snapshot.rs).
const SEEDS = [
  'o2:s8:secretIds36:AKIDQjz3ltompVjBni5LitkWHFlFpwkn9U5qs9:secretKeys32:BQYIM75p8x0iWVFSIgqEKwFprpRSVHlz',
  'a2:o2:s4:types5:SSE-Cs3:keys44:MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=s9:PutObject',
  'o3:s6:bucketu s6:regions10:ap-beijings5:allowa1:o2:s7:actionss6:uploads6:prefixs2:a/',
  'a2:o4:s4:types1:As3:urls24:https://cdn.example/a.pngs3:keys26:dimtm5evg50ijsx2hvuwyfoiu65s9:timestampn1582791032;b0,16;',
  'm1:s1:an1e+21;', 'kss', 'j3:{}}', 'b0,0;', 'w', 'x', 'a1:'.repeat(40) + 'u',
].map((s) => s.replace(/ /g, ''));

function mutate(s, rnd) {
  const a = [...s];
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * (a.length + 1));
    const op = rnd();
    const ch = '0123456789:;,sojmabkxwutfn\u00e9\u0000'[Math.floor(rnd() * 29)];
    if (op < 0.4) a.splice(at, 1);
    else if (op < 0.8) a.splice(at, 0, ch);
    else a.splice(at, 1, ch);
  }
  return a.join('');
}

test('raw one-crossing exports: 40,000 mutated snapshots are CosErrors or answers, never a trap; signing still works', () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const bytes = new Uint8Array(32).fill(7);
  const calls = [
    (t) => new cos.__CosSigner(t, bytes).free(),
    (t) => cos.__sse(0, t, bytes),
    (t) => cos.__sse(1, t, undefined),
    (t) => cos.__sse(2, t, bytes),
    (t) => cos.__sse(7, t, bytes),
    (t) => cos.__cdn(t, bytes),
    (t) => sts.__sts(0, t, undefined),
    (t) => sts.__sts(1, t, bytes),
  ];
  const codes = {};
  let n = 0;
  for (let i = 0; i < 5000; i++) {
    const text = mutate(SEEDS[i % SEEDS.length], rnd);
    for (const call of calls) {
      n++;
      try {
        call(text);
      } catch (e) {
        assert.equal(e?.name, 'CosError', `${String(e)} for ${JSON.stringify(text)}`);
        codes[e.code] = (codes[e.code] ?? 0) + 1;
      }
    }
  }
  assert.ok(n >= 40_000);
  assert.ok(codes.ERR_INVALID_ARGUMENT > 1000, JSON.stringify(codes));
  const signer = new cos.CosSigner({ secretId: SECRET_ID, secretKey: SECRET_KEY });
  assert.match(signer.authorization(SIGN), /q-signature=22fbf348c951ee97cf01bd634c8471453fb72120$/);
  signer.free();
});

test('raw exports: an over-deep snapshot, a byte range past the buffer and an unknown operation are refused', () => {
  for (const [call, code] of [
    [() => cos.__sse(0, 'a1:'.repeat(64) + 'u', undefined), 'ERR_INVALID_ARGUMENT'],
    [() => cos.__sse(1, 'a1:b0,99;', new Uint8Array(4)), 'ERR_INVALID_ARGUMENT'],
    [() => cos.__sse(9, 'a0:', undefined), 'ERR_INVALID_ARGUMENT'],
    [() => sts.__sts(5, 'o0:', undefined), 'ERR_INVALID_ARGUMENT'],
    [() => new cos.__CosSigner('s99999999999999999999999:', undefined), 'ERR_INVALID_ARGUMENT'],
  ]) {
    assert.throws(call, (e) => e.name === 'CosError' && e.code === code);
  }
});
