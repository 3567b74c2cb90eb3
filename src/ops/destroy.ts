import { type ApplyResultView, applyOperation, type Review } from './apply.ts';
import type { MeshDeps } from './deps.ts';

/**
 * `destroy` (data): deletes every `_replicator` document carrying this mesh's ownership marker on
 * every node of the mesh and, with `replication_users:`, the users this mesh created (their `_users`
 * doc carries its marker) and the `_security` members apply added for them; nothing else: foreign
 * documents and users, other meshes' documents and the databases themselves are kept (as
 * `terraform destroy` removes only what its state owns).
 */
export function destroyOperation(
  flags: { file?: string },
  deps: MeshDeps,
  review: Review,
): Promise<ApplyResultView> {
  return applyOperation({ file: flags.file, destroy: true }, deps, review);
}
