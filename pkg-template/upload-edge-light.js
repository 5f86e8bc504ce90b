// cos-wasm/upload in edge-light: ./edge-light.js instantiates the wasm at import; upload.js shares its
// glue module (./cos_wasm.js), so the CRC-64 works without an init() call.
import './edge-light.js';

export * from './upload.js';
