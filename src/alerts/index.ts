export * from './alerter.ts';
export * from './log.ts';
export * from './schema.ts';
export * from './types.ts';
export * from './webhook.ts';
