// Issue 23 item 5: one table (tests/vectors/rule-homes.json) for the rules with one home.
// Loopback host and secret transport: the wasm rule (src/endpoint.rs, exported by every
// entry) behind pkg-template/transport.js, after the WHATWG URL parser, in Node and workerd
// (tests/rule_homes.rs checks the same table in Rust). COS XML entity decoding:
// pkg-template/xml.js (src/xml.rs checks the same table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as signer from 'cos-wasm';
import * as hash from 'cos-wasm/hash';
import * as sts from 'cos-wasm/sts';
import * as keys from 'cos-wasm/keys';
import * as explain from 'cos-wasm/explain';
import { vectorsDir } from './helpers.mjs';
import { startWorkerd } from './workerd.mjs';

const table = JSON.parse(readFileSync(`${vectorsDir}rule-homes.json`, 'utf8'));
const pkg = fileURLToPath(new URL('./node_modules/cos-wasm/', import.meta.url));
const { transportRule, urlParts } = await import(`${pkg}transport.js`);
const { unxml } = await import(`${pkg}xml.js`);

test('loopback and secret transport: every wasm entry answers the table, through transport.js', () => {
  for (const [name, entry] of Object.entries({ signer, hash, sts, keys, explain })) {
    for (const c of table.loopback) assert.equal(entry.isLoopbackHost(c.host), c.loopback, `${name}: ${c.host}`);
    const rule = transportRule(entry);
    for (const c of table.transport) {
      const u = new URL(c.url);
      assert.equal(u.protocol, c.scheme, c.url);
      assert.equal(u.hostname, c.hostname, c.url);
      if (c.scheme === 'http:' || c.scheme === 'https:') assert.equal(rule.secretAllowed(urlParts(c.url, 'url'), c.allow_local), c.allowed, `${name}: ${c.url}`);
      else assert.throws(() => urlParts(c.url, 'url'), { code: 'ERR_INVALID_URL' });
      assert.equal(entry.secretTransportAllowed(c.scheme, c.hostname, c.allow_local), c.allowed, `${name}: ${c.url}`);
    }
  }
});

test('COS XML entity decoding: pkg-template/xml.js answers the table (what src/xml.rs refuses is kept as written)', () => {
  for (const c of table.xml_entities) assert.equal(unxml(c.input), c.rust_error ? c.js : c.decoded, c.input);
});

test('workerd: the loopback and transport table, with workerd\'s URL parser', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rule-homes-'));
  const script = join(dir, 'worker.js');
  writeFileSync(script, `import { isLoopbackHost, secretTransportAllowed } from 'cos-wasm/sts';
export default {
  async fetch(request) {
    const table = await request.json();
    const out = { loopback: table.loopback.map((c) => isLoopbackHost(c.host)), transport: table.transport.map((c) => {
      const u = new URL(c.url);
      return { scheme: u.protocol, hostname: u.hostname, allowed: secretTransportAllowed(u.protocol, u.hostname, c.allow_local) };
    }) };
    return Response.json(out);
  },
};
`);
  const w = await startWorkerd(script, {}, {});
  try {
    const out = await (await fetch(w.url, { method: 'POST', body: JSON.stringify(table) })).json();
    table.loopback.forEach((c, i) => assert.equal(out.loopback[i], c.loopback, c.host));
    table.transport.forEach((c, i) => assert.deepEqual(out.transport[i], { scheme: c.scheme, hostname: c.hostname, allowed: c.allowed }, c.url));
  } finally {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
