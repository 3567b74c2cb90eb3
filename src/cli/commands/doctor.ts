import { type Command, Option } from 'commander';
import { userError } from '../../core/errors.ts';
import { doctorOperation } from '../../ops/doctor.ts';
import type { Output } from '../boundary.ts';
import { renderDoctor } from '../views/doctor.ts';
import { paint } from '../views/paint.ts';
import { exitWith, reportingInvalid } from './shared.ts';

export function registerDoctor(program: Command, output: Output): void {
  program
    .command('doctor')
    .argument('[link]', 'a link, a--b (default: every link with a problem)')
    .description(
      'diagnose links: state, evidence, checkpoints on both sides, findings and concrete next steps (exit 2 when problems are found)',
    )
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .option('--db <name>', 'the database, when the link carries several')
    .option('--direction <a->b>', 'one direction of the link')
    .option(
      '--log <file>',
      'a CouchDB log file: show its lines about the replication (couch_replicator entries)',
    )
    .option('--certs <dir>', 'a certificate folder (couchmesh certs): check its certificates for expiry')
    .addOption(
      new Option('--samples <n>', 'polls to take (default 2)').argParser((v) => Number.parseInt(v, 10)),
    )
    .addOption(
      new Option('--interval <ms>', 'between the polls (default 1000)').argParser((v) =>
        Number.parseInt(v, 10),
      ),
    )
    .option('--json', 'print the diagnosis as JSON')
    .action(
      async (
        link: string | undefined,
        opts: {
          file?: string;
          db?: string;
          direction?: string;
          log?: string;
          certs?: string;
          samples?: number;
          interval?: number;
          json?: boolean;
        },
      ) => {
        if (opts.samples !== undefined && !(opts.samples >= 1))
          throw userError('E_USAGE', '--samples must be a positive integer');
        const r = await reportingInvalid(output, opts.json === true, () =>
          doctorOperation(
            {
              file: opts.file,
              ...(link ? { link } : {}),
              ...(opts.db ? { db: opts.db } : {}),
              ...(opts.direction ? { direction: opts.direction } : {}),
              ...(opts.log ? { log: opts.log } : {}),
              ...(opts.certs ? { certs: opts.certs } : {}),
              ...(opts.samples ? { samples: opts.samples } : {}),
              ...(opts.interval !== undefined ? { intervalMs: opts.interval } : {}),
            },
            { env: process.env },
          ),
        );
        if (opts.json) output.out(JSON.stringify(r, null, 2));
        else output.out(renderDoctor(r, paint(process.stdout.isTTY === true)));
        if (!r.healthy) exitWith(2);
      },
    );
}
