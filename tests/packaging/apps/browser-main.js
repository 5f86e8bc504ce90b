// The page script of the Vite, webpack and esbuild browser apps: window.runProbe(cases).
import { init, CosSigner, hashInput, postFormData } from 'cos-wasm';
import { probe } from './probe.mjs';

window.runProbe = async (cases) => {
  await init();
  return probe({ CosSigner, hashInput, postFormData }, cases);
};
