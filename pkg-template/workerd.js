// workerd / Cloudflare Workers: the .wasm is imported as a compiled module and
// instantiated synchronously (Workers cannot compile wasm from bytes at run time).
import wasmModule from './cos_wasm_bg.wasm';
import { initSync } from './cos_wasm.js';

initSync({ module: wasmModule });

export * from './cos_wasm.js';
export * from './extras.js';

/** Already initialised in workerd; kept so the same code runs everywhere. */
export async function init() {}
