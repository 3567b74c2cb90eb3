import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CanarySchema, canaryDocId, canaryOf, DEFAULT_CANARY } from './canary.ts';
import { meshJsonSchema } from './json-schema.ts';
import { check, NODES } from './test-support.ts';

const LINKS = 'links:\n  - [n1, n2]\n  - [n2, n3]\n';

describe('mesh.yaml canary: block', () => {
  it('is optional and off by default; given, its defaults are filled in', () => {
    const none = check(`${NODES}${LINKS}`).spec;
    assert.equal(none?.canary, undefined);
    assert.equal(canaryOf(none ?? {}), undefined);
    const r = check(`${NODES}${LINKS}canary:\n  enabled: true\n  interval_ms: 5000\n`);
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.canary, {
      enabled: true,
      interval_ms: 5000,
      timeout_ms: 60_000,
      database: 'couchmesh_canary',
    });
    assert.equal(canaryOf(r.spec ?? {})?.database, 'couchmesh_canary');
    assert.deepEqual(DEFAULT_CANARY, CanarySchema.parse({}));
    assert.equal(DEFAULT_CANARY.enabled, false);
    assert.equal(canaryOf({ canary: DEFAULT_CANARY }), undefined, 'declared but not enabled: off');
  });

  it('a bad database name, a mesh database or an unknown key is reported where it is', () => {
    const bad = check(`${NODES}${LINKS}canary:\n  enabled: true\n  database: Canary\n`);
    assert.equal(bad.ok, false);
    assert.ok(
      bad.lines.some((l) => /canary\.database.*CouchDB database name/.test(l)),
      bad.lines.join('\n'),
    );
    const dup = check(`${NODES}${LINKS}canary:\n  enabled: true\n  database: sensors\n`);
    assert.ok(
      dup.lines.some((l) => /canary\.database.*'sensors' is a mesh database/.test(l)),
      dup.lines.join('\n'),
    );
    const key = check(`${NODES}${LINKS}canary:\n  enable: true\n  timeout_ms: 10\n`);
    assert.equal(key.ok, false);
    assert.ok(
      key.lines.some((l) => /canary/.test(l) && /enable/.test(l)),
      key.lines.join('\n'),
    );
    assert.ok(
      key.lines.some((l) => /canary\.timeout_ms/.test(l)),
      key.lines.join('\n'),
    );
  });

  it('is described in the JSON Schema; the canary doc id names the direction', () => {
    const s = meshJsonSchema() as {
      properties: Record<string, { description?: string; properties?: object }>;
    };
    assert.ok(s.properties.canary?.description);
    assert.deepEqual(Object.keys(s.properties.canary?.properties ?? {}), [
      'enabled',
      'interval_ms',
      'timeout_ms',
      'database',
    ]);
    assert.equal(canaryDocId('n1', 'n2'), 'canary:n1>n2');
  });
});
