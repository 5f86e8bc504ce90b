// Where a secret may travel, for the JS helpers (issue 23 item 5): the one adapter between a
// URL and the wasm core's rule (src/endpoint.rs `is_loopback_host`, `secret_transport_allowed`,
// exported by every wasm entry as `isLoopbackHost`, `secretTransportAllowed`). The URL is
// parsed with the WHATWG `URL`, the parser fetch itself uses, so the host judged is the host
// the request goes to. Internal; written as plain ESM, the build derives transport.cjs from it.
import { cosError } from './errors.js';

const URLCtor = URL;
const { apply } = Reflect;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const urlGetters = ['protocol', 'hostname', 'host', 'origin', 'username', 'password', 'href'].map((n) => [n, ownDescriptor(URLCtor.prototype, n).get]);

/**
 * The parts of `url` (a string) that matter for where it goes, read with the URL getters
 * captured at load; ERR_INVALID_URL (never echoing the URL, which may be pre-signed) when it
 * does not parse or is not http(s).
 */
export function urlParts(url, what) {
  let u;
  try {
    if (typeof url !== 'string') throw 0;
    u = new URLCtor(url);
  } catch {
    throw cosError('ERR_INVALID_URL', `${what} is not a URL`);
  }
  const parts = {};
  for (const [name, get] of urlGetters) parts[name] = apply(get, u, []);
  if (parts.protocol !== 'https:' && parts.protocol !== 'http:') {
    throw cosError('ERR_INVALID_URL', `${what} is a ${JSON.stringify(parts.protocol.slice(0, 16))} URL; only http(s) URLs are sent to`);
  }
  return parts;
}

/**
 * The transport rule bound to one entry's wasm exports (`{ isLoopbackHost,
 * secretTransportAllowed }` of its glue): each entry's JS asks its own module, so this file
 * loads no wasm of its own.
 */
export function transportRule(wasm) {
  return {
    /** Whether the host of parsed `parts` is literal loopback (127/8, localhost, [::1]). */
    isLoopback: (parts) => wasm.isLoopbackHost(parts.hostname),
    /** Whether a secret may go to parsed `parts`: https, or http to loopback when `allowLocal`. */
    secretAllowed: (parts, allowLocal) => wasm.secretTransportAllowed(parts.protocol, parts.hostname, allowLocal === true),
  };
}
