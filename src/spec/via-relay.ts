import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import type { FailoverSpec } from './failover.ts';
import { listNames } from './suggest.ts';
import type { NodeSpec } from './types.ts';

/**
 * `via_relay:` on a members-only cluster node (#17). Without a load balancer the `_replicator` docs
 * name the first member; through the relay's forward proxy (`source_proxy`/`target_proxy`, which
 * CouchDB leaves out of the replication id: couch_replicator_ids, REFERENCE.md A1 and F) that URL
 * stays in the docs while the relay sends its traffic to a live member. A node with a `url` already
 * has a stable endpoint, and a node without members has nothing to fail over to.
 */
export function viaRelayNeedsMembers(hasUrl: boolean, path: PathSeg[], { sink }: ResolveContext): void {
  sink.error(
    'E_VIA_RELAY',
    path,
    hasUrl
      ? 'via_relay is for a cluster without url: this node has a stable url already'
      : 'via_relay is for a cluster node with members:',
    {
      expected: 'members: [urls] without url',
      hint: hasUrl
        ? 'remove via_relay (the docs name the url, a load balancer), or remove url to route through the relay'
        : 'list the cluster members under members:, or remove via_relay',
    },
  );
}

/** Each `via_relay` names a node with role: relay whose proxy URL is under `failover.relays`. */
export function checkViaRelay(
  nodes: ReadonlyMap<string, NodeSpec>,
  failover: FailoverSpec | undefined,
  { sink }: ResolveContext,
): void {
  const relays = [...nodes.values()].filter((n) => n.role === 'relay').map((n) => n.name);
  for (const n of nodes.values()) {
    const r = n.via_relay;
    if (r === undefined) continue;
    const path = ['nodes', n.name, 'via_relay'];
    if (nodes.get(r)?.role !== 'relay')
      sink.error('E_VIA_RELAY', path, `'${r}' is not a node with role: relay`, {
        expected: 'the name of a relay node',
        hint: `declare it under nodes: with role: relay (relays: ${listNames(relays)})`,
      });
    else if (!failover?.relays[r]?.proxy)
      sink.error('E_VIA_RELAY', path, `relay '${r}' has no proxy URL`, {
        expected: `failover: { relays: { ${r}: { proxy: http://host:port } } }`,
        hint: `run couchmesh relay -f mesh.yaml on ${r} and give its address under failover.relays.${r}.proxy`,
      });
  }
}

/** The proxy URL a node's traffic goes through, when it names a relay (validated above). */
export const viaRelayProxy = (
  spec: { failover?: FailoverSpec | undefined },
  node: NodeSpec,
): string | undefined => (node.via_relay ? spec.failover?.relays[node.via_relay]?.proxy : undefined);
