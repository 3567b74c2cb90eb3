import { z } from 'zod';
import { MeshFileSchema } from './schema.ts';

export const SCHEMA_ID = 'https://couchmesh.dev/schemas/mesh.schema.json';

/**
 * JSON Schema (draft-07, the dialect YAML editors support best) of mesh.yaml as written, for
 * completion and inline checks: `couchmesh schema > mesh.schema.json`, then
 * `# yaml-language-server: $schema=./mesh.schema.json` at the top of mesh.yaml. The cross-field
 * checks (unknown nodes, duplicate links, credentials…) are `couchmesh validate`'s.
 */
export function meshJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(MeshFileSchema, { io: 'input', target: 'draft-07' }) as Record<
    string,
    unknown
  >;
  const { $schema, ...rest } = schema;
  return { $schema, $id: SCHEMA_ID, ...rest };
}

export function meshJsonSchemaText(): string {
  return `${JSON.stringify(meshJsonSchema(), null, 2)}\n`;
}
