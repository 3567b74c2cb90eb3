import { userError } from '../core/errors.ts';
import { loadMeshFile } from '../spec/load.ts';
import type { MeshSpec } from '../spec/types.ts';
import type { Destination } from './allow.ts';

/**
 * The member groups a relay serves (#17): every members-only cluster node of the mesh with
 * `via_relay` (naming `relay`, when given). The `_replicator` docs name such a node by its first
 * member and reach it through the relay, which sends that traffic to a live member (members.ts).
 */
export function relayMemberGroups(spec: MeshSpec, relay?: string): Destination[][] {
  return spec.nodes
    .filter((n) => n.via_relay !== undefined && n.members && (relay === undefined || n.via_relay === relay))
    .map((n) =>
      (n.members ?? []).map((m) => {
        const u = new URL(m);
        return {
          host: u.hostname.replace(/^\[|\]$/g, '').toLowerCase(),
          port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
        };
      }),
    );
}

/** `couchmesh relay -f mesh.yaml [--name r1]`: the groups from a mesh file (no credentials needed). */
export function relayMemberGroupsOf(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  relay?: string,
): Destination[][] {
  const v = loadMeshFile(file, { env, checkReferences: false });
  if (!v.spec)
    throw userError(
      'E_MESH_INVALID',
      `${file} has validation errors, so the relay cannot read its cluster members`,
      `run couchmesh validate -f ${file}`,
    );
  return relayMemberGroups(v.spec, relay);
}
