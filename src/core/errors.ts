/**
 * Classified engine errors. Everything below the CLI/API edge throws these; the edge maps the
 * kind to an exit code or HTTP status. The message is Docker's own text where Docker has one.
 */
export type ErrorKind =
  | 'not-found'
  | 'invalid-parameter'
  | 'conflict'
  | 'forbidden'
  | 'not-modified'
  | 'unavailable'
  | 'not-implemented'
  | 'internal';

export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const notFound = (m: string) => new EngineError('not-found', m);
export const invalidParameter = (m: string) => new EngineError('invalid-parameter', m);
export const conflict = (m: string) => new EngineError('conflict', m);
export const forbidden = (m: string) => new EngineError('forbidden', m);
export const notModified = (m: string) => new EngineError('not-modified', m);

/** HTTP status Docker uses for each error class (api/server/httpstatus). */
export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  'not-found': 404,
  'invalid-parameter': 400,
  conflict: 409,
  forbidden: 403,
  'not-modified': 304,
  unavailable: 503,
  'not-implemented': 501,
  internal: 500,
};
