// Type definitions for cos-wasm. Hand-written: this file is the public contract.

/** Every `code` a {@link CosError} can carry. Stable across releases. */
export type CosErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_INVALID_CREDENTIALS'
  | 'ERR_INVALID_KEY_TIME'
  | 'ERR_INVALID_METHOD'
  | 'ERR_INVALID_OBJECT_KEY'
  | 'ERR_OBJECT_KEY_TOO_LONG'
  | 'ERR_KEY_PREFIX_EMPTY'
  | 'ERR_INVALID_BUCKET'
  | 'ERR_INVALID_REGION'
  | 'ERR_INVALID_ENDPOINT'
  | 'ERR_INVALID_HEADER_NAME'
  | 'ERR_INVALID_HEADER_VALUE'
  | 'ERR_INVALID_QUERY_VALUE'
  | 'ERR_HEADER_VALUE_TOO_LONG'
  | 'ERR_QUERY_VALUE_TOO_LONG'
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
  | 'ERR_CLOCK_SKEW'
  | 'ERR_SIGNATURE_MISMATCH'
  | 'ERR_COS_RESPONSE'
  | 'ERR_ABORTED'
  | 'ERR_NOT_INITIALIZED'
  | 'ERR_INVALID_URL'
  | 'ERR_INVALID_TIMESTAMP'
  | 'ERR_INVALID_SERVICE'
  | 'ERR_INVALID_CAM_POLICY'
  | 'ERR_UNKNOWN_ACTION'
  | 'ERR_UNKNOWN_CONDITION'
  | 'ERR_STS'
  | 'ERR_STS_BAD_RESPONSE'
  | 'ERR_TIMEOUT'
  | 'ERR_NETWORK'
  | 'ERR_CORS_ETAG_NOT_EXPOSED'
  | 'ERR_FILE_NOT_READABLE';

/** Every failure of this package is a real `Error` of this shape. Messages never contain keys. */
export interface CosError extends Error {
  name: 'CosError';
  code: CosErrorCode;
  /** `ERR_STS` only: Tencent Cloud's `Response.Error.Code`, e.g. `AuthFailure.SignatureFailure`. */
  tencentCode?: string;
  /** `ERR_STS` / `ERR_STS_BAD_RESPONSE`: Tencent Cloud's `Response.RequestId`, when it sent one. */
  requestId?: string;
  /** `ERR_STS` / `ERR_STS_BAD_RESPONSE`: the HTTP status of the STS reply. */
  httpStatus?: number;
}

/** Type guard for {@link CosError}. */
export function isCosError(value: unknown): value is CosError;

/** Unix seconds, as `"start;end"` (e.g. `"1557989151;1557996351"`) or an object. */
export type KeyTimeInput = string | { start: number; end: number };

/** The signature window: `keyTime`, or `expires` seconds from now (from now−1 s). */
export type Validity =
  | { keyTime: KeyTimeInput; expires?: undefined }
  | { expires: number; keyTime?: undefined };

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE' | 'OPTIONS' | (string & {});

/**
 * Header values: strings, finite numbers or booleans (signed as `'true'`/`'false'`, as fetch
 * sends them), printable ASCII only, at most 8 KiB, trimmed of surrounding whitespace.
 * `null`/`undefined` entries are skipped (neither sent nor signed). Names that differ only in
 * case are rejected.
 */
/**
 * Bytes the package copies in (keys, salts, master secrets, `aad`, hasher input): an
 * `ArrayBuffer` or any genuine typed array / `DataView`, read as the bytes it views. A Proxy,
 * an object with a typed array's prototype, or a detached buffer is `ERR_INVALID_ARGUMENT`.
 */
export type Bytes = ArrayBufferView | ArrayBuffer;

export type HeaderMap = Record<string, string | number | boolean | null | undefined>;

/**
 * Query values: strings or finite numbers; `null`/`undefined` is a parameter without a
 * value (`?uploads`), signed as `uploads=`.
 */
export type QueryMap = Record<string, string | number | null | undefined>;

export interface CosSignerOptions {
  /** Seconds to add to this device's clock when `expires` becomes a key time (COS's clock minus this device's, see `clockOffsetFromResponse`). Whole seconds, at most a day either way. */
  clockOffset?: number;
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
  /** Allow SSE-C keys over plain http, only to a literal loopback endpoint (`127.x.y.z`, `[::1]`, `localhost`). */
  allowInsecureLocal?: boolean;
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
  /** Seconds added to this device's clock for `expires` (settable; see `withClockRetry`). */
  clockOffset: number;
  /** The `Authorization` header value (`q-sign-algorithm=sha1&q-ak=…`). */
  authorization(options: AuthorizationOptions): string;
  /** A pre-signed URL. `host` is always signed; other signed headers must be sent as given. */
  presignUrl(options: PresignOptions): string;
  /** Signs a POST Object policy and returns the form fields. */
  signPostPolicy(options: PostPolicyOptions): PostPolicyFields;
  /**
   * A request ready for `fetch`: the URL and every header to send (Authorization, the
   * security token, SSE headers). Host is signed but not returned (fetch sets it).
   */
  signRequest(options: SignRequestOptions): SignedRequest;
  /**
   * A pre-signed URL plus the signed headers the caller must send with it (SSE-C and
   * SSE-KMS headers, and any other signed header given). No key material is put in the URL.
   */
  presignRequest(options: SignRequestOptions): SignedRequest;
  /** A complete, signed POST Object form. Send `fields` in order, then `file` last (see {@link postFormData}). */
  postObjectForm(options: PostObjectFormOptions): PostObjectForm;
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

// ---------------------------------------------------------------------------------------
// Server-side encryption

export type SseAlgorithm = 'AES256' | 'SM4';

/** SSE-COS: COS-managed keys. */
export interface SseCos {
  type: 'SSE-COS';
  algorithm?: SseAlgorithm;
}

/** SSE-KMS: keys managed by Tencent KMS. `context` is sent as base64 of its JSON. */
export interface SseKms {
  type: 'SSE-KMS';
  kmsKeyId?: string;
  context?: Record<string, string>;
  algorithm?: SseAlgorithm;
}

/**
 * SSE-C: a customer-provided key (AES256: 32 bytes; SM4: 16 bytes, an assumption since COS
 * documents SM4 SSE-C only briefly). The key-MD5 is computed for you; `keyMd5`, if given,
 * must match.
 */
export interface SseC {
  type: 'SSE-C';
  key: CustomerKey | Bytes | string;
  algorithm?: SseAlgorithm;
  keyMd5?: string;
}

export type Sse = SseCos | SseKms | SseC;

export type CosOperation =
  | 'PutObject'
  | 'PostObject'
  | 'InitiateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'GetObject'
  | 'HeadObject'
  | 'CopyObject'
  | 'UploadPartCopy'
  | 'AppendObject';

export type SignRequestOptions = RequestParts &
  EndpointOptions &
  Validity & {
    sse?: Sse;
    /** The SSE-C key of the copy source (CopyObject / UploadPartCopy). */
    copySourceSse?: { key: CustomerKey | Bytes | string; algorithm?: SseAlgorithm };
    /** Inferred from method, query and headers when omitted. */
    operation?: CosOperation;
    /**
     * What a write (PutObject, InitiateMultipartUpload, CopyObject, AppendObject) fixes when
     * `headers` do not set it; the header is added with its default, signed and returned to
     * send. Every header in `headers` is signed whatever this says.
     */
    pin?: RequestPin;
  };

/** Attributes a signed or pre-signed write pins when not given (see `SignRequestOptions.pin`). */
export interface RequestPin {
  /** `x-cos-acl: default` unless `x-cos-acl` / `x-cos-grant-*` is given. Default `true`. */
  acl?: boolean;
  /** `Content-Type: application/octet-stream` unless given. Default `false`. */
  contentType?: boolean;
  /** `x-cos-storage-class: STANDARD` unless given. Default `false`. */
  storageClass?: boolean;
}

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
}

export type PostObjectFormOptions = EndpointOptions &
  Validity &
  ({ key: string; keyPrefix?: undefined } | { keyPrefix: string; key?: undefined }) & {
    sse?: Sse;
    /** `[min, max]` bytes: COS answers EntityTooSmall / EntityTooLarge outside it. */
    contentLengthRange?: [number, number];
    contentType?: string;
    successActionStatus?: 200 | 201 | 204;
    successActionRedirect?: string;
    /** `x-cos-meta-*` metadata (names with or without the prefix). */
    meta?: Record<string, string>;
    storageClass?: string;
    acl?: string;
    /**
     * Extra policy conditions, e.g. `['starts-with', '$Cache-Control', '']`. Their fields must
     * be in the form too. A condition on Content-Type, acl or x-cos-storage-class needs that
     * option set, or `strict: false`.
     */
    conditions?: Array<Record<string, string> | (string | number)[]>;
    /**
     * Default `true`: `contentType`, `acl` and `storageClass`, when not given, are pinned to
     * `application/octet-stream`, `default` and `STANDARD` (form fields with exact
     * conditions), so a holder cannot upload `text/html` as `public-read`.
     */
    strict?: boolean;
    /** Accept a `keyPrefix` that is empty once normalised (`''`, `'/'`): the whole bucket. Default `false` (`ERR_KEY_PREFIX_EMPTY`). */
    allowEmptyKeyPrefix?: boolean;
  };

export interface PostObjectForm {
  /** Where to POST the form. */
  url: string;
  /** Form fields in order (`key` first, signature fields last); `file` goes after them. */
  fields: Record<string, string>;
}

/** SSE headers (or, for `PostObject`, form fields) for one operation. */
export function sseHeaders(sse: Sse, operation: CosOperation): Record<string, string>;

/** The `x-cos-copy-source-server-side-encryption-customer-*` headers for an SSE-C copy source. */
export function copySourceSseHeaders(key: CustomerKey | Bytes | string, algorithm?: SseAlgorithm): Record<string, string>;

/** An unsigned URL (public-read objects). Refuses SSE-KMS (`ERR_SSE_KMS_ANONYMOUS`) and SSE-C objects. */
export function objectUrl(options: EndpointOptions & { key: string; sse?: Sse }): string;

export interface BucketEncryptionConfig {
  algorithm: 'AES256' | 'SM4' | 'KMS';
  kmsKeyId?: string;
}

/** The body of `PUT /?encryption`. */
export function bucketEncryptionXml(config: BucketEncryptionConfig): string;
/** Parses the body of `GET /?encryption`. */
export function parseBucketEncryptionXml(xml: string): BucketEncryptionConfig;

/** The multipart body of a POST upload: `form.fields` in order, then `file` last. */
export function postFormData(form: PostObjectForm, file: Blob, filename?: string): FormData;

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

export interface HashOptions {
  algorithms?: Array<'crc64' | 'md5' | 'sha1'>;
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

/** Hashes a Blob/File, ReadableStream, ArrayBuffer or typed array in chunks. */
export function hashInput(input: Blob | ReadableStream<Uint8Array> | ArrayBuffer | ArrayBufferView, options?: HashOptions): Promise<HashResult>;

// ---------------------------------------------------------------------------------------
// Troubleshooting COS refusals
// ---------------------------------------------------------------------------------------

/** The part of a request a difference is about. */
export type MismatchComponent = 'method' | 'path' | 'params' | 'headers' | 'keyTime' | 'credentials' | 'other';

/** One difference between what was signed and what COS hashed. Never contains a secret. */
export interface MismatchDifference {
  component: MismatchComponent;
  /** Stable cause code, e.g. `PATH_PLUS_AS_SPACE`, `PATH_DOT_SEGMENTS`, `PATH_UNICODE_NORMALIZATION`, `HEADER_WHITESPACE`, `HEADER_MISSING`, `HEADER_NON_ASCII`, `PARAM_VALUE`, `KEY_TIME`, `CLOCK_SKEW`, `SECRET_KEY`, `SECRET_ID`. */
  cause: string;
  message: string;
}

export interface MismatchExplanation {
  /** COS's error code, e.g. `SignatureDoesNotMatch`. */
  code: string;
  requestId: string | null;
  /** Every difference's message, joined. */
  message: string;
  differences: MismatchDifference[];
}

/** What was signed: a `signRequest`/`presignRequest` result (with `method` when not GET), a pre-signed URL, or the options given to `authorization`/`presignUrl`. */
export type SignedInput = string | { url: string; headers?: HeaderMap; method?: HttpMethod } | (RequestParts & EndpointOptions & Partial<Validity>);

/** Compares COS's error body (its `<FormatString>` / `<StringToSign>`) with what was signed and names each difference. */
export function explainSignatureMismatch(errorXml: string, signed: SignedInput): MismatchExplanation;

/** `{ code, message, requestId }` of a COS `<Error>` body. */
export function parseCosErrorXml(xml: string): { code: string; message: string; requestId: string | null };

/** COS's clock minus this device's, in seconds, from a response's `Date` header (in a browser, `Date` must be in the bucket's CORS ExposeHeaders). */
export function clockOffsetFromResponse(response: { headers: { get(name: string): string | null } }): number;

/** A CosError for a failed COS response. */
export interface CosResponseError extends CosError {
  code: 'ERR_SIGNATURE_MISMATCH' | 'ERR_CLOCK_SKEW' | 'ERR_COS_RESPONSE';
  /** COS's error code, or `HTTP <status>` when the body is not a COS error. */
  cosCode: string;
  status: number;
  requestId?: string;
  /** With `ERR_SIGNATURE_MISMATCH`, when what was signed is given. */
  explanation?: MismatchExplanation;
  /** With `ERR_CLOCK_SKEW`, when the response has a readable `Date`. */
  clockOffset?: number;
}

/** Reads a failed response's body and resolves to the matching CosError (it does not throw it). */
export function cosErrorFromResponse(response: Response, signed?: SignedInput): Promise<CosResponseError>;

/** Runs `attempt`; on `ERR_CLOCK_SKEW` with a `clockOffset`, sets `signer.clockOffset` and runs it once more. */
export function withClockRetry<T>(signer: CosSigner, attempt: () => Promise<T>): Promise<T>;
/** Options of {@link tc3Authorization}. */
export interface Tc3AuthorizationOptions {
  secretId: string;
  secretKey: string;
  /** `GET` or `POST` (upper case). */
  method: 'GET' | 'POST';
  /** The URL exactly as it will be fetched (path and query are signed byte for byte; a URL `fetch` would rewrite is refused with `ERR_INVALID_URL`). */
  url: string;
  /** The exact `Content-Type` header sent, lower case, e.g. `application/json`. */
  contentType: string;
  /** The exact request body (empty for `GET`). */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | null;
  /** Unix seconds, sent as `X-TC-Timestamp`. */
  timestamp: number;
  /** The service of the host, e.g. `sts`. */
  service: string;
}

/**
 * The `Authorization` header value of a Tencent Cloud API v3 request (TC3-HMAC-SHA256, signing
 * `content-type;host`). Send it with `Content-Type`, `X-TC-Action`, `X-TC-Version`,
 * `X-TC-Timestamp` (= `timestamp`), `X-TC-Region` and, with temporary keys, `X-TC-Token`.
 */
export function tc3Authorization(options: Tc3AuthorizationOptions): string;

/** COS object actions {@link cosPolicy} accepts (bare or as `name/cos:<Action>`). */
export type CosObjectAction =
  | 'GetObject' | 'HeadObject' | 'OptionsObject' | 'PutObject' | 'PostObject' | 'AppendObject' | 'DeleteObject'
  | 'InitiateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts'
  | 'GetObjectACL' | 'PutObjectACL' | 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging' | 'PostObjectRestore';

/** `upload` = PostObject, PutObject, InitiateMultipartUpload, UploadPart, CompleteMultipartUpload; `download` = GetObject, HeadObject. */
export type CosActionPreset = 'upload' | 'download';

export interface CosPolicyConditions {
  /** Largest request body in bytes (`cos:content-length`, on PutObject, PostObject, AppendObject, UploadPart: it bounds each part, not a whole multipart object). */
  maxContentLength?: number;
  /** Smallest request body in bytes (as `maxContentLength`). */
  minContentLength?: number;
  /** Exact `Content-Type` values allowed on requests that create objects (`cos:content-type`). */
  contentTypes?: string | string[];
  /** The SSE mode uploads must request (condition keys UNCONFIRMED by COS docs; fails closed). */
  requireSse?: 'SSE-COS' | 'SSE-KMS' | 'SSE-C';
  /** Allowed `x-cos-storage-class` values. */
  storageClasses?: string | string[];
  /** Source addresses or CIDR ranges (`qcs:ip`, every action). */
  sourceIps?: string | string[];
  /**
   * Allowed `x-cos-acl` values (`cos:x-cos-acl`) on requests that create objects and on
   * PutObjectACL; uploads must then send `x-cos-acl` (a request without it is refused).
   */
  acl?: 'default' | 'private' | 'public-read' | Array<'default' | 'private' | 'public-read'>;
}

/** One allow grant: actions on every key under `prefix` (ending in `/`) or on exact `keys`. */
export type CosPolicyGrant = {
  actions: CosActionPreset | CosObjectAction | Array<CosActionPreset | CosObjectAction | `name/cos:${CosObjectAction}`>;
  conditions?: CosPolicyConditions;
} & ({ prefix: string; keys?: undefined } | { keys: string[]; prefix?: undefined });

export interface CosPolicyOptions {
  bucket: string;
  region: string;
  allow: CosPolicyGrant[];
}

/** The CAM policy JSON text (version 2.0) for STS `GetFederationToken` / `AssumeRole`. Unknown actions, conditions or fields throw. */
export function cosPolicy(options: CosPolicyOptions): string;

/** Temporary credentials from STS. */
export interface TemporaryCredentials {
  tmpSecretId: string;
  tmpSecretKey: string;
  /** `x-cos-security-token` (CosSigner's `securityToken`). */
  sessionToken: string;
  /** Unix seconds. */
  expiredTime: number;
  /** ISO 8601. */
  expiration: string;
  requestId?: string;
}

interface StsCallOptions {
  /** Permanent (or temporary, with `securityToken`) key of the caller. Keep it on a server. */
  secretId: string;
  secretKey: string;
  /** Sent as `X-TC-Token` when the caller itself uses temporary keys. */
  securityToken?: string;
  /** `X-TC-Region`, e.g. `ap-guangzhou`. */
  region: string;
  /** Default `https://sts.tencentcloudapi.com/`; plain http only for loopback test servers. */
  endpoint?: string;
  /** Lifetime; default 1800 s. */
  durationSeconds?: number;
  signal?: AbortSignal;
  /** Default 10000 ms; a timeout is `ERR_TIMEOUT`. */
  timeoutMs?: number;
  /** A fetch implementation (default `globalThis.fetch`). */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
}

export interface GetFederationTokenOptions extends StsCallOptions {
  /** The federated user's name. */
  name: string;
  /** CAM policy object or JSON text (e.g. from {@link cosPolicy}); URL-encoded for you. */
  policy: string | object;
}

export interface AssumeRoleOptions extends StsCallOptions {
  roleArn: string;
  roleSessionName: string;
  policy?: string | object;
}

/** STS GetFederationToken (durationSeconds at most 7200). STS errors are `ERR_STS` with `tencentCode` and `requestId`. */
export function getFederationToken(options: GetFederationTokenOptions): Promise<TemporaryCredentials>;

/** STS AssumeRole (durationSeconds at most 43200). */
export function assumeRole(options: AssumeRoleOptions): Promise<TemporaryCredentials>;

export interface CredentialsProvider {
  /** Cached credentials, refreshed once fewer than `marginSeconds` remain (one refresh for concurrent callers). */
  get(): Promise<TemporaryCredentials>;
  /** A CosSigner for the current credentials. */
  signer(): Promise<CosSigner>;
  /** Drops the cache; the next `get()` fetches. */
  invalidate(): void;
}

export interface CredentialsProviderOptions {
  /** Refresh when fewer than this many seconds remain (default 300). */
  marginSeconds?: number;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
}

/** Caches the credentials `source` resolves to (e.g. a `getFederationToken` call). */
export function credentialsProvider(
  source: () => Promise<Pick<TemporaryCredentials, 'tmpSecretId' | 'tmpSecretKey' | 'sessionToken' | 'expiredTime'> & Partial<TemporaryCredentials>>,
  options?: CredentialsProviderOptions,
): CredentialsProvider;
