import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { fileSink, isLogLevel, LEVELS, type NodeTlsOptions, startNode } from '../../node/index.ts';
import type { Output } from '../boundary.ts';

export function parseAdmin(spec: string): [string, string] {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1)
    throw userError(
      'E_ADMIN_SPEC',
      // never echo the value: without a colon it may be the password itself
      '--admin expects USER:PASS (a user name, a colon, then the password)',
      'example: --admin admin:s3cret (or set COUCHMESH_ADMIN=admin:s3cret)',
    );
  return [spec.slice(0, i), spec.slice(i + 1)];
}

export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw userError('E_PORT', `--port expects 0..65535, got '${v}'`, 'use 0 to pick a free port');
  return n;
}

interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
  tlsCa?: string;
  requireClientCert?: boolean;
}

function readTlsFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw userError(
      'E_NODE_TLS',
      `${flag} ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
}

/** The TLS options of `couchmesh node`, read from the files its flags name (undefined: plain http). */
export function nodeTlsFromFlags(f: TlsFlags): NodeTlsOptions | undefined {
  if (!f.tlsCert && !f.tlsKey && !f.tlsCa && !f.requireClientCert) return undefined;
  if (!f.tlsCert || !f.tlsKey)
    throw userError(
      'E_NODE_TLS',
      'HTTPS needs --tls-cert and --tls-key together',
      'make them with: couchmesh certs init && couchmesh certs issue NODE',
    );
  return {
    cert: readTlsFile('--tls-cert', f.tlsCert),
    key: readTlsFile('--tls-key', f.tlsKey),
    ...(f.tlsCa ? { ca: readTlsFile('--tls-ca', f.tlsCa) } : {}),
    ...(f.requireClientCert ? { requireClientCert: true } : {}),
  };
}

export function registerNode(program: Command, output: Output): void {
  program
    .command('node')
    .description('run an embedded CouchDB-compatible node (SQLite storage)')
    .option('-p, --port <port>', 'TCP port (0 = any free port)', parsePort, 5984)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('-d, --data <dir>', 'data folder (one SQLite file per database)')
    .option('--in-memory', 'keep everything in memory (nothing survives a restart)')
    .option(
      '--admin <user:pass>',
      'server admin, required (also from COUCHMESH_ADMIN); as CouchDB 3, the node does not run without one',
    )
    .option('--log-file <file>', 'append the log to FILE (0600) instead of stderr')
    .option('--log-level <level>', 'lowest level logged: debug, info, notice, warning, error', 'info')
    .option('--max-document-size <bytes>', 'largest accepted document body', (v) => Number(v))
    .option('--max-request-rate <n>', 'answer 429 + Retry-After above N requests per second', (v) =>
      Number(v),
    )
    .option('--tls-cert <file>', "serve HTTPS with this PEM certificate (CouchDB's [ssl] cert_file)")
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option('--tls-ca <file>', 'PEM CA that client certificates must chain to (the mesh CA)')
    .option(
      '--require-client-cert',
      'mutual TLS: refuse, in the handshake, clients without a certificate from --tls-ca',
    )
    .action(
      async (
        opts: TlsFlags & {
          port: number;
          host: string;
          data?: string;
          inMemory?: boolean;
          admin?: string;
          maxDocumentSize?: number;
          maxRequestRate?: number;
          logFile?: string;
          logLevel: string;
        },
      ) => {
        if (!isLogLevel(opts.logLevel))
          throw userError('E_LOG_LEVEL', `--log-level expects one of ${LEVELS.join(', ')}`);
        if (!opts.data && !opts.inMemory)
          throw userError(
            'E_NODE_STORAGE',
            'couchmesh node needs a place to keep its data',
            'pass --data DIR (durable) or --in-memory (for trying things out)',
          );
        const adminSpec = opts.admin ?? process.env.COUCHMESH_ADMIN;
        // CouchDB 3 refuses to run in admin party: so does the embedded node's command
        if (!adminSpec)
          throw userError(
            'E_NODE_NO_ADMIN',
            'couchmesh node needs a server admin (CouchDB 3 does not run in admin party)',
            'pass --admin USER:PASS or set COUCHMESH_ADMIN=USER:PASS',
          );
        const admins = Object.fromEntries([parseAdmin(adminSpec)]);
        const tls = nodeTlsFromFlags(opts);
        const node = await startNode({
          port: opts.port,
          host: opts.host,
          dataDir: opts.data,
          inMemory: opts.inMemory,
          admins,
          maxDocumentSize: opts.maxDocumentSize,
          maxRequestRate: opts.maxRequestRate,
          log: opts.logFile ? fileSink(opts.logFile) : (line) => process.stderr.write(`${line}\n`),
          logLevel: opts.logLevel,
          ...(tls ? { tls } : {}),
        });
        const mutual = tls?.requireClientCert ? ', client certificates required' : '';
        output.out(
          `couchmesh node listening on ${node.url} (${opts.inMemory ? 'in memory' : `data in ${opts.data}`}${mutual})`,
        );
        await waitForSignal();
        output.out('stopping…');
        await node.close();
      },
    );
}

export function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
