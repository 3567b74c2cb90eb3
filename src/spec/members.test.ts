import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, meshWithN1 as mesh } from './test-support.ts';

describe('nodes: a cluster with members', () => {
  it('without url, the first member is the replication endpoint', () => {
    const r = check(mesh('{ members: ["http://10.0.0.1:5984/", http://10.0.0.2:5984] }'));
    assert.deepEqual(r.lines, []);
    const n1 = r.spec?.nodes[0];
    assert.equal(n1?.url, 'http://10.0.0.1:5984');
    assert.deepEqual(n1?.members, ['http://10.0.0.1:5984', 'http://10.0.0.2:5984']);
  });

  it('with url (a load balancer), url is the endpoint and the members are the control plane', () => {
    const r = check(mesh('{ url: http://lb:5984, members: [http://10.0.0.1:5984, http://10.0.0.2:5984] }'));
    assert.deepEqual(r.lines, []);
    assert.equal(r.spec?.nodes[0]?.url, 'http://lb:5984');
    assert.equal(r.spec?.nodes[0]?.members?.length, 2);
  });

  it('a plain node has no members', () => {
    assert.equal(check(mesh('{ url: http://h }')).spec?.nodes[0]?.members, undefined);
  });

  it('a member listed twice, a bad member URL, mixed schemes', () => {
    assert.deepEqual(
      check(mesh('{ members: [http://a:5984, "http://a:5984/"] }')).diagnostics.map((d) => [d.code, d.path]),
      [['E_NODE_MEMBERS', 'nodes.n1.members[1]']],
    );
    const bad = check(mesh('{ members: [http://a:5984, "http://u:hunter2@b:5984"] }'));
    assert.deepEqual(
      bad.diagnostics.map((d) => d.code),
      ['E_URL_CREDENTIALS'],
    );
    assert.doesNotMatch(JSON.stringify(bad), /hunter2/);
    const mixed = check(mesh('{ url: https://lb, members: [http://a:5984] }'));
    assert.deepEqual(
      mixed.diagnostics.map((d) => d.code),
      ['E_NODE_MEMBERS'],
    );
    assert.match(mixed.lines[0] ?? '', /hint: the members share/);
  });

  it('an empty members list, and neither url nor members', () => {
    assert.deepEqual(
      check(mesh('{ members: [] }')).diagnostics.map((d) => d.code),
      ['E_RANGE'],
    );
    assert.deepEqual(
      check(mesh('{ }')).diagnostics.map((d) => d.code),
      ['E_MISSING'],
    );
  });
});

describe('databases: q and n of a cluster', () => {
  it('parsed onto the database; only nodes with members create with them', () => {
    const r = check(`mesh: t
nodes:
  c: { members: [http://10.0.0.1:5984, http://10.0.0.2:5984] }
  s: { url: http://127.0.0.1:5985 }
databases: [{ name: sensors, q: 2, n: 3 }]
links: [[c, s]]
`);
    assert.deepEqual(r.lines, []);
    assert.deepEqual([r.spec?.databases[0]?.q, r.spec?.databases[0]?.n], [2, 3]);
  });

  it('q and n are positive integers', () => {
    const r = check(`mesh: t
nodes:
  c: { members: [http://10.0.0.1:5984] }
  s: { url: http://127.0.0.1:5985 }
databases: [{ name: sensors, q: 0, n: 1.5 }]
links: [[c, s]]
`);
    assert.deepEqual(
      r.diagnostics.map((d) => d.path),
      ['databases[0].q', 'databases[0].n'],
    );
  });
});
