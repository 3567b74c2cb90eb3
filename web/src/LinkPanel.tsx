/**
 * The panel of one direction: its state over the last polls, throughput and lag sparklines, the
 * checkpoint, the crash reasons seen, the findings' diagnosis with the playbook step, and the two
 * operator commands (each behind a confirmation).
 */
import type { ControllerSnapshot, GraphDirection } from '../../src/controller/view.ts';
import { command } from './api.ts';
import { memberFacts } from './cluster.ts';
import { lagText } from './Graph.tsx';
import { diagnosisOf, directionHealth, HEALTH_WORD, rowOf, unreachableNodes } from './health.ts';
import { dirKey, type Sample } from './store.ts';
import { type Pending, Sparkline, StateStrip } from './widgets.tsx';

interface Props {
  snap: ControllerSnapshot;
  direction: GraphDirection;
  history: Sample[];
  ask(p: Pending): void;
}

const enc = encodeURIComponent;

function routeFact(snap: ControllerSnapshot, d: GraphDirection): Array<[string, string]> {
  const r = snap.routes.find((x) => x.direction === d.direction);
  if (!r || r.path === 'direct') return [];
  return [
    ['route', r.path === 'relayed' ? `via ${r.via} (${r.mode}): ${r.reason}` : `no relay: ${r.reason}`],
  ];
}

export function LinkPanel({ snap, direction: d, history, ask }: Props) {
  const row = rowOf(snap.status, d);
  const health = directionHealth(d, row, snap.findings, unreachableNodes(snap.status, snap.findings));
  const reasons = [...new Set(history.map((h) => h.reason).filter((r): r is string => r !== null))].slice(-4);
  const findings = diagnosisOf(snap.findings, d);
  const base = `/api/v1/directions/${enc(d.direction)}/${enc(d.db)}`;
  const cmd = (kind: 'reset-checkpoint' | 'reconcile', title: string, body: string) => () =>
    ask({
      title,
      body,
      confirm: title,
      run: async () => {
        const { action } = await command(`${base}/${kind}`);
        return `${action.kind}: ${action.outcome}${action.detail ? ` (${action.detail})` : ''}`;
      },
    });
  const facts: Array<[string, string]> = [
    ['state', row ? `${row.state}${row.error_count ? ` (${row.error_count} errors)` : ''}` : 'not observed'],
    ['path', [d.from, ...d.via, d.to].join(' → ')],
    // FAILOVER: why the router relays it (or cannot)
    ...routeFact(snap, d),
    ['job on', row?.doc_node ?? '–'],
    // CLUSTERS: the member running the job, and the endpoints' members down / answering
    ...memberFacts(snap.status, d),
    ['lag', lagText(row ? (row.changes_pending ?? row.lag_estimate) : null, row?.checkpoint_age_ms ?? null)],
    ['checkpointed seq', row?.checkpointed_seq === null || !row ? '–' : String(row.checkpointed_seq)],
    ['docs written', row?.docs_written === null || !row ? '–' : String(row.docs_written)],
    ['write failures', row?.doc_write_failures === null || !row ? '–' : String(row.doc_write_failures)],
  ];
  // FAILOVER's canary (direct path, write on `from` to seen on `to`): newest and p50/p95 of the history
  const c = row?.canary_ms !== undefined ? row : d;
  if (c.canary_ms !== undefined)
    facts.push([
      'canary',
      `${c.canary_ms === null ? 'lost' : `${Math.round(c.canary_ms)} ms`} (p50 ${c.canary_p50_ms ?? '–'} ms, p95 ${c.canary_p95_ms ?? '–'} ms)`,
    ]);
  return (
    <div class="link-panel" data-panel={dirKey(d)}>
      <div class="link-title">
        <span class={`badge health-${health}`}>{HEALTH_WORD[health]}</span>
        <strong>{d.direction}</strong> <span class="muted">{d.db}</span>
      </div>
      <div class="buttons">
        <button
          type="button"
          onClick={cmd(
            'reset-checkpoint',
            'Reset checkpoint',
            `Reset the checkpoints of ${d.direction} (${d.db}): the job re-checks every change from the start.`,
          )}
        >
          Reset checkpoint…
        </button>
        <button
          type="button"
          onClick={cmd(
            'reconcile',
            'Reconcile',
            `Run a one-shot replication ${d.direction} (${d.db}) now, beside the continuous job.`,
          )}
        >
          Reconcile…
        </button>
      </div>
      <dl class="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd title={v}>{v}</dd>
          </div>
        ))}
      </dl>
      <StateStrip states={history.map((h) => h.state)} />
      <Sparkline label="docs/s" values={history.map((h) => h.rate)} />
      <Sparkline label="lag" values={history.map((h) => h.lag)} />
      <div class="reasons">
        <h3>Crash reasons</h3>
        {reasons.length ? reasons.map((r) => <p key={r}>{r}</p>) : <p class="muted">none seen</p>}
      </div>
      <div class="diagnosis">
        <h3>Diagnosis</h3>
        {findings.length ? (
          findings.map((f) => (
            <p key={`${f.rule}|${f.node}`} class={`sev-${f.severity}`}>
              <strong>{f.rule}</strong> {f.message} <em>{f.playbook}</em>
            </p>
          ))
        ) : (
          <p class="muted">no open finding</p>
        )}
      </div>
    </div>
  );
}
