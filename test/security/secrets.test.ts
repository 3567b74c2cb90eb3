// SECURITY's secret-grep Must-show: a whole scenario on real embedded nodes with known, distinctive
// secrets (the admin password through an env reference, a wrong password, a webhook header, a
// password in a webhook URL and in CouchDB log lines). Every byte couchmesh prints, sends to the
// webhook or writes to the temp dir is captured; no secret may appear in any of it, and the webhook
// header's value only in the Authorization header the receiver got.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, DB, TelemetryMesh, until } from '../telemetry/helpers.ts';

const tag = () => randomBytes(6).toString('hex');
const WRONG_PW = `wrongpw-${tag()}`;
const HOOK_USER_PW = `hookpw-${tag()}`;
const HOOK_AUTH = `Basic ${Buffer.from(`hook:${HOOK_USER_PW}`).toString('base64')}`;
const URL_PW = `urlpw-${tag()}`;
const LITERAL = `literal-${tag()}`;

/** Every form a secret could leak in: as is, percent-encoded, base64 of user:secret. */
const forms = (user: string, s: string) => [
  s,
  encodeURIComponent(s),
  Buffer.from(`${user}:${s}`).toString('base64'),
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/**
 * The scenario, without replication users (the nodes' admin credentials in every replication doc)
 * or with them per link (`couchmesh-repl-<a>--<b>`, passwords `REPL_{LINK}`), where it also
 * rotates a link's password: neither the old nor the new one may appear anywhere.
 */
function scenario(repl: boolean): void {
  const title = repl ? ' (replication users per link, rotated)' : '';
  describe(`security: no secret in any byte of output, alert, webhook body or file written${title}`, () => {
    const mesh = new TelemetryMesh();
    const REPL = { REPL_N1__N2: `repl12-${tag()}`, REPL_N2__N3: `repl23-${tag()}` };
    const ROTATED = `repl12-new-${tag()}`;
    const replUser = (link: string) => `couchmesh-repl-${link}`;
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    let hook = '';
    const outputs: Array<{ args: string[]; code: number; text: string }> = [];
    const run = async (...args: string[]) => {
      const r = await cli(mesh, args);
      outputs.push({ args, code: r.code, text: r.o.all });
      return r;
    };
    const env: Record<string, string | undefined> = {};
    const setEnv = (k: string, v: string) => {
      env[k] = process.env[k];
      process.env[k] = v;
    };

    before(async () => {
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      setEnv('WRONG_PW', WRONG_PW);
      setEnv('HOOK_AUTH', HOOK_AUTH);
      await mesh.start(
        [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }],
        [
          ['n1', 'n2'],
          ['n2', 'n3'],
        ],
      );
      if (!repl) return;
      for (const [k, v] of Object.entries(REPL)) setEnv(k, v);
      // fewer pbkdf2 iterations than CouchDB's 600,000: the scenario hashes and checks many passwords
      for (const n of ['n1', 'n2', 'n3'])
        await mesh.ok(n, 'PUT', '/_node/_local/_config/chttpd_auth/iterations', '1000');
      writeFileSync(
        mesh.file,
        `${readFileSync(mesh.file, 'utf8')}\nreplication_users: { per: link, password_env: "REPL_{LINK}" }\n`,
      );
    });
    after(async () => {
      for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      receiver.close();
      await mesh.close();
    });

    it('apply, status, doctor --log, a refused password, a crash, alerts: no secret anywhere', async () => {
      const f = ['-f', mesh.file];
      assert.equal((await run('apply', ...f, '--yes')).code, 0);
      assert.equal((await run('apply', ...f, '--yes', '--json')).code, 0);
      await mesh.write('n1', 'doc', 3);
      await until('docs on n3', async () =>
        (await mesh.ok('n3', 'GET', `/${DB}`)).doc_count === 3 ? true : undefined,
      );
      // a crash: n3 loses its database, so n2->n3 (target) and n3->n2 (source) crash
      await mesh.ok('n3', 'DELETE', `/${DB}`);
      await until('a crashing direction', async () => {
        const r = await cli(mesh, ['status', ...f, '--json']);
        return r.o.stdout.includes('"crashing"') ? true : undefined;
      });
      await run('status', ...f);
      await run('status', ...f, '--json');
      await run('plan', ...f);
      await run('plan', ...f, '--json');

      // a CouchDB log with the admin password in URLs and in a basic-auth header, for every direction
      const pw = mesh.password;
      const log = join(mesh.dir, 'couch.log');
      const b64 = Buffer.from(`admin:${pw}`).toString('base64');
      const lines = ['n1--n2', 'n2--n1', 'n2--n3', 'n3--n2'].map(
        (d) =>
          `[error] couch_replicator couchmesh.t.${DB}.${d} source http://admin:${pw}@${mesh.url('n2').slice(7)}/${DB}/ failed; Authorization: Basic ${b64}; password=${pw}`,
      );
      // with replication users, the replicator's own log lines carry theirs
      if (repl)
        for (const [link, secret] of [
          ['n1--n2', REPL.REPL_N1__N2],
          ['n2--n3', REPL.REPL_N2__N3],
        ] as const)
          lines.push(
            `[error] couch_replicator couchmesh.t.${DB}.${link} target http://${replUser(link)}:${secret}@${mesh.url('n1').slice(7)}/${DB}/ 401; Authorization: Basic ${Buffer.from(`${replUser(link)}:${secret}`).toString('base64')}; password=${secret}`,
          );
      writeFileSync(log, `${lines.join('\n')}\n`);
      const doctor = await run('doctor', ...f, '--log', log, '--interval', '50');
      assert.equal(doctor.code, 2, doctor.o.all);
      assert.match(
        doctor.o.stdout,
        /couch_replicator couchmesh\.t\.sensors\.n\d--n\d source http:\/\/admin:\*\*\*@/,
      );
      const dj = await run('doctor', ...f, '--log', log, '--interval', '50', '--json');
      assert.match(dj.o.stdout, /admin:\*\*\*@/);

      // a node whose password reference gives a wrong password: refused (401), reported without it
      const wrong = join(mesh.dir, 'wrong.yaml');
      writeFileSync(
        wrong,
        readFileSync(mesh.file, 'utf8').replace(
          /(n3: \{[^\n]*password_env: )COUCHMESH_PASSWORD/,
          '$1WRONG_PW',
        ),
      );
      assert.ok(readFileSync(wrong, 'utf8').includes('WRONG_PW'));
      const refused = await run('status', '-f', wrong, '--json');
      assert.match(refused.o.all, /401|E_COUCH_AUTH|unauthorized/i, refused.o.all);
      await run('status', '-f', wrong);
      await run('plan', '-f', wrong);
      await run('apply', '-f', wrong, '--yes', '--json');
      await run('doctor', '-f', wrong, '--interval', '50', '--json');

      // webhooks: credentials in the URL and literal header values are refused, never echoed
      const once = (...extra: string[]) => run('status', ...f, '--watch', '--count', '1', ...extra);
      const inUrl = await once('--webhook', hook.replace('//', `//hook:${URL_PW}@`));
      assert.match(inUrl.o.stderr, /E_WEBHOOK_CREDENTIALS|userinfo/);
      const literal = await once('--webhook', hook, '--webhook-header', `Authorization=${LITERAL}`);
      assert.notEqual(literal.code, 0);
      const unset = await once('--webhook', hook, '--webhook-header', 'X-Token=env:NOT_SET_ANYWHERE');
      assert.match(unset.o.stderr, /NOT_SET_ANYWHERE/);

      // alerts to the local webhook (with a header from the environment) and to an --alert-log file
      const alertLog = join(mesh.dir, 'alerts.ndjson');
      const watchArgs = ['--watch', '--count', '3', '--interval', '100', '--webhook', hook];
      const w = await run(
        'status',
        ...f,
        ...watchArgs,
        '--webhook-header',
        'Authorization=env:HOOK_AUTH',
        '--alert-log',
        alertLog,
        '--json',
      );
      assert.equal(w.code, 0, w.o.all);
      await run('status', ...f, ...watchArgs.slice(0, 5), '--alert-log', alertLog);
      assert.ok(received.length > 0, 'the receiver got alerts');
      assert.ok(received.some((r) => JSON.parse(r.body).rule === 'crashing'));
      const withHeader = received.filter((r) => r.headers.authorization === HOOK_AUTH);
      assert.ok(withHeader.length > 0, 'the receiver got the Authorization header from HOOK_AUTH');

      if (repl) {
        // docs carry the replication users, never the admin password; then a rotation of n1--n2
        const docs = async () =>
          JSON.stringify(await mesh.ok('n2', 'GET', '/_replicator/_all_docs?include_docs=true'));
        assert.ok(!(await docs()).includes(pw));
        setEnv('REPL_N1__N2', ROTATED);
        const plan = await run('plan', ...f);
        assert.match(plan.o.stdout, /rotate password/);
        await run('plan', ...f, '--json');
        const rot = await run('rotate-credentials', ...f, '--yes', '--json');
        assert.equal(rot.code, 0, rot.o.all);
        await run('rotate-credentials', ...f, '--yes');
        assert.ok((await docs()).includes(ROTATED), 'the rotation reached the docs');
        await run('status', ...f, '--json');
        await run('doctor', ...f, '--log', log, '--interval', '50', '--json');
      }

      // every byte: CLI output, webhook bodies (and the headers besides Authorization), files written
      const written = filesUnder(mesh.dir).filter((p) => p !== log);
      assert.ok(written.includes(alertLog));
      const haystacks: Array<[string, string]> = [
        ...outputs.map((o): [string, string] => [`couchmesh ${o.args.join(' ')}`, o.text]),
        ...received.map((r, i): [string, string] => [
          `webhook #${i}`,
          r.body + JSON.stringify({ ...r.headers, authorization: undefined }),
        ]),
        ...written.map((p): [string, string] => [p, readFileSync(p, 'latin1')]),
      ];
      const secrets = [
        ...forms('admin', pw),
        ...forms('admin', WRONG_PW),
        ...forms('hook', HOOK_USER_PW),
        HOOK_AUTH,
        URL_PW,
        LITERAL,
        ...(repl
          ? [
              ...forms(replUser('n1--n2'), REPL.REPL_N1__N2),
              ...forms(replUser('n1--n2'), ROTATED),
              ...forms(replUser('n2--n3'), REPL.REPL_N2__N3),
            ]
          : []),
      ];
      for (const [where, text] of haystacks)
        for (const s of secrets)
          assert.ok(!text.includes(s), `a secret (${s.slice(0, 8)}…) appears in ${where}`);
      assert.ok(outputs.length >= 15, `every command ran (${outputs.length})`);
    });
  });
}

scenario(false);
scenario(true);
