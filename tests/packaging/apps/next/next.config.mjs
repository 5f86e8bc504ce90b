// The probe imports tests/js/suite.mjs, outside this app: widen the project root.
// Nothing here is cos-wasm specific.
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export default { turbopack: { root: repo }, outputFileTracingRoot: repo };
