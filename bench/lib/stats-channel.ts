// Asking a benchmark child process for its figures: one `stats` line on its stdin, one JSON line
// starting `{"stats"` on its stdout (bench/lib/controller-child.ts, bench/lib/soak-node-child.ts).
import { createInterface } from 'node:readline';
import type { Child } from './process.ts';

export function statsChannel<T>(child: Child): () => Promise<T> {
  const waiting: Array<(s: T) => void> = [];
  createInterface({ input: child.proc.stdout! }).on('line', (l) => {
    if (!l.startsWith('{"stats"')) return;
    waiting.shift()?.(JSON.parse(l) as T);
  });
  return () =>
    new Promise<T>((resolve) => {
      waiting.push(resolve);
      child.proc.stdin!.write('stats\n');
    });
}
