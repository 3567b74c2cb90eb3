import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { initialRule, stepAll, stepRule } from './rule.ts';
import type { RuleSample } from './types.ts';

const c = { degradeAfter: 3, recoverAfter: 2 };
const seq = (pattern: string, start = 1): RuleSample[] =>
  [...pattern].map((ch, i) => ({ at: start + i, bad: ch === 'x', why: ch === 'x' ? `bad ${i}` : 'ok' }));

describe('failover rule: k bad to degrade, m good to recover', () => {
  it('degrades on the k-th consecutive bad sample, with its reason and time', () => {
    const s = stepAll(initialRule(0), seq('xx'), c);
    assert.equal(s.status, 'healthy');
    assert.equal(s.bad, 2);
    const d = stepAll(s, seq('x', 3), c);
    assert.equal(d.status, 'degraded');
    assert.equal(d.since, 3);
    assert.equal(d.reason, 'bad 0');
  });

  it('a good sample resets the bad count; recovery needs m consecutive good ones', () => {
    assert.equal(stepAll(initialRule(0), seq('xx.xx.xx'), c).status, 'healthy');
    const d = stepAll(initialRule(0), seq('xxx'), c);
    const stillBad = stepAll(d, seq('.x.', 4), c);
    assert.equal(stillBad.status, 'degraded');
    const healed = stepAll(stillBad, seq('.', 7), c);
    assert.equal(healed.status, 'healthy');
    assert.equal(healed.since, 7);
    assert.equal(healed.reason, '');
  });

  it('property: alternating samples never switch, whatever k, m >= 2 and the first verdict', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 2, max: 10 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 200 }),
        fc.boolean(),
        (k, m, startBad, n, degradedAtStart) => {
          const cfg = { degradeAfter: k, recoverAfter: m };
          let s = initialRule(0);
          if (degradedAtStart) s = stepAll(s, seq('x'.repeat(k), -k - 1), cfg);
          const status = s.status;
          for (let i = 0; i < n; i++) {
            s = stepRule(s, { at: i, bad: (i % 2 === 0) === startBad, why: 'flap' }, cfg);
            assert.equal(s.status, status);
          }
        },
      ),
    );
  });

  it('property: k bad in a row always degrade, m good in a row always recover', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }), (k, m) => {
        const cfg = { degradeAfter: k, recoverAfter: m };
        const d = stepAll(initialRule(0), seq('x'.repeat(k)), cfg);
        assert.equal(d.status, 'degraded');
        assert.equal(stepAll(d, seq('.'.repeat(m), k + 1), cfg).status, 'healthy');
      }),
    );
  });
});
