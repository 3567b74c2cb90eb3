import { type AuditEntry, tombstoneOf } from './audit/entry.ts';
import type { ResolverEvent } from './events.ts';
import type { ConflictDetail, ConflictSummary } from './inspect.ts';
import type { ResolverStats } from './stats.ts';

/** One-line text views of resolver data (CLI output, progress lines, logs). Never credentials. */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatStats(s: ResolverStats): string {
  const secs = (s.elapsedMs / 1000).toFixed(1);
  const parts = [
    `${s.resolved} resolved`,
    `${s.declined} declined`,
    `${s.failed} failed`,
    `${s.retried} retried`,
    `of ${plural(s.seen, 'conflicted doc')} seen`,
  ];
  return `${parts.join(', ')} in ${secs} s (${s.perSecond.resolved}/s)`;
}

export function formatProgress(s: ResolverStats): string {
  return `resolving: ${s.seen} seen, ${s.resolved} resolved, ${s.declined} declined, ${s.failed} failed (${s.perSecond.resolved}/s)`;
}

export function formatEvent(e: ResolverEvent): string {
  switch (e.type) {
    case 'resolved':
      return `resolved ${e.docId}: ${e.resultRev} by ${e.strategy}, deleted ${e.losers.join(', ')} (audit ${e.entry})`;
    case 'planned':
      return `would resolve ${e.docId}: ${e.merged ? `merge as ${e.resultRev}` : `keep ${e.resultRev}`} by ${e.strategy}, delete ${e.losers.join(', ')}`;
    case 'declined':
      return `declined ${e.docId} (${e.strategy}): ${e.reason}`;
    case 'retry':
      return `retrying ${e.docId}: ${e.reason}`;
    case 'failed':
      return `failed ${e.docId}: ${e.reason}`;
    case 'checkpoint':
      return `checkpoint at ${e.seq}`;
    case 'error':
      return `error: ${e.message}${e.retryInMs === undefined ? '' : ` (retry in ${e.retryInMs} ms)`}`;
  }
}

export function formatList(rows: readonly ConflictSummary[]): string[] {
  return rows.map(
    (r) =>
      `${r.id}  winner ${r.winner}  ${plural(r.conflicts.length, 'conflict')}: ${r.conflicts.join(', ')}`,
  );
}

export function formatDetail(d: ConflictDetail): string[] {
  const live = d.leaves.filter((l) => !l.deleted).length;
  const lines = [`${d.id}: ${live} live ${live === 1 ? 'leaf' : 'leaves'}`];
  for (const l of d.leaves)
    lines.push(
      `  ${l.winner ? '*' : ' '} ${l.rev}${l.deleted ? ' (deleted)' : ''}  ${l.deleted ? '' : JSON.stringify(l.body)}`,
    );
  const o = d.decision?.outcome;
  if (d.decision && o)
    lines.push(
      o.ok
        ? `  ${d.decision.strategy} would ${o.changed ? `write ${JSON.stringify(o.body)} on ${d.decision.parent.rev}` : `keep ${d.decision.parent.rev}`} and delete ${d.decision.losers.map((l) => l.rev).join(', ')}`
        : `  ${d.decision.strategy} declines: ${o.reason}`,
    );
  return lines;
}

export function formatEntry(e: AuditEntry): string[] {
  const head = `${e._id}  ${e.recorded_at}${e.recorded_by ? ` by ${e.recorded_by}` : ''}`;
  switch (e.type) {
    case 'couchmesh.resolution':
      return [
        `${head}  resolution (${e.strategy}${e.doc_type ? `, type ${e.doc_type}` : ''})`,
        `  ${e.parent_rev} -> ${e.result_rev}${e.merged ? ' (merged)' : ''}`,
        ...e.losers.map(
          (l) =>
            `  deleted ${l.rev} (as ${tombstoneOf(l)})${l.won ? ', its body won' : ''}: ${JSON.stringify(l.body)}`,
        ),
        ...(e.parent_body ? [`  superseded ${e.parent_rev}: ${JSON.stringify(e.parent_body)}`] : []),
      ];
    case 'couchmesh.declined':
      return [`${head}  declined (${e.strategy}): ${e.reason}`, `  leaves ${e.leaves.join(', ')}`];
    case 'couchmesh.undo':
      return [
        `${head}  undo of ${e.resolution}: restored ${e.restored_rev} on ${e.parent_rev} as ${e.new_rev}`,
      ];
  }
}
