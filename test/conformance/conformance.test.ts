// The CouchDB-API conformance suite: one table of cases (cases/*.ts), run against the embedded node, or,
// unchanged, against any server:
//
//   COUCH_URL=http://127.0.0.1:5984 COUCH_ADMIN_USER=admin COUCH_ADMIN_PASSWORD=secret npm run test:conformance
//
// Each case uses its own database; cases of an area run concurrently, areas one after the other. Cases that
// change server config (max_document_size) run alone, last.
import { after, describe, test } from 'node:test';
import { AREAS } from './cases/index.ts';
import { shutdown } from './harness.ts';
import { runCase } from './runner.ts';

const label = (name: string, sample?: string) => (sample ? `${name} (${sample})` : name);

for (const area of AREAS) {
  describe(area.name, { concurrency: 8 }, () => {
    for (const c of area.cases.filter((x) => !x.maxDocumentSize))
      test(label(c.name, c.sample), () => runCase(c));
  });
}

describe('max_document_size', { concurrency: 1 }, () => {
  for (const area of AREAS) {
    for (const c of area.cases.filter((x) => x.maxDocumentSize))
      test(label(c.name, c.sample), () => runCase(c));
  }
});

after(shutdown);
