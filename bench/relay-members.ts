// CLUSTERS (#17) relay cost (a program, not a test): `node --import tsx bench/relay-members.ts [--requests=300]`.
// One embedded in-memory node on 127.0.0.1 behind two relays: one forwarding to it by its allow
// list (keep-alive agent), one serving it as the live member of a group whose first member is down
// (members.ts: a connection dialled per request, sticky to the live member). --requests sequential
// GETs through each, in plain http (absolute-form) and CONNECT; printed: the ratio of the group's
// time to the plain relay's, and the refused dials the group paid (1: stickiness).
import { CouchClient } from '../src/couch/client.ts';
import { startNode } from '../src/node/index.ts';
import { parseAllow } from '../src/relay/allow.ts';
import { startRelay } from '../src/relay/relay.ts';
import { deadPort } from '../src/relay/test-support.ts';

const arg = (name: string, d: number) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.split('=')[1]) : d;
};
const N = arg('requests', 300);

const node = await startNode({ port: 0, inMemory: true, admins: { admin: 'pw' } });
const dead = await deadPort();
const lines: string[] = [];
const plain = await startRelay({ port: 0, allow: parseAllow(`127.0.0.1:${node.port}`) });
const group = await startRelay({
  port: 0,
  allow: [],
  members: [
    [
      { host: '127.0.0.1', port: dead },
      { host: '127.0.0.1', port: node.port },
    ],
  ],
  log: (l) => lines.push(l),
});

async function run(proxy: string, url: string, proxyTunnel: boolean): Promise<number> {
  const c = new CouchClient({
    url,
    proxy,
    proxyTunnel,
    retries: 0,
    auth: { username: 'admin', password: 'pw' },
  });
  try {
    await c.serverInfo(); // warm up
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await c.request({ method: 'GET', path: '/_up' });
    return performance.now() - t0;
  } finally {
    await c.close();
  }
}

try {
  for (const tunnel of [false, true]) {
    const base = await run(plain.url, node.url, tunnel);
    const via = await run(group.url, `http://127.0.0.1:${dead}`, tunnel);
    console.log(
      `${tunnel ? 'CONNECT' : 'plain http'}: ${N} requests, group/direct relay time ratio ${(via / base).toFixed(2)} (${(base / N).toFixed(2)} vs ${(via / N).toFixed(2)} ms per request)`,
    );
  }
  console.log(`refused dials to the dead first member: ${lines.filter((l) => l.includes('refused')).length}`);
} finally {
  await plain.close(0);
  await group.close(0);
  await node.close();
}
