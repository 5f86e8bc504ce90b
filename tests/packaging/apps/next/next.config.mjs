// The probe imports tests/js/suite.mjs, outside this app: widen the project root.
// `output: 'standalone'`: the Docker deploy (a server.js and only the files its tracer found),
// run from a copy elsewhere by tests/packaging/next.test.mjs. Nothing here is cos-wasm specific.
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export default { output: 'standalone', turbopack: { root: repo }, outputFileTracingRoot: repo };
