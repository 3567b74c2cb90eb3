/**
 * The JSON routes under /api/v1: reads of the controller's snapshot, and the three operator
 * commands. A command changes a node, so it takes a JSON body `{"confirm": true}`: a stray click, a
 * replayed URL or a form post from another site (which cannot send application/json without a CORS
 * preflight this API never answers) does nothing.
 */
import type { Context, Hono } from 'hono';
import type { ControllerAction, ControllerHandle } from '../controller/view.ts';
import { sendError } from './errors.ts';

const dirId = (d: { link: string; db: string; direction: string }) => `${d.link}|${d.db}|${d.direction}`;

/** Every direction with its latest status row (null before the first poll or when not observed). */
function links(handle: ControllerHandle) {
  const s = handle.snapshot();
  // by key, not by search: a 1,000-node mesh has 10,000 directions
  const rows = new Map((s.status?.directions ?? []).map((r) => [dirId(r), r]));
  return {
    generation: s.generation,
    links: s.directions.map((d) => ({ ...d, status: rows.get(dirId(d)) ?? null })),
  };
}

function nodes(handle: ControllerHandle) {
  const s = handle.snapshot();
  const rows = new Map((s.status?.nodes ?? []).map((r) => [r.node, r]));
  return {
    generation: s.generation,
    nodes: s.nodes.map((n) => ({ ...n, status: rows.get(n.name) ?? null })),
  };
}

/** GET routes: path under /api/v1 -> the body. */
export function readRoutes(handle: ControllerHandle): Record<string, () => unknown> {
  const snap = () => handle.snapshot();
  return {
    '/mesh': () => {
      const s = snap();
      return {
        mesh: s.mesh,
        started_at: s.started_at,
        generation: s.generation,
        dry_run: s.dry_run,
        nodes: s.nodes.length,
        directions: s.directions.length,
        polled_at: s.status?.at ?? null,
        summary: s.status?.summary ?? null,
      };
    },
    '/nodes': () => nodes(handle),
    '/links': () => links(handle),
    '/findings': () => ({ generation: snap().generation, findings: snap().findings }),
    '/routes': () => {
      const s = snap();
      const why = new Map(s.routes.map((r) => [r.direction, r]));
      return {
        generation: s.generation,
        routes: s.directions.map(({ direction, db, from, to, via }) => {
          const r = why.get(direction);
          return {
            direction,
            db,
            path: [from, ...via, to],
            relayed: via.length > 0,
            // FAILOVER: how and why (null while the router never touched the direction)
            mode: r?.path === 'relayed' ? r.mode : null,
            reason: r?.reason ?? null,
            since: r?.since ?? null,
            degraded: r ? r.path !== 'direct' : false,
          };
        }),
      };
    },
    '/conflicts': () => ({ generation: snap().generation, conflicts: snap().conflicts }),
    '/resolutions': () => ({ generation: snap().generation, resolutions: snap().resolutions }),
    '/actions': () => ({ generation: snap().generation, actions: snap().actions }),
    '/plan': () => ({ generation: snap().generation, drift: snap().drift }),
    '/snapshot': () => snap(),
    '/mermaid': () => ({ generation: snap().generation, mermaid: handle.mermaid() }),
  };
}

async function confirmed(c: Context): Promise<Response | null> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json'))
    return sendError(c, 'unsupported_media_type', 'send a JSON body {"confirm": true} (application/json)');
  const body = await c.req.json().catch(() => undefined);
  if (body === null || typeof body !== 'object' || (body as { confirm?: unknown }).confirm !== true)
    return sendError(
      c,
      'confirm_required',
      'this command changes a node: send {"confirm": true} as the JSON body to go ahead',
    );
  return null;
}

type Command = (c: Context) => Promise<ControllerAction>;

export function commandRoutes(handle: ControllerHandle): Record<string, Command> {
  return {
    '/directions/:direction/:db/reset-checkpoint': (c) =>
      handle.resetCheckpoint(c.req.param('direction') ?? '', c.req.param('db') ?? ''),
    '/directions/:direction/:db/reconcile': (c) =>
      handle.reconcile(c.req.param('direction') ?? '', c.req.param('db') ?? ''),
    '/resolutions/:db/:auditId/undo': (c) =>
      handle.undoResolution(c.req.param('db') ?? '', c.req.param('auditId') ?? ''),
  };
}

export function mountRoutes(app: Hono, handle: ControllerHandle): void {
  for (const [path, read] of Object.entries(readRoutes(handle)))
    app.get(`/api/v1${path}`, (c) => c.json(read() as object));
  for (const [path, run] of Object.entries(commandRoutes(handle)))
    app.post(`/api/v1${path}`, async (c) => (await confirmed(c)) ?? c.json({ action: await run(c) }));
}
