import { gunzipSync } from 'node:zlib';
import { docIdPath as docPath } from '../../couchdb/paths.ts';
import { buildMultipartRelated, parseMultipartMixed, parseMultipartRelated } from '../http/multipart.ts';
import { bulkDocsAnswer, openRevsAnswer, revsDiffAnswer } from './answers.ts';
import { type ChangeRow, type Peer, RepCrash } from './peer.ts';
import type { Job } from './scheduler.ts';

type Doc = Record<string, unknown> & {
  _id: string;
  _rev: string;
  _attachments?: Record<string, { stub?: boolean }>;
};

const hasStubs = (d: Doc) => Object.values(d._attachments ?? {}).some((a) => a.stub);

// 401/403/413/415 skip the doc and count a write failure (CouchDB >= 3.4); other 4xx crash the job
const SKIPPABLE = new Set([401, 403, 413, 415]);

/**
 * Copies one batch of changes: _revs_diff on the target, the missing revisions from the source
 * (_bulk_get, or open_revs per doc), then _bulk_docs new_edits=false (docs with attachments go as
 * multipart/related PUTs so their bytes and encodings pass through untouched).
 */
export async function copyBatch(job: Job, source: Peer, target: Peer, rows: ChangeRow[]): Promise<void> {
  const stats = job.stats;
  const revs: Record<string, string[]> = {};
  let checked = 0;
  for (const r of rows) {
    revs[r.id] ??= [];
    const list = revs[r.id] as string[];
    for (const c of r.changes) {
      list.push(c.rev);
      checked++;
    }
  }
  stats.revisions_checked += checked;
  const diff = await target.json('POST', '_revs_diff', { body: revs, idempotent: true });
  if (diff.status !== 200)
    throw new RepCrash(`revs_diff_failed: ${target.url}_revs_diff answered ${diff.status}`);
  const wanted = Object.entries(revsDiffAnswer(target, diff.body)).flatMap(([id, d]) =>
    d.missing.map((rev) => ({ id, rev, atts_since: d.possible_ancestors ?? [] })),
  );
  stats.missing_revisions_found += wanted.length;
  if (!wanted.length) return;
  const { plain, withAtts } = await fetchRevisions(job, source, wanted);
  stats.docs_read += plain.length;
  if (plain.length) await writeBulk(job, target, plain);
  for (const w of withAtts) await copyWithAttachments(job, source, target, w);
}

async function fetchRevisions(
  job: Job,
  source: Peer,
  wanted: Array<{ id: string; rev: string; atts_since: string[] }>,
) {
  const plain: Doc[] = [];
  const withAtts: Array<{ id: string; rev: string; atts_since: string[] }> = [];
  const stats = job.stats;
  let docs: Doc[] = [];
  let missing = wanted;
  if (job.spec.useBulkGet && !job.bulkGetDisabled) {
    stats.bulk_get_attempts += wanted.length;
    const r = await source.json<{
      results: Array<{ id: string; docs: Array<{ ok?: Doc; error?: unknown }> }>;
    }>('POST', '_bulk_get', {
      query: { latest: 'true', revs: 'true', attachments: 'false' },
      body: { docs: wanted, revs: true, latest: true, attachments: false },
      idempotent: true,
    });
    if (r.status === 200 && Array.isArray(r.body?.results)) {
      docs = r.body.results.flatMap((x) => x.docs.map((d) => d.ok).filter((d): d is Doc => !!d));
      stats.bulk_get_docs += docs.length;
      // revisions _bulk_get answered with an error (or not at all) are fetched one by one, as
      // couch_replicator_worker falls back to open_revs for them; keyed by revision, not doc id:
      // one conflict leaf may come back while another errors
      missing = bulkGetMisses(wanted, r.body.results);
    } else if (r.status === 400 || r.status === 404 || r.status === 405 || r.status === 501)
      job.bulkGetDisabled = true; // _bulk_get unsupported: open_revs from now on, as CouchDB does
    // any other answer (5xx…): this batch falls back to open_revs, whose failures crash the job
  }
  for (const w of missing) {
    const r = await source.json('GET', docPath(w.id), {
      query: { revs: 'true', latest: 'true', open_revs: [w.rev] },
      headers: { accept: 'application/json' },
    });
    // a revision that cannot be read must never be skipped: the checkpoint would move past it
    // and the target would miss it for good (CouchDB's worker crashes the job instead)
    if (r.status !== 200)
      throw new RepCrash(`doc_read_failed: GET ${source.url}${docPath(w.id)} answered ${r.status}`);
    for (const x of openRevsAnswer<Doc>(source, docPath(w.id), r.body)) if (x.ok) docs.push(x.ok);
  }
  const byKey = new Map(wanted.map((w) => [`${w.id}\n${w.rev}`, w]));
  for (const d of docs) {
    if (hasStubs(d))
      withAtts.push(byKey.get(`${d._id}\n${d._rev}`) ?? { id: d._id, rev: d._rev, atts_since: [] });
    else plain.push(d);
  }
  return { plain, withAtts };
}

/**
 * The wanted revisions a `_bulk_get` answer did not return: those with a per-revision error, and
 * those of a doc id it did not mention (`latest=true` may answer another rev than the one asked, so
 * a returned doc is matched by id only when the answer names no error for the requested rev).
 */
function bulkGetMisses(
  wanted: Array<{ id: string; rev: string; atts_since: string[] }>,
  results: Array<{ id: string; docs: Array<{ ok?: Doc; error?: unknown }> }>,
) {
  const failed = new Set<string>();
  const answered = new Set<string>();
  for (const x of results)
    for (const d of x.docs) {
      const e = d.error as { id?: string; rev?: string } | undefined;
      if (d.ok) answered.add(d.ok._id);
      else failed.add(`${e?.id ?? x.id}\n${e?.rev ?? '*'}`);
    }
  return wanted.filter(
    (w) => failed.has(`${w.id}\n${w.rev}`) || failed.has(`${w.id}\n*`) || !answered.has(w.id),
  );
}

/** POST _bulk_docs new_edits=false; per-doc errors and skippable statuses count as write failures. */
async function writeBulk(job: Job, target: Peer, docs: Doc[]): Promise<void> {
  const stats = job.stats;
  const r = await target.json('POST', '_bulk_docs', {
    body: { docs, new_edits: false },
    headers: { 'x-couch-full-commit': 'false' },
  });
  if (r.status === 201 || r.status === 200 || r.status === 202) {
    const failures = bulkDocsAnswer(target, r.body).filter((x) => x.error).length;
    stats.doc_write_failures += failures;
    stats.docs_written += docs.length - failures;
    return;
  }
  if (r.status === 413 && docs.length > 1) {
    const half = Math.ceil(docs.length / 2);
    await writeBulk(job, target, docs.slice(0, half));
    await writeBulk(job, target, docs.slice(half));
    return;
  }
  if (SKIPPABLE.has(r.status)) {
    stats.doc_write_failures += docs.length;
    return;
  }
  throw new RepCrash(`bulk_docs_failed: ${target.url}_bulk_docs answered ${r.status}`);
}

interface AttMeta {
  follows?: boolean;
  content_type?: string;
  encoding?: string;
  encoded_length?: number;
}

const encodedOk = new WeakMap<Peer, Promise<boolean>>();

/** Whether the target stores `encoding: gzip` attachments as such: CouchDB (and this node) do. */
function acceptsEncoded(target: Peer): Promise<boolean> {
  let p = encodedOk.get(target);
  if (!p) {
    p = target.welcome().then(
      (r) => r.status === 200 && r.body?.couchdb !== undefined && r.body?.['express-pouchdb'] === undefined,
      () => false,
    );
    encodedOk.set(target, p);
  }
  return p;
}

/** GET open_revs as multipart/mixed and PUT each revision to the target as multipart/related. */
async function copyWithAttachments(
  job: Job,
  source: Peer,
  target: Peer,
  w: { id: string; rev: string; atts_since: string[] },
) {
  const stats = job.stats;
  const r = await source.raw('GET', docPath(w.id), {
    query: {
      revs: 'true',
      open_revs: [w.rev],
      latest: 'true',
      attachments: 'true',
      atts_since: w.atts_since,
    },
    headers: { accept: 'multipart/mixed' },
  });
  if (r.status !== 200)
    throw new RepCrash(`doc_read_failed: GET ${source.url}${docPath(w.id)} answered ${r.status}`);
  const ct = r.headers['content-type'] ?? '';
  if (!/^multipart\//i.test(ct)) {
    // servers without multipart answer JSON with inline data (express-pouchdb even labels it text/plain)
    let body: unknown;
    try {
      body = JSON.parse(r.body.toString('utf8'));
    } catch {
      body = undefined;
    }
    const docs = openRevsAnswer<Doc>(source, docPath(w.id), body).flatMap((x) => (x.ok ? [x.ok] : []));
    stats.docs_read += docs.length;
    if (docs.length) await writeBulk(job, target, docs);
    return;
  }
  const parts = parseMultipartMixed(r.body, ct);
  // no part at all (not even an error part for a missing rev): the revision would be dropped unseen
  if (!parts.length)
    throw new RepCrash(
      `bad_response: GET ${source.url}${docPath(w.id)} answered a multipart body without parts`,
    );
  for (const part of parts) {
    const pct = part.headers['content-type'] ?? '';
    if (/error="true"/.test(pct)) continue;
    stats.docs_read++;
    if (/^application\/json/i.test(pct)) {
      await writeBulk(job, target, [JSON.parse(part.body.toString('utf8')) as Doc]);
      continue;
    }
    const rel = parseMultipartRelated(part.body, pct);
    const doc = JSON.parse(rel.json.toString('utf8')) as Doc;
    const attMeta = (doc._attachments ?? {}) as Record<string, AttMeta>;
    const names = Object.entries(attMeta)
      .filter(([, a]) => a.follows)
      .map(([name, a]) => ({ name, a }));
    // a target that does not know CouchDB's `encoding` (PouchDB Server) would store the gzip bytes
    // as the attachment's content: send it the identity bytes instead
    const decode = names.some(({ a }) => a.encoding === 'gzip') && !(await acceptsEncoded(target));
    const atts = names.map(({ name, a }, i) => {
      const p = rel.parts.find((x) => x.filename === name) ?? rel.parts[i];
      const data = p?.data ?? Buffer.alloc(0);
      const contentType = a.content_type ?? 'application/octet-stream';
      if (decode && a.encoding === 'gzip') {
        delete a.encoding;
        delete a.encoded_length;
        return { name, contentType, data: gunzipSync(data) };
      }
      return { name, contentType, data, ...(a.encoding ? { encoding: a.encoding } : {}) };
    });
    const out = buildMultipartRelated(decode ? Buffer.from(JSON.stringify(doc)) : rel.json, atts);
    const put = await target.raw('PUT', docPath(doc._id), {
      query: { new_edits: 'false' },
      headers: { 'content-type': out.contentType, accept: 'application/json' },
      body: out.body,
    });
    if (put.status === 201 || put.status === 200 || put.status === 202) stats.docs_written++;
    else if (SKIPPABLE.has(put.status)) stats.doc_write_failures++;
    else throw new RepCrash(`doc_write_failed: PUT ${target.url}${docPath(doc._id)} answered ${put.status}`);
  }
}
