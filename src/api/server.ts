/**
 * startApi: serves a ControllerHandle over HTTP (JSON, server-sent events, /metrics, /healthz, the
 * dashboard's files). 127.0.0.1 by default; any other address only with a bearer token (auth.ts).
 * close() ends the open event streams first, so it never waits on a dashboard left open.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { ControllerHandle } from '../controller/view.ts';
import { userError } from '../core/errors.ts';
import { type AppOptions, buildApp } from './app.ts';
import { checkBinding, isLoopback } from './auth.ts';
import { DEFAULT_WEB_ROOT } from './static.ts';

export interface ApiOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** 0 (the default) = any free port */
  port?: number;
  /** bearer token; required when host is not loopback */
  token?: string;
  /** the built dashboard (default dist/web of this package) */
  webRoot?: string;
  /** SSE heartbeat comment interval (default 15 s) */
  heartbeatMs?: number;
  /** SSE `retry:` sent to clients (default 3 s) */
  retryMs?: number;
  onRequest?: AppOptions['onRequest'];
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' ? userError('E_PORT_IN_USE', `port ${port} on ${host} is already in use`) : e,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}

export async function startApi(handle: ControllerHandle, options: ApiOptions = {}): Promise<RunningApi> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw userError('E_PORT', `the API port must be 0..65535, got ${port}`);
  checkBinding(host, options.token);
  const open = new Set<() => void>();
  const app = buildApp(handle, {
    ...(options.token !== undefined ? { token: options.token } : {}),
    checkHost: isLoopback(host),
    webRoot: options.webRoot ?? DEFAULT_WEB_ROOT,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    retryMs: options.retryMs ?? 3_000,
    open,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await listen(server, host, port);
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shown}:${addr.port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const end of [...open]) end();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closed;
    },
  };
}
