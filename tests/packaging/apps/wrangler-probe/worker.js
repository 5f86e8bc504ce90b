// A module worker bundled by `wrangler deploy --dry-run`: POST { cases } -> probe results.
import { CosSigner, postFormData } from 'cos-wasm';
import { hashInput } from 'cos-wasm/hash';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from '../probe.mjs';

export default {
  async fetch(request) {
    const { cases } = await request.json();
    return Response.json(await probe({ CosSigner, hashInput, postFormData, uploadFile }, cases));
  },
};
