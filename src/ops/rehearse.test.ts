import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCENARIOS } from '../rehearse/types.ts';
import { rehearseOperation, selectScenarios } from './rehearse.ts';

describe('rehearse options', () => {
  it('every scenario by default, the asked ones in the closed set order', () => {
    assert.deepEqual(selectScenarios(undefined), [...SCENARIOS]);
    assert.deepEqual(selectScenarios(['crash', 'partition']), ['partition', 'crash']);
  });

  it('an unknown scenario is a user error naming the closest one', () => {
    assert.throws(
      () => selectScenarios(['partiton']),
      (e: Error & { code?: string; hint?: string }) => {
        assert.equal(e.code, 'E_REHEARSE_SCENARIO');
        assert.match(String(e.hint), /partition/);
        return true;
      },
    );
  });

  it('a duration or rate out of range is refused before anything starts', async () => {
    for (const o of [{ durationS: 0 }, { rate: 0 }, { durationS: Number.NaN }])
      await assert.rejects(
        rehearseOperation(
          { file: '/nonexistent/mesh.yaml', ...o },
          {
            env: {},
            startController: () => {
              throw new Error('not started: the options are refused first');
            },
          },
        ),
        (e: Error & { code?: string }) => e.code === 'E_REHEARSE_OPTION',
      );
  });
});
