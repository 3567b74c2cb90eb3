// Number lexemes through a resolution: the merged body is written with the numbers as the leaves had
// them (`1.0` stays a float for CouchDB, `12345678901234567890` stays exact), and the rev the node
// computes from the text it received is the one the resolver predicted and audited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dbPath, docPath } from '../../src/couch/index.ts';
import { parseConflictsConfig, ResolverWorker } from '../../src/resolve/index.ts';
import { createDb, suiteNode } from './helpers.ts';

const leaf = (hash: string, tags: string) =>
  `{"_id":"item","_rev":"1-${hash}","_revisions":{"start":1,"ids":["${hash}"]},` +
  `"price":1.0,"scale":1e2,"offset":-0,"id":12345678901234567890,"tags":["${tags}"]}`;

describe('resolver worker: number lexemes', () => {
  const node = suiteNode('n');

  it('a merged body keeps 1.0, 1e2, -0 and a big integer as written; the predicted rev is the stored one', async () => {
    const n = node();
    await createDb(n, 'lex');
    const body = `{"new_edits":false,"docs":[${leaf('a'.repeat(32), 'x')},${leaf('b'.repeat(32), 'y')}]}`;
    await n.client.post(`${dbPath('lex')}/_bulk_docs`, body, undefined, {
      headers: { 'content-type': 'application/json' },
    });
    const config = parseConflictsConfig({ strategy: 'union', fields: ['tags'] });
    const events: Array<{ type: string; resultRev?: string }> = [];
    const w = await ResolverWorker.create({
      client: n.client,
      db: 'lex',
      config,
      onEvent: (e) => events.push(e),
    });
    assert.equal((await w.runOnce()).stats.resolved, 1);
    const res = await n.client.request({ path: docPath('lex', 'item'), query: { conflicts: true } });
    const text = res.text();
    for (const lexeme of [
      '"price":1.0',
      '"scale":1e2',
      '"offset":-0',
      '"id":12345678901234567890',
      '"tags":["y","x"]',
    ])
      assert.ok(text.includes(lexeme), `${lexeme} in ${text}`);
    assert.ok(!text.includes('_conflicts'));
    const resolved = events.find((e) => e.type === 'resolved');
    assert.equal(
      resolved?.resultRev,
      JSON.parse(text)._rev,
      'the node hashed the text the resolver predicted',
    );
  });
});
