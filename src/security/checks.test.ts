import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adminParty,
  certsExpiring,
  plainHttpLinks,
  publicDbs,
  replicationAdmins,
  SECURITY_FIX,
  securityFindings,
  sharedPassword,
  tlsVerifyOff,
  urlCredentials,
} from './checks.ts';
import type { NodeSecurityFacts, SecurityFacts } from './checks-types.ts';

const node = (name: string, over: Partial<NodeSecurityFacts> = {}): NodeSecurityFacts => ({
  node: name,
  unreachable: false,
  anonymousRoles: [],
  anonymousAllDbsStatus: 401,
  anonymousDbs: [{ db: 'sensors', status: 401 }],
  verifySslCertificates: null,
  replicatorDocs: [],
  ...over,
});

/** A clean two-node mesh over https on a wan link, distinct passwords. */
const clean = (over: Partial<SecurityFacts> = {}): SecurityFacts => ({
  mesh: 'm',
  nodes: [node('a'), node('b')],
  links: [
    {
      link: 'a--b',
      class: 'wan',
      ends: [
        { node: 'a', url: 'https://a:6984' },
        { node: 'b', url: 'https://b:6984' },
      ],
    },
  ],
  passwords: [
    { node: 'a', password: 'pa' },
    { node: 'b', password: 'pb' },
  ],
  clientVerifyOff: false,
  certs: [],
  replicationUsers: [],
  ...over,
});

describe('security checks', () => {
  it('a clean mesh has no finding', () => {
    assert.deepEqual(securityFindings(clean()), []);
  });

  it('admin party: anonymous _admin, or anonymous _all_dbs', () => {
    const f = adminParty(
      clean({
        nodes: [node('a', { anonymousRoles: ['_admin'] }), node('b', { anonymousAllDbsStatus: 200 })],
      }),
    );
    assert.deepEqual(
      f.map((x) => [x.rule, x.node, x.severity]),
      [
        ['admin-party', 'a', 'critical'],
        ['admin-party', 'b', 'critical'],
      ],
    );
    assert.equal(f[0]?.fix, SECURITY_FIX['admin-party']);
  });

  it('an unreachable node is not judged', () => {
    const f = securityFindings(
      clean({ nodes: [node('a', { unreachable: true, anonymousRoles: ['_admin'] }), node('b')] }),
    );
    assert.deepEqual(f, []);
  });

  it('public db: anonymous GET /{db} answers 200 (not repeated under admin party)', () => {
    const open = { anonymousDbs: [{ db: 'sensors', status: 200 }] };
    const f = publicDbs(
      clean({ nodes: [node('a', open), node('b', { ...open, anonymousRoles: ['_admin'] })] }),
    );
    assert.deepEqual(
      f.map((x) => [x.rule, x.node, x.db]),
      [['public-db', 'a', 'sensors']],
    );
  });

  it('plain http on wan / cellular / lorawan links only', () => {
    const ends = [
      { node: 'a', url: 'http://a:5984' },
      { node: 'b', url: 'https://b:6984' },
    ];
    const f = plainHttpLinks(
      clean({
        links: [
          { link: 'a--b', class: 'cellular', ends },
          { link: 'a--c', class: 'lan', ends },
          { link: 'a--d', class: 'lorawan', ends },
        ],
      }),
    );
    assert.deepEqual(
      f.map((x) => x.link),
      ['a--b', 'a--d'],
    );
    assert.equal(f[0]?.evidence.http_urls, 'http://a:5984');
  });

  it('verify_ssl_certificates = false matters only on a node replicating with an https node', () => {
    const ends = [
      { node: 'a', url: 'http://a:5984' },
      { node: 'b', url: 'http://b:5984' },
    ];
    const off = { verifySslCertificates: 'false' };
    const f = tlsVerifyOff(
      clean({ links: [{ link: 'a--b', class: 'lan', ends }], nodes: [node('a', off), node('b', off)] }),
    );
    assert.deepEqual(f, []);
  });

  it('TLS verification off: client option or [replicator] verify_ssl_certificates', () => {
    const f = tlsVerifyOff(
      clean({
        clientVerifyOff: true,
        nodes: [node('a', { verifySslCertificates: 'false' }), node('b', { verifySslCertificates: 'true' })],
      }),
    );
    assert.deepEqual(
      f.map((x) => x.node),
      [null, 'a'],
    );
  });

  it('couch_tls.verify: false declared in mesh.yaml: one finding naming the setting and its fix', () => {
    const f = tlsVerifyOff(
      clean({
        nodes: [
          node('a', { declaredVerify: false, verifySslCertificates: 'false' }),
          node('b', { declaredVerify: true }),
        ],
      }),
    );
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0]?.node, 'a');
    assert.equal(f[0]?.evidence.setting, 'nodes.a.couch_tls.verify');
    assert.match(f[0]?.fix ?? '', /remove verify: false from nodes\.a\.couch_tls in mesh\.yaml/);
  });

  it('[ssl] not verifying client certificates where mesh.yaml requires them; restart named in the fix', () => {
    const ssl = (v: string | null, fail: string | null) => ({
      verifySslCertificates: v,
      failIfNoPeerCert: fail,
    });
    const f = tlsVerifyOff(
      clean({
        nodes: [
          node('a', { declaredRequireClientCert: true, ssl: ssl('false', 'true') }),
          node('b', { declaredRequireClientCert: true, ssl: ssl('true', 'true') }),
          node('c', { declaredRequireClientCert: false, ssl: ssl('false', 'false') }),
        ],
      }),
    );
    assert.deepEqual(
      f.map((x) => [x.node, x.evidence.value]),
      [['a', 'false / true']],
    );
    assert.match(f[0]?.fix ?? '', /restart CouchDB on a/);
  });

  it('URL credentials in foreign _replicator docs: doc id and masked URL, never the password', () => {
    const f = urlCredentials(
      clean({
        nodes: [
          node('a', {
            replicatorDocs: [
              {
                id: 'by-hand',
                source: 'http://bob:s3cret@x:5984/db',
                target: { url: 'http://y/db' },
                ownerMesh: null,
              },
              { id: 'name-only', source: 'http://bob@x/db', target: 'http://y/db', ownerMesh: null },
              { id: 'managed', source: 'http://u:p@x/db', target: 'http://y/db', ownerMesh: 'm' },
              { id: 'obj', source: 'http://y/db', target: { url: 'https://al:pw2@z/db' }, ownerMesh: null },
            ],
          }),
          node('b'),
        ],
      }),
    );
    assert.deepEqual(
      f.map((x) => x.evidence.doc_id),
      ['by-hand', 'obj'],
    );
    assert.equal(f[0]?.evidence.source, 'http://bob:***@x:5984/db');
    assert.equal(f[1]?.evidence.target, 'https://al:***@z/db');
    assert.ok(!JSON.stringify(f).includes('s3cret') && !JSON.stringify(f).includes('pw2'));
  });

  it('certificates: expiring within 30 days is a warning, expired critical', () => {
    const f = certsExpiring(
      clean({
        certs: [
          { node: 'a', file: 'a.pem', notAfter: 'x', daysLeft: 200 },
          { node: 'b', file: 'b.pem', notAfter: 'x', daysLeft: 29 },
          { node: 'ca', file: 'ca.pem', notAfter: 'x', daysLeft: -1 },
        ],
      }),
    );
    assert.deepEqual(
      f.map((x) => [x.evidence.file, x.severity, x.node]),
      [
        ['b.pem', 'warning', 'b'],
        ['ca.pem', 'critical', null],
      ],
    );
  });

  it('one password shared by every node (more than one node); the password never shown', () => {
    const same = [
      { node: 'a', password: 'same' },
      { node: 'b', password: 'same' },
    ];
    const f = sharedPassword(clean({ passwords: same }));
    assert.deepEqual(
      f.map((x) => [x.rule, x.evidence.nodes]),
      [['shared-password', 'a,b']],
    );
    assert.ok(!JSON.stringify(f).includes('"same"'));
    assert.deepEqual(sharedPassword(clean({ passwords: [{ node: 'a', password: 'x' }] })), []);
    assert.deepEqual(
      sharedPassword(clean({ passwords: [same[0] as never, { node: 'b', password: undefined }] })),
      [],
    );
  });

  it('replication credentials with _admin: a dedicated user is critical, the mesh admin one warning', () => {
    const f = replicationAdmins(
      clean({
        replicationUsers: [
          { node: 'a', user: 'repl', admin: true, meshCredentials: false, docs: ['d1'] },
          { node: 'b', user: 'admin', admin: true, meshCredentials: true, docs: ['d2'] },
          { node: 'a', user: 'ok', admin: false, meshCredentials: false, docs: ['d3'] },
        ],
      }),
    );
    assert.deepEqual(
      f.map((x) => [x.rule, x.severity, x.node]),
      [
        ['replication-user-admin', 'critical', 'a'],
        ['one-admin-everywhere', 'warning', null],
      ],
    );
  });

  it('every finding carries its fix; most severe first', () => {
    const f = securityFindings(
      clean({
        passwords: [
          { node: 'a', password: 'p' },
          { node: 'b', password: 'p' },
        ],
        nodes: [node('a', { anonymousRoles: ['_admin'] }), node('b')],
      }),
    );
    assert.deepEqual(
      f.map((x) => x.rule),
      ['admin-party', 'shared-password'],
    );
    for (const x of f) assert.equal(x.fix, SECURITY_FIX[x.rule]);
  });
});
