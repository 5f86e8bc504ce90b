// Next.js rows: app-router route handlers on the edge and Node runtimes, built once with
// `next build` (Turbopack, the default) and served by `next start`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { apps, assertProbe, bin, freePort, loadCases, run, serve } from './lib.mjs';

let server;
before(async () => {
  const dir = join(apps, 'next');
  rmSync(join(dir, '.next'), { recursive: true, force: true });
  run(bin('next'), ['build'], { cwd: dir });
  const port = await freePort();
  server = await serve(bin('next'), ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, url: `http://127.0.0.1:${port}/` });
});
after(async () => {
  await server?.stop();
});

async function probeRoute(runtime) {
  const cases = loadCases();
  const res = await fetch(`${server.url}api/${runtime}`, { method: 'POST', body: JSON.stringify({ cases }), headers: { 'Content-Type': 'application/json' } });
  const text = await res.text();
  assert.equal(res.status, 200, `${runtime}: ${text}\n${server.output}`);
  const result = JSON.parse(text);
  assert.equal(result.runtime, runtime);
  assertProbe(result, cases);
}

test('Next.js edge runtime: route handler (next build + next start); vectors, POST form, CRC-64', () => probeRoute('edge'));

test('Next.js Node runtime: route handler (next build + next start); vectors, POST form, CRC-64', () => probeRoute('node'));
