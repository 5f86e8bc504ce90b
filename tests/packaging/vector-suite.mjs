// The runtime-agnostic vector suite for Deno and Bun (run from tests/packaging, where the
// packed cos-wasm is installed): prints the probe results for the vector file argv[2].
import { readFileSync } from 'node:fs';
import process from 'node:process';
import * as signer from 'cos-wasm';
import * as hash from 'cos-wasm/hash';
import * as keys from 'cos-wasm/keys';
import { probe } from './apps/probe.mjs';

const { cases } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// three entries, three modules: the signer, hashing, and an SSE-C key of cos-wasm/keys
console.log(JSON.stringify(await probe({ ...signer, ...hash, ...keys }, cases)));
