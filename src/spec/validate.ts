import type { ValidateOptions } from './context.ts';
import { countBySeverity, type Diagnostic, sortDiagnostics } from './diagnostic.ts';
import { checkDuplicateKeys } from './duplicates.ts';
import { resolveMesh } from './resolve.ts';
import { DiagnosticSink } from './sink.ts';
import { parseMeshSource } from './source.ts';
import type { MeshSpec } from './types.ts';

export interface ValidationResult {
  file: string;
  /** No errors (warnings allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
  /** Every problem, in source order. */
  diagnostics: Diagnostic[];
  /** The resolved mesh, present exactly when ok. */
  spec?: MeshSpec;
}

/**
 * Validates mesh.yaml text and resolves it: a pure function of the text and the options (the
 * environment and file checks are injected; nothing is read from process.env or disk).
 */
export function validateMesh(text: string, options: ValidateOptions = {}): ValidationResult {
  const file = options.file ?? 'mesh.yaml';
  const { source, problems } = parseMeshSource(text, file);
  const sink = new DiagnosticSink(source);
  sink.list.push(...problems);
  let spec: MeshSpec | undefined;
  if (!problems.some((p) => p.severity === 'error')) {
    checkDuplicateKeys(sink);
    let raw: unknown;
    let readable = true;
    try {
      raw = source.doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      readable = false;
      sink.error('E_YAML', [], `YAML could not be read: ${(e as Error).message.split('\n')[0]}`, {
        hint: 'check anchors (&name) and aliases (*name)',
      });
    }
    if (readable && (raw === null || raw === undefined))
      sink.error('E_EMPTY_MESH', [], `${file} is empty`, {
        expected: 'a mesh: mesh, nodes, databases and links',
        hint: "run 'couchmesh init --force' to write a commented starter",
      });
    else if (readable)
      spec = resolveMesh(raw, { sink, baseDir: options.baseDir, references: options.references });
  }
  const diagnostics = sortDiagnostics(sink.list);
  const { errors, warnings } = countBySeverity(diagnostics);
  const result: ValidationResult = { file, ok: errors === 0, errors, warnings, diagnostics };
  if (errors === 0 && spec) result.spec = spec;
  return result;
}
