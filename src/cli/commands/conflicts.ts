import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import {
  conflictsAudit,
  conflictsList,
  conflictsResolve,
  conflictsShow,
  conflictsUndo,
} from '../../ops/conflicts.ts';
import type { MeshResolveEvent } from '../../ops/conflicts-mesh.ts';
import {
  meshConflictsAudit,
  meshConflictsList,
  meshConflictsResolve,
  meshConflictsShow,
  meshConflictsUndo,
} from '../../ops/conflicts-mesh-cmds.ts';
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
import { meshListView, meshResolveView, meshShowView } from '../views/conflicts.ts';

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw userError('E_FLAG', `${name} expects a positive integer, got '${v}'`);
  return n;
};

function nodeOptions(c: Command, strategy = false): Command {
  c.option(
    '-f, --file <mesh.yaml>',
    'the mesh: nodes, credentials and strategy from it (default ./mesh.yaml)',
  )
    .option('--node <name>', 'with -f: one node of the mesh (default: every node)')
    .option('--url <url>', 'one node by URL, without credentials (or COUCHMESH_URL), instead of a mesh')
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

/** `--url` (or COUCHMESH_URL) names one node; otherwise the mesh file does. */
const byUrl = (o: { url?: string }) => Boolean(o.url ?? process.env.COUCHMESH_URL);
const deps = () => ({ env: process.env });

export function registerConflicts(program: Command, output: Output): void {
  const print = (json: boolean | undefined, data: unknown, lines: () => string[]) =>
    output.out(json ? JSON.stringify(data, null, 2) : lines().join('\n') || '(nothing)');
  const failedCheck = (failed: number) => {
    if (failed > 0)
      throw userError(
        'E_RESOLVE_FAILED',
        `${failed} document(s) could not be resolved`,
        'see the failed lines above; run resolve again',
      );
  };
  const cmd = program
    .command('conflicts')
    .description('find, resolve (with an audit trail) and undo document conflicts');

  nodeOptions(cmd.command('list').description('documents with conflicts'))
    .option('--limit <n>', 'stop after N documents', int('--limit'))
    .action(async (o) => {
      if (!byUrl(o)) {
        const per = await meshConflictsList(o, deps());
        return print(o.json, per, () => meshListView(o.db, per));
      }
      const rows = await conflictsList(o, deps());
      print(o.json, rows, () => [...formatList(rows), `${rows.length} document(s) in conflict in ${o.db}`]);
    });

  nodeOptions(
    cmd.command('show <doc>').description("a document's leaves, and what the strategy would do"),
    true,
  ).action(async (doc: string, o) => {
    if (!byUrl(o)) {
      const per = await meshConflictsShow(doc, o, deps());
      return print(o.json, per, () => meshShowView(per));
    }
    const d = await conflictsShow(doc, o, deps());
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
      if (!byUrl(o)) {
        const events: MeshResolveEvent[] = [];
        const r = await meshConflictsResolve(o, deps(), (e) => {
          if (e.type !== 'checkpoint' && e.type !== 'retry') events.push(e);
        });
        print(o.json, r, () => meshResolveView(r, events));
        const away = r.nodes.filter((n) => n.error);
        if (away.length)
          throw userError(
            'E_RESOLVE_FAILED',
            `not resolved on ${away.map((n) => n.node).join(', ')}`,
            'see the node lines above; run resolve again (with --node to retry one)',
          );
        return failedCheck(r.counts.failed);
      }
      const r = await conflictsResolve(o, deps(), tty ? progress : undefined);
      if (tty) process.stderr.write('\r\x1b[K');
      print(o.json, r, () => [
        ...r.events.map(formatEvent),
        `${r.dryRun ? 'dry run: ' : ''}${r.db}: ${formatStats(r.stats)}; audit ${r.audit}`,
      ]);
      failedCheck(r.stats.failed);
    });

  nodeOptions(
    cmd.command('audit <doc>').description("a document's audit trail (resolutions, declines, undos)"),
  ).action(async (doc: string, o) => {
    const entries = byUrl(o)
      ? await conflictsAudit(doc, o, deps())
      : await meshConflictsAudit(doc, o, deps());
    print(o.json, entries, () => entries.flatMap(formatEntry));
  });

  nodeOptions(cmd.command('undo <resolution>').description('restore a loser of a resolution as the winner'))
    .option('--rev <rev>', 'which deleted leaf to restore (when the resolution deleted several)')
    .action(async (id: string, o) => {
      const r = byUrl(o) ? await conflictsUndo(id, o, deps()) : await meshConflictsUndo(id, o, deps());
      print(o.json, r, () => [
        ('node' in r ? `${r.node}: ` : '') +
          (r.alreadyUndone
            ? `already undone: ${r.restoredRev} of ${r.docId} was restored as ${r.newRev} at ${r.alreadyUndone.at} (undo entry ${r.entry}); nothing written`
            : `restored ${r.restoredRev} of ${r.docId} as ${r.newRev} (undo entry ${r.entry})`),
      ]);
    });
}
