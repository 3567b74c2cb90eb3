/**
 * The controller's own Prometheus counters, in the same registry as the mesh's gauges (so
 * `/metrics` shows both): actions by loop, kind and outcome, and failed loop passes. Counters,
 * since both only grow for the life of the process (Prometheus' rate() handles the restart).
 */
import { Counter, type Registry } from 'prom-client';

export interface ControllerCounters {
  actions: Counter<'mesh' | 'loop' | 'kind' | 'outcome'>;
  errors: Counter<'mesh' | 'loop'>;
}

export function controllerCounters(registry: Registry): ControllerCounters {
  return {
    actions: new Counter({
      name: 'couchmesh_controller_actions_total',
      help: 'controller actions by loop, kind and outcome (done, failed, declined, dry-run, rate-limited)',
      labelNames: ['mesh', 'loop', 'kind', 'outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'couchmesh_controller_loop_errors_total',
      help: 'controller loop passes that failed (retried after the key backoff)',
      labelNames: ['mesh', 'loop'],
      registers: [registry],
    }),
  };
}
