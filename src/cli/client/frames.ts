/**
 * Docker's multiplexed stream framing (8-byte header: stream, 0, 0, 0, big-endian length) in
 * bodies carried as strings of byte values (latin-1), as the socket transport delivers them.
 */
import { utf8Decode } from '../../format/go-values.js';

/** Splits a logs body into [stream, text]; without framing (TTY, or the in-process app's text) it is all stdout. */
export function decodeLogs(body: string, multiplexed: boolean): Array<[1 | 2, string]> {
  if (!multiplexed || !/^[\x00-\x02]\x00\x00\x00/.test(body)) return body ? [[1, body]] : [];
  const out: Array<[1 | 2, string]> = [];
  let i = 0;
  while (i + 8 <= body.length) {
    const stream = body.charCodeAt(i) === 2 ? 2 : 1;
    const len = ((body.charCodeAt(i + 4) << 24) | (body.charCodeAt(i + 5) << 16) | (body.charCodeAt(i + 6) << 8) | body.charCodeAt(i + 7)) >>> 0;
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = body.charCodeAt(i + 8 + j);
    out.push([stream, utf8Decode(bytes)]);
    i += 8 + len;
  }
  return out;
}
