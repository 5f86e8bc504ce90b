// Browsers and bundlers: call `await init()` once before using the API. Until then every
// export that reaches the wasm throws a CosError ERR_NOT_INITIALIZED saying so (not wasm-
// bindgen's `TypeError: Cannot read properties of undefined`): each function and class of
// the glue is exported here behind that check (tests/js/boundary-init.test.mjs fails if
// one is missing), and the JS helpers check it themselves.
import wasmInit, * as glue from './cos_wasm.js';
import assertInitialized from './extras.js';
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

/**
 * Loads and instantiates the WebAssembly module. `input` may be a URL, a Response,
 * bytes or a compiled WebAssembly.Module, or wasm-bindgen's own `{ module_or_path }`; by
 * default `cos_wasm_bg.wasm` is fetched from beside this file. Safe to call more than once.
 */
export async function init(input) {
  const own = input !== null && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype && Object.hasOwn(input, 'module_or_path');
  await wasmInit(input === undefined || own ? input : { module_or_path: input });
}
