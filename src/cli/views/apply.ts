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
  for (const node of new Set(n.blocked.flatMap((b) => (b.waits_for ? [b.waits_for] : []))))
    parts.push(
      `WITHHELD ${ids(n.blocked.filter((b) => b.waits_for === node))} (${node} is unreachable and may still run them)`,
    );
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
        break;
      case 'unchanged':
        lines.push(`  ${n.node}: nothing to do`);
        break;
      case 'unreachable':
        lines.push(`  ${n.node}: UNREACHABLE, nothing written — ${n.error?.code}: ${n.error?.message}`);
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
