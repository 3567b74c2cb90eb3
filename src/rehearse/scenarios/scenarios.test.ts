import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../core/random.ts';
import { describeFault, SCENARIOS, type ScenarioPlan, type Topology } from '../types.ts';
import { scenarioPlan } from './index.ts';
import { NO_RELAY } from './relay-loss.ts';
import { splitSides } from './split.ts';

const linksAt = (p: ScenarioPlan): string[] => {
  const f = p.steps[0]?.fault;
  return f && 'links' in f ? f.links : [];
};
const nodeAt = (p: ScenarioPlan): string | undefined => {
  const f = p.steps[0]?.fault;
  return f && 'node' in f ? f.node : undefined;
};

// the seed mesh's shape (examples/seed-mesh.yaml)
const SEED: Topology = {
  nodes: [
    { name: 'n1', region: 'site-a', role: 'edge' },
    { name: 'n2', region: 'site-a', role: 'edge' },
    { name: 'n3', region: 'site-b', role: 'edge' },
    { name: 'n4', region: 'site-b', role: 'edge' },
  ],
  links: [
    ['n1', 'n2'],
    ['n2', 'n3'],
    ['n1', 'n3'],
    ['n3', 'n4'],
    ['n2', 'n4'],
  ].map(([a, b]) => ({ key: `${a}--${b}`, nodes: [a, b] as [string, string], class: 'cellular' })),
  databases: ['sensors'],
  failover: false,
};

describe('rehearse scenario schedules', () => {
  it('every scenario: steps in time order within the duration, the same for the same seed', () => {
    for (const name of SCENARIOS) {
      const a = scenarioPlan(name, SEED, 7, 6000);
      assert.deepEqual(scenarioPlan(name, SEED, 7, 6000), a, name);
      assert.equal(a.name, name);
      const times = a.steps.map((s) => s.atMs);
      assert.deepEqual(
        [...times].sort((x, y) => x - y),
        times,
        name,
      );
      assert.ok(
        times.every((t) => t >= 0 && t <= 6000),
        name,
      );
    }
  });

  it('every cut is healed by the end (the world is whole again before convergence)', () => {
    for (const name of SCENARIOS) {
      const cut = new Set<string>();
      const down = new Set<string>();
      for (const { fault: f } of scenarioPlan(name, SEED, 3, 6000).steps) {
        if (f.kind === 'cut') for (const l of f.links) cut.add(l);
        if (f.kind === 'heal') for (const l of f.links) cut.delete(l);
        if (f.kind === 'crash') down.add(f.node);
        if (f.kind === 'restart') down.delete(f.node);
      }
      assert.equal(cut.size + down.size, 0, name);
    }
  });

  it('partition cuts one declared link; isolate every link of one node', () => {
    const p = scenarioPlan('partition', SEED, 1, 1000);
    assert.equal(p.steps[0]?.fault.kind, 'cut');
    const links = linksAt(p);
    assert.equal(links.length, 1);
    assert.ok(SEED.links.some((l) => l.key === links[0]));
    const i = scenarioPlan('isolate', SEED, 1, 1000);
    const cut = linksAt(i);
    const node = SEED.nodes.find((n) => cut.every((k) => k.split('--').includes(n.name)))?.name;
    assert.ok(node);
    assert.equal(cut.length, SEED.links.filter((l) => l.nodes.includes(node)).length);
  });

  it('split follows the regions when there are two or more, else a seeded half', () => {
    assert.deepEqual(splitSides(SEED, seededRandom(1)), ['n1', 'n2']);
    const plan = scenarioPlan('split', SEED, 1, 1000);
    assert.deepEqual(linksAt(plan).sort(), ['n1--n3', 'n2--n3', 'n2--n4']);
    const flat = { ...SEED, nodes: SEED.nodes.map(({ name, role }) => ({ name, role })) };
    assert.equal(splitSides(flat, seededRandom(5)).length, 2);
  });

  it('flap toggles one link three times; crash kills then restarts; recreate expects its re-scan', () => {
    const f = scenarioPlan('flap', SEED, 1, 6000).steps.map((s) => s.fault.kind);
    assert.deepEqual(f, ['cut', 'heal', 'cut', 'heal', 'cut', 'heal']);
    const c = scenarioPlan('crash', SEED, 1, 4000).steps;
    assert.deepEqual(
      c.map((s) => [s.fault.kind, s.atMs]),
      [
        ['crash', 1000],
        ['restart', 3000],
      ],
    );
    const r = scenarioPlan('recreate', SEED, 1, 4000);
    const node = nodeAt(r);
    assert.deepEqual(r.expectRescan, [`${node}/sensors`]);
  });

  it('relay-loss is skipped on a mesh without a relay, and cuts the relay off otherwise', () => {
    assert.equal(scenarioPlan('relay-loss', SEED, 1, 1000).skipped, NO_RELAY);
    const star: Topology = {
      ...SEED,
      nodes: [{ name: 'depot', role: 'relay' }, ...SEED.nodes],
      links: [...SEED.links, { key: 'depot--n1', nodes: ['depot', 'n1'], class: 'cellular' }],
    };
    const p = scenarioPlan('relay-loss', star, 1, 1000);
    assert.equal(p.skipped, undefined);
    assert.deepEqual(linksAt(p), ['depot--n1']);
  });

  it('relay-loss with failover: a direct link cut, then the relay lost whole, then everything healed', () => {
    const star: Topology = {
      ...SEED,
      failover: true,
      nodes: [{ name: 'depot', role: 'relay' }, ...SEED.nodes],
      links: [{ key: 'depot--n1', nodes: ['depot', 'n1'], class: 'cellular' }, ...SEED.links],
    };
    const p = scenarioPlan('relay-loss', star, 1, 1000);
    const direct = SEED.links[0]?.key as string;
    assert.deepEqual(
      p.steps.map((s) => [s.atMs, describeFault(s.fault)]),
      [
        [0, `cut ${direct}`],
        [700, 'relay depot lost (node killed, proxy stopped, depot--n1 cut)'],
        [1000, `heal ${direct} depot--n1`],
      ],
    );
  });
});
