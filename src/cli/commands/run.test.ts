import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../testing.ts';
import { parseListen } from './run.ts';

describe('couchmesh run (flags)', () => {
  it('--help names the flags', async () => {
    const { code, o } = await runCli(['run', '--help'], 'x');
    assert.equal(code, 0);
    for (const f of ['--dry-run', '--state-dir', '--listen', '--webhook'])
      assert.match(o.stdout, new RegExp(f));
  });

  it('--listen wants HOST:PORT', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.throws(() => parseListen('8080'), /HOST:PORT/);
  });

  it('an invalid mesh is reported with its diagnostics and exit 1, nothing started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-run-'));
    try {
      const file = join(dir, 'mesh.yaml');
      writeFileSync(file, 'mesh: t\nnodes: {}\ndatabases: [a]\ncontroller:\n  prune: maybe\n');
      const { code, o } = await runCli(['run', '-f', file, '--state-dir', join(dir, 's')], 'x');
      assert.equal(code, 1, o.all);
      assert.match(o.stderr, /controller\.prune/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
