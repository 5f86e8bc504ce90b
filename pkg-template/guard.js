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
