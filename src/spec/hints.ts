import { z } from 'zod';

/** What a field expects and how to fix it, attached to schemas (kept out of the JSON Schema). */
export interface FieldHint {
  expected?: string;
  hint?: string;
}

export const fieldHints = z.registry<FieldHint>();

export function withHint<T extends z.ZodType>(schema: T, hint: FieldHint): T {
  fieldHints.add(schema, hint);
  return schema;
}
