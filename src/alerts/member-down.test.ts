// The cluster rule's alerts (CLUSTERS #17): a member down is raised once per episode as a node alert
// (Alertmanager name `couchmesh_member_down`, the node and no link), and resolved when it is back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffFindings } from '../health/diff.ts';
import { memberDownRule } from '../health/rules-cluster.ts';
import type { NodeMark } from '../health/series-book.ts';
import { Alerter } from './alerter.ts';
import { alertmanagerAlert } from './alertmanager.ts';
import { LogSink } from './log.ts';

const M = ['couchdb@c1.local', 'couchdb@c2.local', 'couchdb@c3.local'];
const mark = (at: number, all: string[]): NodeMark => ({
  node: 'c',
  at,
  reachable: true,
  confidence: 'full',
  membership: { all, cluster: M },
  docs: { length: 2 },
});

test('member-down: raised once, with the member in its evidence; resolved once the member is back', () => {
  const alerter = new Alerter({ mesh: 't', sinks: [new LogSink(() => undefined, 'info')] });
  // the resolution is held for a few polls (hysteresis.ts): the member stays back for 10 polls
  const back = Array.from({ length: 10 }, (_, i) => mark(30_000 + i * 10_000, M));
  const marks = [mark(0, M), mark(10_000, M.slice(0, 2)), mark(20_000, M.slice(0, 2)), ...back];
  const events = [];
  let prev: ReturnType<typeof memberDownRule>[] = [];
  for (let i = 0; i < marks.length; i++) {
    const at = (marks[i] as NodeMark).at;
    const now = [memberDownRule('c', marks.slice(0, i + 1), at)].filter((f) => f !== null);
    events.push(
      ...alerter.handle(
        diffFindings(
          prev.filter((f) => f !== null),
          now,
        ),
        at,
      ),
    );
    prev = now;
  }
  assert.deepEqual(
    events.map((e) => [e.event, e.rule, e.node, e.evidence.downMembers]),
    [
      ['raised', 'member-down', 'c', 'couchdb@c3.local'],
      ['resolved', 'member-down', 'c', 'couchdb@c3.local'],
    ],
  );
  const am = alertmanagerAlert(events[0] as (typeof events)[number]);
  assert.equal(am.labels.alertname, 'couchmesh_member_down');
  assert.equal(am.labels.node, 'c');
});
