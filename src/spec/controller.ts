import { z } from 'zod';
import { withHint } from './hints.ts';

/**
 * mesh.yaml's optional `controller:` block: how `couchmesh run` keeps the mesh as declared. Every
 * key has a default, so the block may be absent; a remediation is `none` unless asked for (the
 * controller observes and alerts, it does not touch replication on its own).
 */

/** What the controller may do about a finding (one per finding kind). */
export const REMEDIATIONS = ['none', 'restart-job', 'reset-checkpoints', 'reconcile'] as const;
export type Remediation = (typeof REMEDIATIONS)[number];

/**
 * Finding kinds a remediation can be declared for: the direction rules of src/health that an
 * action on the direction can help, plus `db-recreated` (the controller's deep check: a database
 * deleted and recreated under a running job, which CouchDB 3.5 never notices when idle).
 */
export const REMEDIABLE_KINDS = [
  'db-recreated',
  'crashing',
  'error',
  'failed',
  'stalled',
  'seq-regression',
  'checkpoint-integrity',
  'rescan-storm',
  'lag',
] as const;
export type RemediableKind = (typeof REMEDIABLE_KINDS)[number];

const remediation = withHint(
  z
    .enum(REMEDIATIONS)
    .default('none')
    .meta({ description: 'none (default), restart-job, reset-checkpoints or reconcile' }),
  { expected: 'none, restart-job, reset-checkpoints or reconcile' },
);

const ms = (n: number, description: string) => z.number().int().min(100).default(n).meta({ description });

export const RemediationSchema = z
  .strictObject(
    Object.fromEntries(REMEDIABLE_KINDS.map((k) => [k, remediation.optional()])) as {
      [K in RemediableKind]: z.ZodOptional<typeof remediation>;
    },
  )
  .meta({ description: 'per finding kind, what the controller does about it (default none)' });

export const ControllerSchema = z
  .strictObject({
    poll_interval_ms: z.number().int().min(100).optional().meta({
      description: 'observe + health + alerts every this often (default thresholds.observe_interval_ms)',
    }),
    drift_interval_ms: ms(60_000, 'drift repair (plan + apply) every this often'),
    deep_check_interval_ms: ms(300_000, 'checkpoint integrity and database identity checks every this often'),
    conflicts_interval_ms: ms(60_000, 'conflict resolution passes every this often'),
    verify_interval_ms: z.number().int().min(1000).optional().meta({
      description:
        'couchmesh verify (anti-entropy: every document of every node compared) every this often, raising a divergence finding; absent: never',
    }),
    // CouchDB's `[replicator] cluster_quiet_period` (couch_replicator_clustering.erl,
    // DEFAULT_QUIET_PERIOD 60, in seconds): after a membership change a cluster's jobs wait this long
    // before they move, so `initializing` / `Duplicate replication` for this long is a handoff
    cluster_quiet_period_ms: z.number().int().min(0).default(60_000).meta({
      description:
        "the clusters' [replicator] cluster_quiet_period in ms (CouchDB default 60 s): jobs moving between members within it are a handoff, not a crash",
    }),
    prune: withHint(
      z
        .boolean()
        .default(false)
        .meta({ description: 'drift repair also deletes orphaned managed documents' }),
      { hint: 'write true or false' },
    ),
    max_actions_per_hour: z
      .number()
      .int()
      .min(0)
      .default(3)
      .meta({ description: 'remediations at most this many per direction per hour (0: none)' }),
    remediation: RemediationSchema.optional(),
  })
  .meta({ description: 'couchmesh run: intervals, drift pruning and remediation policies' });

export type ControllerSpec = z.output<typeof ControllerSchema>;

export const DEFAULT_CONTROLLER: ControllerSpec = ControllerSchema.parse({});
