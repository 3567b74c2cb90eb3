/**
 * Reading a `_replicator` document's endpoints (`source` / `target`): a URL string or
 * `{ url, auth: { basic: { username, password } }, headers }` as CouchDB 3 accepts them.
 */
import type { NodeSpec } from '../spec/types.ts';

/** The URL of a `source`/`target` field (a string, or `{ url }`). */
export function endpointUrl(e: unknown): string | null {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { url?: unknown }).url === 'string')
    return (e as { url: string }).url;
  return null;
}

/** Which mesh node an endpoint URL points to (the longest node URL it starts with). */
export function nodeOfUrl<N extends Pick<NodeSpec, 'url'>>(nodes: readonly N[], url: string): N | undefined {
  const plain = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1');
  return nodes
    .filter((n) => plain === n.url || plain.startsWith(`${n.url}/`))
    .sort((a, b) => b.url.length - a.url.length)[0];
}

// a malformed escape is kept as written (the replicator would send it as is, too)
function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The credentials of an endpoint: `auth.basic`, else the URL's userinfo (percent-decoded). */
export function credentialsOf(e: unknown): { user: string; password: string } | null {
  const basic = (e as { auth?: { basic?: { username?: unknown; password?: unknown } } } | null)?.auth?.basic;
  if (typeof basic?.username === 'string' && typeof basic.password === 'string')
    return { user: basic.username, password: basic.password };
  const url = endpointUrl(e);
  const m = url ? /^[a-z][a-z0-9+.-]*:\/\/([^/?#@:]*):([^/?#@]*)@/i.exec(url) : null;
  return m ? { user: decoded(m[1] ?? ''), password: decoded(m[2] ?? '') } : null;
}
