import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { type RoutesView, routesOperation } from '../../ops/routes.ts';
import { formatDiagnostic } from '../../spec/diagnostic.ts';
import { loadMeshFile, meshFilePath } from '../../spec/load.ts';
import { type RelayedPath, renderMermaid } from '../../spec/mermaid.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';
import { reportingInvalid } from './shared.ts';
import { invalidMeshError } from './validate.ts';

export const GRAPH_FORMATS = ['mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphResult {
  validation: ValidationResult;
  /** The drawing, when the mesh is valid. */
  text?: string;
}

function checkFormat(format = 'mermaid'): void {
  if (!(GRAPH_FORMATS as readonly string[]).includes(format))
    throw userError(
      'E_GRAPH_FORMAT',
      `unknown graph format '${format}'`,
      `use one of: ${GRAPH_FORMATS.join(', ')}`,
    );
}

/** `couchmesh graph`: the topology drawing (credentials are not needed, so not checked). */
export function graphCommand(
  flags: { file?: string; format?: string },
  env: Readonly<Record<string, string | undefined>>,
): GraphResult {
  checkFormat(flags.format);
  const validation = loadMeshFile(meshFilePath(flags.file, env), { env, checkReferences: false });
  return validation.spec ? { validation, text: renderMermaid(validation.spec) } : { validation };
}

/** The directions the nodes hold as relayed (FAILOVER's route markers), as drawn paths. */
export const relayedPaths = (view: RoutesView): RelayedPath[] =>
  view.directions.flatMap((d) =>
    d.path === 'relayed' && d.via ? [{ from: d.from, to: d.to, via: [d.via] }] : [],
  );

/**
 * `couchmesh graph --live`: the declared topology plus the routes the nodes hold now (read as
 * `couchmesh routes` reads them, so credentials are needed): relayed directions as dashed arrows
 * through their relay. A node that could not be read is said on stderr; its routes are unknown.
 */
async function liveGraph(file: string | undefined, output: Output): Promise<string> {
  const r = await reportingInvalid(output, false, () => routesOperation({ file }, { env: process.env }));
  for (const d of r.validation.diagnostics) output.err(formatDiagnostic(d));
  for (const n of r.view.unreachable)
    output.err(`graph: ${n} could not be read, so its routes are not drawn`);
  return renderMermaid(r.validation.spec as NonNullable<typeof r.validation.spec>, relayedPaths(r.view));
}

export function registerGraph(program: Command, output: Output): void {
  program
    .command('graph')
    .description('draw the declared topology (Mermaid flowchart)')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--format <format>', `output format: ${GRAPH_FORMATS.join(', ')}`, 'mermaid')
    .option(
      '--live',
      "add the routes the nodes hold: relayed directions dashed through their relay (reads the nodes' _replicator)",
    )
    .action(async (opts: { file?: string; format: string; live?: boolean }) => {
      if (opts.live) {
        checkFormat(opts.format);
        output.out(await liveGraph(opts.file, output));
        return;
      }
      const r = graphCommand(opts, process.env);
      // Problems go to stderr so stdout stays a clean drawing.
      for (const d of r.validation.diagnostics) output.err(formatDiagnostic(d));
      if (r.text === undefined) throw invalidMeshError(r.validation);
      output.out(r.text);
    });
}
