/**
 * Test support (not shipped): an in-memory ControllerHandle over the example mesh. Its graph comes
 * from the real spec (examples/seed-mesh.yaml through src/spec), its status from StatusReports
 * recorded with `statusOperation` on the seed mesh of embedded nodes (fixtures/, ports and the mesh
 * path normalised to the seed's). Tests push events with `emit`; commands are recorded and answered.
 * Not a CouchDB mock: it stands in for the controller, the layer above every node.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  ControllerAction,
  ControllerEvent,
  ControllerHandle,
  ControllerSnapshot,
  GraphDirection,
  GraphNode,
} from '../controller/view.ts';
import type { StatusReport } from '../ops/status.ts';
import { pairKey } from '../spec/generators.ts';
import { loadMeshFile } from '../spec/load.ts';
import { renderMermaid } from '../spec/mermaid.ts';
import type { MeshSpec } from '../spec/types.ts';
import { applyEvent } from './events.ts';
import { type SseMessage, SseParser } from './sse-parse.ts';

export const SEED_MESH = fileURLToPath(new URL('../../examples/seed-mesh.yaml', import.meta.url));

export function seedSpec(): MeshSpec {
  const r = loadMeshFile(SEED_MESH, { env: {}, checkReferences: false });
  if (!r.spec) throw new Error(`examples/seed-mesh.yaml does not validate: ${JSON.stringify(r.diagnostics)}`);
  return r.spec;
}

/** The live graph of a spec: every node, and both directions of every link for each of its dbs. */
export function graphOf(spec: MeshSpec): { nodes: GraphNode[]; directions: GraphDirection[] } {
  return {
    nodes: spec.nodes.map((n) => ({ name: n.name, url: n.url, role: n.role, region: n.region ?? null })),
    directions: spec.links.flatMap((l) =>
      l.databases.flatMap((db) =>
        [l.nodes, [l.nodes[1], l.nodes[0]] as const].map(([from, to]) => ({
          direction: `${from}->${to}`,
          link: pairKey(from, to),
          db,
          from,
          to,
          via: [],
        })),
      ),
    ),
  };
}

/** A recorded StatusReport: `healthy` (all running) or `n3-down` (n3 stopped, one poll later). */
export function recordedStatus(which: 'healthy' | 'n3-down'): StatusReport {
  const name = which === 'healthy' ? 'status-seed.json' : 'status-seed-n3-down.json';
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as StatusReport;
}

export interface CommandCall {
  command: 'resetCheckpoint' | 'reconcile' | 'undoResolution';
  args: [string, string];
}

export class FakeController implements ControllerHandle {
  #snap: ControllerSnapshot;
  readonly #listeners = new Set<(e: ControllerEvent) => void>();
  readonly #spec: MeshSpec;
  readonly calls: CommandCall[] = [];
  /** the next command fails with this error instead of answering */
  failNext: Error | undefined;

  constructor(spec: MeshSpec = seedSpec(), status: StatusReport | null = recordedStatus('healthy')) {
    this.#spec = spec;
    this.#snap = {
      mesh: spec.mesh,
      started_at: '2026-12-07T00:00:00.000Z',
      generation: 1,
      dry_run: false,
      ...graphOf(spec),
      status,
      findings: status?.findings ?? [],
      conflicts: [],
      resolutions: [],
      actions: [],
      drift: { at: '2026-12-07T00:00:00.000Z', changes: {} },
      routes: [],
    };
  }

  get generation(): number {
    return this.#snap.generation;
  }

  /** Applies an event (its generation: the next one) and hands it to every subscriber. */
  emit(event: DistributiveOmit<ControllerEvent, 'generation'>): ControllerEvent {
    const e = { ...event, generation: this.#snap.generation + 1 } as ControllerEvent;
    this.#snap = applyEvent(this.#snap, e);
    for (const l of this.#listeners) l(e);
    return e;
  }

  /**
   * Routes a direction through relays (what FAILOVER will do). No ControllerEvent carries routes,
   * so clients see it in the next snapshot (a reconnect, or GET /api/v1/snapshot).
   */
  reroute(direction: string, db: string, via: string[]): void {
    this.#snap = {
      ...this.#snap,
      generation: this.#snap.generation + 1,
      directions: this.#snap.directions.map((d) =>
        d.direction === direction && d.db === db ? { ...d, via } : d,
      ),
    };
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  snapshot(): ControllerSnapshot {
    return this.#snap;
  }

  subscribe(listener: (e: ControllerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async metrics() {
    return {
      contentType: 'text/plain; version=0.0.4; charset=utf-8',
      body: `# TYPE couchmesh_fake_generation gauge\ncouchmesh_fake_generation ${this.#snap.generation}\n`,
    };
  }

  mermaid(): string {
    return renderMermaid(this.#spec);
  }

  async #command(command: CommandCall['command'], a: string, b: string, kind: string, target: string) {
    this.calls.push({ command, args: [a, b] });
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    const action: ControllerAction = {
      id: `op-${this.calls.length}`,
      at: new Date(Date.UTC(2026, 11, 7, 0, 0, this.calls.length)).toISOString(),
      loop: 'operator',
      kind,
      target,
      outcome: 'done',
      detail: `${kind} ${target}`,
    };
    this.emit({ type: 'action', action });
    return action;
  }

  resetCheckpoint(direction: string, db: string) {
    return this.#command(
      'resetCheckpoint',
      direction,
      db,
      'reset-checkpoints',
      `direction:${direction}/${db}`,
    );
  }

  reconcile(direction: string, db: string) {
    return this.#command('reconcile', direction, db, 'reconcile', `direction:${direction}/${db}`);
  }

  async undoResolution(db: string, auditId: string) {
    const action = await this.#command('undoResolution', db, auditId, 'undo', `db:${db}/${auditId}`);
    const done = this.#snap.resolutions.find((r) => r.db === db && r.audit_id === auditId);
    if (done) this.emit({ type: 'resolution', resolution: { ...done, undone: true } });
    return action;
  }
}

/** Reads an event stream with fetch: `next()` is the next event; `parser.comments` counts heartbeats. */
export async function openEvents(url: string, headers: Record<string, string> = {}) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  const queue: SseMessage[] = [];
  return {
    res,
    parser,
    async next(): Promise<SseMessage | null> {
      while (queue.length === 0) {
        const r = await reader.read();
        if (r.done) return null;
        queue.push(...parser.feed(r.value));
      }
      return queue.shift() ?? null;
    },
    close: () => abort.abort(),
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
