// COS XML text, for the JS helpers that read COS answers without the wasm XML parser of
// `cos-wasm/explain` (issue 23 item 5): entity decoding as src/xml.rs does it (the five
// predefined entities and numeric character references; anything else is kept as written,
// never a RangeError), one field, and the blocks of a repeated element.
// Internal; written as plain ESM, the build derives xml.cjs from it.

const ENTITIES = { __proto__: null, quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** A numeric character reference; one out of Unicode's range, or a surrogate, is kept as written. */
function charRef(m, e) {
  const hex = e[1] === 'x' || e[1] === 'X';
  const cp = hex ? parseInt(e.slice(2), 16) : Number(e.slice(1));
  return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
}

/** `s` with its XML entities and character references decoded. */
export const unxml = (s) => s.replace(/&(#x[0-9a-f]{1,8}|#\d{1,9}|\w{1,8});/gi, (m, e) => (e[0] === '#' ? charRef(m, e) : ENTITIES[e] ?? m));

/** `s` escaped for XML text or attribute values. */
export const xmlEscape = (s) => s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);

/** The decoded text of the first `<name>…</name>` in `xml` (no markup inside); undefined when absent. */
export function xmlText(xml, name) {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? unxml(m[1]) : undefined;
}

/** The contents of each `<name>…</name>`, found in one pass (a lazy regex is quadratic on unclosed tags). */
export function xmlBlocks(xml, name) {
  const out = [];
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let at = xml.indexOf(open); at >= 0; ) {
    const end = xml.indexOf(close, at + open.length);
    if (end < 0) break;
    out.push(xml.slice(at + open.length, end));
    at = xml.indexOf(open, end + close.length);
  }
  return out;
}
