// SECURITY: the node's own TLS settings as code, on the seed mesh of embedded nodes.
// mesh.yaml declares `couch_tls` on n1: the replicator's client side (`[replicator]`) and the node's
// HTTPS listener (`server:` -> CouchDB 3's `[ssl]`). plan observes only the declared keys
// (GET /_node/_local/_config/<section>/<key>, 404 = unset) and shows one set-config line per
// differing key, `[ssl]` ones marked as taking effect on the node's restart (CouchDB starts its https
// listener from `[ssl]` at boot); apply PUTs them (read back through `_config`); a second plan is a
// no-op; a value edited by hand is drift, put back; an undeclared key is never touched. The paths are
// files ON THE NODE: couchmesh never reads them.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cli, SeedMesh } from './helpers.ts';

const REPLICATOR = {
  cert_file: '/etc/couchdb/n1.crt',
  key_file: '/etc/couchdb/n1.key',
  ssl_trusted_certificates_file: '/etc/couchdb/mesh-ca.pem',
  verify_ssl_certificates: 'true',
};
const SSL = {
  enable: 'true',
  cert_file: '/etc/couchdb/n1.crt',
  key_file: '/etc/couchdb/n1.key',
  cacert_file: '/etc/couchdb/mesh-ca.pem',
  verify_ssl_certificates: 'true',
  fail_if_no_peer_cert: 'true',
  port: '6984',
  tls_versions: "['tlsv1.2', 'tlsv1.3']",
};
const SERVER =
  "{ cert_file: /etc/couchdb/n1.crt, key_file: /etc/couchdb/n1.key, cacert_file: /etc/couchdb/mesh-ca.pem, require_client_cert: true, port: 6984, tls_versions: ['tlsv1.2', 'tlsv1.3'] }";

describe('couch_tls: [replicator] and [ssl] TLS settings through _config', () => {
  const mesh = new SeedMesh();
  const config = (section: string, key: string) =>
    mesh.ok('n1', 'GET', `/_node/_local/_config/${section}/${key}`);
  before(async () => {
    await mesh.start();
    mesh.text = mesh.text.replace(
      /(\n {2}n1:\n)/,
      `$1    couch_tls:\n      { cert_file: ${REPLICATOR.cert_file}, key_file: ${REPLICATOR.key_file}, ca_file: ${REPLICATOR.ssl_trusted_certificates_file}, verify: true,\n        server: ${SERVER} }\n`,
    );
    assert.match(mesh.text, /server: \{/);
    writeFileSync(mesh.file, mesh.text);
    // already set by hand: planned from its current value; an undeclared key stays as it is
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/replicator/verify_ssl_certificates', 'false');
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/replicator/password', 'not-ours');
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/ssl/ciphers', 'not-ours');
  });
  after(() => mesh.close());

  it('plan shows one set-config line per differing key, [ssl] ones taking effect on restart; exit 2', async () => {
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    const out = plan.o.stdout;
    assert.match(out, /~ config n1 \[replicator\] verify_ssl_certificates: false -> true\n/);
    assert.match(out, /~ config n1 \[replicator\] cert_file: \(unset\) -> \/etc\/couchdb\/n1\.crt\n/);
    for (const [key, value] of Object.entries(SSL))
      assert.ok(
        out.includes(`~ config n1 [ssl] ${key}: (unset) -> ${value} (takes effect when n1 restarts)\n`),
        `${key}\n${out}`,
      );
    assert.match(out, /12 to set config,/);
    // the hand-set value shows as drift too
    assert.match(
      out,
      /! drift _config\/replicator\/verify_ssl_certificates on n1: \[replicator\] verify_ssl_certificates is false, declared true/,
    );
    const json = JSON.parse((await cli(mesh, ['plan', '-f', mesh.file, '--json'])).o.stdout);
    assert.equal(json.summary.config, 12);
    const port = json.actions.find(
      (a: { section?: string; key?: string }) => a.section === 'ssl' && a.key === 'port',
    );
    assert.deepEqual(port, {
      kind: 'set-config',
      node: 'n1',
      section: 'ssl',
      key: 'port',
      value: '6984',
      takesEffect: 'restart',
    });
  });

  it('apply sets them (read back through _config); a second plan is a no-op; undeclared keys untouched', async () => {
    const { code, o } = await cli(mesh, ['apply', '-f', mesh.file, '--yes']);
    assert.equal(code, 0, o.all);
    assert.match(o.stdout, /restart CouchDB on n1: its \[ssl\] settings take effect when it starts/);
    assert.doesNotMatch(o.stdout, /restart CouchDB on n[234]/);
    for (const [key, value] of Object.entries(REPLICATOR))
      assert.equal(await config('replicator', key), value, key);
    for (const [key, value] of Object.entries(SSL)) assert.equal(await config('ssl', key), value, key);
    assert.equal(await config('replicator', 'password'), 'not-ours');
    assert.equal(await config('ssl', 'ciphers'), 'not-ours');
    const again = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(again.code, 0, again.o.all);
    assert.doesNotMatch(again.o.stdout, /~ config|drift/);
  });

  it('an [ssl] value edited by hand is drift; apply puts it back', async () => {
    await mesh.ok('n1', 'PUT', '/_node/_local/_config/ssl/fail_if_no_peer_cert', 'false');
    const plan = await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode']);
    assert.equal(plan.code, 2, plan.o.all);
    assert.match(
      plan.o.stdout,
      /~ config n1 \[ssl\] fail_if_no_peer_cert: false -> true \(takes effect when n1 restarts\)/,
    );
    assert.match(
      plan.o.stdout,
      /! drift _config\/ssl\/fail_if_no_peer_cert on n1: \[ssl\] fail_if_no_peer_cert is false, declared true/,
    );
    assert.equal((await cli(mesh, ['apply', '-f', mesh.file, '--yes'])).code, 0);
    assert.equal(await config('ssl', 'fail_if_no_peer_cert'), 'true');
    assert.equal((await cli(mesh, ['plan', '-f', mesh.file, '--detailed-exitcode'])).code, 0);
  });
});
