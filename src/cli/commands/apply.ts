import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { type ApplyResult, applyPlan, type NodeResult } from '../../apply/apply.ts';
import { userError } from '../../core/errors.ts';
import type { RequestCount } from '../../plan/observe.ts';
import { hasChanges, redact } from '../../plan/plan.ts';
import { parseSavedPlan, type SavedPlan, staleness } from '../../plan/saved.ts';
import { plural } from '../../spec/diagnostic.ts';
import type { Output } from '../boundary.ts';
import {
  confirmOnTerminal,
  displayPath,
  type PlanRun,
  type PlanView,
  planView,
  preparePlan,
  renderPlan,
  reportInvalid,
  reportWarnings,
  type TopologyDeps,
} from './plan.ts';

export type NodeStatus = 'applied' | 'unchanged' | 'failed' | 'unreachable' | 'blocked';

export interface NodeOutcome {
  node: string;
  status: NodeStatus;
  ok: boolean;
  /** actions that took effect (databases + documents) */
  applied: number;
  /** per-document failures (e.g. a 409 because the document changed since it was observed) */
  failures: NodeResult['failures'];
  /** documents left alone because a foreign document holds their id */
  blocked: Array<{ id?: string; message: string }>;
  /** the node could not be observed or written at all */
  error?: { code: string; message: string };
  /** HTTP requests of the apply step (the observation is counted in the plan's nodes) */
  requests: RequestCount;
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

/** Writes a prepared plan (one `_bulk_docs` per node) and says, node by node, what happened. */
export async function executePlan(
  run: PlanRun,
  review: Review,
  deps: Pick<TopologyDeps, 'concurrency'>,
): Promise<ApplyOutcome> {
  const view = planView(run);
  const approved = await review(view);
  const before = run.counter.snapshot();
  let result: ApplyResult = { ok: true, partial: false, nodes: [], applied: 0 };
  if (approved && hasChanges(run.plan))
    result = await applyPlan(run.plan, run.clients, deps.concurrency ?? 8);
  const nodes = run.spec.nodes.map((n): NodeOutcome => {
    const requests = run.counter.since(before, n.name);
    const blocked = run.plan.errors
      .filter((e) => e.node === n.name)
      .map((e) => (e.id ? { id: e.id, message: e.message } : { message: e.message }));
    const unreachable = run.plan.unreachable.find((u) => u.node === n.name);
    if (unreachable)
      return {
        node: n.name,
        status: 'unreachable',
        ok: false,
        applied: 0,
        failures: [],
        blocked,
        error: redact({ code: unreachable.code, message: unreachable.message }),
        requests,
      };
    const r = result.nodes.find((x) => x.node === n.name);
    const base = {
      node: n.name,
      applied: r?.applied ?? 0,
      failures: redact(r?.failures ?? []),
      blocked,
      requests,
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

export interface ApplyFlags {
  file?: string;
  prune?: boolean;
  /** a saved plan (`couchmesh plan --out`) */
  planFile?: string;
  destroy?: boolean;
}

export interface ApplyCommandResult {
  validation: PlanRun['validation'];
  outcome?: ApplyOutcome;
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
 * `couchmesh apply` / `couchmesh destroy` (data, no printing): plan against the live nodes (or check a
 * saved plan still holds), let `review` see it, write it, report per node.
 */
export async function applyCommand(
  flags: ApplyFlags,
  deps: TopologyDeps,
  review: Review,
): Promise<ApplyCommandResult> {
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
  if (!prep.ok) return { validation: prep.validation };
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
    const outcome = await executePlan(prep, review, deps);
    if (saved && flags.planFile) outcome.saved_plan = flags.planFile;
    return { validation: prep.validation, outcome };
  } finally {
    await prep.close();
  }
}

const fmtRequests = (r: RequestCount) =>
  `${plural(r.reads + r.writes, 'request')}${r.writes ? `, ${r.writes} writing` : ''}`;

/** Human view of the per-node results. */
export function renderOutcome(o: ApplyOutcome, verb = 'Apply'): string {
  if (!o.approved) return `${verb} cancelled: nothing was written.`;
  const lines: string[] = [''];
  for (const n of o.nodes) {
    switch (n.status) {
      case 'applied':
        lines.push(`  ${n.node}: applied ${plural(n.applied, 'change')} (${fmtRequests(n.requests)})`);
        break;
      case 'unchanged':
        lines.push(`  ${n.node}: nothing to do`);
        break;
      case 'unreachable':
        lines.push(`  ${n.node}: UNREACHABLE, nothing written — ${n.error?.code}: ${n.error?.message}`);
        break;
      case 'blocked':
        lines.push(
          `  ${n.node}: applied ${plural(n.applied, 'change')}; BLOCKED ${n.blocked.map((b) => b.id ?? b.message).join(', ')} (a foreign document holds the id)`,
        );
        break;
      case 'failed': {
        const why = n.error
          ? `${n.error.code}: ${n.error.message}`
          : n.failures.map((f) => `${f.id ?? f.db}: ${f.error} ${f.reason}`.trim()).join('; ');
        lines.push(`  ${n.node}: FAILED after ${plural(n.applied, 'change')} — ${why}`);
        break;
      }
    }
  }
  lines.push('');
  if (o.ok)
    lines.push(
      o.applied
        ? `${verb} complete: ${plural(o.applied, 'change')} on ${plural(o.nodes.filter((n) => n.applied).length, 'node')}.`
        : `${verb} complete: nothing to change.`,
    );
  else
    lines.push(
      `${verb} incomplete: ${o.nodes.length - o.failed.length} of ${plural(o.nodes.length, 'node')} done; not done: ${o.failed.join(', ')}.`,
    );
  return lines.join('\n');
}

/** The exit-1 error of a partial or failed apply (after the per-node lines were printed). */
export function incompleteError(o: ApplyOutcome, verb: string) {
  const why = o.nodes
    .filter((n) => !n.ok)
    .map((n) =>
      n.status === 'unreachable'
        ? `${n.node} unreachable`
        : n.status === 'blocked'
          ? `${n.node} has ${plural(n.blocked.length, 'blocked document')}`
          : `${n.node} failed (${n.error?.code ?? n.failures.map((f) => f.error).join(', ')})`,
    )
    .join(', ');
  return userError(
    o.partial ? 'E_APPLY_PARTIAL' : 'E_APPLY_FAILED',
    `${verb} ${o.partial ? 'partially done' : 'failed'}: ${why}`,
    o.partial
      ? `the other nodes are done; fix the listed nodes and run 'couchmesh ${verb}' again (it only does what is left)`
      : `fix the listed nodes and run 'couchmesh ${verb}' again`,
    { failed: o.failed },
  );
}

/** Prints the outcome and turns it into the exit code: 0 when every node is done, else 1. */
export function finish(o: ApplyOutcome, output: Output, json: boolean, verb: 'apply' | 'destroy'): void {
  if (json) output.out(JSON.stringify(o, null, 2));
  else if (!o.approved) output.out(renderOutcome(o, verb === 'apply' ? 'Apply' : 'Destroy'));
  else if (o.plan.changes || !o.ok) output.out(renderOutcome(o, verb === 'apply' ? 'Apply' : 'Destroy'));
  if (!o.approved) throw userError('E_CANCELLED', `${verb} cancelled: nothing was written`);
  if (!o.ok) throw incompleteError(o, verb);
}

/** The review step of the CLI: show the plan (human mode), then confirm unless --yes or a saved plan. */
export function cliReview(
  output: Output,
  opts: { json: boolean; yes: boolean; saved: boolean; verb: string },
) {
  return async (view: PlanView): Promise<boolean> => {
    if (!opts.json) output.out(renderPlan(view));
    if (!view.changes || opts.yes || opts.saved) return true;
    return confirmOnTerminal(
      `\nDo you want to ${opts.verb === 'destroy' ? 'destroy these documents' : 'apply these changes'}?`,
      opts.json,
      `couchmesh ${opts.verb}`,
    );
  };
}

export function registerApply(program: Command, output: Output): void {
  program
    .command('apply')
    .description('make every node match mesh.yaml (one _bulk_docs per node), or apply a saved plan')
    .argument('[plan.json]', 'a plan saved by `couchmesh plan --out` (refused when stale)')
    .option('-f, --file <path>', 'mesh file (default: the saved plan’s, else $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--prune', 'delete managed documents no longer declared')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'print the plan and per-node results as JSON (never secrets)')
    .action(
      async (
        planFile: string | undefined,
        opts: { file?: string; prune?: boolean; yes?: boolean; json?: boolean },
      ) => {
        const json = opts.json === true;
        const r = await applyCommand(
          { file: opts.file, prune: opts.prune, planFile },
          { env: process.env },
          cliReview(output, { json, yes: opts.yes === true, saved: planFile !== undefined, verb: 'apply' }),
        );
        if (!r.outcome) return reportInvalid(r.validation, output, json);
        reportWarnings(r.validation, output, json);
        finish(r.outcome, output, json, 'apply');
      },
    );
}
