/**
 * The invariants checked after every scenario once the mesh converged (#16):
 *  - identical: verify finds every linked pair identical (ids, leaves, winners);
 *  - no-write-lost: every acknowledged rev is, on every node, the winner, a losing leaf or an
 *    ancestor of a leaf; where a strategy is configured, an acked rev on a branch the resolver
 *    closed must be named as a loser in the audit trail (what `conflicts undo` puts back);
 *  - no-conflict-left: no document with two live leaves in a database with a strategy;
 *  - no-rescan: no direction re-scanned from 0 unless the scenario reset its checkpoints;
 *  - plan-empty: the faults left the planner nothing to create, update or delete.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CouchClient } from '../couch/client.ts';
import { conflictedIds, type HeldDoc, heldDocs, presence, type ReadJson } from '../rehearse/held.ts';
import { firstN, type InvariantResult } from '../rehearse/report.ts';
import type { Rescan } from '../rehearse/rescans.ts';
import type { Ack } from '../rehearse/writers.ts';
import type { ConflictsConfig } from '../resolve/config.ts';
import { listAuditEntries } from '../resolve/index.ts';
import type { MeshDeps } from './deps.ts';
import type { OpenMesh } from './mesh.ts';
import { preparePlan } from './plan.ts';
import type { Converged } from './rehearse-converge.ts';

export const readJson =
  (c: CouchClient): ReadJson =>
  (method, path, body) =>
    method === 'GET' ? c.get(path) : c.post(path, body);

/** Every node's documents of `db` (node -> id -> held). */
export async function heldEverywhere(m: OpenMesh, db: string): Promise<Map<string, Map<string, HeldDoc>>> {
  const out = new Map<string, Map<string, HeldDoc>>();
  for (const [node, c] of m.clients) out.set(node, await heldDocs(readJson(c), db));
  return out;
}

/** doc id -> the loser revs the audit trail of `config` names, over every node (or its file). */
async function auditedLosers(m: OpenMesh, config: ConflictsConfig): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const add = (e: { type?: string; doc_id?: string; losers?: Array<{ rev: string }> } | undefined) => {
    if (e?.type !== 'couchmesh.resolution' || !e.doc_id) return;
    const set = out.get(e.doc_id) ?? new Set<string>();
    for (const l of e.losers ?? []) set.add(l.rev);
    out.set(e.doc_id, set);
  };
  if ('file' in config.audit) {
    const path = join(dirname(m.file), config.audit.file);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {} // nothing was ever resolved
    for (const line of text.split('\n')) if (line.trim()) add(JSON.parse(line));
    return out;
  }
  // both layouts of the audit database (batches and one-entry documents); missing: nothing resolved
  for (const c of m.clients.values()) for (const e of await listAuditEntries(c, config.audit.db)) add(e);
  return out;
}

/** Acked revs missing somewhere, and acked revs on a resolver-closed branch without an audit entry. */
function writesLost(
  held: Map<string, Map<string, HeldDoc>>,
  acks: readonly Ack[],
  losers: Map<string, Set<string>> | undefined,
  userDeleted: Set<string>,
): { lost: string[]; unaudited: string[]; counts: Record<string, number>; audited: number } {
  const lost = new Set<string>();
  const unaudited = new Set<string>();
  const counts: Record<string, number> = { winner: 0, leaf: 0, ancestor: 0 };
  let audited = 0;
  for (const [i, docs] of [...held.values()].entries())
    for (const a of acks) {
      const p = presence(docs, a);
      if (!p) {
        lost.add(`${a.id}@${a.rev} (acked by ${a.node})`);
        continue;
      }
      if (i === 0) counts[p] = (counts[p] ?? 0) + 1;
      const d = docs.get(a.id) as HeldDoc;
      if (!losers || d.branches?.get(d.winner)?.history.includes(a.rev)) continue;
      const closed = [...(d.branches ?? new Map())].filter(([, b]) => b.history.includes(a.rev));
      const byUser = closed.some(([leaf, b]) => b.deleted && userDeleted.has(`${a.id} ${leaf}`));
      const byResolver = closed.some(([, b]) => b.deleted && losers.get(a.id)?.has(b.history[1] as string));
      if (byResolver && i === 0) audited++;
      // a live losing leaf is a conflict (its own invariant); a closed one needs its reason
      const live = closed.some(([, b]) => !b.deleted);
      if (!live && !byUser && !byResolver) unaudited.add(`${a.id}@${a.rev}`);
    }
  return { lost: [...lost], unaudited: [...unaudited], counts, audited };
}

export interface InvariantInputs {
  m: OpenMesh;
  deps: MeshDeps;
  converged: Converged;
  /** every write acknowledged so far (all scenarios: none may be lost later either) */
  acks: readonly Ack[];
  rescans: readonly Rescan[];
}

export async function checkInvariants(i: InvariantInputs): Promise<InvariantResult[]> {
  const { m, converged: c } = i;
  const s = c.last.summary;
  const bad = c.last.databases.flatMap((d) =>
    d.pairs.filter((p) => p.state !== 'identical').map((p) => `${d.db} ${p.a}--${p.b} ${p.state}`),
  );
  const out: InvariantResult[] = [
    {
      name: 'identical',
      ok: c.ok || (s.divergent === 0 && s.not_compared === 0),
      evidence: bad.length
        ? `verify after ${c.passes} passes: ${firstN(bad)}`
        : `verify: ${s.identical}/${s.pairs} pairs identical after ${c.passes} passes`,
    },
  ];
  const lost: string[] = [];
  const unaudited: string[] = [];
  const conflicted: string[] = [];
  const counts: Record<string, number> = { winner: 0, leaf: 0, ancestor: 0 };
  let [audited, keptConflicts] = [0, 0];
  const userDeleted = new Set(i.acks.filter((a) => a.deleted).map((a) => `${a.id} ${a.rev}`));
  for (const d of m.spec.databases) {
    const held = await heldEverywhere(m, d.name);
    const losers = d.conflicts ? await auditedLosers(m, d.conflicts) : undefined;
    const r = writesLost(
      held,
      i.acks.filter((a) => a.db === d.name),
      losers,
      userDeleted,
    );
    lost.push(...r.lost);
    unaudited.push(...r.unaudited);
    audited += r.audited;
    for (const [k, v] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + v;
    for (const [node, docs] of held) {
      const ids = conflictedIds(docs);
      if (d.conflicts) conflicted.push(...ids.map((id) => `${node}/${d.name}/${id}`));
      else if (node === m.spec.nodes[0]?.name) keptConflicts += ids.length;
    }
  }
  out.push({
    name: 'no-write-lost',
    ok: lost.length === 0 && unaudited.length === 0,
    evidence: lost.length
      ? `${lost.length} acknowledged writes missing: ${firstN(lost)}`
      : unaudited.length
        ? `${unaudited.length} acked revs on a closed branch without an audit entry: ${firstN(unaudited)}`
        : `${i.acks.length} acknowledged writes on every node (${counts.winner} winners, ${counts.leaf} losing leaves, ${counts.ancestor} superseded)${audited ? `, ${audited} on branches the resolver closed, each in the audit trail` : ''}`,
  });
  const strategies = m.spec.databases.filter((d) => d.conflicts).length;
  out.push({
    name: 'no-conflict-left',
    ok: conflicted.length === 0,
    evidence: conflicted.length
      ? `${conflicted.length} documents still in conflict: ${firstN(conflicted)}`
      : strategies
        ? 'no document in conflict where a strategy is configured'
        : `no strategy configured: ${keptConflicts} documents keep their conflicts as leaves (CouchDB's default)`,
  });
  const unexpected = i.rescans.filter((r) => !r.expected);
  const expected = i.rescans.length - unexpected.length;
  out.push({
    name: 'no-rescan',
    ok: unexpected.length === 0,
    evidence: unexpected.length
      ? `${unexpected.length} directions re-scanned from 0: ${firstN(unexpected.map((r) => r.label))}`
      : `no direction re-scanned from 0${expected ? ` (${expected} expected: checkpoints lost with a recreated database)` : ''}`,
  });
  out.push(await planEmpty(m.file, i.deps));
  return out;
}

async function planEmpty(file: string, deps: MeshDeps): Promise<InvariantResult> {
  const prep = await preparePlan({ file }, deps);
  if (!prep.ok) return { name: 'plan-empty', ok: false, evidence: 'the rehearsal mesh no longer validates' };
  try {
    const kinds = prep.plan.actions.map((a) => a.kind);
    return {
      name: 'plan-empty',
      ok: kinds.length === 0,
      evidence: kinds.length ? `${kinds.length} actions left: ${firstN(kinds)}` : 'the plan is empty',
    };
  } finally {
    await prep.close();
  }
}
