/** The Terraform-like human view of a plan (the `--json` view is `PlanView` itself). */
import { displayPath } from '../../ops/display-path.ts';
import type { PlanView } from '../../ops/plan-view.ts';
import { type PlanSummary, redact } from '../../plan/plan.ts';
import type { Action, FieldChange } from '../../plan/types.ts';
import { plural } from '../../spec/diagnostic.ts';

/** A value in a diff: strings bare (secrets are already `(sensitive)`), the rest as JSON. */
const fmtValue = (v: unknown): string =>
  v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(redact(v));

const fmtChange = (c: FieldChange) => `${c.path}: ${fmtValue(c.from)} -> ${fmtValue(c.to)}`;

/** A `_security` list as written in mesh.yaml: `[readers, ops]`. */
const fmtList = (v: unknown) => `[${(Array.isArray(v) ? v : []).join(', ')}]`;

const DELETE_REASON = {
  destroy: 'destroy',
  pruned: 'no longer declared: --prune',
  moved: `a second copy: the direction's doc lives on its driving node now`,
  unrouted: 'a relay leg: the direction is routed direct again',
} as const;

/** FAILOVER: a doc carrying a route (a store-and-forward leg above all) says so */
const routeNote = (r: { via: string; mode: string; leg?: true } | undefined) =>
  r ? `, ${r.leg ? 'relay leg' : 'route'} via ${r.via} (${r.mode})` : '';

function actionLine(a: Action): string {
  switch (a.kind) {
    case 'create-db':
      return `  + create db ${a.db} on ${a.node}`;
    case 'create-doc':
      return `  + create ${a.id} on ${a.node} (${a.mode}, ${a.doc.couchmesh.class}${routeNote(a.doc.couchmesh.route)})`;
    case 'update-doc':
      return `  ~ update ${a.id} on ${a.node} (${a.drift ? 'repairs drift: ' : ''}${a.diff.map(fmtChange).join(', ')})`;
    case 'delete-doc':
      return `  - delete ${a.id} on ${a.node} (${DELETE_REASON[a.reason]})`;
    case 'move':
      return `  ~> move  ${a.old_node} -> ${a.node}  ${a.id} (now ${a.mode}: deleted on ${a.old_node} first, then created on ${a.node})`;
    case 'set-security':
      return `  ~ security ${a.db} on ${a.node}: ${a.drift ? 'repairs drift: ' : ''}${a.diff.map((c) => `${c.path} ${fmtList(c.from)} -> ${fmtList(c.to)}`).join(', ')}`;
    case 'set-user':
      return `  ${a.change === 'create' ? '+' : '~'} user ${a.name} on ${a.node} (${userChange(a)}, password (sensitive))`;
    case 'delete-user':
      return `  - delete user ${a.name} on ${a.node} (${DELETE_REASON[a.reason]})`;
    case 'set-config':
      return `  ~ config ${a.node} [${a.section}] ${a.key}: ${a.from ?? '(unset)'} -> ${a.value}${a.takesEffect === 'restart' ? ` (takes effect when ${a.node} restarts)` : ''}`;
  }
}

/** `new, role couchmesh-replicator` (per node) or `new, no role: member by name` (per link). */
function userChange(a: Extract<Action, { kind: 'set-user' }>): string {
  if (a.change === 'password') return 'rotate password';
  if (a.change === 'roles') return `roles back to ${fmtList(a.roles)}`;
  return a.roles.length ? `new, role ${a.roles.join(', ')}` : 'new, no role: member by name';
}

/**
 * Rotations, one line per node whose credentials change: "~ rotate credentials for n3 on 4 docs
 * (on n1, n2, n4)" — the docs' other fields are unchanged, so no per-field diff (it would only say
 * `(sensitive) -> (sensitive)`).
 */
function rotationLines(actions: Action[]): string[] {
  const docs = new Map<string, Set<string>>();
  const holders = new Map<string, Set<string>>();
  for (const a of actions)
    if (a.kind === 'update-doc' && a.change === 'credentials')
      for (const node of a.rotates ?? []) {
        docs.set(node, (docs.get(node) ?? new Set()).add(`${a.node}\0${a.id}`));
        holders.set(node, (holders.get(node) ?? new Set()).add(a.node));
      }
  return [...docs].map(
    ([node, ids]) =>
      `  ~ rotate credentials for ${node} on ${plural(ids.size, 'doc')} (on ${[...(holders.get(node) ?? [])].sort().join(', ')})`,
  );
}

export function summaryLine(s: PlanSummary): string {
  const rotate = s.rotate ? ` ${s.rotate} to rotate credentials,` : '';
  const move = s.move ? ` ${s.move} to move,` : '';
  const security = s.security ? ` ${s.security} to set security,` : '';
  const users = s.users ? ` ${s.users} to set users,` : '';
  const config = s.config ? ` ${s.config} to set config,` : '';
  return `Plan: ${s.create_db} to create db, ${s.add} to add, ${s.change} to change,${rotate}${move}${security}${users}${config} ${s.destroy} to destroy.`;
}

/** The Terraform-like human view of a plan. */
export function renderPlan(v: PlanView): string {
  const lines: string[] = [];
  const reachable = v.nodes.filter((n) => n.reachable && !n.refused).length;
  lines.push(
    `${v.mode === 'destroy' ? 'Destroy plan' : 'Plan'} for mesh '${v.mesh}' (${displayPath(v.file)}): ${reachable} of ${plural(v.nodes.length, 'node')} observed`,
  );
  if (v.actions.length) {
    lines.push('');
    for (const a of v.actions)
      if (a.kind !== 'update-doc' || a.change !== 'credentials') lines.push(actionLine(a));
    lines.push(...rotationLines(v.actions));
  }
  if (v.drift.length) {
    lines.push('', 'Drift (managed documents edited by hand; the updates above put them back):');
    for (const d of v.drift) {
      // a `_security` drift (`sensors/_security`) shows its lists as mesh.yaml writes them
      const fmt = d.id.endsWith('/_security') ? fmtList : fmtValue;
      lines.push(
        `  ! drift ${d.id} on ${d.node}: ${d.diff.map((c) => `${c.path} is ${fmt(c.from)}, declared ${fmt(c.to)}`).join('; ')}`,
      );
    }
  }
  if (v.warnings?.length) {
    lines.push('', 'Re-scans (a new replication id: the checkpoints are not found):');
    for (const w of v.warnings) lines.push(`  ! ${w.id} on ${w.node}: ${w.message}`);
    lines.push(`  (hint: ${v.warnings[0]?.hint})`);
  }
  if (v.orphans.length) {
    lines.push(
      '',
      `Kept: ${plural(v.orphans.length, 'managed document')} no longer declared (run with --prune to delete them):`,
    );
    for (const o of v.orphans) lines.push(`  ${o.id} on ${o.node}`);
  }
  if (v.kept_users?.length) {
    const n = plural(v.kept_users.length, 'replication user');
    lines.push('', `Kept: ${n} no longer needed, still granted (run with --prune to delete them):`);
    for (const u of v.kept_users) lines.push(`  user ${u.name} on ${u.node}`);
  }
  if (v.unreachable.length) {
    lines.push('', 'Unreachable (nothing planned there; the other nodes are planned):');
    for (const u of v.unreachable) {
      const url = v.nodes.find((n) => n.node === u.node)?.url ?? '';
      lines.push(`  ${u.node} ${url}: ${u.code} — ${u.message}`);
    }
  }
  if (v.refused.length) {
    lines.push(
      '',
      'Credentials refused (nothing planned there; no doc carrying their credentials is written anywhere):',
    );
    for (const r of v.refused) {
      const url = v.nodes.find((n) => n.node === r.node)?.url ?? '';
      lines.push(`  ${r.node} ${url}: ${r.code} — ${r.message}`, `    hint: ${r.hint}`);
    }
  }
  if (v.errors.length) {
    lines.push('', 'Blocked (left as they are):');
    for (const e of v.errors) {
      lines.push(`  ${e.node}${e.id ? ` ${e.id}` : ''}: ${e.message}`);
      if (e.hint) lines.push(`    hint: ${e.hint}`);
    }
  }
  lines.push('');
  if (!v.changes && v.mode === 'destroy')
    lines.push(`Nothing to destroy: no document of mesh '${v.mesh}' on the reachable nodes.`);
  else if (!v.changes)
    lines.push(
      `No changes. The ${v.complete ? '' : 'reachable '}nodes match ${displayPath(v.file)} (${plural(v.summary.unchanged, 'document')} up to date).`,
    );
  else lines.push(summaryLine(v.summary));
  if (v.mode === 'destroy' && v.databases_kept?.length)
    lines.push(
      `Databases are kept (${[...new Set(v.databases_kept.map((d) => d.db))].join(', ')} on ${[...new Set(v.databases_kept.map((d) => d.node))].join(', ')}): destroy removes only couchmesh's replication documents (and replication users), never data.`,
    );
  return lines.join('\n');
}

/** Why the plan is incomplete, as one sentence (for the exit-1 message). */
export function incompleteReason(v: PlanView): string {
  const parts: string[] = [];
  if (v.unreachable.length)
    parts.push(
      `${plural(v.unreachable.length, 'node')} unreachable (${v.unreachable.map((u) => u.node).join(', ')})`,
    );
  if (v.refused.length)
    parts.push(
      `${plural(v.refused.length, 'node')} refused couchmesh's credentials (${v.refused.map((r) => r.node).join(', ')})`,
    );
  const refusedBy = v.errors.filter((e) => e.waits_for && e.withheld === 'refused');
  const withheld = v.errors.filter((e) => e.waits_for && e.withheld !== 'refused');
  const foreign = v.errors.length - withheld.length - refusedBy.length;
  const names = (es: typeof v.errors) => [...new Set(es.map((e) => e.waits_for))].join(', ');
  if (foreign) parts.push(`${plural(foreign, 'document')} blocked by foreign documents`);
  if (withheld.length)
    parts.push(`${plural(withheld.length, 'create')} withheld while ${names(withheld)} cannot be seen`);
  if (refusedBy.length)
    parts.push(
      `${plural(refusedBy.length, 'document')} withheld: they carry credentials ${names(refusedBy)} refused`,
    );
  return parts.join(', ');
}

/** What to do about an incomplete plan (the exit-1 hint). */
export function incompleteHint(v: PlanView): string {
  if (v.refused.length)
    return `fix the credentials of ${v.refused.map((r) => r.node).join(', ')} (each refusal's hint names the env variable or file to check), then plan again; the other nodes are planned`;
  return v.unreachable.length
    ? 'the other nodes are planned; check the listed nodes (URL, network, credentials) and plan again'
    : 'rename or remove the foreign documents holding couchmesh ids, then plan again';
}
