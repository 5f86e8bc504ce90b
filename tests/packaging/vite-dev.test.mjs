// Vite as users spend their day in it (issue 24): the dev servers of Vite 6, 7 and 8 serving a
// plain app (apps/vite-plain: no vite.config), loaded in headless Chromium; and a Vite 6
// production build with its default target. Nothing cos-wasm specific is configured: before
// Vite 8 the dev server pre-bundles the package into node_modules/.vite/deps/, away from its
// .wasm files, and answers their URLs with index.html; init() then asks the dev server where
// the file is (pkg-template/load.js). Each row checks the signing vectors, a POST form, a
// CRC-64 and a multipart upload (assertProbe), not just that the page loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apps, assertProbe, freePort, here, loadCases, run, serve } from './lib.mjs';
import { launchChromium, staticServer } from '../js/harness.mjs';

const dir = join(apps, 'vite-plain');
const vite = { 6: join(here, 'node_modules', 'vite6', 'bin', 'vite.js'), 7: join(here, 'node_modules', 'vite7', 'bin', 'vite.js'), 8: join(here, 'node_modules', 'vite', 'bin', 'vite.js') };

let browser;
before(async () => {
  // the shared probe and the signing suite, beside the app (see apps/vite-plain/main.js)
  mkdirSync(join(dir, 'gen'), { recursive: true });
  cpSync(join(here, '..', 'js', 'suite.mjs'), join(dir, 'gen', 'suite.mjs'));
  writeFileSync(join(dir, 'gen', 'probe.mjs'), readFileSync(join(apps, 'probe.mjs'), 'utf8').replace("'../../js/suite.mjs'", "'./suite.mjs'"));
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(join(dir, 'gen'), { recursive: true, force: true });
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
});

/** Opens `url`; resolves to the page's runProbe(cases) (or its error), after the before-init check. */
async function probeUrl(url) {
  const errors = [];
  const onError = (e) => errors.push(String(e));
  browser.page.on('pageerror', onError);
  try {
    await browser.page.goto(url);
    await browser.page.waitForFunction(() => typeof window.runProbe === 'function', null, { timeout: 30000 });
    assert.match(await browser.page.evaluate(() => window.callBeforeInit()), /^CosError ERR_NOT_INITIALIZED: cos-wasm is not initialised yet: `await init\(\)` of 'cos-wasm'/);
    return await browser.page.evaluate((cases) => window.runProbe(cases).catch((e) => ({ error: `${e.name} ${e.code}: ${e.message}` })), loadCases());
  } finally {
    browser.page.off('pageerror', onError);
    assert.deepEqual(errors, [], 'no uncaught page errors');
  }
}

test('Vite dev server (6, 7, 8): a plain app without config in Chromium, each major; vectors, POST form, CRC-64, upload', async () => {
  for (const major of [6, 7, 8]) {
    // a fresh dependency cache, as on a first `npm run dev`
    // (Vite keeps it in the node_modules of the app's package root: tests/packaging)
    rmSync(join(here, 'node_modules', '.vite'), { recursive: true, force: true });
    const port = await freePort();
    const server = await serve(process.execPath, [vite[major], '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--clearScreen', 'false'], { cwd: dir, url: `http://127.0.0.1:${port}/`, env: { BROWSER: 'none' } });
    try {
      const result = await probeUrl(`http://127.0.0.1:${port}/`);
      assertProbe(result);
      assert.doesNotMatch(server.output, /error/i, `Vite ${major}: ${server.output}`);
    } finally {
      await server.stop();
    }
  }
});

test('Vite 6 build (default target): builds (no top-level await needed) and runs in Chromium; vectors, POST form, CRC-64, upload', async () => {
  const out = run(process.execPath, [vite[6], 'build', '--outDir', 'dist', '--emptyOutDir', '--logLevel', 'warn'], { cwd: dir });
  assert.doesNotMatch(out, /top-level await/i);
  const web = await staticServer({ '/': join(dir, 'dist') });
  try {
    assertProbe(await probeUrl(`${web.url}/index.html`));
  } finally {
    await web.close();
  }
});
