/** Human view of `couchmesh routes`: one line per direction, its path and why; legs beneath. */
import type { RoutesView } from '../../ops/routes.ts';
import type { Paint } from './paint.ts';

export function renderRoutes(v: RoutesView, p: Paint): string {
  const lines: string[] = [];
  const width = Math.max(0, ...v.directions.map((d) => d.direction.length));
  for (const d of v.directions) {
    const name = d.direction.padEnd(width);
    if (d.path === 'relayed')
      lines.push(
        `${name}  ${p.yellow(`via ${d.via} (${d.mode})`)}  since ${d.since}: ${d.reason}`,
        ...d.legs.map((l) => `${' '.repeat(width)}    leg ${l.from}->${l.to} (${l.db}) on ${l.node}`),
      );
    else if (d.path === 'direct') lines.push(`${name}  ${p.green('direct')}`);
    else lines.push(`${name}  ${p.red('unknown')}: ${d.reason}`);
  }
  const relayed = v.directions.filter((d) => d.path === 'relayed').length;
  lines.push(
    '',
    `${v.directions.length} direction(s): ${v.directions.length - relayed} direct, ${relayed} relayed${v.failover ? '' : ' (no failover: block, nothing reroutes)'}`,
  );
  if (v.unreachable.length)
    lines.push(p.yellow(`not read: ${v.unreachable.join(', ')} (their routes are unknown)`));
  return lines.join('\n');
}
