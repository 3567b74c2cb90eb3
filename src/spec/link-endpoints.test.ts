import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, NODES } from './test-support.ts';

describe('links: per-link endpoint override', () => {
  it('a link reaches one of its nodes at another address', () => {
    const r = check(
      `${NODES}links:\n  - { between: [n1, n2], endpoints: { n2: "http://127.0.0.1:7000/" } }\n  - [n2, n3]\n`,
    );
    assert.deepEqual(r.lines, []);
    assert.deepEqual(
      r.spec?.links.map((l) => [l.key, l.endpoints ?? null]),
      [
        ['n1--n2', { n2: 'http://127.0.0.1:7000' }],
        ['n2--n3', null],
      ],
    );
  });

  it("refuses a node that is not one of the link's, and a URL that is not a base URL, with hints", () => {
    const r = check(
      `${NODES}links:\n  - between: [n1, n2]\n    endpoints: { n3: "http://127.0.0.1:7000", n2: "http://u:pw@127.0.0.1:7001" }\n`,
    );
    assert.equal(r.spec, undefined);
    assert.equal(r.lines.length, 2);
    assert.match(
      r.lines[0] as string,
      /links\[0\]\.endpoints\.n3: 'n3' is not one of this link's nodes .*hint: /,
    );
    assert.match(
      r.lines[1] as string,
      /links\[0\]\.endpoints\.n2: URL http:\/\/\*\*\*@127\.0\.0\.1:7001 carries credentials/,
    );
    assert.ok(!r.lines.join('\n').includes('u:pw'));
  });

  it('generators do not take endpoints (only an explicit link names its two nodes)', () => {
    const r = check(`${NODES}links:\n  - { generate: full-mesh, endpoints: { n1: "http://x:1" } }\n`);
    assert.equal(r.spec, undefined);
    assert.match(r.lines.join('\n'), /endpoints/);
  });
});
