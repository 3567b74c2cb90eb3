// The benchmark data: small sensor readings, and `_bulk_docs` request bodies serialised before any clock starts.

export interface SensorDoc {
  _id: string;
  type: 'reading';
  station: string;
  temperature_c: number;
  ts: string;
}

export function makeDocs(n: number, prefix = 'sensor'): SensorDoc[] {
  const t0 = Date.UTC(2026, 10, 27, 12, 0, 0);
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      _id: `${prefix}-${String(i).padStart(5, '0')}`,
      type: 'reading',
      station: `station-${i % 10}`,
      temperature_c: Math.round(100 + ((i * 37) % 250)) / 10,
      ts: new Date(t0 + i * 1000).toISOString().replace('.000Z', 'Z'),
    };
  });
}

export interface Batch {
  n: number;
  body: string;
}

export function toBatches(docs: SensorDoc[], size: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < docs.length; i += size) {
    const slice = docs.slice(i, i + size);
    out.push({ n: slice.length, body: JSON.stringify({ docs: slice }) });
  }
  return out;
}
