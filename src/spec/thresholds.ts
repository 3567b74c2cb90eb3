import { z } from 'zod';

const count = (n: number, description: string) => z.number().int().min(0).default(n).meta({ description });
const ms = (n: number, description: string) => z.number().int().min(1).default(n).meta({ description });

/**
 * Health thresholds (read by the telemetry and routing issues). Every one has a default, so the
 * `thresholds:` section is optional; durations are milliseconds.
 */
export const ThresholdsSchema = z
  .strictObject({
    observe_interval_ms: ms(10000, 'how often nodes are observed (_scheduler/jobs, _active_tasks)'),
    lag_warning_changes: count(1000, 'changes pending on a replication above which it is lagging (warning)'),
    lag_critical_changes: count(10000, 'changes pending above which a lagging replication is critical'),
    stall_after_ms: ms(
      300000,
      'a replication whose checkpointed_source_seq has not advanced for this long while source_seq climbs is stalled',
    ),
    crashing_after_ms: ms(120000, "a job in 'crashing' state for this long raises an alert"),
    doc_write_failures: count(1, 'doc_write_failures at or above this count raise an alert'),
    conflicts_warning: count(100, 'conflicted documents in a database above which a warning is raised'),
    rate_limited_per_minute: count(
      10,
      '429 Too Many Requests answers per minute above which a node is flagged',
    ),
    relay_latency_ms: ms(
      2000,
      'direct link latency above which replication is rerouted through a relay (when one is declared)',
    ),
  })
  .meta({ description: 'health thresholds used by telemetry, alerts and relay failover; all have defaults' });

export type Thresholds = z.output<typeof ThresholdsSchema>;

export const DEFAULT_THRESHOLDS: Thresholds = ThresholdsSchema.parse({});
