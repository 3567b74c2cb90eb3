import type { Command } from 'commander';
import { MeshInvalidError } from '../../ops/mesh.ts';
import { formatDiagnostic, plural } from '../../spec/diagnostic.ts';
import { meshJsonSchemaText } from '../../spec/json-schema.ts';
import { loadMeshFile, meshFilePath } from '../../spec/load.ts';
import type { ValidationResult } from '../../spec/validate.ts';
import type { Output } from '../boundary.ts';

export interface ValidateFlags {
  file?: string;
  /** false with --skip-credentials. */
  credentials?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `couchmesh validate`: the validation result of the mesh file (no printing). */
export function validateCommand(flags: ValidateFlags, env: Env): ValidationResult {
  return loadMeshFile(meshFilePath(flags.file, env), { env, checkReferences: flags.credentials !== false });
}

/** Human view: one line per problem, then a summary when the mesh is valid. */
export function renderValidation(r: ValidationResult): string {
  const lines = r.diagnostics.map(formatDiagnostic);
  if (r.spec) {
    const s = r.spec;
    const warnings = r.warnings ? ` (${plural(r.warnings, 'warning')})` : '';
    const dbs = s.databases.map((d) => d.name).join(', ');
    const repl = s.replication_users;
    // references only: which users, never where a password is or what it is
    const users = repl
      ? `; replication users per ${repl.per} (${plural(Object.keys(repl.users).length, 'user')})`
      : '';
    lines.push(
      `${r.file}: valid${warnings} — mesh '${s.mesh}': ${plural(s.nodes.length, 'node')}, ${plural(s.links.length, 'link')}, ${plural(s.databases.length, 'database')} (${dbs})${users}`,
    );
  }
  return lines.join('\n');
}

/** The error that makes the CLI exit 1 once the problems are printed (one type for every command). */
export const invalidMeshError = (r: ValidationResult) => new MeshInvalidError(r);

export function registerValidate(program: Command, output: Output): void {
  program
    .command('validate')
    .description('check mesh.yaml: every problem with file:line:column, field path, expectation and hint')
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--json', 'print the result as JSON (diagnostics and the resolved mesh; never secrets)')
    .option('--skip-credentials', 'do not check that password variables are set and referenced files exist')
    .action((opts: { file?: string; json?: boolean; skipCredentials?: boolean }) => {
      const r = validateCommand({ file: opts.file, credentials: !opts.skipCredentials }, process.env);
      if (opts.json) output.out(JSON.stringify(r, null, 2));
      else {
        const text = renderValidation(r);
        if (text) output.out(text);
      }
      if (!r.ok) throw invalidMeshError(r);
    });

  program
    .command('schema')
    .description(
      'print the JSON Schema of mesh.yaml (for editor completion: couchmesh schema > mesh.schema.json)',
    )
    .action(() => output.out(meshJsonSchemaText()));
}
