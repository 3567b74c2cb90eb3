// The ground truth the cases were derived from: every sample a case names (and every replicator trace) must
// still exist, and the case must agree with it on method and status; a case whose expected body is static and
// not marked as a deviation must expect exactly the sample's body. A renamed or re-captured sample is noticed
// here. The samples are committed under test/fixtures/couchdb: a missing one fails, never skips.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AREAS } from './cases/index.ts';
import type { Case } from './cases/types.ts';
import { SAMPLES_DIR, TRACES_DIR } from './harness.ts';
import { TRACE_FILES } from './trace-data.ts';

interface VectorsFile {
  vectors: Array<{
    name: string;
    status: number;
    rev: string;
    request: { method: string; body_raw: string | null };
  }>;
}

/** rev-id-vectors.json holds many requests: the case must match the vector it is named after. */
function checkVector(c: Case, file: VectorsFile): void {
  const name = /vector "([^"]+)"/.exec(c.name)?.[1];
  const v = file.vectors.find((x) => x.name === name);
  assert.ok(v, `no vector ${name} in rev-id-vectors.json`);
  assert.ok(typeof c.request !== 'function' && typeof c.expect !== 'function');
  assert.equal(c.request.method, v.request.method);
  assert.equal(c.request.body ?? null, v.request.body_raw);
  assert.equal(c.expect.status, v.status);
  assert.deepEqual(c.expect.body, { ok: true, id: (c.expect.body as { id: string }).id, rev: v.rev });
}

describe('samples used by the conformance cases', () => {
  const cases = AREAS.flatMap((a) => a.cases).filter((c) => c.sample);

  test('cases name their sample', () => {
    assert.ok(cases.length >= 100, `${cases.length} cases name a sample`);
  });

  for (const c of cases) {
    test(`${c.sample} <- ${c.name}`, () => {
      const file = join(SAMPLES_DIR, c.sample!);
      assert.ok(existsSync(file), `sample ${c.sample} does not exist (renamed?)`);
      const sample = JSON.parse(readFileSync(file, 'utf8')) as {
        request?: { method: string; path: string };
        status?: number;
        body?: unknown;
      };
      if (c.sample === 'rev-id-vectors.json') return checkVector(c, sample as unknown as VectorsFile);
      assert.ok(
        sample.request && typeof sample.status === 'number',
        `${c.sample} has no request/status wrapper`,
      );
      if (typeof c.request !== 'function') {
        assert.equal(c.request.method, sample.request.method, 'the case sends the sample request method');
        if (c.request.path.startsWith('/{db}')) {
          const sampleDb = sample.request.path.split('/')[1]!.split('?')[0]!;
          assert.equal(
            c.request.path.replace('{db}', sampleDb),
            sample.request.path,
            'the case sends the sample path',
          );
        }
      }
      if (typeof c.expect !== 'function') {
        const want = c.expect.status;
        if (Array.isArray(want)) assert.ok(want.includes(sample.status), `sample status ${sample.status}`);
        else assert.equal(want, sample.status, 'the case expects the sample status');
        if (c.expect.body !== undefined && !c.deviation) {
          assert.deepStrictEqual(c.expect.body, sample.body, 'the case expects the sample body');
        }
      }
    });
  }
});

describe('replicator traces', () => {
  for (const f of TRACE_FILES) {
    test(f, () => {
      const file = join(TRACES_DIR, f);
      assert.ok(existsSync(file), `trace ${f} does not exist (renamed?)`);
      const trace = JSON.parse(readFileSync(file, 'utf8')) as { exchanges?: unknown[] };
      assert.ok(Array.isArray(trace.exchanges) && trace.exchanges.length > 0, `${f} has exchanges`);
    });
  }
});
