/**
 * The secrets an open mesh knows (every node's resolved password, with its user name), as a
 * redactor for what an operation shows: log excerpts, scheduler reasons, error texts.
 */
import { type KnownSecret, type Redactor, redactor } from '../core/redact.ts';
import type { OpenMesh } from './mesh.ts';

export function meshSecrets(m: Pick<OpenMesh, 'spec' | 'passwordOf'>): KnownSecret[] {
  const out: KnownSecret[] = [];
  // the nodes' own credentials and the replication users' (`replication_users:`, per node or link)
  const repl = Object.values(m.spec.replication_users?.users ?? {});
  const first = m.spec.nodes[0];
  const all = [...m.spec.nodes, ...(first ? repl.map((auth) => ({ ...first, auth })) : [])];
  for (const n of all) {
    if (!n.auth) continue;
    let value: string | undefined;
    try {
      value = m.passwordOf(n);
    } catch {
      // an unresolvable reference: no value, nothing to mask (the request fails on its own)
    }
    if (value) out.push({ value, username: n.auth.username });
  }
  return out;
}

export const meshRedactor = (m: Pick<OpenMesh, 'spec' | 'passwordOf'>): Redactor => redactor(meshSecrets(m));
