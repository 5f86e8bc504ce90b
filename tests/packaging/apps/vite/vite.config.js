// Nothing cos-wasm specific: Vite finds the .wasm through `new URL(..., import.meta.url)`.
export default { logLevel: 'warn' };
