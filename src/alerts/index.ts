export * from './alerter.ts';
export * from './alertmanager.ts';
export * from './hysteresis.ts';
export * from './log.ts';
export * from './schema.ts';
export * from './types.ts';
export * from './webhook.ts';
