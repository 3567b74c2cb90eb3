// Fuzzing mesh.yaml validation (VERIFY-CHAOS #16): mutations of the example meshes (text edits and
// edits of the YAML tree), YAML made to hurt a parser (alias bombs, deep nesting, odd scalars) and
// random text. `validateMesh` never throws: every result is a valid spec or diagnostics that each
// carry a file:line:col inside the text; it is a pure function of the text (same text, same
// result). validate.test.ts holds the random-document property; this one starts from real meshes,
// so the mutants reach deep into the resolver (links, classes, failover, controller) instead of
// stopping at the first unknown key.
//
// Fixed seed (CI is reproducible); FUZZ_RUNS / FUZZ_SEED raise or change it locally. fast-check
// prints the seed and the shrunk input on failure.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap, isNode, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { ValidateOptions } from './context.ts';
import { validateMesh } from './validate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 16_2026);
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);
const PARAMS = { seed: SEED, numRuns: RUNS, includeErrorInReport: true };

const EXAMPLES = new URL('../../examples/', import.meta.url);
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => readFileSync(new URL(f, EXAMPLES), 'utf8'));

// every credential and file reference resolves: the mutations, not the environment, make the errors
const OPTIONS: ValidateOptions = {
  references: { env: new Proxy({}, { get: () => 'secret', has: () => true }), fileExists: () => true },
};

/** Validates and checks what must hold of any result; returns it. */
function checked(text: string) {
  const r = validateMesh(text, { file: 'mesh.yaml', ...OPTIONS });
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const d of r.diagnostics) {
    const where = JSON.stringify(d);
    assert.equal(d.file, 'mesh.yaml', where);
    assert.ok(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines + 1, where);
    assert.ok(Number.isInteger(d.column) && d.column >= 1, where);
    assert.ok(typeof d.message === 'string' && d.message.length > 0, where);
    assert.match(d.code, /^[EW]_[A-Z0-9_]+$/, where);
    assert.equal(d.severity === 'error', d.code.startsWith('E_'), where);
  }
  assert.equal(r.ok, r.errors === 0);
  assert.equal(r.ok, r.spec !== undefined);
  assert.equal(r.errors + r.warnings, r.diagnostics.length);
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Mutations

type Path = Array<string | number>;

/** Every path of the document's tree (map keys as written, sequence indexes). */
function paths(doc: ReturnType<typeof parseDocument>): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, at: Path) => {
    if (isMap(node))
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = isScalar(item.key) ? item.key.value : item.key;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        out.push([...at, key]);
        walk(item.value, [...at, key]);
      }
    else if (isSeq(node))
      node.items.forEach((v, i) => {
        out.push([...at, i]);
        walk(v, [...at, i]);
      });
  };
  walk(doc.contents, []);
  return out;
}

// the mesh file's own keys (spec/schema.ts), so renames and new maps land on names the resolver reads
const KEYS = (
  'mesh nodes databases links link_classes defaults thresholds controller canary failover between class url ' +
  'auth role relays generate hub direction conflicts strategy security password_env'
).split(' ');

const scalar = fc.oneof(
  fc.constantFrom('n1', 'n2', 'n9', 'all', 'star', 'ring', 'full-mesh', 'push', 'pull', 'both', 'relay'),
  fc.constantFrom('http://127.0.0.1:1', 'https://[::1]:6984', 'ftp://x', '', '~', 'null', '0x1F', '1e400'),
  fc.constantFrom(-1, 0, 1, 2 ** 53, 1.5, Number.MAX_VALUE, true, false, null),
  fc.string({ maxLength: 8 }),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 3 }),
  ),
})).v;

type TreeEdit =
  | { op: 'delete'; at: number }
  | { op: 'set'; at: number; value: unknown }
  | { op: 'copy'; at: number; from: number }
  | { op: 'rename'; at: number; key: string };

const treeEdit: fc.Arbitrary<TreeEdit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value }),
  fc.record({ op: fc.constant('copy' as const), at: fc.nat(), from: fc.nat() }),
  fc.record({ op: fc.constant('rename' as const), at: fc.nat(), key: fc.constantFrom(...KEYS) }),
);

/** Applies tree edits to an example; a path index picks among the paths present at that moment. */
function editTree(text: string, edits: TreeEdit[]): string {
  const doc = parseDocument(text);
  for (const e of edits) {
    const all = paths(doc);
    if (all.length === 0) break;
    const at = all[e.at % all.length]!;
    if (e.op === 'delete') doc.deleteIn(at);
    else if (e.op === 'set') doc.setIn(at, doc.createNode(e.value));
    else if (e.op === 'copy') {
      // a plain copy: a node set inside itself would make the tree a cycle
      const from: unknown = doc.getIn(all[e.from % all.length]!, true);
      doc.setIn(at, doc.createNode(isNode(from) ? from.toJS(doc) : from));
    } else if (typeof at.at(-1) === 'string') {
      const v = doc.getIn(at, true);
      doc.deleteIn(at);
      doc.setIn([...at.slice(0, -1), e.key], v); // a key renamed inside its map, not a sequence
    }
  }
  return doc.toString();
}

type TextEdit =
  | { op: 'drop' | 'dup' | 'indent' | 'dedent'; line: number }
  | { op: 'swap'; line: number; other: number }
  | { op: 'insert'; line: number; col: number; text: string }
  | { op: 'cut'; at: number };

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.record({
    op: fc.constantFrom('drop' as const, 'dup' as const, 'indent' as const, 'dedent' as const),
    line: fc.nat(),
  }),
  fc.record({ op: fc.constant('swap' as const), line: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    line: fc.nat(),
    col: fc.nat({ max: 40 }),
    text: fc.oneof(
      fc.constantFrom(
        ':',
        ': ',
        '- ',
        '&a ',
        '*a',
        '<<: *a',
        '{',
        ']',
        '"',
        "'",
        '#',
        '\t',
        '!!binary ',
        '? ',
        '|',
        '%YAML 1.1',
      ),
      fc.string({ maxLength: 6 }),
    ),
  }),
  fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
);

function editText(text: string, edits: TextEdit[]): string {
  let lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    if (e.op === 'cut') {
      const all = lines.join('\n');
      lines = all.slice(0, e.at % (all.length + 1)).split('\n');
      continue;
    }
    const i = e.line % lines.length;
    const line = lines[i]!;
    if (e.op === 'drop') lines.splice(i, 1);
    else if (e.op === 'dup') lines.splice(i, 0, line);
    else if (e.op === 'indent') lines[i] = `  ${line}`;
    else if (e.op === 'dedent') lines[i] = line.replace(/^ {1,2}/, '');
    else if (e.op === 'swap') {
      const j = e.other % lines.length;
      [lines[i], lines[j]] = [lines[j]!, line];
    } else if (e.op === 'insert') {
      const c = Math.min(e.col, line.length);
      lines[i] = line.slice(0, c) + e.text + line.slice(c);
    }
  }
  return lines.join('\n');
}

const example = fc.constantFrom(...examples);

/** YAML that is hard on a parser: alias fan-out, deep flow and block nesting, tags, several documents. */
function hostile(): string[] {
  const out: string[] = [];
  for (const n of [2, 4, 12]) {
    let s = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < n; i++)
      s += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    out.push(`${s}mesh: *a${n - 1}\nnodes: *a${n - 1}\n`);
  }
  for (const n of [100, 3000]) {
    out.push(`mesh: m\nnodes: ${'['.repeat(n)}${']'.repeat(n)}\n`);
    out.push(`mesh: m\nnodes: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`);
  }
  for (const n of [100, 1000])
    out.push(`${Array.from({ length: n }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n`);
  out.push(
    'mesh: !!js/function "x"\n',
    'mesh: !custom x\n',
    '--- a\n--- b\n',
    '\ufeffmesh: m\n',
    'mesh: m\0\n',
  );
  return out;
}

describe(`validateMesh under fuzzing (seed ${SEED}, ${RUNS} runs per property)`, () => {
  it('the unmutated examples are valid meshes', () => {
    assert.ok(examples.length > 0);
    for (const text of examples)
      assert.deepEqual(
        checked(text).diagnostics.filter((d) => d.severity === 'error'),
        [],
      );
  });

  it('examples with their YAML tree edited: a valid spec or positioned diagnostics, never a throw', () => {
    fc.assert(
      fc.property(example, fc.array(treeEdit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        const mutant = editTree(text, edits);
        assert.deepEqual(checked(mutant), checked(mutant), 'a pure function of the text');
      }),
      PARAMS,
    );
  });

  it('examples with their text edited (lines dropped, moved, indented, cut; YAML punctuation inserted)', () => {
    fc.assert(
      fc.property(example, fc.array(textEdit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        checked(editText(text, edits));
      }),
      PARAMS,
    );
  });

  it('hostile YAML (alias bombs, deep nesting, tags, several documents) is refused with a position', () => {
    // a fixed list: each case is slow enough (a parser's stack overflow) that random repeats add nothing
    for (const text of hostile()) assert.equal(checked(text).ok, false, text.slice(0, 200));
  });

  it('random text and random bytes read as UTF-8', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
        ),
        (text) => {
          checked(text);
        },
      ),
      PARAMS,
    );
  });
});
