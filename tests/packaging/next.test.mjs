// Next.js rows: app-router route handlers on the edge and Node runtimes, built once with
// `next build` (Turbopack, the default, `output: 'standalone'`) and served by `next start`,
// then from the standalone folder copied out of the repository and run with `node server.js`,
// as a Docker image holds it; the edge bundle holds each .wasm once; and the Node-runtime
// route built with `next build --webpack` (apps/next-webpack re-exports it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apps, assertProbe, bin, freePort, loadCases, run, serve, wasmFiles } from './lib.mjs';

const servers = {};

async function buildAndStart(app, buildArgs) {
  const dir = join(apps, app);
  rmSync(join(dir, '.next'), { recursive: true, force: true });
  run(bin('next'), ['build', ...buildArgs], { cwd: dir });
  const port = await freePort();
  servers[app] = await serve(bin('next'), ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, url: `http://127.0.0.1:${port}/` });
}

let standalone;
before(async () => {
  await buildAndStart('next', []);
  await buildAndStart('next-webpack', ['--webpack']);
  // The standalone output copied elsewhere (the tracing root is the repository: the app's
  // server.js sits at the app's path inside it), run with node server.js.
  standalone = mkdtempSync(join(tmpdir(), 'cos-wasm-next-standalone-'));
  cpSync(join(apps, 'next', '.next', 'standalone'), standalone, { recursive: true });
  const port = await freePort();
  servers.standalone = await serve(process.execPath, ['server.js'], {
    cwd: join(standalone, 'tests', 'packaging', 'apps', 'next'),
    env: { PORT: String(port), HOSTNAME: '127.0.0.1' },
    url: `http://127.0.0.1:${port}/`,
  });
});
after(async () => {
  for (const s of Object.values(servers)) await s.stop();
  if (standalone) rmSync(standalone, { recursive: true, force: true });
});

async function probeRoute(app, runtime) {
  const server = servers[app];
  const cases = loadCases();
  const res = await fetch(`${server.url}api/${runtime}`, { method: 'POST', body: JSON.stringify({ cases }), headers: { 'Content-Type': 'application/json' } });
  const text = await res.text();
  assert.equal(res.status, 200, `${runtime}: ${text}\n${server.output}`);
  const result = JSON.parse(text);
  assert.equal(result.runtime, runtime);
  assertProbe(result, cases);
}

test('Next.js edge runtime: route handler (next build + next start); vectors, POST form, CRC-64', () => probeRoute('next', 'edge'));

test('Next.js Node runtime: route handler (next build + next start); vectors, POST form, CRC-64', () => probeRoute('next', 'node'));

test('Next.js Node runtime (--webpack): route handler (next build --webpack + next start); vectors, POST form, CRC-64', () =>
  probeRoute('next-webpack', 'node'));

test('Next.js standalone: output standalone copied out of the repository, node server.js; Node and edge routes; vectors, POST form, CRC-64', async () => {
  await probeRoute('standalone', 'node');
  await probeRoute('standalone', 'edge');
});

test('Next.js edge runtime: the edge bundle holds each .wasm once', () => {
  const digest = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const want = new Map(Object.entries(wasmFiles).map(([name, file]) => [digest(file), name]));
  const edge = join(apps, 'next', '.next', 'server', 'edge');
  const found = readdirSync(edge, { recursive: true }).filter((f) => f.endsWith('.wasm')).map((f) => want.get(digest(join(edge, f))) ?? f);
  // the route imports the signer, cos-wasm/hash and cos-wasm/upload (which uses hash's)
  assert.deepEqual(found.sort(), ['cos_wasm_bg.wasm', 'cos_wasm_hash_bg.wasm']);
});
