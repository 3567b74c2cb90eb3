// Every conformance table, in the order they run.
import { allDocsArea } from './alldocs.ts';
import { attachmentsArea } from './attachments.ts';
import { bulkArea } from './bulk.ts';
import { changesArea } from './changes.ts';
import { conflictsArea } from './conflicts.ts';
import { dbArea } from './db.ts';
import { dbsInfoArea, dbsInfoLimitArea } from './dbs-info.ts';
import { designArea } from './design.ts';
import { docsArea } from './docs.ts';
import { fidelityArea } from './fidelity.ts';
import { localArea } from './local.ts';
import { requestBodiesArea } from './request-bodies.ts';
import { revIdArea } from './revids.ts';
import { securityArea } from './security.ts';
import { serverArea } from './server.ts';
import { trustArea } from './trust.ts';
import type { Area } from './types.ts';

export const AREAS: Area[] = [
  serverArea,
  dbArea,
  docsArea,
  revIdArea,
  allDocsArea,
  bulkArea,
  localArea,
  conflictsArea,
  changesArea,
  attachmentsArea,
  securityArea,
  trustArea,
  fidelityArea,
  designArea,
  dbsInfoArea,
  dbsInfoLimitArea,
  requestBodiesArea,
];
