// workerd cold-start worker: imports cos-wasm (the package's `workerd` entry, which
// instantiates the .wasm at module evaluation) and signs one PUT per request.
import { CosSigner } from 'cos-wasm';

export default {
  async fetch() {
    const signer = new CosSigner({ secretId: 'AKIDexample', secretKey: 'secretexample' });
    const auth = signer.authorization({
      method: 'PUT',
      key: 'dir/exampleobject.txt',
      headers: { host: 'examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'content-length': '13' },
      keyTime: '1557902800;1557910000',
    });
    signer.free();
    return new Response(auth);
  },
};
