import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  getEntry,
  type JsonNode,
  JsonSyntaxError,
  MAX_DEPTH,
  rawText,
  scanJson,
  toValue,
} from './json-scan.ts';

function throwsParse(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

function scanError(text: string): JsonSyntaxError | undefined {
  try {
    scanJson(text);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof JsonSyntaxError, `not a JsonSyntaxError: ${String(err)}`);
    return err;
  }
}

/** Every node of the tree, depth first. */
function* walk(node: JsonNode): Generator<JsonNode> {
  yield node;
  if (node.t === 'arr') for (const item of node.items) yield* walk(item);
  else if (node.t === 'obj') for (const [, v] of node.entries) yield* walk(v);
}

describe('scanJson: shapes and offsets', () => {
  test('scalars keep their offsets', () => {
    const text = '  [true, false,null , "x" ,-1.5e+3 ]\n';
    const root = scanJson(text);
    assert.equal(root.t, 'arr');
    assert.equal(rawText(text, root), '[true, false,null , "x" ,-1.5e+3 ]');
    if (root.t !== 'arr') return;
    assert.deepEqual(
      root.items.map((n) => [n.t, rawText(text, n)]),
      [
        ['true', 'true'],
        ['false', 'false'],
        ['null', 'null'],
        ['str', '"x"'],
        ['num', '-1.5e+3'],
      ],
    );
  });

  test('objects keep key order, integer-like keys and duplicates', () => {
    const text = '{"b":1,"2":2,"1":3,"a":{"10":[],"9":{}},"b":4}';
    const root = scanJson(text);
    assert.equal(root.t, 'obj');
    if (root.t !== 'obj') return;
    assert.deepEqual(
      root.entries.map(([k]) => k),
      ['b', '2', '1', 'a', 'b'],
    );
    const a = getEntry(root, 'a');
    assert.ok(a && a.t === 'obj');
    assert.deepEqual(
      a.entries.map(([k]) => k),
      ['10', '9'],
    );
    assert.equal(rawText(text, a), '{"10":[],"9":{}}');
    // Duplicate keys: last one wins, as with JSON.parse.
    assert.equal(rawText(text, getEntry(root, 'b')!), '4');
    assert.deepEqual(toValue(text, root), JSON.parse(text));
    assert.equal(getEntry(root, 'missing'), undefined);
    assert.equal(getEntry(scanJson('[1]'), '0'), undefined);
  });

  test('number lexemes survive', () => {
    for (const lexeme of ['0', '-0', '1.0', '1e10', '1E+2', '-2.5e-3', '9007199254740993', '1.50', '0.1']) {
      const text = `{"n":${lexeme}}`;
      const n = getEntry(scanJson(text), 'n')!;
      assert.equal(n.t, 'num');
      assert.equal(rawText(text, n), lexeme);
      assert.ok(Object.is(toValue(text, n), JSON.parse(lexeme)), lexeme);
    }
  });

  test('strings and keys are decoded', () => {
    const text = String.raw`{"k\u00e9y\n":"caf\u00E9 \"q\" \\ \/ \b\f\n\r\t \ud83d\ude00 \ud800 ☕"}`;
    const root = scanJson(text);
    assert.ok(root.t === 'obj');
    const [key, value] = root.entries[0]!;
    assert.equal(key, 'kéy\n');
    assert.ok(value.t === 'str');
    assert.equal(value.value, 'café "q" \\ / \b\f\n\r\t 😀 \ud800 ☕');
    assert.deepEqual(toValue(text, root), JSON.parse(text));
    // A string without escapes is a plain slice.
    const plain = scanJson('"abc déf"');
    assert.ok(plain.t === 'str');
    assert.equal(plain.value, 'abc déf');
    assert.equal(plain.s, 0);
    assert.equal(plain.e, 9);
  });

  test('toValue gives __proto__ as an own property, like JSON.parse', () => {
    const text = '{"__proto__":{"x":1},"a":2}';
    const v = toValue(text, scanJson(text)) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__', 'a']);
    assert.deepStrictEqual(v, JSON.parse(text));
  });

  test('whitespace around the value', () => {
    const root = scanJson(' \t\r\n 42 \n');
    assert.equal(root.t, 'num');
    assert.equal(root.s, 5);
    assert.equal(root.e, 7);
  });
});

describe('scanJson: invalid input', () => {
  const invalid = [
    '',
    ' ',
    '{',
    '}',
    '[',
    '[1,]',
    '[,1]',
    '[1 2]',
    '[1]]',
    '{"a":1,}',
    '{"a" 1}',
    '{"a":}',
    '{1:2}',
    "{'a':1}",
    '{"a":1 "b":2}',
    '01',
    '-01',
    '00',
    '-',
    '--1',
    '+1',
    '1.',
    '.5',
    '1.e5',
    '1e',
    '1e+',
    '1e.5',
    '1e-+1',
    '1.5.2',
    '1..5',
    '-.5',
    '- 1',
    '0x10',
    'NaN',
    'Infinity',
    '-Infinity',
    'tru',
    'True',
    'nul',
    'nulll',
    'falsey',
    '"abc',
    '"\\',
    '"\\"',
    '"\t"',
    '"a\nb"',
    '"\u0000"',
    '"\u001f"',
    '"\\x"',
    '"\\u12"',
    '"\\u12g4"',
    '"\\U0041"',
    "'a'",
    '1 2',
    '\uFEFF1',
    '\u00a01',
    '\u20281',
    '/*c*/1',
    '1//c',
    '[1,2',
    '{"a":[}',
    'undefined',
  ];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.ok(throwsParse(text), 'JSON.parse should reject it too');
      const err = scanError(text);
      assert.ok(err, 'scanJson should throw');
      assert.ok(err.position >= 0 && err.position <= text.length, `position ${err.position}`);
    });
  }

  test('error positions', () => {
    assert.equal(scanError('[1,]')?.position, 3);
    assert.equal(scanError('{"a":1 x')?.position, 7);
    assert.equal(scanError('"a\tb"')?.position, 2);
    assert.equal(scanError('  ')?.position, 2);
    assert.equal(scanError('01')?.position, 1);
    assert.equal(scanError('{"a":1}x')?.position, 7);
  });

  test('accepts what JSON.parse accepts at the edges', () => {
    for (const text of [
      '"\u007f"',
      '"\u2028\u2029"',
      '"\ud800"',
      '"\\udc00"',
      '"\\uDBFF\\uDFFF"',
      '-0',
      '0e0',
      '0.0E-0',
    ]) {
      assert.deepStrictEqual(toValue(text, scanJson(text)), JSON.parse(text), text);
    }
  });

  test(`depth up to ${MAX_DEPTH} is accepted, deeper is rejected`, () => {
    const arr = (d: number) => '['.repeat(d) + ']'.repeat(d);
    const obj = (d: number) => `${'{"a":'.repeat(d - 1)}{}${'}'.repeat(d - 1)}`;
    assert.equal(scanJson(arr(MAX_DEPTH)).t, 'arr');
    assert.equal(scanJson(obj(MAX_DEPTH)).t, 'obj');
    assert.ok(scanError(arr(MAX_DEPTH + 1)));
    assert.ok(scanError(obj(MAX_DEPTH + 1)));
    assert.ok(scanError(`[${'{"a":'.repeat(MAX_DEPTH)}1${'}'.repeat(MAX_DEPTH)}]`));
  });

  test('state is clean after an error', () => {
    assert.ok(scanError('{"a":[1,2'));
    assert.deepEqual(toValue('[1]', scanJson('[1]')), [1]);
  });
});

// ---- property tests ----

/** A generated JSON text plus the key order its objects must come back with. */
type Model = { k: 'leaf' } | { k: 'arr'; items: Model[] } | { k: 'obj'; keys: string[]; vals: Model[] };
interface Gen {
  text: string;
  model: Model;
}

const LEAF: Model = { k: 'leaf' };
const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r'), maxLength: 2 });

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '/': '\\/',
};

function uEscape(code: number, upper: boolean): string {
  const h = code.toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
}

/** One UTF-16 code unit written raw (when JSON allows), as a short escape, or as \uXXXX. */
function encodeUnit(ch: string, style: number): string {
  const code = ch.charCodeAt(0);
  const mustEscape = code < 0x20 || ch === '"' || ch === '\\';
  if (style === 0 && !mustEscape) return ch;
  if (style === 1 && SHORT_ESCAPES[ch] !== undefined) return SHORT_ESCAPES[ch];
  if (style === 1 && !mustEscape) return ch;
  return uEscape(code, style === 3);
}

const charArb = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.constantFrom(
    '"',
    '\\',
    '/',
    '\b',
    '\f',
    '\n',
    '\r',
    '\t',
    '\u0000',
    '\u001f',
    '\u007f',
    '\u2028',
    'é',
    '😀',
  ),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);
const stringLit = fc
  .array(
    fc.tuple(charArb, fc.nat(3), fc.nat(3)).map(([ch, s1, s2]) =>
      // a surrogate pair is two code units, each written in its own style
      ch.length === 2 ? encodeUnit(ch[0]!, s1) + encodeUnit(ch[1]!, s2) : encodeUnit(ch, s1),
    ),
    { maxLength: 8 },
  )
  .map((parts) => `"${parts.join('')}"`);
const keyLit = fc.oneof(
  stringLit,
  fc.constantFrom('"1"', '"10"', '"2"', '"0"', '"-1"', '"01"', '"__proto__"', '"a"', '"b"', '""', '"_id"'),
);

const digits = (min: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: 4 });
const numberLit = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', '-'),
      fc.oneof(
        fc.constant('0'),
        fc.tuple(fc.constantFrom(...'123456789'), digits(0)).map(([a, b]) => a + b),
      ),
      fc.oneof(
        fc.constant(''),
        digits(1).map((d) => `.${d}`),
      ),
      fc.oneof(
        fc.constant(''),
        fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1)).map((p) => p.join('')),
      ),
    )
    .map((p) => p.join('')),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
);
const leaf = fc.oneof(fc.constantFrom('true', 'false', 'null'), numberLit, stringLit) as fc.Arbitrary<string>;

const {
  value: valueArb,
  arr: arrArb,
  obj: objArb,
} = fc.letrec<{ value: Gen; arr: Gen; obj: Gen }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf.map((text): Gen => ({ text, model: LEAF })),
    tie('arr'),
    tie('obj'),
  ),
  arr: fc.tuple(ws, fc.array(fc.tuple(ws, tie('value'), ws), { maxLength: 5 })).map(
    ([w, items]): Gen => ({
      text: items.length === 0 ? `[${w}]` : `[${items.map(([a, v, b]) => a + v.text + b).join(',')}]`,
      model: { k: 'arr', items: items.map(([, v]) => v.model) },
    }),
  ),
  obj: fc.tuple(ws, fc.array(fc.tuple(ws, keyLit, ws, ws, tie('value'), ws), { maxLength: 5 })).map(
    ([w, entries]): Gen => ({
      text:
        entries.length === 0
          ? `{${w}}`
          : `{${entries.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v.text}${d}`).join(',')}}`,
      model: {
        k: 'obj',
        keys: entries.map(([, k]) => JSON.parse(k) as string),
        vals: entries.map(([, , , , v]) => v.model),
      },
    }),
  ),
}));
const docArb = fc.tuple(ws, valueArb, ws).map(([a, v, b]): Gen => ({ text: a + v.text + b, model: v.model }));
const containerArb = fc.oneof(arrArb, objArb);

function checkModel(node: JsonNode, model: Model): void {
  if (model.k === 'arr') {
    assert.equal(node.t, 'arr');
    if (node.t !== 'arr') return;
    assert.equal(node.items.length, model.items.length);
    node.items.forEach((n, i) => {
      checkModel(n, model.items[i]!);
    });
  } else if (model.k === 'obj') {
    assert.equal(node.t, 'obj');
    if (node.t !== 'obj') return;
    assert.deepEqual(
      node.entries.map(([k]) => k),
      model.keys,
    );
    node.entries.forEach(([, n], i) => {
      checkModel(n, model.vals[i]!);
    });
  } else {
    assert.ok(node.t !== 'arr' && node.t !== 'obj');
  }
}

describe('scanJson: properties', () => {
  test('agrees with JSON.parse on valid JSON, keeps key order, offsets re-parse', () => {
    fc.assert(
      fc.property(docArb, ({ text, model }) => {
        const root = scanJson(text);
        assert.deepStrictEqual(toValue(text, root), JSON.parse(text));
        assert.equal(rawText(text, root), text.trim());
        checkModel(root, model);
        for (const node of walk(root)) {
          assert.deepStrictEqual(JSON.parse(rawText(text, node)), toValue(text, node));
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('agrees with JSON.parse on arbitrary JS values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        assert.deepStrictEqual(toValue(text, scanJson(text)), JSON.parse(text));
      }),
      { numRuns: 1000 },
    );
  });

  const mutation = fc.tuple(
    fc.constantFrom('insert', 'delete', 'deleteRange', 'replace', 'truncate', 'duplicate'),
    fc.nat(),
    fc.oneof(
      fc.constantFrom(...'{}[]",:\\ \t\n0123456789.eE+-tfnrulsax/\'', '\u0000', '\u001f', '\u00a0', '\uFEFF'),
      fc.constantFrom('\\u', ',]', ',}', '[,', '{,', ',,', '""', '"":', '0', '-0', '1.', '.1', '00', 'e1'),
      fc.string({ maxLength: 3 }),
    ),
  );

  test('mutated texts: scanJson throws exactly when JSON.parse throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(docArb, containerArb),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        ({ text }, muts) => {
          let t = text;
          for (const [kind, at, ch] of muts) {
            const i = t.length === 0 ? 0 : at % (t.length + 1);
            if (kind === 'insert') t = t.slice(0, i) + ch + t.slice(i);
            else if (kind === 'delete') t = t.slice(0, i) + t.slice(i + 1);
            else if (kind === 'deleteRange') t = t.slice(0, i) + t.slice(i + 1 + (at % 5));
            else if (kind === 'replace') t = t.slice(0, i) + ch + t.slice(i + 1);
            else if (kind === 'truncate') t = t.slice(0, i);
            else t = t.slice(0, i) + t.slice(i, i + 4) + t.slice(i);
          }
          const err = scanError(t);
          assert.equal(err !== undefined, throwsParse(t), `text: ${JSON.stringify(t)}`);
          if (err === undefined) assert.deepStrictEqual(toValue(t, scanJson(t)), JSON.parse(t));
          else assert.ok(err.position >= 0 && err.position <= t.length);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
