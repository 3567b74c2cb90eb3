/**
 * Metrics of the controller and of its HTTP API, on a registry the caller passes (the exporter's,
 * so one `/metrics` shows the mesh and the process that keeps it). Plain functions over prom-client:
 * the controller and the API call them without importing any front end. Every label value goes
 * through `safeLabel` (no URL credentials, no query strings); routes are patterns (`/links/:link`),
 * never raw paths, so a label cannot carry a token nor grow without bound.
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

export class HttpMetrics {
  readonly #mesh: string;
  readonly #requests: Counter<string>;
  readonly #errors: Counter<string>;

  constructor(registry: Registry, mesh: string) {
    this.#mesh = safeLabel(mesh);
    this.#requests = new Counter({
      name: 'couchmesh_http_requests_total',
      help: 'requests to the HTTP API, by route pattern, method and status code',
      labelNames: ['mesh', 'route', 'method', 'code'],
      registers: [registry],
    });
    this.#errors = new Counter({
      name: 'couchmesh_http_request_errors_total',
      help: 'requests to the HTTP API answered 4xx or 5xx (or never answered: code "aborted"), by route pattern',
      labelNames: ['mesh', 'route', 'code'],
      registers: [registry],
    });
  }

  /** One request: `route` is the matched pattern (`/api/links/:link`), `status` its answer or null (aborted). */
  request(route: string, method: string, status: number | null): void {
    const r = safeLabel(route);
    const code = status === null ? 'aborted' : String(status);
    this.#requests.inc({ mesh: this.#mesh, route: r, method: safeLabel(method).toUpperCase(), code });
    if (status === null || status >= 400) this.#errors.inc({ mesh: this.#mesh, route: r, code });
  }
}
