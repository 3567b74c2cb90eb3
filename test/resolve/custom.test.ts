// Must show: a `custom` strategy that throws leaves the conflict intact and reports it; nothing is
// deleted. Also: custom modules in .ts and .mjs, declining through `context.decline`, and load errors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dbPath } from '../../src/couch/index.ts';
import {
  type DeclineEntry,
  listAuditEntries,
  parseConflictsConfig,
  type ResolverEvent,
  ResolverWorker,
} from '../../src/resolve/index.ts';
import { createDb, leafSets, startTestNode, type TestNode, winners, writeConflicts } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('custom strategies', () => {
  let n: TestNode;
  before(async () => {
    n = await startTestNode('n');
  });
  after(() => n.close());

  async function run(db: string, config: unknown) {
    const events: ResolverEvent[] = [];
    const w = await ResolverWorker.create({
      client: n.client,
      db,
      config: parseConflictsConfig(config),
      baseDir: FIXTURES,
      onEvent: (e) => events.push(e),
    });
    return { report: await w.runOnce(), events };
  }

  it('a custom strategy that throws: the conflict is left intact and reported, nothing deleted', async () => {
    await createDb(n, 'invoices');
    await writeConflicts(n, 'invoices', 3, 3, (i, l) => ({ amount: i + l, type: 'invoice' }));
    const leavesBefore = await leafSets(n, 'invoices');
    const { report, events } = await run('invoices', { strategy: 'custom', module: 'throwing-resolver.ts' });

    assert.equal(report.stats.declined, 3);
    assert.equal(report.stats.resolved, 0);
    const declined = events.filter((e) => e.type === 'declined');
    assert.equal(declined.length, 3);
    for (const e of declined) assert.equal(e.reason, 'custom resolver threw: refusing to merge invoices');
    // intact: the same leaves (no tombstone, no merged revision), still conflicts
    assert.deepEqual(await leafSets(n, 'invoices'), leavesBefore);
    for (const w of (await winners(n, 'invoices')).values()) assert.equal(w.conflicts.length, 2);
    // recorded why, in the audit, once per doc and leaf set
    const audit = await listAuditEntries(n.client, 'couchmesh_audit');
    const decl = audit.filter((d) => d.db === 'invoices') as DeclineEntry[];
    assert.equal(decl.length, 3);
    for (const d of decl) {
      assert.equal(d.type, 'couchmesh.declined');
      assert.equal(d.reason, 'custom resolver threw: refusing to merge invoices');
      assert.equal(d.leaves.length, 3);
    }
    // a second run changes nothing either
    const again = await run('invoices', { strategy: 'custom', module: 'throwing-resolver.ts' });
    assert.equal(again.report.stats.declined, 3);
    assert.deepEqual(await leafSets(n, 'invoices'), leavesBefore);
  });

  it('a .mjs module merges, with its options; context.decline leaves a conflict alone', async () => {
    await createDb(n, 'ledger');
    await writeConflicts(n, 'ledger', 2, 3, (i, l) =>
      i === 1 && l === 2 ? { note: 'no amount' } : { amount: 10 * (l + 1) },
    );
    const { report, events } = await run('ledger', {
      strategy: 'custom',
      module: `${FIXTURES}sum-resolver.mjs`,
      options: { by: 'ops' },
    });
    assert.equal(report.stats.resolved, 1);
    assert.equal(report.stats.declined, 1);
    assert.ok(events.some((e) => e.type === 'declined' && e.reason === 'a leaf has no amount'));
    const doc = await n.client.get<Record<string, unknown>>(`${dbPath('ledger')}/doc-0000`, {
      conflicts: true,
    });
    assert.deepEqual(
      { amount: doc.amount, merged_by: doc.merged_by, leaves: doc.leaves, conflicts: doc._conflicts },
      { amount: 60, merged_by: 'ops', leaves: 3, conflicts: undefined },
    );
  });

  it('a module that cannot be loaded is a configuration error before anything runs', async () => {
    await assert.rejects(run('ledger', { strategy: 'custom', module: 'missing.ts' }), {
      code: 'E_CUSTOM_STRATEGY',
    });
    await assert.rejects(
      run('ledger', { strategy: 'custom', module: '../helpers.ts' }),
      /does not export a resolve/,
    );
  });
});
