import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STARTER_MESH } from './starter.ts';
import { check } from './test-support.ts';

describe('starter mesh.yaml (couchmesh init)', () => {
  it('validates without problems once its password variable is set', () => {
    const r = check(STARTER_MESH, {
      references: { env: { COUCHMESH_PASSWORD: 'x' }, fileExists: () => false },
    });
    assert.deepEqual(r.lines, []);
    assert.equal(r.spec?.links.length, 3);
  });

  it('asks for the variable when it is not set', () => {
    const r = check(STARTER_MESH, { references: { env: {}, fileExists: () => false } });
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['E_CREDENTIAL_ENV'],
    );
  });
});
