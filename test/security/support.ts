// Test support shared by the TLS suites of test/security.
import type { CouchClient } from '../../src/couch/client.ts';
import type { startNode } from '../../src/node/index.ts';

export type TestNode = Awaited<ReturnType<typeof startNode>>;
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON off the wire, checked by the assertions
export type Json = any;

/** Polls `probe` until it returns a value (the replicator works on its own schedule). */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes a continuous `_replicator` doc `id` (from -> to, admin credentials) and waits for it to crash. */
export async function crashingJob(
  client: CouchClient,
  id: string,
  from: string,
  to: string,
  password: string,
): Promise<Json> {
  const auth = { basic: { username: 'admin', password } };
  await client.put(`/_replicator/${id}`, {
    source: { url: from, auth },
    target: { url: to, auth },
    continuous: true,
  });
  return until(`the job ${id} to crash`, async () => {
    const d = await client.get<Json>(`/_scheduler/docs/_replicator/${id}`);
    return d.state === 'crashing' ? d : undefined;
  });
}
