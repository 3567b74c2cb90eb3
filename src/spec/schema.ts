import { z } from 'zod';
import { ConflictsConfigSchema } from '../resolve/config.ts';
import { CanarySchema } from './canary.ts';
import { ControllerSchema } from './controller.ts';
import { FailoverSchema } from './failover.ts';
import { withHint } from './hints.ts';
import { BUILTIN_CLASS_NAMES, REPLICATION_PARAMS } from './link-classes.ts';
import { ReplicationUsersSchema } from './replication-users.ts';
import { SecuritySchema } from './security.ts';
import { ThresholdsSchema } from './thresholds.ts';

/**
 * The zod schema of mesh.yaml as written (before resolution). Validation parses it section by
 * section (so one bad entry does not hide the others) and adds the cross-field checks; the JSON
 * Schema for editors is generated from `MeshFileSchema`.
 */

export const NAME_RE = /^[a-z][a-z0-9_-]*$/;
const NAME_EXPECTED = 'a name of lowercase letters, digits, _ and -, starting with a letter';

export const Name = z.string().regex(NAME_RE, NAME_EXPECTED);

/** CouchDB's rule for database names (system databases such as _users are not replicated by us). */
export const DB_NAME_RE = /^[a-z][a-z0-9_$()+/-]*$/;
export const DatabaseName = withHint(
  z
    .string()
    .regex(DB_NAME_RE, 'a CouchDB database name: lowercase letter first, then a-z 0-9 _ $ ( ) + / -')
    .meta({ description: 'CouchDB database name' }),
  { hint: 'system databases (_users, _replicator) are not replicated by couchmesh' },
);

const ENV_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const AuthSchema = withHint(
  z
    .strictObject({
      username: z.string().min(1).meta({ description: 'user name (not a secret)' }),
      password_env: z
        .string()
        .regex(ENV_RE, 'an environment variable name such as COUCHMESH_PASSWORD')
        .optional()
        .meta({ description: 'name of the environment variable holding the password' }),
      password_file: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'file holding only the password (relative to the mesh file)' }),
    })
    .meta({
      description:
        'credentials by reference: { username, password_env: VAR } or { username, password_file: path }; never an inline password',
    }),
  { expected: '{ username, password_env: VAR } or { username, password_file: path }' },
);

export const TlsSchema = z
  .strictObject({
    ca_file: z.string().min(1).optional().meta({ description: 'CA certificate (PEM) to verify the node' }),
    cert_file: z.string().min(1).optional().meta({ description: 'client certificate (PEM) for mutual TLS' }),
    key_file: z.string().min(1).optional().meta({ description: 'client private key (PEM) for mutual TLS' }),
  })
  .meta({ description: 'TLS material, by file reference (relative to the mesh file)' });

export const ROLES = ['edge', 'relay', 'hub'] as const;

/**
 * TLS settings couchmesh writes into the node's own `[replicator]` config (paths ON THE NODE, never
 * read by couchmesh): CouchDB's replicator presents cert_file/key_file to every endpoint and checks
 * them against ssl_trusted_certificates_file when verify_ssl_certificates is true.
 */
/** CouchDB 3's TLS protocol names, as `[ssl] tls_versions` lists them. */
export const TLS_VERSIONS = ['tlsv1', 'tlsv1.1', 'tlsv1.2', 'tlsv1.3'] as const;

/**
 * The node's own HTTPS listener (CouchDB 3 `[ssl]`, docs config/http "HTTPS (TLS) Options"): paths
 * ON THE NODE. Declaring it sets `[ssl] enable = true`; CouchDB reads `[ssl]` when it starts.
 */
export const CouchTlsServerSchema = z
  .strictObject({
    cert_file: z
      .string()
      .min(1)
      .optional()
      .meta({ description: '[ssl] cert_file: server certificate (PEM), path on the node' }),
    key_file: z
      .string()
      .min(1)
      .optional()
      .meta({ description: '[ssl] key_file: its private key (PEM), path on the node' }),
    cacert_file: z.string().min(1).optional().meta({
      description: '[ssl] cacert_file: CA certificates client certificates must chain to, path on the node',
    }),
    require_client_cert: z.boolean().optional().meta({
      description:
        '[ssl] verify_ssl_certificates + fail_if_no_peer_cert: refuse clients without a certificate from cacert_file',
    }),
    port: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .optional()
      .meta({ description: '[ssl] port (CouchDB default 6984)' }),
    tls_versions: z.array(z.enum(TLS_VERSIONS)).min(1).optional().meta({ description: '[ssl] tls_versions' }),
  })
  .meta({
    description:
      "the node's HTTPS listener, set in its [ssl] config by apply (takes effect when CouchDB restarts)",
  });

export const CouchTlsSchema = z
  .strictObject({
    cert_file: z.string().min(1).optional().meta({ description: '[replicator] cert_file: path on the node' }),
    key_file: z.string().min(1).optional().meta({ description: '[replicator] key_file: path on the node' }),
    ca_file: z
      .string()
      .min(1)
      .optional()
      .meta({ description: '[replicator] ssl_trusted_certificates_file: path on the node' }),
    verify: z.boolean().optional().meta({ description: '[replicator] verify_ssl_certificates' }),
    server: CouchTlsServerSchema.optional(),
  })
  .meta({
    description: "TLS settings set in the node's [replicator] and [ssl] config by apply (files on the node)",
  });

export const NodeSchema = z
  .strictObject({
    url: withHint(
      z.string().meta({
        description:
          'base URL of the node: http(s)://host:port[/prefix], no credentials; for a cluster with members, its stable endpoint (a load balancer or virtual IP) written into the replication documents',
      }),
      { expected: 'an http:// or https:// URL such as http://127.0.0.1:5984' },
    ).optional(),
    members: withHint(
      z.array(z.string()).min(1).meta({
        description:
          "a CouchDB cluster's member URLs (same scheme and credentials): couchmesh's own requests fail over between them; without url, the replication documents use the first one",
      }),
      { expected: 'a list of member URLs such as [http://10.0.0.1:5984, http://10.0.0.2:5984]' },
    ).optional(),
    via_relay: Name.optional().meta({
      description:
        "members-only cluster (no url): the relay node whose proxy (failover.relays) carries this node's replication traffic to its first live member; the replication documents keep naming the first member, so ids and checkpoints survive a member down",
    }),
    auth: AuthSchema.optional(),
    region: z.string().min(1).optional().meta({ description: 'free-form location label (used by routing)' }),
    role: z.enum(ROLES).default('edge').meta({ description: 'edge (default), relay or hub' }),
    reachable: withHint(
      z
        .boolean()
        .default(true)
        .meta({ description: 'false when the node is behind NAT: peers cannot open connections to it' }),
      { hint: 'write true or false (YAML 1.2 reads yes/no as strings)' },
    ),
    tls: TlsSchema.optional(),
    couch_tls: CouchTlsSchema.optional(),
  })
  .meta({ description: 'a CouchDB node of the mesh' });

export const DatabaseObjectSchema = z.strictObject({
  name: DatabaseName,
  q: z.number().int().min(1).optional().meta({
    description:
      'shards of the database on nodes with members (a cluster), passed on creation as PUT /db?q=; CouchDB default 2',
  }),
  n: z.number().int().min(1).optional().meta({
    description:
      'copies of each shard on nodes with members, passed on creation as PUT /db?n=; CouchDB caps it at the number of members',
  }),
  security: SecuritySchema.optional(),
  conflicts: ConflictsConfigSchema.optional().meta({ description: 'conflict resolution of this database' }),
});

export const DatabaseEntrySchema = withHint(z.union([DatabaseName, DatabaseObjectSchema]), {
  expected: 'a database name or { name, q?, n?, security?, conflicts? }',
});

const param = (description: string, min: number) => z.number().int().min(min).meta({ description });

export const ParamsSchema = z.strictObject({
  checkpoint_interval: param('ms between checkpoints (CouchDB default 30000)', 1).optional(),
  worker_batch_size: param('documents per batch (CouchDB default 500)', 1).optional(),
  http_connections: param('concurrent HTTP connections (CouchDB default 20)', 1).optional(),
  connection_timeout: param('ms before an HTTP request times out (CouchDB default 30000)', 1).optional(),
  retries_per_request: param('retries of a failed request (CouchDB default 5)', 0).optional(),
});
export const PARAM_KEYS: readonly string[] = REPLICATION_PARAMS;

export const CheckpointRangeSchema = z
  .strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) })
  .meta({ description: 'sensible checkpoint_interval range (ms); outside it validation warns' });

export const LinkClassSchema = ParamsSchema.extend({
  extends: withHint(
    z
      .enum(BUILTIN_CLASS_NAMES as [string, ...string[]])
      .optional()
      .meta({ description: 'built-in class to start from (default: the CouchDB defaults)' }),
    { hint: 'a class may extend a built-in class only' },
  ),
  checkpoint_range: CheckpointRangeSchema.optional(),
  description: z.string().optional(),
}).meta({ description: 'replication parameters of a link class (unset ones come from the base class)' });

export const NodeListSchema = withHint(
  z
    .union([z.literal('all'), z.array(z.string()).min(1)])
    .meta({ description: "'all' or a list of node names" }),
  { expected: "'all' or a list of node names" },
);

export const DatabaseListSchema = withHint(
  z
    .union([z.literal('all'), z.array(z.string())])
    .meta({ description: "databases carried by the link: 'all' (default) or a list of names" }),
  { expected: "'all' or a list of database names" },
);

export const NodePairSchema = withHint(
  z
    .tuple([z.string(), z.string()])
    .meta({ description: 'two node names: [n1, n2] (a link replicates both ways)' }),
  {
    expected: 'exactly two node names, e.g. [n1, n2]',
    hint: 'to link more nodes use a generator: { generate: full-mesh, nodes: [n1, n2, n3] }',
  },
);

const linkSettings = {
  class: z.string().optional().meta({ description: 'link class (lan, wan, cellular, lorawan or your own)' }),
  databases: DatabaseListSchema.optional(),
  overrides: ParamsSchema.optional().meta({ description: 'replication parameters overriding the class' }),
};

export const ExplicitLinkSchema = z
  .strictObject({
    between: NodePairSchema,
    ...linkSettings,
    endpoints: z.record(z.string(), z.string()).optional().meta({
      description:
        "per node of this link, the base URL this link reaches it at instead of its url (a relay's or a test proxy's address)",
    }),
  })
  .meta({ description: 'one link: { between: [n1, n2], class?, databases?, overrides?, endpoints? }' });

export const GENERATORS = ['full-mesh', 'ring', 'star'] as const;

export const GeneratedLinksSchema = z
  .strictObject({
    generate: z
      .enum(GENERATORS)
      .meta({ description: 'full-mesh, ring (in list order) or star (hub to every node)' }),
    nodes: NodeListSchema.default('all'),
    hub: z.string().optional().meta({ description: 'the centre of a star' }),
    ...linkSettings,
  })
  .meta({
    description: 'links made by a generator; an explicit link for the same pair replaces a generated one',
  });

export const LinkEntrySchema = z.union([NodePairSchema, ExplicitLinkSchema, GeneratedLinksSchema]);

export const DefaultsSchema = z
  .strictObject({
    class: z.string().optional().meta({ description: 'class of links that name none (default wan)' }),
  })
  .meta({ description: 'defaults for links' });

export const MeshNameSchema = Name.meta({
  description: 'name of the mesh (part of every managed document id)',
});

export const MeshFileSchema = z
  .strictObject({
    mesh: MeshNameSchema,
    nodes: z
      .record(Name, NodeSchema)
      .meta({ description: 'the nodes: name -> { url, auth, region, role, … }' }),
    databases: z
      .array(DatabaseEntrySchema)
      .min(1)
      .meta({ description: 'databases replicated across the mesh' }),
    defaults: DefaultsSchema.optional(),
    link_classes: z
      .record(Name, LinkClassSchema)
      .optional()
      .meta({ description: 'override built-in classes (lan, wan, cellular, lorawan) or add your own' }),
    links: z.array(LinkEntrySchema).optional().meta({
      description: 'links: [n1, n2], { between: [n1, n2], … } or { generate: full-mesh|ring|star, … }',
    }),
    thresholds: ThresholdsSchema.optional(),
    replication_users: ReplicationUsersSchema.optional(),
    controller: ControllerSchema.optional(),
    canary: CanarySchema.optional(),
    failover: FailoverSchema.optional(),
  })
  .meta({ title: 'couchmesh mesh.yaml', description: 'a declared peer-to-peer CouchDB replication mesh' });

export const TOP_LEVEL_KEYS = Object.keys(MeshFileSchema.shape);

export type MeshFile = z.input<typeof MeshFileSchema>;
export type NodeInput = z.output<typeof NodeSchema>;
export type LinkClassInput = z.output<typeof LinkClassSchema>;
export type ExplicitLinkInput = z.output<typeof ExplicitLinkSchema>;
export type GeneratedLinksInput = z.output<typeof GeneratedLinksSchema>;
