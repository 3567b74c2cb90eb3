import type { AddressInfo } from 'node:net';
import { userError } from '../core/errors.ts';
import { createNodeServer } from './http/server.ts';
import { loadQuickJs } from './js/sandbox.ts';
import { NodeState } from './node-state.ts';
import type { NodeOptions, RunningNode } from './options.ts';
import { activeTasks, replicateRoute, schedulerRoute, statsJson } from './replicator/http.ts';
import { ReplicatorService } from './replicator/service.ts';

// The node's surface for the rest of couchmesh (only this module is imported from outside src/node):
// what `couchmesh node` needs to set up logging, and the store the ingest bench writes through directly.
export { fileSink, isLogLevel, LEVELS, type LogLevel } from './log.ts';
export type { NodeOptions, NodeTlsOptions, RunningNode } from './options.ts';
export { DbStore } from './store/db-store.ts';

function validate(o: NodeOptions): void {
  if (!o.inMemory && !o.dataDir)
    throw userError(
      'E_NODE_STORAGE',
      'the embedded node needs dataDir or inMemory',
      'pass --data DIR or --in-memory',
    );
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535))
    throw userError('E_PORT', `port must be 0..65535, got ${o.port}`);
  if (o.tls) {
    if (!o.tls.cert || !o.tls.key)
      throw userError(
        'E_NODE_TLS',
        'TLS needs both a certificate and its key',
        'pass --tls-cert FILE and --tls-key FILE',
      );
    if (o.tls.requireClientCert && !o.tls.ca)
      throw userError(
        'E_NODE_TLS',
        'requiring client certificates needs the CA that signs them',
        'pass --tls-ca FILE (the mesh CA: couchmesh certs init)',
      );
  }
  for (const [k, v] of [
    ['maxDocumentSize', o.maxDocumentSize],
    ['maxRequestRate', o.maxRequestRate],
    ['maxHttpRequestSize', o.maxHttpRequestSize],
  ] as const)
    if (v !== undefined && (!Number.isFinite(v) || v <= 0))
      throw userError('E_NODE_OPTION', `${k} must be a positive number, got ${v}`);
}

/**
 * Starts an embedded CouchDB-compatible node and resolves once it listens. Its time is
 * `options.clock` (default the system clock). `close()` ends open feeds and connections, closes
 * every database file, and resolves once the replicator's jobs have stopped.
 */
export async function startNode(
  options: NodeOptions,
): Promise<RunningNode & { state: NodeState; replicator: ReplicatorService }> {
  validate(options);
  await loadQuickJs(); // design-document functions run synchronously inside a write: load the engine first
  const state = new NodeState(options);
  const replicator = new ReplicatorService(state);
  replicator.start();
  state.activeTasks.push(() => activeTasks(replicator));
  state.stats.set('couch_replicator', () => statsJson(replicator));
  const routes = new Map([
    ['_scheduler', schedulerRoute(replicator)],
    ['_replicate', replicateRoute(replicator)],
  ]);
  let server: ReturnType<typeof createNodeServer>;
  try {
    server = createNodeServer(state, routes);
  } catch (e) {
    // node:tls refuses a certificate or key it cannot parse, or a key that is not the certificate's
    await replicator.close();
    state.close();
    throw userError(
      'E_NODE_TLS',
      `the TLS certificate or key cannot be used: ${(e as Error).message}`,
      'pass PEM files made for each other, e.g. by couchmesh certs issue NODE',
    );
  }
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 5984, host, () => resolve());
    });
  } catch (e) {
    await replicator.close();
    state.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw userError(
        'E_PORT_IN_USE',
        `port ${options.port} on ${host} is already in use`,
        'pick another --port, or 0 for any free port',
      );
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    state,
    replicator,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // the replicator's jobs are aborted now and awaited below: none outlives close()
        const jobs = replicator.close();
        state.close(); // wakes open feeds so their responses end
        server.closeAllConnections();
        await Promise.all([stopped, jobs]);
      })();
      return closing;
    },
  };
}
