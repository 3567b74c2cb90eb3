/**
 * TLS settings on the nodes' own configuration (`nodes[].couch_tls`), as code: each declared key is
 * read with `GET /_node/_local/_config/<section>/<key>` (404 = unset) and, when it differs, set with
 * a `set-config` action. Only declared keys are ever read or written; the values are paths on the
 * node (not secrets: CouchDB's `[replicator] password`, the key's passphrase, is not managed here).
 */
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import type { CouchTls, MeshSpec } from '../spec/types.ts';
import type { DesiredConfig, ObservedNode, SetConfigAction } from './types.ts';

/** `couch_tls` field -> CouchDB's `[replicator]` key (couch_replicator_utils:get_ssl_options). */
const REPLICATOR_KEYS: ReadonlyArray<[keyof CouchTls, string]> = [
  ['cert_file', 'cert_file'],
  ['key_file', 'key_file'],
  ['ca_file', 'ssl_trusted_certificates_file'],
  ['verify', 'verify_ssl_certificates'],
];

/** `section/key`: how an observed value is keyed. */
export const configKey = (section: string, key: string): string => `${section}/${key}`;

/** The config values a node must hold: `_config` values are strings (`true`/`false` for booleans). */
export function desiredConfig(spec: MeshSpec): DesiredConfig[] {
  const out: DesiredConfig[] = [];
  for (const n of spec.nodes) {
    const t = n.couch_tls;
    if (!t) continue;
    for (const [field, key] of REPLICATOR_KEYS) {
      const v = t[field];
      if (v !== undefined) out.push({ node: n.name, section: 'replicator', key, value: String(v) });
    }
  }
  return out;
}

export const configPath = (section: string, key: string): string =>
  `/_node/_local/_config/${encodeURIComponent(section)}/${encodeURIComponent(key)}`;

/** Reads each declared key, in parallel; an unset key (404) has no entry. */
export async function readConfig(
  client: CouchClient,
  entries: readonly DesiredConfig[],
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    entries.map(async ({ section, key }) => {
      try {
        const v = await client.get<unknown>(configPath(section, key), undefined, signal ? { signal } : {});
        out[configKey(section, key)] = typeof v === 'string' ? v : JSON.stringify(v);
      } catch (e) {
        if (!(isCouchError(e) && e.status === 404)) throw e;
      }
    }),
  );
  return out;
}

/** set-config actions for the usable nodes, one per declared key whose value differs. */
export function planConfig(
  desired: readonly DesiredConfig[],
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
): { actions: SetConfigAction[]; noop: number } {
  const actions: SetConfigAction[] = [];
  let noop = 0;
  for (const { node, section, key, value } of desired) {
    if (!usable(node)) continue;
    const from = byNode.get(node)?.config?.[configKey(section, key)];
    // CouchDB compares config values as strings; surrounding blanks are not part of the value
    if (from !== undefined && from.trim() === value) {
      noop++;
      continue;
    }
    actions.push({ kind: 'set-config', node, section, key, value, ...(from !== undefined ? { from } : {}) });
  }
  return { actions, noop };
}
