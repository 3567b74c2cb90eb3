/** The revision tree format (pouchdb-merge's): roots with their position, nodes `[rev id, opts, children]`. */
export interface RevOpts {
  status?: 'available' | 'missing';
  deleted?: boolean;
}
export type RevNode = [hash: string, opts: RevOpts, children: RevNode[]];
export type RevPath = { pos: number; ids: RevNode };
export type RevTree = RevPath[];
export type RevStatus = 'available' | 'missing';

export interface LeafInfo {
  rev: string;
  pos: number;
  hash: string;
  deleted: boolean;
  status: RevStatus;
}
