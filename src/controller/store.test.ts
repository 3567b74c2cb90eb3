import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ControllerStore } from './store.ts';
import type { ControllerAction } from './view.ts';

const dir = mkdtempSync(join(tmpdir(), 'couchmesh-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const action = (id: string, at: number, outcome: ControllerAction['outcome'] = 'done'): ControllerAction => ({
  id,
  at: new Date(at).toISOString(),
  loop: 'remediate',
  kind: 'restart-job',
  target: 'direction:n1->n2/sensors',
  outcome,
  detail: '',
});

describe('ControllerStore', () => {
  it('is a 0600 file in a 0700 folder and survives reopening', () => {
    const sd = join(dir, 'a');
    const s = ControllerStore.open(sd);
    s.putAction(action('x', 1_000));
    s.close();
    assert.equal(statSync(sd).mode & 0o777, 0o700);
    assert.equal(statSync(join(sd, 'controller.sqlite')).mode & 0o777, 0o600);
    const again = ControllerStore.open(sd);
    assert.equal(again.action('x')?.outcome, 'done');
    again.close();
  });

  it('an action id is one record (a retry updates it); the rate limit counts the window', () => {
    const s = ControllerStore.open(join(dir, 'b'));
    s.putAction(action('a1', 1_000, 'failed'));
    s.putAction(action('a1', 1_000, 'done'));
    s.putAction(action('a2', 5_000));
    s.putAction(action('a3', 6_000, 'rate-limited'));
    assert.equal(s.recentActions().length, 3);
    assert.equal(s.action('a1')?.outcome, 'done');
    assert.equal(s.countActions('direction:n1->n2/sensors', 0), 2, 'rate-limited rows do not count');
    assert.equal(s.countActions('direction:n1->n2/sensors', 2_000), 1);
    assert.equal(s.countActions('direction:n2->n1/sensors', 0), 0);
    s.close();
  });

  it('keeps findings first-seen, alert state and db baselines', () => {
    const s = ControllerStore.open(join(dir, 'c'));
    assert.equal(s.syncFindings([{ key: 'k', json: '{}' }], 100).get('k'), 100);
    assert.equal(s.syncFindings([{ key: 'k', json: '{}' }], 200).get('k'), 100, 'same episode');
    s.syncFindings([], 300);
    assert.equal(s.syncFindings([{ key: 'k', json: '{}' }], 400).get('k'), 400, 'a new episode');
    s.tell('0:log', 'k', { severity: 'critical' }, 1);
    assert.equal(s.told('0:log', 'k'), 'critical');
    assert.equal(s.toldEvents('0:log').length, 1);
    s.tell('0:log', 'k', null, 2);
    assert.equal(s.told('0:log', 'k'), undefined);
    const id = {
      node: 'n1',
      db: 'd',
      update_seq: '3',
      seq_number: 3,
      docs_total: 3,
      instance_start_time: '9',
      at: 1,
    };
    s.setDbIdentity(id);
    assert.deepEqual(s.dbIdentity('n1', 'd'), id);
    s.close();
  });
});

describe('ControllerStore errors', () => {
  it('a folder it cannot create is a user error with a hint', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    assert.throws(
      () => ControllerStore.open(join(file, 'state')),
      (e: Error & { code?: string }) => e.code === 'E_CONTROLLER_STATE',
    );
  });

  it('keeps its action history bounded: old rows beyond the newest N go on open', () => {
    const sd = join(dir, 'prune');
    const s = ControllerStore.open(sd);
    for (let i = 0; i < 6; i++) s.putAction(action(`old${i}`, 1_000 + i));
    s.putAction(action('young', 90_000));
    s.close();
    const again = ControllerStore.open(sd, { now: 100_000, rows: 3, ms: 50_000 });
    assert.deepEqual(
      again.recentActions().map((a) => a.id),
      ['old4', 'old5', 'young'],
    );
    again.close();
    const young = ControllerStore.open(sd, { now: 100_000, rows: 1, ms: 99_500 });
    assert.equal(young.recentActions().length, 3, 'nothing younger than the age bound goes');
    young.close();
  });
});
