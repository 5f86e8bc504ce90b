// Node (ESM), also Deno and Bun: the module is instantiated synchronously at import.
// When bundled for Node (esbuild --platform=node, webpack target node) this file travels
// inside the bundle while the .wasm does not; see wasmBytes() for where it is looked for.
import { createRequire } from 'node:module';
import { initSync } from './cos_wasm.js';

// fs and url through process.getBuiltinModule (Node >= 20.16, Deno, Bun), else require:
// `import … from 'node:fs'` builds an ESM facade of fs, whose lazy getters (ReadStream…)
// load Node's streams, ~3 ms of a ~20 ms cold start (bench/cold-node.mjs).
const builtin = (id) => (globalThis.process?.getBuiltinModule ? process.getBuiltinModule(id) : createRequire(import.meta.url || `${process.cwd()}/`)(id));
const { readFileSync } = builtin('node:fs');
const { fileURLToPath } = builtin('node:url');

const WASM = 'cos_wasm_bg.wasm';
const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'MODULE_NOT_FOUND', 'ERR_INVALID_URL', 'ERR_INVALID_URL_SCHEME', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);

/** The module bytes: beside this file, else the installed package; an Error saying what to do if neither. */
function wasmBytes() {
  const tried = [];
  const candidates = [];
  // Beside this file: the installed package, or a bundle with the .wasm copied beside it.
  // (An esbuild CommonJS bundle has no import.meta.url but has __dirname.) A template
  // literal, so that webpack leaves it alone: as an asset URL, Next.js' server build handed
  // fs a URL object from another realm, which it refuses.
  if (import.meta.url) candidates.push(() => fileURLToPath(String(new URL(`./${WASM}`, import.meta.url))));
  if (typeof __dirname === 'string') candidates.push(() => `${__dirname}/${WASM}`);
  // A bundle run inside a project that has cos-wasm installed.
  const from = import.meta.url || `${process.cwd()}/`;
  candidates.push(() => createRequire(from).resolve(`cos-wasm/${WASM}`));
  for (const where of candidates) {
    let path;
    try {
      path = where();
      return readFileSync(path);
    } catch (e) {
      // Only "not there" moves on; anything else (a permission denied, e.g. Deno without
      // --allow-read) is the real answer.
      if (!NOT_FOUND.has(e.code)) throw e;
      tried.push(`${path ?? '(unresolved)'}: ${e.code}`);
    }
  }
  throw new Error(
    `cos-wasm: cannot read ${WASM} (tried ${tried.join('; ')}). When you bundle for Node, copy ` +
      `node_modules/cos-wasm/${WASM} next to the bundle, or keep cos-wasm external (esbuild --external:cos-wasm).`,
  );
}

initSync({ module: wasmBytes() });

export * from './cos_wasm.js';
export * from './extras.js';

/** Already initialised in Node; kept so the same code runs everywhere. */
export async function init() {}
