import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import { checkNodeUrl } from './url.ts';

/** A node's URLs once checked: the replication endpoint and, for a cluster, its members. */
export interface NodeUrls {
  /** `url` when given, else the first member's (what the `_replicator` documents name). */
  url: string | undefined;
  members?: string[];
}

/**
 * Checks `url` and `members` of one node. A cluster's members share the node's credentials and TLS
 * settings, so they must share its scheme; a member listed twice would only be tried twice.
 * Without `url`, the first member is the replication endpoint (see README: a member down then stops
 * the replications through it until it returns; a stable `url` or the relay's proxy avoids that).
 */
export function checkNodeUrls(
  raw: { url?: string | undefined; members?: string[] | undefined },
  path: PathSeg[],
  { sink }: ResolveContext,
): NodeUrls {
  let url: string | undefined;
  if (raw.url !== undefined) {
    const c = checkNodeUrl(raw.url);
    if (c.ok) url = c.url;
    else sink.error(c.code, [...path, 'url'], c.message, { expected: c.expected, hint: c.hint });
  }
  if (raw.url === undefined && raw.members === undefined) {
    sink.error('E_MISSING', [...path, 'url'], "missing required field 'url'", {
      expected: 'an http:// or https:// URL such as http://127.0.0.1:5984',
    });
    return { url };
  }
  if (raw.members === undefined) return { url };
  const members: string[] = [];
  raw.members.forEach((m, i) => {
    const at = [...path, 'members', i];
    const c = checkNodeUrl(m);
    if (!c.ok) sink.error(c.code, at, c.message, { expected: c.expected, hint: c.hint });
    else if (members.includes(c.url))
      sink.error('E_NODE_MEMBERS', at, `member ${c.url} is listed twice`, {
        expected: 'each member once',
        hint: 'remove the second entry',
      });
    else members.push(c.url);
  });
  const scheme = (u: string) => new URL(u).protocol;
  const first = url ?? members[0];
  const other = first === undefined ? undefined : members.find((m) => scheme(m) !== scheme(first));
  if (first !== undefined && other !== undefined)
    sink.error(
      'E_NODE_MEMBERS',
      [...path, 'members'],
      `member ${other} is not ${scheme(first)}// like ${first}`,
      {
        expected: 'one scheme for the node and all its members',
        hint: "the members share the node's auth and tls settings: list them all as http:// or all as https://",
      },
    );
  return { url: first, ...(members.length > 0 ? { members } : {}) };
}
