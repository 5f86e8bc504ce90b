// Type definitions for cos-wasm/keys: SSE-C customer keys and wrapping keys. Hand-written: this file is the public contract.
import type { Bytes, CosError, InitInput, SseAlgorithm } from '../index.js';

/** Loads this entry's WebAssembly module (`cos_wasm_keys_bg.wasm`). Required once in browsers (before any other call of this entry; each entry has its own module and its own `init`); a no-op in Node and workerd, where the module is ready at import. */
export function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;

/** Synchronous instantiation from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;

/** Type guard for {@link CosError} (the same test in every entry). */
export function isCosError(value: unknown): value is CosError;
/** Whether `host` (a WHATWG URL `hostname`) is literal loopback: 127.x.y.z, `localhost` (any case) or `[::1]`. The package's one rule (src/endpoint.rs). */
export function isLoopbackHost(host: string): boolean;
/** Whether a secret (an SSE-C key, a token) may travel to `scheme` (`'https:'`, `'http:'`) + `host`: https, or http to a loopback host when `allowLocal`. The package's one rule (src/endpoint.rs). */
export function secretTransportAllowed(scheme: string, host: string, allowLocal: boolean): boolean;

// ---------------------------------------------------------------------------------------
// Customer keys

export type WrapAlgorithm = 'AES-256-GCM' | 'SM4-GCM';

/** Options for passphrase derivation: stored `params`, or a fresh salt and iteration count. */
export type PassphraseOptions =
  | { passphrase: string; params: string }
  | { passphrase: string; salt?: Bytes; iterations?: number; params?: undefined };

/** An SSE-C key held in wasm memory. `free()` zeroizes it. It never prints its bytes. */
export class CustomerKey {
  private constructor();
  /** A new random key from `crypto.getRandomValues`. */
  static generate(algorithm?: SseAlgorithm): CustomerKey;
  static fromBytes(algorithm: SseAlgorithm, bytes: Bytes): CustomerKey;
  static fromBase64(algorithm: SseAlgorithm, base64: string): CustomerKey;
  static fromHex(algorithm: SseAlgorithm, hex: string): CustomerKey;
  /** HKDF-SHA256 from a master secret (>= 16 bytes), bound to bucket, object key and algorithm. */
  static deriveHkdf(options: { master: Bytes; salt?: Bytes; bucket: string; key: string; algorithm?: SseAlgorithm }): CustomerKey;
  /** PBKDF2-HMAC-SHA256 (600,000 iterations by default). Store `params` to derive again. */
  static fromPassphrase(options: PassphraseOptions & { algorithm?: SseAlgorithm }): { key: CustomerKey; params: string };
  /** Opens an envelope made by {@link CustomerKey.wrap} with the same wrapping key and `aad`. */
  static unwrap(envelope: string, wrappingKey: WrappingKey, options?: { aad?: string | Bytes }): CustomerKey;
  readonly algorithm: SseAlgorithm;
  /** `x-cos-server-side-encryption-customer-key-MD5`. */
  readonly md5Base64: string;
  /** `x-cos-server-side-encryption-customer-key` (secret). */
  readonly keyBase64: string;
  /** A short keyed hash, safe to log (not the MD5). */
  readonly fingerprint: string;
  /** A versioned envelope string for storage; `aad` (e.g. "bucket/key") must match on unwrap. */
  wrap(wrappingKey: WrappingKey, options?: { aad?: string | Bytes }): string;
  free(): void;
}

/** A key-encryption key (AES-256-GCM or SM4-GCM) for storing customer keys wrapped. */
export class WrappingKey {
  private constructor();
  static generate(algorithm?: WrapAlgorithm): WrappingKey;
  static fromBytes(algorithm: WrapAlgorithm, bytes: Bytes): WrappingKey;
  static fromPassphrase(options: PassphraseOptions & { algorithm?: WrapAlgorithm }): { key: WrappingKey; params: string };
  readonly fingerprint: string;
  free(): void;
}
