// Test helpers: the vector file, and assertions on CosError.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

export const vectorsPath =
  process.env.COS_VECTORS ?? fileURLToPath(new URL('../vectors/cos-signing.json', import.meta.url));

export function loadCases() {
  return JSON.parse(readFileSync(vectorsPath, 'utf8')).cases;
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
