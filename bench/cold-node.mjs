// One cold-start sample, run in a fresh `node` process by bench/run.mjs.
// argv[2]: file URL of the cos-wasm entry to import (the installed package's `node` import).
// Prints one JSON line: { importToSig, importMs, firstSigMs, sinceProcessStart, cpuMs }, cpuMs
// the CPU time of import → first signature (all threads; less sensitive than the wall clock
// to other processes on a shared machine).
const c0 = process.cpuUsage();
const t0 = performance.now();
const m = await import(process.argv[2]);
const t1 = performance.now();
const signer = new m.CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
const auth = signer.authorization({
  method: 'PUT',
  key: 'dir/exampleobject.txt',
  headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '13' },
  keyTime: '1557902800;1557910000',
});
const t2 = performance.now();
const cpu = process.cpuUsage(c0);
if (!auth.startsWith('q-sign-algorithm=sha1&')) throw new Error(`bad authorization ${auth}`);
console.log(JSON.stringify({ importToSig: t2 - t0, importMs: t1 - t0, firstSigMs: t2 - t1, sinceProcessStart: t2, cpuMs: (cpu.user + cpu.system) / 1000 }));
