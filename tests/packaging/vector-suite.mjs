// The runtime-agnostic vector suite for Deno and Bun (run from tests/packaging, where the
// packed cos-wasm is installed): prints the probe results for the vector file argv[2].
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as cos from 'cos-wasm';
import { uploadFile } from 'cos-wasm/upload';
import { probe } from './apps/probe.mjs';

const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
console.log(JSON.stringify(await probe({ ...cos, uploadFile }, cases)));
