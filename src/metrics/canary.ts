/**
 * Canary metrics (FAILOVER, #15) on the mesh registry: the newest canary latency per direction as
 * a gauge (seconds, Prometheus' base unit; a lost canary leaves the last arrived value and counts
 * in `couchmesh_canary_lost_total`, so a dashboard sees both how slow and how often lost).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CanarySample } from '../canary/types.ts';
import { safeLabel } from './labels.ts';

export class CanaryMetrics {
  readonly #mesh: string;
  readonly #db: string;
  readonly #latency: Gauge<string>;
  readonly #lost: Counter<string>;

  constructor(registry: Registry, mesh: string, db: string) {
    this.#mesh = safeLabel(mesh);
    this.#db = safeLabel(db);
    this.#latency = new Gauge({
      name: 'couchmesh_canary_latency_seconds',
      help: "the newest canary's end-to-end latency per direction: write acknowledged on `from` to seen on `to` (couchmesh's clock)",
      labelNames: ['mesh', 'from', 'to', 'db'],
      registers: [registry],
    });
    this.#lost = new Counter({
      name: 'couchmesh_canary_lost_total',
      help: 'canaries not seen on `to` within the timeout (or an endpoint unreachable), per direction',
      labelNames: ['mesh', 'from', 'to', 'db'],
      registers: [registry],
    });
  }

  /** The samples of one round. */
  record(samples: readonly CanarySample[]): void {
    for (const s of samples) {
      const l = { mesh: this.#mesh, from: safeLabel(s.from), to: safeLabel(s.to), db: this.#db };
      if (s.latencyMs === null) this.#lost.inc(l);
      else {
        this.#latency.set(l, s.latencyMs / 1000);
        this.#lost.inc(l, 0); // the series exists (at 0) once the direction was measured
      }
    }
  }
}
