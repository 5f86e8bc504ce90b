// The repository stands alone: no tracked file may point outside it at the reference shelf
// the project was started from (its vectors and notes live in tests/vectors/ and docs/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const needle = ['..', 'shared'].join('/'); // spelled in two parts so this file does not match itself

test('no tracked file refers to a path outside the repository', () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  assert.ok(files.length > 50, 'git ls-files found the tracked files');
  const offenders = files.filter((f) => {
    let text;
    try {
      text = readFileSync(root + f, 'utf8');
    } catch {
      return false; // removed in the working tree
    }
    return text.includes(needle) || text.includes('/work/' + 'shared');
  });
  assert.deepEqual(offenders, []);
});
