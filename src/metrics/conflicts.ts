/**
 * Conflicted documents per database and node, a gauge: fed by whoever counted them (the controller's
 * conflict loop, from its changes reads or a `_conflicts` view), through `set`, not by the poll.
 * `replace` sets a whole look at once, so a database no longer listed disappears.
 */
import { Gauge, type Registry } from 'prom-client';
import { safeLabel } from './labels.ts';

export interface ConflictCount {
  db: string;
  node: string;
  /** documents with `_conflicts` at the last look */
  conflicted: number;
}

export class ConflictMetrics {
  readonly #mesh: string;
  readonly #gauge: Gauge<string>;

  constructor(registry: Registry, mesh: string) {
    this.#mesh = safeLabel(mesh);
    this.#gauge = new Gauge({
      name: 'couchmesh_db_conflicted_docs',
      help: 'documents with conflicts (_conflicts) in a mesh database on a node, at the last look',
      labelNames: ['mesh', 'db', 'node'],
      registers: [registry],
    });
  }

  set(c: ConflictCount): void {
    this.#gauge.set({ mesh: this.#mesh, db: safeLabel(c.db), node: safeLabel(c.node) }, c.conflicted);
  }

  replace(counts: readonly ConflictCount[]): void {
    this.#gauge.reset();
    for (const c of counts) this.set(c);
  }
}
