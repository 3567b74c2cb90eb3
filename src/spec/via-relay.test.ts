import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredState } from '../plan/desired.ts';
import { check } from './test-support.ts';

const MEMBERS = 'members: [http://10.0.0.1:5984, http://10.0.0.2:5984]';
const mesh = (c: string, tail = 'failover:\n  relays:\n    r1: { proxy: http://10.0.0.9:8080 }\n') => `mesh: t
nodes:
  c: ${c}
  s1: { url: http://10.0.1.1:5984 }
  r1: { url: http://10.0.0.9:5984, role: relay }
databases: [sensors]
links: [[c, s1]]
${tail}`;
const codes = (text: string) =>
  check(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => [d.code, d.path]);

describe('nodes: via_relay (a members-only cluster through the relay)', () => {
  it('is kept on a members-only node naming a relay with a proxy', () => {
    const r = check(mesh(`{ ${MEMBERS}, via_relay: r1 }`));
    // r1 is in no link, yet not isolated: c's traffic goes through it
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.spec?.nodes[0]?.via_relay, 'r1');
  });

  it('needs members and no url', () => {
    assert.deepEqual(codes(mesh(`{ url: http://lb:5984, ${MEMBERS}, via_relay: r1 }`)), [
      ['E_VIA_RELAY', 'nodes.c.via_relay'],
    ]);
    assert.deepEqual(codes(mesh('{ url: http://h:5984, via_relay: r1 }')), [
      ['E_VIA_RELAY', 'nodes.c.via_relay'],
    ]);
  });

  it('names a relay node that has a proxy URL', () => {
    assert.deepEqual(codes(mesh(`{ ${MEMBERS}, via_relay: s1 }`)), [['E_VIA_RELAY', 'nodes.c.via_relay']]);
    const noProxy = check(mesh(`{ ${MEMBERS}, via_relay: r1 }`, ''));
    assert.deepEqual(
      noProxy.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
      ['E_VIA_RELAY'],
    );
    assert.match(noProxy.lines.join('\n'), /failover\.relays\.r1\.proxy/);
  });

  it("the docs name the first member, with the relay's proxy on c's side only", () => {
    const spec = check(mesh(`{ ${MEMBERS}, via_relay: r1 }`)).spec;
    assert.ok(spec);
    const docs = desiredState(spec, () => undefined).docs;
    const byId = new Map(docs.map((d) => [d.id, d.body]));
    const pull = byId.get('couchmesh.t.sensors.s1--c');
    const push = byId.get('couchmesh.t.sensors.c--s1');
    assert.equal(pull?.target_proxy, 'http://10.0.0.9:8080');
    assert.equal(pull?.source_proxy, undefined);
    assert.equal(push?.source_proxy, 'http://10.0.0.9:8080');
    assert.equal(push?.target_proxy, undefined);
    assert.equal((push?.source as { url: string } | undefined)?.url, 'http://10.0.0.1:5984/sensors');
  });
});
