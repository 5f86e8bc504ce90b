// Cloudflare Workers rows: `wrangler deploy --dry-run --outdir` bundles run in Miniflare
// (wrangler's own workerd), and `wrangler dev` of examples/edge-worker against the local
// COS emulator. The example is installed the way its README says (`npm install`, which
// takes cos-wasm from target/npm/cos-wasm.tgz), so these rows also prove it stands alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { apps, assertProbe, freePort, here, loadCases, root, run, serve } from './lib.mjs';
import { startEmulator } from '../js/emulator.mjs';

const example = join(root, 'examples', 'edge-worker');
const { Miniflare } = createRequire(join(here, 'package.json'))('miniflare');
// the signer entry and cos-wasm/hash, as a Node-side client of the worker would import them
const cos = { ...(await import('cos-wasm')), ...(await import('cos-wasm/hash')) };

/** Runs a `wrangler deploy --dry-run --outdir` bundle in Miniflare; resolves to the instance. */
async function miniflare(outdir, bindings = {}) {
  const main = readdirSync(outdir).find((f) => f.endsWith('.js'));
  assert.ok(main, `no .js in ${outdir}`);
  const mf = new Miniflare({
    modules: true,
    modulesRoot: outdir,
    scriptPath: join(outdir, main),
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2024-09-23',
    bindings,
  });
  await mf.ready;
  return mf;
}

function dryRun(cwd, outdir) {
  rmSync(outdir, { recursive: true, force: true });
  run(join(cwd, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', outdir], { cwd });
  const files = readdirSync(outdir);
  assert.ok(files.some((f) => f.endsWith('.wasm')), `the bundle ships the .wasm: ${files}`);
  const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(outdir, f), 'utf8')).join('\n');
  assert.match(js, /initSync/, 'the bundle keeps the workerd loader (initSync)');
  return outdir;
}

before(() => {
  // The example's own install, as its README says: cos-wasm from the packed tarball,
  // wrangler and workerd as dev dependencies (npm's cache is warm from tests/packaging).
  assert.ok(existsSync(join(root, 'target', 'npm', 'cos-wasm.tgz')), 'run scripts/pack.sh first');
  // The tarball's content changes with every build while its name does not: drop the copy
  // (and the lock naming its hash) a previous run installed, so npm takes the new one.
  rmSync(join(example, 'node_modules', 'cos-wasm'), { recursive: true, force: true });
  rmSync(join(example, 'package-lock.json'), { force: true });
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: example });
});

after(() => {
  rmSync(join(example, 'dist'), { recursive: true, force: true });
  rmSync(join(example, '.dev.vars'), { force: true });
});

test('wrangler deploy: --dry-run --outdir bundle run in Miniflare (workerd): vectors, POST form, CRC-64', async () => {
  const dir = join(apps, 'wrangler-probe');
  // the probe app resolves wrangler and cos-wasm from tests/packaging/node_modules
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  run(join(here, 'node_modules', '.bin', 'wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir });
  assert.match(readFileSync(join(dir, 'dist', 'worker.js'), 'utf8'), /initSync/);
  const mf = await miniflare(join(dir, 'dist'));
  try {
    const cases = loadCases();
    const res = await mf.dispatchFetch('http://worker/', { method: 'POST', body: JSON.stringify({ cases }) });
    assert.equal(res.status, 200, await res.clone().text());
    assertProbe(await res.json(), cases);
  } finally {
    await mf.dispose();
  }
});

/** Recomputes the signatures the worker returned with the Node build (same key time). */
function assertSignedByNode(env, form, presigned) {
  const signer = new cos.CosSigner({ secretId: env.COS_SECRET_ID, secretKey: env.COS_SECRET_KEY });
  try {
    const policy = JSON.parse(Buffer.from(form.fields.policy, 'base64').toString('utf8'));
    const again = signer.signPostPolicy({ policy, keyTime: form.fields['q-key-time'] });
    assert.equal(form.fields['q-signature'], again['q-signature'], 'the POST form signature');
    const url = new URL(presigned.url);
    const again2 = new URL(signer.presignUrl({
      method: 'GET',
      key: presigned.key,
      bucket: env.COS_BUCKET,
      region: env.COS_REGION,
      keyTime: url.searchParams.get('q-key-time'),
    }));
    assert.equal(url.searchParams.get('q-signature'), again2.searchParams.get('q-signature'), 'the pre-signed URL signature');
  } finally {
    signer.free();
  }
}

async function ask(fetchFn, path, token, body) {
  const res = await fetchFn(`http://worker${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

test('wrangler deploy: examples/edge-worker bundled with --dry-run, in Miniflare, answers /upload-form and /presign', async () => {
  const outdir = dryRun(example, join(example, 'dist'));
  const env = {
    COS_SECRET_ID: 'AKIDexample',
    COS_SECRET_KEY: randomBytes(16).toString('hex'),
    COS_BUCKET: 'examplebucket-1250000000',
    COS_REGION: 'ap-guangzhou',
    USER_TOKENS: JSON.stringify({ 'token-alice': 'alice' }),
    SSE_C_MASTER: randomBytes(32).toString('base64'),
    MAX_UPLOAD_BYTES: '1048576',
  };
  const mf = await miniflare(outdir, env);
  try {
    const f = (u, init) => mf.dispatchFetch(u, init);
    assert.deepEqual(await (await f('http://worker/health')).json(), { ok: true });
    const form = await ask(f, '/upload-form', 'token-alice', { filename: 'a.txt', size: 5, sse: 'SSE-C-WORKER' });
    assert.equal(form.key, 'users/alice/a.txt');
    assert.equal(form.url, 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/');
    assert.ok(form.fields['x-cos-server-side-encryption-customer-key-MD5']);
    const get = await ask(f, '/presign', 'token-alice', { method: 'GET', key: 'users/alice/a.txt' });
    assertSignedByNode(env, form, get);
  } finally {
    await mf.dispose();
  }
});

test('wrangler dev: examples/edge-worker against the local emulator: POST form upload, CRC-64, read back', async () => {
  const secretId = `AKID${randomBytes(8).toString('hex')}`;
  const secretKey = randomBytes(16).toString('hex');
  const emulator = await startEmulator({ credentials: [`${secretId}:${secretKey}`] });
  const port = await freePort();
  let dev;
  const wranglerDev = () =>
    serve(join(example, 'node_modules', '.bin', 'wrangler'), ['dev', '--ip', '127.0.0.1', '--port', String(port), '--show-interactive-dev-session=false'], {
      cwd: example,
      url: `http://127.0.0.1:${port}/health`,
      env: { CI: 'true' },
    });
  try {
    // documented: without .dev.vars the worker has no secrets (no USER_TOKENS: every caller is refused)
    rmSync(join(example, '.dev.vars'), { force: true });
    dev = await wranglerDev();
    const refused = await fetch(`http://127.0.0.1:${port}/upload-form`, {
      method: 'POST',
      headers: { Authorization: 'Bearer dev-token-alice', 'Content-Type': 'application/json' },
      body: '{"filename":"a.txt"}',
    });
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, 'ERR_UNAUTHORIZED');
    await dev.stop();
    // .dev.vars as the README says (.dev.vars.example filled in for this emulator)
    const vars = readFileSync(join(example, '.dev.vars.example'), 'utf8')
      .replace(/^COS_SECRET_ID=.*$/m, `COS_SECRET_ID=${secretId}`)
      .replace(/^COS_SECRET_KEY=.*$/m, `COS_SECRET_KEY=${secretKey}`)
      .replace(/^SSE_C_MASTER=.*$/m, `SSE_C_MASTER=${randomBytes(32).toString('base64')}`)
      .replace(/^COS_DOMAIN=.*$/m, `COS_DOMAIN=127.0.0.1:${emulator.port}`);
    writeFileSync(join(example, '.dev.vars'), vars);
    dev = await wranglerDev();
    const f = (u, init) => fetch(u.replace('http://worker', dev.url.replace('/health', '')), init);
    const body = randomBytes(3000);
    const { crc64 } = await cos.hashInput(body);
    const form = await ask(f, '/upload-form', 'dev-token-alice', { filename: 'b.bin', size: body.length, sse: 'SSE-C-WORKER', contentType: 'application/octet-stream' });
    const up = await fetch(form.url, { method: 'POST', body: cos.postFormData(form, new Blob([body]), 'b.bin') });
    assert.equal(up.status, 201, await up.clone().text());
    cos.verifyResponseCrc64(up, crc64);
    const get = await ask(f, '/presign', 'dev-token-alice', { method: 'GET', key: form.key, sse: 'SSE-C-WORKER' });
    const back = await fetch(get.url, { headers: get.headers });
    assert.equal(back.status, 200);
    assert.ok(Buffer.from(await back.arrayBuffer()).equals(body), 'read back the same bytes');
  } finally {
    await dev?.stop();
    await emulator.stop();
    rmSync(join(example, '.dev.vars'), { force: true });
  }
});
