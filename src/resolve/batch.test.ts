import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.ts';
import type { CouchClient } from '../couch/index.ts';
import { type BatchDeps, processBatch } from './batch.ts';
import { parseConflictsConfig } from './config.ts';
import { ConflictResolver } from './decide.ts';
import type { LeafReader } from './io/fetch.ts';
import type { FetchedLeaf } from './leaf.ts';
import { KnownLeaves, Limiter } from './pipeline.ts';
import { StatsRecorder } from './stats.ts';

/** A reader whose answers the test releases by hand; it records how many reads overlap. */
function gatedReader() {
  let inFlight = 0;
  const seen = { max: 0, reads: 0 };
  const waiting: Array<() => void> = [];
  const reader = {
    async receive(ids: readonly string[]) {
      seen.reads++;
      seen.max = Math.max(seen.max, ++inFlight);
      await new Promise<void>((r) => waiting.push(r));
      inFlight--;
      // one live leaf each: clean documents, so nothing is audited or written
      return () =>
        new Map(ids.map((id): [string, FetchedLeaf[]] => [id, [{ rev: '1-a', deleted: false, body: {} }]]));
    },
  } as unknown as LeafReader;
  const releaseAll = async () => {
    // bounded: a batch that fails before reading must fail the test, not spin it forever
    for (let turns = 0; turns < 10_000 && (seen.reads < 4 || waiting.length); turns++) {
      waiting.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { reader, seen, releaseAll };
}

/** Batch deps of a dry run (no audit, nothing written) over `reader`. */
function dryDeps(reader: LeafReader, resolver: ConflictResolver, gates: Partial<BatchDeps>): BatchDeps {
  const clock = new ManualClock();
  return {
    client: {} as CouchClient,
    db: 'db',
    reader,
    resolver,
    audit: undefined,
    stats: new StatsRecorder(clock),
    known: new KnownLeaves(),
    clock,
    emit: () => {},
    maxAttempts: 1,
    ...gates,
  };
}

async function fourBatches(readGate: Limiter | undefined) {
  const g = gatedReader();
  const deps = dryDeps(g.reader, await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww' })), {
    ...(readGate ? { readGate } : {}),
  });
  const runs = [0, 1, 2, 3].map((i) => processBatch(deps, [`doc-${i}`]));
  await g.releaseAll();
  await Promise.all(runs);
  return { ...g.seen, clean: deps.stats.counts.clean };
}

test('batches sharing a read gate read one at a time (the next is read while the last is decided)', async () => {
  assert.deepEqual(await fourBatches(new Limiter(1)), { max: 1, reads: 4, clean: 4 });
});

test('without a gate every batch reads at once', async () => {
  assert.deepEqual(await fourBatches(undefined), { max: 4, reads: 4, clean: 4 });
});

/** Two batches of 120 clean docs through both gates; the order of their reads and decisions. */
async function twoBatchesDeciding(decideGate: Limiter | undefined) {
  const log: string[] = [];
  const reader = {
    async receive(ids: readonly string[]) {
      log.push(`read ${ids[0]?.slice(0, 1)}`);
      await new Promise((r) => setImmediate(r));
      return () =>
        new Map(ids.map((id): [string, FetchedLeaf[]] => [id, [{ rev: '1-a', deleted: false, body: {} }]]));
    },
  } as unknown as LeafReader;
  const resolver = await ConflictResolver.create(parseConflictsConfig({ strategy: 'lww' }));
  const decide = resolver.decide.bind(resolver);
  resolver.decide = (id, all, carried) => {
    if (log.at(-1) !== `decide ${id.slice(0, 1)}`) log.push(`decide ${id.slice(0, 1)}`);
    return decide(id, all, carried);
  };
  const deps = dryDeps(reader, resolver, {
    readGate: new Limiter(1),
    ...(decideGate ? { decideGate } : {}),
  });
  const ids = (p: string) => Array.from({ length: 120 }, (_, i) => `${p}-${i}`);
  await Promise.all([processBatch(deps, ids('a')), processBatch(deps, ids('b'))]);
  assert.equal(deps.stats.counts.clean, 240);
  return log;
}

test('the next batch is read before this one decides; one batch decides at a time', async () => {
  assert.deepEqual(await twoBatchesDeciding(new Limiter(1)), ['read a', 'read b', 'decide a', 'decide b']);
  // without the decide gate the two batches' decisions take turns (both finish late)
  const interleaved = await twoBatchesDeciding(undefined);
  assert.ok(interleaved.filter((x) => x.startsWith('decide')).length > 2, interleaved.join(', '));
});
