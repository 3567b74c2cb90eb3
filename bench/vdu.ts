// validate_doc_update cost on `_bulk_docs` ingest (a program, not a test): `npm run bench:vdu`.
//
// The ingest benchmark's 10,000 small sensor docs (bench/lib/docs.ts), written with `POST /{db}/_bulk_docs`
// in batches of 500, one request at a time over one keep-alive connection (undici), into a fresh database
// per round, into three kinds of database that differ only in their design documents:
//   (a) no design docs
//   (b) one trivial VDU: `if (!newDoc.type) throw({forbidden: 'type required'})`
//   (c) one realistic VDU: membership from userCtx roles vs secObj, field types, a regexp per string
//       field, a range check, immutable fields against oldDoc (REALISTIC_VDU below)
// Every node writes the same way: it has a server admin (who creates the db, its `_security` and its design
// doc), and the docs are written by a plain user, `sensor-writer` (a `_users` doc, role `writer`; the db's
// members are role `writer`), over an AuthSession cookie, so the VDU sees a non-admin userCtx. Each database
// is primed with one doc before the clock (its sandbox is created and the VDU compiled then: that first
// write's latency is printed apart). Nodes run in their own child process on 127.0.0.1, a durable one
// (data dir in a temp folder: SQLite WAL, fsync per commit) and an in-memory one; request bodies are
// serialised before the clock starts. The kinds are interleaved request by request: in a round, batch i goes
// to (a), (b) and (c)'s databases in turn (order rotated) before batch i+1 goes anywhere, and each kind is
// clocked over its own requests, so machine noise falls on all of them alike. One unreported warm-up round
// (5,000 docs) per node, then ROUNDS rounds; rates are medians, a ratio to (a) is the median of the per-round
// ratios.
// Server CPU time per doc (from /proc) is printed too: on a busy machine it is steadier than wall-clock rates.
// The headline (the durable node's, as bench:ingest's) is printed last.
//
// "Ours" is compiled code (bench/lib/ours.ts): dist/ when it is a build of the current src/node, else the
// current sources compiled by tsc into the temp folder.
//
//   npm run bench:vdu                    # the benchmark (~45 s, 5 rounds)
//   npm run bench:vdu -- --rounds=3      # fewer (or more) rounds per figure
//   npm run bench:vdu -- --profile       # instead: CPU profile of the in-memory node ingesting with the trivial VDU
//                                        # (--realistic: with the realistic one)
//   --tsx | --dist                       # ours = the sources under tsx | dist/ as it is, however old
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { type Batch, makeDocs, toBatches } from './lib/docs.ts';
import { emitFigures, fig as figure } from './lib/emit.ts';
import { fsOf, int, loadNote, median, pass } from './lib/format.ts';
import { launchOurs, type Ours, prepareOurs } from './lib/ours.ts';
import { type Child, processCpuUs, tempFolder } from './lib/process.ts';
import { type CpuProfile, summariseProfile } from './lib/profile.ts';

const N_DOCS = 10_000;
const BATCH = 500;
const WARMUP_DOCS = 5_000; // one unreported round per kind and node (JIT, sandbox code paths, statement caches)
const GOAL_PCT = 50; // trivial VDU: at least half the throughput of no VDU
const PROFILE_ROUNDS = 10;
const PROFILE_INTERVAL_US = 250;

const ADMIN = { name: 'admin', password: 'admin' };
const WRITER = { name: 'sensor-writer', password: 'sensor-writer-pw', roles: ['writer'] };
const SECURITY = { admins: { names: [], roles: [] }, members: { names: [], roles: ['writer'] } };

const TRIVIAL_VDU = `function(newDoc, oldDoc, userCtx, secObj) { if (!newDoc.type) throw({forbidden: 'type required'}); }`;

/** What a production VDU for these docs typically checks: who writes, each field's type and form, what may change. */
const REALISTIC_VDU = `function (newDoc, oldDoc, userCtx, secObj) {
  var roles = userCtx.roles || [];
  var isAdmin = roles.indexOf('_admin') !== -1;
  var members = (secObj && secObj.members) || {};
  var memberNames = members.names || [];
  var memberRoles = members.roles || [];
  var isMember = memberNames.indexOf(userCtx.name) !== -1 ||
    roles.some(function (r) { return memberRoles.indexOf(r) !== -1; });
  if (!isAdmin && !isMember) throw({unauthorized: 'not a member of ' + userCtx.db});
  if (newDoc._deleted) {
    if (!isAdmin && roles.indexOf('editor') === -1) throw({forbidden: 'only editors may delete readings'});
    return;
  }
  function need(field, type) {
    if (typeof newDoc[field] !== type) throw({forbidden: field + ' must be a ' + type});
  }
  need('type', 'string');
  if (newDoc.type !== 'reading') throw({forbidden: 'unknown type: ' + newDoc.type});
  need('station', 'string');
  need('temperature_c', 'number');
  need('ts', 'string');
  if (!/^station-[0-9]+$/.test(newDoc.station)) throw({forbidden: 'bad station id: ' + newDoc.station});
  if (newDoc.temperature_c < -90 || newDoc.temperature_c > 60) throw({forbidden: 'temperature out of range'});
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$/.test(newDoc.ts))
    throw({forbidden: 'ts must be an ISO 8601 UTC timestamp'});
  if (newDoc._id.indexOf('sensor-') !== 0 && newDoc._id.indexOf('warmup-') !== 0 && newDoc._id !== 'prime')
    throw({forbidden: 'bad _id prefix'});
  if (oldDoc) {
    if (oldDoc.station !== newDoc.station) throw({forbidden: 'station cannot change'});
    if (!isAdmin && newDoc.ts < oldDoc.ts) throw({forbidden: 'readings only move forward in time'});
  }
}`;

type Kind = 'none' | 'trivial' | 'realistic';
const KINDS: Kind[] = ['none', 'trivial', 'realistic'];
const KIND_LABELS: Record<Kind, string> = {
  none: '(a) no design docs',
  trivial: '(b) trivial VDU (newDoc.type required)',
  realistic: '(c) realistic VDU (roles, types, regexps, oldDoc)',
};
const VDU_SRC: Record<Kind, string | undefined> = {
  none: undefined,
  trivial: TRIVIAL_VDU,
  realistic: REALISTIC_VDU,
};

type Mode = 'durable' | 'memory';
const MODE_LABELS: Record<Mode, string> = {
  durable: 'durable node (data dir: SQLite WAL, fsync per commit)',
  memory: 'in-memory node',
};

const args = process.argv.slice(2);
const ROUNDS = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 5);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1 || ROUNDS > 20) throw new Error('--rounds=N wants 1..20');

// ---------------------------------------------------------------------------------------------------------
// A node in its own process, its admin and its writer

const launchNode = (code: Pick<Ours, 'tsx' | 'module'>, mode: string[], execArgv: string[] = []) =>
  launchOurs(code, [...mode, '--admin', `${ADMIN.name}:${ADMIN.password}`], execArgv);

interface Target {
  label: string;
  url: string;
  pid: number;
  agent: Agent;
  /** the writer's `Cookie` header (AuthSession) */
  cookie: string;
  close(): Promise<void>;
}

const BASIC_ADMIN = `Basic ${Buffer.from(`${ADMIN.name}:${ADMIN.password}`).toString('base64')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

async function call(
  t: Pick<Target, 'url' | 'agent'>,
  method: string,
  path: string,
  body?: string,
  headers?: Record<string, string>,
): Promise<{ status: number; text: string; headers: Record<string, string | string[] | undefined> }> {
  const res = await request(`${t.url}${path}`, { method, body, headers, dispatcher: t.agent });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

async function expectOk(
  t: Pick<Target, 'url' | 'agent'>,
  what: string,
  r: Promise<{ status: number; text: string }>,
  ok: number[] = [200, 201, 202],
): Promise<string> {
  const { status, text } = await r;
  if (!ok.includes(status)) throw new Error(`${t.url}: ${what} -> ${status} ${text.slice(0, 300)}`);
  return text;
}

/** Starts a node, creates the writer (`_users`, role `writer`) and logs it in (`POST /_session`). */
async function startTarget(label: string, child: Child): Promise<Target> {
  const agent = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 60_000 });
  const t = { url: child.url, agent };
  const admin = { ...JSON_TYPE, authorization: BASIC_ADMIN };
  await expectOk(t, 'PUT /_users', call(t, 'PUT', '/_users', undefined, admin), [201, 202, 412]);
  const userDoc = { _id: `org.couchdb.user:${WRITER.name}`, type: 'user', ...WRITER };
  await expectOk(
    t,
    'PUT writer',
    call(t, 'PUT', `/_users/${encodeURIComponent(userDoc._id)}`, JSON.stringify(userDoc), admin),
  );
  const login = await call(
    t,
    'POST',
    '/_session',
    JSON.stringify({ name: WRITER.name, password: WRITER.password }),
    JSON_TYPE,
  );
  const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
  const session = setCookie.map((c) => /AuthSession=([^;]+)/.exec(c)?.[1]).find(Boolean);
  if (login.status !== 200 || !session)
    throw new Error(`${label}: POST /_session -> ${login.status} ${login.text}`);
  return {
    label,
    url: child.url,
    pid: child.pid,
    agent,
    cookie: `AuthSession=${session}`,
    async close() {
      await agent.close();
      await child.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// One round

let dbCounter = 0;

/** A fresh db of a kind: `_security` (members: role writer) and, for (b)/(c), the design doc with the VDU. */
async function createDb(t: Target, kind: Kind): Promise<string> {
  const db = `vdu-${kind}-${++dbCounter}`;
  const admin = { ...JSON_TYPE, authorization: BASIC_ADMIN };
  await expectOk(t, `PUT /${db}`, call(t, 'PUT', `/${db}`, undefined, admin));
  await expectOk(
    t,
    `PUT /${db}/_security`,
    call(t, 'PUT', `/${db}/_security`, JSON.stringify(SECURITY), admin),
  );
  const src = VDU_SRC[kind];
  if (src)
    await expectOk(
      t,
      `PUT /${db}/_design/checks`,
      call(t, 'PUT', `/${db}/_design/checks`, JSON.stringify({ validate_doc_update: src }), admin),
    );
  return db;
}

const writerHeaders = (t: Target) => ({ ...JSON_TYPE, cookie: t.cookie });

/** One doc through `_bulk_docs` as the writer; answers its result. */
async function writeOne(t: Target, db: string, doc: Record<string, unknown>) {
  const text = await expectOk(
    t,
    `_bulk_docs (one doc)`,
    call(t, 'POST', `/${db}/_bulk_docs`, JSON.stringify({ docs: [doc] }), writerHeaders(t)),
    [201],
  );
  return (JSON.parse(text) as Array<{ ok?: boolean; error?: string; reason?: string }>)[0];
}

interface Sample {
  rate: number;
  cpuUsPerDoc: number;
  /** the priming write: a fresh db's first `_bulk_docs` (sandbox creation and VDU compile, if any) */
  firstMs: number;
}

const PRIME = {
  _id: 'prime',
  type: 'reading',
  station: 'station-0',
  temperature_c: 20,
  ts: '2026-11-27T12:00:00Z',
};

/**
 * One round: a fresh primed database per kind, then the batches in order, request by request in turn across
 * the kinds (batch i to each kind's db before batch i+1 to any; the kinds' order rotates with i and `turn`),
 * one request in flight. Each kind is clocked over its own requests only, so a noisy moment of the machine
 * falls on every kind alike.
 */
async function round(t: Target, kinds: Kind[], batches: Batch[], turn = 0): Promise<Map<Kind, Sample>> {
  const dbs = new Map<Kind, { db: string; firstMs: number; ms: number; cpuUs: number; docs: number }>();
  for (const kind of kinds) {
    const db = await createDb(t, kind);
    const f0 = performance.now();
    const primed = await writeOne(t, db, PRIME);
    const firstMs = performance.now() - f0;
    if (!primed?.ok) throw new Error(`${t.label} ${kind}: priming write refused: ${JSON.stringify(primed)}`);
    dbs.set(kind, { db, firstMs, ms: 0, cpuUs: 0, docs: 0 });
  }
  const headers = writerHeaders(t);
  for (const [i, b] of batches.entries())
    for (let j = 0; j < kinds.length; j++) {
      const kind = kinds[(i + j + turn) % kinds.length] as Kind;
      const acc = dbs.get(kind)!;
      const cpu0 = processCpuUs(t.pid);
      const start = performance.now();
      const r = await call(t, 'POST', `/${acc.db}/_bulk_docs`, b.body, headers);
      acc.ms += performance.now() - start;
      acc.cpuUs += processCpuUs(t.pid) - cpu0;
      if (r.status !== 201)
        throw new Error(`${t.label} ${kind}: _bulk_docs -> ${r.status} ${r.text.slice(0, 300)}`);
      const out = JSON.parse(r.text) as Array<{ ok?: boolean }>;
      if (out.length !== b.n || !out.every((x) => x.ok === true))
        throw new Error(`${t.label} ${kind}: _bulk_docs did not accept every doc: ${r.text.slice(0, 300)}`);
      acc.docs += b.n;
    }
  const admin = { authorization: BASIC_ADMIN };
  const out = new Map<Kind, Sample>();
  for (const [kind, acc] of dbs) {
    const info = await call(t, 'GET', `/${acc.db}`, undefined, admin);
    const count = (JSON.parse(info.text) as { doc_count?: number }).doc_count;
    const expected = acc.docs + 1 + (VDU_SRC[kind] ? 1 : 0); // doc_count counts the prime and the design doc
    if (count !== expected)
      throw new Error(`${t.label}: ${acc.db} holds ${count} docs, expected ${expected}`);
    await expectOk(t, `DELETE /${acc.db}`, call(t, 'DELETE', `/${acc.db}`, undefined, admin));
    out.set(kind, {
      rate: (acc.docs / acc.ms) * 1000,
      cpuUsPerDoc: acc.cpuUs / acc.docs,
      firstMs: acc.firstMs,
    });
  }
  return out;
}

/** Before anything is timed: each VDU really runs (and refuses what it should) on this node. */
async function checkVdusRun(t: Target): Promise<void> {
  const expect = async (kind: Kind, doc: Record<string, unknown>, want: string | undefined) => {
    const db = await createDb(t, kind);
    const r = await writeOne(t, db, doc);
    await call(t, 'DELETE', `/${db}`, undefined, { authorization: BASIC_ADMIN });
    const got = r?.ok ? undefined : r?.error;
    if (got !== want)
      throw new Error(
        `${t.label} ${kind}: ${JSON.stringify(doc)} answered ${JSON.stringify(r)}, expected ${want ?? 'ok'}`,
      );
  };
  const { type: _t, ...untyped } = PRIME;
  await expect('none', { ...untyped, _id: 'check' }, undefined);
  await expect('trivial', { ...untyped, _id: 'check' }, 'forbidden');
  await expect('realistic', { ...PRIME, _id: 'check', station: 'Station 7' }, 'forbidden');
  await expect('realistic', { ...PRIME, _id: 'check', temperature_c: 99 }, 'forbidden');
}

// ---------------------------------------------------------------------------------------------------------
// The benchmark

const pct = (a: number, b: number) => `${Math.round((a / b) * 100)}%`;

async function benchmark(): Promise<void> {
  const tmp = tempFolder('couchmesh-bench-vdu-');
  const targets: Partial<Record<Mode, Target>> = {};
  try {
    const dataDir = join(tmp, 'node-data');
    mkdirSync(dataDir);
    const sample = makeDocs(1)[0];
    console.log(
      `couchmesh validate_doc_update benchmark: _bulk_docs ingest — node ${process.version}, 127.0.0.1`,
    );
    console.log(
      `  ${int(N_DOCS)} docs per round like ${JSON.stringify(sample)} (${Buffer.byteLength(JSON.stringify(sample))} bytes), batches of ${BATCH}`,
    );
    console.log(
      `  written by a non-admin member (role writer, cookie session); one request in flight over one keep-alive connection (undici)`,
    );
    console.log(
      `  a fresh primed database per kind and round, the kinds interleaved request by request; 1 warm-up round, then median of ${ROUNDS} rounds`,
    );
    console.log(`  temp folder ${tmp} (${fsOf(tmp)})`);
    console.log(`  ${loadNote()}`);
    const ours = prepareOurs(tmp, args);
    console.log(`  nodes each in their own process; ours = ${ours.label} (${ours.why})`);

    targets.durable = await startTarget('durable', await launchNode(ours, ['--data', dataDir]));
    targets.memory = await startTarget('in-memory', await launchNode(ours, ['--in-memory']));
    const MODES: Mode[] = ['durable', 'memory'];
    const target = (m: Mode) => {
      const t = targets[m];
      if (!t) throw new Error(`no ${m} node`);
      return t;
    };
    for (const m of MODES) await checkVdusRun(target(m));

    // warm-up (JIT, sandbox code paths, statement caches): not reported
    const warm = toBatches(makeDocs(WARMUP_DOCS, 'warmup'), BATCH);
    for (const m of MODES) await round(target(m), KINDS, warm);

    const batches = toBatches(makeDocs(N_DOCS), BATCH);
    const results = new Map<string, Sample[]>();
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++)
      for (const m of MODES)
        for (const [k, v] of await round(target(m), KINDS, batches, r))
          results.set(`${m}/${k}`, [...(results.get(`${m}/${k}`) ?? []), v]);
    const measuredS = (performance.now() - t0) / 1000;

    const samples = (m: Mode, k: Kind) => results.get(`${m}/${k}`) ?? [];
    const rate = (m: Mode, k: Kind) => median(samples(m, k).map((s) => s.rate));
    const cpu = (m: Mode, k: Kind) => median(samples(m, k).map((s) => s.cpuUsPerDoc));
    const first = (m: Mode, k: Kind) => median(samples(m, k).map((s) => s.firstMs));
    // paired: a round interleaves the three kinds request by request, so its ratios share that round's noise;
    // the figure is the median of the per-round ratios (steadier than a ratio of medians on a busy machine)
    const ratios = (m: Mode, k: Kind) =>
      samples(m, k).map((s, r) => s.rate / (samples(m, 'none')[r] as Sample).rate);
    const paired = (m: Mode, k: Kind) => median(ratios(m, k));

    console.log('');
    console.log(
      `batch ${BATCH} (${batches.length} requests per round)${' '.repeat(22)}docs/s median   [min .. max]        of (a)*  server CPU/doc   VDU CPU/doc   1st write`,
    );
    for (const m of MODES) {
      console.log(`  ${MODE_LABELS[m]}`);
      for (const k of KINDS) {
        const xs = samples(m, k).map((s) => s.rate);
        const range = `[${int(Math.min(...xs))} .. ${int(Math.max(...xs))}]`;
        const extra = k === 'none' ? '' : `+${(cpu(m, k) - cpu(m, 'none')).toFixed(1)} µs`;
        console.log(
          `    ${KIND_LABELS[k].padEnd(52)} ${int(rate(m, k)).padStart(9)}   ${range.padEnd(20)} ${pct(paired(m, k), 1).padStart(6)}   ${cpu(m, k).toFixed(1).padStart(8)} µs   ${extra.padStart(11)}   ${first(m, k).toFixed(1).padStart(5)} ms`,
        );
      }
    }
    console.log(
      `  * of (a): median of the per-round ratios to (a) on the same node (paired). VDU CPU/doc: server CPU per doc above (a)'s.`,
    );
    console.log(
      `    1st write: a fresh db's priming one-doc _bulk_docs, before the clock (with a VDU: sandbox created, VDU compiled).`,
    );
    console.log('');
    console.log(
      'ratios to (a), same node: paired [per-round min .. max] | ratio of the median docs/s | by server CPU per doc',
    );
    for (const m of MODES)
      for (const k of ['trivial', 'realistic'] as const) {
        const xs = ratios(m, k);
        const range = `[${pct(Math.min(...xs), 1)} .. ${pct(Math.max(...xs), 1)}]`;
        console.log(
          `  ${m.padEnd(7)} ${KIND_LABELS[k].padEnd(52)} ${pct(paired(m, k), 1).padStart(4)} ${range.padEnd(13)} | ${pct(rate(m, k), rate(m, 'none')).padStart(4)} | ${pct(cpu(m, 'none'), cpu(m, k)).padStart(4)}   goal >= ${GOAL_PCT}%: ${pass(paired(m, k) >= GOAL_PCT / 100)}`,
        );
      }
    console.log(`  measured rounds took ${measuredS.toFixed(1)} s; ${loadNote()}`);

    for (const m of MODES) await target(m).close();
    const h = paired('durable', 'trivial');
    const fig = (m: Mode, k: Kind) => `${int(rate(m, k))} docs/s (${pct(paired(m, k), 1)})`;
    console.log('');
    console.log(
      `summary, batch ${BATCH}, paired ratios: durable node: (a) ${int(rate('durable', 'none'))} docs/s, (b) trivial VDU ${fig('durable', 'trivial')}, (c) realistic VDU ${fig('durable', 'realistic')}; in memory: (a) ${int(rate('memory', 'none'))}, (b) ${fig('memory', 'trivial')}, (c) ${fig('memory', 'realistic')}`,
    );
    console.log(
      `  the headline is the durable node's (as bench:ingest's); goal >= ${GOAL_PCT}%: durable ${pass(h >= GOAL_PCT / 100)}, in-memory ${pass(paired('memory', 'trivial') >= GOAL_PCT / 100)}`,
    );
    console.log(
      `headline: _bulk_docs ingest with a trivial VDU = ${Math.round(h * 100)}% of without (goal >= ${GOAL_PCT}%)`,
    );
    emitFigures({
      bench: 'vdu',
      load: loadavg(),
      figures: (['trivial', 'realistic'] as const).map((k) =>
        figure({
          figure: `_bulk_docs durable with a ${k} VDU vs none (paired)`,
          ours: rate('durable', k),
          unit: 'docs/s',
          baseline: rate('durable', 'none'),
          baselineLabel: 'no VDU',
          ratio: paired('durable', k),
          ...(k === 'trivial'
            ? { goal: `>= ${GOAL_PCT}%`, met: paired('durable', k) >= GOAL_PCT / 100 }
            : {}),
        }),
      ),
    });
  } finally {
    for (const t of Object.values(targets)) await t.close().catch(() => {});
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// --profile: where the in-memory node's time goes with the trivial VDU

async function profile(): Promise<void> {
  const tmp = tempFolder('couchmesh-prof-vdu-');
  const dir = join(tmp, 'profiles');
  try {
    const ours = prepareOurs(tmp, args);
    const kind: Kind = args.includes('--realistic') ? 'realistic' : 'trivial';
    const child = await launchNode(
      ours,
      ['--in-memory'],
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', String(PROFILE_INTERVAL_US)],
    );
    const t = await startTarget('in-memory', child);
    const rates: number[] = [];
    try {
      await round(t, [kind], toBatches(makeDocs(WARMUP_DOCS, 'warmup'), BATCH));
      const batches = toBatches(makeDocs(N_DOCS), BATCH);
      for (let r = 0; r < PROFILE_ROUNDS; r++)
        rates.push((await round(t, [kind], batches)).get(kind)?.rate ?? Number.NaN);
    } finally {
      await t.close(); // stdin ends -> node.close() -> process.exit(0) -> the profile is written
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    const profiles = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
    const main = profiles.find((p) => p.nodes.some((n) => n.callFrame.functionName === 'bulkDocs'));
    if (!main) throw new Error(`no profile in ${dir} holds bulkDocs`);
    summariseProfile(
      main,
      `CPU profile of the in-memory node (${ours.label}; ${ours.why}; --cpu-prof-interval ${PROFILE_INTERVAL_US} µs), ${kind} VDU: ${PROFILE_ROUNDS} x ${int(N_DOCS)} docs in batches of ${BATCH}; ${int(median(rates))} docs/s median while profiled`,
      {
        label: 'bulkDocs',
        contains: (stack) =>
          stack.some(
            (n) => n.callFrame.functionName === 'bulkDocs' && n.callFrame.url.includes('routes/bulk'),
          ),
      },
      [
        (file) => (file.startsWith('wasm://') ? 'QuickJS interpreter (wasm)' : undefined),
        (file) =>
          file.includes('quickjs-emscripten') || file.includes('@jitl/quickjs')
            ? 'quickjs-emscripten glue (JS side of the wasm calls)'
            : undefined,
        (file) => (file.startsWith('src/node/js/') ? 'couchmesh sandbox host (js/)' : undefined),
        (file) =>
          file === 'src/node/engine/validate.ts' || file === 'src/node/engine/design.ts'
            ? 'couchmesh VDU glue (engine/validate, engine/design)'
            : undefined,
      ],
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (args.includes('--profile')) await profile();
else await benchmark();
