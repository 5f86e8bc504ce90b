// Vercel / Next.js Edge Runtime (`edge-light`): dynamic WebAssembly compilation is not
// allowed there, so the .wasm is imported as a compiled module (`?module`, which Next.js'
// bundlers understand) and instantiated synchronously at import.
import wasmModule from './cos_wasm_bg.wasm?module';
import { initSync } from './cos_wasm.js';

initSync({ module: wasmModule });

export * from './cos_wasm.js';
export * from './extras.js';

/** Already initialised on the edge; kept so the same code runs everywhere. */
export async function init() {}
