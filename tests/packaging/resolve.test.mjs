// Resolvers that ignore the `exports` map (issue 24) still find every entry: each entry's
// folder has a package.json naming the same loaders (main / module / types), as packages with
// several entries usually do. Checked with webpack's resolver told to ignore `exports` (the
// resolution of webpack 4 and other older bundlers), a require() of what it finds, and
// TypeScript's node10 resolution. (Test names without a leading "Setup:": not README rows.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { here, root, run } from './lib.mjs';

const require = createRequire(join(here, 'package.json'));
const { ResolverFactory, CachedInputFileSystem } = require('enhanced-resolve');
const fs = new CachedInputFileSystem(require('node:fs'), 4000);
const ENTRIES = { hash: 'web.js', keys: 'web.js', sts: 'web.js', explain: 'web.js', upload: 'upload.js' };

function resolverIgnoringExports(mainFields) {
  const r = ResolverFactory.createResolver({ fileSystem: fs, exportsFields: [], mainFields, extensions: ['.js'], conditionNames: [] });
  return (request) => new Promise((ok, fail) => r.resolve({}, here, request, {}, (err, res) => (err ? fail(err) : ok(res))));
}

test('every entry without exports, browser/module resolution, finds its browser module', async () => {
  const resolve = resolverIgnoringExports(['browser', 'module', 'main']);
  for (const [dir, file] of Object.entries(ENTRIES)) {
    assert.equal(await resolve(`cos-wasm/${dir}`), join(here, 'node_modules', 'cos-wasm', dir, file), dir);
  }
  assert.equal(await resolve('cos-wasm'), join(here, 'node_modules', 'cos-wasm', 'web.js'));
});

test('every entry without exports, main-field resolution, finds a CommonJS module that works', async () => {
  const resolve = resolverIgnoringExports(['main']);
  const hash = require(await resolve('cos-wasm/hash'));
  const crc = new hash.Crc64();
  crc.update(new TextEncoder().encode('123456789'));
  assert.equal(crc.digest(), '11051210869376104954');
  crc.free();
  for (const dir of Object.keys(ENTRIES)) assert.match(await resolve(`cos-wasm/${dir}`), /\.cjs$/, dir);
});

test('TypeScript moduleResolution node10 (no exports) types every entry', () => {
  const file = join(here, 'resolve-check.gen.ts');
  writeFileSync(file, `import { CosSigner } from 'cos-wasm';
import { hashInput } from 'cos-wasm/hash';
import { CustomerKey } from 'cos-wasm/keys';
import { cosPolicy } from 'cos-wasm/sts';
import { explainSignatureMismatch } from 'cos-wasm/explain';
import { uploadFile } from 'cos-wasm/upload';
export const all = [CosSigner, hashInput, CustomerKey, cosPolicy, explainSignatureMismatch, uploadFile];
`);
  try {
    run(join(root, 'node_modules', '.bin', 'tsc'), ['--noEmit', '--strict', '--moduleResolution', 'node10', '--module', 'commonjs', '--target', 'es2022', '--lib', 'es2022,dom', file]);
  } finally {
    rmSync(file, { force: true });
  }
});
