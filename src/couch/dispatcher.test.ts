import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { startNode } from '../node/index.ts';
import { CouchClient } from './client.ts';
import { CouchError, CouchErrorCode } from './errors.ts';
import { RecordingClock } from './test-support.ts';

function listen(server: Server | TlsServer): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
}

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  a.on('error', () => b.destroy());
  b.on('error', () => a.destroy());
}

function selfSignedCert(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'couchmesh-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined; // no openssl here
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('dispatcher: proxy and TLS in front of the embedded node', () => {
  let node: Awaited<ReturnType<typeof startNode>>;
  before(async () => {
    node = await startNode({ port: 0, inMemory: true });
  });
  after(() => node.close());

  it('tunnels through an HTTP proxy (CONNECT)', async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(405);
      res.end();
    });
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        pipeBoth(client, upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    const proxyPort = await listen(proxy);
    const c = new CouchClient({ url: node.url, proxy: `http://127.0.0.1:${proxyPort}` });
    try {
      assert.equal((await c.serverInfo()).flavour, 'couchmesh');
      assert.deepEqual(tunnels, [`127.0.0.1:${node.port}`]);
    } finally {
      await c.close();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });

  it('https: untrusted certificates fail with E_COUCH_TLS (no retry); tls.ca or rejectUnauthorized:false work', async (t) => {
    const pair = selfSignedCert();
    if (!pair) return t.skip('openssl not available');
    const sockets = new Set<Socket>();
    const terminator = createTlsServer(pair, (tlsSocket) => {
      sockets.add(tlsSocket);
      pipeBoth(tlsSocket, connect(node.port, '127.0.0.1'));
    });
    const port = await listen(terminator);
    const url = `https://127.0.0.1:${port}`;
    const clients: CouchClient[] = [];
    const client = (tls?: Record<string, unknown>) => {
      const c = new CouchClient({ url, tls, clock: new RecordingClock(), retries: 3 });
      clients.push(c);
      return c;
    };
    try {
      const e = await client()
        .get('/')
        .catch((x: unknown) => x);
      assert.ok(e instanceof CouchError, String(e));
      assert.equal(e.code, CouchErrorCode.TLS);
      assert.equal(e.attempts, 1);
      assert.match(e.hint ?? '', /ca/);
      assert.equal((await client({ ca: pair.cert }).serverInfo()).flavour, 'couchmesh');
      assert.equal((await client({ rejectUnauthorized: false }).serverInfo()).flavour, 'couchmesh');
    } finally {
      for (const c of clients) await c.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => terminator.close(r));
    }
  });
});
