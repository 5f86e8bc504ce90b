// What every app of the packaging matrix runs once bundled: the whole signing vector suite
// (known signatures from tests/vectors/cos-signing.json, sent in by the test), a POST form
// turned into FormData, a CRC-64, and a multipart `uploadFile` (cos-wasm/upload) against an
// in-process fake COS. `api` holds the names the app imported (named imports, as users write
// them: that is what tree-shaking acts on) from the signer entry, cos-wasm/hash and
// cos-wasm/upload; the browser apps add cos-wasm/keys (an SSE-C key from the keys entry signed
// into the form by the signer entry: `sseC`).
import { runSigning } from '../../js/suite.mjs';

const ORIGIN = 'https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com';

/**
 * `uploadFile` of 2.5 MiB in 1 MiB parts through a `presign` callback and a fake COS given as
 * its `fetch` (Initiate → 3 × UploadPart → Complete, each answered with the CRC-64 of what it
 * received): proves the bundled upload entry shares the initialised wasm of `cos-wasm/hash`.
 * Resolves to { parts, crc64, expected, requests }.
 */
async function probeUpload(api) {
  const crcOf = async (bytes) => (await api.hashInput(bytes, { algorithms: ['crc64'] })).crc64;
  const file = new Uint8Array(2.5 * 1024 * 1024).map((_, i) => (i * 7) & 255);
  const parts = new Map();
  const requests = [];
  async function fakeCos(url, init) {
    const { searchParams: q } = new URL(url);
    requests.push(`${init.method} ${q.has('uploads') ? 'uploads' : q.has('partNumber') ? 'part' : 'uploadId'}`);
    if (init.method === 'POST' && q.has('uploads')) {
      return new Response('<InitiateMultipartUploadResult><Key>probe.bin</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>');
    }
    if (init.method === 'PUT') {
      const bytes = new Uint8Array(await new Response(init.body).arrayBuffer());
      parts.set(Number(q.get('partNumber')), bytes);
      return new Response(null, { headers: { ETag: `"p${q.get('partNumber')}"`, 'x-cos-hash-crc64ecma': await crcOf(bytes) } });
    }
    const whole = new Uint8Array(await new Blob([...parts.keys()].sort((a, b) => a - b).map((n) => parts.get(n))).arrayBuffer());
    return new Response('<CompleteMultipartUploadResult><Key>probe.bin</Key><ETag>"w-3"</ETag></CompleteMultipartUploadResult>', {
      headers: { 'x-cos-hash-crc64ecma': await crcOf(whole) },
    });
  }
  const query = (q) => Object.entries(q ?? {}).map(([k, v]) => (v === null ? k : `${k}=${encodeURIComponent(v)}`)).join('&');
  const result = await api.uploadFile(new Blob([file]), {
    key: 'probe.bin',
    origin: ORIGIN, // presigned URLs are refused unless they point at the COS endpoint the page chose
    presign: async (step) => ({ url: `${ORIGIN}/probe.bin?${query(step.query)}`, headers: {} }),
    fetch: fakeCos,
    partSize: 1024 * 1024,
    multipartThreshold: 0,
    resume: false,
  });
  return { parts: result.parts, crc64: result.crc64, expected: await crcOf(file), requests };
}

/** Resolves to { count, failed: [...], formNames, formUrl, crc64, upload, sseC? }. */
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
  const upload = await probeUpload(api);
  return { count: results.length, failed: results.filter((r) => !r.ok), formNames, formUrl: form.url, crc64, upload, ...(sseC === undefined ? {} : { sseC }) };
}
