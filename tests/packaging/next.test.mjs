// Next.js rows: app-router route handlers on the edge and Node runtimes, `next build`
// (Turbopack, the default) then `next start`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { apps, assertProbe, bin, freePort, loadCases, run, serve } from './lib.mjs';

test('Next.js route handlers (edge and nodejs runtimes): next build + next start', async () => {
  const dir = join(apps, 'next');
  rmSync(join(dir, '.next'), { recursive: true, force: true });
  run(bin('next'), ['build'], { cwd: dir });
  const port = await freePort();
  const server = await serve(bin('next'), ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, url: `http://127.0.0.1:${port}/` });
  try {
    const cases = loadCases();
    for (const runtime of ['edge', 'node']) {
      const res = await fetch(`${server.url}api/${runtime}`, { method: 'POST', body: JSON.stringify({ cases }), headers: { 'Content-Type': 'application/json' } });
      const text = await res.text();
      assert.equal(res.status, 200, `${runtime}: ${text}\n${server.output}`);
      const result = JSON.parse(text);
      assert.equal(result.runtime, runtime);
      assertProbe(result, cases);
    }
  } finally {
    await server.stop();
  }
});
