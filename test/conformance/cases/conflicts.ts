// Conflict trees made with new_edits:false, winner choice, _conflicts order, revs_info "missing", resolution
// with one _bulk_docs, _deleted_conflicts, _changes style=all_docs / main_only.
import { checkChanges } from './changes.ts';
import { C1_LEAVES, C1_RESOLVE, REV, seedConflicts } from './fixtures.ts';
import { type Area, JSON_CT } from './types.ts';

const hex = (rev: string) => rev.slice(rev.indexOf('-') + 1);
const leafA = { _id: 'c1', _rev: REV.c1_a, title: 'edit from device A', count: 1 };
const leafB = { _id: 'c1', _rev: REV.c1_b, title: 'edit from device B', count: 2 };
const leafC = { _id: 'c1', _rev: REV.c1_c, title: 'edit from device C', count: 3 };
const merged = {
  _id: 'c1',
  _rev: REV.c1_merged,
  title: 'merged A+B+C',
  count: 6,
  merged_from: [REV.c1_a, REV.c1_b, REV.c1_c],
};
const plainRow = { id: 'plain', changes: [{ rev: REV.plain }] };

export const conflictsArea: Area = {
  name: 'conflicts',
  cases: [
    {
      name: '_bulk_docs new_edits:false: leaves 2-A, 2-B and 3-C (via a missing 2-D) under a missing root -> 201 []',
      sample: 'conflicts-1-bulk-docs-new-edits-false-three-leaves.json',
      request: { method: 'POST', path: '/{db}/_bulk_docs', body: { docs: C1_LEAVES, new_edits: false } },
      expect: { status: 201, contentType: JSON_CT, body: [] },
    },
    {
      name: 'GET conflicted doc: winner is the highest pos leaf',
      sample: 'conflicts-2-get-plain-winner.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/c1' },
      expect: { status: 200, contentType: JSON_CT, headers: { etag: `"${REV.c1_c}"` }, body: leafC },
    },
    {
      name: 'GET doc?conflicts=true: _conflicts sorted by pos desc, then rev id desc',
      sample: 'conflicts-2-get-conflicts-true.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/c1?conflicts=true' },
      expect: { status: 200, contentType: JSON_CT, body: { ...leafC, _conflicts: [REV.c1_b, REV.c1_a] } },
    },
    {
      name: 'GET doc?rev=<root only named in _revisions> -> 404 missing',
      sample: 'conflicts-2-get-non-leaf-rev-body-missing.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: `/{db}/c1?rev=${REV.c1_root}` },
      expect: { status: 404, contentType: JSON_CT, body: { error: 'not_found', reason: 'missing' } },
    },
    {
      name: 'GET doc?open_revs=all: the 3 leaves, sorted by rev',
      sample: 'conflicts-2-get-open-revs-all.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/c1?open_revs=all', headers: { Accept: 'application/json' } },
      expect: { status: 200, contentType: JSON_CT, body: [{ ok: leafA }, { ok: leafB }, { ok: leafC }] },
    },
    {
      name: 'GET doc?revs_info=true&conflicts=true: ancestors without bodies are "missing"',
      sample: 'conflicts-2-get-revs-info-conflicts.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/c1?revs_info=true&conflicts=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          ...leafC,
          _revs_info: [
            { rev: REV.c1_c, status: 'available' },
            { rev: REV.c1_c_parent, status: 'missing' },
            { rev: REV.c1_root, status: 'missing' },
          ],
          _conflicts: [REV.c1_b, REV.c1_a],
        },
      },
    },
    {
      name: '_bulk_docs resolution: merged body on the winner + _deleted on the losers',
      sample: 'conflicts-3-resolve-bulk-docs.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'POST', path: '/{db}/_bulk_docs', body: { docs: C1_RESOLVE } },
      expect: {
        status: 201,
        contentType: JSON_CT,
        body: [
          { ok: true, id: 'c1', rev: REV.c1_merged },
          { ok: true, id: 'c1', rev: REV.c1_a_deleted },
          { ok: true, id: 'c1', rev: REV.c1_b_deleted },
        ],
      },
    },
    {
      name: 'after resolution: _changes?style=all_docs lists winner then deleted leaves',
      sample: 'conflicts-4-after-resolve-changes-style-all-docs.json',
      setup: (ctx) => seedConflicts(ctx, true),
      request: { method: 'GET', path: '/{db}/_changes?style=all_docs' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, {
            rows: [
              plainRow,
              {
                id: 'c1',
                changes: [{ rev: REV.c1_merged }, { rev: REV.c1_b_deleted }, { rev: REV.c1_a_deleted }],
              },
            ],
            pending: 0,
            lastSeqIsLastRow: true,
          }),
      },
    },
    {
      name: 'after resolution: no _conflicts, _deleted_conflicts lists the deleted leaves',
      sample: 'conflicts-4-after-resolve-get-conflicts-deleted-conflicts.json',
      setup: (ctx) => seedConflicts(ctx, true),
      request: { method: 'GET', path: '/{db}/c1?conflicts=true&deleted_conflicts=true&revs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: {
          ...merged,
          _revisions: {
            start: 4,
            ids: [hex(REV.c1_merged), hex(REV.c1_c), hex(REV.c1_c_parent), hex(REV.c1_root)],
          },
          _deleted_conflicts: [REV.c1_b_deleted, REV.c1_a_deleted],
        },
      },
    },
    {
      name: 'after resolution: open_revs=all has the live winner and the deleted leaves',
      sample: 'conflicts-4-after-resolve-open-revs-all.json',
      setup: (ctx) => seedConflicts(ctx, true),
      request: { method: 'GET', path: '/{db}/c1?open_revs=all', headers: { Accept: 'application/json' } },
      expect: {
        status: 200,
        contentType: JSON_CT,
        body: [
          { ok: { _id: 'c1', _rev: REV.c1_a_deleted, _deleted: true } },
          { ok: { _id: 'c1', _rev: REV.c1_b_deleted, _deleted: true } },
          { ok: merged },
        ],
      },
    },
    {
      name: '_changes (main_only) on a conflicted doc: only the winning rev',
      sample: 'changes-main-only-on-conflicted-db.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/_changes' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, {
            rows: [{ id: 'c1', changes: [{ rev: REV.c1_c }] }, plainRow],
            pending: 0,
            lastSeqIsLastRow: true,
          }),
      },
    },
    {
      name: '_changes?style=all_docs: winner first, then the other leaves',
      sample: 'changes-style-all-docs.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/_changes?style=all_docs' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, {
            rows: [
              { id: 'c1', changes: [{ rev: REV.c1_c }, { rev: REV.c1_b }, { rev: REV.c1_a }] },
              plainRow,
            ],
            pending: 0,
            lastSeqIsLastRow: true,
          }),
      },
    },
    {
      name: '_changes?style=all_docs&conflicts=true&include_docs=true: doc carries _conflicts',
      sample: 'changes-style-all-docs-conflicts-include-docs.json',
      setup: (ctx) => seedConflicts(ctx),
      request: { method: 'GET', path: '/{db}/_changes?style=all_docs&conflicts=true&include_docs=true' },
      expect: {
        status: 200,
        contentType: JSON_CT,
        check: (res) =>
          checkChanges(res.json, {
            rows: [
              {
                id: 'c1',
                changes: [{ rev: REV.c1_c }, { rev: REV.c1_b }, { rev: REV.c1_a }],
                doc: { ...leafC, _conflicts: [REV.c1_b, REV.c1_a] },
              },
              { ...plainRow, doc: { _id: 'plain', _rev: REV.plain, title: 'no conflicts' } },
            ],
            pending: 0,
            lastSeqIsLastRow: true,
          }),
      },
    },
  ],
};
