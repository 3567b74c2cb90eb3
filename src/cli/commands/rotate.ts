import type { Command } from 'commander';
import { rotateOperation } from '../../ops/rotate.ts';
import type { Output } from '../boundary.ts';
import { registerReviewed } from './reviewed.ts';

export function registerRotate(program: Command, output: Output): void {
  registerReviewed(program, output, {
    name: 'rotate-credentials',
    description:
      'set the replication users’ new passwords (from their references) on every node and update the replication docs; checkpoints are kept',
    verb: 'apply',
    question: 'rotate-credentials',
    run: rotateOperation,
  });
}
