// Runs a worker under workerd on 127.0.0.1, with cos-wasm resolved through its package.json
// `exports["."].workerd` condition, as a bundler targeting workerd would resolve it.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

async function freePort() {
  const srv = createServer();
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address();
  await new Promise((ok) => srv.close(ok));
  return port;
}

/**
 * Writes a workerd config in a fresh temp directory: `workerFile` as the main module, the
 * cos-wasm package in `pkgDir` (default: the one installed in tests/js; none if `withCosWasm`
 * is false), `extraModules`
 * ({ name: absPath }) and text `bindings`, on a free 127.0.0.1 port. With `localNetwork`, the
 * worker's fetch may reach loopback servers (workerd allows only public addresses by default).
 * Resolves to { dir, configFile, port }.
 */
export async function writeWorkerdConfig(workerFile, { extraModules = {}, bindings = {}, withCosWasm = true, pkgDir = join(here, 'node_modules', 'cos-wasm'), localNetwork = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cos-wasm-workerd-'));
  const modules = [['worker.js', workerFile, 'esModule']];
  if (withCosWasm) {
    // Every ES module and .wasm of the package under its path (`cos-wasm-pkg/keys/web.js`,
    // so relative imports between them resolve as on disk), and each entry's name
    // (`cos-wasm`, `cos-wasm/keys`, …) as a module re-exporting its `workerd` condition.
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const files = manifest.files.filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
    for (const f of files) modules.push([`cos-wasm-pkg/${f}`, join(pkgDir, f), f.endsWith('.wasm') ? 'wasm' : 'esModule']);
    for (const [sub, conditions] of Object.entries(manifest.exports)) {
      if (!conditions.workerd) continue;
      const shim = join(dir, `entry-${modules.length}.mjs`);
      writeFileSync(shim, `export * from '/cos-wasm-pkg/${conditions.workerd.default.slice(2)}';\n`);
      modules.push([`cos-wasm${sub.slice(1)}`, shim, 'esModule']);
    }
  }
  // The worker's own relative imports (examples/edge-worker/worker.js imports ./multipart.js).
  // Names given in `extraModules` win (a test may map './x.js' to another file).
  const local = [...readFileSync(workerFile, 'utf8').matchAll(/^import [^;]* from '\.\/([\w.-]+\.js)';$/gm)]
    .filter((m) => !(m[1] in extraModules))
    .map((m) => [m[1], join(dirname(workerFile), m[1])]);
  for (const [name, path] of [...local, ...Object.entries(extraModules)]) modules.push([name, path, 'esModule']);
  const lines = modules.map(([name, path, kind], i) => {
    const local = `m${i}${path.endsWith('.wasm') ? '.wasm' : '.js'}`;
    copyFileSync(path, join(dir, local));
    return `(name = "${name}", ${kind} = embed "${local}")`;
  });
  const bindingLines = Object.entries(bindings).map(([k, v]) => `(name = "${k}", text = ${JSON.stringify(String(v))})`);
  const port = await freePort();
  const configFile = join(dir, 'config.capnp');
  writeFileSync(configFile, `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${localNetwork ? ', (name = "internet", network = (allow = ["public", "private", "local"]))' : ''} ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ ${lines.join(',\n    ')} ],
  bindings = [ ${bindingLines.join(', ')} ],
  compatibilityDate = "2024-09-23",
);
`);
  return { dir, configFile, port };
}

/**
 * Starts workerd with `workerFile` as the main module, the installed cos-wasm package, and
 * `extraModules` ({ name: absPath }), text `bindings` and `localNetwork` (see
 * writeWorkerdConfig). Resolves to { url, stop }.
 */
export async function startWorkerd(workerFile, extraModules = {}, bindings = {}, { localNetwork = false } = {}) {
  const { dir, configFile, port } = await writeWorkerdConfig(workerFile, { extraModules, bindings, localNetwork });
  const w = await serveWorkerd(configFile, { port });
  return {
    url: w.url,
    stop: async () => {
      await w.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `workerd serve configFile` with its `http` socket on 127.0.0.1:`port` (a free one by
 * default) and `env` added to the environment (for `fromEnvironment` bindings). Resolves to
 * { url, stop } once the socket answers.
 */
export async function serveWorkerd(configFile, { port, env = {} } = {}) {
  port ??= await freePort();
  const bin = join(root, 'node_modules', '.bin', 'workerd');
  const proc = spawn(bin, ['serve', configFile, '--socket-addr', `http=127.0.0.1:${port}`], {
    stdio: ['ignore', 'inherit', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await new Promise((ok) => proc.once('exit', ok));
    }
  };
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`workerd exited: ${stderr}`);
    try {
      await fetch(url, { method: 'HEAD' });
      break;
    } catch {
      if (i > 200) {
        await stop();
        throw new Error(`workerd did not start: ${stderr}`);
      }
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  return { url, stop };
}
