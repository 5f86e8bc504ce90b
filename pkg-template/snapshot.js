// The one crossing into wasm: a call's arguments are read here, once, and encoded as one
// string (plus one byte buffer for binary values) that the wasm export decodes
// (src/wasm/snapshot.rs documents the encoding); its result comes back as one string that
// `unpack` splits. Reading is where a hostile caller is met, so it follows one rule:
// - only own enumerable string-keyed properties (Object.keys, then each property's own
//   descriptor: a polluted prototype never supplies a value);
// - bytes only from genuine ArrayBuffers, typed arrays and DataViews (guard.js bytesOf);
// - a throwing getter or Proxy trap, a lone UTF-16 surrogate, or a value nested deeper than
//   MAX_DEPTH is a CosError naming the option, thrown here, before anything reaches wasm.
// Internal: not re-exported by the entry points.
import { cosError } from './errors.js';
import { bytesOf, own } from './guard.js';

// Built-ins captured when the package loads, before application code can replace them.
const { apply, getPrototypeOf } = Reflect;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const hasOwn = Object.hasOwn;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const stringify = JSON.stringify;
const ObjectProto = Object.prototype;
const ArrayProto = Array.prototype;
const mapSize = ownDescriptor(Map.prototype, 'size').get;
const mapEntries = Map.prototype.entries;
const mapIteratorNext = getPrototypeOf(new Map().entries()).next;
const isWellFormed = String.prototype.isWellFormed;
const U8 = Uint8Array;
const isView = ArrayBuffer.isView;
const objectToString = Object.prototype.toString;
const u8Set = U8.prototype.set;
const u8Fill = U8.prototype.fill;
const ASCII = /^[\0-\x7f]*$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The deepest nesting read (src/wasm/snapshot.rs decodes no deeper). */
const MAX_DEPTH = 32;
/** The most elements read from one array or Map. */
const MAX_ITEMS = 10000;

const threw = (name) => cosError('ERR_INVALID_ARGUMENT', `reading \`${name}\` threw an exception`);

/** The UTF-8 length of a well-formed string. */
function utf8Length(s) {
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const wellFormed = (s) => (isWellFormed ? apply(isWellFormed, s, []) : !LONE_SURROGATE.test(s));

/** A string value; `w` (refused by the option that reads it) when it has a lone surrogate. */
const str = (s) => (wellFormed(s) ? `s${utf8Length(s)}:${s}` : 'w');

/** A property name, which must be well-formed. */
function key(s, name) {
  if (!wellFormed(s)) throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` contains a lone UTF-16 surrogate`);
  return `s${utf8Length(s)}:${s}`;
}

/**
 * A `CustomerKey` of cos-wasm/keys (another wasm instance): recognised by its class's
 * `__cosKeyHandle` getter on its prototype (a look-alike `{ __cosKeyHandle }` is not one),
 * read through its class's `algorithm` and `keyBase64` getters, which the lifetime guard
 * makes throw for a freed key. Undefined when `v` is no such key.
 */
function customerKey(v, name) {
  let proto;
  try {
    proto = getPrototypeOf(v);
    if (proto === null || proto === ObjectProto || proto === ArrayProto) return undefined;
    const handle = ownDescriptor(proto, '__cosKeyHandle');
    if (handle === undefined || typeof handle.get !== 'function') return undefined;
  } catch {
    throw threw(name);
  }
  const read = (prop) => {
    let value;
    try {
      const d = ownDescriptor(proto, prop);
      value = d && typeof d.get === 'function' ? apply(d.get, v, []) : undefined;
    } catch {
      throw cosError('ERR_USE_AFTER_FREE', 'this CustomerKey was freed');
    }
    if (typeof value !== 'string') throw cosError('ERR_USE_AFTER_FREE', 'this CustomerKey was freed');
    return value;
  };
  return `k${key(read('algorithm'), name)}${key(read('keyBase64'), name)}`;
}

function isMap(v) {
  try {
    apply(mapSize, v, []);
    return true;
  } catch {
    return false;
  }
}

/**
 * A snapshot encoder. `json` maps option paths (`sse.context`; `conditions.*` for every
 * element of an array) to `[code, anyType]`: there a value other than a string (any value
 * when `anyType`) is sent as the text `JSON.stringify` makes of it, as COS takes it.
 */
class Encoder {
  constructor(json) {
    this.json = json;
    this.bytes = [];
    this.byteLength = 0;
  }

  jsonText(v, name, spec) {
    const code = spec[0];
    if (!spec[1] && (typeof v !== 'object' || v === null || isArray(v))) return undefined;
    if (ownDescriptor(ObjectProto, 'toJSON') !== undefined || ownDescriptor(ArrayProto, 'toJSON') !== undefined) {
      throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` cannot be serialised: \`toJSON\` is defined on Object.prototype or Array.prototype (prototype pollution?)`);
    }
    let text;
    try {
      text = stringify(v);
    } catch {
      text = undefined;
    }
    if (typeof text !== 'string') throw cosError(code, `\`${name}\` could not be serialised with JSON.stringify (it threw, has a cycle or a BigInt)`);
    return `j${utf8Length(text)}:${text}`;
  }

  node(v, name, path, depth) {
    switch (typeof v) {
      case 'undefined':
        return 'u';
      case 'boolean':
        return v ? 't' : 'f';
      case 'number':
        return `n${v};`;
      case 'string':
        return str(v);
      case 'object':
        if (v === null) return 'u';
        break;
      case 'function':
        break;
      default:
        return 'x';
    }
    const json = this.json !== undefined && hasOwn(this.json, path) ? this.json[path] : undefined;
    if (json !== undefined) {
      const text = this.jsonText(v, name, json);
      if (text !== undefined) return text;
    }
    if (typeof v === 'function') return 'x';
    if (depth >= MAX_DEPTH) throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` is nested too deeply`);
    let isList;
    try {
      isList = isArray(v);
    } catch {
      throw threw(name); // a revoked Proxy
    }
    if (isList) {
      const length = own(v, 'length', name);
      if (typeof length !== 'number' || length > MAX_ITEMS) throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` has more than ${MAX_ITEMS} elements`);
      let out = `a${length}:`;
      for (let i = 0; i < length; i++) out += this.node(own(v, String(i), name), `${name}[${i}]`, `${path}.*`, depth + 1);
      return out;
    }
    // Brand checks (bytesOf, isMap) throw for everything else, and a throw costs more than
    // the whole signature: they run only where the cheap tag says they can succeed. A tag
    // is no proof (Symbol.toStringTag can lie); the brand check that follows is.
    let tag;
    try {
      tag = apply(objectToString, v, []);
    } catch {
      throw threw(name);
    }
    const bytes = isView(v) || tag === '[object ArrayBuffer]' || tag === '[object SharedArrayBuffer]' ? bytesOf(v) : undefined;
    if (bytes !== undefined) {
      const out = `b${this.byteLength},${bytes.length};`;
      this.bytes[this.bytes.length] = bytes;
      this.byteLength += bytes.length;
      return out;
    }
    if (tag === '[object Map]' && isMap(v)) return this.map(v, name, path, depth);
    const handle = customerKey(v, name);
    if (handle !== undefined) return handle;
    let keys;
    try {
      keys = objectKeys(v);
    } catch {
      throw threw(name);
    }
    if (keys.length > MAX_ITEMS) throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` has more than ${MAX_ITEMS} properties`);
    let out = `o${keys.length}:`;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const child = depth === 0 ? k : `${name}.${k}`;
      out += key(k, child) + this.node(own(v, k, child), child, depth === 0 ? k : `${path}.${k}`, depth + 1);
    }
    return out;
  }

  map(v, name, path, depth) {
    let out = '';
    let n = 0;
    try {
      const it = apply(mapEntries, v, []);
      for (let step = apply(mapIteratorNext, it, []); !step.done; step = apply(mapIteratorNext, it, [])) {
        const entry = step.value;
        const k = entry[0];
        const value = entry[1];
        if (typeof k !== 'string') throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` keys must be strings`);
        if (++n > MAX_ITEMS) throw cosError('ERR_INVALID_ARGUMENT', `\`${name}\` has more than ${MAX_ITEMS} entries`);
        const child = `${name}.${k}`;
        out += key(k, child) + this.node(value, child, `${path}.${k}`, depth + 1);
      }
    } catch (e) {
      if (e !== null && typeof e === 'object' && e.name === 'CosError') throw e;
      throw threw(name);
    }
    return `m${n}:${out}`;
  }

  /** The byte buffer (undefined when no bytes were read). */
  buffer() {
    if (this.bytes.length === 0) return undefined;
    const out = new U8(this.byteLength);
    let at = 0;
    for (let i = 0; i < this.bytes.length; i++) {
      const b = this.bytes[i];
      apply(u8Set, out, [b, at]);
      at += b.length;
    }
    return out;
  }
}

/**
 * Calls `call(text, bytes)` — the raw wasm export — with the snapshot of `value` (the
 * options object, or an array of positional arguments), and returns its result. The JS
 * copy of the byte buffer (it may hold an SSE-C key) is wiped afterwards; strings cannot be
 * wiped in JS (README "What JS keeps").
 */
export function withSnapshot(value, json, call) {
  const enc = new Encoder(json);
  const text = enc.node(value, 'options', '', 0);
  return crossing(enc, text, call);
}

/**
 * `withSnapshot` for positional arguments: `args` (an array the package made) named by
 * `names`, sent as an array node.
 */
export function withArgs(args, names, json, call) {
  const enc = new Encoder(json);
  let text = `a${args.length}:`;
  for (let i = 0; i < args.length; i++) text += enc.node(args[i], names[i], names[i], 1);
  return crossing(enc, text, call);
}

function crossing(enc, text, call) {
  const bytes = enc.buffer();
  try {
    return call(text, bytes);
  } finally {
    if (bytes !== undefined) apply(u8Fill, bytes, [0]);
  }
}

/** The parts of a packed result (src/wasm/output.rs `packed`): `<UTF-16 length>:<text>` each. */
export function unpack(packed) {
  const parts = [];
  let at = 0;
  while (at < packed.length) {
    const colon = packed.indexOf(':', at);
    const n = Number(packed.slice(at, colon));
    parts.push(packed.slice(colon + 1, colon + 1 + n));
    at = colon + 1 + n;
  }
  return parts;
}

/** An object of name/value pairs from `parts`, from index `from`, in order. */
export function pairs(parts, from = 0) {
  const out = {};
  for (let i = from; i + 1 < parts.length; i += 2) {
    if (parts[i] === '__proto__') defineProperty(out, parts[i], { value: parts[i + 1], writable: true, enumerable: true, configurable: true });
    else out[parts[i]] = parts[i + 1];
  }
  return out;
}
