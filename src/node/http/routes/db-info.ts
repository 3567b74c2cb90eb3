import type { Database } from '../../engine/database.ts';

/** `GET /{db}`'s body (chttpd_db:db_req -> fabric:get_db_info), also each `_dbs_info` row's `info`. */
export function dbInfo(db: Database): Record<string, unknown> {
  const pageSize = db.store.db.pragma('page_size', { simple: true }) as number;
  const pages = db.store.db.pragma('page_count', { simple: true }) as number;
  return {
    instance_start_time: db.instanceStartTime,
    db_name: db.name,
    purge_seq: db.seqs.encode(0),
    update_seq: db.seqs.encode(db.updateSeq),
    sizes: { file: pageSize * pages, external: 0, active: pageSize * pages },
    props: {},
    doc_del_count: db.delCount,
    doc_count: db.docCount,
    disk_format_version: 8,
    compact_running: false,
    cluster: { q: 1, n: 1, w: 1, r: 1 },
  };
}
