// Content-Encoding of JSON request bodies, as chttpd:json_body -> couch_httpd:maybe_decompress:
// `gzip` is inflated, `identity` (or no header) taken as is, anything else refused with 415
// bad_content_type. Only JSON bodies go through it (a standalone attachment PUT with
// `Content-Encoding: gzip` is stored encoded, as CouchDB does).
import { constants } from 'node:buffer';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { badRequest, CouchHttpError } from '../engine/errors.ts';

const gunzipAsync = promisify(gunzip);

/**
 * The body as JSON text bytes. Inflated bytes count against `max` (the limit the raw body was read
 * under), so a small gzip bomb answers `tooLarge()` (413) instead of filling memory: zlib stops at
 * `maxOutputLength`.
 */
export async function decodeJsonBody(
  buf: Buffer,
  encoding: string | undefined,
  max: number,
  tooLarge: () => CouchHttpError,
): Promise<Buffer> {
  if (encoding === undefined || encoding === 'identity') return buf;
  if (encoding !== 'gzip')
    throw new CouchHttpError(415, 'bad_content_type', `${encoding} is not a supported content encoding.`);
  try {
    // zlib refuses a maxOutputLength past the largest Buffer this build can make
    return await gunzipAsync(buf, { maxOutputLength: Math.min(max, constants.MAX_LENGTH) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    // zlib:gunzip's data_error
    throw badRequest('Request body is not properly gzipped.');
  }
}
