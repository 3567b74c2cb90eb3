import { checkCheckpoint } from './classes.ts';
import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import { formatPath } from './diagnostic.ts';
import { generatePairs, pairKey } from './generators.ts';
import { REPLICATION_PARAMS, type ReplicationParams } from './link-classes.ts';
import { resolveLinkEndpoints } from './link-endpoints.ts';
import { isMapping } from './nodes.ts';
import {
  type ExplicitLinkInput,
  ExplicitLinkSchema,
  type GeneratedLinksInput,
  GeneratedLinksSchema,
  NodePairSchema,
} from './schema.ts';
import { locate } from './source.ts';
import { didYouMean, listNames } from './suggest.ts';
import type { DatabaseSpec, LinkClassSpec, LinkSpec, NodeSpec } from './types.ts';
import { describeValue, parseAt, parseLenient } from './zod-issues.ts';

export interface LinksInput {
  raw: unknown;
  /** Every declared node name. */
  nodeNames: readonly string[];
  nodes: ReadonlyMap<string, NodeSpec>;
  databases: readonly DatabaseSpec[];
  classes: ReadonlyMap<string, LinkClassSpec>;
  defaultClass: string;
}

type Settings = Pick<ExplicitLinkInput, 'class' | 'databases' | 'overrides' | 'endpoints'>;
interface Resolved {
  class: string;
  params: ReplicationParams;
  databases: string[];
}
type Entry =
  | {
      kind: 'explicit';
      index: number;
      path: PathSeg[];
      ends: [string, string];
      endPaths: PathSeg[][];
      settings: Settings;
    }
  | { kind: 'generator'; index: number; path: PathSeg[]; gen: GeneratedLinksInput };

/**
 * Expands and checks `links:`. Decisions: a pair is one link (both directions); two explicit
 * entries for one pair are an error; an explicit entry replaces the links generators make for its
 * pair (that is how one link of a generated mesh is customised); when two generators make the same
 * pair the first wins (a warning if their settings differ); generators skip pairs whose two nodes
 * are both behind NAT (a warning), while such an explicit link is an error.
 */
export function resolveLinks(input: LinksInput, ctx: ResolveContext): LinkSpec[] {
  const { sink } = ctx;
  const { raw } = input;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    sink.error('E_TYPE', ['links'], `got ${describeValue(raw)}`, {
      expected: 'a list of links: [n1, n2], { between: [n1, n2], … } or { generate: …, … }',
    });
    return [];
  }
  const entries = raw.map((e, i) => parseEntry(e, i, ctx)).filter((e): e is Entry => e !== undefined);
  const buckets: LinkSpec[][] = raw.map(() => []);
  const explicit = new Map<string, PathSeg[]>();
  for (const e of entries) if (e.kind === 'explicit') addExplicit(e, input, ctx, explicit, buckets);
  const generated = new Map<string, { path: PathSeg[]; link: LinkSpec }>();
  for (const e of entries)
    if (e.kind === 'generator') addGenerated(e, input, ctx, explicit, generated, buckets);
  return buckets.flat();
}

function parseEntry(e: unknown, index: number, { sink }: ResolveContext): Entry | undefined {
  const path: PathSeg[] = ['links', index];
  if (Array.isArray(e)) {
    const ends = parseAt(NodePairSchema, e, path, sink);
    return (
      ends && {
        kind: 'explicit',
        index,
        path,
        ends,
        endPaths: [path.concat(0), path.concat(1)],
        settings: {},
      }
    );
  }
  if (isMapping(e) && 'generate' in e) {
    const gen = parseLenient(GeneratedLinksSchema, e, path, sink);
    return gen && { kind: 'generator', index, path, gen };
  }
  if (isMapping(e)) {
    const link = parseLenient(ExplicitLinkSchema, e, path, sink);
    if (!link) return undefined;
    const endPaths = [path.concat('between', 0), path.concat('between', 1)];
    return { kind: 'explicit', index, path, ends: link.between, endPaths, settings: link };
  }
  sink.error('E_TYPE', path, `got ${describeValue(e)}`, {
    expected:
      '[n1, n2], { between: [n1, n2], class?, databases?, overrides? } or { generate: full-mesh|ring|star, … }',
    hint: typeof e === 'string' ? 'write a link as a pair: - [n1, n2]' : undefined,
  });
  return undefined;
}

function knownNode(name: string, path: PathSeg[], input: LinksInput, { sink }: ResolveContext): boolean {
  if (input.nodeNames.includes(name)) return true;
  sink.error('E_UNKNOWN_NODE', path, `unknown node '${name}'`, {
    expected: input.nodeNames.length
      ? `one of ${listNames(input.nodeNames)}`
      : 'a node declared under nodes:',
    hint: didYouMean(name, input.nodeNames) ?? 'declare it under nodes: first',
  });
  return false;
}

function undrivable(a: string, b: string, input: LinksInput): boolean {
  return input.nodes.get(a)?.reachable === false && input.nodes.get(b)?.reachable === false;
}

function resolveSettings(
  s: Settings,
  path: PathSeg[],
  input: LinksInput,
  ctx: ResolveContext,
): Resolved | undefined {
  const { sink } = ctx;
  let ok = true;
  const className = s.class ?? input.defaultClass;
  const cls = input.classes.get(className);
  if (!cls) {
    // An unknown default class is reported once, at defaults.class.
    if (s.class !== undefined) {
      const names = [...input.classes.keys()];
      sink.error('E_UNKNOWN_LINK_CLASS', [...path, 'class'], `unknown link class '${className}'`, {
        expected: `one of ${listNames(names)}`,
        hint: didYouMean(className, names) ?? 'define it under link_classes:',
      });
    }
    ok = false;
  }
  const all = input.databases.map((d) => d.name);
  let databases = all;
  if (Array.isArray(s.databases)) {
    if (s.databases.length === 0) {
      sink.error('E_NO_DATABASES', [...path, 'databases'], 'the link carries no databases', {
        expected: "'all' or a non-empty list of database names",
        hint: 'remove databases: to carry all of them',
      });
      ok = false;
    }
    s.databases.forEach((db, j) => {
      if (all.includes(db)) return;
      sink.error('E_UNKNOWN_DATABASE', [...path, 'databases', j], `unknown database '${db}'`, {
        expected: all.length ? `one of ${listNames(all)}` : 'a database listed under databases:',
        hint: didYouMean(db, all) ?? 'list it under databases: first',
      });
      ok = false;
    });
    databases = all.filter((d) => s.databases?.includes(d));
  }
  if (!ok || !cls) return undefined;
  const params = { ...cls.params };
  for (const p of REPLICATION_PARAMS) {
    const v = s.overrides?.[p];
    if (v !== undefined) params[p] = v;
  }
  if (s.overrides?.checkpoint_interval !== undefined)
    checkCheckpoint(s.overrides.checkpoint_interval, cls, [...path, 'overrides', 'checkpoint_interval'], ctx);
  return { class: cls.name, params, databases };
}

function makeLink(
  a: string,
  b: string,
  r: Resolved,
  path: PathSeg[],
  ctx: ResolveContext,
  generator?: LinkSpec['origin']['generator'],
): LinkSpec {
  const pos = locate(ctx.sink.source, path);
  const origin: LinkSpec['origin'] = { path: formatPath(path), line: pos.line, column: pos.column };
  if (generator) origin.generator = generator;
  return {
    key: pairKey(a, b),
    nodes: [a, b],
    class: r.class,
    params: r.params,
    databases: r.databases,
    origin,
  };
}

function addExplicit(
  e: Extract<Entry, { kind: 'explicit' }>,
  input: LinksInput,
  ctx: ResolveContext,
  explicit: Map<string, PathSeg[]>,
  buckets: LinkSpec[][],
): void {
  const { sink } = ctx;
  const [a, b] = e.ends;
  const knownA = knownNode(a, e.endPaths[0]!, input, ctx);
  const knownB = knownNode(b, e.endPaths[1]!, input, ctx);
  const settings = resolveSettings(e.settings, e.path, input, ctx);
  if (!knownA || !knownB) return;
  if (a === b) {
    sink.error('E_SELF_LINK', e.endPaths[1]!, `node '${a}' is linked to itself`, {
      expected: 'two different nodes',
      hint: 'a link replicates between two nodes; remove this one',
    });
    return;
  }
  const key = pairKey(a, b);
  const first = explicit.get(key);
  if (first) {
    sink.error('E_DUPLICATE_LINK', e.path, `link ${a}--${b} is declared twice`, {
      expected: 'each pair of nodes linked once',
      hint: `it is already declared at ${formatPath(first)} (line ${sink.lineOf(first)}); one link replicates both ways, so remove one (list several databases on one link with databases:)`,
    });
    return;
  }
  explicit.set(key, e.path);
  if (undrivable(a, b, input)) {
    sink.error(
      'E_LINK_UNDRIVABLE',
      e.path,
      `nobody can drive link ${a}--${b}: both nodes are behind NAT (reachable: false)`,
      {
        expected: 'at least one node of a link that its peer can reach',
        hint: `link ${a} and ${b} each to a reachable relay instead, or make one of them reachable`,
      },
    );
    return;
  }
  const endpoints = resolveLinkEndpoints(e.settings.endpoints, [a, b], e.path, ctx);
  if (!settings || endpoints === null) return;
  const link = makeLink(a, b, settings, e.path, ctx);
  if (endpoints) link.endpoints = endpoints;
  buckets[e.index]!.push(link);
}

function addGenerated(
  e: Extract<Entry, { kind: 'generator' }>,
  input: LinksInput,
  ctx: ResolveContext,
  explicit: ReadonlyMap<string, PathSeg[]>,
  generated: Map<string, { path: PathSeg[]; link: LinkSpec }>,
  buckets: LinkSpec[][],
): void {
  const { sink } = ctx;
  const { gen, path } = e;
  let ok = true;
  let members: string[];
  if (gen.nodes === 'all') members = [...input.nodeNames];
  else {
    members = [];
    gen.nodes.forEach((n, j) => {
      if (!knownNode(n, [...path, 'nodes', j], input, ctx)) ok = false;
      else if (!members.includes(n)) members.push(n);
    });
  }
  if (gen.generate === 'star') {
    if (gen.hub === undefined) {
      sink.error('E_MISSING', path, "missing required field 'hub'", {
        expected: 'hub: the node at the centre of the star',
      });
      ok = false;
    } else if (!knownNode(gen.hub, [...path, 'hub'], input, ctx)) ok = false;
  } else if (gen.hub !== undefined) {
    sink.error('E_HUB', [...path, 'hub'], `hub applies to generate: star, not ${gen.generate}`, {
      expected: 'no hub',
      hint: 'remove hub, or use generate: star',
    });
    ok = false;
  }
  const settings = resolveSettings(gen, path, input, ctx);
  if (!ok || !settings) return;
  const pairs = generatePairs(gen.generate, members, gen.hub);
  if (pairs.length === 0) {
    sink.warning('W_GENERATOR_EMPTY', path, `${gen.generate} generates no links`, {
      expected: gen.generate === 'star' ? 'nodes besides the hub' : 'at least two nodes',
    });
    return;
  }
  for (const [a, b] of pairs) {
    const key = pairKey(a, b);
    if (explicit.has(key)) continue; // the explicit link replaces the generated one
    const prev = generated.get(key);
    if (prev) {
      const link = makeLink(a, b, settings, path, ctx);
      const same =
        prev.link.class === link.class &&
        JSON.stringify([prev.link.params, prev.link.databases]) ===
          JSON.stringify([link.params, link.databases]);
      if (!same)
        sink.warning(
          'W_GENERATED_TWICE',
          path,
          `link ${key} is also generated by ${formatPath(prev.path)} with other settings; that one is kept`,
          {
            hint: `declare [${a}, ${b}] explicitly to choose its settings`,
          },
        );
      continue;
    }
    if (undrivable(a, b, input)) {
      sink.warning(
        'W_GENERATED_UNDRIVABLE',
        path,
        `skipping ${a}--${b}: both nodes are behind NAT (reachable: false), so nobody can drive it`,
        {
          hint: 'they still replicate through the other links; link them to a reachable relay if they have none',
        },
      );
      continue;
    }
    const link = makeLink(a, b, settings, path, ctx, gen.generate);
    generated.set(key, { path, link });
    buckets[e.index]!.push(link);
  }
}
