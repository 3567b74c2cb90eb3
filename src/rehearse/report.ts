/**
 * The rehearsal's report: per scenario what it did, how long the mesh took to converge after the
 * heal, the writes, conflicts created and resolved, bytes through the relay, re-scans, and each
 * invariant with its evidence; exit 0 when every invariant of every scenario held, 2 otherwise.
 */
import type { LinkProfile } from './link-profile.ts';
import type { Rescan } from './rescans.ts';
import type { ScenarioName } from './types.ts';

export const INVARIANTS = [
  'identical',
  'no-write-lost',
  'no-conflict-left',
  'no-rescan',
  'plan-empty',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface InvariantResult {
  name: InvariantName;
  ok: boolean;
  /** what was checked and found, in a line (ids first N) */
  evidence: string;
}

export interface ScenarioReport {
  name: ScenarioName;
  description: string;
  /** why it did not run on this mesh (then nothing else is filled in) */
  skipped?: string;
  /** the faults, in order, with their offsets */
  steps: string[];
  /**
   * ms from the heal until the controller's view was converged and verify found every pair
   * identical; null: it did not
   */
  converge_ms: number | null;
  /** verify passes it took */
  passes: number;
  writes: { acked: number; refused: number; failed: number };
  conflicts: { created: number; resolved: number; left: number };
  /** bytes through the fault proxies of the relay's links (both ways); null: the mesh has no relay */
  relayed_bytes: number | null;
  rescans: { unexpected: number; expected: number; list: Rescan[] };
  /** the controller's actions during the scenario, by loop (drift, resolve, remediate, deep-check, route) */
  actions: Record<string, number>;
  /** the same by `loop/kind` (drift/apply, remediate/reset-checkpoints, route/relay, ...) */
  action_kinds: Record<string, number>;
  /**
   * FAILOVER (relay-loss on a mesh declaring `failover:`): the router's route changes during the
   * scenario and the bytes through the relays' forward proxies
   */
  failover?: { relayed: number; given_up: number; direct: number; proxy_bytes: number | null };
  invariants: InvariantResult[];
  passed: boolean;
}

export interface RehearsalLink {
  key: string;
  class: string;
  profile: LinkProfile;
}

export interface RehearseReport {
  mesh: string;
  seed: number;
  duration_ms: number;
  /** writes per second per node */
  rate: number;
  nodes: string[];
  links: RehearsalLink[];
  scenarios: ScenarioReport[];
  summary: { run: number; passed: number; failed: number; skipped: number };
  /** 0 every invariant held, 2 one failed */
  exit_code: 0 | 2;
}

export function skippedScenario(name: ScenarioName, description: string, why: string): ScenarioReport {
  return {
    name,
    description,
    skipped: why,
    steps: [],
    converge_ms: null,
    passes: 0,
    writes: { acked: 0, refused: 0, failed: 0 },
    conflicts: { created: 0, resolved: 0, left: 0 },
    relayed_bytes: null,
    rescans: { unexpected: 0, expected: 0, list: [] },
    actions: {},
    action_kinds: {},
    invariants: [],
    passed: true,
  };
}

export function summarize(
  head: Omit<RehearseReport, 'scenarios' | 'summary' | 'exit_code'>,
  scenarios: ScenarioReport[],
): RehearseReport {
  const ran = scenarios.filter((s) => !s.skipped);
  const passed = ran.filter((s) => s.passed).length;
  const summary = {
    run: ran.length,
    passed,
    failed: ran.length - passed,
    skipped: scenarios.length - ran.length,
  };
  return { ...head, scenarios, summary, exit_code: summary.failed ? 2 : 0 };
}

/** `first, second, third (+N)`: the first few of a list for evidence lines. */
export function firstN(xs: readonly string[], n = 3): string {
  const shown = xs.slice(0, n).join(', ');
  return xs.length > n ? `${shown} (+${xs.length - n})` : shown;
}
