/**
 * Human view of `couchmesh rehearse`: the world it ran (links and their latency profiles), one
 * table row per scenario (time to converge, writes, conflicts, relayed bytes, re-scans, invariants),
 * then per scenario its faults and every invariant with its evidence; progress lines for stderr.
 */
import type { RehearseEvent } from '../../ops/rehearse.ts';
import type { RehearseReport, ScenarioReport } from '../../rehearse/report.ts';
import { type Paint, table } from './paint.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function bytes(n: number | null): string {
  if (n === null) return '-';
  if (n < 1024) return `${n} B`;
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function row(s: ScenarioReport): string[] {
  if (s.skipped) return [s.name, '-', '-', '-', '-', '-', '-', s.skipped];
  const w = s.writes;
  const extra = [w.refused ? `${w.refused} refused` : '', w.failed ? `${w.failed} failed` : ''].filter(
    Boolean,
  );
  const held = s.invariants.filter((i) => i.ok).length;
  return [
    s.name,
    s.converge_ms === null ? 'no' : seconds(s.converge_ms),
    `${w.acked}${extra.length ? ` (${extra.join(', ')})` : ''}`,
    `${s.conflicts.created}/${s.conflicts.resolved}`,
    actionsText(s.actions),
    bytes(s.relayed_bytes),
    s.rescans.expected
      ? `${s.rescans.unexpected} (+${s.rescans.expected} expected)`
      : String(s.rescans.unexpected),
    `${held}/${s.invariants.length} ${s.passed ? 'pass' : 'FAIL'}`,
  ];
}

/** `drift 1, resolve 23, route 2`, or `none` */
export function actionsText(a: Readonly<Record<string, number>>): string {
  const xs = Object.entries(a)
    .filter(([, n]) => n > 0)
    .sort(([x], [y]) => x.localeCompare(y));
  return xs.length ? xs.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

function details(s: ScenarioReport, p: Paint): string[] {
  if (s.skipped) return [];
  const out = [`${p.bold(s.name)}: ${s.description}`, ...s.steps.map((x) => `  ${x}`)];
  const kinds = actionsText(s.action_kinds);
  out.push(`  controller actions: ${kinds}`);
  const f = s.failover;
  if (f)
    out.push(
      `  failover: ${f.relayed} routed through a relay, ${f.given_up} given up (no usable relay), ${f.direct} back direct; ${bytes(f.proxy_bytes)} through the relay proxies`,
    );
  const width = Math.max(...s.invariants.map((i) => i.name.length));
  for (const i of s.invariants)
    out.push(`  ${i.ok ? p.green('ok  ') : p.red('FAIL')} ${i.name.padEnd(width)}  ${i.evidence}`);
  return out;
}

export function renderRehearse(r: RehearseReport, p: Paint): string {
  const profiles = [...new Map(r.links.map((l) => [l.class, l.profile])).entries()]
    .map(([c, pr]) => `${c} ${pr.latencyMs}+0..${pr.jitterMs} ms`)
    .join(', ');
  const lines = [
    `rehearse ${r.mesh}: ${r.nodes.length} embedded nodes, ${r.links.length} links through fault proxies (${profiles} per chunk each way)`,
    `seed ${r.seed}, faults held ${seconds(r.duration_ms)} per scenario, writers on every node at ${r.rate} writes/s`,
    '',
  ];
  const head = [
    'SCENARIO',
    'CONVERGED',
    'WRITES ACKED',
    'CONFLICTS made/resolved',
    'CONTROLLER ACTIONS',
    'RELAYED',
    'RE-SCANS',
    'INVARIANTS',
  ];
  const rows = [head, ...r.scenarios.map(row)];
  lines.push(
    ...table(rows, (ri, ci, t) => {
      if (ri === 0) return p.bold(t);
      const s = r.scenarios[ri - 1] as ScenarioReport;
      if (s.skipped) return ci === 0 ? t : p.grey(t);
      if (ci === 7) return s.passed ? p.green(t) : p.red(t);
      return t;
    }),
  );
  for (const s of r.scenarios) {
    const d = details(s, p);
    if (d.length) lines.push('', ...d);
  }
  const sm = r.summary;
  lines.push(
    '',
    `rehearse ${r.mesh}: ${sm.passed} passed, ${sm.failed} failed${sm.skipped ? `, ${sm.skipped} skipped` : ''}`,
  );
  return lines.join('\n');
}

/** One progress line (stderr, on a terminal), or null for events not worth a line. */
export function rehearseProgress(e: RehearseEvent): string | null {
  switch (e.type) {
    case 'starting':
      return `starting ${e.nodes} embedded nodes and ${e.links * 2} fault proxies…`;
    case 'applied':
      return 'mesh applied on the embedded nodes';
    case 'scenario':
      return `${e.name}: ${e.description}`;
    case 'skipped':
      return `${e.name}: ${e.why}`;
    case 'fault':
      return `${e.name}: ${e.atMs} ms ${e.text}`;
    case 'healed':
      return `${e.name}: healed, waiting for the mesh to converge…`;
    case 'converged':
      return `${e.name}: ${e.ok ? `converged in ${seconds(e.ms)}` : `not converged after ${seconds(e.ms)}`} (${e.passes} verify passes)`;
    case 'controller':
      return `controller started (poll every ${e.pollMs} ms; log ${e.log})`;
    case 'checked':
      return `${e.name}: invariants ${e.passed ? 'hold' : 'FAILED'}`;
    default:
      return null;
  }
}
