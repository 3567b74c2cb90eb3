import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import {
  conflictsAudit,
  conflictsList,
  conflictsResolve,
  conflictsShow,
  conflictsUndo,
} from '../../ops/conflicts.ts';
import type { ResolverWorker } from '../../resolve/index.ts';
import {
  formatDetail,
  formatEntry,
  formatEvent,
  formatList,
  formatProgress,
  formatStats,
} from '../../resolve/report.ts';
import type { Output } from '../boundary.ts';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw userError('E_FLAG', `${name} expects a positive integer, got '${v}'`);
  return n;
};

function nodeOptions(c: Command, strategy = false): Command {
  c.option('--url <url>', 'node URL, without credentials (or COUCHMESH_URL)')
    .option('--db <name>', 'database')
    .option('--user <name>', 'user (or COUCHMESH_USER); the password comes from COUCHMESH_PASSWORD')
    .option('--audit-db <name>', 'audit database on the same node (default couchmesh_audit)')
    .option('--audit-file <path>', 'audit NDJSON file instead of a database')
    .option('--json', 'print JSON');
  if (strategy)
    c.option('--config <file>', 'conflict settings (YAML/JSON, the databases[].conflicts block)')
      .option('--strategy <name>', 'lww | field-merge | union | max | min | custom (default lww)')
      .option('--timestamp <field>', 'lww / union: timestamp field')
      .option('--field <field>', 'max / min: numeric field')
      .option('--fields <a,b>', 'union: set-like array fields')
      .option('--module <path>', 'custom: module exporting resolve(leaves, context)');
  return c;
}

export function registerConflicts(program: Command, output: Output): void {
  const print = (json: boolean | undefined, data: unknown, lines: () => string[]) =>
    output.out(json ? JSON.stringify(data, null, 2) : lines().join('\n') || '(nothing)');
  const cmd = program
    .command('conflicts')
    .description('find, resolve (with an audit trail) and undo document conflicts');

  nodeOptions(cmd.command('list').description('documents with conflicts'))
    .option('--limit <n>', 'stop after N documents', int('--limit'))
    .action(async (o) => {
      const rows = await conflictsList(o, { env: process.env });
      print(o.json, rows, () => [...formatList(rows), `${rows.length} document(s) in conflict in ${o.db}`]);
    });

  nodeOptions(
    cmd.command('show <doc>').description("a document's leaves, and what the strategy would do"),
    true,
  ).action(async (doc: string, o) => {
    const d = await conflictsShow(doc, o, { env: process.env });
    print(o.json, d, () => formatDetail(d));
  });

  nodeOptions(cmd.command('resolve').description('resolve every conflict of the database once'), true)
    .option('--dry-run', 'show what would be written; write nothing')
    .option('--doc <id...>', 'only these documents')
    .option('--batch-size <n>', 'documents per batch', int('--batch-size'))
    .option('--concurrency <n>', 'batches in flight', int('--concurrency'))
    .action(async (o) => {
      const tty = !o.json && process.stderr.isTTY === true;
      let last = 0;
      const progress = (s: ResolverWorker['stats']) => {
        if (Date.now() - last < 200) return;
        last = Date.now();
        process.stderr.write(`\r\x1b[K${formatProgress(s.snapshot())}`);
      };
      const r = await conflictsResolve(o, { env: process.env }, tty ? progress : undefined);
      if (tty) process.stderr.write('\r\x1b[K');
      print(o.json, r, () => [
        ...r.events.map(formatEvent),
        `${r.dryRun ? 'dry run: ' : ''}${r.db}: ${formatStats(r.stats)}; audit ${r.audit}`,
      ]);
      if (r.stats.failed > 0)
        throw userError(
          'E_RESOLVE_FAILED',
          `${r.stats.failed} document(s) could not be resolved`,
          'see the failed lines above; run resolve again',
        );
    });

  nodeOptions(
    cmd.command('audit <doc>').description("a document's audit trail (resolutions, declines, undos)"),
  ).action(async (doc: string, o) => {
    const entries = await conflictsAudit(doc, o, { env: process.env });
    print(o.json, entries, () => entries.flatMap(formatEntry));
  });

  nodeOptions(cmd.command('undo <resolution>').description('restore a loser of a resolution as the winner'))
    .option('--rev <rev>', 'which deleted leaf to restore (when the resolution deleted several)')
    .action(async (id: string, o) => {
      const r = await conflictsUndo(id, o, { env: process.env });
      print(o.json, r, () => [
        r.alreadyUndone
          ? `already undone: ${r.restoredRev} of ${r.docId} was restored as ${r.newRev} at ${r.alreadyUndone.at} (undo entry ${r.entry}); nothing written`
          : `restored ${r.restoredRev} of ${r.docId} as ${r.newRev} (undo entry ${r.entry})`,
      ]);
    });
}
