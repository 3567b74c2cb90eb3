/**
 * The canary operation (FAILOVER, #15): one round of canaries over every link direction of a mesh
 * whose `canary:` block is enabled. `newCanaryProbe` is the controller's entry (a probe kept across
 * rounds remembers revisions and feed positions, so a steady round costs one write per direction
 * and one feed per node); `canaryOperation` runs one round for the CLI and `status`.
 */
import { CanaryProbe } from '../canary/probe.ts';
import type { CanaryDirection, CanarySample } from '../canary/types.ts';
import { canaryOf } from '../spec/canary.ts';
import type { MeshSpec } from '../spec/types.ts';
import { clockOf, type MeshDeps } from './deps.ts';
import { type OpenMesh, withMesh } from './mesh.ts';

/** Both directions of every link, in link order. */
export function canaryDirections(spec: MeshSpec): CanaryDirection[] {
  return spec.links.flatMap((l) => [
    { from: l.nodes[0], to: l.nodes[1] },
    { from: l.nodes[1], to: l.nodes[0] },
  ]);
}

/** A probe over the mesh's clients, or undefined when the mesh's canary is off. */
export function newCanaryProbe(
  m: Pick<OpenMesh, 'spec' | 'clients'>,
  deps: Pick<MeshDeps, 'clock'>,
  timeoutMs?: number,
): CanaryProbe | undefined {
  const c = canaryOf(m.spec);
  if (!c) return undefined;
  return new CanaryProbe({
    db: c.database,
    clients: m.clients,
    clock: clockOf(deps),
    timeoutMs: timeoutMs ?? c.timeout_ms,
  });
}

export interface CanaryRunOptions {
  file?: string;
  /** shorter than mesh.yaml's timeout_ms (status waits at most this long) */
  timeoutMs?: number;
}

export interface CanaryRunResult {
  mesh: string;
  enabled: boolean;
  samples: CanarySample[];
  requests: number;
}

/** One canary round over the mesh (no samples when its canary is off). */
export async function canaryOperation(opts: CanaryRunOptions, deps: MeshDeps): Promise<CanaryRunResult> {
  return withMesh(opts, deps, (m) => canaryRound(m, deps, opts.timeoutMs));
}

/** One round over an open mesh (status runs it beside its poll). */
export async function canaryRound(m: OpenMesh, deps: MeshDeps, timeoutMs?: number): Promise<CanaryRunResult> {
  const probe = newCanaryProbe(m, deps, timeoutMs);
  if (!probe) return { mesh: m.spec.mesh, enabled: false, samples: [], requests: 0 };
  const r = await probe.round(canaryDirections(m.spec), deps.signal);
  return { mesh: m.spec.mesh, enabled: true, ...r };
}
