// Type tests for the hand-written index.d.ts: `tsc` must accept the valid calls and
// reject the ones marked @ts-expect-error.
import {
  CosSigner, init, isCosError, sseHeaders, postFormData, cdnAuthUrl,
  type CosErrorCode, type PostPolicyFields, type Sse, type SignedRequest, type PostObjectForm,
} from 'cos-wasm';
import * as signerEntry from 'cos-wasm';
import { CustomerKey, WrappingKey, init as initKeys } from 'cos-wasm/keys';
import { Crc64, hashInput, type HashOptions, type HashResult, init as initHash, verifyResponseCrc64 } from 'cos-wasm/hash';
import {
  tc3Authorization, cosPolicy, getFederationToken, assumeRole, credentialsProvider,
  type TemporaryCredentials, type CredentialsProvider,
} from 'cos-wasm/sts';
import {
  cosErrorFromResponse as explainResponse, explainSignatureMismatch, bucketEncryptionXml, parseBucketEncryptionXml,
  type BucketEncryptionConfig,
} from 'cos-wasm/explain';
import type { MismatchExplanation } from 'cos-wasm';

await Promise.all([initKeys(), initHash({ module_or_path: new URL('https://example.invalid/x.wasm') })]);
// Moved names are typed `never` (and @deprecated): using them from 'cos-wasm' does not compile.
// @ts-expect-error CustomerKey moved to cos-wasm/keys
signerEntry.CustomerKey.generate('AES256');
// @ts-expect-error Crc64 moved to cos-wasm/hash
new signerEntry.Crc64();
// @ts-expect-error bucketEncryptionXml moved to cos-wasm/explain
signerEntry.bucketEncryptionXml({ algorithm: 'AES256' });
// @ts-expect-error parseBucketEncryptionXml moved to cos-wasm/explain
signerEntry.parseBucketEncryptionXml('<ServerSideEncryptionConfiguration/>');
const bucketCfg: BucketEncryptionConfig = parseBucketEncryptionXml(bucketEncryptionXml({ algorithm: 'KMS', kmsKeyId: 'cmk-1' }));
// @ts-expect-error 'cos/kms' is the object header's value; the bucket rule says 'KMS'
bucketEncryptionXml({ algorithm: 'cos/kms' });
void bucketCfg;
const explained: MismatchExplanation = explainSignatureMismatch('<Error/>', 'https://b.cos.ap-x.myqcloud.com/a');
void explained;
void explainResponse;

await init();
const signer = new CosSigner({ secretId: 'id', secretKey: 'key', securityToken: 'tok' });
const auth: string = signer.authorization({ method: 'PUT', key: 'a.txt', headers: { 'Content-Length': 3 }, keyTime: '1;2' });
const url: string = signer.presignUrl({ method: 'GET', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, pathStyle: true, protocol: 'http' });
const fields: PostPolicyFields = signer.signPostPolicy({ policy: { conditions: [] }, keyTime: { start: 1, end: 2 } });
const sig: string = fields['q-signature'];
try {
  signer.authorization({ method: 'GET', keyTime: '1;2' });
} catch (e) {
  if (isCosError(e)) {
    const code: CosErrorCode = e.code;
    void code;
  }
}
// @ts-expect-error keyTime and expires are exclusive
signer.authorization({ method: 'GET', keyTime: '1;2', expires: 5 });
// @ts-expect-error a validity window is required
signer.authorization({ method: 'GET' });
// Header values may be booleans (signed as 'true'/'false', as fetch sends them), not objects.
signer.authorization({ method: 'GET', keyTime: '1;2', headers: { a: true } });
// @ts-expect-error header values are strings, numbers or booleans
signer.authorization({ method: 'GET', keyTime: '1;2', headers: { a: { nested: 1 } } });
// @ts-expect-error secretKey is required
new CosSigner({ secretId: 'id' });
// @ts-expect-error not a code
const bad: CosErrorCode = 'ERR_NOPE';
void [auth, url, sig, bad];
const key = CustomerKey.generate('SM4');
const sses: Sse[] = [{ type: 'SSE-COS' }, { type: 'SSE-KMS', context: { a: 'b' }, algorithm: 'SM4' }, { type: 'SSE-C', key }];
const signed: SignedRequest = signer.signRequest({ method: 'PUT', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, sse: sses[2] });
const form: PostObjectForm = signer.postObjectForm({ bucket: 'b-1', region: 'ap-x', keyPrefix: 'u/', expires: 60, contentLengthRange: [1, 2] });
const body: FormData = postFormData(form, new Blob(['x']));
const headers: Record<string, string> = sseHeaders({ type: 'SSE-C', key: new Uint8Array(32) }, 'GetObject');
const wrapping = WrappingKey.generate('SM4-GCM');
const env: string = key.wrap(wrapping, { aad: 'b/k' });
const back: CustomerKey = CustomerKey.unwrap(env, wrapping, { aad: 'b/k' });
const { params }: { params: string } = CustomerKey.fromPassphrase({ passphrase: 'p', params: 'x' });
const crc = new Crc64();
crc.update(new Uint8Array(1));
const big: bigint = crc.value();
const result: Promise<HashResult> = hashInput(new Blob([]), { algorithms: ['crc64'], onProgress: (d: number, t: number | undefined) => void [d, t] });
// @ts-expect-error unknown SSE type
sseHeaders({ type: 'SSE-X' }, 'PutObject');
// @ts-expect-error unknown operation
sseHeaders({ type: 'SSE-COS' }, 'DeleteObject');
// @ts-expect-error key and keyPrefix are exclusive
signer.postObjectForm({ bucket: 'b-1', region: 'ap-x', key: 'a', keyPrefix: 'u/', expires: 60 });
const pinned: SignedRequest = signer.presignRequest({ method: 'PUT', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, pin: { acl: false, contentType: true, storageClass: true } });
const strictForm: PostObjectForm = signer.postObjectForm({ bucket: 'b-1', region: 'ap-x', keyPrefix: '/', expires: 60, strict: false, allowEmptyKeyPrefix: true });
// @ts-expect-error pin members are booleans
signer.presignRequest({ method: 'PUT', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, pin: { acl: 'private' } });
void [pinned, strictForm];
// Strict signing (issue 27): on the constructor and per call.
const strictSigner = new CosSigner({ secretId: 'id', secretKey: 'k', strict: true });
const bound: SignedRequest = strictSigner.presignRequest({ method: 'PUT', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, headers: { 'Content-Type': 'image/png', 'Content-Length': 1024 }, strict: true });
// @ts-expect-error strict is a boolean
strictSigner.signRequest({ method: 'PUT', key: 'a', bucket: 'b-1', region: 'ap-x', expires: 60, strict: 'yes' });
const strictCode: CosErrorCode = 'ERR_STRICT_SIGN_MISSING_HEADER';
// CDN / EdgeOne URL authentication (issue 27).
const cdnUrl: string = cdnAuthUrl({ type: 'D', url: 'https://cdn.example.com/a.jpg', key: 'abcdef123', timestamp: 1700000000, signParam: 'sign', timeParam: 't', timeFormat: 'hex' });
cdnAuthUrl({ type: 'A', url: 'https://cdn.example.com/a.jpg', key: 'abcdef123', timestamp: 1700000000, rand: 'r', uid: '0' });
// @ts-expect-error unknown type
cdnAuthUrl({ type: 'E', url: 'https://cdn.example.com/a.jpg', key: 'abcdef123', timestamp: 1 });
// @ts-expect-error timestamp is required
cdnAuthUrl({ type: 'B', url: 'https://cdn.example.com/a.jpg', key: 'abcdef123' });
const cdnCode: CosErrorCode = 'ERR_INVALID_CDN_AUTH';
void [bound, strictCode, cdnUrl, cdnCode];
strictSigner.free();
// @ts-expect-error CustomerKey has no public constructor
new CustomerKey();
void [signed, body, headers, back, params, big, result];
signer.free();

// Temporary credentials (issue 14).
const tc3: string = tc3Authorization({ secretId: 'id', secretKey: 'k', method: 'POST', url: 'https://sts.tencentcloudapi.com/', contentType: 'application/json', body: '{}', timestamp: 1, service: 'sts' });
// @ts-expect-error TC3 requests are GET or POST
tc3Authorization({ secretId: 'id', secretKey: 'k', method: 'PUT', url: 'u', contentType: 'c', timestamp: 1, service: 'sts' });
const camPolicy: string = cosPolicy({ bucket: 'b-1', region: 'ap-x', allow: [
  { actions: 'upload', prefix: 'u/', conditions: { maxContentLength: 10, contentTypes: ['image/png'], requireSse: 'SSE-KMS' } },
  { actions: ['GetObject', 'name/cos:HeadObject', 'download'], keys: ['a'] },
] });
// @ts-expect-error prefix and keys are exclusive
cosPolicy({ bucket: 'b-1', region: 'ap-x', allow: [{ actions: 'upload', prefix: 'u/', keys: ['a'] }] });
// @ts-expect-error unknown condition
cosPolicy({ bucket: 'b-1', region: 'ap-x', allow: [{ actions: 'upload', prefix: 'u/', conditions: { content_length: 1 } }] });
// @ts-expect-error unknown action
cosPolicy({ bucket: 'b-1', region: 'ap-x', allow: [{ actions: 'PutObjects', prefix: 'u/' }] });
const minted: Promise<TemporaryCredentials> = getFederationToken({ secretId: 'id', secretKey: 'k', region: 'ap-x', name: 'n', policy: camPolicy, signal: AbortSignal.timeout(1000) });
const role: Promise<TemporaryCredentials> = assumeRole({ secretId: 'id', secretKey: 'k', region: 'ap-x', roleArn: 'r', roleSessionName: 's', durationSeconds: 3600 });
// @ts-expect-error name and policy are required
getFederationToken({ secretId: 'id', secretKey: 'k', region: 'ap-x' });
const provider: CredentialsProvider = credentialsProvider(() => minted, { marginSeconds: 60 });
const providedSigner: Promise<CosSigner> = provider.signer();
function stsFailure(e: unknown): string | undefined {
  return isCosError(e) && e.code === 'ERR_STS' ? `${e.tencentCode} ${e.requestId}` : undefined;
}
void [tc3, role, providedSigner, stsFailure];

// cos-wasm/upload
import { uploadFile, memoryStore, type UploadResult, type UploadStepRequest } from 'cos-wasm/upload';
{
  const blob = new Blob(['x']);
  const task = uploadFile(blob, { key: 'a', signer, bucket: 'b-1', region: 'ap-x', sse: sseHeaders({ type: 'SSE-COS' }, 'InitiateMultipartUpload'), store: memoryStore(), onProgress: (p) => p.loaded / p.total });
  task.pause();
  task.resume();
  const cancelled: Promise<void> = task.cancel();
  const result: UploadResult = await task;
  const crc: string = result.crc64;
  const presign = async (req: UploadStepRequest) => ({ url: `https://x/${req.key}`, headers: req.headers });
  await uploadFile(blob, { key: 'a', presign, origin: 'https://x', partSize: 8 * 1024 * 1024, concurrency: 4 }).done;
  await uploadFile(blob, { key: 'a', presign, bucket: 'b-1', region: 'ap-x' }).done;
  // @ts-expect-error presign needs the COS endpoint (origin, or bucket and region)
  uploadFile(blob, { key: 'a', presign });
  // @ts-expect-error a signer needs bucket and region
  uploadFile(blob, { key: 'a', signer });
  // @ts-expect-error signer and presign are exclusive
  uploadFile(blob, { key: 'a', signer, bucket: 'b', region: 'r', presign });
  const code: CosErrorCode = 'ERR_CORS_ETAG_NOT_EXPOSED';
}

// hashInput's result is typed by the algorithms requested (README: verifyResponseCrc64(res, crc64))
async function typedHashes(res: Response) {
  const { crc64 } = await hashInput(new Blob(['x']), { algorithms: ['crc64'] });
  verifyResponseCrc64(res, crc64);
  const both = await hashInput(new Uint8Array(1));
  const md5: string = both.md5Base64;
  const crc: string = both.crc64;
  const sha = await hashInput(new Uint8Array(1), { algorithms: ['sha1', 'md5'] });
  const shaHex: string = sha.sha1Hex;
  const md5Hex: string = sha.md5Hex;
  // @ts-expect-error: crc64 was not requested
  const none: string = sha.crc64;
  const options: HashOptions = { chunkSize: 1024 };
  const loose: HashResult = await hashInput(new Uint8Array(1), options);
  return [md5, crc, shaHex, md5Hex, none, loose];
}
void typedHashes;

// every code the JS helpers throw is in the union (issue 24: two were missing; issue 29's load errors)
const thrownByJs: CosErrorCode[] = ['ERR_SIGNING_FAILED', 'ERR_UNEXPECTED', 'ERR_WASM_CSP', 'ERR_WASM_FETCH', 'ERR_WASM_HTML', 'ERR_WASM_MIME', 'ERR_WASM_INVALID'];
void thrownByJs;
// signRequest's result names its method
const signedMethod: (s: SignedRequest) => string = (s) => s.method;
void signedMethod;
