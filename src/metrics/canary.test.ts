import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CanaryMetrics } from './canary.ts';

describe('canary metrics', () => {
  it('a latency gauge in seconds and a lost counter per direction', async () => {
    const registry = new Registry();
    const m = new CanaryMetrics(registry, 'seed', 'couchmesh_canary');
    m.record([
      { from: 'n1', to: 'n2', at: 0, latencyMs: 250 },
      { from: 'n2', to: 'n1', at: 0, latencyMs: null },
    ]);
    m.record([{ from: 'n2', to: 'n1', at: 1, latencyMs: null }]);
    const text = await registry.metrics();
    assert.match(
      text,
      /couchmesh_canary_latency_seconds\{mesh="seed",from="n1",to="n2",db="couchmesh_canary"\} 0\.25/,
    );
    assert.match(
      text,
      /couchmesh_canary_lost_total\{mesh="seed",from="n2",to="n1",db="couchmesh_canary"\} 2/,
    );
    assert.match(
      text,
      /couchmesh_canary_lost_total\{mesh="seed",from="n1",to="n2",db="couchmesh_canary"\} 0/,
    );
    assert.doesNotMatch(text, /latency_seconds\{[^}]*from="n2"/, 'never arrived: no latency series');
  });
});
