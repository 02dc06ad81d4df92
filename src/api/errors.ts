/**
 * Error responses (docker-engine.md §15.4): `{"message": …}` as JSON with the status of the
 * error class. Unknown exceptions become 500 with their message, never a crash.
 */
import { EngineError, STATUS_BY_KIND } from '../core/errors.js';
import type { PlainResponse } from './contract.js';

/** Request bodies larger than this are refused (413) before any parsing. */
export const MAX_BODY_BYTES = 1024 * 1024;

export function jsonBody(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): PlainResponse {
  return { kind: 'plain', status, headers: { 'Content-Type': 'application/json', ...headers }, body: jsonBody(value) };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): PlainResponse {
  return { kind: 'plain', status, headers: { ...headers }, body: '' };
}

export function errorResponse(status: number, message: string): PlainResponse {
  return jsonResponse(status, { message });
}

export function pageNotFound(): PlainResponse {
  return errorResponse(404, 'page not found');
}

export function bodyTooLarge(limit = MAX_BODY_BYTES): PlainResponse {
  return errorResponse(413, `request body too large: the limit is ${limit} bytes`);
}

/** Maps anything thrown by a route to Docker's error response. */
export function responseForError(err: unknown): PlainResponse {
  if (err instanceof EngineError) {
    const status = STATUS_BY_KIND[err.kind];
    // 304 carries no body (Go's net/http drops it).
    if (status === 304) return emptyResponse(304);
    return errorResponse(status, err.message);
  }
  const message = err instanceof Error ? err.message : String(err);
  return errorResponse(500, message);
}
