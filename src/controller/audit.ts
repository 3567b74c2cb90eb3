/**
 * Every controller action is an audit record in `couchmesh_audit` (the database the conflict
 * resolver audits into) on the node it acted on: `_id` `controller:<action id>`, so writing it
 * again after a restart is a 409 (already recorded), never a second record. An `interrupted` one
 * (intents.ts) is `controller:<action id>:interrupted`.
 */
import type { CouchClient } from '../couch/client.ts';
import { isCouchError } from '../couch/errors.ts';
import type { ControllerAction } from './view.ts';

export const AUDIT_DB = 'couchmesh_audit';

export async function auditAction(client: CouchClient, mesh: string, a: ControllerAction): Promise<string> {
  // an interrupted action's completion may take its id (remediation redoes it): a record of its own
  const id = `controller:${a.id}${a.outcome === 'interrupted' ? ':interrupted' : ''}`;
  const path = `/${AUDIT_DB}/${encodeURIComponent(id)}`;
  const doc = { type: 'couchmesh.controller-action', mesh, ...a, id: undefined, action: a.id };
  const put = () => client.put(path, doc);
  try {
    await put();
  } catch (e) {
    if (isCouchError(e) && e.status === 409) return id;
    if (!(isCouchError(e) && e.status === 404)) throw e;
    await client.put(`/${AUDIT_DB}`, undefined).catch((x) => {
      if (!(isCouchError(x) && x.status === 412)) throw x;
    });
    await put().catch((x) => {
      if (!(isCouchError(x) && x.status === 409)) throw x;
    });
  }
  return id;
}
