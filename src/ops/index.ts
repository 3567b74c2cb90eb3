/**
 * The domain operations every front end calls (the CLI today; the controller, its HTTP API and the
 * dashboard next): each takes options and `MeshDeps`, returns plain data and reports progress
 * through a callback — never printing, never exiting.
 */
export * from './apply.ts';
export * from './canary.ts';
export * from './certs.ts';
export * from './checkpoint.ts';
export * from './checkpoint-reset.ts';
export * from './conflicts.ts';
export * from './conflicts-config.ts';
export * from './demo.ts';
export * from './demo-data.ts';
export * from './demo-nodes.ts';
export * from './demo-types.ts';
export * from './deps.ts';
export * from './destroy.ts';
export * from './direction-job.ts';
export * from './display-path.ts';
export * from './doctor.ts';
export * from './example-mesh.ts';
export * from './grep-log.ts';
export * from './job-stop.ts';
export * from './mesh.ts';
export * from './metrics.ts';
export * from './plan.ts';
export * from './plan-view.ts';
export * from './poll.ts';
export * from './reconcile.ts';
export * from './reconcile-doc.ts';
export * from './rotate.ts';
export * from './status.ts';
export * from './status-run.ts';
export * from './verify.ts';
export * from './verify-repair.ts';
