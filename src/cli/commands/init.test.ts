import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { STARTER_MESH } from '../../spec/starter.ts';
import { main } from '../main.ts';
import { captureOutput } from '../testing.ts';

const capture = captureOutput;

describe('couchmesh init', () => {
  it('writes the commented starter, which validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-init-'));
    const p = join(dir, 'mesh.yaml');
    const o = capture();
    assert.equal(await main(['init', p], o), 0);
    assert.equal(readFileSync(p, 'utf8'), STARTER_MESH);
    assert.match(o.stdout, /^wrote .*mesh\.yaml \(a commented 3-node starter mesh\)\n/);
    assert.equal(await main(['validate', '-f', p, '--skip-credentials'], capture()), 0);
  });

  it('a folder gets mesh.yaml inside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-init-'));
    assert.equal(await main(['init', dir], capture()), 0);
    assert.equal(readFileSync(join(dir, 'mesh.yaml'), 'utf8'), STARTER_MESH);
  });

  it('refuses to overwrite without --force (exit 1, hint), overwrites with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-init-'));
    const p = join(dir, 'mesh.yaml');
    writeFileSync(p, 'mine\n');
    const o = capture();
    assert.equal(await main(['init', p], o), 1);
    assert.match(
      o.stderr,
      /mesh\.yaml already exists; not overwriting it\n {2}hint: pass --force to replace it/,
    );
    assert.equal(readFileSync(p, 'utf8'), 'mine\n');
    const f = capture();
    assert.equal(await main(['init', '--force', p], f), 0);
    assert.match(f.stdout, /^overwrote /);
    assert.equal(readFileSync(p, 'utf8'), STARTER_MESH);
  });

  it('defaults to COUCHMESH_FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'couchmesh-init-'));
    process.env.COUCHMESH_FILE = join(dir, 'env.yaml');
    try {
      assert.equal(await main(['init'], capture()), 0);
    } finally {
      delete process.env.COUCHMESH_FILE;
    }
    assert.equal(readFileSync(join(dir, 'env.yaml'), 'utf8'), STARTER_MESH);
  });
});
