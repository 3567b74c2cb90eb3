import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONTROLLER } from './controller.ts';
import { check, NODES } from './test-support.ts';

const LINKS = 'links:\n  - [n1, n2]\n  - [n2, n3]\n';

describe('mesh.yaml controller: block', () => {
  it('is optional; given, its defaults are filled in', () => {
    assert.equal(check(`${NODES}${LINKS}`).spec?.controller, undefined);
    const r = check(
      `${NODES}${LINKS}controller:\n  prune: true\n  remediation:\n    db-recreated: restart-job\n`,
    );
    assert.deepEqual(r.lines, []);
    const c = r.spec?.controller;
    assert.deepEqual(
      { ...c, remediation: undefined },
      { ...DEFAULT_CONTROLLER, prune: true, remediation: undefined },
    );
    assert.equal(c?.remediation?.['db-recreated'], 'restart-job');
    assert.equal(c?.remediation?.stalled, 'none', 'every other kind: none');
  });

  it('a mistyped finding kind or remediation is reported where it is, with a hint', () => {
    const r = check(
      `${NODES}${LINKS}controller:\n  remediation:\n    db-recreatd: restart-job\n    stalled: reboot\n`,
    );
    assert.equal(r.ok, false);
    assert.ok(
      r.lines.some((l) => /controller\.remediation.*db-recreatd.*did you mean 'db-recreated'/.test(l)),
      r.lines.join('\n'),
    );
    assert.ok(
      r.lines.some((l) =>
        /controller\.remediation\.stalled.*none, restart-job, reset-checkpoints or reconcile/.test(l),
      ),
      r.lines.join('\n'),
    );
  });
});
