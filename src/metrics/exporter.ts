/**
 * Prometheus exposition of the mesh (prom-client): per link direction its state (one-hot), lag,
 * changes pending, docs written, write failures, checkpoint age and consecutive crashes; per node
 * whether it answered and its replication jobs by state; plus the open findings and the poll's own
 * cost. Values come from the poller's latest result: CouchDB's per-job counters restart with each
 * job run, so the run's own values are gauges, and running totals across runs (totals.ts) are the
 * counters (`_total`). Conflict counts (conflicts.ts) and the controller's metrics
 * (controller.ts) share the registry. Served on 127.0.0.1 by `couchmesh metrics` and by the
 * controller — one registry per exporter, never the global one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { userError } from '../core/errors.ts';
import type { Severity } from '../health/types.ts';
import { SCHEDULER_STATES } from '../observe/types.ts';
import type { PollResult } from '../watch/poller.ts';
import { CanaryMetrics } from './canary.ts';
import { ConflictMetrics } from './conflicts.ts';
import { ControllerMetrics } from './controller.ts';
import { safeLabel } from './labels.ts';
import { RunningTotals } from './totals.ts';

/**
 * Every state a direction can be in (scheduler states + `unknown` unobserved + `missing` no doc +
 * `unassigned`: the doc exists on a cluster whose owner member is down).
 */
export const DIRECTION_STATES = [...SCHEDULER_STATES, 'unknown', 'missing', 'unassigned'] as const;
const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];

const DIR_LABELS = ['mesh', 'link', 'db', 'direction', 'from', 'to'] as const;

export class MeshMetrics {
  readonly registry = new Registry();
  readonly mesh: string;
  readonly #g: ReturnType<typeof gauges>;
  readonly #c: ReturnType<typeof counters>;
  readonly #written = new RunningTotals();
  readonly #failures = new RunningTotals();
  /** conflicted docs per database and node (the controller's conflict loop sets them) */
  readonly conflicts: ConflictMetrics;
  /** the controller's actions, reconcile errors and queue depth */
  readonly controller: ControllerMetrics;

  #canary: CanaryMetrics | undefined;

  /** canary latency and losses (registered only for a mesh whose canary is on, on first use) */
  canary(db: string): CanaryMetrics {
    this.#canary ??= new CanaryMetrics(this.registry, this.mesh, db);
    return this.#canary;
  }

  constructor(mesh: string) {
    this.mesh = mesh;
    this.#g = gauges(this.registry);
    this.#c = counters(this.registry);
    this.conflicts = new ConflictMetrics(this.registry, mesh);
    this.controller = new ControllerMetrics(this.registry, mesh);
  }

  /** Replaces every series with the values of `r` (series of gone links / nodes disappear). */
  update(r: PollResult): void {
    const g = this.#g;
    for (const x of Object.values(g)) x.reset();
    const mesh = this.mesh;
    for (const v of r.views)
      for (const d of v.directions) {
        const l = { mesh, link: v.link, db: v.db, direction: d.direction, from: d.from, to: d.to };
        for (const st of DIRECTION_STATES) g.state.set({ ...l, state: st }, d.state === st ? 1 : 0);
        const set = (gauge: Gauge<string>, value: number | null) => {
          if (value !== null && Number.isFinite(value)) gauge.set(l, value);
        };
        set(g.lag, d.lagEstimate);
        set(g.pending, d.changesPending);
        set(g.written, d.docsWritten);
        set(g.failures, d.docWriteFailures);
        set(g.checkpointAge, d.checkpointAge === null ? null : d.checkpointAge / 1000);
        if (d.observed) g.crashes.set(l, d.errorCount);
        // an info-style series: the member label moves with the job without relabelling every gauge
        if (d.clusterNode) g.member.set({ ...l, member: safeLabel(d.clusterNode) }, 1);
        // counters are never reset: a total across job runs, grown by what each poll adds
        const key = `${v.link}|${v.db}|${d.direction}`;
        const run = d.repId === null ? null : `${d.repId}@${d.jobStart ?? ''}`;
        const safe = Object.fromEntries(Object.entries(l).map(([k, x]) => [k, safeLabel(x)]));
        this.#c.written.inc(safe, this.#written.add(key, { run, value: d.docsWritten }));
        this.#c.failures.inc(safe, this.#failures.add(key, { run, value: d.docWriteFailures }));
      }
    for (const s of r.snapshots) {
      g.reachable.set({ mesh, node: s.node }, s.reachable ? 1 : 0);
      if (!s.reachable) continue;
      const counts = new Map<string, number>(
        DIRECTION_STATES.slice(0, SCHEDULER_STATES.length).map((x) => [x, 0]),
      );
      for (const d of s.docs) counts.set(d.state, (counts.get(d.state) ?? 0) + 1);
      for (const [state, n] of counts) g.jobs.set({ mesh, node: s.node, state }, n);
      g.reduced.set({ mesh, node: s.node }, s.confidence === 'reduced' ? 1 : 0);
      clusterGauges(g, mesh, s);
    }
    for (const sev of SEVERITIES) g.findings.set({ mesh, severity: sev }, 0);
    for (const f of r.findings) g.findings.inc({ mesh, severity: f.severity });
    for (const f of r.findings) g.findingsByRule.inc({ mesh, rule: f.rule, severity: f.severity });
    g.pollRequests.set({ mesh }, r.requests.total);
    g.pollDuration.set({ mesh }, (r.at - r.startedAt) / 1000);
    g.lastPoll.set({ mesh }, r.at / 1000);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

/** Per member of a cluster node: up or down (`_membership`), and its own `_stats` job gauges. */
function clusterGauges(g: ReturnType<typeof gauges>, mesh: string, s: PollResult['snapshots'][number]) {
  const m = s.membership;
  if (m && m.cluster.length > 1) {
    const up = new Set(m.all);
    for (const member of m.cluster)
      g.memberUp.set({ mesh, node: s.node, member: safeLabel(member) }, up.has(member) ? 1 : 0);
  }
  for (const [member, st] of Object.entries(s.memberStats ?? {}))
    for (const [state, n] of Object.entries(st.jobs))
      g.memberJobs.set({ mesh, node: s.node, member: safeLabel(member), state }, n);
  for (const note of s.notes ?? [])
    g.sideReadFailures.inc({ mesh, node: s.node, read: safeLabel(note.read) });
}

function counters(registry: Registry) {
  const dir = (name: string, help: string) =>
    new Counter({ name, help, labelNames: [...DIR_LABELS], registers: [registry] });
  return {
    written: dir(
      'couchmesh_link_docs_written_total',
      'docs written by a link direction across replication job runs (CouchDB resets docs_written when a job restarts; this total only grows)',
    ),
    failures: dir(
      'couchmesh_link_doc_write_failures_total',
      'doc write failures of a link direction across replication job runs (only grows)',
    ),
  };
}

function gauges(registry: Registry) {
  const dir = (name: string, help: string, extra: string[] = []) =>
    new Gauge({ name, help, labelNames: [...DIR_LABELS, ...extra], registers: [registry] });
  return {
    state: dir(
      'couchmesh_link_state',
      'replication state of a link direction, one-hot over the scheduler states (+ unknown: not observed, missing: no _replicator doc, unassigned: its cluster owner member is down)',
      ['state'],
    ),
    lag: dir(
      'couchmesh_link_lag_changes',
      'source update_seq minus checkpointed_source_seq, by numeric seq prefix: a HEURISTIC (opaque seqs on clusters)',
    ),
    pending: dir('couchmesh_link_changes_pending', 'changes_pending reported by the replication job'),
    written: dir('couchmesh_link_docs_written', 'docs_written of the current replication job run'),
    failures: dir(
      'couchmesh_link_doc_write_failures',
      'doc_write_failures of the current replication job run',
    ),
    checkpointAge: dir(
      'couchmesh_link_checkpoint_age_seconds',
      'time since checkpointed_source_seq last changed (a lower bound: since couchmesh first saw it)',
    ),
    crashes: dir(
      'couchmesh_link_crash_count',
      'consecutive crashes of the job (_scheduler/docs error_count)',
    ),
    member: dir(
      'couchmesh_link_member',
      'the cluster member running a link direction (1 for the member now running it; only for nodes that are CouchDB clusters)',
      ['member'],
    ),
    memberUp: new Gauge({
      name: 'couchmesh_node_member_up',
      help: '1 when a configured member of a cluster node is connected (_membership cluster_nodes vs all_nodes)',
      labelNames: ['mesh', 'node', 'member'],
      registers: [registry],
    }),
    memberJobs: new Gauge({
      name: 'couchmesh_node_member_jobs',
      help: "a cluster member's own replicator job gauges (_node/<member>/_stats/couch_replicator jobs.*)",
      labelNames: ['mesh', 'node', 'member', 'state'],
      registers: [registry],
    }),
    sideReadFailures: new Gauge({
      name: 'couchmesh_node_side_read_failures',
      help: 'side reads (_active_tasks, _scheduler/jobs, _stats, _membership) that failed in the last poll: their data was left out',
      labelNames: ['mesh', 'node', 'read'],
      registers: [registry],
    }),
    reachable: new Gauge({
      name: 'couchmesh_node_reachable',
      help: '1 when the node answered the last poll',
      labelNames: ['mesh', 'node'],
      registers: [registry],
    }),
    reduced: new Gauge({
      name: 'couchmesh_node_reduced_confidence',
      help: '1 when the node has no _scheduler API (states from _replicator documents only)',
      labelNames: ['mesh', 'node'],
      registers: [registry],
    }),
    jobs: new Gauge({
      name: 'couchmesh_node_jobs',
      help: 'replication documents of the node by scheduler state (_scheduler/docs)',
      labelNames: ['mesh', 'node', 'state'],
      registers: [registry],
    }),
    findings: new Gauge({
      name: 'couchmesh_findings',
      help: 'open health findings by severity',
      labelNames: ['mesh', 'severity'],
      registers: [registry],
    }),
    findingsByRule: new Gauge({
      name: 'couchmesh_findings_by_rule',
      help: 'open health findings by rule and severity',
      labelNames: ['mesh', 'rule', 'severity'],
      registers: [registry],
    }),
    pollRequests: new Gauge({
      name: 'couchmesh_poll_requests',
      help: 'HTTP requests made by the last poll (all nodes)',
      labelNames: ['mesh'],
      registers: [registry],
    }),
    pollDuration: new Gauge({
      name: 'couchmesh_poll_duration_seconds',
      help: 'wall time of the last poll',
      labelNames: ['mesh'],
      registers: [registry],
    }),
    lastPoll: new Gauge({
      name: 'couchmesh_last_poll_timestamp_seconds',
      help: 'unix time of the last completed poll',
      labelNames: ['mesh'],
      registers: [registry],
    }),
  };
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` (and a pointer at `/`) on `host` (default 127.0.0.1). */
export async function serveMetrics(
  metrics: { metrics(): Promise<string>; registry: Registry },
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      metrics.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' }).end(String(e));
        },
      );
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('couchmesh metrics: GET /metrics\n');
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw userError('E_PORT_IN_USE', `port ${port} on ${host} is already in use`, 'pick another --port');
    throw e;
  }
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
