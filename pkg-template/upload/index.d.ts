// Type definitions for cos-wasm/upload. Hand-written: this file is the public contract.
import type { EndpointOptions, SignRequestOptions, SignedRequest } from '../index.js';

/** The COS request a step of the upload needs signed. */
export interface UploadStepRequest {
  operation: 'PutObject' | 'InitiateMultipartUpload' | 'UploadPart' | 'ListParts' | 'CompleteMultipartUpload' | 'AbortMultipartUpload';
  method: 'PUT' | 'POST' | 'GET' | 'DELETE';
  /** The object key. */
  key: string;
  /** Sub-resources and parameters (`uploads`, `uploadId`, `partNumber`, …); `null` is a parameter without a value. */
  query: Record<string, string | number | null>;
  /**
   * Headers to send (and sign): Content-Type, SSE headers, the SSE-C algorithm and key-MD5.
   * Never the SSE-C key itself: uploadFile adds that header when it sends.
   */
  headers: Record<string, string>;
  uploadId?: string;
  partNumber?: number;
  /** Bytes in the body (PutObject, UploadPart; with `strict`, every PUT and POST step, 0 without a body). */
  contentLength?: number;
}

/**
 * What `presign` resolves to: where to send the step and the signed headers to send with it.
 * Read once: `url` must be http(s) without credentials (`ERR_INVALID_URL`); steps that carry
 * the SSE-C key go only to https, or to a loopback host over http with `allowInsecureLocal`
 * (`ERR_SSE_C_REQUIRES_HTTPS`). A callback that throws fails the upload with `ERR_SIGNING_FAILED`.
 */
export interface PresignedStep {
  url: string;
  headers?: Record<string, string>;
}

/** Anything with `signRequest` (a `CosSigner`, e.g. from temporary credentials). */
export interface UploadSigner {
  signRequest(options: SignRequestOptions): SignedRequest;
  /** Corrected once on `RequestTimeTooSkewed` (see `withClockRetry`). */
  clockOffset?: number;
}

/** Where resume state is kept (default: IndexedDB in browsers, memory elsewhere). */
export interface UploadStore {
  get(id: string): Promise<unknown>;
  put(id: string, state: unknown): Promise<unknown>;
  delete(id: string): Promise<unknown>;
}

export interface UploadProgress {
  loaded: number;
  total: number;
  partsDone: number;
  partsTotal: number;
}

/** Read once, own properties only (nothing is taken from `Object.prototype`). */
interface UploadOptionsBase extends Partial<EndpointOptions> {
  /** The object key. */
  key: string;
  /**
   * The COS origin every step must go to (e.g. `https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com`),
   * when the endpoint options (`bucket`, `region`, `domain`, …) are not given: a signed URL for any other origin is
   * `ERR_INVALID_URL`. With `presign`, one of the two is required.
   */
  origin?: string;
  /**
   * SSE headers, e.g. `sseHeaders({ type: 'SSE-C', key }, 'UploadPart')` or
   * `sseHeaders({ type: 'SSE-KMS' }, 'InitiateMultipartUpload')`: all are sent on initiate (or
   * the single PUT); the SSE-C triple also on every UploadPart and ListParts.
   */
  sse?: Record<string, string>;
  /** Extra headers for initiate / the single PUT (e.g. `x-cos-meta-*`, `Cache-Control`). */
  headers?: Record<string, string>;
  /** Default `file.type`, else `application/octet-stream`. */
  contentType?: string;
  /**
   * Strict signing, default `true` (README "Strict buckets and size-bound PUT URLs"): every
   * PUT and POST step carries and signs its exact `Content-Length` and a `Content-Type`
   * (`application/octet-stream` on parts), as a bucket in COS's strict mode demands; a
   * `signer` is called with `strict`. `false` signs as before.
   */
  strict?: boolean;
  /** Bytes per part: 1 MiB to 5 GiB, default 8 MiB (raised if the file would need over 10,000 parts). Files up to `multipartThreshold` go in one PUT. */
  partSize?: number;
  /** Files of at most this many bytes go in one PutObject (default `partSize`); `0`: always multipart (e.g. a signer of multipart steps only; an empty file still goes in one PUT). */
  multipartThreshold?: number;
  /** Parts in flight, 1–16, default 4. Each is sent as the file's slice (not held in memory) and hashed through a 256 KiB buffer. */
  concurrency?: number;
  /** Retries per request on network errors, 5xx and 429 (backoff with jitter), default 4. */
  retries?: number;
  /** Seconds a `signer` signature is valid, default 900. */
  expires?: number;
  /**
   * Milliseconds a read of the file may deliver nothing before it is cancelled and retried
   * (counted against `retries`), default 30,000: Chromium now and then never settles a read of
   * a large in-memory Blob that fetch is sending at the same time.
   */
  readStallTimeout?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Stops the upload (`ERR_ABORTED`) and keeps its state for a later resume (with `resume: false` the multipart upload is aborted instead). */
  signal?: AbortSignal;
  /** Default `true`: keep state in `store` and resume a matching upload. With `false`, a failed or stopped multipart upload is aborted at COS (nothing to resume from). */
  resume?: boolean;
  store?: UploadStore;
  /**
   * Default `true` (with `resume` and `signer`, without `sse` or `headers`): when `store` has
   * nothing for the file, continue an upload of the key left open elsewhere (the official SDKs'
   * `sliceUploadFile`, another device, cleared site data): ListMultipartUploads, then ListParts;
   * parts whose ETag is the MD5 of the same bytes of the file are reused, and examined uploads
   * that cannot be used are aborted. Needs ListMultipartUploads (the `upload` preset of
   * `cosPolicy` grants it); without it a new upload starts, as with `false`. Aborting needs
   * AbortMultipartUpload, which that preset does not grant.
   */
  adoptOpenUploads?: boolean;
  /** Default the global `fetch`. */
  fetch?: typeof fetch;
}

export type UploadOptions = UploadOptionsBase &
  (
    | { signer: UploadSigner; bucket: string; region: string; presign?: undefined }
    | { presign: (request: UploadStepRequest) => Promise<PresignedStep> | PresignedStep; signer?: undefined; origin: string }
    | { presign: (request: UploadStepRequest) => Promise<PresignedStep> | PresignedStep; signer?: undefined; bucket: string; region: string }
  );

export interface UploadResult {
  key: string;
  /** Multipart uploads only. */
  uploadId?: string;
  etag: string | null;
  location?: string;
  /** The object's CRC-64 (decimal), checked against COS's `x-cos-hash-crc64ecma`. */
  crc64: string;
  size: number;
  /** 0 for a single PUT. */
  parts: number;
  /** Parts found finished (confirmed by ListParts) and not sent again. */
  resumedParts: number;
}

/** A running upload: await it (or `done`). */
export interface UploadTask extends PromiseLike<UploadResult> {
  done: Promise<UploadResult>;
  catch<T = never>(onrejected?: ((reason: unknown) => T | PromiseLike<T>) | null): Promise<UploadResult | T>;
  finally(onfinally?: (() => void) | null): Promise<UploadResult>;
  /** Aborts the requests in flight; they are sent again on `resume()`. */
  pause(): void;
  resume(): void;
  /** Stops, aborts the multipart upload at COS (AbortMultipartUpload) and forgets its state; `done` rejects with `ERR_ABORTED`. Once CompleteMultipartUpload is sent it is too late: `done` resolves with the result. */
  cancel(): Promise<void>;
  readonly uploadId: string | undefined;
  /** HTTP requests sent so far. */
  readonly requests: number;
}

/**
 * Uploads a Blob/File: one PUT up to `partSize`, else a resumable, concurrent multipart upload
 * with SSE on every step and the whole object's CRC-64 checked after Complete
 * (`ERR_CRC64_MISMATCH`). A part answer without a readable ETag is `ERR_CORS_ETAG_NOT_EXPOSED`.
 */
export function uploadFile(file: Blob, options: UploadOptions): UploadTask;

/** Resume state in memory. */
export function memoryStore(): UploadStore;
/** Resume state in IndexedDB (database `name`, default `cos-wasm-uploads`). */
export function indexedDbStore(name?: string): UploadStore;
