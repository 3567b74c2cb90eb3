/**
 * Metrics of the controller, on a registry the caller passes (the exporter's, so one `/metrics`
 * shows the mesh and the process that keeps it). The HTTP API keeps its own counters
 * (src/api/http-metrics.ts). Every label value goes through `safeLabel` (no URL credentials, no
 * query strings).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { safeLabel } from './labels.ts';

export class ControllerMetrics {
  readonly #mesh: string;
  readonly #actions: Counter<string>;
  readonly #errors: Counter<string>;
  readonly #depth: Gauge<string>;

  constructor(registry: Registry, mesh: string) {
    this.#mesh = safeLabel(mesh);
    this.#actions = new Counter({
      name: 'couchmesh_controller_actions_total',
      help: 'actions the controller took (or, dry-run, would have taken), by loop, kind and outcome',
      labelNames: ['mesh', 'loop', 'kind', 'outcome'],
      registers: [registry],
    });
    this.#errors = new Counter({
      name: 'couchmesh_controller_reconcile_errors_total',
      help: 'reconciles of a work-queue key that threw (retried with per-key backoff), by loop',
      labelNames: ['mesh', 'loop'],
      registers: [registry],
    });
    this.#depth = new Gauge({
      name: 'couchmesh_controller_queue_depth',
      help: 'keys waiting in the work queue (de-duplicated), by loop',
      labelNames: ['mesh', 'loop'],
      registers: [registry],
    });
  }

  /** One action (`ControllerAction`'s loop, kind and outcome). */
  action(loop: string, kind: string, outcome: string): void {
    this.#actions.inc({
      mesh: this.#mesh,
      loop: safeLabel(loop),
      kind: safeLabel(kind),
      outcome: safeLabel(outcome),
    });
  }

  reconcileError(loop: string): void {
    this.#errors.inc({ mesh: this.#mesh, loop: safeLabel(loop) });
  }

  queueDepth(loop: string, depth: number): void {
    this.#depth.set({ mesh: this.#mesh, loop: safeLabel(loop) }, depth);
  }
}
