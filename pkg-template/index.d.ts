// Type definitions for cos-wasm. Hand-written: this file is the public contract.

/** Every `code` a {@link CosError} can carry. Stable across releases. */
export type CosErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_CREDENTIALS'
  | 'ERR_INVALID_KEY_TIME'
  | 'ERR_INVALID_METHOD'
  | 'ERR_INVALID_OBJECT_KEY'
  | 'ERR_OBJECT_KEY_TOO_LONG'
  | 'ERR_INVALID_BUCKET'
  | 'ERR_INVALID_REGION'
  | 'ERR_INVALID_ENDPOINT'
  | 'ERR_INVALID_HEADER_NAME'
  | 'ERR_INVALID_HEADER_VALUE'
  | 'ERR_INVALID_QUERY_VALUE'
  | 'ERR_DUPLICATE_HEADER'
  | 'ERR_DUPLICATE_QUERY_PARAM'
  | 'ERR_INVALID_POLICY'
  | 'ERR_INVALID_SSE'
  | 'ERR_UNKNOWN_OPERATION'
  | 'ERR_SSE_NOT_ALLOWED'
  | 'ERR_SSE_C_REQUIRES_HTTPS'
  | 'ERR_SSE_ARCHIVE_CONFLICT'
  | 'ERR_SSE_PRESIGNED_UPLOAD'
  | 'ERR_SSE_KMS_ANONYMOUS'
  | 'ERR_INVALID_KEY_LENGTH'
  | 'ERR_INVALID_KEY_ENCODING'
  | 'ERR_KEY_MD5_MISMATCH'
  | 'ERR_INVALID_KDF_PARAMS'
  | 'ERR_INVALID_ENVELOPE'
  | 'ERR_UNWRAP_FAILED'
  | 'ERR_RANDOM_UNAVAILABLE'
  | 'ERR_USE_AFTER_FREE'
  | 'ERR_CRC64_MISMATCH'
  | 'ERR_INVALID_XML'
  | 'ERR_ABORTED';

/** Every failure of this package is a real `Error` of this shape. Messages never contain keys. */
export interface CosError extends Error {
  name: 'CosError';
  code: CosErrorCode;
}

/** Type guard for {@link CosError}. */
export function isCosError(value: unknown): value is CosError;

/** Unix seconds, as `"start;end"` or an object. */
export type KeyTimeInput = `${number};${number}` | { start: number; end: number };

/** The signature window: `keyTime`, or `expires` seconds from now (from now−1 s). */
export type Validity =
  | { keyTime: KeyTimeInput; expires?: undefined }
  | { expires: number; keyTime?: undefined };

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE' | 'OPTIONS' | (string & {});

/**
 * Header values: strings or finite numbers. `null`/`undefined` entries are skipped
 * (neither sent nor signed). Names that differ only in case are rejected.
 */
export type HeaderMap = Record<string, string | number | null | undefined>;

/**
 * Query values: strings or finite numbers; `null`/`undefined` is a parameter without a
 * value (`?uploads`), signed as `uploads=`.
 */
export type QueryMap = Record<string, string | number | null | undefined>;

export interface CosSignerOptions {
  secretId: string;
  secretKey: string;
  /** STS token of temporary credentials (`x-cos-security-token`). */
  securityToken?: string;
}

interface RequestParts {
  method: HttpMethod;
  /** Object key; a leading `/` is accepted. Empty or omitted for bucket-level calls. */
  key?: string;
  query?: QueryMap;
  headers?: HeaderMap;
  /** Extra header names to sign beyond the defaults (for example `date`). */
  signHeaders?: string[];
}

export type AuthorizationOptions = RequestParts & Validity;

export interface EndpointOptions {
  /** `<name>-<APPID>`, e.g. `examplebucket-1250000000`. */
  bucket: string;
  /** e.g. `ap-guangzhou`. */
  region: string;
  /** Custom host (CDN, accelerate, local emulator); `{Bucket}`/`{Region}` are substituted; `:port` allowed. */
  domain?: string;
  /** Default `https`. */
  protocol?: 'https' | 'http' | 'https:' | 'http:';
  port?: number;
  /** Path-style addressing `<host>/<bucket>/<key>` (local emulators only; COS refuses it for new buckets). */
  pathStyle?: boolean;
}

export type PresignOptions = RequestParts & EndpointOptions & Validity;

export type PostPolicyOptions = {
  /** A policy object (serialised with `JSON.stringify`) or its exact JSON text. */
  policy: Record<string, unknown> | string;
} & Validity;

/** The signature fields of a POST Object form. Append them before `file`, which must come last. */
export interface PostPolicyFields {
  policy: string;
  'q-sign-algorithm': 'sha1';
  'q-ak': string;
  'q-key-time': string;
  'q-signature': string;
  'x-cos-security-token'?: string;
}

/** Signs COS requests with one set of credentials. Call `free()` to wipe the secret early. */
export class CosSigner {
  constructor(options: CosSignerOptions);
  /** The `Authorization` header value (`q-sign-algorithm=sha1&q-ak=…`). */
  authorization(options: AuthorizationOptions): string;
  /** A pre-signed URL. `host` is always signed; other signed headers must be sent as given. */
  presignUrl(options: PresignOptions): string;
  /** Signs a POST Object policy and returns the form fields. */
  signPostPolicy(options: PostPolicyOptions): PostPolicyFields;
  /** Releases the signer and zeroizes its secret. */
  free(): void;
}

/** Input accepted by {@link init}. */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the WebAssembly module. Required once in browsers (before any other call);
 * a no-op in Node and workerd, where the module is ready at import.
 */
export function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Synchronous instantiation from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;
