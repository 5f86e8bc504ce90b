// Where Node's cold start goes: the steps of pkg node.js done one by one in a fresh process.
//   node bench/cold-breakdown.mjs [package dir]   (default: tests/js/node_modules/cos-wasm)
// Run it several times (or use `for i in 1 2 3 4 5; do ...; done`); the first run after a
// build also pays the disk cache.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(root, 'tests', 'js', 'node_modules', 'cos-wasm');
const t = [performance.now()];
const glue = await import(pathToFileURL(join(dir, 'cos_wasm.js')).href);
t.push(performance.now());
const bytes = readFileSync(join(dir, 'cos_wasm_bg.wasm'));
t.push(performance.now());
const module = new WebAssembly.Module(bytes);
t.push(performance.now());
glue.initSync({ module });
t.push(performance.now());
await import(pathToFileURL(join(dir, 'extras.js')).href);
t.push(performance.now());
const signer = new glue.CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
t.push(performance.now());
signer.authorization({
  method: 'PUT',
  key: 'dir/exampleobject.txt',
  headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '13' },
  keyTime: '1557902800;1557910000',
});
t.push(performance.now());
signer.authorization({
  method: 'PUT',
  key: 'dir/exampleobject.txt',
  headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '13' },
  keyTime: '1557902800;1557910000',
});
t.push(performance.now());
const steps = ['import glue (cos_wasm.js)', 'read .wasm', 'compile (WebAssembly.Module)', 'instantiate (initSync)', 'import extras.js', 'new CosSigner', '1st authorization()', '2nd authorization()'];
const out = Object.fromEntries(steps.map((s, i) => [s, +(t[i + 1] - t[i]).toFixed(2)]));
out.total = +(t.at(-2) - t[0]).toFixed(2);
console.log(JSON.stringify(out));
