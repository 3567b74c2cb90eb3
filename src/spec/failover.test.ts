import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAILOVER, FailoverSchema, modeOf, regionDistance, thresholdOf } from './failover.ts';
import { validateMesh } from './validate.ts';

const mesh = (failover: string) => `mesh: m
nodes:
  a: { url: 'http://127.0.0.1:5001', region: eu }
  b: { url: 'http://127.0.0.1:5002', region: us }
  r: { url: 'http://127.0.0.1:5003', role: relay, region: eu }
databases: [db]
links:
  - [a, b]
  - [a, r]
${failover}`;

describe('spec: failover block', () => {
  it('defaults: proxy mode, k = m = 3, no regions or relays', () => {
    assert.equal(DEFAULT_FAILOVER.mode, 'proxy');
    assert.equal(DEFAULT_FAILOVER.degrade_after, 3);
    assert.equal(DEFAULT_FAILOVER.recover_after, 3);
    assert.deepEqual(DEFAULT_FAILOVER.regions, {});
  });

  it('resolves the block: relays, per-link overrides and region distances', () => {
    const r = validateMesh(
      mesh(`failover:
  mode: store-and-forward
  degrade_after: 2
  regions: { eu: { us: 80 } }
  relays: { r: { proxy: 'http://127.0.0.1:3128/' } }
  links: { a--b: { mode: proxy, relay_latency_ms: 500 } }
`),
    );
    assert.equal(r.ok, true, JSON.stringify(r.diagnostics));
    const f = r.spec?.failover;
    assert.ok(f);
    assert.equal(f.relays.r?.proxy, 'http://127.0.0.1:3128');
    assert.equal(modeOf(f, 'a--b'), 'proxy');
    assert.equal(modeOf(f, 'a--r'), 'store-and-forward');
    assert.equal(thresholdOf(f, 'a--b', 2000), 500);
    assert.equal(thresholdOf(f, 'a--r', 2000), 2000);
    assert.equal(regionDistance(f, 'us', 'eu'), 80);
    assert.equal(regionDistance(f, 'eu', 'eu'), 0);
    assert.equal(regionDistance(f, 'eu', 'ap'), undefined);
  });

  it('absent: no failover in the spec', () => {
    const r = validateMesh(mesh(''));
    assert.equal(r.ok, true);
    assert.equal(r.spec?.failover, undefined);
  });

  it('names a relay that is not a relay node, or an unknown link: E_FAILOVER with a hint', () => {
    const r = validateMesh(
      mesh(`failover:
  relays: { a: { proxy: 'http://127.0.0.1:3128' } }
  links: { b--r: { mode: proxy } }
`),
    );
    assert.equal(r.ok, false);
    const codes = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.path}`);
    assert.deepEqual(codes, ['E_FAILOVER failover.relays.a', 'E_FAILOVER failover.links.b--r']);
    assert.ok(r.diagnostics.every((d) => d.hint));
  });

  it('refuses a proxy URL with credentials, and a bad mode', () => {
    assert.equal(FailoverSchema.safeParse({ mode: 'teleport' }).success, false);
    const r = validateMesh(mesh(`failover: { relays: { r: { proxy: 'http://u:p@127.0.0.1:3128' } } }\n`));
    assert.equal(r.ok, false);
    assert.ok(r.diagnostics.some((d) => d.code === 'E_URL_CREDENTIALS'));
    assert.ok(!JSON.stringify(r.diagnostics).includes('u:p@'));
  });
});
