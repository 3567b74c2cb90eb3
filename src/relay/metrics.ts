/**
 * `couchmesh relay --metrics`: the relay's counters (counters.ts) in the Prometheus text format, on a
 * registry of its own (a relay host runs no controller). Values are read from the counters at
 * scrape time, so the proxy's hot path stays plain additions. Labels are constants only (`direction`):
 * no destination, client address or path, so nothing a request carries can reach a series.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { RelayCounters } from './counters.ts';

export interface RelayMetrics {
  readonly contentType: string;
  text(): Promise<string>;
}

type Snapshot = ReturnType<RelayCounters['snapshot']>;

export function relayMetrics(counters: RelayCounters): RelayMetrics {
  const registry = new Registry();
  // a counter whose value is the relay's own running total, set at each scrape
  const total = (name: string, help: string, read: (s: Snapshot) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(counters.snapshot()));
      },
    });
  total(
    'couchmesh_relay_connections_total',
    'connections forwarded: CONNECT tunnels and absolute-form http requests',
    (s) => s.connections,
  );
  total(
    'couchmesh_relay_denied_total',
    'requests refused: destination off the --allow list, a malformed authority, or not a proxy request',
    (s) => s.refused,
  );
  total(
    'couchmesh_relay_errors_total',
    'forwarded connections that failed: the destination unreachable or the connection lost',
    (s) => s.failed,
  );
  new Counter({
    name: 'couchmesh_relay_bytes_total',
    help: 'bytes copied, by direction: up (client -> destination), down (destination -> client)',
    labelNames: ['direction'],
    registers: [registry],
    collect() {
      const s = counters.snapshot();
      this.reset();
      this.inc({ direction: 'up' }, s.bytesUp);
      this.inc({ direction: 'down' }, s.bytesDown);
    },
  });
  new Gauge({
    name: 'couchmesh_relay_active_connections',
    help: 'tunnels and forwarded requests open now',
    registers: [registry],
    collect() {
      this.set(Math.max(0, counters.snapshot().active));
    },
  });
  return { contentType: registry.contentType, text: () => registry.metrics() };
}
