import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { meshFilePath } from '../../spec/load.ts';
import { STARTER_MESH } from '../../spec/starter.ts';
import type { Output } from '../boundary.ts';

export interface InitResult {
  path: string;
  overwritten: boolean;
}

/** `couchmesh init`: writes the commented starter mesh.yaml (a folder gets `mesh.yaml` inside). */
export function initCommand(target: string, force: boolean): InitResult {
  const path = existsSync(target) && statSync(target).isDirectory() ? join(target, 'mesh.yaml') : target;
  const exists = existsSync(path);
  if (exists && !force)
    throw userError(
      'E_INIT_EXISTS',
      `${path} already exists; not overwriting it`,
      `pass --force to replace it, or give another path: couchmesh init other-mesh.yaml`,
      { path },
    );
  try {
    writeFileSync(path, STARTER_MESH);
  } catch (e) {
    throw userError(
      'E_INIT_WRITE',
      `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`,
      undefined,
      {
        path,
      },
    );
  }
  return { path, overwritten: exists };
}

export function renderInit(r: InitResult): string {
  return [
    `${r.overwritten ? 'overwrote' : 'wrote'} ${r.path} (a commented 3-node starter mesh)`,
    'next: edit the nodes, export COUCHMESH_PASSWORD=…, then',
    `  couchmesh validate -f ${r.path}`,
    `  couchmesh graph -f ${r.path}`,
  ].join('\n');
}

export function registerInit(program: Command, output: Output): void {
  program
    .command('init')
    .description('write a commented starter mesh.yaml')
    .argument('[path]', 'file (or folder) to write (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--force', 'overwrite an existing file')
    .action((path: string | undefined, opts: { force?: boolean }) => {
      output.out(renderInit(initCommand(meshFilePath(path, process.env), opts.force === true)));
    });
}
