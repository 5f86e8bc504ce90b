// JS side of `cos-wasm/sts`: the init check of this entry (the STS client is sts.js).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { isCosError } from './cos_wasm_sts.js';
import { initCheck } from '../guard.js';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/sts');
export default assertInitialized;
