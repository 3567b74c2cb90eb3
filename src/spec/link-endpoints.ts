import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import { listNames } from './suggest.ts';
import { checkNodeUrl } from './url.ts';

/**
 * A link's `endpoints: { node: URL }`: this link reaches that node at URL instead of the node's
 * `url` (a relay host, or in tests a fault-injecting proxy), in this link's replication docs only.
 * Keys must be the link's own two nodes; values are base URLs checked like a node's `url` (no
 * credentials: those stay under the node's auth). Returns undefined when none are given, null when
 * one is wrong (each problem reported with its hint).
 */
export function resolveLinkEndpoints(
  raw: Record<string, string> | undefined,
  ends: readonly [string, string],
  path: PathSeg[],
  { sink }: ResolveContext,
): Record<string, string> | undefined | null {
  if (raw === undefined) return undefined;
  const out: Record<string, string> = {};
  let ok = true;
  for (const [node, url] of Object.entries(raw)) {
    const at: PathSeg[] = [...path, 'endpoints', node];
    if (!ends.includes(node)) {
      sink.error('E_UNKNOWN_NODE', at, `'${node}' is not one of this link's nodes`, {
        expected: `one of ${listNames([...ends])}`,
        hint: `endpoints: overrides where this link reaches its own nodes; write it as ${ends[0]}: http://host:port`,
      });
      ok = false;
      continue;
    }
    const c = checkNodeUrl(url);
    if (!c.ok) {
      sink.error(c.code, at, c.message, { expected: c.expected, hint: c.hint });
      ok = false;
      continue;
    }
    out[node] = c.url;
  }
  return ok ? out : null;
}
