import { type CouchClient, docPath, isCouchError, type Seq } from '../../couch/index.ts';

/** The resolver's `_local` checkpoint: where its `_changes` follower stopped, for which settings. */
export interface Checkpoint {
  seq: Seq;
  /** Hash of the settings the seq was reached with: other settings rescan from 0. */
  config: string;
  updated_at: string;
}

export class CheckpointStore {
  #rev: string | undefined;

  constructor(
    private readonly client: CouchClient,
    private readonly db: string,
    readonly id: string,
  ) {
    if (!id.startsWith('_local/')) throw new TypeError('a checkpoint id starts with _local/');
  }

  async read(signal?: AbortSignal): Promise<Checkpoint | undefined> {
    try {
      const doc = await this.client.get<Checkpoint & { _rev: string }>(docPath(this.db, this.id), undefined, {
        signal,
      });
      this.#rev = doc._rev;
      return { seq: doc.seq, config: doc.config, updated_at: doc.updated_at };
    } catch (e) {
      if (isCouchError(e) && e.status === 404) return undefined;
      throw e;
    }
  }

  async write(c: Checkpoint, signal?: AbortSignal): Promise<void> {
    const body = { ...c, ...(this.#rev ? { _rev: this.#rev } : {}) };
    const r = await this.client.put<{ rev: string }>(docPath(this.db, this.id), body, undefined, { signal });
    this.#rev = r.rev;
  }
}
