import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from './test-support.ts';

const mesh = (n1: string) => `mesh: t
nodes:
  n1: ${n1}
  n2: { url: http://127.0.0.1:5985 }
databases: [sensors]
links: [[n1, n2]]
`;

describe('nodes[].couch_tls: the node replicator TLS settings (paths on the node)', () => {
  it('kept as declared, the files never checked here (they live on the node)', () => {
    const r = check(
      mesh('{ url: "http://h", couch_tls: { cert_file: /etc/c.pem, key_file: /etc/k.pem, verify: true } }'),
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.nodes[0]?.couch_tls, {
      cert_file: '/etc/c.pem',
      key_file: '/etc/k.pem',
      verify: true,
    });
  });

  it('a certificate without its key, an unknown key, a verify that is not a boolean', () => {
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { cert_file: /c.pem } }')).lines.length, 1);
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { password: x } }')).lines.length, 1);
    assert.equal(check(mesh('{ url: "http://h", couch_tls: { verify: "yes" } }')).lines.length, 1);
  });
});
