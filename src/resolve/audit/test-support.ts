// What the audit's tests share: an embedded node per suite, entries to record, and a client that
// counts the documents of each `_bulk_docs` it sends (how the tests see chunks and group commits).
import { after, before } from 'node:test';
import { CouchClient } from '../../couch/index.ts';
import { startNode } from '../../node/index.ts';
import type { DeclineEntry } from './entry.ts';

/** An embedded in-memory node for the suite it is called in, with an admin client. */
export function auditNode(): () => CouchClient {
  let node: Awaited<ReturnType<typeof startNode>> | undefined;
  let client: CouchClient | undefined;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'audit' } });
    client = new CouchClient({ url: node.url, auth: { username: 'admin', password: 'audit' } });
  });
  after(async () => {
    await client?.close();
    await node?.close();
  });
  return () => client as CouchClient;
}

/** A decline entry of `doc-<i>` (id hash = i), recorded at `at`; `extra` overrides any field. */
export const sampleEntry = (i: number, extra: Partial<DeclineEntry> = {}): DeclineEntry => ({
  _id: `d:doc-${i}:${i.toString(16).padStart(32, '0')}`,
  type: 'couchmesh.declined',
  db: 'sensors',
  doc_id: `doc-${i}`,
  strategy: 'lww',
  reason: 'test',
  winner_rev: '1-a',
  leaves: ['1-a', '1-b'],
  recorded_at: '2026-01-01T00:00:00.000Z',
  ...extra,
});

/** `client`, recording the documents of every `_bulk_docs` it posts (one array per request). */
export function countingPosts(client: CouchClient, sent: Array<Array<{ _id: string }>>): CouchClient {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'post')
        return (path: string, body: unknown, ...rest: unknown[]) => {
          // the audit sends its requests as JSON text (batch-doc.ts, chunkDocsJson)
          const parsed = (typeof body === 'string' ? JSON.parse(body) : body) as {
            docs?: Array<{ _id: string }>;
          };
          if (path.endsWith('/_bulk_docs')) sent.push(parsed.docs ?? []);
          return (target.post as (...a: unknown[]) => Promise<unknown>)(path, body, ...rest);
        };
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
