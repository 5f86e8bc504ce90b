// Shared by every entry's JS helpers: reading bytes and options from hostile values, the
// init check of the browser entries and the lifetime guard of the exported classes (see
// "Security notes" in the README). Internal: not re-exported by the entry points.
// Written as plain ESM; the build derives guard.cjs from it for CommonJS.
import { cosError } from './errors.js';

// Built-ins captured when the package loads, before application code can replace them.
const { apply, ownKeys, getPrototypeOf } = Reflect;
const ownDescriptor = Object.getOwnPropertyDescriptor;
const defineProperty = Object.defineProperty;
const isView = ArrayBuffer.isView;
const U8 = Uint8Array;
const getter = (proto, name) => ownDescriptor(proto, name).get;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype);
const viewGetters = [
  ['buffer', 'byteOffset', 'byteLength'].map((n) => getter(typedArrayProto, n)),
  ['buffer', 'byteOffset', 'byteLength'].map((n) => getter(DataView.prototype, n)),
];
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');


/**
 * A fresh Uint8Array over the bytes of a genuine ArrayBuffer or ArrayBufferView (checked by
 * internal slot: the intrinsic getters throw for a Proxy or an object whose prototype was
 * set to a typed array's), or undefined. A detached buffer is a CosError.
 */
export function bytesOf(value) {
  if (isView(value)) {
    for (const [buffer, offset, length] of viewGetters) {
      let parts;
      try {
        parts = [apply(buffer, value, []), apply(offset, value, []), apply(length, value, [])];
      } catch {
        continue;
      }
      try {
        return new U8(...parts);
      } catch {
        throw cosError('ERR_INVALID_ARGUMENT', 'the bytes are in a detached ArrayBuffer');
      }
    }
    return undefined;
  }
  try {
    apply(arrayBufferByteLength, value, []);
  } catch {
    return undefined;
  }
  try {
    return new U8(value);
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', 'the ArrayBuffer is detached');
  }
}

/** `obj[name]` from an own property only; a throwing getter or trap is a CosError naming it. */
export function own(obj, name, what) {
  try {
    const d = ownDescriptor(obj, name);
    if (d === undefined) return undefined;
    return d.get ? apply(d.get, obj, []) : d.value;
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', `reading \`${what}\` threw an exception`);
  }
}

/** An object or a function (what may carry properties). */
export function isObject(v) {
  return (typeof v === 'object' && v !== null) || typeof v === 'function';
}

/**
 * The init check of `entry` ('cos-wasm/hash'): a function that throws ERR_NOT_INITIALIZED
 * naming the entry and its fix
 * until the browser `init()` has instantiated that entry's wasm, which `isCosError` (a
 * glue export of every entry) reaches.
 */
export function initCheck(isCosError, entry = 'cos-wasm') {
  let initialized = false;
  return function assertInitialized() {
    if (initialized) return;
    try {
      isCosError(undefined);
      initialized = true;
    } catch {
      throw cosError('ERR_NOT_INITIALIZED', `${entry} is not initialised yet: \`await init()\` of '${entry}' once before using it (\`import { init } from '${entry}'\`; each entry has its own init() in browsers and bundlers; Node and workerd initialise on import)`);
    }
  };
}

/**
 * The lifetime guard of a wasm-bindgen class. wasm-bindgen's own `free()` and methods call
 * into Rust with the object's pointer; a freed pointer (0) makes Rust throw from inside
 * wasm, which leaks wasm stack on every call and, after a few thousand, kills the module.
 * So every method and getter first checks, in JS, that the object is live
 * (`ERR_USE_AFTER_FREE` otherwise); `free()` is idempotent; `free()` re-entered from a
 * callback (an option getter) while a call on the same object runs is deferred until that
 * call returns, then wipes the secret; `[Symbol.dispose]` is the same `free()` for `using`.
 * `__wbg_ptr` is the glue's field for the pointer (wasm-bindgen is pinned in Cargo.toml).
 */
export function guardClass(cls, label, assertInitialized) {
  const proto = cls.prototype;
  const rawFree = proto.free;
  const active = new Map(); // pointer → calls in progress
  const pending = new Set(); // pointers whose free() waits for the call in progress
  const pointer = (self) => {
    try {
      const d = ownDescriptor(self, '__wbg_ptr');
      return d !== undefined && typeof d.value === 'number' && d.value > 0 ? d.value : 0;
    } catch {
      return 0;
    }
  };
  const freed = () => cosError('ERR_USE_AFTER_FREE', `this ${label} was freed (or was not made by cos-wasm)`);
  const wrap = (fn) => function guarded(...args) {
    const ptr = pointer(this);
    if (ptr === 0 || pending.has(ptr)) throw freed();
    active.set(ptr, (active.get(ptr) ?? 0) + 1);
    try {
      return apply(fn, this, args);
    } finally {
      const n = active.get(ptr) - 1;
      if (n > 0) active.set(ptr, n);
      else {
        active.delete(ptr);
        if (pending.delete(ptr)) apply(rawFree, this, []);
      }
    }
  };
  for (const key of ownKeys(proto)) {
    if (key === 'constructor' || key === 'free' || key === '__destroy_into_raw' || key === Symbol.dispose) continue;
    const d = ownDescriptor(proto, key);
    if (typeof d.value === 'function') d.value = wrap(d.value);
    if (typeof d.get === 'function') d.get = wrap(d.get);
    if (typeof d.set === 'function') d.set = wrap(d.set);
    defineProperty(proto, key, d);
  }
  function free() {
    const ptr = pointer(this);
    if (ptr === 0 || pending.has(ptr)) return;
    if (active.has(ptr)) pending.add(ptr);
    else apply(rawFree, this, []);
  }
  defineProperty(proto, 'free', { value: free, writable: true, configurable: true });
  if (typeof Symbol.dispose === 'symbol') defineProperty(proto, Symbol.dispose, { value: free, writable: true, configurable: true });
  for (const key of ownKeys(cls)) {
    const d = ownDescriptor(cls, key);
    if (typeof key !== 'string' || key.startsWith('__') || typeof d.value !== 'function' || key === 'prototype') continue;
    const fn = d.value;
    d.value = function guardedStatic(...args) {
      assertInitialized();
      return apply(fn, this, args);
    };
    defineProperty(cls, key, d);
  }
}

const objectKeys = Object.keys;
const isArrayFn = Array.isArray;
const stringify = JSON.stringify;
const isSafeInteger = Number.isSafeInteger;
const numberIsFinite = Number.isFinite;

/**
 * The options object of a JS export, read once: a null-prototype snapshot of the own
 * properties `names` (nothing comes from a polluted Object.prototype). `undefined` or
 * `null` is an empty snapshot when `optional`; anything else not an object, or a throwing
 * getter or Proxy trap, is ERR_INVALID_ARGUMENT naming `what` (never the value).
 */
export function ownOptions(value, names, what, optional = false) {
  const out = { __proto__: null };
  if (value === undefined || value === null) {
    if (optional) return out;
    throw cosError('ERR_INVALID_ARGUMENT', `\`${what}\` must be an options object`);
  }
  let array;
  try {
    array = isArrayFn(value); // a revoked Proxy throws
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', `reading \`${what}\` threw an exception`);
  }
  if (!isObject(value) || array) throw cosError('ERR_INVALID_ARGUMENT', `\`${what}\` must be an options object`);
  for (const name of names) out[name] = own(value, name, `${what}.${name}`);
  return out;
}

/**
 * A method of `obj` found along its prototype chain (a Response's `text`, a Headers'
 * `get`), called with `args`; a throwing getter, trap or method is a CosError `code`.
 */
export function callMethod(obj, name, args, code, what) {
  let fn;
  try {
    fn = isObject(obj) ? obj[name] : undefined;
  } catch {
    throw cosError(code, `reading \`${what}\` threw an exception`);
  }
  if (typeof fn !== 'function') throw cosError(code, `\`${what}\` is not a function`);
  try {
    return apply(fn, obj, args);
  } catch {
    throw cosError(code, `\`${what}\` threw an exception`);
  }
}

/** `obj[name]` along the prototype chain (a Response's `status`); a throw is a CosError `code`. */
export function readProp(obj, name, code, what) {
  if (!isObject(obj)) return undefined;
  try {
    return obj[name];
  } catch {
    throw cosError(code, `reading \`${what}\` threw an exception`);
  }
}

/** Most nesting `jsonText` takes (a CAM policy is 4 or 5 levels deep). */
export const JSON_MAX_DEPTH = 32;

/**
 * The JSON text of a plain value, read as the wasm core reads options: own enumerable
 * string-keyed properties only, no `toJSON` (a polluted or throwing one is never called),
 * finite numbers, at most `JSON_MAX_DEPTH` levels and `maxChars` characters. BigInt, a
 * function, a symbol, a cycle, a throwing getter or trap is a CosError `code` naming `what`.
 */
export function jsonText(value, code, what, maxChars) {
  try {
    return jsonWalk(value, code, what, maxChars);
  } catch (e) {
    // own() throws ERR_INVALID_ARGUMENT for a throwing getter; this reader's code is `code`
    if (isObject(e) && e.name === 'CosError' && e.code !== code) throw cosError(code, `\`${what}\` threw an exception when read`);
    throw e;
  }
}

function jsonWalk(value, code, what, maxChars) {
  let size = 0;
  const seen = [];
  const fail = (why) => cosError(code, `\`${what}\` ${why}`);
  const add = (s) => {
    size += s.length;
    if (size > maxChars) throw fail(`is longer than ${maxChars} characters as JSON`);
    return s;
  };
  const walk = (v, depth) => {
    if (v === null) return add('null');
    switch (typeof v) {
      case 'string':
        return add(stringify(v));
      case 'boolean':
        return add(v ? 'true' : 'false');
      case 'number':
        if (!numberIsFinite(v)) throw fail('holds a number that is not finite');
        return add(stringify(v));
      case 'object':
        break;
      default:
        throw fail(`holds a ${typeof v}, which is not JSON`);
    }
    if (depth >= JSON_MAX_DEPTH) throw fail(`is nested deeper than ${JSON_MAX_DEPTH} levels`);
    if (seen.includes(v)) throw fail('is circular');
    seen.push(v);
    let keys;
    let array;
    try {
      array = isArrayFn(v);
      keys = array ? undefined : objectKeys(v);
    } catch {
      throw fail('threw an exception when read');
    }
    let out;
    if (array) {
      const n = own(v, 'length', what);
      if (!isSafeInteger(n) || n < 0) throw fail('has an array of unreadable length');
      add('[');
      const items = [];
      for (let i = 0; i < n; i++) items.push(walk(own(v, String(i), what) ?? null, depth + 1));
      out = `[${items.join(',')}]`;
    } else {
      add('{');
      const items = [];
      for (const k of keys) {
        let d;
        try {
          d = ownDescriptor(v, k);
        } catch {
          throw fail('threw an exception when read');
        }
        if (d === undefined || !d.enumerable) continue;
        const item = own(v, k, what);
        if (item === undefined) continue;
        items.push(`${add(stringify(k))}:${walk(item, depth + 1)}`);
      }
      out = `{${items.join(',')}}`;
    }
    seen.pop();
    return out;
  };
  return walk(value, 0);
}

/** Whether `s` is a string of printable ASCII (no CR, LF, NUL or other control): a header-safe secret. */
export function isPrintableAscii(s) {
  return typeof s === 'string' && /^[\x20-\x7e]*$/.test(s);
}

/**
 * The own enumerable properties of `value` as `[name, value]` pairs (of `names` only, when
 * given), read once; a throwing getter or Proxy trap is ERR_INVALID_ARGUMENT naming `what`.
 */
export function ownEntries(value, what, names) {
  const out = [];
  try {
    for (const k of names ?? objectKeys(value)) {
      const d = ownDescriptor(value, k);
      if (d?.enumerable) out.push([k, d.get ? apply(d.get, value, []) : d.value]);
    }
  } catch {
    throw cosError('ERR_INVALID_ARGUMENT', `reading \`${what}\` threw an exception`);
  }
  return out;
}

/**
 * The runtime's `fetch`: an own property of the global object or of its prototype chain
 * below Object.prototype (workerd keeps its globals on the global scope's prototype), never
 * one planted on Object.prototype; undefined when there is none.
 */
export function runtimeFetch() {
  for (let g = globalThis; g !== null && g !== Object.prototype; g = getPrototypeOf(g)) {
    const f = own(g, 'fetch', 'globalThis.fetch');
    if (f !== undefined) return f;
  }
  return undefined;
}
