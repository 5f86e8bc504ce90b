// Runs the example stack on 127.0.0.1: the strict local COS emulator, the edge worker
// (examples/edge-worker under workerd, from its config.capnp) and the browser-upload page.
//   node scripts/demo.mjs           serve until Ctrl-C, then stop every process started
//   node scripts/demo.mjs --check   drive the page in headless Chromium through every mode,
//                                   print a report, stop everything; exit 1 on any failure
// Prefer `bash scripts/demo.sh`, which builds what this needs first. Nothing secret is
// printed: the dev credentials and tokens are random per run and stay in the processes
// (the page reads its dev tokens from config.json on the local static server).
import { randomBytes } from 'node:crypto';
import { startStack, uploadViaPage } from '../tests/js/e2e-stack.mjs';

const check = process.argv.includes('--check');
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const MiB = 1024 * 1024;

const stack = await startStack({ maxUploadBytes: 64 * MiB });
let stopping;
const shutdown = (code) => {
  stopping ??= (async () => {
    await browser?.close().catch(() => {});
    await stack.stop();
    process.exit(code);
  })();
  return stopping;
};
let browser;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => shutdown(130));
process.on('uncaughtException', (e) => (console.error(e), shutdown(1)));

if (!check) {
  console.log(`
${bold('cos-wasm demo is running')} (everything on 127.0.0.1; stop with Ctrl-C)

  page:      ${bold(stack.pageUrl)}
  worker:    ${stack.workerUrl}   (POST /upload-form, POST /presign; bearer tokens per user)
  emulator:  ${stack.emulator.url}   (bucket ${stack.env.COS_BUCKET}, data in ${stack.emulator.dataDir})

Open the page, pick a user, an encryption mode and a file (up to 64 MiB), then press
"Upload, verify and download": the worker signs a POST form, the file goes straight to the
emulator (encrypted at rest), its CRC-64 is checked, and it is read back through a pre-signed
GET. "SSE-C, key generated in this page" keeps the key wrapped in IndexedDB; the worker only
ever sees its MD5.
`);
  await new Promise(() => {}); // until a signal
}

// --check: every mode through the real page, then the refusals.
const { launchChromium } = await import('../tests/js/harness.mjs');
const report = [];
const record = (name, ok, detail) => {
  report.push(ok);
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `\n      ${detail}` : ''}`);
};
try {
  browser = await launchChromium();
  const { page } = browser;
  await page.goto(stack.pageUrl);
  await page.waitForFunction(() => window.app !== undefined, null, { timeout: 20000 });
  console.log(bold(`cos-wasm demo check: page ${stack.pageUrl}`));
  const modes = ['SSE-COS', 'SSE-COS-SM4', 'SSE-KMS', 'SSE-KMS-SM4', 'SSE-C-WORKER', 'SSE-C-WORKER-SM4', 'SSE-C-CLIENT', 'NONE'];
  const keys = {};
  for (const mode of modes) {
    const r = await uploadViaPage(page, mode, `demo-${mode.toLowerCase()}.bin`, randomBytes(2 * MiB));
    keys[mode] = r.key;
    record(`upload ${mode}`, r.ok === true && r.bytesMatch === true, r.ok ? r.steps.join('\n      ') : r.message);
  }
  const big = await page.evaluate(async () => {
    const file = new File([new Uint8Array(65 * 1024 * 1024)], 'too-big.bin');
    const r = await window.app.run({ file, mode: 'SSE-COS', overrides: { size: 1 } });
    return `${r.uploadStatus} ${r.uploadError}`;
  });
  record('a file over the limit is refused by the policy', big === '400 EntityTooLarge', big);
  const other = await page.evaluate(() => window.app.api('/presign', { method: 'GET', key: 'users/bob/x' }).then(() => 'allowed', (e) => `${e.status} ${e.code}`));
  record("another user's prefix is refused by the worker", other === '403 ERR_FORBIDDEN', other);
  const wrong = await page.evaluate(async ([key, bucket]) => {
    const k = window.app.cos.CustomerKey.generate('AES256');
    const r = await window.app.download(key, 'SSE-C-CLIENT', { bucket, customerKey: k });
    k.free();
    return `${r.status} ${r.code}`;
  }, [keys['SSE-C-CLIENT'], stack.env.COS_BUCKET]);
  record('a download with a wrong SSE-C key fails', wrong === '400 SsecDecryptHeaderInvalid', wrong);
} catch (e) {
  record('demo check', false, e.stack ?? String(e));
}
const failed = report.filter((ok) => !ok).length;
console.log(bold(failed ? `${failed} of ${report.length} checks FAILED` : `all ${report.length} checks passed`));
await shutdown(failed ? 1 : 0);
