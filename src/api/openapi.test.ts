import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from './app.ts';
import { API_ERRORS } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { FakeController } from './testing.ts';

test('the OpenAPI document describes exactly the routes the app answers', () => {
  const app = buildApp(new FakeController(), {
    checkHost: true,
    webRoot: '/nonexistent',
    heartbeatMs: 1000,
    retryMs: 1000,
    open: new Set(),
  });
  const served = app.routes
    .filter((r) => (r.method === 'GET' || r.method === 'POST') && !r.path.includes('*'))
    .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    .sort();
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, unknown>> };
  const described = Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    .sort();
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(described, served);
});

test('every error code is a documented response and the document is plain JSON', () => {
  const doc = openApiDocument() as { components: { responses: Record<string, unknown> } };
  assert.deepEqual(Object.keys(doc.components.responses).sort(), Object.keys(API_ERRORS).sort());
  assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
});
