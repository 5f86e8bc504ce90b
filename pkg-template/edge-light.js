// Vercel / Next.js Edge Runtime (`edge-light`): dynamic WebAssembly compilation is not
// allowed there, so the .wasm is imported as a compiled module (`?module`, which Next.js'
// bundlers understand) and instantiated synchronously at import.
import wasmModule from './cos_wasm_bg.wasm?module';
import { initSync } from './cos_wasm.js';

// Next.js compiles the module outside its edge sandbox, in another JS realm, so it fails
// `instanceof WebAssembly.Module` here and wasm-bindgen would try to recompile it ("Argument
// 0 must be a buffer source"). It is a genuine compiled module: give it this realm's prototype.
if (!(wasmModule instanceof WebAssembly.Module) && Object.prototype.toString.call(wasmModule) === '[object WebAssembly.Module]') {
  Object.setPrototypeOf(wasmModule, WebAssembly.Module.prototype);
}
initSync({ module: wasmModule });

export * from './cos_wasm.js';
export * from './extras.js';

/** Already initialised on the edge; kept so the same code runs everywhere. */
export async function init() {}
