// SECURITY: `[replicator] ssl_certificate_max_depth` (CouchDB default 3; Erlang ssl's `depth`, the
// intermediate CA certificates allowed between a peer's certificate and a trusted root), enforced by
// the embedded node's replicator. A source node serves a chain with 2 intermediates; the target's
// replicator trusts the root. max_depth 1: the job crashes with a tls_error reason saying the chain is
// too deep and which setting allows it; back to the default (3): the same job replicates.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CouchClient } from '../../src/couch/client.ts';
import { startNode } from '../../src/node/index.ts';
import { deepChain } from './chain.ts';
import { crashingJob, type Json, type TestNode, until } from './support.ts';

const PASSWORD = 'max-depth-admin-pw';
const DB = 'sensors';

describe('[replicator] ssl_certificate_max_depth', () => {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-max-depth-'));
  let source: TestNode;
  let target: TestNode;
  let src: CouchClient;
  let tgt: CouchClient;

  before(async () => {
    const chain = await deepChain(2);
    writeFileSync(join(dir, 'root.pem'), chain.rootPem);
    source = await startNode({
      port: 0,
      inMemory: true,
      admins: { admin: PASSWORD },
      tls: { cert: chain.chainPem, key: chain.keyPem },
    });
    target = await startNode({ port: 0, inMemory: true, admins: { admin: PASSWORD } });
    target.state.setConfig('replicator', 'startup_jitter', '0', false);
    const auth = { username: 'admin', password: PASSWORD };
    src = new CouchClient({ url: source.url, auth, tls: { ca: chain.rootPem }, retries: 0 });
    tgt = new CouchClient({ url: target.url, auth, retries: 0 });
    await src.put(`/${DB}`, {});
    await src.put(`/${DB}/deep`, { reading: 7 });
    await tgt.put(`/${DB}`, {});
    await tgt.put(
      '/_node/_local/_config/replicator/ssl_trusted_certificates_file',
      JSON.stringify(join(dir, 'root.pem')),
    );
  });

  after(async () => {
    await Promise.all([src.close(), tgt.close()]);
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a chain deeper than the limit crashes the job with a tls reason; within the default it replicates', async () => {
    await tgt.put('/_node/_local/_config/replicator/ssl_certificate_max_depth', JSON.stringify('1'));
    const crashed = await crashingJob(tgt, 'deep', `${source.url}/${DB}`, `${target.url}/${DB}`, PASSWORD);
    assert.match(crashed.info.error, /^tls_error: .*ERR_TLS_CERT_CHAIN_TOO_DEEP/);
    assert.match(crashed.info.error, /ssl_certificate_max_depth/);
    assert.ok(!crashed.info.error.includes(PASSWORD));

    // the default (3) allows 2 intermediates: recreate the job so it starts at once
    await tgt.delete('/_node/_local/_config/replicator/ssl_certificate_max_depth');
    const rev = (await tgt.get<Json>('/_replicator/deep'))._rev;
    await tgt.delete(`/_replicator/deep?rev=${rev}`);
    const auth = { basic: { username: 'admin', password: PASSWORD } };
    await tgt.put('/_replicator/deep2', {
      source: { url: `${source.url}/${DB}`, auth },
      target: { url: `${target.url}/${DB}`, auth },
      continuous: true,
    });
    const doc = await until('the doc to arrive', () => tgt.get<Json>(`/${DB}/deep`).catch(() => undefined));
    assert.equal(doc.reading, 7);
  });
});
