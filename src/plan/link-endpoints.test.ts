import assert from 'node:assert/strict';
import { test } from 'node:test';
import { check, NODES } from '../spec/test-support.ts';
import { desiredState } from './desired.ts';

test("a link's endpoint override is used in that link's replication docs only, both directions", () => {
  const r = check(
    `${NODES}links:\n  - { between: [n1, n2], endpoints: { n2: "http://127.0.0.1:7000" } }\n  - [n2, n3]\n`,
  );
  assert.ok(r.spec);
  const d = desiredState(r.spec, () => undefined);
  const urls = d.docs.map((x) => {
    const b = x.body as unknown as { source: { url: string }; target: { url: string } };
    return [x.node, b.source.url, b.target.url];
  });
  assert.deepEqual(urls, [
    ['n2', 'http://127.0.0.1:5984/sensors', 'http://127.0.0.1:7000/sensors'],
    ['n1', 'http://127.0.0.1:7000/sensors', 'http://127.0.0.1:5984/sensors'],
    ['n3', 'http://127.0.0.1:5985/sensors', 'http://127.0.0.1:5986/sensors'],
    ['n2', 'http://127.0.0.1:5986/sensors', 'http://127.0.0.1:5985/sensors'],
  ]);
});
