// Same configuration as ../next (nothing cos-wasm specific).
export { default } from '../next/next.config.mjs';
