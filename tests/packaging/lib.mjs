// Shared by the packaging matrix tests: paths, running the real tools, and the one
// assertion every row makes on the probe results (apps/probe.mjs).
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCases, vectorsPath } from '../js/helpers.mjs';

export const here = fileURLToPath(new URL('.', import.meta.url));
export const root = join(here, '..', '..');
export const apps = join(here, 'apps');
export const bin = (name) => join(here, 'node_modules', '.bin', name);
/** The packed package as installed here (scripts/pack.sh). */
export const installed = join(here, 'node_modules', 'cos-wasm');
export const wasmFile = join(installed, 'cos_wasm_bg.wasm');
/** The .wasm of each entry the apps import, by file name: the signer's, cos-wasm/hash's, cos-wasm/keys'. */
export const wasmFiles = { 'cos_wasm_bg.wasm': wasmFile, 'cos_wasm_hash_bg.wasm': join(installed, 'hash', 'cos_wasm_hash_bg.wasm'), 'cos_wasm_keys_bg.wasm': join(installed, 'keys', 'cos_wasm_keys_bg.wasm') };
export { loadCases, vectorsPath };

/** Runs `cmd args` to completion (output shown on failure); returns stdout. */
export function run(cmd, args, { cwd = here, env = {}, timeout = 600_000 } = {}) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      timeout,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', WRANGLER_SEND_METRICS: 'false', ...env },
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${e.status ?? e.signal}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Runs `cmd args` expecting failure; resolves to { status, stdout, stderr }. */
export function runFailing(cmd, args, opts = {}) {
  try {
    const stdout = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    return { status: e.status, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function freePort() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

/**
 * Starts a long-running tool (its own process group, so its children stop with it) and
 * waits until `url` answers. Resolves to { url, output, stop }.
 */
export async function serve(cmd, args, { cwd, env = {}, url, timeout = 120_000 }) {
  const proc = spawn(cmd, args, {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', WRANGLER_SEND_METRICS: 'false', ...env },
  });
  let output = '';
  proc.stdout.on('data', (d) => (output += d));
  proc.stderr.on('data', (d) => (output += d));
  const exited = new Promise((ok) => proc.once('exit', ok));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(-proc.pid, 'SIGTERM');
      } catch {}
      const t = setTimeout(() => {
        try {
          process.kill(-proc.pid, 'SIGKILL');
        } catch {}
      }, 5000);
      await exited;
      clearTimeout(t);
    }
  };
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${cmd} exited (${proc.exitCode}):\n${output}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() - started > timeout) {
        await stop();
        throw new Error(`${cmd} did not answer at ${url} within ${timeout} ms:\n${output}`);
      }
      await new Promise((ok) => setTimeout(ok, 200));
    }
  }
  return { url, get output() { return output; }, stop };
}

/** The assertion every row makes: every vector case, a POST form, and a CRC-64. */
export function assertProbe(result, cases = loadCases()) {
  assert.equal(result.count, cases.length, 'every vector case ran');
  assert.deepEqual(result.failed, [], 'known signatures (tests/vectors/cos-signing.json)');
  assert.equal(result.formUrl, 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/');
  assert.deepEqual(result.formNames.slice(0, 1), ['key']);
  assert.equal(result.formNames.at(-1), 'file', 'the file goes last in a POST form');
  assert.ok(result.formNames.includes('q-signature') && result.formNames.includes('policy'));
  assert.equal(result.crc64, '11051210869376104954', 'CRC-64/ECMA of "123456789"');
  const { upload } = result;
  assert.deepEqual(upload.requests, ['POST uploads', 'PUT part', 'PUT part', 'PUT part', 'POST uploadId'], 'cos-wasm/upload: initiate, 3 parts, complete');
  assert.equal(upload.parts, 3);
  assert.equal(upload.crc64, upload.expected, 'cos-wasm/upload: the combined CRC-64 is the file\'s');
  if ('sseC' in result) assert.equal(result.sseC, true, 'a cos-wasm/keys CustomerKey signs through the signer entry');
}

