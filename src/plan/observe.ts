import { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import type { CouchClientOptions } from '../couch/options.ts';
import type { MeshSpec, NodeSpec } from '../spec/types.ts';
import type { PasswordOf } from './desired.ts';
import type { ObservedDoc, ObservedNode } from './types.ts';

/** One client per node (pooled keep-alive), built from the mesh's node entries. */
export function clientsFor(
  spec: MeshSpec,
  password: PasswordOf,
  extra: Partial<CouchClientOptions> = {},
): Map<string, CouchClient> {
  const out = new Map<string, CouchClient>();
  for (const n of spec.nodes) {
    const pw = n.auth ? password(n) : undefined;
    out.set(
      n.name,
      new CouchClient({
        url: n.url,
        ...(n.auth && pw !== undefined ? { auth: { username: n.auth.username, password: pw } } : {}),
        timeoutMs: 10_000,
        retries: 2,
        ...extra,
      }),
    );
  }
  return out;
}

interface AllDocs {
  rows: Array<{ id: string; value: { rev: string }; doc?: Record<string, unknown> }>;
}

/**
 * Observes one node with two requests, in parallel: `GET /_all_dbs` and one read of `_replicator`
 * (`_all_docs?include_docs=true`). An unreachable node is reported, not thrown.
 */
export async function observeNode(
  node: NodeSpec,
  client: CouchClient,
  signal?: AbortSignal,
): Promise<ObservedNode> {
  try {
    const [dbs, rep] = await Promise.all([
      client.get<string[]>('/_all_dbs', undefined, signal ? { signal } : {}),
      client
        .get<AllDocs>('/_replicator/_all_docs', { include_docs: true }, signal ? { signal } : {})
        .catch((e: unknown) => {
          if (isCouchError(e) && e.status === 404) return { rows: [] } as AllDocs; // no _replicator yet
          throw e;
        }),
    ]);
    const replicator: ObservedDoc[] = rep.rows
      .filter((r) => r.doc && !r.id.startsWith('_design/'))
      .map((r) => ({ id: r.id, rev: r.value.rev, body: r.doc as Record<string, unknown> }));
    return { node: node.name, reachable: true, databases: dbs, replicator, requests: 2 };
  } catch (e) {
    const code = isCouchError(e) ? e.code : 'E_UNREACHABLE';
    const message = e instanceof Error ? e.message : String(e);
    return {
      node: node.name,
      reachable: false,
      error: { code, message },
      databases: [],
      replicator: [],
      requests: 2,
    };
  }
}

/** Observes every node, at most `concurrency` at a time. */
export async function observeMesh(
  spec: MeshSpec,
  clients: Map<string, CouchClient>,
  concurrency = 8,
): Promise<ObservedNode[]> {
  return mapLimit(spec.nodes, concurrency, (n) => observeNode(n, clients.get(n.name) as CouchClient));
}

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return out;
}
