/** Conflicts per database and node, and the recent resolutions with their audit id and undo. */
import type { ControllerSnapshot } from '../../src/controller/view.ts';
import { command } from './api.ts';
import type { Pending } from './widgets.tsx';

const enc = encodeURIComponent;
const time = (iso: string) => iso.slice(11, 19);

export function Conflicts({ snap, ask }: { snap: ControllerSnapshot; ask(p: Pending): void }) {
  const recent = snap.resolutions.slice(-20).reverse();
  return (
    <div class="conflicts">
      <table>
        <thead>
          <tr>
            <th>db</th>
            <th>node</th>
            <th>conflicted</th>
            <th>resolved</th>
            <th>declined</th>
          </tr>
        </thead>
        <tbody>
          {snap.conflicts.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                no database resolves conflicts yet
              </td>
            </tr>
          )}
          {snap.conflicts.map((c) => (
            <tr key={`${c.db}@${c.node}`} data-conflicts={`${c.db}@${c.node}`} data-conflicted={c.conflicted}>
              <td>{c.db}</td>
              <td>{c.node}</td>
              <td class={c.conflicted ? 'warn-text' : ''}>{c.conflicted}</td>
              <td>{c.resolved_total}</td>
              <td>{c.declined_total}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Recent resolutions</h3>
      <ul class="list">
        {recent.length === 0 && <li class="muted">none yet</li>}
        {recent.map((r) => (
          <li key={r.audit_id} data-resolution={r.audit_id} data-undone={String(r.undone)}>
            <span class="muted">{time(r.at)}</span> {r.db}/{r.doc_id} {r.strategy} → {r.winner.slice(0, 10)}{' '}
            <span class="muted">
              {r.losers.length} loser(s), audit {r.audit_id}
            </span>{' '}
            <button
              type="button"
              class="small"
              disabled={r.undone}
              onClick={() =>
                ask({
                  title: 'Undo resolution',
                  body: `Restore the losing revisions of ${r.db}/${r.doc_id} from audit entry ${r.audit_id}?`,
                  confirm: 'Undo',
                  run: async () => {
                    const { action } = await command(
                      `/api/v1/resolutions/${enc(r.db)}/${enc(r.audit_id)}/undo`,
                    );
                    return `${action.kind}: ${action.outcome}`;
                  },
                })
              }
            >
              {r.undone ? 'undone' : 'Undo…'}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
