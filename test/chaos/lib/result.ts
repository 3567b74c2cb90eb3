// One chaos run's outcome: what the summary table counts and a failing test prints.
import type { AckCheck, Converged } from './invariants.ts';
import type { WriteTally } from './writers.ts';

export interface RunResult {
  scenario: 'partition' | 'partition-lww' | 'kill-9';
  seed: number;
  passed: boolean;
  /** acknowledged writes */
  acked: number;
  /** acknowledged writes missing on some node at the end */
  lost: number;
  violations: string[];
  /** docs left in conflict (no strategy is configured: kept as leaves) */
  conflicted: number;
  /** verify passes until every pair was identical */
  passes: number;
  /** what the run did, in order (to replay a failing seed) */
  steps: string[];
}

/** The invariants of a finished run, as violations. */
export function judge(
  scenario: RunResult['scenario'],
  seed: number,
  steps: string[],
  tally: WriteTally,
  conv: Converged,
  acks: AckCheck | undefined,
  planActions: number | undefined,
  extra: string[] = [],
): RunResult {
  const violations = [...extra];
  if (!conv.ok) {
    const bad = conv.last.databases.flatMap((d) =>
      d.pairs.filter((p) => p.state !== 'identical').map((p) => `${d.db} ${p.a}--${p.b}: ${p.state}`),
    );
    violations.push(`not converged after ${conv.passes} verify passes: ${bad.join('; ')}`);
  }
  if (acks?.lost.length)
    violations.push(
      `${acks.lost.length} acknowledged writes lost: ${acks.lost
        .slice(0, 5)
        .map((a) => `${a.id}@${a.rev} (acked by ${a.node})`)
        .join(', ')}`,
    );
  if (planActions) violations.push(`the plan is not empty: ${planActions} actions`);
  return {
    scenario,
    seed,
    passed: violations.length === 0,
    acked: tally.acked.length,
    lost: acks?.lost.length ?? 0,
    violations,
    conflicted: acks?.conflicted ?? 0,
    passes: conv.passes,
    steps,
  };
}
