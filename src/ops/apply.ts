/**
 * The apply operation: a prepared plan written node by node (one `_bulk_docs` per node), with a
 * per-node outcome so a partial failure says which nodes are done and which are not (run it again
 * to finish: it only does what is left).
 */
import { readFileSync } from 'node:fs';
import { type ApplyEvent, type ApplyResult, applyPlan, type NodeResult } from '../apply/apply.ts';
import { userError } from '../core/errors.ts';
import type { RequestCount } from '../plan/observe.ts';
import { hasChanges, redact } from '../plan/plan.ts';
import { parseSavedPlan, type SavedPlan, staleness } from '../plan/saved.ts';
import { clockOf, DEFAULT_CONCURRENCY, type MeshDeps } from './deps.ts';
import { displayPath } from './display-path.ts';
import { stopAwaiter } from './job-stop.ts';
import { MeshInvalidError } from './mesh.ts';
import { type PlanRun, preparePlan } from './plan.ts';
import { type PlanView, planView } from './plan-view.ts';

/** refused: the node refused couchmesh's credentials while observed (401/403): nothing written there */
export type NodeStatus = 'applied' | 'unchanged' | 'failed' | 'unreachable' | 'refused' | 'blocked';

export interface NodeOutcome {
  node: string;
  status: NodeStatus;
  ok: boolean;
  /** actions that took effect (databases + documents) */
  applied: number;
  /** per-document failures (e.g. a 409 because the document changed since it was observed) */
  failures: NodeResult['failures'];
  /**
   * documents left alone: a foreign document holds their id, or (`waits_for`) their write waits for
   * a node that is unseen (`withheld: 'unreachable'`) or refused the credentials they carry ('refused')
   */
  blocked: Array<{ id?: string; message: string; waits_for?: string; withheld?: 'unreachable' | 'refused' }>;
  /** the node could not be observed or written at all */
  error?: { code: string; message: string };
  /** status refused: what to check (the env/file reference of the credentials) */
  hint?: string;
  /** HTTP requests of the apply step (the observation is counted in the plan's nodes) */
  requests: RequestCount;
  /** a cluster node (mesh.yaml `members:`): the member that answered last */
  member?: string;
}

export interface ApplyOutcome {
  plan: PlanView;
  /** false when the review (prompt) said no: nothing was written */
  approved: boolean;
  nodes: NodeOutcome[];
  applied: number;
  /** every node applied (or had nothing to do) */
  ok: boolean;
  /** some nodes applied, some did not */
  partial: boolean;
  failed: string[];
  /** the saved plan that was applied */
  saved_plan?: string;
}

/** Called with the plan before anything is written; returns whether to go on. */
export type Review = (view: PlanView) => Promise<boolean>;

export type { ApplyEvent };

export interface ExecuteOptions {
  /** how long a move waits for the old node's scheduler to drop the job (default 30 s) */
  stopTimeoutMs?: number;
  /** progress, as it happens (e.g. waiting for a node to stop a moved direction's old job) */
  onEvent?: (e: ApplyEvent) => void;
}

/** Writes a prepared plan (one `_bulk_docs` per node) and says, node by node, what happened. */
export async function executePlan(
  run: PlanRun,
  review: Review,
  deps: Pick<MeshDeps, 'concurrency' | 'clock' | 'signal'>,
  opts: ExecuteOptions = {},
): Promise<ApplyOutcome> {
  const view = planView(run);
  const approved = await review(view);
  const before = run.counter.snapshot();
  let result: ApplyResult = { ok: true, partial: false, nodes: [], applied: 0 };
  if (approved && hasChanges(run.plan))
    result = await applyPlan(run.plan, run.clients, deps.concurrency ?? DEFAULT_CONCURRENCY, {
      // a move creates on its new node only once the old node's scheduler dropped the job
      awaitStop: stopAwaiter(run.clients, {
        clock: clockOf(deps),
        timeoutMs: opts.stopTimeoutMs,
        signal: deps.signal,
      }),
      onEvent: opts.onEvent,
      // phase 1 reads every new database back, on this clock, before any replication doc is written
      clock: clockOf(deps),
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
  const nodes = run.spec.nodes.map((n): NodeOutcome => {
    const requests = run.counter.since(before, n.name);
    const blocked = run.plan.errors
      .filter((e) => e.node === n.name)
      .map((e) => ({
        ...(e.id ? { id: e.id } : {}),
        message: e.message,
        ...(e.waits_for ? { waits_for: e.waits_for } : {}),
        ...(e.withheld ? { withheld: e.withheld } : {}),
      }));
    // not observed (refused credentials or unreachable): nothing was planned there
    const refused = run.plan.refused.find((u) => u.node === n.name);
    const unseen = refused ?? run.plan.unreachable.find((u) => u.node === n.name);
    if (unseen)
      return {
        node: n.name,
        status: refused ? 'refused' : 'unreachable',
        ok: false,
        applied: 0,
        failures: [],
        blocked,
        error: redact({ code: unseen.code, message: unseen.message }),
        ...(refused ? { hint: redact(refused.hint) } : {}),
        requests,
      };
    const r = result.nodes.find((x) => x.node === n.name);
    const client = run.clients.get(n.name);
    const base = {
      node: n.name,
      applied: r?.applied ?? 0,
      failures: redact(r?.failures ?? []),
      blocked,
      requests,
      ...(client?.members.length ? { member: client.member } : {}),
    };
    if (r && !r.ok)
      return { ...base, status: 'failed', ok: false, ...(r.error ? { error: redact(r.error) } : {}) };
    if (blocked.length) return { ...base, status: 'blocked', ok: false };
    return { ...base, status: r && r.applied > 0 ? 'applied' : 'unchanged', ok: true };
  });
  const failed = nodes.filter((n) => !n.ok).map((n) => n.node);
  const applied = nodes.reduce((s, n) => s + n.applied, 0);
  return {
    plan: view,
    approved,
    nodes,
    applied,
    ok: failed.length === 0,
    partial: failed.length > 0 && nodes.some((n) => n.ok),
    failed,
  };
}

export interface ApplyFlags extends ExecuteOptions {
  file?: string;
  prune?: boolean;
  /** a saved plan (`couchmesh plan --out`) */
  planFile?: string;
  destroy?: boolean;
}

export interface ApplyResultView {
  validation: PlanRun['validation'];
  outcome: ApplyOutcome;
}

function readSaved(path: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw userError(
      'E_PLAN_FILE',
      `cannot read the saved plan ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      "make one with 'couchmesh plan --out plan.json'",
    );
  }
  return parseSavedPlan(text, path);
}

/**
 * `apply` / `destroy` (data): plan against the live nodes (or check a saved plan still holds), let
 * `review` see it, write it, report per node. An invalid mesh throws `MeshInvalidError`.
 */
export async function applyOperation(
  flags: ApplyFlags,
  deps: MeshDeps,
  review: Review,
): Promise<ApplyResultView> {
  const saved = flags.planFile ? readSaved(flags.planFile) : undefined;
  if (saved && (flags.prune || flags.destroy))
    throw userError(
      'E_PLAN_OPTIONS',
      `${flags.planFile} already says what to do (prune: ${saved.options.prune}); --prune cannot change a saved plan`,
      'make a new plan with the options you want: couchmesh plan --prune --out plan.json',
    );
  const prep = await preparePlan(
    saved
      ? { file: flags.file ?? saved.file, prune: saved.options.prune, destroy: saved.options.destroy }
      : flags,
    deps,
  );
  if (!prep.ok) throw new MeshInvalidError(prep.validation);
  try {
    if (saved) {
      const reasons = staleness(saved, {
        meshSha256: prep.meshSha256,
        observed: prep.observed,
        plan: prep.plan,
      });
      if (reasons.length)
        throw userError(
          'E_PLAN_STALE',
          `the saved plan ${flags.planFile} is stale: ${reasons.join('; ')}`,
          `nothing was written. Make a new plan (couchmesh plan -f ${displayPath(prep.file)} --out ${flags.planFile}), review it, then apply it`,
          { plan: flags.planFile, reasons },
        );
    }
    const outcome = await executePlan(prep, review, deps, flags);
    if (saved && flags.planFile) outcome.saved_plan = flags.planFile;
    return { validation: prep.validation, outcome };
  } finally {
    await prep.close();
  }
}
