import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, maskUrlUserinfo, redactDeep, redactor } from './redact.ts';

test('URL userinfo passwords are masked, the user name kept (as CouchDB logs them)', () => {
  assert.equal(
    maskUrlUserinfo('[error] source http://admin:s3cr%40t@10.0.0.1:5984/db/ failed, https://u:p@h/x'),
    `[error] source http://admin:${MASK}@10.0.0.1:5984/db/ failed, https://u:${MASK}@h/x`,
  );
  assert.equal(maskUrlUserinfo('http://admin@host/db and a:b@c'), 'http://admin@host/db and a:b@c');
  assert.equal(maskUrlUserinfo('http://:onlypw@host/'), `http://:${MASK}@host/`);
});

test('every form of every known secret is masked: as is, percent-encoded, in a basic-auth token', () => {
  const r = redactor([{ value: 'p@ss word', username: 'admin' }, { value: 'tok' }, { value: '' }]);
  const b64 = Buffer.from('admin:p@ss word').toString('base64');
  const out = r(`pw=p@ss word enc=${encodeURIComponent('p@ss word')} auth=Basic ${b64} x=tok`);
  assert.equal(out, `pw=${MASK} enc=${MASK} auth=Basic ${MASK} x=${MASK}`);
  assert.equal(r('nothing secret here'), 'nothing secret here', 'an empty secret masks nothing');
});

test('a secret containing another is masked whole', () => {
  assert.equal(redactor([{ value: 'ab' }, { value: 'xxabxx' }])('-xxabxx-ab-'), `-${MASK}-${MASK}-`);
});

test('redactDeep masks every string of plain data and leaves other values alone', () => {
  const r = redactor([{ value: 'hunter2' }]);
  const v = { a: ['x hunter2', 3, null, { hunter2: 'http://u:p@h/' }], b: true };
  assert.deepEqual(redactDeep(v, r), {
    a: [`x ${MASK}`, 3, null, { [MASK]: `http://u:${MASK}@h/` }],
    b: true,
  });
});
