// Static checks on the packed package and on this matrix: `sideEffects` names exactly the
// files with effects at import (instantiating the wasm, or the lifetime guard patching the
// classes; false made bundlers drop the workerd and node loaders), and the README's table of setups lists exactly the rows this matrix runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { transformSync } from 'esbuild';
import { here, installed, root } from './lib.mjs';

const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));

test('sideEffects lists exactly the files with effects at import', () => {
  const js = manifest.files.filter((f) => /\.c?js$/.test(f));
  // a top-level initSync(...) (our loaders), a top-level `new WebAssembly.Instance` (wasm-bindgen's
  // nodejs glue), the lifetime guard patching the classes (extras: `guardClass(` at import), or an
  // import for its effect alone of a module with effects (upload's loaders: `import
  // '../hash/node.js'`, which a bundler would skip with the importing module if that were side-
  // effect free; web.js's bare imports of side-effect-free helpers only start their download).
  // The shipped files are minified: esbuild prints them again one statement per line, nested
  // ones indented. (A loader's initSync may end a longer top-level expression: edge-light.js.)
  const effect = /^((?!(export )?function\b).*\binitSync\(\{|(let|const) \w+ = new WebAssembly\.Instance\(|(for \(.*\)\s*)?guardClass\()/m;
  const statements = (f) => transformSync(readFileSync(join(installed, f), 'utf8'), { loader: 'js' }).code;
  const hasEffect = (f) => {
    const code = statements(f);
    const bare = [...code.matchAll(/^import "(\.\.?\/[^"]+)";$/gm)].map((m) => posix.join(posix.dirname(f), m[1]));
    return effect.test(code) || bare.some(hasEffect);
  };
  const effectful = js.filter(hasEffect);
  // node.cjs requires the nodejs glue: requiring it is what instantiates
  effectful.push(...js.filter((f) => /(^|\/)node\.cjs$/.test(f)));
  for (const f of effectful) assert.ok(manifest.sideEffects.includes(`./${f}`), `${f} has effects at import: listed in sideEffects`);
  // listed beyond that: every entry's extras (one per entry, even when only an init check)
  for (const f of manifest.sideEffects) assert.ok(effectful.includes(f.slice(2)) || /(^|\/)extras\.c?js$/.test(f.slice(2)), `${f} has no effect at import`);
  for (const f of manifest.sideEffects) assert.ok(manifest.files.includes(f.slice(2)), `${f} is packed`);
});

test('every entry has every runtime condition, each with its types', () => {
  const entries = Object.keys(manifest.exports).filter((k) => !k.endsWith('.wasm') && k !== './package.json');
  assert.deepEqual(entries, ['.', './keys', './hash', './sts', './explain', './upload']);
  for (const entry of entries) {
    const c = manifest.exports[entry];
    assert.deepEqual(Object.keys(c), ['workerd', 'edge-light', 'node', 'browser', 'import', 'require', 'default'], entry);
    for (const leaf of [c.workerd, c['edge-light'], c.node.import, c.node.require, c.browser, c.import, c.require, c.default]) {
      assert.ok(leaf.types && leaf.default, `${entry}: ${JSON.stringify(leaf)}`);
      assert.equal(Object.keys(leaf)[0], 'types', `${entry}: types first`);
    }
  }
});

test('every loader the exports map names is packed', () => {
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v.slice(2)) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  for (const t of targets) if (t !== 'package.json') assert.ok(manifest.files.includes(t), t);
});

test('every entry answers the runtime conditions of the main one (a workerd or edge bundle loads the loader that instantiates the wasm)', () => {
  for (const [name, entry] of Object.entries(manifest.exports)) {
    if (typeof entry === 'string') continue;
    for (const c of ['workerd', 'edge-light', 'node', 'default']) assert.ok(c in entry, `${name} lacks the ${c} condition`);
  }
});

test("README's table of setups lists exactly the matrix rows", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.split('\n## Using with bundlers and runtimes\n')[1].split('\n## ')[0];
  const documented = section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Setup '))
    .map((l) => l.split('|')[1].trim());
  const rows = new Set();
  for (const f of readdirSync(here).filter((f) => f.endsWith('.test.mjs') && f !== 'manifest.test.mjs')) {
    for (const m of readFileSync(join(here, f), 'utf8').matchAll(/^test\('([^:']+):/gm)) rows.add(m[1]);
  }
  assert.deepEqual([...new Set(documented)].sort(), [...rows].sort());
});
