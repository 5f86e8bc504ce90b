// Browsers and bundlers: call `await init()` once before using the API. Until then every
// export that reaches the wasm throws a CosError ERR_NOT_INITIALIZED saying so (not wasm-
// bindgen's `TypeError: Cannot read properties of undefined`): each function and class of
// the glue is exported here behind that check (tests/js/boundary-init.test.mjs fails if
// one is missing), and the JS helpers check it themselves.
import wasmInit, * as glue from './cos_wasm.js';
import assertInitialized from './extras.js';
import { loadWasm } from './load.js';
// @flat: one import per module the helpers import, written by scripts/build.mjs

export * from './extras.js';
export { initSync } from './cos_wasm.js';

const { apply, construct } = Reflect;
/**
 * `target` (a glue function or class) behind the init check. A Proxy keeps the rest as it
 * is: name, static methods (themselves checked by the lifetime guard), `instanceof`.
 */
const guarded = (target) =>
  new Proxy(target, {
    apply(fn, self, args) {
      assertInitialized();
      return apply(fn, self, args);
    },
    construct(cls, args, newTarget) {
      assertInitialized();
      return construct(cls, args, newTarget);
    },
  });

// @guarded: one line per glue export, written by scripts/build.mjs

const ENTRY = 'cos-wasm';
let loading;

/**
 * Loads and instantiates the WebAssembly module. `input` may be a URL, a Response,
 * bytes or a compiled WebAssembly.Module, or wasm-bindgen's own `{ module_or_path }`; by
 * default `cos_wasm_bg.wasm` is fetched from beside this file. Safe to call more than once.
 * A failure is a CosError saying what was fetched and what arrived: ERR_WASM_CSP (the page's
 * Content-Security-Policy lacks 'wasm-unsafe-eval'), ERR_WASM_FETCH (an HTTP error),
 * ERR_WASM_HTML (a page where the .wasm should be), ERR_WASM_MIME, ERR_WASM_INVALID.
 */
export async function init(input) {
  try {
    assertInitialized();
    return;
  } catch {}
  if (input !== undefined) return loadWasm(wasmInit, input, undefined, ENTRY);
  loading ??= loadWasm(wasmInit, undefined, new URL('cos_wasm_bg.wasm', import.meta.url), ENTRY).catch((e) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
