// express-pouchdb 4.2.0 on PouchDB 9 (in-memory adapter), run as a child process by `startExpressPouch()`
// in peers.ts. A separate process keeps it independent of the test process: its own PouchDB module state
// (the memory adapter shares stores by db name within a process), and its stray unhandled rejections
// (run with --unhandled-rejections=warn) cannot crash a test file.
//
// Prints one JSON line `{"port":N}` on stdout once listening. Exits when stdin closes or on SIGTERM.
// EXPRESS_POUCH_TRACE=1 logs `METHOD URL` of every request to stderr.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));
const express = require('express');
const expressPouchDB = require('express-pouchdb');

const MemoryPouch = PouchDB.defaults({ adapter: 'memory' });
const app = express();
if (process.env.EXPRESS_POUCH_TRACE) {
  app.use((req, _res, next) => {
    process.stderr.write(`${req.method} ${req.originalUrl}\n`);
    next();
  });
}
// minimumForPouchDB: no config/log files on disk, no auth, no _replicator daemon; just the data API.
app.use('/', expressPouchDB(MemoryPouch, { mode: 'minimumForPouchDB' }));

const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
