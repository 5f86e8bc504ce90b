// Same project root as ../next, without its standalone output (this row runs `next start`).
// Nothing cos-wasm specific.
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export default { turbopack: { root: repo }, outputFileTracingRoot: repo };
