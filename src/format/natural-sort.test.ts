// fvbommel/sortorder NaturalLess, as `docker network ls` orders names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { naturalCompare, naturalLess } from './natural-sort.js';

const sorted = (names: string[]) => [...names].sort(naturalCompare);

test('docker-engine.md §9.1 goldens', () => {
  assert.deepEqual(sorted(['network-10-foo', 'network-2-foo', 'network-1-foo']), [
    'network-1-foo',
    'network-2-foo',
    'network-10-foo',
  ]);
  assert.deepEqual(sorted(['net-10', 'bridge', 'net-2']), ['bridge', 'net-2', 'net-10']);
});

test('digit runs compare by value; fewer leading zeros first on ties', () => {
  assert.equal(naturalLess('abc2', 'abc12'), true);
  assert.equal(naturalLess('abc12', 'abc2'), false);
  assert.equal(naturalLess('2', '02'), true);
  assert.equal(naturalLess('02', '2'), false);
  assert.equal(naturalLess('a01b', 'a1c'), false); // equal numbers, but 01 has more zeros
  assert.equal(naturalLess('a1c', 'a01b'), true);
  assert.equal(naturalLess('x007', 'x10'), true);
  assert.equal(naturalLess('0', '00'), true);
});

test('digits sort before other characters; byte order otherwise (case-sensitive)', () => {
  assert.equal(naturalLess('a1', 'aa'), true);
  assert.equal(naturalLess('aa', 'a1'), false);
  assert.equal(naturalLess('Z', 'a'), true);
  assert.equal(naturalLess('9', '-'), true);
  assert.deepEqual(sorted(['b', 'B', 'a', '1', 'A', '_x']), ['1', 'A', 'B', '_x', 'a', 'b']);
});

test('a proper prefix sorts first; equal strings are not less', () => {
  assert.equal(naturalLess('net', 'net-1'), true);
  assert.equal(naturalLess('net-1', 'net'), false);
  assert.equal(naturalLess('same', 'same'), false);
  assert.equal(naturalCompare('same', 'same'), 0);
  assert.equal(naturalLess('', 'a'), true);
});

test('non-ASCII compares by UTF-8 bytes', () => {
  assert.equal(naturalLess('z', 'é'), true);
  assert.equal(naturalLess('é', '😀'), true);
  assert.equal(naturalLess('\uffff', '😀'), true); // U+FFFF (EF BF BF) < U+1F600 (F0 ...)
});
