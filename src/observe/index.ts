export * from '../couchdb/seq.ts';
export * from './backoff.ts';
export * from './links.ts';
export * from './paging.ts';
export * from './parse.ts';
export * from './reduced.ts';
export * from './snapshot.ts';
export * from './types.ts';
