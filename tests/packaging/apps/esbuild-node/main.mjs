// Bundled with esbuild --platform=node; prints the probe results for the vector file argv[2].
import { readFileSync } from 'node:fs';
import { CosSigner, postFormData } from 'cos-wasm';
import { hashInput } from 'cos-wasm/hash';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from '../probe.mjs';

const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
probe({ CosSigner, hashInput, postFormData, uploadFile }, cases).then((r) => console.log(JSON.stringify(r)));
