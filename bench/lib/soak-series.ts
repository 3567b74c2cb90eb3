// Memory series of the soak (bench/soak.ts): samples per process, and growth as a least-squares slope
// per minute over the samples after the warm-up (start and end alone move with GC and the allocator).

export interface Sample {
  /** ms since the writers started */
  t: number;
  rssKiB: number;
  /** live heap after a full GC, bytes */
  heap: number;
}

export interface Growth {
  start: number;
  end: number;
  /** per minute, after the warm-up */
  slope: number;
}

/** Least-squares slope of y over t (ms), per minute; 0 with fewer than two points. */
export function slopePerMinute(points: Array<{ t: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** Start, end and slope (after `warmupMs`) of one measure of a process, in MiB. */
export function growth(samples: Sample[], warmupMs: number, y: (s: Sample) => number): Growth {
  const after = samples.filter((s) => s.t >= warmupMs);
  return {
    start: y(samples[0] as Sample),
    end: y(samples.at(-1) as Sample),
    slope: slopePerMinute(after.map((s) => ({ t: s.t, y: y(s) }))),
  };
}

export const rssMiB = (s: Sample) => s.rssKiB / 1024;
export const heapMiB = (s: Sample) => s.heap / 1024 / 1024;
