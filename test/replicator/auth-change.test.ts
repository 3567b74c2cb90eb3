// NODE-TRUST: changing only a `_replicator` doc's password (not part of the replication id) restarts
// its job, as CouchDB's doc processor does: a wrong password shows as `crashing` with a 401 reason,
// never as "running" on the old credentials.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { endpoint, Nodes, ok, type TestNode, waitState, writeDocs } from './helpers.ts';

describe('a _replicator doc whose password changes', () => {
  const nodes = new Nodes();
  let src: TestNode;
  let tgt: TestNode;

  before(async () => {
    src = await nodes.start();
    tgt = await nodes.start();
    await ok('PUT', `${src.url}/src`);
    await ok('PUT', `${tgt.url}/tgt`);
    await writeDocs(src, 'src', 'd', 5);
  });
  after(() => nodes.closeAll());

  it('restarts the job: a wrong password -> crashing with an unauthorized reason; fixed -> running', async () => {
    const doc = { source: endpoint(src, 'src'), target: endpoint(tgt, 'tgt'), continuous: true };
    const put = await ok('PUT', `${tgt.url}/_replicator/pull`, doc);
    const running = await waitState(tgt, 'pull', 'running');
    const wrong = {
      ...doc,
      _rev: put.rev,
      source: endpoint(src, 'src', { username: 'admin', password: 'WRONG' }),
    };
    const put2 = await ok('PUT', `${tgt.url}/_replicator/pull`, wrong);
    const crashing = await waitState(tgt, 'pull', 'crashing');
    assert.equal(crashing.id, running.id, 'the password is not part of the replication id');
    assert.match(crashing.info.error, /unauthorized/);
    assert.doesNotMatch(JSON.stringify(crashing), /WRONG/, 'the password is never shown');
    await ok('PUT', `${tgt.url}/_replicator/pull`, { ...doc, _rev: put2.rev });
    await waitState(tgt, 'pull', 'running', (d) => d.error_count === 0);
  });
});
