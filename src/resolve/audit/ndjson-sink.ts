import { open, readFile } from 'node:fs/promises';
import { type AuditEntry, isAuditEntry, withDerived } from './entry.ts';
import { type AuditSink, byRecordedAt } from './sink.ts';

/**
 * The audit as an append-only NDJSON file, one entry per line, flushed to disk (fdatasync) before
 * `record` returns, so before anything is deleted. An entry id already in the file is not appended again.
 */
export class NdjsonAuditSink implements AuditSink {
  readonly description: string;
  #ids: Set<string> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    this.description = `file ${path}`;
  }

  async open(): Promise<void> {
    if (this.#ids) return;
    this.#ids = new Set((await this.readAll()).map((e) => e._id));
  }

  private async readAll(): Promise<AuditEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const v = JSON.parse(line);
        if (isAuditEntry(v)) out.push(v);
      } catch {
        // a torn last line (crash mid-append) is skipped
      }
    }
    return out;
  }

  record(entries: readonly AuditEntry[]): Promise<Map<string, string>> {
    // appends are serialised: concurrent batches must not interleave partial lines
    const run = this.#queue.then(async () => {
      await this.open();
      const ids = this.#ids as Set<string>;
      const fresh = entries.filter((e) => !ids.has(e._id));
      if (fresh.length) {
        const fh = await open(this.path, 'a');
        try {
          await fh.write(fresh.map((e) => `${JSON.stringify(e)}\n`).join(''));
          await fh.datasync();
        } finally {
          await fh.close();
        }
        for (const e of fresh) ids.add(e._id);
      }
      return new Map<string, string>();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async forDoc(docId: string): Promise<AuditEntry[]> {
    return (await this.readAll())
      .filter((e) => e.doc_id === docId)
      .map(withDerived)
      .sort(byRecordedAt);
  }

  async get(id: string): Promise<AuditEntry | undefined> {
    const e = (await this.readAll()).find((x) => x._id === id);
    return e && withDerived(e);
  }
}
