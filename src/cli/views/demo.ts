/** Human view of the demo: its progress events as they happen, then what to try next. */
import type { DemoEvent, DemoRun } from '../../ops/demo-types.ts';
import { displayPath } from '../../ops/display-path.ts';
import { PASSWORD_ENV } from '../../ops/example-mesh.ts';
import { renderOutcome } from './apply.ts';
import { renderPlan } from './plan.ts';

/** The line(s) of one progress event. */
export function renderDemoEvent(e: DemoEvent): string {
  switch (e.type) {
    case 'starting':
      return `Starting ${e.count} embedded CouchDB-compatible nodes on 127.0.0.1 (in memory, admin 'admin')…`;
    case 'port-busy':
      return `  port ${e.wanted} is busy: ${e.node} uses ${e.port} instead`;
    case 'node-up':
      return `  ${e.node} up at ${e.url}`;
    case 'mesh-written':
      if (e.edited) return `  (the demo mesh with the controller's settings: ${e.file})`;
      return e.ring
        ? `  (the ${e.count}-node ring mesh: ${e.file})`
        : `  (the example mesh with the ports used instead: ${e.file})`;
    case 'applying':
      return `\nApplying ${displayPath(e.meshFile)} (what 'couchmesh apply' does):\n`;
    case 'plan':
      return renderPlan(e.view);
    case 'applied':
      return renderOutcome(e.outcome);
    case 'writing':
      return `\nWriting ${e.samples} sensor readings on ${e.node} and watching them replicate…`;
    case 'converged': {
      const n = `${e.samples}/${e.samples}`;
      const lines = e.arrivals.map((a) =>
        a.node === e.first ? `  ${a.node}: ${n} written` : `  ${a.node}: ${n} arrived after ${a.ms} ms`,
      );
      const slowest = Math.max(...e.arrivals.map((a) => a.ms));
      lines.push(
        `Converged: every reading is on all ${e.count} nodes (slowest ${slowest} ms after the write).`,
      );
      return lines.join('\n');
    }
  }
}

/** What to try next, in another terminal (the password itself is never printed). */
export function renderDemoNext(run: DemoRun): string {
  const first = run.nodes[0];
  const second = run.nodes[1];
  const last = run.nodes[run.nodes.length - 1];
  const mesh = displayPath(run.meshFile);
  const db = run.db;
  const curl = `curl -u "admin:$${PASSWORD_ENV}"`;
  return [
    '\nTry next, in another terminal:',
    run.passwordFile
      ? `  export ${PASSWORD_ENV}="$(cat ${run.passwordFile})"   # the demo's admin password (never printed)`
      : `  # ${PASSWORD_ENV} is already set in your shell: the nodes use its value`,
    `  ${curl} '${last?.url}/${db}/_all_docs?include_docs=true'`,
    `  ${curl} -X PUT ${last?.url}/${db}/hello -H 'content-type: application/json' -d '{"temperature_c": 21.5}'`,
    `  ${curl} ${first?.url}/${db}/hello      # ...it arrived on ${first?.name}`,
    `  ${curl} ${second?.url}/_scheduler/docs   # the replications ${second?.name} runs`,
    `  npx couchmesh plan -f ${mesh}    # No changes: the nodes match the file`,
    `  npx couchmesh graph -f ${mesh}   # the topology as a Mermaid flowchart`,
  ].join('\n');
}

/**
 * `demo --json`: what a script needs to use the running demo (URLs, the mesh file, where the
 * password is), one line of JSON. Never the password itself, nor the apply outcome's plan (`plan
 * -f` shows it).
 */
export function renderDemoJson(r: DemoRun & { dashboard: string; partition?: unknown }): string {
  return JSON.stringify({
    dashboard: r.dashboard,
    mesh_file: r.meshFile,
    password_env: PASSWORD_ENV,
    ...(r.passwordFile ? { password_file: r.passwordFile } : {}),
    db: r.db,
    nodes: r.nodes.map((n) => ({ name: n.name, url: n.url })),
    applied: { ok: r.apply.ok, actions: r.apply.applied, failed: r.apply.failed },
    samples: r.samples,
    arrivals: r.arrivals,
    ...(r.partition ? { partition: r.partition } : {}),
  });
}
