import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { isCouchmeshError } from '../core/errors.ts';
import type { NodeSpec } from '../spec/types.ts';
import { clientTlsFor } from './client-tls.ts';
import { type CertPair, createCa, issueCert } from './pki.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);
const code = (c: string, re?: RegExp) => (e: unknown) =>
  isCouchmeshError(e) && e.code === c && (re === undefined || re.test(e.message));

describe('clientTlsFor: mesh.yaml tls -> the couch client', () => {
  let ca: CertPair;
  let other: CertPair;
  let client: CertPair;
  const files = new Map<string, string>();
  const readFile = (p: string) => {
    const t = files.get(p);
    if (t === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return t;
  };
  const node = (url: string, tls: NodeSpec['tls']): NodeSpec => ({
    name: 'n1',
    url,
    role: 'edge',
    reachable: true,
    ...(tls ? { tls } : {}),
  });
  const refs = { ca_file: '/c/ca.pem', cert_file: '/c/me.pem', key_file: '/c/me.key' };

  before(async () => {
    ca = await createCa({ now: T0, days: 100 });
    other = await createCa({ now: T0, days: 100 });
    client = await issueCert(ca, { commonName: 'couchmesh', hosts: ['127.0.0.1'], now: T0, days: 10 });
    files.set('/c/ca.pem', ca.certPem);
    files.set('/c/other.pem', other.certPem);
    files.set('/c/me.pem', client.certPem);
    files.set('/c/me.key', client.keyPem);
    files.set('/c/junk.pem', 'not pem');
  });

  test('https node: CA, certificate and key read by reference; http node: nothing', () => {
    const t = clientTlsFor(node('https://127.0.0.1:6984', refs), readFile, T0);
    // exactly these three: rejectUnauthorized is never set, so verification stays on
    assert.deepEqual(t, { ca: ca.certPem, cert: client.certPem, key: client.keyPem });
    assert.equal(clientTlsFor(node('http://127.0.0.1:5984', refs), readFile, T0), undefined);
    assert.equal(clientTlsFor(node('https://127.0.0.1:6984', undefined), readFile, T0), undefined);
    assert.deepEqual(clientTlsFor(node('https://h', { ca_file: '/c/ca.pem' }), readFile, T0), {
      ca: ca.certPem,
    });
  });

  test('expired / not yet valid client certificate: E_TLS_CERT_EXPIRED naming the node', () => {
    const url = 'https://127.0.0.1:6984';
    assert.throws(
      () => clientTlsFor(node(url, refs), readFile, T0 + 11 * DAY),
      code('E_TLS_CERT_EXPIRED', /node n1: .*expired on/),
    );
    assert.throws(
      () => clientTlsFor(node(url, refs), readFile, T0 - DAY),
      code('E_TLS_CERT_EXPIRED', /not valid before/),
    );
  });

  test('client certificate from another CA: E_TLS_WRONG_CA; unreadable or non-PEM file: E_TLS_PEM', () => {
    const url = 'https://127.0.0.1:6984';
    assert.throws(
      () => clientTlsFor(node(url, { ...refs, ca_file: '/c/other.pem' }), readFile, T0),
      code(
        'E_TLS_WRONG_CA',
        /node n1: the client certificate \/c\/me\.pem was not issued by the CA in \/c\/other\.pem/,
      ),
    );
    assert.throws(
      () => clientTlsFor(node(url, { ...refs, ca_file: '/c/none.pem' }), readFile, T0),
      code('E_TLS_PEM', /ENOENT/),
    );
    assert.throws(
      () => clientTlsFor(node(url, { ...refs, cert_file: '/c/junk.pem' }), readFile, T0),
      code('E_TLS_PEM', /not a PEM/),
    );
  });
});
