// The shipped JS is minified; each module carries a source map (issue 24), so a stack trace
// under `node --enable-source-maps` (or a browser's devtools) points at readable lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = new URL('./node_modules/cos-wasm/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', pkg), 'utf8'));

test('every shipped .js/.cjs names its packed source map, which holds the unminified source', () => {
  const js = manifest.files.filter((f) => /\.c?js$/.test(f));
  assert.ok(js.length > 30, String(js.length));
  for (const f of js) {
    const name = f.split('/').pop();
    assert.ok(readFileSync(new URL(f, pkg), 'utf8').trimEnd().endsWith(`//# sourceMappingURL=${name}.map`), f);
    assert.ok(manifest.files.includes(`${f}.map`) && existsSync(new URL(`${f}.map`, pkg)), `${f}.map packed`);
    const map = JSON.parse(readFileSync(new URL(`${f}.map`, pkg), 'utf8'));
    assert.equal(map.version, 3);
    assert.equal(map.sourcesContent.length, 1);
    const shipped = readFileSync(new URL(f, pkg), 'utf8');
    if (shipped.length > 4096) assert.ok(map.sourcesContent[0].length > shipped.length, `${f}: the source, not the minified file`);
  }
});

test('a CosError thrown by the JS helpers, under node --enable-source-maps, points at a line of the readable source', () => {
  const script = "import('cos-wasm').then((m) => { try { m.postFormData(null) } catch (e) { console.log(e.stack) } })";
  const stack = execFileSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' });
  assert.match(stack, /^CosError: postFormData\(form, file\) takes/);
  const frame = /extras\.js:(\d+):\d+/.exec(stack);
  assert.ok(frame, stack);
  assert.ok(Number(frame[1]) > 1, `mapped to the source's line ${frame[1]}, not the minified file's single line`);
});
