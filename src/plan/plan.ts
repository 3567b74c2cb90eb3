import { createHash } from 'node:crypto';
import { planConfig } from './config.ts';
import { ABSENT_FIELDS, jsonEqual, ownedHash, REPLICATION_FIELDS } from './desired.ts';
import { isSecretKey, redact, redactString, SENSITIVE } from './redact.ts';
import { rotatedNodes } from './rotation.ts';
import { canonicalSecurity, planSecurity } from './security.ts';
import type { Action, DesiredState, FieldChange, ObservedNode, OwnershipMarker, Plan } from './types.ts';
import { planUsers } from './users.ts';
import { planUserRemoval } from './users-destroy.ts';
import { planStaleUsers, unroutedUsers } from './users-prune.ts';
import { refusedEndpoint, refusedNodes, withheldRefused, withheldUnseen } from './withhold.ts';

/**
 * Fields compared between desired and observed: the replication fields we write, our ownership
 * marker, and the fields we keep absent. Server-written fields (`_replication_*`, `owner`) and any
 * other field are not ours and never compared, so re-applying is a no-op.
 */
const COMPARED: readonly string[] = [...REPLICATION_FIELDS, 'couchmesh', ...ABSENT_FIELDS];
const HASHED = new Set<string>([...REPLICATION_FIELDS, ...ABSENT_FIELDS]);

export function markerOf(body: Record<string, unknown>): OwnershipMarker | undefined {
  const m = body.couchmesh as OwnershipMarker | undefined;
  return m && typeof m === 'object' && typeof m.mesh === 'string' && typeof m.spec === 'string'
    ? m
    : undefined;
}

/** Fingerprint of one node's observation: reachability, databases, `_replicator` ids and revs. */
export function fingerprintNode(n: ObservedNode): string {
  const h = createHash('sha256');
  h.update(
    `${n.node}\0${n.reachable}${n.refused ? '\0refused' : ''}\0${[...n.databases].sort().join(',')}\0`,
  );
  for (const d of [...n.replicator].sort((a, b) => (a.id < b.id ? -1 : 1))) h.update(`${d.id}@${d.rev}\0`);
  // observed `_security` objects (only of databases declaring one: absent otherwise, fingerprint unchanged)
  for (const db of Object.keys(n.security ?? {}).sort())
    h.update(`sec:${db}=${JSON.stringify(canonicalSecurity(n.security?.[db]))}\0`);
  for (const [name, u] of Object.entries(n.users ?? {}).sort())
    h.update(`user:${name}@${u.rev}:${u.password_ok}\0`);
  for (const [key, v] of Object.entries(n.config ?? {}).sort()) h.update(`config:${key}=${v}\0`);
  return h.digest('hex').slice(0, 16);
}

/** A fingerprint of what was observed (ids and revs per node): a saved plan applies only to this state. */
export function fingerprint(observed: ObservedNode[]): string {
  const h = createHash('sha256');
  for (const n of [...observed].sort((a, b) => (a.node < b.node ? -1 : 1)))
    h.update(`${n.node}:${fingerprintNode(n)}\0`);
  return h.digest('hex').slice(0, 16);
}

export interface PlanOptions {
  /** delete managed docs that are no longer desired */
  prune?: boolean;
  /** destroy: delete every managed doc of this mesh, create nothing */
  destroy?: boolean;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const shown = (key: string, v: unknown): unknown =>
  v === undefined
    ? undefined
    : isSecretKey(key)
      ? SENSITIVE
      : redact(typeof v === 'string' ? redactString(v) : v);

/** Leaf-level differences between an observed and a desired value (secrets shown as `(sensitive)`). */
export function leafDiff(path: string, from: unknown, to: unknown, out: FieldChange[] = []): FieldChange[] {
  if (isPlainObject(from) && isPlainObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    for (const k of keys) leafDiff(path ? `${path}.${k}` : k, from[k], to[k], out);
    return out;
  }
  if (jsonEqual(from, to)) return out;
  const key = path.slice(path.lastIndexOf('.') + 1);
  const change: FieldChange = { path };
  if (from !== undefined) change.from = shown(key, from);
  if (to !== undefined) change.to = shown(key, to);
  out.push(change);
  return out;
}

/**
 * desired + observed -> plan (pure). Only documents carrying this mesh's ownership marker are ever
 * updated or deleted; a foreign document is never touched (if it holds one of our ids, that is an
 * error for that document). Re-planning right after a successful apply yields no actions.
 */
export function makePlan(desired: DesiredState, observed: ObservedNode[], opts: PlanOptions = {}): Plan {
  const plan: Plan = {
    mesh: desired.mesh,
    actions: [],
    drift: [],
    orphans: [],
    unreachable: [],
    refused: refusedNodes(observed),
    errors: [],
    observed: fingerprint(observed),
    noop: 0,
  };
  const byNode = new Map(observed.map((o) => [o.node, o]));
  for (const o of observed)
    if (!o.reachable)
      plan.unreachable.push({
        node: o.node,
        code: o.error?.code ?? 'E_COUCH_UNREACHABLE',
        message: o.error?.message ?? 'unreachable',
      });
  // a node that refused our credentials was not observed either: nothing is planned there
  const usable = (node: string) => byNode.get(node)?.reachable === true && !byNode.get(node)?.refused;
  const refused = new Map(plan.refused.map((r) => [r.node, r]));
  /** The entry withholding a write of `d` whose doc carries credentials a node just refused. */
  const refusal = (d: DesiredState['docs'][number]) => {
    const other = refusedEndpoint(d, refused);
    return other ? withheldRefused(d, other, refused.get(other) as Plan['refused'][number]) : undefined;
  };

  const dbActions: Action[] = [];
  const docActions: Action[] = [];
  if (!opts.destroy)
    for (const { node, db, q, n } of desired.databases)
      if (usable(node) && !byNode.get(node)?.databases.includes(db))
        dbActions.push({
          kind: 'create-db',
          node,
          db,
          ...(q !== undefined ? { q } : {}),
          ...(n !== undefined ? { n } : {}),
        });

  const docsOf = new Map(observed.map((o) => [o.node, new Map(o.replicator.map((x) => [x.id, x]))]));
  const wanted = new Set<string>();
  const desiredOn = new Map(desired.docs.map((d) => [d.id, d.node]));
  /**
   * Our doc with this id on another reachable node: the direction's previous driving node (the id
   * names mesh, db and direction, so it is the same replication wherever it lives).
   */
  const elsewhere = (id: string, node: string): { node: string; rev: string } | undefined => {
    for (const o of observed) {
      if (o.node === node || !usable(o.node)) continue;
      const doc = docsOf.get(o.node)?.get(id);
      if (doc && markerOf(doc.body)?.mesh === desired.mesh) return { node: o.node, rev: doc.rev };
    }
    return undefined;
  };
  /**
   * The direction's other endpoint when it could not be observed. Either endpoint of a direction can
   * drive it (pull on the target, push on the source, depending on the reachability declared when it
   * was applied), so an unseen endpoint may hold the direction's doc and run its job: CouchDB would
   * run both (`_replicator` docs are per node). Whether it does is not in the desired state (it
   * depends on what was declared before), so the create waits until that node is seen again.
   */
  const unseenDriver = (d: DesiredState['docs'][number]): string | undefined => {
    const { from, to } = d.body.couchmesh;
    const other = d.node === to ? from : to;
    return byNode.get(other)?.reachable === false ? other : undefined;
  };
  if (!opts.destroy)
    for (const d of desired.docs) {
      wanted.add(`${d.node}\0${d.id}`);
      if (!usable(d.node)) continue;
      const current = docsOf.get(d.node)?.get(d.id);
      if (!current) {
        const old = elsewhere(d.id, d.node);
        // a withheld move keeps its old doc (wanted): the direction runs from there meanwhile
        if (old) wanted.add(`${old.node}\0${d.id}`);
        const refusedBy = refusal(d);
        if (refusedBy) plan.errors.push(refusedBy);
        else if (old) {
          docActions.push({
            kind: 'move',
            node: d.node,
            id: d.id,
            mode: d.mode,
            doc: d.body,
            old_node: old.node,
            old_rev: old.rev,
          });
        } else if (unseenDriver(d)) plan.errors.push(withheldUnseen(d, unseenDriver(d) as string));
        else docActions.push({ kind: 'create-doc', node: d.node, id: d.id, mode: d.mode, doc: d.body });
        continue;
      }
      const marker = markerOf(current.body);
      if (!marker || marker.mesh !== desired.mesh) {
        plan.errors.push({
          node: d.node,
          id: d.id,
          message: `a replication document not managed by mesh '${desired.mesh}' already uses the id ${d.id}; couchmesh will not overwrite it`,
        });
        continue;
      }
      const want = d.body as unknown as Record<string, unknown>;
      const changed = COMPARED.filter((k) => !jsonEqual(current.body[k], want[k]));
      if (!changed.length) {
        plan.noop++;
        continue;
      }
      const refusedBy = refusal(d);
      if (refusedBy) {
        plan.errors.push(refusedBy);
        continue;
      }
      const all: FieldChange[] = [];
      for (const k of changed) leafDiff(k, current.body[k], want[k], all);
      // the marker's hash follows every other change: show it only when nothing else changed
      const diff = all.length > 1 ? all.filter((c) => c.path !== 'couchmesh.spec') : all;
      // drift = the doc no longer matches the hash we stamped into it when we wrote it
      const edited = ownedHash(current.body) !== marker.spec;
      if (edited) {
        const fields = changed.filter((k) => HASHED.has(k));
        plan.drift.push({
          node: d.node,
          id: d.id,
          fields,
          diff: diff.filter((c) => HASHED.has(c.path.split('.')[0] as string)),
        });
      }
      const rotates = rotatedNodes(current.body, d.body, changed);
      docActions.push({
        kind: 'update-doc',
        node: d.node,
        id: d.id,
        rev: current.rev,
        mode: d.mode,
        doc: d.body,
        changed,
        diff,
        drift: edited,
        change: rotates ? 'credentials' : 'fields',
        ...(rotates ? { rotates } : {}),
      });
    }

  for (const o of observed) {
    if (!usable(o.node)) continue;
    for (const doc of o.replicator) {
      const marker = markerOf(doc.body);
      if (!marker || marker.mesh !== desired.mesh || wanted.has(`${o.node}\0${doc.id}`)) continue;
      // declared, and already on its (reachable) driving node: this copy runs the same direction twice
      const home = desiredOn.get(doc.id);
      const moved =
        !opts.destroy &&
        home !== undefined &&
        usable(home) &&
        markerOf(docsOf.get(home)?.get(doc.id)?.body ?? {})?.mesh === desired.mesh;
      if (moved)
        docActions.push({ kind: 'delete-doc', node: o.node, id: doc.id, rev: doc.rev, reason: 'moved' });
      else if (opts.destroy || opts.prune || marker.route?.leg)
        // a relay leg no longer desired: its route was given up (the planner keeps observed routes)
        docActions.push({
          kind: 'delete-doc',
          node: o.node,
          id: doc.id,
          rev: doc.rev,
          reason: opts.destroy ? 'destroy' : marker.route?.leg ? 'unrouted' : 'pruned',
        });
      else plan.orphans.push({ node: o.node, id: doc.id });
    }
  }

  // a database's declared `_security`, after its creation (both are in the node's create-db-first order)
  if (!opts.destroy) {
    // replication users first: the docs written below authenticate as them
    const users = planUsers(desired.users ?? [], byNode, usable, desired.mesh);
    dbActions.push(...users.actions);
    plan.noop += users.noop;
    const sec = planSecurity(desired, byNode, usable);
    docActions.push(...sec.actions);
    plan.drift.push(...sec.drift);
    plan.noop += sec.noop;
    // this mesh's users no longer desired: pruned as the docs are (security first, then the user)
    const stale = planStaleUsers(
      desired,
      byNode,
      usable,
      opts.prune === true,
      unroutedUsers(docActions, byNode),
    );
    docActions.push(...stale.security, ...stale.users);
    if (stale.kept.length) plan.kept_users = stale.kept;
    // the node's own TLS settings (`couch_tls`): the replicator reads them live, before any doc runs
    const config = planConfig(desired.config ?? [], byNode, usable);
    dbActions.push(...config.actions);
    plan.drift.push(...config.drift);
    plan.noop += config.noop;
  } else {
    // destroy: the replication users this mesh created, and their `_security` entries
    const gone = planUserRemoval(desired, byNode, usable);
    docActions.push(...gone.security, ...gone.users);
  }

  // documents go into `_replicator`: create it first where it is missing (CouchDB 3 does not always)
  const writesDocs = new Set(
    docActions
      .filter((a) => a.kind === 'create-doc' || a.kind === 'update-doc' || a.kind === 'move')
      .map((a) => a.node),
  );
  for (const node of writesDocs)
    if (!byNode.get(node)?.databases.includes('_replicator'))
      dbActions.unshift({ kind: 'create-db', node, db: '_replicator' });
  // `_users` (CouchDB 3 creates it at cluster setup, a bare node may not have it)
  for (const node of new Set(dbActions.filter((a) => a.kind === 'set-user').map((a) => a.node)))
    if (!byNode.get(node)?.databases.includes('_users'))
      dbActions.unshift({ kind: 'create-db', node, db: '_users' });
  plan.actions = [...dbActions, ...docActions];
  return plan;
}

export { hasChanges, isComplete, type PlanSummary, summarize } from './summary.ts';
export type { Action };
export { redact, SENSITIVE };
