// Must show: a missing target database -> the direction is `crashing` with CouchDB's `db_not_found`
// reason, and the crashing finding names it (with the "create the database" step first); status
// shows it; once the database exists the job runs again and the finding resolves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cli, DB, direction, findingsOf, pollUntil, TelemetryMesh } from './helpers.ts';

describe('telemetry: missing target db', () => {
  const mesh = new TelemetryMesh();
  before(async () => {
    await mesh.start([{ name: 'n1' }, { name: 'n2' }], [['n1', 'n2']]);
    await mesh.apply({ skipDbOn: ['n2'] }); // the docs are written, n2 has no `sensors`
  });
  after(() => mesh.close());

  it('missing target db -> crashing with db_not_found finding, then resolved once the db exists', async () => {
    const poller = mesh.poller();
    const r = await pollUntil(
      poller,
      'n1->n2 crashing finding',
      (x) => findingsOf(x, 'crashing', 'n1->n2').length > 0,
    );
    const d = direction(r, 'n1', 'n2');
    assert.equal(d.state, 'crashing');
    assert.match(d.reason ?? '', new RegExp(`^db_not_found: could not open ${mesh.url('n2')}/${DB}/`));
    const [f] = findingsOf(r, 'crashing', 'n1->n2');
    assert.equal(f?.link, 'n1--n2');
    assert.equal(f?.db, DB);
    assert.match(String(f?.evidence.reason), /db_not_found/);
    assert.ok(Number(f?.evidence.errorCount) >= 1);
    assert.match(f?.playbook ?? '', /^a database does not exist/);
    // the other direction reads from the missing db: crashing too (db_not_found on the source)
    await pollUntil(poller, 'n2->n1 crashing', (x) => findingsOf(x, 'crashing', 'n2->n1').length > 0);

    // (between two retries a crashing job is briefly running again: ask until a status shows it crashing)
    const line = /n1--n2\s+sensors\s+n1->n2\s+crashing\s+.*db_not_found: could not open/;
    let status = await cli(mesh, ['status', '-f', mesh.file]);
    for (let i = 0; i < 10 && !line.test(status.o.stdout); i++)
      status = await cli(mesh, ['status', '-f', mesh.file]);
    const { code, o } = status;
    assert.equal(code, 0, o.stderr);
    assert.match(o.stdout, /mesh t: 2\/2 nodes up, 2 directions: .*crashing/);
    assert.match(o.stdout, line);
    assert.match(o.stdout, /CRITICAL|WARNING/);
    assert.doesNotMatch(o.stdout, new RegExp(String.fromCharCode(27)), 'no colour when not on a terminal');
    assert.ok(!o.stdout.includes(mesh.password));

    // the fix: create the db; the next retry succeeds and the finding resolves
    await mesh.ok('n2', 'PUT', `/${DB}`);
    const healed = await pollUntil(
      poller,
      'both directions running, crashing resolved',
      (x) =>
        direction(x, 'n1', 'n2').state === 'running' &&
        direction(x, 'n2', 'n1').state === 'running' &&
        findingsOf(x, 'crashing').length === 0,
    );
    const resolved = poller.last?.diff.resolved ?? [];
    void resolved;
    assert.equal(findingsOf(healed, 'crashing').length, 0);
  });
});
