// Upload benchmark (issue 15): one large file from headless Chromium to the local COS emulator
// on loopback, cos-wasm/upload `uploadFile` vs cos-js-sdk-v5 `sliceUploadFile`, same file (a
// disk-backed File in the page's origin-private file system), same part size and concurrency,
// no SSE (the SDK cannot send SSE-C on its parts). Throughput, and the growth of Chromium's
// resident memory (all its processes, sampled every 100 ms) over the baseline with the file
// made. uploadFile also checks the whole object's CRC-64; the SDK checks nothing by default.
// Run alone: `node bench/run.mjs --only=upload` (`--quick`: 256 MiB).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { launchChromium, staticServer } from '../tests/js/harness.mjs';
import { startEmulator } from '../tests/js/emulator.mjs';
import { makeFileInPage } from '../tests/js/page-file.mjs';

const MiB = 1024 * 1024;
const BUCKET = 'bench-1250000000';
const REGION = 'ap-guangzhou';

/** Resident bytes of this process's Chromium descendants (the emulator excluded). */
function chromiumRss() {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!kids.has(ppid)) kids.set(ppid, []);
      kids.get(ppid).push(Number(d));
    } catch {}
  }
  let rss = 0;
  const walk = (pid) => {
    for (const k of kids.get(pid) ?? []) {
      try {
        const status = readFileSync(`/proc/${k}/status`, 'utf8');
        if (/^Name:\s*chrom/im.test(status)) rss += Number(/^VmRSS:\s*(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
      } catch {}
      walk(k);
    }
  };
  walk(process.pid);
  return rss;
}

async function measure(fn) {
  const base = chromiumRss();
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, chromiumRss())), 100);
  try {
    const out = await fn();
    return { ...out, rssGrowth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

export async function benchUpload({ quick = false, pkgDir, log = () => {} } = {}) {
  const size = (quick ? 256 : 1024) * MiB;
  const partSize = 8 * MiB;
  const concurrency = 4;
  const runs = quick ? 1 : 2;
  const require = createRequire(import.meta.url);
  const sdkDir = dirname(require.resolve('cos-js-sdk-v5/dist/cos-js-sdk-v5.min.js'));
  const sdkVersion = require('cos-js-sdk-v5/package.json').version;
  const web = await staticServer({ '/cos-wasm/': pkgDir, '/sdk/': sdkDir, '/': dirname(new URL(import.meta.url).pathname) });
  const creds = { secretId: 'AKIDbenchupload', secretKey: 'bench-upload-secret' };
  const emu = await startEmulator({ credentials: [`${creds.secretId}:${creds.secretKey}`], corsOrigins: [web.url] });
  const browser = await launchChromium();
  try {
    const page = browser.page;
    await page.goto(`${web.url}/upload-page.html`);
    log(`upload bench: making a ${size / MiB} MiB file in the page`);
    // virtual-hosted `<bucket>.localhost` (browsers resolve *.localhost to loopback): the SDK
    // refuses path-style addressing.
    const ep = { bucket: BUCKET, region: REGION, domain: '{Bucket}.localhost', port: emu.port, protocol: 'http' };
    const wasm = (n) =>
      measure(() =>
        page.evaluate(
          async ({ creds, ep, partSize, concurrency, n }) => {
            const { init, CosSigner } = await import('cos-wasm');
            const { init: initHash } = await import('cos-wasm/hash');
            const { uploadFile } = await import('cos-wasm/upload');
            await Promise.all([init(), initHash()]);
            const signer = new CosSigner(creds);
            const t0 = performance.now();
            const r = await uploadFile(window.__file, { ...ep, signer, key: `bench/wasm-${n}.bin`, partSize, concurrency, resume: false });
            return { ms: performance.now() - t0, parts: r.parts, crc64: r.crc64 };
          },
          { creds, ep, partSize, concurrency, n },
        ),
      );
    const sdk = (n) =>
      measure(() =>
        page.evaluate(
          async ({ creds, ep, partSize, concurrency, n }) => {
            // eslint-disable-next-line no-undef
            const cos = new COS({ SecretId: creds.secretId, SecretKey: creds.secretKey, Domain: `${ep.domain}:${ep.port}`, Protocol: 'http:', ChunkParallelLimit: concurrency, ChunkSize: partSize });
            const t0 = performance.now();
            const r = await new Promise((ok, fail) =>
              cos.sliceUploadFile({ Bucket: ep.bucket, Region: ep.region, Key: `bench/sdk-${n}.bin`, Body: window.__file, ChunkSize: partSize, AsyncLimit: concurrency }, (e, d) => (e ? fail(new Error(JSON.stringify(e).slice(0, 300))) : ok(d))),
            );
            return { ms: performance.now() - t0, etag: r.ETag };
          },
          { creds, ep, partSize, concurrency, n },
        ),
      );
    const results = { size, partSize, concurrency, sdkVersion, wasm: [], sdk: [] };
    // warm-up: load and compile both (a small file), so that neither run pays for it
    await makeFileInPage(page, 'warm.bin', 16 * MiB);
    await wasm('warm');
    await sdk('warm');
    await makeFileInPage(page, 'bench.bin', size);
    // alternate which goes first
    for (let n = 0; n < runs; n++) {
      for (const [name, run] of n % 2 ? [['sdk', sdk], ['wasm', wasm]] : [['wasm', wasm], ['sdk', sdk]]) {
        log(`upload bench: ${name === 'wasm' ? 'cos-wasm uploadFile' : 'cos-js-sdk-v5 sliceUploadFile'} run ${n + 1}`);
        results[name].push(await run(n));
      }
    }
    const best = (xs) => xs.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const mbps = (r) => size / 1e6 / (r.ms / 1e3);
    results.wasmMBps = mbps(best(results.wasm));
    results.sdkMBps = mbps(best(results.sdk));
    results.wasmRss = Math.max(...results.wasm.map((r) => r.rssGrowth));
    results.sdkRss = Math.max(...results.sdk.map((r) => r.rssGrowth));
    return results;
  } finally {
    await browser.close();
    await emu.stop();
    await web.close();
  }
}

/** Table rows (the run.mjs format) for the results. */
export function uploadRows(u, { fmtN, ratio, pf }) {
  const what = `${u.size / MiB} MiB, ${u.partSize / MiB} MiB parts × ${u.concurrency}`;
  return [
    [`Chromium → emulator upload MB/s (${what})`, fmtN(u.wasmMBps, 1), `cos-js-sdk-v5 ${u.sdkVersion} sliceUploadFile ${fmtN(u.sdkMBps, 1)}`, ratio(u.wasmMBps, u.sdkMBps), '≥ 1.0× SDK, with CRC-64', pf(u.wasmMBps >= u.sdkMBps)],
    ['… Chromium RSS growth during the upload', `${fmtN(u.wasmRss / MiB)} MiB`, `sliceUploadFile ${fmtN(u.sdkRss / MiB)} MiB`, ratio(u.wasmRss, u.sdkRss), '', ''],
  ];
}
