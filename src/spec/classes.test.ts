import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILTIN_LINK_CLASSES, COUCHDB_DEFAULTS } from './link-classes.ts';
import { check, NODES } from './test-support.ts';

const LINKS = 'links:\n  - { between: [n1, n2], class: cellular }\n  - [n2, n3]\n';

describe('link classes: built-ins, overrides, user classes, checkpoint guidance', () => {
  it('the built-ins carry the seed range for cellular and LoRaWAN only', () => {
    assert.deepEqual(Object.keys(BUILTIN_LINK_CLASSES), ['lan', 'wan', 'cellular', 'lorawan']);
    assert.deepEqual(BUILTIN_LINK_CLASSES.wan?.params, COUCHDB_DEFAULTS);
    for (const name of ['cellular', 'lorawan']) {
      const c = BUILTIN_LINK_CLASSES[name]!;
      assert.deepEqual([c.checkpoint_range?.min, c.checkpoint_range?.max], [5000, 15000]);
      assert.ok(c.params.checkpoint_interval >= 5000 && c.params.checkpoint_interval <= 15000);
    }
    assert.equal(BUILTIN_LINK_CLASSES.lan?.checkpoint_range, undefined);
  });

  it('checkpoint interval outside the seed guidance on a cellular link -> warning (class or link override)', () => {
    const r = check(
      `${NODES}link_classes:\n  cellular: { checkpoint_interval: 30000 }\nlinks:\n  - { between: [n1, n2], class: lorawan, overrides: { checkpoint_interval: 2000 } }\n  - [n2, n3]\n`,
    );
    assert.deepEqual(r.lines, [
      'mesh.yaml:8:36 warning link_classes.cellular.checkpoint_interval: checkpoint_interval 30000 ms is above the sensible range for cellular links — expected 5000–15000 ms (hint: for unstable cellular or LoRaWAN links a checkpoint_interval between 5000 and 15000 ms balances durability with bandwidth conservation)',
      'mesh.yaml:10:76 warning links[0].overrides.checkpoint_interval: checkpoint_interval 2000 ms is below the sensible range for lorawan links — expected 5000–15000 ms (hint: for unstable cellular or LoRaWAN links a checkpoint_interval between 5000 and 15000 ms balances durability with bandwidth conservation)',
    ]);
    assert.equal(r.ok, true, 'warnings do not make the mesh invalid');
    assert.equal(r.spec?.link_classes.cellular?.params.checkpoint_interval, 30000);
    assert.equal(r.spec?.links[0]?.params.checkpoint_interval, 2000);
  });

  it('overriding a built-in keeps its other parameters', () => {
    const r = check(`${NODES}link_classes:\n  cellular: { checkpoint_interval: 8000 }\n${LINKS}`);
    assert.deepEqual(r.lines, []);
    assert.deepEqual(r.spec?.links[0]?.params, {
      ...BUILTIN_LINK_CLASSES.cellular!.params,
      checkpoint_interval: 8000,
    });
    assert.equal(r.spec?.link_classes.cellular?.builtin, true);
  });

  it('user classes start from CouchDB defaults or extend a built-in, and may set their own range', () => {
    const r = check(
      `${NODES}link_classes:\n  satellite: { extends: cellular, worker_batch_size: 10, checkpoint_range: { min: 20000, max: 60000 } }\n  plain: { http_connections: 2 }\nlinks:\n  - { between: [n1, n2], class: satellite }\n  - { between: [n2, n3], class: plain }\n`,
    );
    assert.deepEqual(r.lines, [
      'mesh.yaml:8:76 warning link_classes.satellite.checkpoint_range: checkpoint_interval 10000 ms is below the sensible range for satellite links — expected 20000–60000 ms (hint: the range set in link_classes.satellite.checkpoint_range)',
    ]);
    assert.deepEqual(r.spec?.links[0]?.params, {
      ...BUILTIN_LINK_CLASSES.cellular!.params,
      worker_batch_size: 10,
    });
    assert.deepEqual(r.spec?.links[1]?.params, { ...COUCHDB_DEFAULTS, http_connections: 2 });
  });

  it('class problems: bad parameter values, unknown keys, unknown base', () => {
    const r = check(
      `${NODES}link_classes:\n  fast: { checkpoint_interval: 0, worker_batch: 5, extends: fiber }\n${LINKS}`,
    );
    assert.deepEqual(r.lines, [
      'mesh.yaml:8:32 link_classes.fast.checkpoint_interval: got 0 — expected a number >= 1',
      "mesh.yaml:8:35 link_classes.fast.worker_batch: unknown key 'worker_batch' — expected one of checkpoint_interval, worker_batch_size, http_connections, connection_timeout, retries_per_request, extends, checkpoint_range, description (hint: did you mean 'worker_batch_size'?)",
      "mesh.yaml:8:61 link_classes.fast.extends: got 'fiber' — expected one of lan, wan, cellular, lorawan (hint: a class may extend a built-in class only)",
    ]);
  });
});

describe('checkpoint_range', () => {
  it('min above max is an error', () => {
    const r = check(`${NODES}link_classes:\n  odd: { checkpoint_range: { min: 9000, max: 1000 } }\n${LINKS}`);
    assert.deepEqual(r.lines, [
      'mesh.yaml:8:28 link_classes.odd.checkpoint_range: checkpoint_range min 9000 is above max 1000 — expected min <= max',
    ]);
  });
});
