// A plain Vite app as `npm create vite` leaves it: no vite.config, nothing cos-wasm specific.
// The Vite dev servers (6, 7, 8) and a Vite 6 production build with its default target serve
// it (tests/packaging/vite-dev.test.mjs). The same page script as apps/browser-main.js; the
// probe and the signing suite are copied into gen/ by the test (a dev server serves only files
// under the app's package root, and tests/js is outside it). No top-level await: Vite 6's
// default build target refuses it.
import { init, CosSigner, postFormData } from 'cos-wasm';
import { init as initHash, hashInput } from 'cos-wasm/hash';
import { init as initKeys, CustomerKey } from 'cos-wasm/keys';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from './gen/probe.mjs';

window.callBeforeInit = () => {
  try {
    new CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' }).free();
    return 'no error';
  } catch (e) {
    return `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message}`;
  }
};

window.runProbe = async (cases) => {
  await Promise.all([init(), initHash(), initKeys()]);
  return probe({ CosSigner, hashInput, postFormData, CustomerKey, uploadFile }, cases);
};
