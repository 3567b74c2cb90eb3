/**
 * The rehearsal's vocabulary (`couchmesh rehearse`, #16): the declared topology as the scenarios see
 * it, the faults a scenario schedules, and the closed set of scenario names.
 */

export const SCENARIOS = [
  'partition',
  'isolate',
  'split',
  'flap',
  'crash',
  'recreate',
  'relay-loss',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface TopoNode {
  name: string;
  region?: string;
  role: 'edge' | 'relay' | 'hub';
}

export interface TopoLink {
  /** `a--b`, names sorted (the spec's link key) */
  key: string;
  nodes: readonly [string, string];
  class: string;
}

/** What a scenario needs to know of the mesh: nodes, links, databases, whether failover is declared. */
export interface Topology {
  nodes: readonly TopoNode[];
  links: readonly TopoLink[];
  databases: readonly string[];
  failover: boolean;
}

/** One thing done to the rehearsal world at a time offset. */
export type Fault =
  /** the links' fault proxies hold every byte (a partition: sockets stay open, nothing passes) */
  | { kind: 'cut'; links: string[] }
  | { kind: 'heal'; links: string[] }
  /** the node's process is killed (SIGKILL: no close, no flush) */
  | { kind: 'crash'; node: string }
  /** started again on the same data folder and port */
  | { kind: 'restart'; node: string }
  /** the database deleted and created again (empty) on the node */
  | { kind: 'recreate'; node: string; db: string }
  /** a relay lost whole: its node killed, its links cut, its forward proxy (failover) stopped */
  | { kind: 'lose-relay'; node: string; links: string[] };

export interface Step {
  /** ms after the scenario's start */
  atMs: number;
  fault: Fault;
}

export interface ScenarioPlan {
  name: ScenarioName;
  /** one line saying what the scenario does, for the report */
  description: string;
  steps: Step[];
  /** why the scenario does not run on this mesh (then `steps` is empty) */
  skipped?: string;
  /**
   * Checkpoints this scenario resets on purpose (`node/db`: a recreated database loses its
   * `_local` checkpoints): a re-scan from 0 of a direction touching it is expected, not a fault.
   */
  expectRescan: string[];
}

export const linkKey = (a: string, b: string): string => (a < b ? `${a}--${b}` : `${b}--${a}`);

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'cut':
    case 'heal':
      return `${f.kind} ${f.links.join(' ')}`;
    case 'crash':
    case 'restart':
      return `${f.kind} ${f.node}`;
    case 'recreate':
      return `recreate ${f.node}/${f.db}`;
    case 'lose-relay':
      return `relay ${f.node} lost (node killed, proxy stopped, ${f.links.join(' ')} cut)`;
  }
}
