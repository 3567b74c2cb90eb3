/**
 * The API's own counters, appended to the controller's exposition on /metrics: requests by route
 * and status class, and error answers by their stable `error` code. prom-client counters on the
 * API's own registry (the controller's registry is behind the ControllerHandle); labels are the route
 * pattern (never a raw path: bounded cardinality, no token) and go through `safeLabel`.
 */
import { Counter, Registry } from 'prom-client';
import { safeLabel } from '../metrics/labels.ts';

export class HttpMetrics {
  readonly #registry = new Registry();
  readonly #requests = new Counter({
    name: 'couchmesh_api_requests_total',
    help: 'HTTP API requests answered, by route and status class.',
    labelNames: ['route', 'status'],
    registers: [this.#registry],
  });
  readonly #errors = new Counter({
    name: 'couchmesh_api_errors_total',
    help: 'HTTP API error answers, by error code.',
    labelNames: ['error'],
    registers: [this.#registry],
  });

  request(route: string, status: number): void {
    this.#requests.inc({ route: safeLabel(route), status: `${Math.floor(status / 100)}xx` });
  }

  error(code: string): void {
    this.#errors.inc({ error: safeLabel(code) });
  }

  /** Prometheus text format 0.0.4 */
  render(): Promise<string> {
    return this.#registry.metrics();
  }
}
