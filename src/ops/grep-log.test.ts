import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MASK, redactor } from '../core/redact.ts';
import { grepLog } from './grep-log.ts';

test('log excerpts mask URL userinfo and every known secret; non-matching lines are skipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-greplog-'));
  try {
    const file = join(dir, 'couch.log');
    const auth = Buffer.from('admin:Zq9-secret').toString('base64');
    writeFileSync(
      file,
      [
        '[error] couch_replicator abc123 http://admin:Zq9-secret@10.0.0.2:5984/db/ crashed',
        '[info] unrelated http://admin:Zq9-secret@10.0.0.3:5984/',
        `[debug] couch_replicator abc123 header Authorization: Basic ${auth} pw Zq9-secret`,
      ].join('\n'),
    );
    const plain = await grepLog(file, ['abc123']);
    assert.equal(plain.total, 2);
    assert.ok(
      plain.lines[0]?.includes(`http://admin:${MASK}@10.0.0.2`),
      'userinfo masked even with no known secret',
    );
    const r = await grepLog(file, ['abc123'], 20, redactor([{ value: 'Zq9-secret', username: 'admin' }]));
    assert.equal(r.lines.length, 2);
    for (const l of r.lines) {
      assert.ok(!l.includes('Zq9-secret') && !l.includes(auth), l);
      assert.ok(l.includes(MASK));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
