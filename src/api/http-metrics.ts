/**
 * The API's own counters, appended to the controller's exposition on /metrics: requests by route
 * and status class, and error answers by their stable `error` code. Counters only grow (Prometheus
 * counters), labels are the route pattern (never a raw path: bounded cardinality).
 */
export class HttpMetrics {
  readonly #requests = new Map<string, number>();
  readonly #errors = new Map<string, number>();

  request(route: string, status: number): void {
    const k = `route="${route}",status="${Math.floor(status / 100)}xx"`;
    this.#requests.set(k, (this.#requests.get(k) ?? 0) + 1);
  }

  error(code: string): void {
    this.#errors.set(code, (this.#errors.get(code) ?? 0) + 1);
  }

  /** Prometheus text format 0.0.4 */
  render(): string {
    const lines = [
      '# HELP couchmesh_api_requests_total HTTP API requests answered, by route and status class.',
      '# TYPE couchmesh_api_requests_total counter',
      ...[...this.#requests].map(([k, v]) => `couchmesh_api_requests_total{${k}} ${v}`),
      '# HELP couchmesh_api_errors_total HTTP API error answers, by error code.',
      '# TYPE couchmesh_api_errors_total counter',
      ...[...this.#errors].map(([k, v]) => `couchmesh_api_errors_total{error="${k}"} ${v}`),
    ];
    return `${lines.join('\n')}\n`;
  }
}
