// Type definitions for cos-wasm/sts: TC3 signing, CAM policies and the STS client. Hand-written: this file is the public contract.
import type { CosError, CosSigner, InitInput } from '../index.js';

/** Loads this entry's WebAssembly module (`cos_wasm_sts_bg.wasm`). Required once in browsers (before any other call of this entry; each entry has its own module and its own `init`); a no-op in Node and workerd, where the module is ready at import. */
export function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;

/** Synchronous instantiation from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;

/** Type guard for {@link CosError} (the same test in every entry). */
export function isCosError(value: unknown): value is CosError;
/** Whether `host` (a WHATWG URL `hostname`) is literal loopback: 127.x.y.z, `localhost` (any case) or `[::1]`. The package's one rule (src/endpoint.rs). */
export function isLoopbackHost(host: string): boolean;
/** Whether a secret (an SSE-C key, a token) may travel to `scheme` (`'https:'`, `'http:'`) + `host`: https, or http to a loopback host when `allowLocal`. The package's one rule (src/endpoint.rs). */
export function secretTransportAllowed(scheme: string, host: string, allowLocal: boolean): boolean;

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
  | 'InitiateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload' | 'ListParts' | 'ListMultipartUploads'
  | 'GetObjectACL' | 'PutObjectACL' | 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging' | 'PostObjectRestore';

/** `upload` = PostObject, PutObject, InitiateMultipartUpload, UploadPart, CompleteMultipartUpload, ListMultipartUploads, ListParts (the official resumable uploaders list first); `download` = GetObject, HeadObject. */
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
  /** A CosSigner (of the `cos-wasm` entry, imported on first use) for the current credentials. */
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
