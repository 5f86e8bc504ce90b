// PBKDF2-HMAC-SHA256 speed in the wasm (600,000 iterations, the default of
// `WrappingKey.fromPassphrase`), for comparing builds (e.g. sha2's compact backend):
//   node bench/pbkdf2.mjs [pkgdir]   (default: ./pkg)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = pathToFileURL(resolve(process.argv[2] ?? 'pkg')).href;
const { WrappingKey } = await import(`${dir}/node.js`);
const runs = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  WrappingKey.fromPassphrase({ passphrase: 'long passphrase', iterations: 600_000 }).key.free();
  runs.push(Math.round(performance.now() - t));
}
console.log(`fromPassphrase, 600,000 iterations: ${runs.join(' / ')} ms`);
