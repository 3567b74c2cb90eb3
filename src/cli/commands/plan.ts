import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { type Command, CommanderError } from 'commander';
import { userError } from '../../core/errors.ts';
import type { CouchClient } from '../../couch/client.ts';
import type { CouchClientOptions } from '../../couch/options.ts';
import { desiredState } from '../../plan/desired.ts';
import { clientsFor, observeMesh, type RequestCount, RequestCounter } from '../../plan/observe.ts';
import {
  hasChanges,
  isComplete,
  makePlan,
  type PlanOptions,
  type PlanSummary,
  redact,
  summarize,
} from '../../plan/plan.ts';
import { toSavedPlan } from '../../plan/saved.ts';
import type { Action, FieldChange, ObservedNode, Plan } from '../../plan/types.ts';
import { resolveAuth } from '../../spec/credentials.ts';
import { formatDiagnostic, plural } from '../../spec/diagnostic.ts';
import { loadMeshFile, meshFilePath } from '../../spec/load.ts';
import type { MeshSpec } from '../../spec/types.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';
import { invalidMeshError } from './validate.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What the topology commands (plan, apply, destroy, demo) need from the outside world. */
export interface TopologyDeps {
  env: Env;
  /** reads password files (default: fs) */
  readFile?: (path: string) => string;
  /** extra options of every node's client (tests: retries, timeouts, an onResponse counter) */
  client?: Partial<CouchClientOptions>;
  /** nodes observed / written at the same time (default 8) */
  concurrency?: number;
  now?: () => Date;
}

export interface PlanFlags {
  file?: string;
  prune?: boolean;
  destroy?: boolean;
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

/**
 * Loads and validates the mesh, resolves credentials, observes every node (bounded concurrency; an
 * unreachable node is recorded, not thrown) and makes the plan. The caller must `close()` the run.
 */
export async function preparePlan(flags: PlanFlags, deps: TopologyDeps): Promise<Prepared> {
  const file = meshFilePath(flags.file, deps.env);
  const validation = loadMeshFile(file, { env: deps.env, checkReferences: true });
  if (!validation.ok || !validation.spec) return { ok: false, validation };
  const spec = validation.spec;
  const meshSha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const readFile = deps.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const passwordOf = (n: MeshSpec['nodes'][number]) => resolveAuth(n, { env: deps.env, readFile })?.password;
  const options: PlanOptions = { prune: flags.prune === true, destroy: flags.destroy === true };
  const desired = desiredState(spec, passwordOf);
  const counter = new RequestCounter();
  const clients = clientsFor(spec, passwordOf, (n) => ({
    ...deps.client,
    onResponse: counter.hook(n.name, deps.client?.onResponse),
  }));
  const close = async () => {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
  };
  try {
    const observed = await observeMesh(spec, clients, deps.concurrency ?? 8);
    const plan = makePlan(desired, observed, options);
    return {
      ok: true,
      validation,
      file,
      meshSha256,
      spec,
      options,
      observed,
      plan,
      clients,
      counter,
      observeRequests: counter.snapshot(),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// views

export interface NodeObservation {
  node: string;
  url: string;
  reachable: boolean;
  error?: { code: string; message: string };
  /** couchmesh documents of this mesh found in the node's `_replicator` */
  managed_docs: number;
  /** other documents in `_replicator` (never touched) */
  other_docs: number;
  requests: RequestCount;
}

/** A plan as shown (`--json` prints exactly this): no secret in it, ever. */
export interface PlanView {
  mesh: string;
  file: string;
  mode: 'apply' | 'destroy';
  prune: boolean;
  /** there are actions to apply */
  changes: boolean;
  /** every node was observed and nothing is blocked */
  complete: boolean;
  summary: PlanSummary;
  nodes: NodeObservation[];
  actions: Action[];
  drift: Plan['drift'];
  orphans: Plan['orphans'];
  unreachable: Plan['unreachable'];
  errors: Plan['errors'];
  /** fingerprint of the observed state */
  observed: string;
  /** databases kept by destroy */
  databases_kept?: Array<{ node: string; db: string }>;
}

export function planView(run: PlanRun): PlanView {
  const p = run.plan;
  const nodes = run.spec.nodes.map((n): NodeObservation => {
    const o = run.observed.find((x) => x.node === n.name);
    const managed = o?.replicator.filter((d) => {
      const m = d.body.couchmesh as { mesh?: unknown } | undefined;
      return m && typeof m === 'object' && m.mesh === run.spec.mesh;
    }).length;
    return {
      node: n.name,
      url: n.url,
      reachable: o?.reachable === true,
      ...(o?.error ? { error: redact(o.error) } : {}),
      managed_docs: managed ?? 0,
      other_docs: (o?.replicator.length ?? 0) - (managed ?? 0),
      requests: run.observeRequests.get(n.name) ?? { reads: 0, writes: 0 },
    };
  });
  const view: PlanView = {
    mesh: p.mesh,
    file: run.file,
    mode: run.options.destroy ? 'destroy' : 'apply',
    prune: run.options.prune === true,
    changes: hasChanges(p),
    complete: isComplete(p),
    summary: summarize(p),
    nodes,
    actions: redact(p.actions),
    drift: redact(p.drift),
    orphans: p.orphans,
    unreachable: redact(p.unreachable),
    errors: redact(p.errors),
    observed: p.observed,
  };
  if (run.options.destroy)
    view.databases_kept = run.observed.flatMap((o) =>
      o.reachable
        ? run.spec.databases
            .filter((d) => o.databases.includes(d.name))
            .map((d) => ({ node: o.node, db: d.name }))
        : [],
    );
  return view;
}

/** A value in a diff: strings bare (secrets are already `(sensitive)`), the rest as JSON. */
const fmtValue = (v: unknown): string =>
  v === undefined ? '(absent)' : typeof v === 'string' ? v : JSON.stringify(redact(v));

const fmtChange = (c: FieldChange) => `${c.path}: ${fmtValue(c.from)} -> ${fmtValue(c.to)}`;

/** The file as the user would type it (relative to the working directory when below it). */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), resolve(file));
  return rel && !rel.startsWith('..') ? rel : file;
}

function actionLine(a: Action): string {
  switch (a.kind) {
    case 'create-db':
      return `  + create db ${a.db} on ${a.node}`;
    case 'create-doc':
      return `  + create ${a.id} on ${a.node} (${a.mode}, ${a.doc.couchmesh.class})`;
    case 'update-doc':
      return `  ~ update ${a.id} on ${a.node} (${a.drift ? 'repairs drift: ' : ''}${a.diff.map(fmtChange).join(', ')})`;
    case 'delete-doc':
      return `  - delete ${a.id} on ${a.node} (${a.reason === 'destroy' ? 'destroy' : 'no longer declared: --prune'})`;
  }
}

export function summaryLine(s: PlanSummary): string {
  return `Plan: ${s.create_db} to create db, ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
}

/** The Terraform-like human view of a plan. */
export function renderPlan(v: PlanView): string {
  const lines: string[] = [];
  const reachable = v.nodes.filter((n) => n.reachable).length;
  lines.push(
    `${v.mode === 'destroy' ? 'Destroy plan' : 'Plan'} for mesh '${v.mesh}' (${displayPath(v.file)}): ${reachable} of ${plural(v.nodes.length, 'node')} observed`,
  );
  if (v.actions.length) {
    lines.push('');
    for (const a of v.actions) lines.push(actionLine(a));
  }
  if (v.drift.length) {
    lines.push('', 'Drift (managed documents edited by hand; the updates above put them back):');
    for (const d of v.drift)
      lines.push(
        `  ! drift ${d.id} on ${d.node}: ${d.diff.map((c) => `${c.path} is ${fmtValue(c.from)}, declared ${fmtValue(c.to)}`).join('; ')}`,
      );
  }
  if (v.orphans.length) {
    lines.push(
      '',
      `Kept: ${plural(v.orphans.length, 'managed document')} no longer declared (run with --prune to delete them):`,
    );
    for (const o of v.orphans) lines.push(`  ${o.id} on ${o.node}`);
  }
  if (v.unreachable.length) {
    lines.push('', 'Unreachable (nothing planned there; the other nodes are planned):');
    for (const u of v.unreachable) {
      const url = v.nodes.find((n) => n.node === u.node)?.url ?? '';
      lines.push(`  ${u.node} ${url}: ${u.code} — ${u.message}`);
    }
  }
  if (v.errors.length) {
    lines.push('', 'Blocked (left as they are):');
    for (const e of v.errors) lines.push(`  ${e.node}${e.id ? ` ${e.id}` : ''}: ${e.message}`);
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
      `Databases are kept (${[...new Set(v.databases_kept.map((d) => d.db))].join(', ')} on ${[...new Set(v.databases_kept.map((d) => d.node))].join(', ')}): destroy removes only couchmesh's replication documents, never data.`,
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
  if (v.errors.length) parts.push(`${plural(v.errors.length, 'document')} blocked by foreign documents`);
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------
// the command

/** Ends the command with this exit code and no message (commander's own mechanism, see main.ts). */
export function exitWith(code: number): never {
  throw new CommanderError(code, 'couchmesh.exitCode', '');
}

export interface PlanCommandResult {
  validation: ValidationResult;
  view?: PlanView;
  /** where the plan was saved (--out) */
  saved?: string;
}

/** `couchmesh plan`: the plan as data (no printing). */
export async function planCommand(
  flags: PlanFlags & { out?: string },
  deps: TopologyDeps,
): Promise<PlanCommandResult> {
  const prep = await preparePlan(flags, deps);
  if (!prep.ok) return { validation: prep.validation };
  try {
    const view = planView(prep);
    const result: PlanCommandResult = { validation: prep.validation, view };
    if (flags.out) {
      const saved = toSavedPlan(prep.plan, prep.observed, {
        file: resolve(prep.file),
        meshSha256: prep.meshSha256,
        options: prep.options,
        now: (deps.now ?? (() => new Date()))(),
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

/** Diagnostics of an invalid mesh: on stderr (human) so stdout stays the plan, or as JSON. */
export function reportInvalid(v: ValidationResult, output: Output, json: boolean): never {
  if (json) output.out(JSON.stringify({ validation: v }, null, 2));
  else for (const d of v.diagnostics) output.err(formatDiagnostic(d));
  throw invalidMeshError(v);
}

export function reportWarnings(v: ValidationResult, output: Output, json: boolean): void {
  if (!json) for (const d of v.diagnostics) output.err(formatDiagnostic(d));
}

export function registerPlan(program: Command, output: Output): void {
  program
    .command('plan')
    .description('show what apply would change on every node (Terraform-like; secrets shown as (sensitive))')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--json', 'print the plan as JSON (never secrets)')
    .option('--out <plan.json>', 'save the plan (without secrets) for `couchmesh apply plan.json`')
    .option('--detailed-exitcode', 'exit 0 = no changes, 2 = changes, 1 = error (as Terraform)')
    .option('--prune', 'delete managed documents no longer declared')
    .action(
      async (opts: {
        file?: string;
        json?: boolean;
        out?: string;
        detailedExitcode?: boolean;
        prune?: boolean;
      }) => {
        const json = opts.json === true;
        const r = await planCommand(opts, { env: process.env });
        if (!r.view) return reportInvalid(r.validation, output, json);
        reportWarnings(r.validation, output, json);
        if (json) output.out(JSON.stringify({ ...r.view, ...(r.saved ? { saved: r.saved } : {}) }, null, 2));
        else {
          output.out(renderPlan(r.view));
          if (r.saved)
            output.out(
              `\nSaved the plan to ${r.saved} (no secrets in it). Apply exactly this with: couchmesh apply ${r.saved}`,
            );
        }
        if (!r.view.complete)
          throw userError(
            'E_PLAN_INCOMPLETE',
            `the plan is incomplete: ${incompleteReason(r.view)}`,
            r.view.unreachable.length
              ? 'the other nodes are planned; check the listed nodes (URL, network, credentials) and plan again'
              : 'rename or remove the foreign documents holding couchmesh ids, then plan again',
          );
        if (opts.detailedExitcode && r.view.changes) exitWith(2);
      },
    );
}

/**
 * Asks "yes?" on the terminal. Without a terminal (CI, pipes) or with --json there is nobody to ask:
 * the command is refused with a hint to pass --yes.
 */
export async function confirmOnTerminal(question: string, json: boolean, what: string): Promise<boolean> {
  if (json || !process.stdin.isTTY)
    throw userError(
      'E_CONFIRM',
      `${what} changes the nodes and there is no terminal to confirm it`,
      'review the plan (couchmesh plan), then pass --yes',
    );
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`${question} Only 'yes' will be accepted: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}
