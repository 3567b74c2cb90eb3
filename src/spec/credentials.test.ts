import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCouchmeshError } from '../core/errors.ts';
import { resolveAuth } from './credentials.ts';
import type { NodeSpec } from './types.ts';

const node = (auth: NodeSpec['auth']): NodeSpec => ({
  name: 'n1',
  url: 'http://h',
  role: 'edge',
  reachable: true,
  auth,
});
const files: Record<string, string> = { '/s/pw': 's3cret\n', '/s/empty': '\n' };
const sources = (env: Record<string, string> = {}) => ({
  env,
  readFile: (p: string) => {
    const v = files[p];
    if (v === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return v;
  },
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail('expected an error');
}

describe('resolveAuth: credentials read only where needed', () => {
  it('no auth: none', () => assert.equal(resolveAuth(node(undefined), sources()), undefined));

  it('reads an env var or a file (without its trailing newline)', () => {
    assert.deepEqual(resolveAuth(node({ username: 'a', password_env: 'PW' }), sources({ PW: 'x' })), {
      username: 'a',
      password: 'x',
    });
    assert.deepEqual(resolveAuth(node({ username: 'a', password_file: '/s/pw' }), sources()), {
      username: 'a',
      password: 's3cret',
    });
  });

  it('fails with user errors that name the reference, never a value', () => {
    const e1 = thrown(() => resolveAuth(node({ username: 'a', password_env: 'PW' }), sources()));
    assert.ok(isCouchmeshError(e1));
    assert.equal(e1.code, 'E_CREDENTIAL_ENV');
    assert.match(e1.message, /PW.*n1/);
    const e2 = thrown(() => resolveAuth(node({ username: 'a', password_file: '/s/missing' }), sources()));
    assert.ok(isCouchmeshError(e2));
    assert.match(e2.message, /cannot read password file \/s\/missing .*ENOENT/);
    const e3 = thrown(() => resolveAuth(node({ username: 'a', password_file: '/s/empty' }), sources()));
    assert.ok(isCouchmeshError(e3));
    assert.match(e3.message, /is empty/);
  });
});
