import { CosSigner, postFormData } from 'cos-wasm';
import { hashInput } from 'cos-wasm/hash';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from '../../../../probe.mjs';

export const runtime = 'edge';

export async function POST(request) {
  const { cases } = await request.json();
  return Response.json({ runtime: typeof EdgeRuntime === 'string' ? 'edge' : 'node', ...(await probe({ CosSigner, hashInput, postFormData, uploadFile }, cases)) });
}
