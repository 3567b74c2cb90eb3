import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startExpressPouch } from '../../test/interop/peers.ts';
import { startNode } from '../node/index.ts';
import { CouchClient } from './client.ts';
import type { ResponseEvent } from './events.ts';
import { parseServerInfo } from './info.ts';
import { faultServer, sendJson } from './test-support.ts';

describe('parseServerInfo', () => {
  it('classifies the GET / of Apache CouchDB 3.5.0 (captured sample)', () => {
    const info = parseServerInfo({
      couchdb: 'Welcome',
      version: '3.5.0',
      git_sha: '11f0d36',
      uuid: '75f9f3bac4ef00c0053f01c753378647',
      features: [
        'quickjs',
        'access-ready',
        'partitioned',
        'pluggable-storage-engines',
        'reshard',
        'scheduler',
      ],
      vendor: { name: 'The Apache Software Foundation' },
    });
    assert.equal(info.flavour, 'couchdb');
    assert.equal(info.version, '3.5.0');
    assert.equal(info.uuid, '75f9f3bac4ef00c0053f01c753378647');
    assert.deepEqual(info.vendor, { name: 'The Apache Software Foundation' });
    assert.ok(info.features.includes('scheduler'));
  });

  it('classifies express-pouchdb / pouchdb-server and unknown servers', () => {
    const pouch = parseServerInfo({
      'express-pouchdb': 'Welcome!',
      version: '4.2.0',
      vendor: { name: 'PouchDB authors', version: '4.2.0' },
    });
    assert.equal(pouch.flavour, 'pouchdb-server');
    assert.deepEqual(pouch.vendor, { name: 'PouchDB authors', version: '4.2.0' });
    assert.equal(pouch.uuid, '');
    assert.equal(parseServerInfo({ hello: 'world' }).flavour, 'unknown');
    assert.equal(parseServerInfo('nonsense').flavour, 'unknown');
  });
});

describe('serverInfo() and capabilities() against real servers', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true, admins: { admin: 'admin' } });
  });
  after(() => node.close());

  it('the embedded node is couchmesh; results are cached', async () => {
    const events: ResponseEvent[] = [];
    const c = new CouchClient({
      url: node.url,
      auth: { username: 'admin', password: 'admin' },
      onResponse: (e) => events.push(e),
    });
    const info = await c.serverInfo();
    assert.equal(info.flavour, 'couchmesh');
    assert.equal(info.vendor.name, 'couchmesh');
    assert.match(info.uuid, /^[0-9a-f]{32}$/);
    assert.match(info.version, /^3\./);
    assert.ok(info.features.includes('couchmesh-embedded'));
    const caps = await c.capabilities();
    const scheduler = (await c.request({ path: '/_scheduler/jobs' })).status;
    assert.deepEqual(caps, { scheduler: [200, 401, 403].includes(scheduler), session: true, bulkGet: true });
    const n = events.length;
    assert.equal(await c.serverInfo(), info);
    assert.equal(await c.capabilities(), caps);
    assert.equal(events.length, n, 'no new requests');
    await c.serverInfo({ refresh: true });
    assert.equal(events.length, n + 1);
    await c.close();
  });

  it('express-pouchdb is pouchdb-server', async () => {
    const pouch = await startExpressPouch();
    const c = new CouchClient({ url: pouch.url, retries: 0 });
    try {
      const info = await c.serverInfo();
      assert.equal(info.flavour, 'pouchdb-server');
      const caps = await c.capabilities();
      assert.equal(caps.bulkGet, true);
      assert.equal(caps.scheduler, false);
    } finally {
      await c.close();
      await pouch.close();
    }
  });

  it('scheduler probe: 200/401 mean present, 404/400 absent, 5xx is an error', async () => {
    let schedulerStatus = 404;
    const server = await faultServer((req, res) => {
      if (req.url?.startsWith('/_scheduler/jobs')) return sendJson(res, schedulerStatus, {});
      if (req.url === '/_session') return sendJson(res, 404, { error: 'not_found' });
      sendJson(res, 200, {
        couchdb: 'Welcome',
        version: '1.7.2',
        vendor: { name: 'The Apache Software Foundation' },
      });
    });
    const c = new CouchClient({ url: server.url, retries: 0 });
    try {
      const expected: Array<[number, boolean]> = [
        [404, false],
        [400, false],
        [200, true],
        [401, true],
      ];
      for (const [status, present] of expected) {
        schedulerStatus = status;
        assert.deepEqual(await c.capabilities({ refresh: true }), {
          scheduler: present,
          session: false,
          bulkGet: false,
        });
      }
      schedulerStatus = 500;
      await assert.rejects(c.capabilities({ refresh: true }), { code: 'E_COUCH_HTTP', status: 500 });
    } finally {
      await c.close();
      await server.close();
    }
  });
});
