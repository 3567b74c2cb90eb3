/**
 * Test helpers over the recorded CouchDB 3.5.0 cluster answers (test/fixtures/couchdb/cluster, from
 * shared/couchdb/cluster-samples): mesh `cmix`, the cluster node `c` (members couchdb91/92/93) linked
 * to the single nodes s1 and s2 over `events` and `sensors`; c holds the docs of s1->c and s2->c (pull).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MeshLink } from './links.ts';
import { type Membership, parseMembership } from './membership.ts';
import { parseActiveTasks, parseSchedulerDocsPage, parseSchedulerJobsPage } from './parse.ts';
import type { NodeSnapshot } from './snapshot.ts';

const DIR = fileURLToPath(new URL('../../test/fixtures/couchdb/cluster/', import.meta.url));

/** A JSON fixture of test/fixtures/couchdb/cluster by name (without `.json`). */
export const clusterFixture = (name: string): unknown =>
  JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'));

export const M91 = 'couchdb91@127.0.0.1';
export const M92 = 'couchdb92@127.0.0.1';
export const M93 = 'couchdb93@127.0.0.1';
export const T0 = Date.parse('2026-12-02T07:13:56Z');

/** `c--<peer>` over `db`: pulled by the target, so peer->c's doc is on c (as recorded), c->peer's on the peer. */
export function clusterLink(peer: 's1' | 's2', db: 'events' | 'sensors'): MeshLink {
  const dir = (from: string, to: string) => ({
    from,
    to,
    docNode: to,
    mode: 'pull' as const,
    docId: `couchmesh.cmix.${db}.${from}--${to}`,
    checkpointIntervalMs: 5000,
  });
  return { mesh: 'cmix', link: `c--${peer}`, db, directions: [dir('c', peer), dir(peer, 'c')] };
}

export const ALL_LINKS = (['s1', 's2'] as const).flatMap((p) =>
  (['events', 'sensors'] as const).map((db) => clusterLink(p, db)),
);

/** A poll of c from the recorded bodies: `docs` / `tasks` / `membership` fixture names. */
export function clusterSnapshot(
  at: number,
  f: { docs: string; tasks?: string; membership?: string; jobs?: string; replicatorIds?: string[] },
): NodeSnapshot {
  const page = parseSchedulerDocsPage(clusterFixture(f.docs));
  const membership: Membership | undefined = f.membership
    ? parseMembership(clusterFixture(f.membership))
    : undefined;
  return {
    node: 'c',
    at,
    reachable: true,
    confidence: 'full',
    docs: page.docs,
    tasks: f.tasks ? parseActiveTasks(clusterFixture(f.tasks)) : [],
    dbInfo: {},
    ...(page.total_rows > page.docs.length ? { totalRows: page.total_rows } : {}),
    ...(f.replicatorIds ? { replicatorIds: f.replicatorIds } : {}),
    ...(membership ? { membership, membershipAt: at } : {}),
    ...(f.jobs ? { jobs: parseSchedulerJobsPage(clusterFixture(f.jobs)).jobs, jobsAt: at } : {}),
  };
}

/** The four `_replicator` doc ids of the recording (all exist, whatever `_scheduler/docs` lists). */
export const REPLICATOR_IDS = ['events', 'sensors'].flatMap((db) =>
  ['s1', 's2'].map((p) => `couchmesh.cmix.${db}.${p}--c`),
);

/** A reachable single node's snapshot (no docs): the peers s1 / s2. */
export const peer = (node: string, at: number): NodeSnapshot => ({
  node,
  at,
  reachable: true,
  confidence: 'full',
  docs: [],
  tasks: [],
  dbInfo: {},
});
