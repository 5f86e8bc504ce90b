// The browser `init()` of every entry (web.js): fetches and instantiates the entry's .wasm
// through wasm-bindgen's own init, and turns each way that fails into a CosError with a
// stable code saying what was fetched and what arrived (a Content-Security-Policy refusal,
// an HTTP error, an HTML page where the .wasm should be, a wrong MIME type, bytes that are
// not this module). Internal: not re-exported by the entry points.
// Written as plain ESM; the build derives load.cjs from it for CommonJS.
import { cosError } from './errors.js';

const U8 = Uint8Array;
const ResponseCtor = typeof Response === 'function' ? Response : undefined;
const RequestCtor = typeof Request === 'function' ? Request : undefined;
const URLCtor = typeof URL === 'function' ? URL : undefined;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

const CSP_FIX =
  "add 'wasm-unsafe-eval' to the page's script-src (Content-Security-Policy: script-src 'self' 'wasm-unsafe-eval'), " +
  'or sign on a server or worker and post the upload with postFormData(form, file) of cos-wasm, which needs no wasm and no init() ' +
  '(README "Content-Security-Policy")';

const hex = (bytes) => [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
const isWasm = (bytes) => bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
/** The first non-blank byte is `<` (after an optional UTF-8 BOM): an HTML (or XML) page. */
function isMarkup(bytes) {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c;
}
/** The first characters of `bytes` as printable text, for a message. */
function opening(bytes) {
  let text = '';
  for (const b of bytes.subarray(0, 40)) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return text;
}
/** What arrived: its type and first bytes. */
const arrived = (type, bytes) => `Content-Type ${type || '(none)'}, ${bytes.length} bytes beginning ${JSON.stringify(opening(bytes))} (${hex(bytes)})`;

/** A refusal by the page's Content-Security-Policy (Chromium, Firefox and Safari word it differently). */
const isCspRefusal = (e) => /Content.Security|\bCSP\b|unsafe-eval/i.test(String(e?.message ?? e));

/** The CosError for a compile or instantiate failure `e` of `what`. */
function compileError(entry, what, e, type, bytes) {
  if (isCspRefusal(e)) {
    return cosError('ERR_WASM_CSP', `${entry}: the page's Content-Security-Policy refused to compile its WebAssembly module (${what}): ${CSP_FIX}`);
  }
  const seen = bytes === undefined ? '' : `; it arrived as ${arrived(type, bytes)}`;
  if (bytes !== undefined && isMarkup(bytes)) return htmlError(entry, what, type, bytes);
  return cosError('ERR_WASM_INVALID', `${entry}: ${what} is not its WebAssembly module (${String(e?.message ?? e)})${seen}. Serve the file of the installed package unchanged, or pass its bytes to init()`);
}

function htmlError(entry, what, type, bytes) {
  return cosError(
    'ERR_WASM_HTML',
    `${entry}: fetched ${what} for its WebAssembly module and received an HTML page instead (${arrived(type, bytes)}). ` +
      'A server answers so for a file it does not have (a dev server sends index.html); make the .wasm beside the entry\'s web.js reachable at that URL, or pass its URL or bytes to init()',
  );
}

async function bytesOfResponse(response) {
  try {
    return new U8(await response.arrayBuffer());
  } catch {
    return new U8(0);
  }
}

/**
 * Instantiates an entry's wasm with `glueInit` (wasm-bindgen's default export). `input` is
 * what the user gave `init()`: undefined (fetch `defaultUrl`), a URL or string, a Request,
 * a Response or a promise of one, bytes, a WebAssembly.Module, or `{ module_or_path }`.
 */
export async function loadWasm(glueInit, input, defaultUrl, entry) {
  try {
    return await load(glueInit, input, defaultUrl, entry);
  } catch (e) {
    // the default URL answered with a page or a 404: perhaps a dev server moved the module
    if (input !== undefined || !(e.code === 'ERR_WASM_HTML' || (e.code === 'ERR_WASM_FETCH' && e.status === 404))) throw e;
    const moved = await devServerUrl(defaultUrl, `${entry}/${defaultUrl.pathname.split('/').pop()}`);
    if (moved === undefined) {
      if (defaultUrl.pathname.includes('/node_modules/.vite/')) e.message += `. Vite pre-bundled ${entry} away from its .wasm: \`optimizeDeps: { exclude: ['cos-wasm'] }\` in vite.config.js keeps them together`;
      throw e;
    }
    return load(glueInit, moved, undefined, entry);
  }
}

/**
 * Vite's dev server (before Vite 8) pre-bundles the package into node_modules/.vite/deps/,
 * away from its .wasm files, and answers the .wasm URL there with index.html. Its resolver
 * still knows where the file is: `/@id/<package>/<file>?url&import` is the asset module whose
 * default export is the URL the file is served at. So a pre-bundled entry needs no
 * `optimizeDeps.exclude`. Undefined when `url` is not in a Vite dependency cache or the
 * server does not answer so.
 */
async function devServerUrl(url, specifier) {
  const at = url.pathname.indexOf('/node_modules/.vite/');
  if (at < 0) return undefined;
  try {
    // the server's base: before the cache, or before /@fs/ when the cache is outside the root
    let base = url.pathname.slice(0, at + 1);
    if (base.includes('/@fs/')) base = base.slice(0, base.indexOf('/@fs/') + 1);
    const res = await fetch(new URL(`${base}@id/${specifier}?url&import`, url));
    const m = res.ok ? /export default ("(?:[^"\\\n]|\\.)*")/.exec(await res.text()) : null;
    return m === null ? undefined : new URL(JSON.parse(m[1]), url);
  } catch {
    return undefined;
  }
}

async function load(glueInit, input, defaultUrl, entry) {
  let source = await input;
  if (source !== null && typeof source === 'object' && Object.getPrototypeOf(source) === Object.prototype && Object.hasOwn(source, 'module_or_path')) {
    source = await source.module_or_path;
  }
  if (source === undefined) source = defaultUrl;
  const isUrl = typeof source === 'string' || (URLCtor !== undefined && source instanceof URLCtor) || (RequestCtor !== undefined && source instanceof RequestCtor);
  if (!isUrl && !(ResponseCtor !== undefined && source instanceof ResponseCtor)) {
    // bytes or a compiled module: nothing was fetched
    try {
      await glueInit({ module_or_path: source });
    } catch (e) {
      throw compileError(entry, 'the module given to init()', e);
    }
    return;
  }
  let response = source;
  const url = isUrl ? String(source.url ?? source) : source.url || 'the Response given to init()';
  if (isUrl) {
    try {
      response = await fetch(source);
    } catch (e) {
      if (isCspRefusal(e)) throw cosError('ERR_WASM_FETCH', `${entry}: fetching ${url} was refused by the page's Content-Security-Policy (connect-src): allow that URL (e.g. connect-src 'self'), or pass the module's bytes to init()`);
      throw cosError('ERR_WASM_FETCH', `${entry}: fetching its WebAssembly module ${url} failed: ${String(e?.message ?? e)}`);
    }
  }
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    const bytes = await bytesOfResponse(response);
    throw cosError(
      'ERR_WASM_FETCH',
      `${entry}: fetched ${url} for its WebAssembly module and the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} (${arrived(type, bytes)}). ` +
        'The .wasm must be served from beside the entry\'s web.js (a bundler that does not copy it needs it copied: README "Using with bundlers and runtimes"), or pass its URL or bytes to init()',
      { status: response.status, url },
    );
  }
  if (/^application\/wasm\s*(;|$)/i.test(type)) {
    // Streaming compilation. To say what arrived if it fails: the URL fetched again then (the
    // default path: no copy of the body kept while it compiles), or a copy of a Response given.
    const copy = isUrl ? undefined : response.clone();
    try {
      await glueInit({ module_or_path: response });
    } catch (e) {
      let again;
      try {
        again = copy ?? (await fetch(source));
      } catch {}
      throw compileError(entry, url, e, type, again === undefined ? undefined : await bytesOfResponse(again));
    }
    copy?.body?.cancel().catch(() => {});
    return;
  }
  // Any other type: streaming compilation refuses it, so read what arrived first.
  const bytes = await bytesOfResponse(response);
  if (isWasm(bytes)) {
    // A module under the wrong type (application/octet-stream from many static servers):
    // compiled from its bytes, what wasm-bindgen's own fallback does, without its warning.
    try {
      await glueInit({ module_or_path: bytes });
    } catch (e) {
      throw compileError(entry, url, e, type, bytes);
    }
    return;
  }
  if (isMarkup(bytes)) throw htmlError(entry, url, type, bytes);
  throw cosError(
    'ERR_WASM_MIME',
    `${entry}: fetched ${url} for its WebAssembly module and received something else (${arrived(type, bytes)}), not application/wasm. ` +
      'A bundler or server replaced the file (e.g. with a JS module); serve the .wasm of the installed package as it is, with Content-Type application/wasm, or pass its URL or bytes to init()',
  );
}
