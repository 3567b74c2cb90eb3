/** Open findings, and one timeline of finding changes and controller actions, newest first. */
import type { ControllerSnapshot } from '../../src/controller/view.ts';
import type { FindingChange } from './store.ts';

const time = (iso: string) => iso.slice(11, 19);

export function Findings({ snap }: { snap: ControllerSnapshot }) {
  return (
    <ul class="list">
      {snap.findings.length === 0 && <li class="muted">no open finding</li>}
      {snap.findings.map((f) => (
        <li
          key={`${f.rule}|${f.node}|${f.direction}|${f.db}`}
          class={`sev-${f.severity}`}
          data-finding={f.rule}
        >
          <strong>{f.severity}</strong> {f.message}
        </li>
      ))}
    </ul>
  );
}

type Entry = { at: string; key: string; text: string; cls: string };

export function Timeline({ snap, log }: { snap: ControllerSnapshot; log: FindingChange[] }) {
  const entries: Entry[] = [
    ...log.map((l, i) => ({
      at: l.at,
      key: `f${i}`,
      text: `finding ${l.change}: ${l.finding.rule} ${l.finding.direction ?? l.finding.node ?? ''}`,
      cls: l.change === 'resolved' ? 'sev-info' : `sev-${l.finding.severity}`,
    })),
    ...snap.actions.map((a) => ({
      at: a.at,
      key: a.id,
      text: `${a.loop} ${a.kind} ${a.target}: ${a.outcome}${a.detail ? ` — ${a.detail}` : ''}`,
      // interrupted: the controller stopped mid-action (the detail says what it was about to do)
      cls: a.outcome === 'failed' ? 'sev-critical' : a.outcome === 'interrupted' ? 'sev-warning' : 'sev-info',
    })),
  ]
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, 100);
  return (
    <ul class="list">
      {entries.length === 0 && <li class="muted">nothing yet</li>}
      {entries.map((e) => (
        <li key={e.key} class={e.cls}>
          <span class="muted">{time(e.at)}</span> {e.text}
        </li>
      ))}
    </ul>
  );
}
