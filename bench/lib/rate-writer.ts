// Steady writes for the long-running benchmarks (controller-run, soak): PER_SECOND docs a second spread
// over the nodes round-robin, one `_bulk_docs` per node per second; a second's batch is skipped while
// the last is still in flight (so a slow node lowers the rate instead of piling up requests).
// `written` counts the docs a node acknowledged (`ok: true` in its answer), the figure a soak checks
// for loss against.

export interface RateWriter {
  stop(): Promise<void>;
  counts(): { written: number; failed: number; skipped: number };
}

export function startRateWriter(
  urls: string[],
  perSecond: number,
  opts: { db?: string; prefix?: string; headers?: Record<string, string> } = {},
): RateWriter {
  const db = opts.db ?? 'sensors';
  const prefix = opts.prefix ?? 'w';
  let seq = 0;
  let inFlight: Promise<unknown> | undefined;
  let written = 0;
  let failed = 0;
  let skipped = 0;
  const timer = setInterval(() => {
    if (inFlight) {
      skipped++;
      return;
    }
    const byNode = new Map<string, Array<{ _id: string; v: number; at: number }>>();
    for (let i = 0; i < perSecond; i++, seq++) {
      const url = urls[seq % urls.length] as string;
      const docs = byNode.get(url) ?? [];
      docs.push({ _id: `${prefix}${seq}`, v: seq, at: Date.now() });
      byNode.set(url, docs);
    }
    inFlight = Promise.all([...byNode].map(([url, docs]) => post(url, docs))).finally(() => {
      inFlight = undefined;
    });
  }, 1000);

  async function post(url: string, docs: Array<{ _id: string }>): Promise<void> {
    try {
      const r = await fetch(`${url}/${db}/_bulk_docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...opts.headers },
        body: JSON.stringify({ docs }),
      });
      // an error answer's body is read (and dropped) so the connection can be reused
      const rows = (r.ok ? await r.json() : await r.arrayBuffer().then(() => [])) as Array<{ ok?: boolean }>;
      const ok = rows.filter((x) => x.ok === true).length;
      written += ok;
      failed += docs.length - ok;
    } catch {
      failed += docs.length;
    }
  }

  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
    counts: () => ({ written, failed, skipped }),
  };
}
