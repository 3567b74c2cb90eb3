// The poller's incremental, compact series (health/series-book.ts) against the rules over the raw
// snapshots of the same window (evaluateHealth, as the poller computed them before): the same findings
// after every poll, over seeded random histories that go through every rule's situations (running with
// progress or flat, crashing with history, error, failed, pending, doc gone or found on another node,
// node unreachable, db recreated, checkpoint going back) with the window trimmed as it slides.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../core/random.ts';
import { evaluateHealth } from '../health/evaluate.ts';
import { withDefaults } from '../health/types.ts';
import type { MeshLink } from '../observe/links.ts';
import { type NodeSnapshot, unreachableSnapshot } from '../observe/snapshot.ts';
import {
  crashedJob,
  crashingDoc,
  dbAt,
  failedDoc,
  runningDoc,
  snapshot,
  T0,
  taskFor,
  twoNodeLink,
} from '../observe/test-support.ts';
import type { SchedulerDoc, SchedulerJob } from '../observe/types.ts';
import { HealthBook } from './health-book.ts';

const NODES = ['n0', 'n1', 'n2', 'n3'];
const LINKS: MeshLink[] = [
  twoNodeLink('n0', 'n1'),
  twoNodeLink('n1', 'n2'),
  twoNodeLink('n2', 'n3'),
  twoNodeLink('n3', 'n0'),
];
const POLL = 5000;
/**
 * Rounds further apart than the poll interval: a late answer (up to 4 s) plus the join's slack (half
 * a poll) stays within its round, as in the poller, where a point is joined once, when it arrives.
 */
const ROUND = 10_000;

/** One poll round of a random history: each direction's doc in some state, on its node or elsewhere. */
function history(seed: number, polls: number): NodeSnapshot[][] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r.float() * xs.length)] as T;
  const seq = new Map<string, number>();
  const bump = (k: string, by: number) => {
    const v = Math.max(0, (seq.get(k) ?? 0) + by);
    seq.set(k, v);
    return v;
  };
  const rounds: NodeSnapshot[][] = [];
  for (let p = 0; p < polls; p++) {
    const at = T0 + p * ROUND;
    const docs = new Map<string, SchedulerDoc[]>(NODES.map((n) => [n, []]));
    const tasks = new Map<string, ReturnType<typeof taskFor>[]>(NODES.map((n) => [n, []]));
    const jobs = new Map<string, SchedulerJob[]>(NODES.map((n) => [n, []]));
    for (const l of LINKS)
      for (const ref of l.directions) {
        const k = `${l.link}/${ref.from}`;
        const source = bump(`${k}/src`, pick([0, 0, 3, 50, -20]));
        const checkpointed = Math.min(source, bump(`${k}/ck`, pick([0, 1, 40, -5])));
        const prog = {
          source,
          checkpointed,
          written: bump(`${k}/w`, pick([0, 2])),
          failures: bump(`${k}/f`, pick([0, 0, 0, 1])),
          checked: bump(`${k}/c`, pick([0, 10, 2000])),
        };
        const kind = pick([
          'running',
          'running',
          'running',
          'crashing',
          'pending',
          'error',
          'failed',
          'gone',
          'elsewhere',
        ]);
        const node = kind === 'elsewhere' ? pick(NODES) : ref.docNode;
        if (kind === 'gone') continue;
        const doc =
          kind === 'crashing'
            ? crashingDoc(ref.docId, 1 + Math.floor(r.float() * 4), at - 1000)
            : kind === 'failed'
              ? failedDoc(ref.docId)
              : runningDoc(
                  ref.docId,
                  prog,
                  kind === 'elsewhere' ? 'running' : (kind as SchedulerDoc['state']),
                  at,
                );
        docs.get(node)?.push(doc);
        if (doc.state === 'running') tasks.get(node)?.push(taskFor(doc, prog, 5000));
        if (doc.state === 'crashing')
          jobs.get(node)?.push(crashedJob(doc, pick(['max_backoff', 'db_not_found']), at - 2000));
      }
    rounds.push(
      NODES.map((n) => {
        if (r.float() < 0.08)
          return unreachableSnapshot(n, at, { code: 'E_COUCH_UNREACHABLE', message: 'down' });
        const instance = r.float() < 0.05 ? `i${p}` : undefined;
        const withJobs = p % 3 === 0 ? { jobs: jobs.get(n) ?? [], jobsAt: at } : {};
        // a node answers a little later now and then: within the slack (same round) or beyond it
        return snapshot(n, at + pick([0, 0, 0, 1000, 4000]), {
          docs: docs.get(n) ?? [],
          tasks: tasks.get(n) ?? [],
          dbInfo: { sensors: dbAt(bump(`${n}/db`, pick([0, 5, -3])), instance) },
          ...withJobs,
        });
      }),
    );
  }
  return rounds;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`series book = rules over the raw window, after every poll (seed ${seed})`, () => {
    const retainMs = 60_000;
    const t = withDefaults({ pollIntervalMs: POLL, windowMs: 45_000, crashingCriticalMs: 20_000 });
    const book = new HealthBook(LINKS, t, retainMs);
    const kept: NodeSnapshot[] = [];
    const rules = new Set<string>();
    for (const round of history(seed, 40)) {
      const now = Math.max(...round.map((s) => s.at));
      kept.push(...round);
      const window = kept.filter((s) => s.at >= now - retainMs);
      const got = book.record(round, now).findings;
      assert.deepEqual(got, evaluateHealth({ snapshots: window, links: LINKS }, now, t));
      for (const f of got) rules.add(f.rule);
    }
    // the histories do reach the rules compared
    assert.ok(rules.size >= 6, [...rules].join(','));
  });
}
