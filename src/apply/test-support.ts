/** Helpers of the apply tests (not shipped): a plan made of the given actions only. */
import type { Plan } from '../plan/types.ts';

export const planOf = (actions: Plan['actions']): Plan => ({
  mesh: 'm',
  actions,
  drift: [],
  orphans: [],
  unreachable: [],
  refused: [],
  errors: [],
  observed: 'x',
  noop: 0,
});
