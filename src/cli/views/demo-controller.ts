/** Human view of the controller's demo: the controller, the dashboard and the partition scenario. */
import type { ControllerDemoEvent } from '../../controller/demo.ts';
import { renderDemoEvent } from './demo.ts';

const short = (ids: readonly string[]) =>
  ids.length <= 2 ? ids.join(', ') : `${ids.slice(0, 2).join(', ')} (+${ids.length - 2} more)`;

/** The line(s) of one progress event (the demo operation's events as src/cli/views/demo.ts renders them). */
export function renderControllerDemoEvent(e: ControllerDemoEvent): string {
  switch (e.type) {
    case 'proxied':
      return `  ${e.node}'s links (${e.links.join(', ')}) go through fault proxies (mesh.yaml's endpoints:), so the scenario can cut them`;
    case 'controller-started':
      return `\nThe controller runs on the mesh ('couchmesh run'): a poll and a conflict pass every ${e.pollMs} ms (log: ${e.log})`;
    case 'partition-soon':
      return `\nOpen the dashboard now: the partition cuts ${e.node} off in ${Math.round(e.inMs / 1000)} s…`;
    case 'partition-cut':
      return `\nPartition: cutting ${e.node} off (${e.links.join(', ')}); the proxies hold every byte, as a lost network would`;
    case 'partition-written':
      return `  ${e.node}: updated ${e.docs} readings (updated_at ${e.updated_at})`;
    case 'partition-healed':
      return `Healed ${e.links.join(', ')}: both versions replicate across…`;
    case 'conflicts-appeared':
      return `  conflicts appeared: ${e.count} document(s) on ${e.node} hold both versions (_conflicts)`;
    case 'conflicts-resolved':
      return `  resolved by the controller: ${e.count} document(s) on ${e.node}, last writer wins by updated_at (${e.winner}'s later write kept); audit ${short(e.audit_ids)}`;
    default:
      return renderDemoEvent(e);
  }
}

/** Where the dashboard is. */
export const renderDashboard = (url: string): string =>
  `\ndashboard: ${url}/   (the live mesh graph, findings, conflicts and their audit; JSON under ${url}/api/v1/)`;
