/** Human view of an apply's per-node outcome, and the coded error of a partial or failed apply. */
import { userError } from '../../core/errors.ts';
import type { ApplyEvent, ApplyOutcome, NodeOutcome } from '../../ops/apply.ts';
import type { RequestCount } from '../../plan/observe.ts';
import { plural } from '../../spec/diagnostic.ts';
import type { Output } from '../boundary.ts';

const fmtRequests = (r: RequestCount) =>
  `${plural(r.reads + r.writes, 'request')}${r.writes ? `, ${r.writes} writing` : ''}`;

/** One progress line of an apply, printed as it happens. */
export function renderApplyEvent(e: ApplyEvent): string {
  switch (e.type) {
    case 'waiting-for-stop':
      return `  ${e.id}: waiting for ${e.node} to stop the old job before creating it on ${e.to}…`;
  }
}

/** The blocked documents of a node, by cause. */
function blockedText(n: NodeOutcome): string {
  const ids = (bs: NodeOutcome['blocked']) => bs.map((b) => b.id ?? b.message).join(', ');
  const foreign = n.blocked.filter((b) => !b.waits_for);
  const parts = foreign.length ? [`BLOCKED ${ids(foreign)} (a foreign document holds the id)`] : [];
  for (const cause of ['unreachable', 'refused'] as const) {
    const of = n.blocked.filter((b) => b.waits_for && (b.withheld ?? 'unreachable') === cause);
    for (const node of new Set(of.map((b) => b.waits_for)))
      parts.push(
        `WITHHELD ${ids(of.filter((b) => b.waits_for === node))} (${
          cause === 'refused'
            ? `they carry ${node}'s credentials, which ${node} refused`
            : `${node} is unreachable and may still run them`
        })`,
      );
  }
  return parts.join('; ');
}

/** Human view of the per-node results. */
export function renderOutcome(o: ApplyOutcome, verb = 'Apply'): string {
  if (!o.approved) return `${verb} cancelled: nothing was written.`;
  const lines: string[] = [''];
  for (const n of o.nodes) {
    switch (n.status) {
      case 'applied':
        lines.push(`  ${n.node}: applied ${plural(n.applied, 'change')} (${fmtRequests(n.requests)})`);
        // CouchDB reads [ssl] when it starts: the new listener settings wait for a restart
        if (
          (o.plan.actions ?? []).some(
            (a) => a.kind === 'set-config' && a.node === n.node && a.takesEffect === 'restart',
          )
        )
          lines.push(`    restart CouchDB on ${n.node}: its [ssl] settings take effect when it starts`);
        break;
      case 'unchanged':
        lines.push(`  ${n.node}: nothing to do`);
        break;
      case 'unreachable':
        lines.push(`  ${n.node}: UNREACHABLE, nothing written — ${n.error?.code}: ${n.error?.message}`);
        break;
      case 'refused':
        lines.push(
          `  ${n.node}: CREDENTIALS REFUSED, nothing written — ${n.error?.code}: ${n.error?.message}`,
          ...(n.hint ? [`    hint: ${n.hint}`] : []),
        );
        break;
      case 'blocked':
        lines.push(`  ${n.node}: applied ${plural(n.applied, 'change')}; ${blockedText(n)}`);
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

/** For refused credentials: what to check (each node's hint names the env variable or file). */
function refusedFix(o: ApplyOutcome): string {
  const refused = o.nodes.filter((n) => n.status === 'refused').map((n) => n.node);
  return refused.length
    ? ` (the credentials of ${refused.join(', ')}: each refusal's hint names the env variable or file to check)`
    : '';
}

/** The exit-1 error of a partial or failed apply (after the per-node lines were printed). */
export function incompleteError(o: ApplyOutcome, verb: string) {
  const why = o.nodes
    .filter((n) => !n.ok)
    .map((n) =>
      n.status === 'unreachable'
        ? `${n.node} unreachable`
        : n.status === 'refused'
          ? `${n.node} refused couchmesh's credentials`
          : n.status === 'blocked'
            ? `${n.node} has ${plural(n.blocked.length, 'blocked document')}`
            : `${n.node} failed (${n.error?.code ?? n.failures.map((f) => f.error).join(', ')})`,
    )
    .join(', ');
  return userError(
    o.partial ? 'E_APPLY_PARTIAL' : 'E_APPLY_FAILED',
    `${verb} ${o.partial ? 'partially done' : 'failed'}: ${why}`,
    `${o.partial ? 'the other nodes are done; ' : ''}fix the listed nodes${refusedFix(o)} and run 'couchmesh ${verb}' again${o.partial ? ' (it only does what is left)' : ''}`,
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
