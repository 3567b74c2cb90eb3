import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../main.ts';
import { captureOutput } from '../testing.ts';

describe('status --exit-status', () => {
  it('a status that cannot be read is UNKNOWN (3) for a check, the usual 1 without the flag', async () => {
    const checked = captureOutput();
    assert.equal(await main(['status', '-f', '/nonexistent/mesh.yaml', '--exit-status'], checked), 3);
    assert.match(checked.stderr, /^couchmesh: no mesh file at/);
    const json = captureOutput();
    assert.equal(await main(['status', '-f', '/nonexistent/mesh.yaml', '--exit-status', '--json'], json), 3);
    assert.equal(JSON.parse(json.stderr).error.code, 'E_MESH_NOT_FOUND');
    assert.equal(await main(['status', '-f', '/nonexistent/mesh.yaml'], captureOutput()), 1);
  });

  it('--help documents the exit codes and the filters', async () => {
    const o = captureOutput();
    assert.equal(await main(['status', '--help'], o), 0);
    for (const s of ['0  OK', '1  WARNING', '2  CRITICAL', '3  UNKNOWN', '--problems', '--link', '--state'])
      assert.ok(o.stdout.includes(s), s);
  });
});
