import type { Clock } from '../core/clock.ts';
import { sortByWinner } from '../couchdb/winner.ts';
import { type ConflictsConfig, type StrategyConfig, strategyPart } from './config.ts';
import {
  canonical,
  canonicalText,
  getPath,
  isObject,
  type JsonObject,
  jsonText,
  sameJson,
  unsafeNumberPath,
} from './json.ts';
import type { FetchedLeaf, Leaf } from './leaf.ts';
import { type BuildOptions, buildStrategy } from './strategies/index.ts';
import { declined, type Strategy, type StrategyContext, type StrategyOutcome } from './strategy.ts';

/** What the resolver decided for one document. */
export interface Decision {
  docId: string;
  /** Strategy name, and the document type it was chosen by (when `types` matched). */
  strategy: string;
  type?: string;
  /** CouchDB's winner among the live leaves: the parent of the merged revision. */
  parent: FetchedLeaf;
  /** The other live leaves: deleted by the resolution. */
  losers: FetchedLeaf[];
  /** Live leaf revs the strategy saw (incl. leaves carried over from a failed attempt). */
  considered: string[];
  outcome:
    | {
        ok: true;
        /** The merged body (canonical) and its JSON text (what is sent and hashed). */
        body: JsonObject;
        text: string;
        /** false when the merge equals the parent: only deletions are written. */
        changed: boolean;
      }
    | { ok: false; reason: string };
}

interface Chosen {
  name: string;
  type?: string;
  config: StrategyConfig;
  run: Strategy;
}

const attachmentKey = (l: FetchedLeaf) =>
  canonicalText(
    Object.fromEntries(
      Object.entries(l.attachments ?? {}).map(([n, a]) => [n, `${a.digest ?? ''}|${a.content_type ?? ''}`]),
    ),
  );

/** Strips top-level `_` fields (CouchDB metadata) and canonicalises a merged body. */
function normalise(body: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(body)) if (!k.startsWith('_')) out[k] = v;
  return canonical(out);
}

/**
 * Picks the strategy of a document (by its type, read from CouchDB's winner) and runs it over the
 * live leaves. Pure given the strategies: the same leaf set gives the same decision on every node.
 */
export class ConflictResolver {
  private constructor(
    private readonly fallback: Chosen,
    private readonly byType: Map<string, Chosen>,
    private readonly typeField: string,
  ) {}

  static async create(
    config: ConflictsConfig,
    o: BuildOptions & { clock?: Clock } = {},
  ): Promise<ConflictResolver> {
    const build = async (c: StrategyConfig, type?: string): Promise<Chosen> => ({
      name: c.strategy,
      type,
      config: c,
      run: await buildStrategy(c, o),
    });
    const byType = new Map<string, Chosen>();
    for (const [t, c] of Object.entries(config.types ?? {})) byType.set(t, await build(c, t));
    return new ConflictResolver(await build(strategyPart(config)), byType, config.type_field);
  }

  private choose(winner: FetchedLeaf): Chosen {
    const t = getPath(winner.body, this.typeField);
    return (typeof t === 'string' && this.byType.get(t)) || this.fallback;
  }

  /**
   * The decision for a document given all its leaves (deleted ones too), or null when it is not in
   * conflict (at most one live leaf, and nothing carried over). `carried` are bodies of leaves an
   * earlier, half-applied attempt already deleted: they are merged in, not deleted again.
   * Synchronous when the strategy is (every built-in one): a batch of 500 documents then costs no
   * promise per document; `await` it either way.
   */
  decide(
    docId: string,
    all: readonly FetchedLeaf[],
    carried: readonly Leaf[] = [],
  ): Decision | null | Promise<Decision | null> {
    const live = sortByWinner(all.filter((l) => !l.deleted));
    const parent = live[0];
    if (!parent || (live.length < 2 && carried.length === 0)) return null;
    const chosen = this.choose(parent);
    const base = {
      docId,
      strategy: chosen.name,
      ...(chosen.type === undefined ? {} : { type: chosen.type }),
      parent,
      losers: live.slice(1),
      considered: [...live.map((l) => l.rev), ...carried.map((l) => l.rev)],
    };
    for (const l of carried.length ? [...live, ...carried] : live) {
      const p = unsafeNumberPath(l.body);
      if (p) return no(base, `leaf ${l.rev} has a number JavaScript cannot carry exactly at ${p}`);
    }
    if (live.some((l) => l.attachments) && live.some((l) => attachmentKey(l) !== attachmentKey(parent)))
      return no(base, 'the leaves carry different attachments; a merge would drop some');
    // `live` is in winner order already: only carried leaves need a new sort
    const ordered = carried.length ? sortByWinner([...live, ...carried]) : live;
    const leaves: Leaf[] = ordered.map((l) => ({ rev: l.rev, body: l.body }));
    const ctx: StrategyContext = {
      docId,
      winner: parent.rev,
      strategy: chosen.name,
      ...(chosen.type === undefined ? {} : { type: chosen.type }),
      options: chosen.config.strategy === 'custom' ? chosen.config.options : {},
      decline: declined,
    };
    const r = chosen.run(leaves, ctx);
    return r instanceof Promise ? r.then((x) => finish(x, base)) : finish(r, base);
  }
}

// module-level, not a closure per document: a batch decides hundreds of documents
const no = (base: Omit<Decision, 'outcome'>, reason: string): Decision => ({
  ...base,
  outcome: { ok: false, reason },
});

/** A strategy's outcome as the decision: declined, or the merged body canonical and checked. */
function finish(r: StrategyOutcome, base: Omit<Decision, 'outcome'>): Decision {
  if (!r.ok) return no(base, r.reason);
  if (!isObject(r.body)) return no(base, 'the strategy did not return an object');
  const body = normalise(r.body);
  const p = unsafeNumberPath(body);
  if (p) return no(base, `the merged body has a number that is not exact at ${p}`);
  const text = jsonText(body);
  return { ...base, outcome: { ok: true, body, text, changed: !sameJson(body, base.parent.body) } };
}
