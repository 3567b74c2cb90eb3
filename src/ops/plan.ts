/**
 * The plan operation: load + validate the mesh, resolve credentials, observe every node (bounded
 * concurrency; an unreachable node, or one refusing our credentials, is recorded, not thrown) and
 * make the plan (Terraform's refresh + plan). `apply` and `destroy` start from the same prepared run.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CouchClient } from '../couch/client.ts';
import { desiredState } from '../plan/desired.ts';
import { observeMesh, type RequestCount, RequestCounter } from '../plan/observe.ts';
import { makePlan, type PlanOptions } from '../plan/plan.ts';
import { readRescanWarnings } from '../plan/rescan-read.ts';
import { observedRoutes, routeDesired } from '../plan/routes.ts';
import { observeRouted } from '../plan/routes-observe.ts';
import { toSavedPlan } from '../plan/saved.ts';
import type { ObservedNode, OwnershipMarker, Plan } from '../plan/types.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { ValidationResult } from '../spec/validate.ts';
import { clockOf, DEFAULT_CONCURRENCY, type MeshDeps } from './deps.ts';
import { MeshInvalidError, openMesh } from './mesh.ts';
import { type PlanView, planView } from './plan-view.ts';

export interface PlanFlags {
  file?: string;
  prune?: boolean;
  destroy?: boolean;
  /** FAILOVER: the route set to write (the router's); absent = keep the routes the nodes carry */
  routes?: ReadonlyMap<string, NonNullable<OwnershipMarker['route']>>;
}

/** A plan made against the live nodes. `plan` carries credentials in its documents: show it only via `planView`. */
export interface PlanRun {
  ok: true;
  validation: ValidationResult;
  /** the mesh file as given (for display) */
  file: string;
  meshSha256: string;
  spec: MeshSpec;
  options: PlanOptions;
  observed: ObservedNode[];
  plan: Plan;
  clients: Map<string, CouchClient>;
  counter: RequestCounter;
  /** per-node request counts of the observation */
  observeRequests: Map<string, RequestCount>;
  close(): Promise<void>;
}

export type Prepared = PlanRun | { ok: false; validation: ValidationResult };

/** The topology clients: a longer timeout and two retries (clientsFor's defaults), requests counted. */
export async function preparePlan(flags: PlanFlags, deps: MeshDeps): Promise<Prepared> {
  const counter = new RequestCounter();
  const opened = openMesh(flags, deps, {
    clientDefaults: {},
    perNode: (n) => ({ onResponse: counter.hook(n.name, deps.client?.onResponse) }),
    replicationPasswords: true,
  });
  if (!opened.ok) return opened;
  const m = opened.mesh;
  try {
    const meshSha256 = createHash('sha256').update(readFileSync(m.file)).digest('hex');
    const options: PlanOptions = { prune: flags.prune === true, destroy: flags.destroy === true };
    const desired = desiredState(m.spec, m.passwordOf);
    const observed = await observeMesh(
      m.spec,
      m.clients,
      deps.concurrency ?? DEFAULT_CONCURRENCY,
      desired.users,
      true,
    );
    // routes are desired state too: the nodes' own unless the router gives a new set (plan/routes.ts)
    const routes = flags.routes ?? observedRoutes(m.spec.mesh, observed);
    const routed = routeDesired(desired, { spec: m.spec, routes, password: m.passwordOf });
    await observeRouted(observed, m.clients, desired, routed);
    const plan = makePlan(routed, observed, options);
    // an endpoint change re-scans its direction from 0: say so, with the cost, before it is applied
    const warnings = await readRescanWarnings(plan.actions, observed, m.clients);
    if (warnings.length) plan.warnings = warnings;
    return {
      ok: true,
      validation: m.validation,
      file: m.file,
      meshSha256,
      spec: m.spec,
      options,
      observed,
      plan,
      clients: m.clients,
      counter,
      observeRequests: counter.snapshot(),
      close: m.close,
    };
  } catch (e) {
    await m.close();
    throw e;
  }
}

export interface PlanResult {
  validation: ValidationResult;
  view: PlanView;
  /** where the plan was saved (`out`) */
  saved?: string;
}

/**
 * `plan`: the plan as data (no secret in it). With `out`, the plan is also saved (atomically, no
 * secrets) for a later `apply` of exactly this plan. An invalid mesh throws `MeshInvalidError`.
 */
export async function planOperation(
  flags: PlanFlags & { out?: string },
  deps: MeshDeps,
): Promise<PlanResult> {
  const prep = await preparePlan(flags, deps);
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  try {
    const result: PlanResult = { validation: prep.validation, view: planView(prep) };
    if (flags.out) {
      const saved = toSavedPlan(prep.plan, prep.observed, {
        file: resolve(prep.file),
        meshSha256: prep.meshSha256,
        options: prep.options,
        now: new Date(clockOf(deps).now()),
      });
      const tmp = `${flags.out}.tmp-${process.pid}`;
      writeFileSync(tmp, `${JSON.stringify(saved, null, 2)}\n`);
      renameSync(tmp, flags.out);
      result.saved = flags.out;
    }
    return result;
  } finally {
    await prep.close();
  }
}
