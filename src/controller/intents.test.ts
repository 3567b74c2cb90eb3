import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import { redactor } from '../core/redact.ts';
import { actionAlert } from './alerts.ts';
import type { Ctx, NewAction } from './context.ts';
import { failIntent, interruptedAction, recoverIntents, writeIntent } from './intents.ts';
import { controllerLogger } from './log.ts';
import { ControllerStore } from './store.ts';
import type { ControllerAction } from './view.ts';

const dir = mkdtempSync(join(tmpdir(), 'couchmesh-intents-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const sink = { write: () => true };
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** The parts of the controller's ctx an intent touches; `record` as controller.ts does it, minus I/O. */
function ctxOn(name: string, clock = new ManualClock(T0)) {
  const store = ControllerStore.open(join(dir, name));
  const recorded: ControllerAction[] = [];
  const shown: ControllerAction[] = [];
  const told: Array<{ key: string; severity: string }> = [];
  const ctx = {
    clock,
    store,
    redact: redactor([{ value: 's3cret' }]),
    log: controllerLogger((s) => s, sink),
    deps: {},
    // no node clients: no audit record (test/controller/interrupted.test.ts writes one)
    m: { spec: { mesh: 'm' }, clients: new Map() },
    state: { action: (a: ControllerAction) => shown.push(a) },
    metrics: { controller: { action: () => undefined } },
    sinks: [{ name: 's', send: async (e: { key: string; severity: string }) => void told.push(e) }],
    record: async (a: NewAction) => {
      const { intent, ...rest } = a;
      const action = { ...rest, id: intent?.id ?? rest.id ?? 'x', at: new Date(clock.now()).toISOString() };
      store.putAction(action);
      recorded.push(action);
      return action;
    },
  };
  return { ctx: ctx as unknown as Ctx, store, recorded, shown, told };
}

describe('write-ahead intents', () => {
  it('an intent is on disk until the action completing it is recorded (same id, one record)', () => {
    const { ctx, store } = ctxOn('a');
    const i = writeIntent(ctx, {
      loop: 'drift',
      kind: 'apply',
      target: 'mesh',
      detail: 'apply 2 create on http://admin:s3cret@h',
    });
    assert.equal(i.at, T0);
    assert.doesNotMatch(JSON.stringify(store.openIntents()), /s3cret/, 'intents are redacted');
    store.close();
    const again = ControllerStore.open(join(dir, 'a'));
    assert.deepEqual(
      again.openIntents().map((x) => x.id),
      [i.id],
      'it survives a restart',
    );
    again.putAction({ ...interruptedAction(i), outcome: 'done', at: new Date(T0).toISOString() });
    assert.deepEqual(again.openIntents(), []);
    assert.equal(again.recentActions().length, 1);
    again.close();
  });

  it('a start records each open intent as interrupted, at its own time, once', async () => {
    const clock = new ManualClock(T0);
    const { ctx, store, shown, told } = ctxOn('b', clock);
    const i1 = writeIntent(ctx, {
      loop: 'resolve',
      kind: 'resolve',
      target: 'db:s@n1',
      detail: 'resolve 800 conflicted document(s) of s on n1',
      node: 'n1',
    });
    await clock.advance(1_000);
    const i2 = writeIntent(ctx, {
      loop: 'operator',
      kind: 'reconcile',
      target: 'direction:n1->n2/s',
      detail: 'reconcile direction:n1->n2/s',
    });
    await clock.advance(60_000); // the restart, a minute later
    const { actions: out, announced } = recoverIntents(ctx);
    // in the store and the snapshot before anything is awaited (before any loop's first pass)
    assert.deepEqual(store.openIntents(), []);
    assert.deepEqual(
      shown.map((a) => a.id),
      [i1.id, i2.id],
    );
    assert.deepEqual(
      out.map((a) => [a.id, a.outcome, a.at]),
      [
        [i1.id, 'interrupted', new Date(T0).toISOString()],
        [i2.id, 'interrupted', new Date(T0 + 1_000).toISOString()],
      ],
    );
    assert.match(out[0]?.detail ?? '', /about to resolve 800 conflicted document\(s\) of s on n1/);
    // the resolve count of the chaos checks reads `resolved N`: an interruption never claims one
    assert.doesNotMatch(out[0]?.detail ?? '', /resolved \d+/);
    await announced;
    assert.deepEqual(
      told.map((e) => e.severity),
      ['warning', 'warning'],
      'each told to the alert sinks',
    );
    const again = recoverIntents(ctx);
    await again.announced;
    assert.deepEqual(again.actions, [], 'a second start has nothing left to recover');
    assert.equal(store.recentActions().length, 2);
    store.close();
  });

  it('an interrupted remediation counts against the rate limit (it may have acted)', () => {
    const { ctx, store } = ctxOn('c');
    const i = writeIntent(ctx, {
      id: 'r1',
      loop: 'remediate',
      kind: 'restart-job',
      target: 'direction:a->b/s',
      detail: 'restart-job a->b',
    });
    store.putAction({ ...interruptedAction(i), loop: 'remediate', at: new Date(T0).toISOString() });
    assert.equal(store.countActions('direction:a->b/s', T0 - 1), 1);
    store.close();
  });

  it('an act that throws completes its intent as failed, unless the controller is stopping', async () => {
    const { ctx, store, recorded } = ctxOn('d');
    const i = writeIntent(ctx, { loop: 'drift', kind: 'apply', target: 'mesh', detail: 'apply 1 create' });
    await failIntent(ctx, i, new Error('boom'));
    assert.deepEqual(
      recorded.map((a) => [a.id, a.outcome, a.detail]),
      [[i.id, 'failed', 'apply 1 create: boom']],
    );
    const stopping = new AbortController();
    stopping.abort();
    const j = writeIntent(ctx, { loop: 'drift', kind: 'apply', target: 'mesh', detail: 'apply 2 create' });
    await failIntent({ ...ctx, deps: { signal: stopping.signal } } as Ctx, j, new Error('aborted'));
    assert.deepEqual(
      store.openIntents().map((x) => x.id),
      [j.id],
      'left for the next start to record as interrupted',
    );
    store.close();
  });

  it('an interrupted action alerts as a warning under its own key', () => {
    const a: ControllerAction = {
      ...interruptedAction({
        id: 'a-1',
        at: T0,
        loop: 'remediate',
        kind: 'restart-job',
        target: 'direction:a->b/s',
        detail: 'restart-job a->b',
      }),
      at: new Date(T0).toISOString(),
    };
    const interrupted = actionAlert('m', a, undefined);
    const done = actionAlert('m', { ...a, outcome: 'done' }, undefined);
    assert.equal(interrupted.severity, 'warning');
    assert.notEqual(interrupted.key, done.key, 'the completion with the same id is told too');
    assert.match(interrupted.message, /interrupted/);
  });
});
