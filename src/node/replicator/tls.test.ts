import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { RepCrash } from './peer.ts';
import { ReplicatorTls } from './tls.ts';

const NODE_TLS = { cert: 'node-cert', key: 'node-key', ca: 'mesh-ca' };

/** A fake file system that counts reads, so "read once per config change" is checked. */
function files(contents: Record<string, string>) {
  const reads: string[] = [];
  return {
    reads,
    read: (path: string): Buffer => {
      reads.push(path);
      const c = contents[path];
      if (c === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return Buffer.from(c);
    },
  };
}

const crashes = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof RepCrash && re.test(e.message));

describe('ReplicatorTls ([replicator] TLS settings)', () => {
  it('a node started with TLS presents its own certificate and trusts its own CA, verifying peers', () => {
    const t = new ReplicatorTls(() => undefined, NODE_TLS, files({}).read);
    assert.deepEqual(t.current().tls, {
      rejectUnauthorized: true,
      maxDepth: 3,
      ca: 'mesh-ca',
      cert: 'node-cert',
      key: 'node-key',
    });
  });

  it('a node without TLS verifies peers against the system CAs and presents no certificate', () => {
    const t = new ReplicatorTls(() => ({}), undefined, files({}).read);
    assert.deepEqual(t.current().tls, { rejectUnauthorized: true, maxDepth: 3 });
  });

  it('ssl_certificate_max_depth: CouchDB default 3, live, only while verifying; a bad value crashes', () => {
    const cfg: Record<string, string> = {};
    const t = new ReplicatorTls(() => cfg, NODE_TLS, files({}).read);
    assert.equal(t.current().tls.maxDepth, 3);
    cfg.ssl_certificate_max_depth = '1';
    assert.equal(t.current().tls.maxDepth, 1);
    cfg.ssl_certificate_max_depth = 'deep';
    crashes(() => t.current(), /tls_error: \[replicator\] ssl_certificate_max_depth must be a whole number/);
    cfg.ssl_certificate_max_depth = '1';
    cfg.verify_ssl_certificates = 'false';
    assert.equal(t.current().tls.maxDepth, undefined);
  });

  it('verify_ssl_certificates=false turns verification off only when explicitly configured', () => {
    const cfg: Record<string, string> = {};
    const t = new ReplicatorTls(() => cfg, NODE_TLS, files({}).read);
    assert.equal(t.current().tls.rejectUnauthorized, true);
    cfg.verify_ssl_certificates = 'true';
    assert.equal(t.current().tls.rejectUnauthorized, true);
    cfg.verify_ssl_certificates = 'false';
    assert.equal(t.current().tls.rejectUnauthorized, false);
  });

  it('configured files override the defaults and are read once per config change, live', () => {
    const fs = files({ '/c.pem': 'C', '/k.pem': 'K', '/ca.pem': 'CA', '/ca2.pem': 'CA2' });
    const cfg: Record<string, string> = {
      cert_file: '/c.pem',
      key_file: '/k.pem',
      ssl_trusted_certificates_file: '/ca.pem',
    };
    const t = new ReplicatorTls(() => cfg, NODE_TLS, fs.read);
    const first = t.current();
    assert.deepEqual(
      { ca: String(first.tls.ca), cert: String(first.tls.cert), key: String(first.tls.key) },
      { ca: 'CA', cert: 'C', key: 'K' },
    );
    for (let i = 0; i < 5; i++)
      assert.equal(t.current(), first, 'same settings object while nothing changes');
    assert.equal(fs.reads.length, 3);
    cfg.ssl_trusted_certificates_file = '/ca2.pem';
    const second = t.current();
    assert.equal(String(second.tls.ca), 'CA2');
    assert.notEqual(second.key, first.key, 'a new pool key: new jobs get new connections');
    assert.equal(fs.reads.length, 6);
  });

  it('cert_file without key_file, or a file that cannot be read, is a tls_error crash (not cached)', () => {
    const fs = files({ '/c.pem': 'C' });
    const cfg: Record<string, string> = { cert_file: '/c.pem' };
    const t = new ReplicatorTls(() => cfg, undefined, fs.read);
    crashes(() => t.current(), /^tls_error: \[replicator\] cert_file and key_file must be set together$/);
    cfg.key_file = '/missing.key';
    crashes(
      () => t.current(),
      /^tls_error: \[replicator\] key_file \/missing\.key cannot be read \(ENOENT\)$/,
    );
    crashes(() => t.current(), /cannot be read/);
    assert.equal(fs.reads.filter((p) => p === '/missing.key').length, 2, 'a failed read is tried again');
  });

  it('password decrypts an encrypted key_file once; a wrong one is a tls_error crash', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const encrypted = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'sesame',
    }) as string;
    const cfg: Record<string, string> = { cert_file: '/c.pem', key_file: '/k.pem', password: 'sesame' };
    const t = new ReplicatorTls(() => cfg, undefined, files({ '/c.pem': 'C', '/k.pem': encrypted }).read);
    const key = String(t.current().tls.key);
    assert.match(key, /^-----BEGIN PRIVATE KEY-----/);
    cfg.password = 'wrong';
    crashes(
      () => t.current(),
      /^tls_error: \[replicator\] key_file cannot be decrypted with \[replicator\] password/,
    );
  });
});
