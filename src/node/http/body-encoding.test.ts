import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CouchHttpError } from '../engine/errors.ts';
import { decodeJsonBody } from './body-encoding.ts';

const tooLarge = () => new CouchHttpError(413, 'too_large', 'the request entity is too large');
const refusal = (status: number, error: string, reason?: string) => (e: unknown) =>
  e instanceof CouchHttpError && e.status === status && e.error === error && (!reason || e.reason === reason);

test('no encoding and identity: the bytes as they came', async () => {
  const b = Buffer.from('{"a":1}');
  assert.equal(await decodeJsonBody(b, undefined, 100, tooLarge), b);
  assert.equal(await decodeJsonBody(b, 'identity', 100, tooLarge), b);
});

test('gzip is inflated (couch_httpd:maybe_decompress)', async () => {
  const out = await decodeJsonBody(gzipSync('{"docs":[]}'), 'gzip', 100, tooLarge);
  assert.equal(out.toString(), '{"docs":[]}');
});

test('a gzip bomb stops at the limit on inflated bytes: the 413 of the caller', async () => {
  const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 48));
  assert.ok(bomb.length < 16 * 1024);
  await assert.rejects(decodeJsonBody(bomb, 'gzip', 1024 * 1024, tooLarge), refusal(413, 'too_large'));
});

test('corrupt gzip: 400; an encoding CouchDB lacks: 415', async () => {
  await assert.rejects(
    decodeJsonBody(Buffer.from('{}'), 'gzip', 100, tooLarge),
    refusal(400, 'bad_request', 'Request body is not properly gzipped.'),
  );
  for (const enc of ['deflate', 'br', 'GZIP', 'x-gzip'])
    await assert.rejects(
      decodeJsonBody(Buffer.from('{}'), enc, 100, tooLarge),
      refusal(415, 'bad_content_type', `${enc} is not a supported content encoding.`),
    );
});
