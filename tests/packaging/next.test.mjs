// Next.js rows: app-router route handlers on the edge and Node runtimes, built once with
// `next build` (Turbopack, the default) and served by `next start`; and the Node-runtime
// route built with `next build --webpack` (apps/next-webpack re-exports it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { apps, assertProbe, bin, freePort, loadCases, run, serve } from './lib.mjs';

const servers = {};

async function buildAndStart(app, buildArgs) {
  const dir = join(apps, app);
  rmSync(join(dir, '.next'), { recursive: true, force: true });
  run(bin('next'), ['build', ...buildArgs], { cwd: dir });
  const port = await freePort();
  servers[app] = await serve(bin('next'), ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, url: `http://127.0.0.1:${port}/` });
}

before(async () => {
  await buildAndStart('next', []);
  await buildAndStart('next-webpack', ['--webpack']);
});
after(async () => {
  for (const s of Object.values(servers)) await s.stop();
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
