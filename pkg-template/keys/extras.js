// JS side of `cos-wasm/keys`: the lifetime guard of CustomerKey and WrappingKey.
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { CustomerKey, WrappingKey, isCosError } from './cos_wasm_keys.js';
import { guardClass, initCheck } from '../guard.js';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/keys');
export default assertInitialized;

guardClass(CustomerKey, 'CustomerKey', assertInitialized);
guardClass(WrappingKey, 'WrappingKey', assertInitialized);
