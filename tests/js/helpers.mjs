// Test helpers: the vector files, the shared suite's verdict, and assertions on CosError.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { VECTOR_FILES, runSuite } from './suite.mjs';

export const vectorsDir = fileURLToPath(new URL('../vectors/', import.meta.url));
const sdkVectorsPath = process.env.COS_VECTORS ?? `${vectorsDir}cos-signing.json`;

/**
 * The official-SDK vector file with cos-wasm's deliberate refusals marked on their cases
 * (`refusal: { code, why }` from cos-wasm-refusals.json; the SDK file itself is never
 * edited). A copy under tests/js/.tmp, so runners that are handed a file path see the marks.
 */
export const vectorsPath = (() => {
  const data = JSON.parse(readFileSync(sdkVectorsPath, 'utf8'));
  const refusals = JSON.parse(readFileSync(`${vectorsDir}cos-wasm-refusals.json`, 'utf8')).cases;
  for (const c of data.cases) if (refusals[c.id]) c.refusal = refusals[c.id];
  const dir = fileURLToPath(new URL('./.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}cos-signing.marked.json`;
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(data));
  renameSync(`${file}.${process.pid}`, file);
  return file;
})();

/** Every vector file the shared suite reads, keyed as in VECTOR_FILES (`$COS_VECTORS` replaces cos-signing.json). */
export function loadVectors() {
  const data = {};
  for (const [name, file] of Object.entries(VECTOR_FILES)) {
    data[name] = JSON.parse(readFileSync(name === 'signing' ? vectorsPath : vectorsDir + file, 'utf8'));
  }
  return data;
}

/** The official-SDK signing cases. */
export function loadCases() {
  return loadVectors().signing.cases;
}

/**
 * The checks the shared suite makes for `data`, without doing them: given an API whose every
 * member throws, each check fails at once but is still listed.
 */
export async function plannedChecks(data = loadVectors()) {
  const unavailable = new Proxy({}, { get: () => () => { throw new Error('planning only'); } });
  return (await runSuite(unavailable, data)).map((r) => `${r.suite}: ${r.id}`);
}

/** Asserts that a runtime's run of the shared suite made every planned check and passed them all. */
export async function assertSuitePassed(results, data = loadVectors()) {
  assert.deepEqual(results.filter((r) => !r.ok), []);
  assert.deepEqual(results.map((r) => `${r.suite}: ${r.id}`), await plannedChecks(data));
}

/** Asserts that `fn` throws a CosError with `code`, and that its message omits `secrets`. */
export function assertCosError(fn, code, secrets = []) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown instanceof Error, `expected a thrown Error with ${code}`);
  assert.equal(thrown.name, 'CosError');
  assert.equal(thrown.code, code, thrown.message);
  for (const s of secrets) assert.ok(!String(thrown.message).includes(s), 'error message leaks a secret');
  return thrown;
}
