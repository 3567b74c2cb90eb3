import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SharedPool } from './shared-pool.ts';

it('SharedPool: one value per key, closed when its last user releases it', async () => {
  const pool = new SharedPool<{ n: number; closed: boolean; close(): Promise<void> }>();
  let made = 0;
  const make = () => {
    const v = {
      n: ++made,
      closed: false,
      async close() {
        v.closed = true;
      },
    };
    return v;
  };
  const a = pool.acquire('k', make);
  const b = pool.acquire('k', make);
  assert.equal(a, b);
  assert.equal(made, 1);
  await pool.release('k');
  assert.equal(a.closed, false);
  await pool.release('k');
  assert.equal(a.closed, true);
  assert.equal(pool.size, 0);
  assert.equal(pool.acquire('k', make).n, 2);
});
