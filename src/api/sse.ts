/**
 * GET /api/v1/events: the controller's events as server-sent events. The first event is the
 * snapshot (`event: snapshot`, with `retry:` for EventSource's reconnect delay); then one event per
 * ControllerEvent, named by its type, `id:` its generation. Subscribing happens before the snapshot
 * is taken, and events the snapshot already includes (generation not above it) are skipped, so a
 * client that applies them in order (events.ts) misses nothing and counts nothing twice. A comment
 * line every `heartbeatMs` keeps proxies from closing an idle stream. A client too slow to keep up
 * (backlog over MAX_BACKLOG) is disconnected: it reconnects and starts again from a fresh snapshot.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ControllerEvent, ControllerHandle } from '../controller/view.ts';

export const MAX_BACKLOG = 1000;

export interface SseOptions {
  heartbeatMs: number;
  retryMs: number;
  /** open streams, ended by startApi's close() */
  open: Set<() => void>;
}

export function eventsHandler(handle: ControllerHandle, o: SseOptions) {
  return (c: Context) =>
    streamSSE(c, async (stream) => {
      const backlog: ControllerEvent[] = [];
      let wake = () => {};
      let ended = false;
      const end = () => {
        ended = true;
        wake();
      };
      const unsubscribe = handle.subscribe((e) => {
        backlog.push(e);
        if (backlog.length > MAX_BACKLOG) end();
        wake();
      });
      o.open.add(end);
      stream.onAbort(end);
      try {
        const snap = handle.snapshot();
        await stream.writeSSE({
          event: 'snapshot',
          id: String(snap.generation),
          retry: o.retryMs,
          data: JSON.stringify(snap),
        });
        while (!ended && !stream.aborted) {
          const e = backlog.shift();
          if (e) {
            if (e.generation > snap.generation)
              await stream.writeSSE({ event: e.type, id: String(e.generation), data: JSON.stringify(e) });
            continue;
          }
          const idle = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(true), o.heartbeatMs);
            wake = () => {
              clearTimeout(timer);
              resolve(false);
            };
          });
          wake = () => {};
          if (idle) await stream.write(': heartbeat\n\n');
        }
      } finally {
        unsubscribe();
        o.open.delete(end);
        if (!stream.closed) await stream.close().catch(() => {});
      }
    });
}
