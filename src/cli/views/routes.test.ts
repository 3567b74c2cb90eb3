import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderRoutes } from './routes.ts';

const plain = { red: String, green: String, yellow: String, cyan: String, grey: String, bold: String };

describe('view: couchmesh routes', () => {
  it('one line per direction, legs beneath, a summary and the unread nodes', () => {
    const text = renderRoutes(
      {
        mesh: 'm',
        failover: true,
        unreachable: ['n2'],
        directions: [
          {
            direction: 'n4->n3',
            from: 'n4',
            to: 'n3',
            link: 'n3--n4',
            path: 'direct',
            reason: 'the declared link',
            dbs: ['db'],
            legs: [],
          },
          {
            direction: 'n3->n4',
            from: 'n3',
            to: 'n4',
            link: 'n3--n4',
            path: 'relayed',
            via: 'r',
            mode: 'store-and-forward',
            reason: 'job crashing',
            since: '2026-01-01T00:00:00.000Z',
            dbs: ['db'],
            legs: [{ id: 'x', node: 'r', from: 'n3', to: 'r', db: 'db' }],
          },
        ],
      },
      plain,
    );
    assert.equal(
      text,
      [
        'n4->n3  direct',
        'n3->n4  via r (store-and-forward)  since 2026-01-01T00:00:00.000Z: job crashing',
        '          leg n3->r (db) on r',
        '',
        '2 direction(s): 1 direct, 1 relayed',
        'not read: n2 (their routes are unknown)',
      ].join('\n'),
    );
  });
});
