import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateMesh } from '../spec/validate.ts';
import { rehearsalMeshText } from './mesh-text.ts';

const example = (name: string) => new URL(`../../examples/${name}`, import.meta.url).pathname;

function rewrite(name: string) {
  const text = readFileSync(example(name), 'utf8');
  const spec = validateMesh(text, { file: example(name) }).spec;
  assert.ok(spec, name);
  const urls = new Map(spec.nodes.map((n, i) => [n.name, `http://127.0.0.1:${40000 + i}`]));
  const endpoints = new Map(
    spec.links.map((l, i) => [
      l.key,
      Object.fromEntries(l.nodes.map((n, j) => [n, `http://127.0.0.1:${41000 + 2 * i + j}`])),
    ]),
  );
  const out = rehearsalMeshText(text, spec, { urls, endpoints, passwordEnv: 'REHEARSE_PW' });
  const again = validateMesh(out, { file: '/tmp/rehearse.yaml' });
  assert.equal(again.errors, 0, out);
  return { spec, again: again.spec as NonNullable<typeof again.spec>, out, urls, endpoints };
}

describe('rehearsal mesh text', () => {
  for (const name of ['seed-mesh.yaml', 'star-relay.yaml', 'full-mesh.yaml', 'nat-edge.yaml'])
    it(`${name}: same nodes, links, classes and databases; only the addresses change`, () => {
      const { spec, again, out, urls, endpoints } = rewrite(name);
      assert.deepEqual(
        again.nodes.map((n) => [n.name, n.region, n.role, n.reachable, n.url]),
        spec.nodes.map((n) => [n.name, n.region, n.role, n.reachable, urls.get(n.name)]),
      );
      assert.deepEqual(
        again.links.map((l) => [l.key, l.class, l.params, l.databases, l.endpoints]),
        spec.links.map((l) => [l.key, l.class, l.params, l.databases, endpoints.get(l.key)]),
      );
      assert.deepEqual(again.databases, spec.databases);
      assert.equal(again.replication_users, undefined);
      for (const n of spec.nodes) assert.ok(!out.includes(n.url), `${n.url} left in the rehearsal mesh`);
    });
});
