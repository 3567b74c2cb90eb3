/**
 * A relay's running totals, for `couchmesh metrics` and the router (load of a relay): connections
 * (CONNECT tunnels and forwarded requests), those open now, refused (off the allow list or not a
 * proxy request), failed (destination unreachable) and bytes each way.
 */
export class RelayCounters {
  connections = 0;
  active = 0;
  refused = 0;
  failed = 0;
  bytesUp = 0;
  bytesDown = 0;

  opened(): void {
    this.connections++;
    this.active++;
  }

  /** called once when `active` drops to 0 (graceful shutdown waits on it) */
  onIdle: (() => void) | undefined;

  closed(): void {
    this.active--;
    if (this.active <= 0 && this.onIdle) {
      const f = this.onIdle;
      this.onIdle = undefined;
      f();
    }
  }

  snapshot() {
    const { connections, active, refused, failed, bytesUp, bytesDown } = this;
    return { connections, active, refused, failed, bytesUp, bytesDown };
  }
}
