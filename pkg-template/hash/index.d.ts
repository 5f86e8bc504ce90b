// Type definitions for cos-wasm/hash: CRC-64, MD5, SHA-1 and chunked hashing. Hand-written: this file is the public contract.
import type { Bytes, CosError, InitInput } from '../index.js';

/** Loads this entry's WebAssembly module (`cos_wasm_hash_bg.wasm`). Required once in browsers (before any other call of this entry; each entry has its own module and its own `init`); a no-op in Node and workerd, where the module is ready at import. */
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
// Integrity

/** Streaming CRC-64/XZ, as COS returns it in `x-cos-hash-crc64ecma`. */
export class Crc64 {
  constructor();
  update(data: Bytes): void;
  /** Unsigned decimal, as COS prints it. */
  digest(): string;
  value(): bigint;
  reset(): void;
  free(): void;
}

/** Streaming MD5; one `digest*()` call finishes it (`reset()` to reuse). */
export class Md5 {
  constructor();
  update(data: Bytes): void;
  digest(): Uint8Array;
  digestHex(): string;
  /** The `Content-MD5` header value. */
  digestBase64(): string;
  reset(): void;
  free(): void;
}

/** Streaming SHA-1; one `digest*()` call finishes it. */
export class Sha1 {
  constructor();
  update(data: Bytes): void;
  digest(): Uint8Array;
  digestHex(): string;
  reset(): void;
  free(): void;
}

/** The CRC-64 of part1‖part2 from the parts' CRCs (multipart uploads). */
export function crc64Combine(crc1: string | bigint, crc2: string | bigint, len2: number | bigint): string;

/** Throws `ERR_CRC64_MISMATCH` if `header` (COS's `x-cos-hash-crc64ecma`) differs from `local`. */
export function verifyCrc64(local: string | bigint, header: string | null | undefined): void;

/** Checks a `fetch` Response's `x-cos-hash-crc64ecma` against a local CRC-64. */
export function verifyResponseCrc64(response: { headers: { get(name: string): string | null } }, localCrc64: string | bigint): void;

export type HashAlgorithm = 'crc64' | 'md5' | 'sha1';

export interface HashOptions<A extends HashAlgorithm = HashAlgorithm> {
  /** Default `['crc64', 'md5']`. */
  algorithms?: readonly A[];
  /** Bytes per wasm call (default 4 MiB, max 64 MiB); wasm memory stays bounded by it. */
  chunkSize?: number;
  onProgress?: (bytesDone: number, bytesTotal: number | undefined) => void;
  signal?: AbortSignal;
}

export interface HashResult {
  bytes: number;
  crc64?: string;
  md5Base64?: string;
  md5Hex?: string;
  sha1Hex?: string;
}

/** The digests of the algorithms `A`: each requested one is present (`crc64` for 'crc64', …). */
export type HashResultOf<A extends HashAlgorithm> = HashResult &
  ('crc64' extends A ? { crc64: string } : {}) &
  ('md5' extends A ? { md5Base64: string; md5Hex: string } : {}) &
  ('sha1' extends A ? { sha1Hex: string } : {});

type HashInput = Blob | ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView;

/**
 * Hashes a Blob/File, ReadableStream, ArrayBuffer or typed array in chunks. The result is
 * typed by the requested `algorithms`: `(await hashInput(file, { algorithms: ['crc64'] })).crc64`
 * is a `string`; without `algorithms`, CRC-64 and MD5 (the default).
 */
export function hashInput<const A extends HashAlgorithm>(input: HashInput, options: HashOptions<A> & { algorithms: readonly A[] }): Promise<HashResultOf<A>>;
export function hashInput(input: HashInput, options?: HashOptions<HashAlgorithm> & { algorithms?: undefined }): Promise<HashResultOf<'crc64' | 'md5'>>;
export function hashInput(input: HashInput, options?: HashOptions): Promise<HashResult>;
