/**
 * The controller as `couchmesh rehearse` runs it (src/ops/rehearse-controller.ts): `startController`
 * on the rehearsal's mesh file and clock, its store and log in the rehearsal's folder, a short stop
 * grace. Operations may not import the controller, so front ends and tests pass this in.
 */
import pino from 'pino';
import type { StartRehearsalController } from '../ops/rehearse-controller.ts';
import { startController } from './controller.ts';
import { controllerLogger } from './log.ts';

export const startRehearsalController: StartRehearsalController = (o, deps) =>
  startController(
    {
      file: o.file,
      stateDir: o.stateDir,
      graceMs: 2000,
      log: (redact) =>
        controllerLogger(redact, pino.destination({ dest: o.logFile, mkdir: true, sync: true })),
    },
    deps,
  );
