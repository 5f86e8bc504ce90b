// Type tests for the hand-written index.d.ts: `tsc` must accept the valid calls and
// reject the ones marked @ts-expect-error.
import { CosSigner, init, isCosError, type CosErrorCode, type PostPolicyFields } from 'cos-wasm';

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
// @ts-expect-error header values are strings or numbers
signer.authorization({ method: 'GET', keyTime: '1;2', headers: { a: true } });
// @ts-expect-error secretKey is required
new CosSigner({ secretId: 'id' });
// @ts-expect-error not a code
const bad: CosErrorCode = 'ERR_NOPE';
void [auth, url, sig, bad];
signer.free();
