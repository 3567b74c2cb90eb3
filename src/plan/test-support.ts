/** Helpers of the planner's tests (not shipped): the seed mesh as a spec, and what its nodes hold. */

import type { LinkSpec, MeshSpec, NodeSpec } from '../spec/types.ts';
import { desiredState } from './desired.ts';
import type { ObservedNode } from './types.ts';

const params = {
  checkpoint_interval: 10_000,
  worker_batch_size: 100,
  http_connections: 2,
  connection_timeout: 30_000,
  retries_per_request: 5,
};
export const node = (name: string, i: number, reachable = true): NodeSpec => ({
  name,
  url: `http://127.0.0.1:${25984 + i}`,
  role: 'edge',
  reachable,
  auth: { username: 'admin', password_env: 'PW' },
});
export const link = (a: string, b: string): LinkSpec => ({
  key: [a, b].sort().join('--'),
  nodes: [a, b],
  class: 'cellular',
  params,
  databases: ['sensors'],
  origin: { path: 'links[0]', line: 1, column: 1 },
});
export const seed: MeshSpec = {
  mesh: 'seed',
  nodes: [node('n1', 0), node('n2', 1), node('n3', 2), node('n4', 3)],
  databases: [{ name: 'sensors' }],
  link_classes: {},
  links: [link('n1', 'n2'), link('n2', 'n3'), link('n3', 'n1'), link('n3', 'n4'), link('n4', 'n2')],
  thresholds: {} as MeshSpec['thresholds'],
};
export const pw = () => 's3cret';

export function observedEmpty(spec: MeshSpec, dbs: string[] = []): ObservedNode[] {
  return spec.nodes.map((n) => ({
    node: n.name,
    reachable: true,
    databases: ['_replicator', ...dbs],
    replicator: [],
    requests: 2,
  }));
}

/** What a node holds after apply: the planned docs with revs. */
export function afterApply(spec: MeshSpec): ObservedNode[] {
  const d = desiredState(spec, pw);
  return spec.nodes.map((n) => ({
    node: n.name,
    reachable: true,
    databases: ['_replicator', 'sensors'],
    replicator: d.docs
      .filter((x) => x.node === n.name)
      .map((x) => ({
        id: x.id,
        rev: '1-a',
        body: { ...JSON.parse(JSON.stringify(x.body)), owner: 'admin' },
      })),
    requests: 2,
  }));
}

/** `spec` with `replication_users: { per }`: a user per node or per link (password variable R for all). */
const withUsers =
  (per: 'node' | 'link') =>
  (spec: MeshSpec): MeshSpec => ({
    ...spec,
    replication_users: {
      per,
      users: Object.fromEntries(
        (per === 'node' ? spec.nodes.map((n) => n.name) : spec.links.map((l) => l.key)).map((k) => [
          k,
          { username: `couchmesh-repl-${k}`, password_env: 'R' },
        ]),
      ),
    },
  });
export const withNodeUsers = withUsers('node');
export const withLinkUsers = withUsers('link');
