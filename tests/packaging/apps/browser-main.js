// The page script of the Vite, webpack and esbuild browser apps: window.runProbe(cases), and
// window.callBeforeInit() showing what a call before `await init()` does.
import { init, CosSigner, hashInput, postFormData } from 'cos-wasm';
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
  await init();
  return probe({ CosSigner, hashInput, postFormData, uploadFile }, cases);
};
