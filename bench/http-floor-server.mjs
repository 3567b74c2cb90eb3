// The HTTP transport floor for bench/node-ingest.ts: a bare node:http server that reads the whole request
// body and answers 201 with a canned `_bulk_docs`-shaped response of `x-bench-docs` items (no parsing, no
// storage). Same keep-alive settings as the embedded node. Prints `{"url":…,"pid":…}`; exits when stdin ends.
import { createServer } from 'node:http';

const canned = new Map();
function response(n) {
  let body = canned.get(n);
  if (!body) {
    const rows = [];
    for (let i = 1; i <= n; i++)
      rows.push(`{"ok":true,"id":"sensor-${String(i).padStart(5, '0')}","rev":"1-${'0'.repeat(32)}"}`);
    body = Buffer.from(`[${rows.join(',')}]\n`);
    canned.set(n, body);
  }
  return body;
}

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = response(Number(req.headers['x-bench-docs'] ?? 0));
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, pid: process.pid })}\n`,
  );
});
function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
