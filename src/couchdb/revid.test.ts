import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getEntry, scanJson } from './json-scan.ts';
import { computeRevId, type RevIdInput, revIdTermBytes } from './revid.ts';

const SAMPLES = fileURLToPath(new URL('../../test/fixtures/couchdb/samples/', import.meta.url));

function sample(name: string): unknown {
  return JSON.parse(readFileSync(`${SAMPLES}${name}`, 'utf8'));
}

/** `md5-<base64>` digest as CouchDB reports it -> the 16 bytes. */
function digestBytes(digest: string): Buffer {
  assert.ok(digest.startsWith('md5-'));
  return Buffer.from(digest.slice(4), 'base64');
}

function splitRev(rev: string | null): { parentPos: number; parentRevId: string | null } {
  if (rev === null) return { parentPos: 0, parentRevId: null };
  const dash = rev.indexOf('-');
  return { parentPos: Number(rev.slice(0, dash)), parentRevId: rev.slice(dash + 1) };
}

function rev(input: RevIdInput): string {
  return `${input.parentPos + 1}-${computeRevId(input)}`;
}

/**
 * md5 of attachments CouchDB stored gzipped (text/*, application/json are compressible by default):
 * CouchDB keeps the md5 of the gzip stream (level 8, stock zlib), not of the content. Computed with
 * stock zlib 1.2.13 (`zlib.compressobj(8, DEFLATED, 31, 8)`); Node's bundled zlib fork does not always
 * produce the same stream, so the digests are written out here.
 */
const GZIP_DIGESTS: Record<string, string> = {
  'text/plain:hello': 'md5-iMaiC8wqiFlD2NjLTemvCQ==',
};

interface Vector {
  name: string;
  parent_rev: string | null;
  request: { method: string; body_raw?: string | null };
  rev: string;
}

// The vectors and samples are committed fixtures: a missing file fails here, it never skips.
describe('computeRevId against CouchDB 3.5.0 vectors', () => {
  const vectors = (sample('rev-id-vectors.json') as { vectors: Vector[] }).vectors;

  test('there are 24 vectors', () => {
    assert.equal(vectors.length, 24);
  });

  for (const v of vectors) {
    test(`${v.name} -> ${v.rev}`, () => {
      const isDelete = v.request.method === 'DELETE';
      assert.ok(isDelete || v.request.method === 'PUT', v.request.method);
      const bodyText = isDelete ? '{}' : (v.request.body_raw ?? '{}');
      const bodyNode = scanJson(bodyText);
      const deletedNode = getEntry(bodyNode, '_deleted');
      const atts: RevIdInput['atts'] = [];
      const attsNode = getEntry(bodyNode, '_attachments');
      if (attsNode?.t === 'obj') {
        for (const [name, a] of attsNode.entries) {
          const type = getEntry(a, 'content_type');
          const data = getEntry(a, 'data');
          assert.ok(type?.t === 'str' && data?.t === 'str');
          const content = Buffer.from(data.value, 'base64').toString('latin1');
          const digest = GZIP_DIGESTS[`${type.value}:${content}`];
          assert.ok(digest, `no known digest for ${name}`);
          atts.push({ name, type: type.value, md5: digestBytes(digest) });
        }
      }
      const input: RevIdInput = {
        deleted: isDelete || deletedNode?.t === 'true',
        ...splitRev(v.parent_rev),
        bodyText,
        bodyNode,
        atts,
      };
      assert.equal(rev(input), v.rev);
      // Same answer when the scanner runs inside computeRevId.
      assert.equal(rev({ ...input, bodyNode: undefined }), v.rev);
    });
  }

  test('the md5 of the raw (not gzipped) attachment does not give the rev', () => {
    const v = vectors.find((x) => x.name === 'inline-attachment');
    assert.ok(v);
    const md5 = createHash('md5').update('hello').digest();
    const input = { deleted: false, parentPos: 0, parentRevId: null, bodyText: v.request.body_raw ?? '' };
    assert.notEqual(rev({ ...input, atts: [{ name: 'a.txt', type: 'text/plain', md5 }] }), v.rev);
  });
});

describe('computeRevId with attachments (doc "withatt" samples)', () => {
  type Stub = { content_type: string; digest: string };
  type Doc = { _rev: string; title: string; _attachments: Record<string, Stub> };
  const attsOf = (doc: Doc) =>
    Object.entries(doc._attachments).map(([name, a]) => ({
      name,
      type: a.content_type,
      md5: digestBytes(a.digest),
    }));

  test('first revision: inline base64 attachments, Atts2 is the _attachments list reversed', () => {
    const put = sample('attachment-put-doc-inline-base64.json') as {
      request: { body: Doc };
      body: { rev: string };
    };
    const got = sample('attachment-get-doc-stubs.json') as { body: Doc };
    assert.equal(got.body._rev, put.body.rev);
    // The GET lists the attachments in the order they were PUT.
    assert.deepEqual(Object.keys(got.body._attachments), Object.keys(put.request.body._attachments));
    // The sample stores the parsed request body; re-serialising it keeps its key order.
    const bodyText = JSON.stringify(put.request.body);
    const atts = attsOf(got.body);
    assert.equal(rev({ deleted: false, parentPos: 0, parentRevId: null, bodyText, atts }), put.body.rev);
    assert.notEqual(
      rev({ deleted: false, parentPos: 0, parentRevId: null, bodyText, atts: [...atts].reverse() }),
      put.body.rev,
    );
  });

  test('second revision: standalone attachment PUT (new attachment first in the doc)', () => {
    const put = sample('attachment-put-standalone.json') as {
      request: { path: string };
      body: { rev: string };
    };
    const got = sample('attachment-get-doc-after-standalone-put-revpos.json') as { body: Doc };
    assert.equal(got.body._rev, put.body.rev);
    const parent = new URL(put.request.path, 'http://x').searchParams.get('rev');
    assert.ok(parent);
    const atts = attsOf(got.body);
    assert.deepEqual(
      atts.map((a) => a.name),
      ['extra.txt', 'hello.txt', 'data.json'],
    );
    const bodyText = JSON.stringify({ title: got.body.title });
    assert.equal(rev({ deleted: false, ...splitRev(parent), bodyText, atts }), put.body.rev);
  });
});

describe('term_to_binary encoding', () => {
  const base = { deleted: false, parentPos: 0, parentRevId: null, bodyText: '{}' };
  const bytes = (input: Partial<RevIdInput>) => [...revIdTermBytes({ ...base, ...input })];
  // 131, LIST_EXT(5), ATOM_EXT 'false', 0, 0, {[]}, [], NIL
  const FALSE = [100, 0, 5, ...Buffer.from('false')];
  const EMPTY_DOC = [131, 108, 0, 0, 0, 5, ...FALSE, 97, 0, 97, 0, 104, 1, 106, 106, 106];
  /** Bytes of `{"v": <lexeme>}`'s single value. */
  const valueBytes = (lexeme: string) => {
    const all = bytes({ bodyText: `{"v":${lexeme}}` });
    // prefix up to the value: ... 104,1, 108,0,0,0,1, 104,2, 109,0,0,0,1,'v'
    const prefix = [
      131,
      108,
      0,
      0,
      0,
      5,
      ...FALSE,
      97,
      0,
      97,
      0,
      104,
      1,
      108,
      0,
      0,
      0,
      1,
      104,
      2,
      109,
      0,
      0,
      0,
      1,
      118,
    ];
    assert.deepEqual(all.slice(0, prefix.length), prefix);
    const rest = all.slice(prefix.length);
    assert.deepEqual(rest.slice(-3), [106, 106, 106]); // tail of the body list, Atts2 [], outer tail
    return rest.slice(0, -3);
  };

  test('the empty document', () => {
    assert.deepEqual(bytes({}), EMPTY_DOC);
    assert.deepEqual(bytes({ bodyText: '{"_id":"x","_rev":"1-a","_deleted":false}' }), EMPTY_DOC);
    assert.equal(computeRevId(base), '967a00dff5e02add41819138abb3284d');
  });

  test('integers', () => {
    assert.deepEqual(valueBytes('0'), [97, 0]);
    assert.deepEqual(valueBytes('-0'), [97, 0]);
    assert.deepEqual(valueBytes('255'), [97, 255]);
    assert.deepEqual(valueBytes('256'), [98, 0, 0, 1, 0]);
    assert.deepEqual(valueBytes('-1'), [98, 255, 255, 255, 255]);
    assert.deepEqual(valueBytes('2147483647'), [98, 127, 255, 255, 255]);
    assert.deepEqual(valueBytes('-2147483648'), [98, 128, 0, 0, 0]);
    assert.deepEqual(valueBytes('2147483648'), [110, 4, 0, 0, 0, 0, 128]);
    assert.deepEqual(valueBytes('-2147483649'), [110, 4, 1, 1, 0, 0, 128]);
    assert.deepEqual(valueBytes('4294967296'), [110, 5, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(valueBytes('9007199254740993'), [110, 7, 0, 1, 0, 0, 0, 0, 0, 32]);
    assert.deepEqual(valueBytes('18446744073709551616'), [110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual(
      valueBytes('-18446744073709551615'),
      [110, 8, 1, 255, 255, 255, 255, 255, 255, 255, 255],
    );
    // 2^2048: LARGE_BIG_EXT (more than 255 digit bytes)
    const big = valueBytes((2n ** 2048n).toString());
    assert.deepEqual(big.slice(0, 6), [111, 0, 0, 1, 1, 0]);
    assert.equal(big.length, 6 + 257);
    assert.equal(big.at(-1), 1);
  });

  test('integers near the 15-digit fast path agree with BigInt', () => {
    for (const s of [
      '999999999999999',
      '1000000000000000',
      '-999999999999999',
      '-1000000000000000',
      '123456789012345678',
    ]) {
      const n = BigInt(s);
      const mag = n < 0n ? -n : n;
      const digits: number[] = [];
      for (let m = mag; m > 0n; m >>= 8n) digits.push(Number(m & 0xffn));
      assert.deepEqual(valueBytes(s), [110, digits.length, n < 0n ? 1 : 0, ...digits], s);
    }
  });

  test('floats are NEW_FLOAT_EXT, whatever the lexeme', () => {
    const f = (x: number) => {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(x);
      return [70, ...b];
    };
    assert.deepEqual(valueBytes('1.0'), f(1));
    assert.deepEqual(valueBytes('1e2'), f(100));
    assert.deepEqual(valueBytes('1E+2'), f(100));
    assert.deepEqual(valueBytes('-0.0'), f(-0));
    assert.deepEqual(valueBytes('0.1'), f(0.1));
    assert.throws(() => computeRevId({ ...base, bodyText: '{"v":1e400}' }), RangeError);
  });

  test('atoms, strings, lists, nested objects', () => {
    assert.deepEqual(valueBytes('true'), [100, 0, 4, ...Buffer.from('true')]);
    assert.deepEqual(valueBytes('null'), [100, 0, 4, ...Buffer.from('null')]);
    assert.deepEqual(valueBytes('"é"'), [109, 0, 0, 0, 2, 0xc3, 0xa9]);
    assert.deepEqual(valueBytes('"\\u00e9"'), [109, 0, 0, 0, 2, 0xc3, 0xa9]);
    assert.deepEqual(valueBytes('"😀"'), [109, 0, 0, 0, 4, 0xf0, 0x9f, 0x98, 0x80]);
    assert.deepEqual(valueBytes('[]'), [106]);
    assert.deepEqual(valueBytes('{}'), [104, 1, 106]);
    // A list of integers 0..255 is STRING_EXT; anything else a LIST_EXT.
    assert.deepEqual(valueBytes('[1,2,255,-0]'), [107, 0, 4, 1, 2, 255, 0]);
    assert.deepEqual(valueBytes('[1,256]'), [108, 0, 0, 0, 2, 97, 1, 98, 0, 0, 1, 0, 106]);
    assert.deepEqual(valueBytes('[1,1.0]'), [108, 0, 0, 0, 2, 97, 1, 70, 63, 240, 0, 0, 0, 0, 0, 0, 106]);
    assert.deepEqual(valueBytes('[1,-1]'), [108, 0, 0, 0, 2, 97, 1, 98, 255, 255, 255, 255, 106]);
    const long = valueBytes(`[${new Array(70000).fill('7').join(',')}]`);
    assert.deepEqual(long.slice(0, 5), [108, 0, 1, 17, 112]);
    assert.equal(long.length, 5 + 70000 * 2 + 1);
    // Nested `_` keys stay (only top-level ones are dropped).
    assert.deepEqual(
      valueBytes('{"_x":[]}'),
      [104, 1, 108, 0, 0, 0, 1, 104, 2, 109, 0, 0, 0, 2, 95, 120, 106, 106],
    );
  });

  test('top-level `_` fields are skipped wherever they are', () => {
    const a = computeRevId({ ...base, bodyText: '{"_id":"d","a":1,"_rev":"1-x","b":[1],"_attachments":{}}' });
    assert.equal(a, computeRevId({ ...base, bodyText: '{"a":1,"b":[1]}' }));
  });

  test('parent rev: 32 hex chars -> 16 bytes, anything else -> UTF-8 bytes', () => {
    const hex = '23202479633c2b380f79507a776743d5';
    const t = bytes({ parentPos: 1, parentRevId: hex });
    assert.deepEqual(t.slice(14, 16 + 5 + 16), [97, 1, 109, 0, 0, 0, 16, ...Buffer.from(hex, 'hex')]);
    assert.equal(
      computeRevId({ ...base, parentPos: 1, parentRevId: hex.toUpperCase() }),
      computeRevId({ ...base, parentPos: 1, parentRevId: hex }),
    );
    const odd = bytes({ parentPos: 300, parentRevId: 'abc' });
    assert.deepEqual(odd.slice(14, 14 + 5 + 8), [98, 0, 0, 1, 44, 109, 0, 0, 0, 3, 97, 98, 99]);
  });

  test('deleted, attachments', () => {
    assert.deepEqual(bytes({ deleted: true }).slice(6, 13), [100, 0, 4, ...Buffer.from('true')]);
    const md5 = Buffer.alloc(16, 0xab);
    const t = bytes({ atts: [{ name: 'a', type: 't', md5 }] });
    assert.deepEqual(t.slice(-2 - (2 + 6 + 6 + 21) - 5), [
      108,
      0,
      0,
      0,
      1,
      104,
      3,
      109,
      0,
      0,
      0,
      1,
      97,
      109,
      0,
      0,
      0,
      1,
      116,
      109,
      0,
      0,
      0,
      16,
      ...md5,
      106,
      106,
    ]);
    assert.throws(
      () => computeRevId({ ...base, atts: [{ name: 'a', type: 't', md5: Buffer.alloc(15) }] }),
      RangeError,
    );
  });

  test('rejects non-object bodies; big documents grow the buffer', () => {
    assert.throws(() => computeRevId({ ...base, bodyText: '[]' }), TypeError);
    const bigText = JSON.stringify({ s: 'x'.repeat(3_000_000), u: 'é'.repeat(100_000) });
    const t = revIdTermBytes({ ...base, bodyText: bigText });
    assert.equal(t.length, EMPTY_DOC.length - 1 + 5 + 2 * (2 + 5 + 1 + 5) + 3_000_000 + 200_000 + 1);
    // And the next small one is still right.
    assert.equal(computeRevId(base), '967a00dff5e02add41819138abb3284d');
  });
});
