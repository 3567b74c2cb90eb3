import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { relayMemberGroupsOf } from './mesh-groups.ts';

const MESH = `mesh: t
nodes:
  c: { members: [http://10.0.0.1:5984, "http://[::1]:5985"], via_relay: r1 }
  d: { members: [http://10.0.1.1:5984, http://10.0.1.2:5984], via_relay: r2 }
  e: { members: [http://10.0.2.1:5984] }
  s1: { url: http://10.0.9.1:5984 }
  r1: { url: http://10.0.0.9:5984, role: relay }
  r2: { url: http://10.0.0.8:5984, role: relay }
databases: [sensors]
links: [[c, s1], [d, s1], [e, s1], [r1, s1], [r2, s1]]
failover:
  relays:
    r1: { proxy: http://10.0.0.9:8080 }
    r2: { proxy: http://10.0.0.8:8080 }
`;

describe('relay -f mesh.yaml: the member groups of the via_relay clusters', () => {
  it('one group per via_relay node (all, or those naming --name), never a node without via_relay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-relay-groups-'));
    try {
      const file = join(dir, 'mesh.yaml');
      writeFileSync(file, MESH);
      const c = [
        { host: '10.0.0.1', port: 5984 },
        { host: '::1', port: 5985 },
      ];
      const d = [
        { host: '10.0.1.1', port: 5984 },
        { host: '10.0.1.2', port: 5984 },
      ];
      assert.deepEqual(relayMemberGroupsOf(file, {}), [c, d]);
      assert.deepEqual(relayMemberGroupsOf(file, {}, 'r1'), [c]);
      assert.deepEqual(relayMemberGroupsOf(file, {}, 'nope'), []);
      writeFileSync(file, MESH.replace('via_relay: r2', 'via_relay: s1'));
      assert.throws(() => relayMemberGroupsOf(file, {}), { code: 'E_MESH_INVALID' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
