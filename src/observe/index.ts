export * from './backoff.ts';
export * from './links.ts';
export * from './paging.ts';
export * from './parse.ts';
export * from './reduced.ts';
export * from './seq.ts';
export * from './snapshot.ts';
export * from './types.ts';
