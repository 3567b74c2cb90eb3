// SECURITY: the node's own replicator TLS settings as code, on the seed mesh of embedded nodes.
// mesh.yaml declares `couch_tls` on n1; plan observes only the declared `[replicator]` keys
// (GET /_node/_local/_config/replicator/<key>, 404 = unset) and shows one set-config line per
// differing key; apply PUTs them (read back through `_config`); a second plan is a no-op; an
// undeclared key is never touched. The paths are files ON THE NODE: couchmesh never reads them.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cli, SeedMesh } from './helpers.ts';

const KEYS = {
  cert_file: '/etc/couchdb/n1.crt',
  key_file: '/etc/couchdb/n1.key',
  ssl_trusted_certificates_file: '/etc/couchdb/mesh-ca.pem',
  verify_ssl_certificates: 'true',
};

describe('couch_tls: [replicator] TLS settings through _config', () => {
  const mesh = new SeedMesh();
  const config = (key: string) => mesh.ok('n1', 'GET', `/_node/_local/_config/replicator/${key}`);
  before(async () => {
    await mesh.start();
    mesh.text = mesh.text.replace(
      /(\n {2}n1:\n)/,
      `$1    couch_tls: { cert_file: ${KEYS.cert_file}, key_file: ${KEYS.key_file}, ca_file: ${KEYS.ssl_trusted_certificates_file}, verify: true }\n`,
    );
    assert.match(mesh.text, /couch_tls:/);
    writeFileSync(mesh.file, mesh.text);
    // already set by hand: planned from its current value; an undeclared key stays as it is
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/replicator/verify_ssl_certificates', 'false');
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/replicator/password', 'not-ours');
  });
  after(() => mesh.close());

  it('plan shows one set-config line per differing key and exits 2 while they differ', async () => {
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(plan.o.stdout, /~ config n1 \[replicator\] verify_ssl_certificates: false -> true/);
    assert.match(plan.o.stdout, /~ config n1 \[replicator\] cert_file: \(unset\) -> \/etc\/couchdb\/n1\.crt/);
    assert.match(plan.o.stdout, /4 to set config,/);
    const json = JSON.parse((await cli(mesh, ['plan', '-f', mesh.file, '--json'])).o.stdout);
    assert.equal(json.summary.config, 4);
  });

  it('apply sets them (read back through _config); a second plan is a no-op; undeclared keys untouched', async () => {
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    for (const [key, value] of Object.entries(KEYS)) assert.equal(await config(key), value, key);
    assert.equal(await config('password'), 'not-ours');
    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
    assert.doesNotMatch(again.o.stdout, /~ config/);
  });
});
