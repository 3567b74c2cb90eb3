import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { formatDiagnostic } from '../../spec/diagnostic.ts';
import { loadMeshFile, meshFilePath } from '../../spec/load.ts';
import { renderMermaid } from '../../spec/mermaid.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';
import { invalidMeshError } from './validate.ts';

export const GRAPH_FORMATS = ['mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphResult {
  validation: ValidationResult;
  /** The drawing, when the mesh is valid. */
  text?: string;
}

/** `couchmesh graph`: the topology drawing (credentials are not needed, so not checked). */
export function graphCommand(
  flags: { file?: string; format?: string },
  env: Readonly<Record<string, string | undefined>>,
): GraphResult {
  const format = flags.format ?? 'mermaid';
  if (!(GRAPH_FORMATS as readonly string[]).includes(format))
    throw userError(
      'E_GRAPH_FORMAT',
      `unknown graph format '${format}'`,
      `use one of: ${GRAPH_FORMATS.join(', ')}`,
    );
  const validation = loadMeshFile(meshFilePath(flags.file, env), { env, checkReferences: false });
  return validation.spec ? { validation, text: renderMermaid(validation.spec) } : { validation };
}

export function registerGraph(program: Command, output: Output): void {
  program
    .command('graph')
    .description('draw the declared topology (Mermaid flowchart)')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--format <format>', `output format: ${GRAPH_FORMATS.join(', ')}`, 'mermaid')
    .action((opts: { file?: string; format: string }) => {
      const r = graphCommand(opts, process.env);
      // Problems go to stderr so stdout stays a clean drawing.
      for (const d of r.validation.diagnostics) output.err(formatDiagnostic(d));
      if (r.text === undefined) throw invalidMeshError(r.validation);
      output.out(r.text);
    });
}
