// JS side of `cos-wasm/sts`: the init check of this entry, and its two wasm functions, each
// one crossing (options read by snapshot.js; the STS client itself is sts.js).
// Written as plain ESM; the build derives extras.cjs from it for CommonJS.
import { isCosError, __sts } from './cos_wasm_sts.js';
import { initCheck } from '../guard.js';
import { withSnapshot } from '../snapshot.js';

/** ERR_NOT_INITIALIZED until the browser `init()` of this entry; the default export, for web.js. */
const assertInitialized = initCheck(isCosError, 'cos-wasm/sts');
export default assertInitialized;

/** The CAM policy JSON text for STS: `{ bucket, region, allow: [{ actions, prefix | keys, conditions? }] }`. */
export function cosPolicy(options) {
  assertInitialized();
  return withSnapshot(options, undefined, (t, b) => __sts(0, t, b));
}

/** The `Authorization` header of a Tencent Cloud API v3 request (TC3-HMAC-SHA256). */
export function tc3Authorization(options) {
  assertInitialized();
  return withSnapshot(options, undefined, (t, b) => __sts(1, t, b));
}
