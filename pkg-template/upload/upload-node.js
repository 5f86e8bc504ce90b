// cos-wasm/upload in Node (ESM): the hash entry's Node loader instantiates its wasm at import;
// upload.js shares that entry's glue module, so the CRC-64 works without an init() call.
import '../hash/node.js';

export * from './upload.js';
