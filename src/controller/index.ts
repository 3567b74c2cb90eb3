/**
 * The controller as front ends use it: `startController` (what `couchmesh run` starts) and the
 * contract of view.ts (`ControllerHandle`, snapshot, events, commands) the HTTP API serves.
 */
export { type Controller, type ControllerOptions, startController, stateDirFor } from './controller.ts';
export { controllerLogger } from './log.ts';
export * from './view.ts';
