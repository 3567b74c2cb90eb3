/**
 * The demo operation's data: its options, what it needs from the world, the progress events it
 * reports (a front end renders them; the operation never prints) and the running demo it returns.
 */

import type { MeshSpec } from '../spec/types.ts';
import type { ApplyOutcome } from './apply.ts';
import type { MeshDeps } from './deps.ts';
import type { PlanView } from './plan-view.ts';

/** The database the demo writes its sample readings to. */
export const DEMO_DB = 'sensors';
/** How many sample readings the demo writes on the first node. */
export const DEMO_SAMPLES = 5;

export interface DemoOptions {
  /** number of nodes: 4 = the example mesh (examples/seed-mesh.yaml); otherwise a generated ring of n1..nN */
  nodes?: number;
  /** port of the first node (default: the mesh's, 25984); 0 = any free ports */
  port?: number;
  /** how long to wait for the sample documents to arrive everywhere (default 30 s) */
  timeoutMs?: number;
  /**
   * Edits the mesh text once the nodes run, before it is applied (the controller's demo adds its
   * `controller:` and `conflicts:` blocks and routes links through fault proxies); the applied
   * file is then always a temporary copy, so nothing is written beside the example.
   */
  editMesh?: (text: string, o: { spec: MeshSpec; nodes: readonly DemoNode[] }) => Promise<string> | string;
}

/** A running node as the demo needs it (what `startNode` of src/node returns). */
export interface DemoNodeHandle {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts one in-memory node listening on 127.0.0.1:`port` (0 = any free port); rejects with code
 * `E_PORT_IN_USE` when the port is taken. The front end passes src/node's `startNode`: operations
 * sit below the embedded node's entry in the layers (.dependency-cruiser.cjs), and a controller
 * may start its nodes another way.
 */
export type StartNode = (options: {
  port: number;
  inMemory: true;
  admins: Record<string, string>;
}) => Promise<DemoNodeHandle>;

export interface DemoDeps extends MeshDeps {
  startNode: StartNode;
  /** publishes the admin password as COUCHMESH_PASSWORD (the CLI sets it in process.env) */
  setEnv?: (name: string, value: string) => void;
}

export interface DemoNode {
  name: string;
  url: string;
  /** the port the mesh file asked for (differs from `url`'s when it was busy) */
  wanted: number;
}

export interface DemoArrival {
  node: string;
  /** ms from the write on the first node until every sample was readable on this node */
  ms: number;
}

/** Progress of the demo, in the order it happens. */
export type DemoEvent =
  | { type: 'starting'; count: number }
  | { type: 'port-busy'; node: string; wanted: number; port: number }
  | { type: 'node-up'; node: string; url: string }
  /** a copy of the mesh was written: the example with the ports used, or the generated ring */
  | { type: 'mesh-written'; file: string; ring: boolean; count: number; edited?: boolean }
  | { type: 'applying'; meshFile: string }
  | { type: 'plan'; view: PlanView }
  | { type: 'applied'; outcome: ApplyOutcome }
  | { type: 'writing'; node: string; samples: number }
  | { type: 'converged'; first: string; count: number; samples: number; arrivals: DemoArrival[] };

export type DemoProgress = (event: DemoEvent) => void;

/** A running demo: its nodes keep replicating until `close()`. */
export interface DemoRun {
  nodes: DemoNode[];
  /** the mesh file applied: the example itself, or a temporary copy with the ports actually used */
  meshFile: string;
  /** the 0600 file holding the made-up admin password; absent when the environment gave one */
  passwordFile?: string;
  db: string;
  apply: ApplyOutcome;
  /** ids of the sample documents written on the first node */
  samples: string[];
  arrivals: DemoArrival[];
  /** stops every node and removes the demo's temporary files (safe to call twice) */
  close(): Promise<void>;
}
