/** The controller's HTTP API and the dashboard's server: `startApi(handle, options)`. */
export { isLoopback, MIN_TOKEN_LENGTH } from './auth.ts';
export { API_ERRORS, type ApiErrorBody, type ApiErrorName } from './errors.ts';
export { applyEvent, findingKey } from './events.ts';
export { openApiDocument } from './openapi.ts';
export { type ApiOptions, type RunningApi, startApi } from './server.ts';
