// Demo: sign a sample request with the built package (pkg/) and print it.
// Run via `bash scripts/demo.sh`.
import { CosSigner } from '../pkg/node.js';

const signer = new CosSigner({ secretId: 'AKIDexampleSecretId', secretKey: 'exampleSecretKey' });
const keyTime = '1700000000;1700003600';
const request = {
  method: 'PUT',
  key: 'photos/2026/cat.jpg',
  headers: { 'Content-Type': 'image/jpeg', 'Content-Length': 1024, 'x-cos-meta-owner': 'alice' },
  keyTime,
};
console.log('PUT /photos/2026/cat.jpg');
console.log('Authorization:', signer.authorization(request));
console.log('\nPre-signed GET URL:');
console.log(signer.presignUrl({ method: 'GET', key: 'photos/2026/cat.jpg', bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', keyTime }));
console.log('\nPOST form signature fields:');
console.log(signer.signPostPolicy({ policy: { expiration: '2023-11-14T23:13:20.000Z', conditions: [{ bucket: 'examplebucket-1250000000' }] }, keyTime }));
signer.free();
