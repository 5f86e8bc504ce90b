// Every entry of the packed package (Node ESM), merged into one API object for the suites
// that cover the whole API (suite.mjs, fuzz-suite.mjs): later entries replace the signer
// entry's ERR_MOVED stubs of the names that moved to them.
import * as signer from 'cos-wasm';
import * as keys from 'cos-wasm/keys';
import * as hash from 'cos-wasm/hash';
import * as sts from 'cos-wasm/sts';
import * as explain from 'cos-wasm/explain';
import { mergeEntries } from './suite.mjs';

export const entries = { signer, keys, hash, sts, explain };
export const api = mergeEntries(entries);
