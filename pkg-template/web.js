// Browsers and bundlers: call `await init()` once before using the API. Until then every
// export that reaches the wasm throws a CosError ERR_NOT_INITIALIZED saying so (not wasm-
// bindgen's `TypeError: Cannot read properties of undefined`): each function and class of
// the glue is exported here behind that check (tests/js/boundary-init.test.mjs fails if
// one is missing), and the JS helpers check it themselves.
import wasmInit, * as glue from './cos_wasm.js';
import assertInitialized from './extras.js';

export * from './extras.js';
export * from './sts.js';
export { initSync } from './cos_wasm.js';

const { apply, construct } = Reflect;
/**
 * `target` (a glue function or class) behind the init check. A Proxy keeps the rest as it
 * is: name, static methods (themselves checked by the lifetime guard), `instanceof`.
 */
const guarded = (target) =>
  new Proxy(target, {
    apply(fn, self, args) {
      assertInitialized();
      return apply(fn, self, args);
    },
    construct(cls, args, newTarget) {
      assertInitialized();
      return construct(cls, args, newTarget);
    },
  });

export const CosSigner = /* @__PURE__ */ guarded(glue.CosSigner);
export const CustomerKey = /* @__PURE__ */ guarded(glue.CustomerKey);
export const WrappingKey = /* @__PURE__ */ guarded(glue.WrappingKey);
export const Crc64 = /* @__PURE__ */ guarded(glue.Crc64);
export const Md5 = /* @__PURE__ */ guarded(glue.Md5);
export const Sha1 = /* @__PURE__ */ guarded(glue.Sha1);
export const bucketEncryptionXml = /* @__PURE__ */ guarded(glue.bucketEncryptionXml);
export const copySourceSseHeaders = /* @__PURE__ */ guarded(glue.copySourceSseHeaders);
export const cosPolicy = /* @__PURE__ */ guarded(glue.cosPolicy);
export const crc64Combine = /* @__PURE__ */ guarded(glue.crc64Combine);
export const explainSignatureMismatch = /* @__PURE__ */ guarded(glue.explainSignatureMismatch);
export const isCosError = /* @__PURE__ */ guarded(glue.isCosError);
export const objectUrl = /* @__PURE__ */ guarded(glue.objectUrl);
export const parseBucketEncryptionXml = /* @__PURE__ */ guarded(glue.parseBucketEncryptionXml);
export const parseCosErrorXml = /* @__PURE__ */ guarded(glue.parseCosErrorXml);
export const sseHeaders = /* @__PURE__ */ guarded(glue.sseHeaders);
export const start = /* @__PURE__ */ guarded(glue.start);
export const tc3Authorization = /* @__PURE__ */ guarded(glue.tc3Authorization);
export const verifyCrc64 = /* @__PURE__ */ guarded(glue.verifyCrc64);

/**
 * Loads and instantiates the WebAssembly module. `input` may be a URL, a Response,
 * bytes or a compiled WebAssembly.Module; by default `cos_wasm_bg.wasm` is fetched from
 * beside this file. Safe to call more than once.
 */
export async function init(input) {
  await wasmInit(input === undefined ? undefined : { module_or_path: input });
}
