// One bad-peer run (VERIFY-CHAOS #16): two nodes linked both ways, n1 behind a bad-peer front;
// writers on both nodes while the front answers garbage, wrong-shaped JSON, truncated or hanging
// responses, or 429s. While the fault holds, a faulted job must crash visibly with a reason (no
// silent success) and retry with backoff, a throttled one must back off without crashing; once the
// fault is healed the nodes converge with every acknowledged write on both (no doc skipped: doc ids
// are written once, so a checkpoint recorded past an unwritten doc would leave it missing for good),
// and no job has failed for good.
import { type Random, seededRandom } from '../../../src/core/random.ts';
import type { PeerFault, PeerFaultMode } from './bad-peer.ts';
import { DB, FRONTED, OTHER, PeerWorld } from './peer-world.ts';
import { int } from './writers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PeerRunResult {
  scenario: `peer-${PeerFaultMode}`;
  seed: number;
  passed: boolean;
  acked: number;
  lost: number;
  violations: string[];
  /** requests the front saw / faulted while the fault held */
  requests: number;
  faulted: number;
  /** distinct crash reasons `_scheduler/docs` showed while the fault held */
  reasons: string[];
  passes: number;
  steps: string[];
}

/** The replicator's request kinds a fault may be limited to (`METHOD /path?query` patterns). */
export const TARGETS = {
  all: /./,
  changes: /\/_changes/,
  revs_diff: /\/_revs_diff/,
  // a failed `_bulk_get` falls back to open_revs reads: both answer badly
  reads: /\/_bulk_get|[?&]open_revs=/,
  bulk_docs: /\/_bulk_docs/,
  checkpoint: /\/_local\/|_ensure_full_commit/,
} as const;
export type FaultTarget = keyof typeof TARGETS;

/**
 * The fault of a run, drawn from the seed: which requests (`on`, else drawn: every kind but `all`,
 * which crashes a job at its first request and tests nothing deeper), which share of them, how many
 * bytes before the cut.
 */
export function drawFault(mode: PeerFaultMode, r: Random, on?: FaultTarget): PeerFault & { on: FaultTarget } {
  const kinds = Object.keys(TARGETS).filter((k) => k !== 'all') as FaultTarget[];
  const target = on ?? (kinds[int(r, kinds.length)] as FaultTarget);
  const base = { mode, on: target, match: TARGETS[target] };
  if (mode === 'throttle') return { ...base, share: 0.3 + r.float() * 0.4, retryAfterS: 1 };
  if (mode === 'truncate' || mode === 'hang') return { ...base, share: 1, bytes: 1 + int(r, 200) };
  return { ...base, share: 1 };
}

export async function peerRun(
  mode: PeerFaultMode,
  seed: number,
  o: {
    faultMs?: number;
    maxPasses?: number;
    on?: FaultTarget;
    /**
     * throttle: every request answered 429 under a low `max_backoff_interval_msec`: the job reaches
     * it and crashes with `max_backoff` (CouchDB's couch_replicator_rate_limiter), is retried with
     * backoff and never fails for good
     */
    maxBackoffMs?: number;
  } = {},
): Promise<PeerRunResult> {
  const r = seededRandom(seed);
  // hang: one second of silence fails a request (connection_timeout), the longpoll feed's 1 s under it
  const hard = mode === 'throttle' && o.maxBackoffMs !== undefined;
  const w = await new PeerWorld().start({
    seed,
    retries: mode === 'throttle' ? 1 : 0,
    timeoutMs: 2000,
    ...(hard ? { maxBackoffMs: o.maxBackoffMs } : {}),
  });
  const steps: string[] = [];
  const violations: string[] = [];
  const acked = new Map<string, { node: string; rev: string }>();
  const write = async (node: string, tag: string, n: number) => {
    const docs = Array.from({ length: n }, (_, i) => ({ _id: `${tag}-${node}-${i}`, node, i }));
    const res = await w.mesh.request(node, 'POST', `/${DB}/_bulk_docs`, { docs });
    if (res.status === 201)
      for (const x of res.body as Array<{ ok?: boolean; id: string; rev: string }>)
        if (x.ok) acked.set(x.id, { node, rev: x.rev });
  };
  try {
    await Promise.all([write(FRONTED, 'warm', 10), write(OTHER, 'warm', 10)]);
    const warm = await w.converge(o.maxPasses);
    if (!warm.ok) violations.push(`not converged before the fault: ${warm.state}`);
    const fault = hard ? { ...drawFault(mode, r, o.on), share: 1 } : drawFault(mode, r, o.on);
    const before = { ...w.peer.counters, faulted: { ...w.peer.counters.faulted } };
    w.peer.set(fault);
    steps.push(
      `fault ${fault.mode} on ${fault.on} (share ${fault.share?.toFixed(2)}${fault.bytes ? `, cut after ${fault.bytes} bytes` : ''}) for ${o.faultMs ?? 2500} ms, writes on both nodes`,
    );
    const reasons = new Set<string>();
    const states = new Set<string>();
    const until = Date.now() + (o.faultMs ?? 2500);
    for (let k = 0; Date.now() < until; k++) {
      await Promise.all([write(FRONTED, `f${k}`, 1 + int(r, 5)), write(OTHER, `f${k}`, 1 + int(r, 5))]);
      for (const j of await w.jobs()) states.add(j.state);
      for (const c of await w.crashes())
        reasons.add(c.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL').slice(0, 120));
      await sleep(150);
    }
    // a hung request fails after connection_timeout: its crash lands after the writes stop
    if (mode === 'hang') await sleep(2500);
    for (const c of await w.crashes())
      reasons.add(c.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'URL').slice(0, 120));
    const requests = w.peer.counters.requests - before.requests;
    const faulted = w.peer.counters.faulted[mode] - before.faulted[mode];
    w.peer.heal();
    steps.push(
      `${faulted} of ${requests} requests faulted; job states seen ${[...states].sort().join(',')}; reasons: ${[...reasons].join(' | ') || 'none'}`,
    );
    if (faulted === 0) violations.push('the fault never hit a request');
    if (hard) {
      if (![...reasons].some((x) => x.startsWith('max_backoff')))
        violations.push(`no max_backoff crash under a full 429 wall: ${[...reasons].join(' | ') || 'none'}`);
    } else if (mode === 'throttle') {
      // a rate limit is no failure: CouchDB's replicator backs off and keeps going
      if (reasons.size || states.has('crashing') || states.has('failed'))
        violations.push(`a throttled job crashed: ${[...reasons].join(' | ')}`);
    } else if (reasons.size === 0) violations.push('no job showed a crash reason while its peer was faulted');

    const conv = await w.converge(o.maxPasses);
    steps.push(`healed; verify identical after ${conv.passes} passes`);
    if (!conv.ok) violations.push(`not converged after ${conv.passes} verify passes: ${conv.state}`);
    let lost = 0;
    for (const node of [FRONTED, OTHER]) {
      const all = await w.mesh.ok(node, 'GET', `/${DB}/_all_docs`);
      const held = new Map(
        (all.rows as Array<{ id: string; value: { rev: string } }>).map((x) => [x.id, x.value.rev]),
      );
      const missing = [...acked].filter(([id, a]) => held.get(id) !== a.rev);
      lost = Math.max(lost, missing.length);
      if (missing.length)
        violations.push(
          `${node}: ${missing.length} acknowledged writes missing (${missing
            .slice(0, 3)
            .map(([id]) => id)
            .join(', ')})`,
        );
    }
    const jobs = await w.jobs();
    const notRunning = jobs.filter((j) => j.state !== 'running');
    // after the heal every job runs again (a crashing one is retried within its backoff)
    if (notRunning.length && (await settle(w)).length)
      violations.push(
        `jobs not running after the heal: ${notRunning.map((j) => `${j.doc} ${j.state}`).join(', ')}`,
      );
    return {
      scenario: `peer-${mode}`,
      seed,
      passed: violations.length === 0,
      acked: acked.size,
      lost,
      violations,
      requests,
      faulted,
      reasons: [...reasons],
      passes: conv.passes,
      steps,
    };
  } finally {
    await w.close();
  }
}

/** The jobs still not running after waiting out a few crash backoffs (bounded by count). */
async function settle(w: PeerWorld) {
  let bad = await w.jobs();
  for (let i = 0; i < 50 && bad.some((j) => j.state !== 'running'); i++) {
    await sleep(200);
    bad = await w.jobs();
  }
  return bad.filter((j) => j.state !== 'running');
}
