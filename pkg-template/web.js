// Browsers and bundlers: call `await init()` once before using the API.
import wasmInit from './cos_wasm.js';

export * from './cos_wasm.js';
export * from './extras.js';
export * from './sts.js';

/**
 * Loads and instantiates the WebAssembly module. `input` may be a URL, a Response,
 * bytes or a compiled WebAssembly.Module; by default `cos_wasm_bg.wasm` is fetched from
 * beside this file. Safe to call more than once.
 */
export async function init(input) {
  await wasmInit(input === undefined ? undefined : { module_or_path: input });
}
