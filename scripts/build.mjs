#!/usr/bin/env node
// Builds the npm package into pkg/, one entry at a time (ENTRIES below): cargo (wasm32,
// the entry's features) → wasm-bindgen (web + nodejs glue, one shared .wasm) → wasm-opt
// (npm `binaryen`); then pkg-template/ copied beside them, each entry's loaders (web.js,
// node.js, node.cjs, workerd.js, edge-light.js) written from the signer's, the CommonJS
// twins of the JS helpers, the .d.cts twins of the types, and package.json's `exports`,
// `files` and `sideEffects` written from ENTRIES.
//
// Usage: node scripts/build.mjs [--no-opt]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
const pkg = join(root, 'pkg');
const tmp = join(target, 'wasm-bindgen-out');
const noOpt = process.argv.includes('--no-opt');

function run(cmd, args, opts = {}) {
  console.error(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
}

// The wasm-bindgen CLI must match the crate version pinned in Cargo.toml.
const want = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/wasm-bindgen = \{ version = "=([0-9.]+)"/)[1];
const have = execFileSync('wasm-bindgen', ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
if (have !== want) {
  throw new Error(`wasm-bindgen CLI ${have} does not match the crate's ${want}; run scripts/setup.sh`);
}

/**
 * The npm entries. `dir` '' is the package root (`cos-wasm`); the others are subpaths
 * (`cos-wasm/<dir>`) with their files under pkg/<dir>/. `features` are the cargo features
 * of the entry's own .wasm (Cargo.toml); `js` the entry's JS helper modules in
 * pkg-template/<dir>/, re-exported by its loaders (each has a default export: the entry's
 * init check); `rustflags`, when given, are the RUSTFLAGS of its cargo build. An entry
 * without `features` is JS only: copy its files to pkg-template/<dir>/
 * and list its modules in `js`; `over` names the wasm entry it imports from web.js, whose
 * loader its Node, workerd and edge-light modules import first (written below: they
 * instantiate that wasm at import, as the entry's own loaders do); its package.json block is
 * written like the others.
 */
const ENTRIES = [
  { dir: '', features: 'entry-signer', js: ['extras'] },
  { dir: 'keys', features: 'entry-keys', js: ['extras'] },
  { dir: 'hash', features: 'entry-hash', js: ['extras'] },
  // TC3 hashes a few hundred bytes per STS call: the compact SHA-256 (sha2's loop instead of
  // its unrolled rounds) is 8 KB smaller. cos-wasm/keys keeps the unrolled one (PBKDF2).
  { dir: 'sts', features: 'entry-sts', js: ['extras', 'sts'], rustflags: '--cfg sha2_backend_soft="compact"' },
  { dir: 'explain', features: 'entry-explain', js: ['extras'] },
  // JS only, over cos-wasm/hash (upload.js imports its CRC-64 from ../hash/web.js).
  { dir: 'upload', js: ['upload'], over: 'hash' },
];
/** JS modules shared by the entries, at the package root (no loader re-exports them). */
const SHARED = ['errors', 'guard', 'load', 'responses', 'snapshot', 'transport', 'xml'];
const LOADERS = ['web.js', 'node.js', 'node.cjs', 'workerd.js', 'edge-light.js'];
/** The loaders of a JS-only entry (`over`): the runtimes that instantiate the wasm at import. */
const OVER_LOADERS = ['node.js', 'workerd.js', 'edge-light.js'];
const glueName = (e) => (e.dir === '' ? 'cos_wasm' : `cos_wasm_${e.dir}`);
const at = (e, file) => (e.dir === '' ? file : `${e.dir}/${file}`);

const started = Date.now();
rmSync(tmp, { recursive: true, force: true });
const built = new Map(); // dir → { wasm bytes (wasm-bindgen output), glue dir }
for (const e of ENTRIES.filter((x) => x.features)) {
  const t0 = Date.now();
  // An entry with its own `rustflags` builds in its own target directory, so that the other
  // entries' (shared) build cache is not invalidated by each switch of flags.
  const entryTarget = e.rustflags ? join(target, `entry-${e.dir}`) : target;
  const env = e.rustflags ? { ...process.env, CARGO_TARGET_DIR: entryTarget, RUSTFLAGS: e.rustflags } : process.env;
  run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--features', e.features, '-p', 'cos-wasm'], { env });
  // wasm-bindgen names its output after the input file: cos_wasm_keys.wasm → cos_wasm_keys.js
  const input = join(tmp, `${glueName(e)}.wasm`);
  mkdirSync(tmp, { recursive: true });
  cpSync(join(entryTarget, 'wasm32-unknown-unknown', 'release', 'cos_wasm.wasm'), input);
  const out = join(tmp, e.dir || 'signer');
  run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', join(out, 'web'), input]);
  run('wasm-bindgen', ['--target', 'nodejs', '--no-typescript', '--out-dir', join(out, 'node'), input]);
  const webWasm = readFileSync(join(out, 'web', `${glueName(e)}_bg.wasm`));
  if (!webWasm.equals(readFileSync(join(out, 'node', `${glueName(e)}_bg.wasm`)))) {
    throw new Error(`${e.features}: web and nodejs wasm-bindgen outputs differ; the package ships one .wasm per entry`);
  }
  built.set(e.dir, { webWasm, out });
  console.error(`entry ${e.dir || '(signer)'}: cargo + wasm-bindgen ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
cpSync(join(root, 'pkg-template'), pkg, { recursive: true });
cpSync(join(root, 'LICENSE'), join(pkg, 'LICENSE'));
cpSync(join(root, 'README.md'), join(pkg, 'README.md'));

/**
 * The package modules that entry `e`'s helper modules import, directly or through each
 * other (the glue, generated, and the helpers themselves left out), as paths from the
 * entry's directory: '../guard.js'.
 */
function helperImports(e) {
  // module paths from the package root ('keys/extras.js'), resolved as URLs are
  const fromRoot = (spec, file) => new URL(spec, `file:///${file}`).pathname.slice(1);
  const own = new Set(e.js.map((m) => (e.dir ? `${e.dir}/${m}.js` : `${m}.js`)));
  const found = new Set();
  const visit = (file) => {
    const src = readFileSync(join(root, 'pkg-template', file), 'utf8');
    for (const [, spec] of src.matchAll(/^(?:import|export)\s(?:[^;]*?\sfrom\s*)?'(\.\.?\/[^']+)'/gm)) {
      const dep = fromRoot(spec, file);
      if (own.has(dep) || found.has(dep) || !existsSync(join(root, 'pkg-template', dep))) continue;
      found.add(dep);
      visit(dep);
    }
  };
  for (const f of own) visit(f);
  // entries are at most one folder deep
  return [...found].map((dep) => (e.dir === '' ? `./${dep}` : dep.startsWith(`${e.dir}/`) ? `./${dep.slice(e.dir.length + 1)}` : `../${dep}`));
}

/**
 * The signer's loader `file` rewritten for entry `e`: its glue, its .wasm, its helper
 * modules; in web.js one init-checked export per function and class of the glue, and an
 * import of every module the helpers import: a browser requests them all as soon as it has
 * web.js (one round trip, not one per level of imports; evaluation order is the same).
 */
function loader(e, file, glueSource) {
  const g = glueName(e);
  const swap = (src, from, to) => {
    if (!src.includes(from)) throw new Error(`pkg-template/${file} no longer contains ${from}: update scripts/build.mjs`);
    return src.split(from).join(to);
  };
  let src = readFileSync(join(root, 'pkg-template', file), 'utf8');
  if (file === 'node.cjs') {
    src = swap(src, "const extras = require('./extras.cjs');\n", e.js.map((m) => `const ${m} = require('./${m}.cjs');\n`).join(''));
    src = swap(src, 'Object.assign({}, api, extras, {', `Object.assign({}, api, ${e.js.join(', ')}, {`);
  } else {
    src = swap(src, "export * from './extras.js';\n", e.js.map((m) => `export * from './${m}.js';\n`).join(''));
  }
  if (file === 'web.js') {
    src = swap(src, '// @flat: one import per module the helpers import, written by scripts/build.mjs\n',
      helperImports(e).map((m) => `import '${m}';\n`).join(''));
    const names = [...glueSource.matchAll(/^export (?:class|function) (\w+)/gm)].map((m) => m[1]).filter((n) => n !== 'initSync' && !n.startsWith('__'));
    src = swap(src, '// @guarded: one line per glue export, written by scripts/build.mjs\n',
      names.sort().map((n) => `export const ${n} = /* @__PURE__ */ guarded(glue.${n});\n`).join(''));
    if (e.dir !== '') {
      // the shared browser loader is at the package root; errors name the entry
      src = swap(src, "from './load.js';", "from '../load.js';");
      src = swap(src, "const ENTRY = 'cos-wasm';", `const ENTRY = 'cos-wasm/${e.dir}';`);
    }
  }
  if (e.dir !== '') {
    src = src.replace(/'\.\/cos_wasm\.(c?js)'/g, `'./${g}.$1'`).replace(/cos_wasm_bg\.wasm/g, `${g}_bg.wasm`);
    if (file === 'node.js') {
      src = swap(src, '`cos-wasm/${WASM}`', `\`cos-wasm/${e.dir}/\${WASM}\``);
      src = swap(src, 'node_modules/cos-wasm/${WASM} ', `node_modules/cos-wasm/${e.dir}/\${WASM} `);
    }
  }
  return src;
}

/**
 * The CommonJS twin of a plain-ESM helper module: each `import { … } from './x.js'` (or
 * '../x.js') becomes a require of the .cjs twin (the glue's is <glue>.cjs), each `export
 * function` / `export const` / `export default function` / `export { … } from` a CommonJS
 * export.
 */
function cjsTwin(file) {
  let src = readFileSync(file, 'utf8');
  const names = [...src.matchAll(/^export (?:async )?function (\w+)|^export const (\w+)/gm)].map((m) => m[1] ?? m[2]);
  const reexports = [];
  src = "'use strict';\n" + src
    .replace(/^export \{([^}]*)\} from '(\.\.?\/[\w-]+)\.js';$/gm, (_, list, from) => {
      for (const n of list.split(',').map((x) => x.trim()).filter(Boolean)) reexports.push(`exports.${n} = require('${from}.cjs').${n};`);
      return '';
    })
    .replace(/^import \{([^}]*)\} from '(\.\.?\/(?:[\w-]+\/)*[\w-]+)\.js';$/gm, (_, list, from) =>
      // a browser loader's (web.js) CommonJS counterpart is the Node one (node.cjs)
      `const {${list}} = require('${from.replace(/(^|\/)web$/, '$1node')}.cjs');`)
    .replace(/^export (async )?function /gm, '$1function ')
    .replace(/^export const /gm, 'const ')
    .replace(/^export default (function \w+|\w+);$/m, (_, what) => (what.startsWith('function') ? what : ''))
    .replace(/^export default function /m, 'function ');
  if (/^\s*(import|export)\b/m.test(src)) throw new Error(`${file} has an import/export the CJS transform does not handle`);
  writeFileSync(file.replace(/\.js$/, '.cjs'), `${src}\n${[...names.map((n) => `exports.${n} = ${n};`), ...reexports].join('\n')}\n`);
}
for (const m of SHARED) cjsTwin(join(pkg, `${m}.js`));

// Debian's binaryen breaks wasm-bindgen output; use the npm one (devDependency).
const wasmOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
if (!noOpt && !existsSync(wasmOpt)) throw new Error('npm binaryen missing: run `npm ci` (scripts/setup.sh)');
const size = (f) => statSync(f).size;
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const sizes = [];
for (const e of ENTRIES) {
  const dir = join(pkg, e.dir);
  mkdirSync(dir, { recursive: true });
  const g = glueName(e);
  let glueSource = '';
  if (e.features) {
    const { webWasm, out } = built.get(e.dir);
    // (its JSDoc blocks, wasm-bindgen's copies of the Rust docs, go with the minification below)
    const glue = (target) => readFileSync(join(out, target, `${g}.js`), 'utf8');
    // The glue's own default URL of the .wasm goes: web.js's init() always hands the glue
    // what to load (its `new URL(…, import.meta.url)` is the one bundlers and dev servers
    // follow), and the Node, workerd and edge loaders, which import the glue but never fetch,
    // made bundlers emit a second copy of the .wasm beside the one they import (Next.js edge).
    const webGlue = glue('web');
    const defaultUrl = `new URL('${g}_bg.wasm', import.meta.url)`;
    if (webGlue.split(defaultUrl).length !== 2) throw new Error(`the ${g}.js glue no longer has one ${defaultUrl}: update scripts/build.mjs`);
    writeFileSync(join(dir, `${g}.js`), webGlue.replace(defaultUrl, 'undefined'));
    writeFileSync(join(dir, `${g}.cjs`), glue('node'));
    glueSource = readFileSync(join(dir, `${g}.js`), 'utf8');
    const outWasm = join(dir, `${g}_bg.wasm`);
    if (noOpt) writeFileSync(outWasm, webWasm);
    else {
      const features = ['--enable-reference-types', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
        '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue'];
      run(wasmOpt, ['-O3', '--strip-debug', '--strip-producers', ...features, join(out, 'web', `${g}_bg.wasm`), '-o', outWasm]);
    }
    for (const file of LOADERS) writeFileSync(join(dir, file), loader(e, file, glueSource));
  }
  for (const m of e.js) cjsTwin(join(dir, `${m}.js`));
  if (e.over) {
    for (const file of OVER_LOADERS) {
      writeFileSync(join(dir, file), `import '../${e.over}/${file}';\nexport * from './${e.js[0]}.js';\n`);
    }
    // On the edge, its module imports the wasm entry's edge loader rather than its web.js,
    // whose `new URL(…wasm, import.meta.url)` made Next.js ship that .wasm a second time.
    const from = `'../${e.over}/web.js'`;
    const src = readFileSync(join(dir, `${e.js[0]}.js`), 'utf8');
    if (!src.includes(from)) throw new Error(`${e.dir}/${e.js[0]}.js no longer imports ${from}: update scripts/build.mjs`);
    writeFileSync(join(dir, `${e.js[0]}.edge.js`), src.split(from).join(`'../${e.over}/edge-light.js'`));
    writeFileSync(join(dir, 'edge-light.js'), `import '../${e.over}/edge-light.js';\nexport * from './${e.js[0]}.edge.js';\n`);
  }
  // Types: <dir>/index.d.ts is hand-written; its .d.cts twin imports the other entries' .d.cts.
  const dts = readFileSync(join(dir, 'index.d.ts'), 'utf8');
  writeFileSync(join(dir, 'index.d.cts'), dts.replace(/(from '(?:\.\.?\/)(?:[\w-]+\/)*index)\.js'/g, "$1.cjs'"));
  // What a browser page loads for this entry: .wasm, glue, web.js, helpers, shared modules.
  const files = [...(e.features ? [`${g}_bg.wasm`, `${g}.js`, 'web.js'] : []), ...e.js.map((m) => `${m}.js`)].map((f) => join(dir, f));
  files.push(...SHARED.map((m) => join(pkg, `${m}.js`)));
  const total = (measure) => files.reduce((n, f) => n + measure(f), 0);
  sizes.push(() => `${(e.dir ? `cos-wasm/${e.dir}` : 'cos-wasm').padEnd(18)} ${e.features ? `${g}_bg.wasm ${size(join(dir, `${g}_bg.wasm`))} B (gzip -9 ${gz(join(dir, `${g}_bg.wasm`))} B); ` : ''}browser load (wasm + glue + web.js + helpers): ${total(size)} B, gzip -9 file by file ${total(gz)} B`); // measured once minified
}

// package.json: `exports`, `files` and `sideEffects` from ENTRIES. Every runtime condition
// of every entry; each .wasm is exported too (node.js falls back to resolving it by name).
const manifest = JSON.parse(readFileSync(join(root, 'pkg-template', 'package.json'), 'utf8'));
const exportsMap = {};
const files = [];
const sideEffects = [];
for (const e of ENTRIES) {
  const p = (f) => `./${at(e, f)}`;
  const esm = { types: p('index.d.ts') };
  const cjs = { types: p('index.d.cts') };
  // A JS-only entry's browser conditions name its module, the others its `over` loaders (or
  // the module too, without `over`); CommonJS its .cjs twin, which requires the wasm entry's.
  const web = e.features ? p('web.js') : p(`${e.js[0]}.js`);
  const loaded = (file) => (e.features || e.over ? p(file) : web);
  const nodeCjs = e.features ? p('node.cjs') : p(`${e.js[0]}.cjs`);
  exportsMap[e.dir ? `./${e.dir}` : '.'] = {
    workerd: { ...esm, default: loaded('workerd.js') },
    'edge-light': { ...esm, default: loaded('edge-light.js') },
    node: { import: { ...esm, default: loaded('node.js') }, require: { ...cjs, default: nodeCjs } },
    browser: { ...esm, default: web },
    import: { ...esm, default: web },
    require: { ...cjs, default: nodeCjs },
    default: { ...esm, default: web },
  };
  if (e.features) {
    const g = glueName(e);
    exportsMap[p(`${g}_bg.wasm`)] = p(`${g}_bg.wasm`);
    files.push(...[`${g}_bg.wasm`, `${g}.js`, `${g}.cjs`, ...LOADERS].map(p));
    // The loaders instantiate the wasm and the helpers patch the glue's classes at import.
    sideEffects.push(...['workerd.js', 'edge-light.js', 'node.js', 'node.cjs', `${g}.cjs`].map(p));
  }
  for (const m of e.js) files.push(p(`${m}.js`), p(`${m}.cjs`));
  if (e.over) {
    files.push(...OVER_LOADERS.map(p), p(`${e.js[0]}.edge.js`));
    sideEffects.push(...OVER_LOADERS.map(p));
  }
  sideEffects.push(p('extras.js'), p('extras.cjs'));
  files.push(p('index.d.ts'), p('index.d.cts'));
}
for (const m of SHARED) files.push(`./${m}.js`, `./${m}.cjs`);
// A package.json in each entry's folder, for resolvers that ignore `exports` (TypeScript's
// node10 resolution, older bundlers, Node before exports): `cos-wasm/hash` is then the folder,
// and its main/module/types name the same loaders as the exports map. `type: module` keeps the
// folder's .js ESM for Node (the nearest package.json decides); `sideEffects` repeats the root's
// lines for that folder, because bundlers read the nearest package.json for a module's effects.
const stubs = [];
for (const e of ENTRIES.filter((x) => x.dir !== '')) {
  const own = (list) => list.filter((f) => f.startsWith(`./${e.dir}/`)).map((f) => `./${f.slice(e.dir.length + 3)}`);
  const main = e.features ? './node.cjs' : `./${e.js[0]}.cjs`;
  const module = e.features ? './web.js' : `./${e.js[0]}.js`;
  stubs.push([e.dir, { name: `cos-wasm-${e.dir}`, private: true, type: 'module', main, module, types: './index.d.ts', sideEffects: own(sideEffects) }]);
  files.push(`./${e.dir}/package.json`);
}
exportsMap['./package.json'] = './package.json';
manifest.files = [...files.map((f) => f.slice(2)), 'README.md', 'LICENSE'];
manifest.sideEffects = sideEffects.filter((f) => existsSync(join(pkg, f)));
manifest.exports = exportsMap;
writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const [dir, stub] of stubs) {
  stub.sideEffects = stub.sideEffects.filter((f) => existsSync(join(pkg, dir, f)));
  writeFileSync(join(pkg, dir, 'package.json'), `${JSON.stringify(stub, null, 2)}\n`);
}

// Every shipped module minified by esbuild, names kept (so stack traces and the packaging
// tests' reading of the shipped files still see them): a page loads these files as they are,
// the signer's JS 9.3 → 8.0 KB gzip. The web.js loaders keep their whitespace: esbuild's
// whitespace minifier drops the `/* @__PURE__ */` annotations on their exports that let
// bundlers drop unused ones. The .d.ts files are the documented API and pkg-template/ the
// commented source. Checked to still parse.
// Each with a source map (`<file>.map`, the unminified module in `sourcesContent`), so stack
// traces and debuggers show readable code; a page never fetches a map unless devtools ask.
const maps = [];
for (const f of manifest.files.filter((x) => /\.c?js$/.test(x))) {
  const file = join(pkg, f);
  const minify = { minifySyntax: true, minifyWhitespace: !/(^|\/)web\.js$/.test(f) };
  const name = f.split('/').pop();
  const { code, map } = transformSync(readFileSync(file, 'utf8'), { loader: 'js', legalComments: 'none', sourcemap: 'external', sourcefile: name, sourcesContent: true, ...minify });
  writeFileSync(file, `${code}//# sourceMappingURL=${name}.map\n`);
  writeFileSync(`${file}.map`, map);
  maps.push(`${f}.map`);
  execFileSync(process.execPath, ['--check', file]);
}
manifest.files.push(...maps);
writeFileSync(join(pkg, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

console.error(sizes.map((line) => line()).join('\n'));
console.error(`build: ${ENTRIES.filter((e) => e.features).length} entries in ${((Date.now() - started) / 1000).toFixed(0)} s`);
