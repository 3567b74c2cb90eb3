// The registry is complete and has nothing dead: every `'E_…'` / `'W_…'` literal in src (tests
// included) is a registered code, and every registered code is used by code outside the registry.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CODES, codeInfo, EXIT, EXIT_CODE_OF_KIND, isErrorCode, WARNINGS } from './codes.ts';

const SRC = fileURLToPath(new URL('..', import.meta.url));
/** The registry's own files (and this test) do not count as uses. */
const REGISTRY = new Set(['core/codes.ts', 'core/codes-mesh.ts', 'core/codes.test.ts']);
const LITERAL = /'([EW]_[A-Z0-9_]+)'/g;
/** errors.test.ts shows that this typo fails tsc (`@ts-expect-error`). */
const DELIBERATE_TYPO = 'E_NOT_A_CODE';

/** code -> files of src that spell it as a literal */
function literals(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const entry of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    const file = entry.split('\\').join('/');
    if (!file.endsWith('.ts') || REGISTRY.has(file)) continue;
    for (const m of readFileSync(join(SRC, file), 'utf8').matchAll(LITERAL)) {
      const code = m[1] as string;
      if (code === DELIBERATE_TYPO) continue;
      found.set(code, [...(found.get(code) ?? []), file]);
    }
  }
  return found;
}

describe('error-code registry', () => {
  const found = literals();

  test('every code literal in src is registered', () => {
    const unknown = [...found].filter(([c]) => !isErrorCode(c) && !Object.hasOwn(WARNINGS, c));
    assert.deepEqual(
      unknown.map(([c, files]) => `${c} (${files.join(', ')})`),
      [],
      'register these in src/core/codes.ts',
    );
  });

  test('every registered code is used outside the registry and its tests', () => {
    const used = (c: string) => (found.get(c) ?? []).some((f) => !f.endsWith('.test.ts'));
    const dead = [...Object.keys(CODES), ...Object.keys(WARNINGS)].filter((c) => !used(c));
    assert.deepEqual(dead, [], 'remove these from the registry, or use them');
  });

  test('one code for an unreachable node: E_COUCH_UNREACHABLE (what --json shows)', () => {
    assert.ok(isErrorCode('E_COUCH_UNREACHABLE'));
    assert.equal(isErrorCode('E_UNREACHABLE'), false);
  });

  test('every entry says what it means; bugs exit 70, user errors 1', () => {
    for (const [code, info] of Object.entries(CODES)) {
      assert.ok(info.meaning.length > 10, code);
      assert.ok(info.hint === undefined || info.hint.length > 0, code);
    }
    assert.equal(EXIT_CODE_OF_KIND.bug, EXIT.bug);
    assert.equal(EXIT_CODE_OF_KIND.user, EXIT.failure);
    assert.equal(codeInfo('E_COUCH_OPTION').kind, 'bug');
    assert.equal(codeInfo('E_COUCH_UNREACHABLE').kind, 'user');
  });
});
