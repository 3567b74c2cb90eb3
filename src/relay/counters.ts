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

  closed(): void {
    this.active--;
  }

  snapshot() {
    const { connections, active, refused, failed, bytesUp, bytesDown } = this;
    return { connections, active, refused, failed, bytesUp, bytesDown };
  }
}
