import { existsSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { certsInit, certsIssue, certsStatus, loadCertsMesh } from '../../ops/certs.ts';
import { meshFilePath } from '../../spec/load.ts';
import type { Output } from '../boundary.ts';
import { renderCertsStatus, renderWritten } from '../views/certs.ts';
import { reportingInvalid } from './shared.ts';

const DIR = 'certs';
const days = () => new Option('--days <n>', 'validity in days').argParser((v) => Number(v));
const deps = () => ({ env: process.env });

/** `couchmesh certs init|issue|status`: the mesh PKI (src/ops/certs.ts). */
export function registerCerts(program: Command, output: Output): void {
  const certs = program.command('certs').description('the mesh PKI: a mesh CA and one certificate per node');
  const print = (json: boolean | undefined, data: unknown, text: string) =>
    output.out(json ? JSON.stringify(data, null, 2) : text);

  certs
    .command('init')
    .description('create the mesh CA (DIR/ca.pem, DIR/ca.key 0600)')
    .option('--dir <dir>', 'certificate folder', DIR)
    .addOption(days())
    .option('--force', 'replace an existing CA (every node certificate must then be issued again)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { dir: string; days?: number; force?: boolean; json?: boolean }) => {
      const w = await certsInit(o.dir, { days: o.days, force: o.force }, deps());
      print(o.json, w, renderWritten('the mesh CA', w));
    });

  certs
    .command('issue')
    .description("issue NODE's certificate (server + client), SANs from its URL in mesh.yaml or --host")
    .argument('<node>', 'node name (as in mesh.yaml)')
    .option('--dir <dir>', 'certificate folder', DIR)
    .option('-f, --file <path>', 'mesh file (default: $COUCHMESH_FILE or ./mesh.yaml)')
    .addOption(
      new Option(
        '--host <host>',
        'host name or IP the certificate names (repeatable; default: the node URL host)',
      ).argParser((v: string, prev: string[] = []) => [...prev, v]),
    )
    .addOption(days())
    .option('--force', "replace the node's existing certificate and key")
    .option('--json', 'print the result as JSON')
    .action(
      async (
        node: string,
        o: { dir: string; file?: string; host?: string[]; days?: number; force?: boolean; json?: boolean },
      ) => {
        const d = deps();
        const w = await reportingInvalid(output, o.json === true, async () => {
          const spec = o.host?.length ? undefined : loadCertsMesh(o.file, d);
          return certsIssue(o.dir, node, { hosts: o.host, spec, days: o.days, force: o.force }, d);
        });
        print(o.json, w, renderWritten(`${node}'s certificate`, w));
      },
    );

  certs
    .command('status')
    .description('per node: subject, SANs, expiry and days left, issued by the mesh CA or not')
    .option('--dir <dir>', 'certificate folder', DIR)
    .option(
      '-f, --file <path>',
      'mesh file: list its nodes (default: $COUCHMESH_FILE or ./mesh.yaml, if present)',
    )
    .option('--json', 'print the report as JSON')
    .action(async (o: { dir: string; file?: string; json?: boolean }) => {
      const d = deps();
      const s = await reportingInvalid(output, o.json === true, () => {
        const useMesh = o.file !== undefined || existsSync(meshFilePath(undefined, d.env));
        return certsStatus(o.dir, useMesh ? loadCertsMesh(o.file, d) : undefined, d);
      });
      print(o.json, s, renderCertsStatus(s));
    });
}
