import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { meshJsonSchema, meshJsonSchemaText } from './json-schema.ts';

describe('JSON Schema for editors', () => {
  it('examples/mesh.schema.json is the generated schema (regenerate: couchmesh schema > examples/mesh.schema.json)', () => {
    const committed = readFileSync(new URL('../../examples/mesh.schema.json', import.meta.url), 'utf8');
    assert.equal(committed, meshJsonSchemaText());
  });

  it('describes the fields, forbids unknown keys, and never offers an inline password', () => {
    const s = meshJsonSchema() as {
      $schema: string;
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, { description?: string; additionalProperties?: unknown }>;
    };
    assert.equal(s.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.deepEqual(s.required, ['mesh', 'nodes', 'databases']);
    assert.equal(s.additionalProperties, false);
    assert.ok(s.properties.nodes?.description);
    const node = s.properties.nodes?.additionalProperties as {
      properties: Record<string, { properties?: object }>;
    };
    assert.deepEqual(Object.keys(node.properties.auth?.properties ?? {}), [
      'username',
      'password_env',
      'password_file',
    ]);
    assert.doesNotMatch(JSON.stringify(s), /"password":/);
  });
});
