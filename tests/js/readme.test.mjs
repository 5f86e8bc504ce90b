// Every README snippet marked `<!-- readme-test: node|worker -->` runs against the packed
// package, so the docs cannot rot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startEmulator } from './emulator.mjs';
import { startStack } from './e2e-stack.mjs';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
// An `exact` snippet is followed by a ```text block: its output, checked line for line.
const snippets = [...readme.matchAll(/<!-- readme-test: (\w+) -->\s*```js\n([\s\S]*?)```(?:\s*```text\n([\s\S]*?)```)?/g)].map((m) => ({ kind: m[1], code: m[2], expected: m[3] }));

test('README has runnable snippets', () => {
  assert.ok(snippets.length >= 3);
  // Strict buckets and size-bound PUT URLs; Downloads through a CDN (issue 27)
  assert.ok(snippets.filter((s) => s.kind === 'exact').length >= 2);
});

snippets.forEach(({ kind, code, expected }, i) => {
  test(`README snippet ${i + 1} (${kind})`, async () => {
    const file = fileURLToPath(new URL(`./.readme-snippet-${i}.mjs`, import.meta.url));
    writeFileSync(file, code);
    try {
      if (kind === 'exact') {
        assert.ok(expected, 'an exact snippet is followed by a ```text block with its output');
        const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
        assert.equal(out, expected);
      } else if (kind === 'node') {
        const out = execFileSync(process.execPath, [file], { encoding: 'utf8' });
        assert.ok(out.trim().length > 0);
        assert.ok(!/false/.test(out), out);
      } else if (kind === 'sts') {
        // The snippet runs against the local emulator's STS (cos-emulator/README.md, "STS").
        const emu = await startEmulator({ credentials: ['AKIDreadme:readme-secret'] });
        try {
          const env = { ...process.env, TENCENTCLOUD_SECRET_ID: 'AKIDreadme', TENCENTCLOUD_SECRET_KEY: 'readme-secret', STS_ENDPOINT: `${emu.url}/` };
          const out = await new Promise((ok, fail) => execFile(process.execPath, [file], { encoding: 'utf8', env }, (e, stdout) => (e ? fail(e) : ok(stdout))));
          assert.equal(out.trim().split('\n').length, 2, out);
          assert.ok(!/false/.test(out), out);
        } finally {
          await emu.stop();
        }
      } else if (kind === 'upload') {
        // cos-wasm/upload snippets, against the example stack (emulator + edge worker in
        // workerd). They use what a page would have: `file` (a File), `workerUrl` and `token`
        // (the worker, a user's bearer token), `cos` (the bucket's endpoint options, here the
        // emulator's) and `getTemporaryCredentials()` (keys the emulator accepts with a token).
        const tmp = ['AKIDreadmetmp', 'readme-tmp-secret', 'readme-session-token'];
        const stack = await startStack({ maxUploadBytes: 32 * 1024 * 1024, emulatorArgs: ['--credentials', tmp.join(':')] });
        try {
          const port = Number(stack.env.COS_DOMAIN.split(':')[1]);
          const prelude = [
            `const file = new File([new Uint8Array(3 * 8 * 1024 * 1024 + 5).map((_, i) => (i * 31) & 255)], 'readme.bin');`,
            `const workerUrl = ${JSON.stringify(stack.workerUrl)}, token = ${JSON.stringify(stack.users.alice)};`,
            `const cos = ${JSON.stringify({ bucket: stack.env.COS_BUCKET, region: stack.env.COS_REGION, domain: '127.0.0.1', port, protocol: 'http', pathStyle: true, allowInsecureLocal: true })};`,
            `const getTemporaryCredentials = async () => (${JSON.stringify({ tmpSecretId: tmp[0], tmpSecretKey: tmp[1], sessionToken: tmp[2], prefix: 'users/alice/' })});`,
          ].join('\n');
          writeFileSync(file, `${prelude}\n${code}`);
          const out = await new Promise((ok, fail) => execFile(process.execPath, [file], { encoding: 'utf8' }, (e, stdout, stderr) => (e ? fail(new Error(stderr)) : ok(stdout))));
          const last = out.trim().split('\n').at(-1);
          assert.match(last, /^4 \d+( true)?$/, out);
        } finally {
          await stack.stop();
        }
      } else if (kind === 'worker') {
        const worker = (await import(pathToFileURL(file).href)).default;
        const env = { COS_SECRET_ID: 'AKIDexample', COS_SECRET_KEY: 'secret', COS_BUCKET: 'examplebucket-1250000000', COS_REGION: 'ap-guangzhou' };
        const res = await worker.fetch(new Request('https://edge.example/?key=a.txt'), env);
        const body = await res.text();
        assert.match(JSON.parse(body).url, /^https:\/\/examplebucket-1250000000\.cos\.ap-guangzhou\.myqcloud\.com\/a\.txt\?q-sign-algorithm=sha1/);
        assert.ok(!body.includes(env.COS_SECRET_KEY + '&'), 'the secret key must not appear in the response');
      }
    } finally {
      rmSync(file, { force: true });
    }
  });
});
