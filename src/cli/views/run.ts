/**
 * `couchmesh run`'s progress lines: one per finding transition, action and drift change, and a
 * poll line when the mesh's summary changes (never one per poll: a quiet mesh stays quiet).
 */
import type { ControllerEvent, ControllerSnapshot } from '../../controller/view.ts';

export function startedLine(s: ControllerSnapshot, stateDir: string, logFile: string | null): string {
  return `couchmesh run: mesh ${s.mesh}, ${s.nodes.length} nodes, ${s.directions.length} directions${s.dry_run ? ' (dry run: nothing is changed)' : ''}; state ${stateDir}${logFile ? `, log ${logFile}` : ''}; Ctrl-C stops`;
}

export class RunView {
  #lastPoll = '';

  /** The line an event prints, or null. */
  line(e: ControllerEvent): string | null {
    switch (e.type) {
      case 'poll': {
        const s = e.status.summary;
        const states = Object.entries(s.by_state)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ');
        const f = s.findings;
        const text = `${s.nodes_reachable}/${s.nodes} nodes reachable; directions: ${states || 'none'}; findings: ${f.critical} critical, ${f.warning} warning`;
        if (text === this.#lastPoll) return null;
        this.#lastPoll = text;
        return `poll ${e.status.poll}: ${text}`;
      }
      case 'finding': {
        const f = e.finding;
        const where = f.direction ? `${f.direction} (${f.db})` : (f.node ?? '');
        return `${e.change === 'resolved' ? '✓' : '!'} ${e.change} ${f.severity} ${f.rule} ${where}: ${f.message}`;
      }
      case 'action': {
        const a = e.action;
        return `* ${a.loop} ${a.kind} ${a.target}: ${a.outcome} — ${a.detail}`;
      }
      case 'drift': {
        const n = Object.values(e.drift.changes).reduce((x, y) => x + y, 0);
        return n
          ? `drift: ${Object.entries(e.drift.changes)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')}`
          : null;
      }
      case 'resolution':
        return `resolved ${e.resolution.doc_id} in ${e.resolution.db} on ${e.resolution.node} (${e.resolution.strategy}, ${e.resolution.losers.length} loser(s), audit ${e.resolution.audit_id})`;
      default:
        return null;
    }
  }
}
