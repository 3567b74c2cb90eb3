import type { Command } from 'commander';
import { destroyOperation } from '../../ops/destroy.ts';
import type { Output } from '../boundary.ts';
import { registerReviewed } from './reviewed.ts';

export function registerDestroy(program: Command, output: Output): void {
  registerReviewed(program, output, {
    name: 'destroy',
    description:
      'remove every replication document couchmesh owns for this mesh (databases and data are kept)',
    verb: 'destroy',
    question: 'destroy',
    run: destroyOperation,
  });
}
