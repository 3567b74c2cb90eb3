import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeshSpec } from '../spec/types.ts';
import { configKey, desiredConfig, planConfig, takesEffectOnRestart } from './config.ts';
import { desiredState } from './desired.ts';
import { makePlan, summarize } from './plan.ts';
import { afterApply, pw, seed } from './test-support.ts';

/** The seed mesh with n1 declaring its replicator's TLS settings. */
const withTls: MeshSpec = {
  ...seed,
  nodes: seed.nodes.map((n) =>
    n.name === 'n1'
      ? {
          ...n,
          couch_tls: { cert_file: '/etc/couchdb/n1.crt', key_file: '/etc/couchdb/n1.key', verify: true },
        }
      : n,
  ),
};

describe('couch_tls as [replicator] config', () => {
  it('maps the declared fields to CouchDB keys, as strings, and nothing undeclared', () => {
    assert.deepEqual(desiredConfig(withTls), [
      { node: 'n1', section: 'replicator', key: 'cert_file', value: '/etc/couchdb/n1.crt' },
      { node: 'n1', section: 'replicator', key: 'key_file', value: '/etc/couchdb/n1.key' },
      { node: 'n1', section: 'replicator', key: 'verify_ssl_certificates', value: 'true' },
    ]);
    assert.deepEqual(desiredConfig(seed), []);
    assert.equal(desiredState(seed, pw).config, undefined);
  });

  it('plans one set-config per differing key; an unset key shows no old value', () => {
    const observed = afterApply(withTls);
    const n1 = observed.find((o) => o.node === 'n1');
    assert.ok(n1);
    n1.config = {
      [configKey('replicator', 'cert_file')]: '/etc/couchdb/n1.crt',
      [configKey('replicator', 'verify_ssl_certificates')]: 'false',
    };
    const plan = makePlan(desiredState(withTls, pw), observed);
    assert.deepEqual(
      plan.actions.filter((a) => a.kind === 'set-config'),
      [
        {
          kind: 'set-config',
          node: 'n1',
          section: 'replicator',
          key: 'key_file',
          value: '/etc/couchdb/n1.key',
        },
        {
          kind: 'set-config',
          node: 'n1',
          section: 'replicator',
          key: 'verify_ssl_certificates',
          value: 'true',
          from: 'false',
        },
      ],
    );
    assert.equal(summarize(plan).config, 2);
  });

  it('is a no-op once the node holds the values, and skips a node that could not be observed', () => {
    const desired = desiredConfig(withTls);
    const values = Object.fromEntries(desired.map((c) => [configKey(c.section, c.key), c.value]));
    const byNode = new Map(afterApply(withTls).map((o) => [o.node, { ...o, config: values }]));
    assert.deepEqual(
      planConfig(desired, byNode, () => true),
      { actions: [], drift: [], noop: 3 },
    );
    assert.deepEqual(
      planConfig(desired, new Map(), () => false),
      { actions: [], drift: [], noop: 0 },
    );
  });

  it('a value someone changed is drift, put back by the same set-config', () => {
    const desired = desiredConfig(withTls);
    const byNode = new Map(
      afterApply(withTls).map((o) => [
        o.node,
        { ...o, config: { [configKey('replicator', 'verify_ssl_certificates')]: 'false' } },
      ]),
    );
    const r = planConfig(desired, byNode, () => true);
    assert.deepEqual(r.drift, [
      {
        node: 'n1',
        id: '_config/replicator/verify_ssl_certificates',
        fields: ['verify_ssl_certificates'],
        diff: [{ path: '[replicator] verify_ssl_certificates', from: 'false', to: 'true' }],
      },
    ]);
    assert.equal(r.actions.length, 3);
  });
});

/** The seed mesh with n1's HTTPS listener declared too. */
const withServer: MeshSpec = {
  ...seed,
  nodes: seed.nodes.map((n) =>
    n.name === 'n1'
      ? {
          ...n,
          couch_tls: {
            verify: true,
            server: {
              cert_file: '/etc/couchdb/n1.pem',
              key_file: '/etc/couchdb/n1.key',
              cacert_file: '/etc/couchdb/ca.pem',
              require_client_cert: true,
              port: 6984,
              tls_versions: ['tlsv1.2', 'tlsv1.3'],
            },
          },
        }
      : n,
  ),
};

describe('couch_tls.server as [ssl] config', () => {
  it("maps to CouchDB 3's [ssl] keys: enable, the files, the client-certificate pair, port, versions", () => {
    assert.deepEqual(
      desiredConfig(withServer).map((c) => `[${c.section}] ${c.key} = ${c.value}`),
      [
        '[replicator] verify_ssl_certificates = true',
        '[ssl] enable = true',
        '[ssl] cert_file = /etc/couchdb/n1.pem',
        '[ssl] key_file = /etc/couchdb/n1.key',
        '[ssl] cacert_file = /etc/couchdb/ca.pem',
        '[ssl] verify_ssl_certificates = true',
        '[ssl] fail_if_no_peer_cert = true',
        '[ssl] port = 6984',
        "[ssl] tls_versions = ['tlsv1.2', 'tlsv1.3']",
      ],
    );
    assert.equal(takesEffectOnRestart('ssl'), true);
    assert.equal(takesEffectOnRestart('replicator'), false);
  });

  it('[ssl] actions say they take effect on restart; [replicator] ones do not', () => {
    const plan = makePlan(desiredState(withServer, pw), afterApply(withServer));
    const config = plan.actions.filter((a) => a.kind === 'set-config');
    assert.equal(config.length, 9);
    for (const a of config) assert.equal(a.takesEffect, a.section === 'ssl' ? 'restart' : undefined, a.key);
  });
});
