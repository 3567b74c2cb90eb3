import type { Command } from 'commander';
import { userError } from '../../core/errors.ts';
import { startNode } from '../../node/index.ts';
import type { Output } from '../boundary.ts';
import { waitForSignal } from './node.ts';

async function call(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url + path, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw userError('E_DEMO', `${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * `couchmesh demo`: the embedded default end to end. Until the mesh (TOPOLOGY) lands it runs one
 * embedded node, writes sample sensor documents and reads them back through the CouchDB API.
 */
export function registerDemo(program: Command, output: Output): void {
  program
    .command('demo')
    .description('start embedded nodes on 127.0.0.1, write sample sensor docs and show them (Ctrl-C stops)')
    .option('--exit', 'stop after showing the result (for scripts)')
    .option('-p, --port <port>', 'port of the first node (0 = any free port)', (v) => Number(v), 0)
    .action(async (opts: { exit?: boolean; port: number }) => {
      const node = await startNode({ port: opts.port, inMemory: true, admins: { demo: 'demo' } });
      try {
        output.out(`embedded node up at ${node.url} (admin demo:demo, in memory)`);
        await call(node.url, 'PUT', '/sensors');
        const docs = Array.from({ length: 5 }, (_, i) => ({
          _id: `station-${i + 1}:2026-11-27T12:00:00Z`,
          type: 'reading',
          station: `station-${i + 1}`,
          temperature_c: 18 + i * 0.5,
        }));
        const written = (await call(node.url, 'POST', '/sensors/_bulk_docs', { docs })) as Array<{
          id: string;
          rev: string;
        }>;
        for (const w of written) output.out(`  wrote ${w.id} rev ${w.rev}`);
        const changes = (await call(node.url, 'GET', '/sensors/_changes')) as {
          results: unknown[];
          last_seq: string;
        };
        output.out(`_changes: ${changes.results.length} changes, last_seq ${changes.last_seq}`);
        const info = (await call(node.url, 'GET', '/sensors')) as { doc_count: number; update_seq: string };
        output.out(`db sensors: ${info.doc_count} docs, update_seq ${info.update_seq}`);
        output.out(`\ntry:  curl -u demo:demo ${node.url}/sensors/_all_docs?include_docs=true`);
        if (!opts.exit) {
          output.out('running until Ctrl-C…');
          await waitForSignal();
        }
      } finally {
        await node.close();
      }
    });
}
