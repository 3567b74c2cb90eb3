/**
 * The API as a Hono app (no listening here: server.ts does that). Order of the checks: the Host
 * header of a loopback API (DNS rebinding), then the bearer token when one is set (everything but
 * /healthz and the dashboard's static files, which carry no data), then the route. Every answer
 * gets headers that keep the dashboard in its own origin (CSP 'self', no framing, no referrer).
 */
import { Hono } from 'hono';
import type { ControllerHandle } from '../controller/view.ts';
import { bearerMatches, hostAllowed } from './auth.ts';
import { errorResponse, sendError } from './errors.ts';
import { HttpMetrics } from './http-metrics.ts';
import { openApiDocument } from './openapi.ts';
import { mountRoutes } from './routes.ts';
import { eventsHandler } from './sse.ts';
import { staticHandler } from './static.ts';

export interface AppOptions {
  token?: string;
  /** false when bound to a non-loopback address (then the token guards it instead) */
  checkHost: boolean;
  webRoot: string;
  heartbeatMs: number;
  retryMs: number;
  /** open event streams (closed by startApi's close) */
  open: Set<() => void>;
  /** one line per answered request: method, route pattern, status (never headers, never the token) */
  onRequest?: (r: { method: string; route: string; status: number; ms: number }) => void;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const needsToken = (path: string) => path.startsWith('/api/') || path === '/metrics';

export function buildApp(handle: ControllerHandle, o: AppOptions): Hono {
  const app = new Hono();
  const metrics = new HttpMetrics();

  app.onError((e, c) => errorResponse(c, e));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
    const route = c.req.routePath;
    metrics.request(route, c.res.status);
    if (c.res.status >= 400 && c.res.headers.get('content-type')?.startsWith('application/json')) {
      const body = (await c.res
        .clone()
        .json()
        .catch(() => ({}))) as { error?: string };
      if (body.error) metrics.error(body.error);
    }
    o.onRequest?.({ method: c.req.method, route, status: c.res.status, ms: performance.now() - started });
  });
  app.use(async (c, next) => {
    if (o.checkHost && !hostAllowed(c.req.header('host')))
      return sendError(c, 'forbidden_host', 'this API answers only requests addressed to a loopback name');
    if (
      o.token !== undefined &&
      needsToken(c.req.path) &&
      !bearerMatches(c.req.header('authorization'), o.token)
    )
      return sendError(c, 'unauthorized', 'send the API token as "Authorization: Bearer <token>"');
    await next();
  });

  app.get('/healthz', (c) => c.json({ ok: true, generation: handle.snapshot().generation }));
  app.get('/metrics', async (c) => {
    const m = await handle.metrics();
    c.header('Content-Type', m.contentType);
    return c.body(`${m.body.replace(/\n?$/, '\n')}${await metrics.render()}`);
  });
  app.get('/api/v1/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/api/v1/events', eventsHandler(handle, o));
  mountRoutes(app, handle);
  app.all('/api/*', (c) => sendError(c, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  app.get('*', staticHandler(o.webRoot));
  app.all('*', (c) => sendError(c, 'not_found', `no route ${c.req.method} ${c.req.path}`));
  return app;
}
