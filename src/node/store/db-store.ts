import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

/**
 * One CouchDB database = one SQLite file (WAL). Tables mirror what a couch_db file holds:
 *  - docs: the full_doc_info (id -> rev tree, winner, current seq, and its leaf revs in winner order:
 *    what `_changes?style=all_docs` and `open_revs=all` list, read without parsing the tree). `seq` doubles as the by-seq
 *    index: an update moves the doc to a new seq, so each doc appears once, at its latest change,
 *    exactly like CouchDB's by-seq btree.
 *  - revs: the body (JSON text, top-level `_` fields removed) and attachment stubs of each revision
 *    we hold; old revisions stay until stemmed (CouchDB keeps them until compaction).
 *  - local_docs: `_local/*` documents (not replicated, no rev tree, rev "0-N").
 *  - atts: attachment bytes, content-addressed by digest (shared between revisions and docs).
 *  - meta: instance_start_time, _security, _revs_limit.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs (
  id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, tree TEXT NOT NULL,
  winner TEXT NOT NULL, deleted INTEGER NOT NULL, leaves TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS revs (
  doc_id TEXT NOT NULL, rev TEXT NOT NULL, body TEXT NOT NULL, atts TEXT, deleted INTEGER NOT NULL,
  PRIMARY KEY (doc_id, rev)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS local_docs (id TEXT PRIMARY KEY, rev INTEGER NOT NULL, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS atts (digest TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS att_index (digest TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (digest, key)) WITHOUT ROWID;
`;

export interface DocRow {
  id: string;
  seq: number;
  tree: string;
  winner: string;
  deleted: number;
  /**
   * The leaf revs, winner first, as a JSON array; null in rows written before the column existed
   * (readers then walk the tree).
   */
  leaves: string | null;
}

const DOC_COLS = 'id, seq, tree, winner, deleted, leaves';

/**
 * A doc row without its rev tree: what `_changes` rows and `open_revs=all` reads need (id, winner,
 * leaves). Its tree, when a reader does need it, is one `docTree` read away.
 */
export type DocHead = Omit<DocRow, 'tree'>;

type RawDoc = [number, string, string, number, string | null];
type RawHead = [string, number, string, number, string | null];
const head = (r: RawHead): DocHead => ({ id: r[0], seq: r[1], winner: r[2], deleted: r[3], leaves: r[4] });

export interface RevRow {
  doc_id: string;
  rev: string;
  body: string;
  atts: string | null;
  deleted: number;
}

export class DbStore {
  readonly db: Database.Database;
  private readonly st;

  constructor(file: string | ':memory:') {
    // created 0600 before SQLite opens it: its -wal and -shm files take the same permissions
    if (file !== ':memory:') closeSync(openSync(file, 'a', 0o600));
    this.db = new Database(file);
    if (file !== ':memory:') {
      this.db.pragma('journal_mode = WAL');
      // FULL: every committed transaction (= every acknowledged write) survives power loss / kill -9.
      this.db.pragma('synchronous = FULL');
    }
    this.db.exec(SCHEMA);
    // files made before the leaves column: added empty, filled as docs are written again
    const cols = this.db.prepare('PRAGMA table_info(docs)').all() as Array<{ name: string }>;
    if (!cols.some((c) => c.name === 'leaves')) this.db.exec('ALTER TABLE docs ADD COLUMN leaves TEXT');
    const p = (sql: string) => this.db.prepare(sql);
    this.st = {
      getMeta: p('SELECT v FROM meta WHERE k = ?').pluck(),
      setMeta: p('INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
      getDoc: p(`SELECT ${DOC_COLS} FROM docs WHERE id = ?`),
      // the batch readers' rows as arrays, without the key columns the caller already holds: most of
      // a small row's cost is building its object (measured: a `_bulk_get` leaf read about 2x cheaper)
      getDocRaw: p('SELECT seq, tree, winner, deleted, leaves FROM docs WHERE id = ?').raw(),
      // heads leave the tree out: a conflicted doc's tree is the longest text of its row
      getHeadRaw: p('SELECT seq, winner, deleted, leaves FROM docs WHERE id = ?').raw(),
      getTree: p('SELECT seq, tree FROM docs WHERE id = ?').raw(),
      putDoc: p(
        'INSERT INTO docs (id, seq, tree, winner, deleted, leaves) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, tree = excluded.tree, winner = excluded.winner, deleted = excluded.deleted, leaves = excluded.leaves',
      ),
      getRev: p('SELECT doc_id, rev, body, atts, deleted FROM revs WHERE doc_id = ? AND rev = ?'),
      getRevRaw: p('SELECT body, atts, deleted FROM revs WHERE doc_id = ? AND rev = ?').raw(),
      getRevAtts: p('SELECT atts FROM revs WHERE doc_id = ? AND rev = ?').pluck(),
      putRev: p('INSERT OR IGNORE INTO revs (doc_id, rev, body, atts, deleted) VALUES (?, ?, ?, ?, ?)'),
      delRev: p('DELETE FROM revs WHERE doc_id = ? AND rev = ?'),
      maxSeq: p('SELECT max(seq) FROM docs').pluck(),
      counts: p('SELECT sum(deleted = 0) AS live, sum(deleted = 1) AS dead FROM docs'),
      // raw rows made into objects here: better-sqlite3's own row objects cost more than the read
      bySeq: p(`SELECT ${DOC_COLS} FROM docs WHERE seq > ? ORDER BY seq LIMIT ?`).raw(),
      bySeqHeads: p(
        'SELECT id, seq, winner, deleted, leaves FROM docs WHERE seq > ? ORDER BY seq LIMIT ?',
      ).raw(),
      bySeqHeadsDesc: p(
        'SELECT id, seq, winner, deleted, leaves FROM docs WHERE seq <= ? ORDER BY seq DESC LIMIT ?',
      ).raw(),
      countAfter: p('SELECT count(*) FROM docs WHERE seq > ?').pluck(),
      getLocal: p('SELECT id, rev, body FROM local_docs WHERE id = ?'),
      putLocal: p(
        'INSERT INTO local_docs (id, rev, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET rev = excluded.rev, body = excluded.body',
      ),
      delLocal: p('DELETE FROM local_docs WHERE id = ?'),
      getAtt: p('SELECT data FROM atts WHERE digest = ?').pluck(),
      hasAtt: p('SELECT 1 FROM atts WHERE digest = ?').pluck(),
      putAtt: p('INSERT OR IGNORE INTO atts (digest, data) VALUES (?, ?)'),
      indexAtt: p('INSERT OR IGNORE INTO att_index (digest, key) VALUES (?, ?)'),
      findAtt: p('SELECT key FROM att_index WHERE digest = ? LIMIT 1').pluck(),
    };
  }

  getMeta(k: string): string | undefined {
    return this.st.getMeta.get(k) as string | undefined;
  }
  setMeta(k: string, v: string): void {
    this.st.setMeta.run(k, v);
  }
  getDoc(id: string): DocRow | undefined {
    return this.st.getDoc.get(id) as DocRow | undefined;
  }
  /**
   * The rows of many docs, in the order of `ids` (undefined where a doc does not exist). One prepared
   * statement stepped per id: measured cheaper than one `IN (SELECT value FROM json_each(?))` query
   * for the whole list, whose rows must carry their keys back.
   */
  getDocs(ids: readonly string[]): Array<DocRow | undefined> {
    const st = this.st.getDocRaw;
    return ids.map((id) => {
      const r = st.get(id) as RawDoc | undefined;
      return r && { id, seq: r[0], tree: r[1], winner: r[2], deleted: r[3], leaves: r[4] };
    });
  }
  /** `getDocs` without the trees (see DocHead). */
  getDocHeads(ids: readonly string[]): Array<DocHead | undefined> {
    const st = this.st.getHeadRaw;
    return ids.map((id) => {
      const r = st.get(id) as [number, string, number, string | null] | undefined;
      return r && { id, seq: r[0], winner: r[1], deleted: r[2], leaves: r[3] };
    });
  }
  /** A doc's rev tree (JSON) and the seq it is the tree of; undefined when the doc is not stored. */
  docTree(id: string): { seq: number; tree: string } | undefined {
    const r = this.st.getTree.get(id) as [number, string] | undefined;
    return r && { seq: r[0], tree: r[1] };
  }
  putDoc(r: DocRow): void {
    this.st.putDoc.run(r.id, r.seq, r.tree, r.winner, r.deleted, r.leaves);
  }
  getRev(docId: string, rev: string): RevRow | undefined {
    return this.st.getRev.get(docId, rev) as RevRow | undefined;
  }
  /**
   * Runs `fn` inside one read transaction: SQLite then takes its WAL read snapshot once instead of
   * once per statement, which is most of the cost of a small read (a `_bulk_get` of 500 conflicted
   * docs makes 2,000 of them: measured 2-2.5x cheaper this way; one `rev IN (...)` query per doc
   * measured no better than one query per rev inside the transaction). A consistent view as a bonus,
   * as a CouchDB reader sees one snapshot of the btree.
   */
  readTransaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    return this.db.transaction(fn)();
  }
  /** Many revisions, in the order of `pairs` (undefined where one is not stored); see getDocs. */
  getRevs(pairs: ReadonlyArray<readonly [string, string]>): Array<RevRow | undefined> {
    const st = this.st.getRevRaw;
    return pairs.map(([docId, rev]) => {
      const r = st.get(docId, rev) as [string, string | null, number] | undefined;
      return r && { doc_id: docId, rev, body: r[0], atts: r[1], deleted: r[2] };
    });
  }
  /** A revision's attachment list (JSON), without reading its body; undefined when the rev is not stored. */
  getRevAtts(docId: string, rev: string): string | null | undefined {
    return this.st.getRevAtts.get(docId, rev) as string | null | undefined;
  }
  putRev(r: RevRow): void {
    this.st.putRev.run(r.doc_id, r.rev, r.body, r.atts, r.deleted);
  }
  delRev(docId: string, rev: string): void {
    this.st.delRev.run(docId, rev);
  }
  maxSeq(): number {
    return (this.st.maxSeq.get() as number | null) ?? 0;
  }
  counts(): { live: number; dead: number } {
    const r = this.st.counts.get() as { live: number | null; dead: number | null };
    return { live: r.live ?? 0, dead: r.dead ?? 0 };
  }
  bySeq(since: number, limit: number): DocRow[] {
    return (this.st.bySeq.all(since, limit) as Array<[string, ...RawDoc]>).map((r) => ({
      id: r[0],
      seq: r[1],
      tree: r[2],
      winner: r[3],
      deleted: r[4],
      leaves: r[5],
    }));
  }
  /** The changes after `since`, oldest first, without their trees (see DocHead). */
  bySeqHeads(since: number, limit: number): DocHead[] {
    return (this.st.bySeqHeads.all(since, limit) as RawHead[]).map(head);
  }
  /** The changes at or before `upTo`, newest first, without their trees. */
  bySeqHeadsDesc(upTo: number, limit: number): DocHead[] {
    return (this.st.bySeqHeadsDesc.all(upTo, limit) as RawHead[]).map(head);
  }
  countAfter(seq: number): number {
    return this.st.countAfter.get(seq) as number;
  }
  getLocal(id: string): { id: string; rev: number; body: string } | undefined {
    return this.st.getLocal.get(id) as { id: string; rev: number; body: string } | undefined;
  }
  putLocal(id: string, rev: number, body: string): void {
    this.st.putLocal.run(id, rev, body);
  }
  delLocal(id: string): void {
    this.st.delLocal.run(id);
  }
  /** Records that attachments reported as `digest` have their bytes under `key` (stub lookups). */
  indexAtt(digest: string, key: string): void {
    if (digest !== key) this.st.indexAtt.run(digest, key);
  }
  /** The storage key of bytes known by `digest` (the digest itself when stored under it). */
  findAtt(digest: string): string | undefined {
    if (this.hasAtt(digest)) return digest;
    return this.st.findAtt.get(digest) as string | undefined;
  }
  getAtt(digest: string): Buffer | undefined {
    return this.st.getAtt.get(digest) as Buffer | undefined;
  }
  hasAtt(digest: string): boolean {
    return this.st.hasAtt.get(digest) !== undefined;
  }
  putAtt(digest: string, data: Buffer): void {
    this.st.putAtt.run(digest, data);
  }

  /** Range scan over doc ids for _all_docs (winner info only), in raw byte order as CouchDB. */
  docRange(opts: KeyRange & { includeDeleted?: boolean }): DocRow[] {
    const r = rangeWhere(opts, opts.includeDeleted ? [] : ['deleted = 0']);
    const sql = `SELECT ${DOC_COLS} FROM docs ${r.where} ORDER BY id COLLATE BINARY ${r.order} LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...r.args, opts.limit, opts.skip) as DocRow[];
  }

  /** Rows before the start key in iteration order (CouchDB's `offset`). */
  countBefore(opts: { start?: string; descending: boolean }): number {
    if (opts.start === undefined) return 0;
    const sql = `SELECT count(*) FROM docs WHERE deleted = 0 AND id ${opts.descending ? '>' : '<'} ?`;
    return this.db.prepare(sql).pluck().get(opts.start) as number;
  }

  localRange(opts: KeyRange) {
    const r = rangeWhere(opts, []);
    const sql = `SELECT id, rev, body FROM local_docs ${r.where} ORDER BY id ${r.order} LIMIT ? OFFSET ?`;
    return this.db.prepare(sql).all(...r.args, opts.limit, opts.skip) as Array<{
      id: string;
      rev: number;
      body: string;
    }>;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** What `POST /{db}/_compact` can do for SQLite: fold the WAL back into the main file and truncate it. */
  compact(): void {
    if (this.db.open && !this.db.memory) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** A key range as `_all_docs` takes it: start/end in iteration order, end inclusive unless told. */
export interface KeyRange {
  start?: string;
  end?: string;
  inclusiveEnd: boolean;
  descending: boolean;
  limit: number;
  skip: number;
}

function rangeWhere(opts: KeyRange, where: string[]): { where: string; args: unknown[]; order: string } {
  const args: unknown[] = [];
  // in SQL terms the range is [lo, hi]; which end is "start" depends on the direction
  const [lo, hi] = opts.descending ? [opts.end, opts.start] : [opts.start, opts.end];
  const loIncl = opts.descending ? opts.inclusiveEnd : true;
  const hiIncl = opts.descending ? true : opts.inclusiveEnd;
  if (lo !== undefined) {
    where.push(`id ${loIncl ? '>=' : '>'} ?`);
    args.push(lo);
  }
  if (hi !== undefined) {
    where.push(`id ${hiIncl ? '<=' : '<'} ?`);
    args.push(hi);
  }
  return {
    where: where.length ? `WHERE ${where.join(' AND ')}` : '',
    args,
    order: opts.descending ? 'DESC' : 'ASC',
  };
}
