// Signing speed through the JS boundary, for comparing two builds of the package:
//   node bench/sign-loop.mjs [pkgdir]   (default: ./pkg; copy pkg/ aside to keep a "before")
// Prints sign/s for 100,000 `authorization()` calls with a key and three headers (5 rounds
// after a 20,000-call warm-up), then the median ns per call of smaller option objects.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = pathToFileURL(resolve(process.argv[2] ?? 'pkg')).href;
const { CosSigner } = await import(`${dir}/node.js`);
const signer = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
const keyTime = '1700000000;1700003600';
const headers = { 'content-type': 'text/plain', 'content-length': '11', host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com' };
const full = { method: 'PUT', key: 'notes/a.txt', headers, keyTime };

for (let i = 0; i < 20_000; i++) signer.authorization(full);
const rounds = [];
for (let r = 0; r < 5; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) signer.authorization(full);
  rounds.push(Math.round(100_000 / (Number(process.hrtime.bigint() - t) / 1e9)));
}
rounds.sort((a, b) => a - b);
console.log(`sign/s (key + 3 headers): rounds ${rounds.join(' ')}; median ${rounds[2]}`);

const cases = {
  'method + keyTime': { method: 'PUT', keyTime },
  'method + key + keyTime': { method: 'PUT', key: 'notes/a.txt', keyTime },
  'key + 3 headers': full,
};
for (const [name, opts] of Object.entries(cases)) {
  for (let i = 0; i < 20_000; i++) signer.authorization(opts);
  const ns = [];
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < 50_000; i++) signer.authorization(opts);
    ns.push(Number(process.hrtime.bigint() - t) / 50_000);
  }
  ns.sort((a, b) => a - b);
  console.log(`${name}: median ${ns[2].toFixed(0)} ns/call (min ${ns[0].toFixed(0)})`);
}
signer.free();
