/**
 * The API's OpenAPI 3.1 description, written by hand from the routes (openapi.test.ts checks that
 * every route the app answers is described and nothing else is). Bodies are described at the level a
 * client needs: the shapes of ControllerSnapshot and its parts are those of src/controller/view.ts.
 */
import { API_ERRORS } from './errors.ts';

type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required = Object.keys(properties)): Schema => ({
  type: 'object',
  properties,
  required,
});
const arr = (items: Schema): Schema => ({ type: 'array', items });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str = { type: 'string' };
const int = { type: 'integer' };
const any = { type: 'object', additionalProperties: true };
const gen = { generation: int };

const json = (schema: Schema, description = 'OK') => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = (...names: Array<keyof typeof API_ERRORS>) =>
  Object.fromEntries(names.map((n) => [String(API_ERRORS[n]), { $ref: `#/components/responses/${n}` }]));

/** GET routes under /api/v1: summary and body schema. */
const READS: Record<string, [string, Schema]> = {
  '/mesh': ['The mesh: name, start time, generation, sizes and the latest poll summary', any],
  '/nodes': [
    'Nodes (role, region, URL without credentials) with their latest status row',
    obj({ ...gen, nodes: arr(any) }),
  ],
  '/links': [
    'Directions (link, db, from, to, via) with their latest status row',
    obj({ ...gen, links: arr(any) }),
  ],
  '/findings': ['Open health findings', obj({ ...gen, findings: arr(ref('Finding')) })],
  '/routes': [
    'The path of every direction; relayed when `via` is not empty (with the mode and why, FAILOVER)',
    obj({ ...gen, routes: arr(any) }),
  ],
  '/conflicts': ['Conflict counts per database and node', obj({ ...gen, conflicts: arr(any) })],
  '/resolutions': [
    'Recent resolutions (newest last) with their audit ids',
    obj({ ...gen, resolutions: arr(any) }),
  ],
  '/actions': ["The controller's recent actions (newest last)", obj({ ...gen, actions: arr(ref('Action')) })],
  '/plan': [
    'The latest drift plan: pending changes by action kind',
    obj({ ...gen, drift: { oneOf: [any, { type: 'null' }] } }),
  ],
  '/snapshot': ['Everything at once (what the event stream starts with)', ref('Snapshot')],
  '/mermaid': ['The live graph as Mermaid flowchart text', obj({ ...gen, mermaid: str })],
};

const COMMANDS: Record<string, [string, string[]]> = {
  '/directions/{direction}/{db}/reset-checkpoint': [
    "Resets a direction's checkpoints (the job re-checks every change from the start)",
    ['direction', 'db'],
  ],
  '/directions/{direction}/{db}/reconcile': [
    'Runs a one-shot replication of a direction',
    ['direction', 'db'],
  ],
  '/resolutions/{db}/{auditId}/undo': [
    'Undoes a conflict resolution from its audit entry',
    ['db', 'auditId'],
  ],
};

function paths(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, [summary, schema]] of Object.entries(READS))
    out[`/api/v1${p}`] = { get: { summary, responses: { 200: json(schema), ...errors('unauthorized') } } };
  for (const [p, [summary, params]] of Object.entries(COMMANDS))
    out[`/api/v1${p}`] = {
      post: {
        summary,
        parameters: params.map((name) => ({ name, in: 'path', required: true, schema: str })),
        requestBody: {
          required: true,
          content: { 'application/json': { schema: obj({ confirm: { const: true } }) } },
        },
        responses: {
          200: json(obj({ action: ref('Action') }), 'The action, done or failed'),
          ...errors(
            'confirm_required',
            'unauthorized',
            'not_found',
            'conflict',
            'unsupported_media_type',
            'command_failed',
          ),
        },
      },
    };
  out['/api/v1/events'] = {
    get: {
      summary:
        'Server-sent events: first `snapshot` (with `retry`), then one event per change named by its type (poll, finding, action, conflicts, resolution, drift, route), `id` its generation; a comment line as heartbeat',
      responses: {
        200: { description: 'An event stream', content: { 'text/event-stream': { schema: str } } },
      },
    },
  };
  out['/api/v1/openapi.json'] = { get: { summary: 'This document', responses: { 200: json(any) } } };
  out['/metrics'] = {
    get: {
      summary: 'Prometheus exposition: the controller registry and the API counters',
      responses: { 200: { description: 'text', content: { 'text/plain': { schema: str } } } },
    },
  };
  out['/healthz'] = {
    get: {
      summary: 'Liveness (no token needed)',
      security: [],
      responses: { 200: json(obj({ ok: { type: 'boolean' }, ...gen })) },
    },
  };
  return out;
}

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'couchmesh controller API',
      version: '1',
      description:
        'Read-only JSON of the controller, its event stream and three operator commands. Loopback-only without a token; with one, every route but /healthz needs `Authorization: Bearer <token>`.',
    },
    security: [{ bearer: [] }],
    paths: paths(),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: Object.fromEntries(
        Object.keys(API_ERRORS).map((n) => [n, json(ref('Error'), `error: ${n}`)]),
      ),
      schemas: {
        Error: obj(
          {
            error: { enum: Object.keys(API_ERRORS) },
            reason: str,
            code: { ...str, description: 'the registered couchmesh error code of a failed command' },
            hint: str,
          },
          ['error', 'reason'],
        ),
        Finding: obj(
          { rule: str, severity: { enum: ['critical', 'warning', 'info'] }, message: str, playbook: str },
          ['rule', 'severity', 'message'],
        ),
        Action: obj({
          id: str,
          at: str,
          loop: str,
          kind: str,
          target: str,
          outcome: { enum: ['done', 'failed', 'declined', 'dry-run', 'rate-limited', 'interrupted'] },
          detail: str,
        }),
        Snapshot: obj({
          mesh: str,
          started_at: str,
          generation: int,
          dry_run: { type: 'boolean' },
          nodes: arr(any),
          directions: arr(any),
          status: { oneOf: [any, { type: 'null' }] },
          findings: arr(ref('Finding')),
          conflicts: arr(any),
          resolutions: arr(any),
          actions: arr(ref('Action')),
          drift: { oneOf: [any, { type: 'null' }] },
          routes: arr(any),
        }),
      },
    },
  };
}
