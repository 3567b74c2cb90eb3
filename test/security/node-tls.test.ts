// The embedded node's TLS options are checked at startNode: what cannot serve HTTPS is a coded
// error with its fix, and nothing is left listening.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCouchmeshError } from '../../src/core/errors.ts';
import { startNode } from '../../src/node/index.ts';
import { createCa, issueCert } from '../../src/security/index.ts';

const nodeTls = (re: RegExp) => (e: unknown) =>
  isCouchmeshError(e) && e.code === 'E_NODE_TLS' && re.test(e.message);

describe('startNode({ tls })', () => {
  test('a certificate without its key, or client certificates required without a CA: E_NODE_TLS', async () => {
    const base = { port: 0, inMemory: true, admins: { admin: 'pw' } };
    await assert.rejects(
      startNode({ ...base, tls: { cert: 'x', key: '' } }),
      nodeTls(/certificate and its key/),
    );
    await assert.rejects(
      startNode({ ...base, tls: { cert: 'x', key: 'y', requireClientCert: true } }),
      nodeTls(/needs the CA/),
    );
  });

  test("a key that is not the certificate's (or not PEM): E_NODE_TLS, nothing listening", async () => {
    const now = Date.now();
    const ca = await createCa({ now, days: 1 });
    const a = await issueCert(ca, { commonName: 'a', hosts: ['127.0.0.1'], now, days: 1 });
    const b = await issueCert(ca, { commonName: 'b', hosts: ['127.0.0.1'], now, days: 1 });
    const base = { port: 0, inMemory: true, admins: { admin: 'pw' } };
    await assert.rejects(
      startNode({ ...base, tls: { cert: a.certPem, key: b.keyPem } }),
      nodeTls(/cannot be used/),
    );
    await assert.rejects(
      startNode({ ...base, tls: { cert: 'junk', key: 'junk' } }),
      nodeTls(/cannot be used/),
    );
    const ok = await startNode({ ...base, tls: { cert: a.certPem, key: a.keyPem } });
    assert.match(ok.url, /^https:\/\//);
    await ok.close();
  });
});
