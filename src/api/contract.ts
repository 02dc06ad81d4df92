/**
 * The Docker Engine API as a transport-free handler: the daemon serves it on a unix socket
 * (src/node/daemon), the CLI calls it in-process when no daemon runs, a browser calls it directly.
 * No Node imports.
 */

export interface ApiRequest {
  method: string;
  /** Path and query as received, e.g. `/v1.50/networks?filters=…` or `/_ping`. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** Request body (UTF-8); '' when none. */
  body: string;
  /**
   * Set by the daemon's HTTP server only (never from a header): where it saved a binary body
   * instead of `body` (`POST /images/load`, a tar archive too large and too binary for a string).
   */
  bodyFile?: string;
}

/** A complete response. JSON bodies end with a newline, as Go's encoder writes them. */
export interface PlainResponse {
  kind: 'plain';
  status: number;
  headers: Record<string, string>;
  body: string;
  /**
   * Binary bodies (`GET /containers/{id}/logs`: multiplexed frames carry byte lengths): when set,
   * transports put these bytes on the wire; `body` then holds the same content as plain text
   * without stream frames, for in-process callers.
   */
  bytes?: Uint8Array;
}

/**
 * A response whose body arrives over time (`/events`, `/containers/{id}/wait`, `logs?follow`).
 * Headers are sent at once; `chunks` yields body pieces until the response is complete.
 * `cancel` is called when the client goes away.
 */
export interface StreamingResponse {
  kind: 'stream';
  status: number;
  headers: Record<string, string>;
  chunks: AsyncIterable<string>;
  cancel(): void;
}

/**
 * `POST /containers/{id}/attach` and `POST /exec/{id}/start`: after `HTTP/1.1 101 UPGRADED` the
 * connection carries raw bytes (TTY) or multiplexed frames (8-byte header: stream, 0, 0, 0,
 * big-endian length). The transport frames output with `multiplexed` as given here.
 */
export interface HijackResponse {
  kind: 'hijack';
  /** `application/vnd.docker.raw-stream` or `application/vnd.docker.multiplexed-stream`. */
  contentType: string;
  multiplexed: boolean;
  session: HijackSession;
}

export interface HijackSession {
  /** Starts the session; `output` receives container output (stream 1 stdout, 2 stderr). */
  start(output: (stream: 1 | 2, data: string) => void): void;
  /** Bytes the client typed (stdin). */
  input(data: string): void;
  /** The client closed its side (stdin EOF). */
  close(): void;
  /** The connection is gone: stop delivering output and end the session (no EOF semantics). */
  disconnect(): void;
  /** Resolves when the session is over (process exited, or detached); the transport then ends the connection. */
  readonly done: Promise<void>;
}

export type ApiResponse = PlainResponse | StreamingResponse | HijackResponse;

export interface ApiApp {
  handle(req: ApiRequest): Promise<ApiResponse>;
}
