import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeshSpec } from '../spec/types.ts';
import { configKey, desiredConfig, planConfig } from './config.ts';
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
      { actions: [], noop: 3 },
    );
    assert.deepEqual(
      planConfig(desired, new Map(), () => false),
      { actions: [], noop: 0 },
    );
  });
});
