/** The CLI's decoding of Docker's multiplexed log frames as the socket transport delivers them (byte-valued strings). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLogs } from '../src/cli/client/frames.js';
import { muxFrame, utf8Encode } from '../src/api/stream.js';

const asLatin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join('');

test('decodes frames longer than 127 bytes with multi-byte UTF-8 on both streams', () => {
  const long = `${'ü'.repeat(200)} — done\n`;
  const body = asLatin1(muxFrame(1, utf8Encode(long))) + asLatin1(muxFrame(2, utf8Encode('ping: bad address\n')));
  assert.deepEqual(decodeLogs(body, true), [
    [1, long],
    [2, 'ping: bad address\n'],
  ]);
});

test('passes TTY (unframed) text through as stdout', () => {
  assert.deepEqual(decodeLogs('hello\r\n', false), [[1, 'hello\r\n']]);
  assert.deepEqual(decodeLogs('', true), []);
});
