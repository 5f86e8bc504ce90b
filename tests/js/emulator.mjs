// Starts the local COS emulator binary (cargo build --release -p cos-emulator) on
// 127.0.0.1 with a fresh data directory; stop() ends it and removes the directory.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function emulatorBin() {
  const bin = process.env.COS_EMULATOR_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'release', 'cos-emulator');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run cargo build --release -p cos-emulator`);
  return bin;
}

/** Resolves to { url, port, dataDir, stop }. `credentials` are `ID:KEY[:TOKEN]` strings. */
export async function startEmulator({ credentials = [], corsOrigins = [], args = [] } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'cos-emulator-'));
  const argv = ['--port', '0', '--data-dir', dataDir, '--exit-on-stdin-close', '--quiet', ...args];
  for (const c of credentials) argv.push('--credentials', c);
  for (const o of corsOrigins) argv.push('--cors-origin', o);
  const proc = spawn(emulatorBin(), argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`cos-emulator exited (${code}): ${stderr}`)));
  });
  return {
    url,
    port: Number(new URL(url).port),
    dataDir,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.stdin.end();
        proc.kill('SIGTERM');
        await new Promise((ok) => proc.once('exit', ok));
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
