import { type ResolveContext, resolvePath } from './context.ts';
import { checkCouchTls } from './couch-tls.ts';
import type { PathSeg } from './diagnostic.ts';
import { checkNodeUrls } from './members.ts';
import { Name, NodeSchema } from './schema.ts';
import type { AuthRef, NodeSpec, TlsRefs } from './types.ts';
import { checkNodeUrl } from './url.ts';
import { viaRelayNeedsMembers } from './via-relay.ts';
import { describeValue, parseLenient } from './zod-issues.ts';

export interface NodesResult {
  /** Every declared name (also of nodes with errors, so links to them are not "unknown" too). */
  names: string[];
  /** The nodes that validated. */
  nodes: Map<string, NodeSpec>;
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function checkNodes(raw: unknown, ctx: ResolveContext): NodesResult {
  const { sink } = ctx;
  const result: NodesResult = { names: [], nodes: new Map() };
  if (raw === undefined || raw === null || (isMapping(raw) && Object.keys(raw).length === 0)) {
    sink.error('E_EMPTY_MESH', raw === undefined ? [] : ['nodes'], 'the mesh declares no nodes', {
      expected: 'nodes: a mapping of node name -> { url, auth, … }',
      hint: "declare at least two nodes, e.g. n1: { url: 'http://127.0.0.1:5984' } (couchmesh init writes a starter)",
    });
    return result;
  }
  if (!isMapping(raw)) {
    sink.error('E_TYPE', ['nodes'], `got ${describeValue(raw)}`, {
      expected: 'a mapping of node name -> { url, auth, … }',
      hint: Array.isArray(raw) ? 'write nodes as `n1: { url: … }` entries, not as a list' : undefined,
    });
    return result;
  }
  const missingEnv: MissingEnv = new Map();
  for (const [name, value] of Object.entries(raw)) {
    result.names.push(name);
    const path: PathSeg[] = ['nodes', name];
    checkNodeName(name, path, ctx);
    const parsed = parseLenient(NodeSchema, value, path, sink);
    if (!parsed) {
      // Still say what is wrong with the URL (credentials in it above all).
      if (isMapping(value) && typeof value.url === 'string') {
        const url = checkNodeUrl(value.url);
        if (!url.ok)
          sink.error(url.code, [...path, 'url'], url.message, { expected: url.expected, hint: url.hint });
      }
      continue;
    }
    // Kept even when a field below is wrong (the spec is only returned without errors), so
    // link checks still know the node and its reachability.
    const urls = checkNodeUrls(parsed, path, ctx);
    const node: NodeSpec = {
      name,
      url: urls.url ?? parsed.url ?? parsed.members?.[0] ?? '',
      role: parsed.role,
      reachable: parsed.reachable,
    };
    if (urls.members) node.members = urls.members;
    if (parsed.via_relay !== undefined)
      if (parsed.url === undefined && urls.members) node.via_relay = parsed.via_relay;
      else viaRelayNeedsMembers(parsed.url !== undefined, [...path, 'via_relay'], ctx);
    if (parsed.region !== undefined) node.region = parsed.region;
    const auth = parsed.auth && checkAuth(parsed.auth, [...path, 'auth'], name, ctx, missingEnv);
    if (auth) node.auth = auth;
    const tls = parsed.tls && checkTls(parsed.tls, [...path, 'tls'], ctx);
    if (tls) {
      if (urls.url?.startsWith('http:'))
        sink.warning('W_TLS_HTTP', [...path, 'tls'], 'tls is set but the URL is http://, so it is not used', {
          hint: 'use an https:// URL, or remove tls',
        });
      node.tls = tls;
    }
    if (parsed.couch_tls) node.couch_tls = checkCouchTls(parsed.couch_tls, [...path, 'couch_tls'], ctx);
    result.nodes.set(name, node);
  }
  reportMissingEnv(missingEnv, ctx);
  return result;
}

function checkNodeName(name: string, path: PathSeg[], { sink }: ResolveContext): void {
  if (!Name.safeParse(name).success)
    sink.error('E_NODE_NAME', path, `node name '${name}' is not valid`, {
      key: true,
      expected: 'lowercase letters, digits, _ and -, starting with a letter',
    });
  else if (name.includes('--'))
    sink.error('E_NODE_NAME', path, `node name '${name}' contains '--'`, {
      key: true,
      expected: 'a name without a double hyphen',
      hint: "'--' separates the two nodes of a link in document ids (n1--n2)",
    });
}

/** Unset variables, each reported once (at its first use) however many nodes name it. */
type MissingEnv = Map<string, Array<{ path: PathSeg[]; node: string }>>;

function reportMissingEnv(missing: MissingEnv, { sink }: ResolveContext): void {
  for (const [v, uses] of missing) {
    const nodes = uses.map((u) => u.node);
    sink.error('E_CREDENTIAL_ENV', uses[0]!.path, `environment variable ${v} is not set`, {
      expected: `the password of ${nodes.length === 1 ? 'node' : 'nodes'} ${nodes.join(', ')} in ${v}`,
      hint: `export ${v}=… before running couchmesh (or validate with --skip-credentials)`,
    });
  }
}

function checkAuth(
  auth: { username: string; password_env?: string; password_file?: string },
  path: PathSeg[],
  node: string,
  ctx: ResolveContext,
  missingEnv: MissingEnv,
): AuthRef | undefined {
  const { sink, references } = ctx;
  if (auth.password_env !== undefined && auth.password_file !== undefined) {
    sink.error('E_AUTH', path, 'auth has both password_env and password_file', {
      expected: 'one password reference',
      hint: 'keep one of them',
    });
    return undefined;
  }
  if (auth.password_env !== undefined) {
    const v = auth.password_env;
    if (references && !references.env[v]) {
      const uses = missingEnv.get(v) ?? [];
      uses.push({ path: [...path, 'password_env'], node });
      missingEnv.set(v, uses);
      return undefined;
    }
    return { username: auth.username, password_env: v };
  }
  if (auth.password_file !== undefined) {
    const file = resolvePath(ctx, auth.password_file);
    if (references && !references.fileExists(file)) {
      sink.error('E_CREDENTIAL_FILE', [...path, 'password_file'], `password file ${file} does not exist`, {
        expected: `a file holding only the password of '${auth.username}' on ${node}`,
        hint: "create it (mode 0600) or fix the path; relative paths start at the mesh file's folder",
      });
      return undefined;
    }
    return { username: auth.username, password_file: file };
  }
  sink.error('E_AUTH', path, 'auth names no password', {
    expected: 'password_env: VAR or password_file: path',
    hint: 'the password is referenced, never written in mesh.yaml',
  });
  return undefined;
}

function checkTls(tls: TlsRefs, path: PathSeg[], ctx: ResolveContext): TlsRefs | undefined {
  const { sink, references } = ctx;
  let ok = true;
  if ((tls.cert_file === undefined) !== (tls.key_file === undefined)) {
    const missing = tls.cert_file === undefined ? 'cert_file' : 'key_file';
    sink.error('E_TLS', path, `tls needs both cert_file and key_file for mutual TLS; ${missing} is missing`, {
      expected: 'cert_file and key_file together (or neither)',
    });
    ok = false;
  }
  const out: TlsRefs = {};
  for (const k of ['ca_file', 'cert_file', 'key_file'] as const) {
    const p = tls[k];
    if (p === undefined) continue;
    const file = resolvePath(ctx, p);
    if (references && !references.fileExists(file)) {
      sink.error('E_TLS_FILE', [...path, k], `${k} ${file} does not exist`, {
        expected: 'a PEM file',
        hint: "fix the path; relative paths start at the mesh file's folder",
      });
      ok = false;
    }
    out[k] = file;
  }
  return ok ? out : undefined;
}
