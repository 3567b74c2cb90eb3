import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isCouchmeshError } from '../../core/errors.ts';
import { nodeTlsFromFlags } from './node.ts';

const dir = mkdtempSync(join(tmpdir(), 'couchmesh-node-flags-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const isNodeTls = (e: unknown) => isCouchmeshError(e) && e.code === 'E_NODE_TLS';

test('--tls-* flags: plain http without them, files read, cert and key together', () => {
  assert.equal(nodeTlsFromFlags({}), undefined);
  for (const f of ['c.pem', 'k.pem', 'ca.pem']) writeFileSync(join(dir, f), `PEM ${f}`);
  assert.deepEqual(
    nodeTlsFromFlags({
      tlsCert: join(dir, 'c.pem'),
      tlsKey: join(dir, 'k.pem'),
      tlsCa: join(dir, 'ca.pem'),
      requireClientCert: true,
    }),
    { cert: 'PEM c.pem', key: 'PEM k.pem', ca: 'PEM ca.pem', requireClientCert: true },
  );
  assert.throws(() => nodeTlsFromFlags({ tlsCert: join(dir, 'c.pem') }), isNodeTls);
  assert.throws(() => nodeTlsFromFlags({ requireClientCert: true }), isNodeTls);
  assert.throws(
    () => nodeTlsFromFlags({ tlsCert: join(dir, 'c.pem'), tlsKey: join(dir, 'nope') }),
    isNodeTls,
  );
});
