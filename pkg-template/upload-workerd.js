// cos-wasm/upload in workerd: ./workerd.js instantiates the wasm at import; upload.js shares its
// glue module (./cos_wasm.js), so the CRC-64 works without an init() call.
import './workerd.js';

export * from './upload.js';
