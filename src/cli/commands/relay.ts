import type { Command } from 'commander';
import { parseAllow } from '../../relay/allow.ts';
import { relayMemberGroupsOf } from '../../relay/mesh-groups.ts';
import { startRelay } from '../../relay/relay.ts';
import type { Output } from '../boundary.ts';
import { parsePort, waitForSignal } from './node.ts';

/**
 * `couchmesh relay`: the HTTP forward proxy a relay host runs for failover in proxy mode (replication
 * docs get `source_proxy` / `target_proxy` pointing at it, so their replication ids and checkpoints
 * stay). Deny by default: only `--allow` destinations are forwarded to.
 */
export function registerRelay(program: Command, output: Output): void {
  program
    .command('relay')
    .description(
      'run an HTTP forward proxy for replication traffic (CONNECT for https, absolute-form for http)',
    )
    .requiredOption('-p, --port <port>', 'TCP port (0 = any free port)', parsePort)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--allow <list>', 'HOST:PORT,... destinations to forward to (HOST:* = any port); default: none')
    .option(
      '-f, --file <mesh>',
      "serve the mesh's via_relay clusters: a request for a member goes to a live one",
    )
    .option('--name <relay>', 'with -f: only the clusters whose via_relay names this relay node')
    .option(
      '--metrics',
      'also answer GET /metrics on this port: the counters in the Prometheus text format (no destinations)',
    )
    .option('--json', 'print the listening line and the final counters as JSON')
    .action(
      async (opts: {
        port: number;
        host: string;
        allow?: string;
        file?: string;
        name?: string;
        metrics?: boolean;
        json?: boolean;
      }) => {
        const allow = parseAllow(opts.allow);
        const members = opts.file ? relayMemberGroupsOf(opts.file, process.env, opts.name) : [];
        const relay = await startRelay({
          members,
          port: opts.port,
          host: opts.host,
          allow,
          metrics: opts.metrics === true,
          log: (line) => output.err(line),
        });
        const metrics = opts.metrics ? `${relay.url}/metrics` : undefined;
        if (opts.json)
          output.out(JSON.stringify({ url: relay.url, allow: allow.length, metrics: metrics ?? null }));
        else {
          output.out(
            `couchmesh relay listening on ${relay.url} (${allow.length} allowed destination(s)${members.length ? `, ${members.length} cluster(s) by member` : ''})${metrics ? `; metrics on ${metrics}` : ''}`,
          );
          if (allow.length === 0 && members.length === 0)
            output.err(
              'relay: no --allow given, so every connection is refused (example: --allow 10.0.0.4:5984)',
            );
        }
        await waitForSignal();
        await relay.close();
        const totals = relay.counters.snapshot();
        output.out(
          opts.json
            ? JSON.stringify(totals)
            : `stopped: ${totals.connections} connection(s), ${totals.refused} refused, ${totals.failed} failed, ${totals.bytesUp} bytes up, ${totals.bytesDown} down`,
        );
      },
    );
}
