// Browser rows: the same page script (apps/browser-main.js) built by Vite, webpack 5 and
// esbuild, each loaded in headless Chromium from a 127.0.0.1 static server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { apps, assertProbe, bin, loadCases, run, wasmFiles } from './lib.mjs';
import { launchChromium, staticServer } from '../js/harness.mjs';

let browser;
const servers = [];
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  // the browser first: its keep-alive connections hold the servers open
  await browser?.close();
  for (const s of servers) await s.close();
});

/** Serves `mounts`, opens `path`, resolves to the page's runProbe(cases) (or its error). */
async function probePage(mounts, path = '/index.html') {
  const web = await staticServer(mounts);
  servers.push(web);
  const errors = [];
  const onError = (e) => errors.push(String(e));
  browser.page.on('pageerror', onError);
  try {
    await browser.page.goto(`${web.url}${path}`);
    await browser.page.waitForFunction(() => typeof window.runProbe === 'function', null, { timeout: 15000 });
    // documented: a call before `await init()` throws ERR_NOT_INITIALIZED saying so
    assert.match(await browser.page.evaluate(() => window.callBeforeInit()), /^CosError ERR_NOT_INITIALIZED: .*await init\(\)/);
    return await browser.page.evaluate((cases) => window.runProbe(cases).catch((e) => ({ error: `${e.name} ${e.code}: ${e.message}` })), loadCases());
  } finally {
    browser.page.off('pageerror', onError);
    assert.deepEqual(errors, [], 'no uncaught page errors');
  }
}

test('Vite build: in Chromium, init() finds the .wasm; vectors, POST form, CRC-64, SSE-C key of cos-wasm/keys', async () => {
  const dir = join(apps, 'vite');
  run(bin('vite'), ['build', '--outDir', 'dist', '--emptyOutDir'], { cwd: dir });
  assertProbe(await probePage({ '/': join(dir, 'dist') }));
});

test('webpack 5: build in Chromium, init() finds the .wasm; vectors, POST form, CRC-64, SSE-C key of cos-wasm/keys', async () => {
  const dir = join(apps, 'webpack');
  run(bin('webpack'), ['--config', 'webpack.config.mjs'], { cwd: dir });
  assertProbe(await probePage({ '/dist/': join(dir, 'dist'), '/': dir }));
});

test('esbuild (browser): bundle in Chromium works with the .wasm copied beside it; init() rejects without it', async () => {
  const dir = join(apps, 'esbuild-browser');
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  run(bin('esbuild'), ['../browser-main.js', '--bundle', '--format=esm', '--outfile=dist/main.js', '--log-level=warning'], { cwd: dir });
  // Documented failure: esbuild does not copy assets referenced by `new URL(..., import.meta.url)`.
  const missing = await probePage({ '/dist/': join(dir, 'dist'), '/': dir });
  assert.match(missing.error ?? '', /^CosError ERR_WASM_FETCH: cos-wasm(\/hash|\/keys)?: fetched \S*\/cos_wasm(_hash|_keys)?_bg\.wasm .*HTTP 404/, JSON.stringify(missing));
  // The recipe: copy each entry's .wasm next to the bundle.
  for (const [name, file] of Object.entries(wasmFiles)) copyFileSync(file, join(dir, 'dist', name));
  assertProbe(await probePage({ '/dist/': join(dir, 'dist'), '/': dir }));
});
