// Type definitions for cos-wasm (the signer entry; the types the other entries share).
// Hand-written: this file is the public contract.
import type { CustomerKey as KeysCustomerKey } from './keys/index.js';

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
  | 'ERR_WASM_CSP'
  | 'ERR_WASM_FETCH'
  | 'ERR_WASM_HTML'
  | 'ERR_WASM_MIME'
  | 'ERR_WASM_INVALID'
  | 'ERR_MOVED'
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
  | 'ERR_FILE_NOT_READABLE'
  | 'ERR_INVALID_CDN_AUTH'
  | 'ERR_STRICT_SIGN_MISSING_HEADER'
  | 'ERR_SIGNING_FAILED'
  | 'ERR_UNEXPECTED';

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
/** Whether `host` (a WHATWG URL `hostname`) is literal loopback: 127.x.y.z, `localhost` (any case) or `[::1]`. The package's one rule (src/endpoint.rs). */
export function isLoopbackHost(host: string): boolean;
/** Whether a secret (an SSE-C key, a token) may travel to `scheme` (`'https:'`, `'http:'`) + `host`: https, or http to a loopback host when `allowLocal`. The package's one rule (src/endpoint.rs). */
export function secretTransportAllowed(scheme: string, host: string, allowLocal: boolean): boolean;

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
  /**
   * Strict signing, the default of every call (each call may pass its own `strict`). For
   * buckets in COS's strict mode, which refuse a write whose `Content-Type` and
   * `Content-Length` are not signed: a PUT or POST with a body must give both headers
   * (else `ERR_STRICT_SIGN_MISSING_HEADER`, nothing is signed); a bodyless one
   * (InitiateMultipartUpload, CopyObject, UploadPartCopy) signs `Content-Length: 0`. With
   * both headers, `presignRequest` gives a PUT URL for exactly this size and type. Default `false`.
   */
  strict?: boolean;
}

interface RequestParts {
  method: HttpMethod;
  /** Object key; a leading `/` is accepted. Empty or omitted for bucket-level calls. */
  key?: string;
  query?: QueryMap;
  headers?: HeaderMap;
  /** Extra header names to sign beyond the defaults (for example `date`). */
  signHeaders?: string[];
  /** Strict signing for this call (see `CosSignerOptions.strict`); the signer's default when omitted. */
  strict?: boolean;
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
export function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;

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
  key: KeysCustomerKey | Bytes | string;
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
    copySourceSse?: { key: KeysCustomerKey | Bytes | string; algorithm?: SseAlgorithm };
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
  /** The method that was signed, upper-case (`'PUT'`): pass it to fetch; `cosErrorFromResponse(res, signed)` compares it. */
  method: string;
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
export function copySourceSseHeaders(key: KeysCustomerKey | Bytes | string, algorithm?: SseAlgorithm): Record<string, string>;

/** An unsigned URL (public-read objects). Refuses SSE-KMS (`ERR_SSE_KMS_ANONYMOUS`) and SSE-C objects. */
export function objectUrl(options: EndpointOptions & { key: string; sse?: Sse }): string;

// ---------------------------------------------------------------------------------------
// Tencent CDN / EdgeOne URL authentication

export interface CdnAuthOptions {
  /** The authentication type configured on the CDN / EdgeOne domain. */
  type: 'A' | 'B' | 'C' | 'D';
  /**
   * Absolute `http(s)://host[:port]/path[?query]` URL on the CDN domain, percent-encoded as
   * it will be sent (`/%E7%8C%AB%20a.jpg`, not `/猫 a.jpg`: that is `ERR_INVALID_URL`). An
   * existing query is kept.
   */
  url: string;
  /** The domain's authentication key (6–40 ASCII letters and digits). Never logged or put in an error. */
  key: string;
  /** Unix seconds (not milliseconds) when the URL is signed; the CDN adds the domain's validity period. */
  timestamp: number;
  /** Type A: the random string (0–100 letters and digits). Drawn from `crypto.getRandomValues` when omitted. */
  rand?: string;
  /** Type A: the user id. Default `'0'`. */
  uid?: string;
  /** Types A and D: the signature parameter's name. Default `'sign'`. */
  signParam?: string;
  /** Type D: the timestamp parameter's name. Default `'t'`. */
  timeParam?: string;
  /** Type D: how the timestamp is written. Default `'decimal'`. */
  timeFormat?: 'decimal' | 'hex';
}

/**
 * A URL authenticated for a Tencent CDN / EdgeOne domain (types A–D). COS pre-signed URLs
 * are not valid on a CDN domain; this is. Bad input is a `CosError`: `ERR_INVALID_CDN_AUTH`
 * (type, key, rand, uid, parameter names, an option the type does not use),
 * `ERR_INVALID_URL`, `ERR_INVALID_TIMESTAMP`, `ERR_DUPLICATE_QUERY_PARAM`.
 */
export function cdnAuthUrl(options: CdnAuthOptions): string;

/**
 * The multipart body of a POST upload: `form.fields` in order, then `file` last. Needs no
 * `init()`: a page that posts a form its worker signed never downloads the signer's `.wasm`.
 */
export function postFormData(form: PostObjectForm, file: Blob, filename?: string): FormData;

// ---------------------------------------------------------------------------------------
// Troubleshooting COS refusals
// ---------------------------------------------------------------------------------------

/** The part of a request a difference is about. */
export type MismatchComponent = 'method' | 'path' | 'params' | 'headers' | 'keyTime' | 'credentials' | 'other';

/** Why what was signed differs from what COS hashed: the stable `cause` codes (`MISMATCH_CAUSES` in src/explain.rs). */
export type MismatchCause =
  | 'CLOCK_SKEW'
  | 'HEADER_CASE'
  | 'HEADER_LIST'
  | 'HEADER_MISSING'
  | 'HEADER_NON_ASCII'
  | 'HEADER_PLUS'
  | 'HEADER_VALUE'
  | 'HEADER_WHITESPACE'
  | 'KEY_TIME'
  | 'METHOD'
  | 'NOT_A_SIGNATURE_ERROR'
  | 'NO_DETAIL'
  | 'PARAM_CASE'
  | 'PARAM_LIST'
  | 'PARAM_MISSING'
  | 'PARAM_NON_ASCII'
  | 'PARAM_PLUS'
  | 'PARAM_VALUE'
  | 'PARAM_WHITESPACE'
  | 'PATH'
  | 'PATH_DOT_SEGMENTS'
  | 'PATH_ENCODED_SLASH'
  | 'PATH_PLUS_AS_SPACE'
  | 'PATH_SPACE_AS_PLUS'
  | 'PATH_UNICODE_NORMALIZATION'
  | 'SECRET_ID'
  | 'SECRET_KEY'
  | 'STRICT_SIGN';

/** One difference between what was signed and what COS hashed. Never contains a secret. */
export interface MismatchDifference {
  component: MismatchComponent;
  /** Stable cause code, e.g. `PATH_PLUS_AS_SPACE`, `PATH_DOT_SEGMENTS`, `PATH_UNICODE_NORMALIZATION`, `HEADER_WHITESPACE`, `HEADER_MISSING`, `HEADER_NON_ASCII`, `PARAM_VALUE`, `KEY_TIME`, `CLOCK_SKEW`, `SECRET_KEY`, `SECRET_ID`. */
  cause: MismatchCause;
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

// ---------------------------------------------------------------------------------------
// Names that moved to other entries: each is a stub that throws a CosError `ERR_MOVED`
// naming its new import on any use.
// ---------------------------------------------------------------------------------------

/** @deprecated Moved: `import { CustomerKey } from 'cos-wasm/keys'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const CustomerKey: never;

/** @deprecated Moved: `import { WrappingKey } from 'cos-wasm/keys'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const WrappingKey: never;

/** @deprecated Moved: `import { Crc64 } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const Crc64: never;

/** @deprecated Moved: `import { Md5 } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const Md5: never;

/** @deprecated Moved: `import { Sha1 } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const Sha1: never;

/** @deprecated Moved: `import { hashInput } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const hashInput: never;

/** @deprecated Moved: `import { crc64Combine } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const crc64Combine: never;

/** @deprecated Moved: `import { verifyCrc64 } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const verifyCrc64: never;

/** @deprecated Moved: `import { verifyResponseCrc64 } from 'cos-wasm/hash'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const verifyResponseCrc64: never;

/** @deprecated Moved: `import { tc3Authorization } from 'cos-wasm/sts'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const tc3Authorization: never;

/** @deprecated Moved: `import { cosPolicy } from 'cos-wasm/sts'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const cosPolicy: never;

/** @deprecated Moved: `import { getFederationToken } from 'cos-wasm/sts'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const getFederationToken: never;

/** @deprecated Moved: `import { assumeRole } from 'cos-wasm/sts'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const assumeRole: never;

/** @deprecated Moved: `import { credentialsProvider } from 'cos-wasm/sts'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const credentialsProvider: never;

/** @deprecated Moved: `import { explainSignatureMismatch } from 'cos-wasm/explain'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const explainSignatureMismatch: never;

/** @deprecated Moved: `import { parseCosErrorXml } from 'cos-wasm/explain'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const parseCosErrorXml: never;

/** @deprecated Moved: `import { bucketEncryptionXml } from 'cos-wasm/explain'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const bucketEncryptionXml: never;

/** @deprecated Moved: `import { parseBucketEncryptionXml } from 'cos-wasm/explain'`. Using it from 'cos-wasm' throws `ERR_MOVED`. */
export declare const parseBucketEncryptionXml: never;
