// Type definitions for cos-wasm/explain: reading and writing COS XML (why COS refused a signature, COS error bodies, bucket default encryption). Hand-written: this file is the public contract.
import type { CosError, CosResponseError, InitInput, MismatchExplanation, SignedInput } from '../index.js';

/** Loads this entry's WebAssembly module (`cos_wasm_explain_bg.wasm`). Required once in browsers (before any other call of this entry; each entry has its own module and its own `init`); a no-op in Node and workerd, where the module is ready at import. */
export function init(input?: InitInput | Promise<InitInput> | { module_or_path: InitInput | Promise<InitInput> }): Promise<void>;

/** Synchronous instantiation from bytes or a compiled module. */
export function initSync(options: { module: BufferSource | WebAssembly.Module }): unknown;

/** Type guard for {@link CosError} (the same test in every entry). */
export function isCosError(value: unknown): value is CosError;
/** Whether `host` (a WHATWG URL `hostname`) is literal loopback: 127.x.y.z, `localhost` (any case) or `[::1]`. The package's one rule (src/endpoint.rs). */
export function isLoopbackHost(host: string): boolean;
/** Whether a secret (an SSE-C key, a token) may travel to `scheme` (`'https:'`, `'http:'`) + `host`: https, or http to a loopback host when `allowLocal`. The package's one rule (src/endpoint.rs). */
export function secretTransportAllowed(scheme: string, host: string, allowLocal: boolean): boolean;

/** Compares COS's error body (its `<FormatString>` / `<StringToSign>`) with what was signed and names each difference. */
export function explainSignatureMismatch(errorXml: string, signed: SignedInput): MismatchExplanation;

/** `{ code, message, requestId }` of a COS `<Error>` body. */
export function parseCosErrorXml(xml: string): { code: string; message: string; requestId: string | null };

/** Reads a failed response's body and resolves to the matching CosError (it does not throw it); for `SignatureDoesNotMatch` with `signed`, its `explanation` names each difference. */
export function cosErrorFromResponse(response: Response, signed?: SignedInput): Promise<CosResponseError>;

/** A bucket's default encryption rule: the `<SSEAlgorithm>` (`KMS`, not `cos/kms`) and, for `KMS`, the optional `<KMSMasterKeyID>` (default: the CMK COS creates). */
export interface BucketEncryptionConfig {
  algorithm: 'AES256' | 'SM4' | 'KMS';
  kmsKeyId?: string;
}

/** The `<ServerSideEncryptionConfiguration>` body of `PUT /?encryption`. */
export function bucketEncryptionXml(config: BucketEncryptionConfig): string;

/** Parses the body of `GET /?encryption` (`ERR_INVALID_XML` if it is not one). */
export function parseBucketEncryptionXml(xml: string): BucketEncryptionConfig;
