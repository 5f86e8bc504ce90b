// Nothing cos-wasm specific: webpack 5 emits the .wasm as an asset through
// `new URL(..., import.meta.url)`.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: '../browser-main.js',
  context: fileURLToPath(new URL('.', import.meta.url)),
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'main.js', clean: true },
  performance: { hints: false },
};
