/** Human view of `couchmesh verify`: per database and node pair, what differs (ids and counts); the repair runs. */
import type { VerifyEvent, VerifyOutcome, VerifyReport } from '../../ops/verify.ts';
import type { RepairRun } from '../../ops/verify-repair.ts';
import type { IdList } from '../../verify/compare.ts';
import type { DbVerifyResult, NodeRead, PairResult } from '../../verify/database.ts';
import type { Paint } from './paint.ts';

const ids = (l: IdList) =>
  `${l.ids.join(', ')}${l.count > l.ids.length ? `, … (${l.count - l.ids.length} more)` : ''}`;

function nodeText(n: NodeRead, p: Paint): string {
  if (n.state === 'unreachable') return `${n.node} ${p.red('unreachable')}`;
  if (n.state === 'no-db') return `${n.node} ${p.yellow('no database')}`;
  return `${n.node} ${n.docs} docs`;
}

function pairLines(r: PairResult, p: Paint): string[] {
  const head = `  ${r.a} -- ${r.b}  `;
  if (r.state === 'identical') return [`${head}${p.green('identical')}`];
  if (r.state === 'not-compared') return [`${head}${p.yellow('not compared')}: ${r.reason ?? ''}`];
  const out = [`${head}${p.red('divergent')}`];
  const kinds: Array<[IdList, string]> = [
    [r.missing_on_b, `missing on ${r.b}`],
    [r.missing_on_a, `missing on ${r.a}`],
    [r.winners, 'winners differ'],
    [r.leaves, 'leaf sets differ'],
  ];
  for (const [l, what] of kinds) if (l.count) out.push(`    ${l.count} ${what}: ${ids(l)}`);
  return out;
}

function dbLines(d: DbVerifyResult, p: Paint): string[] {
  const out = [`${p.bold(d.db)} (${d.nodes.map((n) => nodeText(n, p)).join(', ')})`];
  for (const r of d.pairs) out.push(...pairLines(r, p));
  for (const n of d.nodes) if (n.error) out.push(`  ${n.node}: ${n.error.code} ${n.error.message}`);
  return out;
}

export function renderReport(r: VerifyReport, p: Paint): string {
  const s = r.summary;
  const lines = r.databases.flatMap((d) => dbLines(d, p));
  const parts = [`${s.identical} identical`, `${s.divergent} divergent`];
  if (s.not_compared) parts.push(`${s.not_compared} not compared (${s.unreachable.join(', ')} unreachable)`);
  lines.push(`verify ${r.mesh}: ${s.pairs} pair${s.pairs === 1 ? '' : 's'}: ${parts.join(', ')}`);
  return lines.join('\n');
}

function repairLine(run: RepairRun): string {
  const head = `  ${run.direction} (${run.db}): ${run.docs} doc${run.docs === 1 ? '' : 's'}`;
  if (run.state === 'skipped') return `${head} not repaired: ${run.reason}`;
  const how = `${run.docs_written} written, ${run.doc_write_failures} write failures (${run.jobs} one-shot job${run.jobs === 1 ? '' : 's'} on ${run.doc_node})`;
  return run.state === 'failed'
    ? `${head}, repair failed after ${how}: ${run.error?.message}`
    : `${head}, ${how}`;
}

export function renderVerify(o: VerifyOutcome, p: Paint): string {
  const out = [renderReport(o.report, p)];
  if (o.repairs) out.push('repair:', ...o.repairs.map(repairLine));
  if (o.after) out.push('after repair:', renderReport(o.after, p));
  return out.join('\n');
}

/** The TTY progress line: documents read per node in the current pass. */
export class ProgressLine {
  #counts = new Map<string, number>();
  #head = '';

  update(e: VerifyEvent): string {
    if (e.kind === 'repair')
      return `repair ${e.direction} (${e.db}): ${e.state}, ${e.docs_written ?? 0}/${e.docs} written`;
    const head = `${e.phase === 'after' ? 'verify again' : 'verify'} ${e.db} pass ${e.pass}`;
    if (head !== this.#head) this.#counts.clear();
    this.#head = head;
    this.#counts.set(e.node, e.docs);
    return `${head}: ${[...this.#counts].map(([n, c]) => `${n} ${c} docs`).join(', ')}`;
  }
}
