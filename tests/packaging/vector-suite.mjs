// The runtime-agnostic vector suite for Deno and Bun (run from tests/packaging, where the
// packed cos-wasm is installed): prints the probe results for the vector file argv[2].
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as signer from 'cos-wasm';
import * as hash from 'cos-wasm/hash';
import * as keys from 'cos-wasm/keys';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from './apps/probe.mjs';

const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// four entries: the signer, hashing, an SSE-C key of cos-wasm/keys, and uploadFile
console.log(JSON.stringify(await probe({ ...signer, ...hash, ...keys, uploadFile }, cases)));
