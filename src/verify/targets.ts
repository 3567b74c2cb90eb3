/**
 * What `couchmesh verify` compares, per mesh database: the nodes that hold it (the ends of its
 * links) and the node pairs. Without `--nodes`, the pairs are the mesh's links carrying the
 * database: a difference between any two nodes of a connected mesh shows on some link of the path
 * between them, and a link is what a repair can drive. With `--nodes`, every pair of the named
 * nodes that hold the database (linked or not: the operator asked about them).
 */
import { userError } from '../core/errors.ts';
import type { MeshLink } from '../observe/links.ts';

export interface VerifyTarget {
  db: string;
  /** nodes read, in mesh order */
  nodes: string[];
  pairs: Array<[string, string]>;
}

export interface TargetChoice {
  db?: string;
  nodes?: readonly string[];
}

export function verifyTargets(
  links: readonly MeshLink[],
  meshNodes: readonly string[],
  databases: readonly string[],
  choice: TargetChoice,
): VerifyTarget[] {
  if (choice.db !== undefined && !databases.includes(choice.db))
    throw userError(
      'E_VERIFY_SELECTION',
      `the mesh has no database '${choice.db}'`,
      `its databases: ${databases.join(', ')}`,
    );
  const named = choice.nodes;
  if (named) {
    const unknown = named.filter((n) => !meshNodes.includes(n));
    if (unknown.length)
      throw userError(
        'E_VERIFY_SELECTION',
        `the mesh has no node ${unknown.join(', ')}`,
        `its nodes: ${meshNodes.join(', ')}`,
      );
    if (new Set(named).size < 2)
      throw userError(
        'E_VERIFY_SELECTION',
        '--nodes needs two nodes or more to compare',
        'e.g. --nodes n1,n2',
      );
  }
  const out: VerifyTarget[] = [];
  for (const db of databases) {
    if (choice.db !== undefined && db !== choice.db) continue;
    const dbLinks = links.filter((l) => l.db === db);
    const holders = meshNodes.filter((n) =>
      dbLinks.some((l) => l.directions[0].from === n || l.directions[0].to === n),
    );
    let pairs: Array<[string, string]>;
    let nodes: string[];
    if (named) {
      nodes = holders.filter((n) => named.includes(n));
      pairs = nodes.flatMap((a, i) => nodes.slice(i + 1).map((b): [string, string] => [a, b]));
    } else {
      nodes = holders;
      pairs = dbLinks.map((l) => [l.directions[0].from, l.directions[0].to]);
    }
    if (pairs.length) out.push({ db, nodes, pairs });
  }
  return out;
}
