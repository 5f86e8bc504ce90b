// The page script of the Vite, webpack and esbuild browser apps: window.runProbe(cases), and
// window.callBeforeInit() showing what a call before `await init()` does.
// Three entries, each its own small .wasm: the signer, hashing and customer keys.
import { init, CosSigner, postFormData } from 'cos-wasm';
import { init as initHash, hashInput } from 'cos-wasm/hash';
import { init as initKeys, CustomerKey } from 'cos-wasm/keys';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from './probe.mjs';

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
