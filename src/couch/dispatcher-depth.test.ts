import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DetailedPeerCertificate } from 'node:tls';
import { intermediates } from './dispatcher.ts';

/** A chain as node gives it: `issuerCertificate` links, the root self-issued and pointing at itself. */
function chain(names: string[]): DetailedPeerCertificate {
  const certs = names.map(
    (cn, i) =>
      ({
        subject: { CN: cn },
        issuer: { CN: names[i + 1] ?? cn },
        fingerprint256: `fp-${cn}`,
      }) as unknown as DetailedPeerCertificate,
  );
  certs.forEach((c, i) => {
    c.issuerCertificate = certs[i + 1] ?? c;
  });
  return certs[0] as DetailedPeerCertificate;
}

test('intermediates: the CA certificates between the peer and a self-issued root (Erlang ssl depth)', () => {
  assert.equal(intermediates(chain(['leaf', 'root'])), 0);
  assert.equal(intermediates(chain(['leaf', 'int1', 'root'])), 1);
  assert.equal(intermediates(chain(['leaf', 'int2', 'int1', 'root'])), 2);
  // a peer certificate alone (no chain known): nothing follows it
  const lone = chain(['leaf']);
  assert.equal(intermediates(lone), 0);
});
