import type { ResolveContext } from './context.ts';
import type { PathSeg } from './diagnostic.ts';
import {
  BUILTIN_LINK_CLASSES,
  type CheckpointRange,
  COUCHDB_DEFAULTS,
  REPLICATION_PARAMS,
  type ReplicationParams,
} from './link-classes.ts';
import { isMapping } from './nodes.ts';
import { LinkClassSchema, Name } from './schema.ts';
import type { LinkClassSpec } from './types.ts';
import { describeValue, parseAt } from './zod-issues.ts';

/** The built-in classes, with the user's `link_classes:` merged over them (overrides or new ones). */
export function resolveLinkClasses(raw: unknown, ctx: ResolveContext): Map<string, LinkClassSpec> {
  const { sink } = ctx;
  const classes = new Map<string, LinkClassSpec>();
  for (const [name, c] of Object.entries(BUILTIN_LINK_CLASSES))
    classes.set(name, {
      name,
      builtin: true,
      description: c.description,
      params: { ...c.params },
      ...range(c),
    });
  if (raw === undefined || raw === null) return classes;
  if (!isMapping(raw)) {
    sink.error('E_TYPE', ['link_classes'], `got ${describeValue(raw)}`, {
      expected: 'a mapping of class name -> { checkpoint_interval, … }',
    });
    return classes;
  }
  for (const [name, value] of Object.entries(raw)) {
    const path: PathSeg[] = ['link_classes', name];
    if (!Name.safeParse(name).success) {
      sink.error('E_CLASS_NAME', path, `link class name '${name}' is not valid`, {
        key: true,
        expected: 'lowercase letters, digits, _ and -, starting with a letter',
      });
      continue;
    }
    const parsed = parseAt(LinkClassSchema, value ?? {}, path, sink);
    if (!parsed) continue;
    const builtin = BUILTIN_LINK_CLASSES[name];
    const base = parsed.extends ? BUILTIN_LINK_CLASSES[parsed.extends] : builtin;
    const params: ReplicationParams = { ...(base?.params ?? COUCHDB_DEFAULTS) };
    for (const p of REPLICATION_PARAMS) if (parsed[p] !== undefined) params[p] = parsed[p];
    let checkpointRange = base?.checkpoint_range;
    if (parsed.checkpoint_range) {
      const { min, max } = parsed.checkpoint_range;
      if (min <= max)
        checkpointRange = { min, max, reason: `the range set in link_classes.${name}.checkpoint_range` };
      else
        sink.error(
          'E_RANGE',
          [...path, 'checkpoint_range'],
          `checkpoint_range min ${min} is above max ${max}`,
          {
            expected: 'min <= max',
          },
        );
    }
    const spec: LinkClassSpec = { name, builtin: builtin !== undefined, params };
    const description = parsed.description ?? base?.description;
    if (description !== undefined) spec.description = description;
    if (checkpointRange) spec.checkpoint_range = checkpointRange;
    classes.set(name, spec);
    if (parsed.checkpoint_interval !== undefined)
      checkCheckpoint(parsed.checkpoint_interval, spec, [...path, 'checkpoint_interval'], ctx);
    else if (parsed.checkpoint_range && checkpointRange !== base?.checkpoint_range)
      checkCheckpoint(params.checkpoint_interval, spec, [...path, 'checkpoint_range'], ctx);
  }
  return classes;
}

function range(c: { checkpoint_range?: CheckpointRange }): { checkpoint_range?: CheckpointRange } {
  return c.checkpoint_range ? { checkpoint_range: c.checkpoint_range } : {};
}

/** Warns when a checkpoint_interval lies outside its class's sensible range. */
export function checkCheckpoint(
  value: number,
  cls: LinkClassSpec,
  path: PathSeg[],
  { sink }: ResolveContext,
): void {
  const r = cls.checkpoint_range;
  if (!r || (value >= r.min && value <= r.max)) return;
  sink.warning(
    'W_CHECKPOINT_RANGE',
    path,
    `checkpoint_interval ${value} ms is ${value < r.min ? 'below' : 'above'} the sensible range for ${cls.name} links`,
    { expected: `${r.min}–${r.max} ms`, hint: r.reason },
  );
}
