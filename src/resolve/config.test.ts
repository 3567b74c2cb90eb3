import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictsConfigSchema, parseConflictsConfig, strategyPart } from './config.ts';

describe('conflicts config', () => {
  it('fills defaults: audit db, batching, type field', () => {
    const c = parseConflictsConfig({ strategy: 'field-merge' });
    assert.deepEqual(c, {
      strategy: 'field-merge',
      timestamps: 'field_ts',
      type_field: 'type',
      audit: { db: 'couchmesh_audit' },
      batch_size: 500,
      concurrency: 4,
    });
    assert.deepEqual(strategyPart(c), { strategy: 'field-merge', timestamps: 'field_ts' });
  });

  it('accepts per-type strategies and an NDJSON audit file', () => {
    const c = parseConflictsConfig({
      strategy: 'lww',
      types: { tag: { strategy: 'union', fields: ['tags'] }, x: { strategy: 'custom', module: './r.ts' } },
      audit: { file: 'audit.ndjson' },
    });
    assert.deepEqual(c.types?.x, { strategy: 'custom', module: './r.ts', options: {}, timeout_ms: 10_000 });
    assert.deepEqual(c.audit, { file: 'audit.ndjson' });
  });

  it('reports every problem with its path, as a user error', () => {
    assert.throws(
      () => parseConflictsConfig({ strategy: 'union', bogus: 1, types: { a: { strategy: 'max' } } }),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, 'E_CONFLICTS_CONFIG');
        assert.match(e.message, /conflicts\.fields/);
        assert.match(e.message, /bogus/);
        assert.match(e.message, /conflicts\.types\.a\.field/);
        return true;
      },
    );
    assert.equal(ConflictsConfigSchema.safeParse({ strategy: 'newest' }).success, false);
  });
});
