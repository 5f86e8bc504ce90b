// What every app of the packaging matrix runs once bundled: the whole signing vector suite
// (known signatures from tests/vectors/cos-signing.json, sent in by the test), a POST form
// turned into FormData, and a CRC-64. `api` holds the names the app imported from cos-wasm
// (named imports, as users write them: that is what tree-shaking acts on), from the signer
// entry and cos-wasm/hash; the browser apps add cos-wasm/keys (an SSE-C key from the keys
// entry signed into the form by the signer entry: `sseC`).
import { runSigning } from '../../js/suite.mjs';

/** Resolves to { count, failed: [...], formNames, formUrl, crc64, sseC? }. */
export async function probe(api, cases) {
  const results = runSigning(api, { signing: { cases }, docSigning: { cases: [] } });
  const signer = new api.CosSigner({ secretId: 'AKIDexample', secretKey: 'secret' });
  let form;
  try {
    form = signer.postObjectForm({ bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', key: 'uploads/a.txt', expires: 600 });
    if (api.CustomerKey) {
      const key = api.CustomerKey.generate('AES256');
      const sse = signer.postObjectForm({ bucket: 'examplebucket-1250000000', region: 'ap-guangzhou', key: 'uploads/b.txt', expires: 600, sse: { type: 'SSE-C', key } });
      var sseC = sse.fields['x-cos-server-side-encryption-customer-key-MD5'] === key.md5Base64;
      key.free();
    }
  } finally {
    signer.free();
  }
  const formNames = [...api.postFormData(form, new Blob(['hello']), 'a.txt').keys()];
  const { crc64 } = await api.hashInput(new Blob(['123456789']), { algorithms: ['crc64'] });
  return { count: results.length, failed: results.filter((r) => !r.ok), formNames, formUrl: form.url, crc64, ...(sseC === undefined ? {} : { sseC }) };
}
