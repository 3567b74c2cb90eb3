// Summaries of `node --cpu-prof` profiles of the embedded node: top functions by self time, self time by
// area of the code, couchmesh functions by inclusive time — over a window of the profile.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from './process.ts';

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const root = `file://${ROOT}`;
  if (url.startsWith(root)) return url.slice(root.length).replace(/^\/+/, '');
  return url.replace(/^file:\/\//, '');
}

const sourceMaps = new Map<string, SourceMap | null>();

/**
 * Where a frame's function is, repo-relative: compiled frames (dist/*.js) are mapped back to their .ts line
 * through tsc's source maps; frames of sources run under tsx get no line (tsx minifies whitespace, so every
 * function sits on line 1); node internals keep theirs.
 */
export function locate(f: CpuProfileNode['callFrame']): { file: string; line?: number } {
  if (!f.url) return { file: '' };
  if (f.url.startsWith('file:') && f.url.endsWith('.js')) {
    const js = fileURLToPath(f.url);
    let map = sourceMaps.get(js);
    if (map === undefined) {
      map = existsSync(`${js}.map`) ? new SourceMap(JSON.parse(readFileSync(`${js}.map`, 'utf8'))) : null;
      sourceMaps.set(js, map);
    }
    const e = map?.findEntry(f.lineNumber, f.columnNumber);
    if (e && 'originalSource' in e && e.originalSource) {
      const src = e.originalSource.startsWith('file:')
        ? fileURLToPath(e.originalSource)
        : resolve(dirname(js), e.originalSource);
      return { file: relative(ROOT, src), line: e.originalLine + 1 };
    }
  }
  const u = shortUrl(f.url);
  if (u.endsWith('.ts')) return { file: u };
  return { file: u, line: f.lineNumber + 1 };
}

function frameName(n: CpuProfileNode): string {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  const at = locate(f);
  return at.file ? `${name}  ${at.file}${at.line ? `:${at.line}` : ''}` : name;
}

/** An area of the code for a repo-relative file (or node internal), when the rule knows it. */
export type AreaRule = (file: string) => string | undefined;

function area(f: CpuProfileNode['callFrame'], extra: readonly AreaRule[]): string | undefined {
  const u = locate(f).file;
  if (!u) return undefined;
  for (const rule of extra) {
    const a = rule(u);
    if (a) return a;
  }
  if (u.startsWith('src/couchdb/json-scan')) return 'couchmesh JSON scanner (src/couchdb/json-scan)';
  if (u.startsWith('src/couchdb/revid')) return 'couchmesh rev ids: term encoding + md5 (couchdb/revid)';
  if (u.startsWith('src/couchdb/tree')) return 'couchmesh rev trees (couchdb/tree*)';
  if (u.startsWith('src/node/store/') || u.includes('better-sqlite3'))
    return 'SQLite via better-sqlite3 (store/, native)';
  if (u.startsWith('src/node/engine/')) return 'couchmesh engine (engine/)';
  if (u.startsWith('src/node/http/')) return 'couchmesh HTTP layer (http/)';
  if (u.includes('node_modules/tsx') || u.includes('node:internal/modules')) return 'module loading (tsx)';
  if (u.startsWith('node:internal/crypto') || u === 'node:crypto') return 'node:crypto';
  if (
    /^node:(_http|internal\/http|http|net|internal\/stream|stream|events|internal\/streams|internal\/url|url)/.test(
      u,
    )
  )
    return 'node http / net / streams / url';
  if (u.startsWith('node:')) return 'other node internals';
  return `other (${u})`;
}

export interface ProfileWindow {
  /** printed as "first..last sample inside <label>" */
  label: string;
  /** whether a sample's stack (leaf first) is inside the measured work */
  contains(stack: CpuProfileNode[]): boolean;
}

export function summariseProfile(
  p: CpuProfile,
  note: string,
  window: ProfileWindow,
  extraAreas: readonly AreaRule[] = [],
): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stack = (id: number) => {
    const out: CpuProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) out.push(n);
    }
    return out;
  };
  // the window: first .. last sample inside the work (leaves out startup, tsx, warm-up DB creation)
  let first = -1;
  let last = -1;
  for (let i = 0; i < p.samples.length; i++)
    if (window.contains(stack(p.samples[i] as number))) {
      if (first < 0) first = i;
      last = i;
    }
  if (first < 0) throw new Error(`the profile holds no sample inside ${window.label}`);

  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const areas = new Map<string, number>();
  let windowUs = 0;
  let idleUs = 0;
  for (let i = first; i <= last; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0; // the time until the next sample is this sample's
    windowUs += dt;
    const id = p.samples[i] as number;
    const leaf = byId.get(id);
    if (!leaf) continue;
    const name = leaf.callFrame.functionName;
    if (name === '(idle)') {
      idleUs += dt;
      continue;
    }
    const key = frameName(leaf);
    self.set(key, (self.get(key) ?? 0) + dt);
    const frames = stack(id);
    const seen = new Set<string>();
    for (const f of frames) {
      const k = frameName(f);
      if (!locate(f.callFrame).file.startsWith('src/') || seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
    // native frames (no url: better-sqlite3's run(), md5, JSON builtins) count for the nearest caller's area
    let a =
      name === '(garbage collector)'
        ? 'garbage collector'
        : name === '(program)'
          ? '(program): V8/native, unattributed'
          : undefined;
    for (const f of frames) {
      if (a) break;
      a = area(f.callFrame, extraAreas);
    }
    a ??= 'other';
    areas.set(a, (areas.get(a) ?? 0) + dt);
  }
  const busy = windowUs - idleUs;
  const pct = (us: number) => `${((us / busy) * 100).toFixed(1).padStart(5)}%`;
  const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
  const top = (m: Map<string, number>, n: number) => [...m].sort((x, y) => y[1] - x[1]).slice(0, n);

  console.log('');
  console.log(note);
  console.log(
    `window (first..last sample inside ${window.label}): ${(windowUs / 1000).toFixed(0)} ms; busy (not idle) ${(busy / 1000).toFixed(0)} ms = ${((busy / windowUs) * 100).toFixed(0)}% of it. Shares below are of busy time.`,
  );
  console.log('');
  console.log('top 10 functions by self time');
  top(self, 10).forEach(([k, v], i) => {
    console.log(`  ${String(i + 1).padStart(2)}. ${pct(v)} ${ms(v)}  ${k}`);
  });
  console.log('');
  console.log('self time by area (native frames counted for their nearest JS caller)');
  for (const [k, v] of top(areas, 20)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
  console.log('');
  console.log('couchmesh functions by inclusive time (self + callees)');
  for (const [k, v] of top(incl, 16)) console.log(`  ${pct(v)} ${ms(v)}  ${k}`);
}
