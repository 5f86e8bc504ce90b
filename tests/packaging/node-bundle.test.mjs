// esbuild --platform=node rows: the bundle runs in Node, inside the project (cos-wasm found
// in node_modules) and deployed alone (the .wasm copied beside it; a clear error if not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, assertProbe, bin, run, runFailing, vectorsPath, wasmFiles } from './lib.mjs';

const dir = join(apps, 'esbuild-node');

function bundle(outfile, format, extra = []) {
  run(bin('esbuild'), ['main.mjs', '--bundle', '--platform=node', `--format=${format}`, `--outfile=${outfile}`, '--log-level=error', ...extra], { cwd: dir });
}

test('esbuild --platform=node: ESM and CJS bundles in Node, in the project, with --external:cos-wasm and deployed alone; vectors, POST form, CRC-64', () => {
  const out = mkdtempSync(join(tmpdir(), 'cos-wasm-esbuild-node-'));
  try {
    // inside the project: the .wasm comes from node_modules/cos-wasm
    bundle(join(dir, 'dist', 'app.mjs'), 'esm');
    assertProbe(JSON.parse(run(process.execPath, [join(dir, 'dist', 'app.mjs'), vectorsPath])));
    // or with cos-wasm kept external (Node loads the installed package itself)
    bundle(join(dir, 'dist', 'app-external.mjs'), 'esm', ['--external:cos-wasm']);
    assertProbe(JSON.parse(run(process.execPath, [join(dir, 'dist', 'app-external.mjs'), vectorsPath])));
    // deployed alone (outside any node_modules), ESM and CommonJS output, .wasm copied beside
    for (const [file, format] of [['app.mjs', 'esm'], ['app.cjs', 'cjs']]) {
      bundle(join(out, file), format);
      // the signer entry's and cos-wasm/hash's .wasm (what main.mjs imports)
      const wasm = ['cos_wasm_bg.wasm', 'cos_wasm_hash_bg.wasm'];
      for (const name of wasm) copyFileSync(wasmFiles[name], join(out, name));
      assertProbe(JSON.parse(run(process.execPath, [join(out, file), vectorsPath], { cwd: out })));
      for (const name of wasm) rmSync(join(out, name));
      // documented failure: without the .wasm the import throws an Error saying what to do
      const r = runFailing(process.execPath, [join(out, file), vectorsPath], { cwd: out });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /cos-wasm: cannot read cos_wasm_bg\.wasm .*copy node_modules\/cos-wasm\/cos_wasm_bg\.wasm next to the bundle/);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
