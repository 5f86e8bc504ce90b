// A large deterministic file for browser tests and the upload benchmark, written by the page to
// its origin-private file system: a disk-backed File as from <input type=file> (Chromium failed
// to re-read slices of a 300 MiB in-memory Blob), that a page opened later picks again (same
// bytes, same lastModified). `fileChunk` computes the same bytes in Node.

export const FILE_CHUNK = 4 * 1024 * 1024;

/** Chunk `i` (of `size` bytes, a multiple of 4): xorshift32 words seeded by the index. Runs in the page too. */
export function fileChunk(i, size) {
  const u = new Uint32Array(size / 4);
  let x = (Math.imul(i + 1, 2654435761) >>> 0) || 1;
  for (let k = 0; k < u.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    u[k] = x;
  }
  return new Uint8Array(u.buffer);
}

/** In `page`: `window.__file`, the File `name` of `size` bytes (a multiple of 4), made once. */
export async function makeFileInPage(page, name, size) {
  await page.evaluate(
    async ({ src, name, size, CHUNK }) => {
      const chunk = new Function(`return (${src})`)();
      const dir = await navigator.storage.getDirectory();
      const existing = await dir.getFileHandle(name).then((h) => h.getFile(), () => undefined);
      if (existing?.size === size) {
        window.__file = existing;
        return;
      }
      const handle = await dir.getFileHandle(name, { create: true });
      const w = await handle.createWritable();
      for (let i = 0; i * CHUNK < size; i++) await w.write(chunk(i, Math.min(CHUNK, size - i * CHUNK)));
      await w.close();
      window.__file = await handle.getFile();
    },
    { src: fileChunk.toString(), name, size, CHUNK: FILE_CHUNK },
  );
}
