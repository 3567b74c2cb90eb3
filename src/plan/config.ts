/**
 * TLS settings on the nodes' own configuration (`nodes[].couch_tls`), as code: each declared key is
 * read with `GET /_node/_local/_config/<section>/<key>` (404 = unset) and, when it differs, set with
 * a `set-config` action. Only declared keys are ever read or written; the values are paths on the
 * node (not secrets: CouchDB's `[replicator] password`, the key's passphrase, is not managed here).
 * The flat keys are the replicator's client side (`[replicator]`); `server` is the node's HTTPS
 * listener (`[ssl]`), which CouchDB 3 reads when it starts: those actions say so.
 */
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import type { CouchTls, CouchTlsServer, MeshSpec } from '../spec/types.ts';
import type { DesiredConfig, ObservedNode, Plan, SetConfigAction } from './types.ts';

/** `couch_tls` field -> CouchDB's `[replicator]` key (couch_replicator_utils:get_ssl_options). */
const REPLICATOR_KEYS: ReadonlyArray<[keyof CouchTls, string]> = [
  ['cert_file', 'cert_file'],
  ['key_file', 'key_file'],
  ['ca_file', 'ssl_trusted_certificates_file'],
  ['verify', 'verify_ssl_certificates'],
];

/**
 * `[ssl]` keys (CouchDB 3 docs config/http "HTTPS (TLS) Options"; chttpd starts its https listener
 * from them at boot, `[ssl] port` default 6984): `enable` is implied by declaring `server`, and
 * `require_client_cert` is CouchDB's pair `verify_ssl_certificates` + `fail_if_no_peer_cert`
 * (the latter "only used if verify_ssl_certificates is true").
 */
function serverKeys(s: CouchTlsServer): Array<[string, string]> {
  const out: Array<[string, string]> = [['enable', 'true']];
  if (s.cert_file !== undefined) out.push(['cert_file', s.cert_file]);
  if (s.key_file !== undefined) out.push(['key_file', s.key_file]);
  if (s.cacert_file !== undefined) out.push(['cacert_file', s.cacert_file]);
  if (s.require_client_cert !== undefined) {
    out.push(['verify_ssl_certificates', String(s.require_client_cert)]);
    out.push(['fail_if_no_peer_cert', String(s.require_client_cert)]);
  }
  if (s.port !== undefined) out.push(['port', String(s.port)]);
  if (s.tls_versions !== undefined) out.push(['tls_versions', erlangAtoms(s.tls_versions)]);
  return out;
}

/** An Erlang list of atoms as CouchDB's ini writes it: `[tlsv1, 'tlsv1.2']` (a dot needs quotes). */
const erlangAtoms = (atoms: readonly string[]): string =>
  `[${atoms.map((a) => (/^[a-z][a-zA-Z0-9_]*$/.test(a) ? a : `'${a}'`)).join(', ')}]`;

/** Sections CouchDB reads only when it starts: a change there waits for the node's restart. */
const RESTART_SECTIONS = new Set(['ssl']);
export const takesEffectOnRestart = (section: string): boolean => RESTART_SECTIONS.has(section);

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
    if (t.server)
      for (const [key, value] of serverKeys(t.server)) out.push({ node: n.name, section: 'ssl', key, value });
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

/**
 * set-config actions for the usable nodes, one per declared key whose value differs. A key that holds
 * another value (set by hand, or by another tool) is also drift: apply puts the declared one back.
 */
export function planConfig(
  desired: readonly DesiredConfig[],
  byNode: Map<string, ObservedNode>,
  usable: (node: string) => boolean,
): { actions: SetConfigAction[]; drift: Plan['drift']; noop: number } {
  const actions: SetConfigAction[] = [];
  const drift: Plan['drift'] = [];
  let noop = 0;
  for (const { node, section, key, value } of desired) {
    if (!usable(node)) continue;
    const from = byNode.get(node)?.config?.[configKey(section, key)];
    // CouchDB compares config values as strings; surrounding blanks are not part of the value
    if (from !== undefined && from.trim() === value) {
      noop++;
      continue;
    }
    if (from !== undefined)
      drift.push({
        node,
        id: `_config/${section}/${key}`,
        fields: [key],
        diff: [{ path: `[${section}] ${key}`, from, to: value }],
      });
    actions.push({
      kind: 'set-config',
      node,
      section,
      key,
      value,
      ...(from !== undefined ? { from } : {}),
      ...(takesEffectOnRestart(section) ? { takesEffect: 'restart' as const } : {}),
    });
  }
  return { actions, drift, noop };
}
