import { randomBytes, randomInt } from 'node:crypto';

/** Injected source of randomness: ids, jitter. Tests pass a seeded one for reproducible schedules. */
export interface Random {
  /** 32 lowercase hex characters, like CouchDB's `_uuids` (random algorithm). */
  uuid(): string;
  /** A float in [0, 1). */
  float(): number;
}

export const systemRandom: Random = {
  uuid: () => randomBytes(16).toString('hex'),
  // randomInt's range must stay below 2^48
  float: () => randomInt(0, 2 ** 48 - 1) / 2 ** 48,
};

/** Deterministic generator (mulberry32) for tests. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    float: next,
    uuid: () =>
      Array.from({ length: 4 }, () =>
        Math.floor(next() * 2 ** 32)
          .toString(16)
          .padStart(8, '0'),
      ).join(''),
  };
}
