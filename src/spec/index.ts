/** mesh.yaml: schema, validation with exact errors, and the resolved MeshSpec the planner consumes. */
export type { ReferenceChecks, ValidateOptions } from './context.ts';
export { type ResolvedAuth, resolveAuth, type SecretSources } from './credentials.ts';
export { type Diagnostic, formatDiagnostic, type Severity } from './diagnostic.ts';
export { pairKey } from './generators.ts';
export { meshJsonSchema, meshJsonSchemaText } from './json-schema.ts';
export {
  BUILTIN_LINK_CLASSES,
  COUCHDB_DEFAULTS,
  REPLICATION_PARAMS,
  type ReplicationParams,
  UNSTABLE_LINK_CHECKPOINT_RANGE,
} from './link-classes.ts';
export { type LoadOptions, loadMeshFile, meshFilePath } from './load.ts';
export { renderMermaid } from './mermaid.ts';
export type { SecurityGroup, SecurityObject } from './security.ts';
export { STARTER_MESH } from './starter.ts';
export { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.ts';
export type * from './types.ts';
export { type ValidationResult, validateMesh } from './validate.ts';
