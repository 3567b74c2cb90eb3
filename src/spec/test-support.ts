import type { ValidateOptions } from './context.ts';
import { formatDiagnostic } from './diagnostic.ts';
import { type ValidationResult, validateMesh } from './validate.ts';

/** Validates text as `mesh.yaml` and returns the result with its diagnostics formatted. */
export function check(text: string, options: ValidateOptions = {}): ValidationResult & { lines: string[] } {
  const r = validateMesh(text, { file: 'mesh.yaml', ...options });
  return { ...r, lines: r.diagnostics.map(formatDiagnostic) };
}

/** Three plain nodes and one database; append `links:` (and anything else) to it. */
export const NODES = `mesh: t
nodes:
  n1: { url: http://127.0.0.1:5984 }
  n2: { url: http://127.0.0.1:5985 }
  n3: { url: http://127.0.0.1:5986 }
databases: [sensors]
`;

/** Two linked nodes, n1 declared as `n1` (a flow mapping such as `{ url: … }`). */
export const meshWithN1 = (n1: string) => `mesh: t
nodes:
  n1: ${n1}
  n2: { url: http://127.0.0.1:5985 }
databases: [sensors]
links: [[n1, n2]]
`;
