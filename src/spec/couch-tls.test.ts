import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check } from './test-support.ts';

const mesh = (server: string) => `mesh: t
nodes:
  n1:
    url: https://127.0.0.1:6984
    couch_tls: { server: ${server} }
  n2: { url: http://127.0.0.1:5985 }
databases: [sensors]
links: [[n1, n2]]
`;

describe('couch_tls.server ([ssl])', () => {
  it('kept as declared; the files are never checked here (they live on the node)', () => {
    const r = check(
      mesh(
        '{ cert_file: /etc/couchdb/n1.pem, key_file: /etc/couchdb/n1.key, cacert_file: /etc/couchdb/ca.pem, require_client_cert: true, port: 6984, tls_versions: [tlsv1.2, tlsv1.3] }',
      ),
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.nodes[0]?.couch_tls?.server, {
      cert_file: '/etc/couchdb/n1.pem',
      key_file: '/etc/couchdb/n1.key',
      cacert_file: '/etc/couchdb/ca.pem',
      require_client_cert: true,
      port: 6984,
      tls_versions: ['tlsv1.2', 'tlsv1.3'],
    });
  });

  it('a certificate without its key is refused, naming the missing key', () => {
    const r = check(mesh('{ cert_file: /etc/couchdb/n1.pem }'));
    assert.equal(r.lines.length, 1, r.lines.join('\n'));
    assert.match(
      r.lines[0] ?? '',
      /nodes\.n1\.couch_tls\.server\.key_file: couch_tls\.server needs cert_file and key_file; key_file is missing/,
    );
    assert.match(r.lines[0] ?? '', /hint: couchmesh certs issue NODE/);
  });

  it('require_client_cert without cacert_file is an error with a hint', () => {
    const r = check(mesh('{ cert_file: /c.pem, key_file: /k.pem, require_client_cert: true }'));
    assert.equal(r.lines.length, 1, r.lines.join('\n'));
    assert.match(r.lines[0] ?? '', /require_client_cert without cacert_file .*hint: add cacert_file/);
  });

  it('an unknown TLS version, a port out of range, an unknown key', () => {
    const base = 'cert_file: /c.pem, key_file: /k.pem';
    assert.equal(check(mesh(`{ ${base}, tls_versions: [sslv3] }`)).lines.length, 1);
    assert.equal(check(mesh(`{ ${base}, port: 70000 }`)).lines.length, 1);
    assert.equal(check(mesh(`{ ${base}, ciphers: x }`)).lines.length, 1);
  });
});
