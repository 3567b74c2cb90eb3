import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DoctorReport } from '../../ops/doctor.ts';
import { SECURITY_FIX } from '../../security/checks.ts';
import { renderDoctor } from './doctor.ts';
import { paint } from './paint.ts';

const report = (over: Partial<DoctorReport> = {}): DoctorReport => ({
  mesh: 'seed',
  at: '2026-01-01T00:00:00.000Z',
  polls: 1,
  healthy: true,
  node_findings: [],
  directions: [],
  healthy_directions: 2,
  security: [],
  requests: 10,
  ...over,
});

describe('doctor view: Security section', () => {
  it('says there is nothing when there is nothing', () => {
    const text = renderDoctor(report(), paint(false));
    assert.match(text, /Security: no findings/);
    assert.match(text, /healthy: nothing to do/);
  });

  it('lists each finding with where, evidence and fix', () => {
    const text = renderDoctor(
      report({
        healthy: false,
        security: [
          {
            rule: 'public-db',
            severity: 'critical',
            node: 'n2',
            link: null,
            db: 'sensors',
            evidence: { request: 'GET /sensors (anonymous)', status: 200, none: null },
            message: 'sensors on n2 is readable without credentials',
            fix: SECURITY_FIX['public-db'],
          },
        ],
      }),
      paint(false),
    );
    const lines = text.split('\n');
    const at = lines.indexOf('Security:');
    assert.ok(at > 0);
    assert.equal(
      lines[at + 1],
      '  CRITICAL public-db (n2 sensors): sensors on n2 is readable without credentials',
    );
    assert.equal(lines[at + 2], '    evidence: request=GET /sensors (anonymous) status=200');
    assert.equal(lines[at + 3], `    fix: ${SECURITY_FIX['public-db']}`);
    assert.match(text, /problems found \(exit code 2\)/);
  });
});
