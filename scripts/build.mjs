#!/usr/bin/env node
// Builds the npm package into pkg/: cargo (wasm32) → wasm-bindgen (web + nodejs glue,
// one shared .wasm) → wasm-opt (npm `binaryen`) → pkg-template/ files copied beside them.
//
// Usage: node scripts/build.mjs [--no-opt]
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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

run('cargo', ['build', '--release', '--lib', '--target', 'wasm32-unknown-unknown', '--features', 'wasm', '-p', 'cos-wasm']);
const wasm = join(target, 'wasm32-unknown-unknown', 'release', 'cos_wasm.wasm');

rmSync(tmp, { recursive: true, force: true });
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--out-dir', join(tmp, 'web'), wasm]);
run('wasm-bindgen', ['--target', 'nodejs', '--no-typescript', '--out-dir', join(tmp, 'node'), wasm]);
const webWasm = readFileSync(join(tmp, 'web', 'cos_wasm_bg.wasm'));
if (!webWasm.equals(readFileSync(join(tmp, 'node', 'cos_wasm_bg.wasm')))) {
  throw new Error('web and nodejs wasm-bindgen outputs differ; the package ships one .wasm');
}

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
cpSync(join(root, 'pkg-template'), pkg, { recursive: true });
cpSync(join(tmp, 'web', 'cos_wasm.js'), join(pkg, 'cos_wasm.js'));
cpSync(join(tmp, 'node', 'cos_wasm.js'), join(pkg, 'cos_wasm.cjs'));
cpSync(join(root, 'pkg-template', 'index.d.ts'), join(pkg, 'index.d.cts'));
cpSync(join(root, 'LICENSE'), join(pkg, 'LICENSE'));
// The JS helper modules (errors.js, extras.js, sts.js) are plain ESM; their .cjs twins
// replace each `import { … } from './x.js'` by a require of './x.cjs' (the glue's is
// cos_wasm.cjs) and each `export function` by a CommonJS export.
// upload.js takes its CRC-64 from the browser entry (web.js); its twin from the Node one.
for (const mod of ['errors', 'extras', 'sts', 'upload']) {
  let src = readFileSync(join(pkg, `${mod}.js`), 'utf8').replace("from './web.js';", "from './node.js';");
  const names = [...src.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1]);
  src = "'use strict';\n" + src
    .replace(/^import \{([^}]*)\} from '\.\/([\w-]+)\.js';$/gm, "const {$1} = require('./$2.cjs');")
    .replace(/^export (async )?function /gm, '$1function ')
    .replace(/^export default function /m, 'function ');
  if (/^\s*(import|export)\b/m.test(src)) throw new Error(`${mod}.js has an import/export the CJS transform does not handle`);
  writeFileSync(join(pkg, `${mod}.cjs`), `${src}\n${names.map((n) => `exports.${n} = ${n};`).join('\n')}\n`);
}
writeFileSync(join(pkg, 'upload.d.cts'), readFileSync(join(pkg, 'upload.d.ts'), 'utf8').replace("from './index.js';", "from './index.cjs';"));
cpSync(join(root, 'README.md'), join(pkg, 'README.md'));

const outWasm = join(pkg, 'cos_wasm_bg.wasm');
if (noOpt) {
  writeFileSync(outWasm, webWasm);
} else {
  // Debian's binaryen breaks wasm-bindgen output; use the npm one (devDependency).
  const wasmOpt = join(root, 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) throw new Error('npm binaryen missing: run `npm ci` (scripts/setup.sh)');
  const features = ['--enable-reference-types', '--enable-bulk-memory', '--enable-nontrapping-float-to-int',
    '--enable-sign-ext', '--enable-mutable-globals', '--enable-multivalue'];
  run(wasmOpt, ['-O3', '--strip-debug', '--strip-producers', ...features, join(tmp, 'web', 'cos_wasm_bg.wasm'), '-o', outWasm]);
}

const size = (f) => statSync(f).size;
const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const glue = join(pkg, 'cos_wasm.js');
console.error(`pkg/cos_wasm_bg.wasm ${size(outWasm)} B (gzip -9 ${gz(outWasm)} B); glue ${size(glue)} B (gzip -9 ${gz(glue)} B)`);
