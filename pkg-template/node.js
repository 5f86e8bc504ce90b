// Node (ESM): the module is instantiated synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from './cos_wasm.js';

initSync({ module: readFileSync(new URL('./cos_wasm_bg.wasm', import.meta.url)) });

export * from './cos_wasm.js';
export * from './extras.js';

/** Already initialised in Node; kept so the same code runs everywhere. */
export async function init() {}
