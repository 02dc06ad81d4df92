// Go time strings (checked against Go's time package), go-units
// HumanDuration (its own test table), and `--filter until=` parsing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDockerDate,
  formatGoLayout,
  formatGoTimeString,
  formatRfc3339Nano,
  humanDuration,
  parseGoDuration,
  parseUntil,
} from './go-time.js';

const NS = 1_000_000_000n;
const ZERO_TIME = -62135596800n * NS;

// [unix nanos, String(), RFC3339Nano, docker date, a layout with many elements, Kitchen]
const TIMES: Array<[bigint, string, string, string, string, string]> = [
  [1748772000123456789n, '2025-06-01 10:00:00.123456789 +0000 UTC', '2025-06-01T10:00:00.123456789Z', '2025-06-01 10:00:00 +0000 UTC', 'Sun Jun  1 10:00:00.123 AM 25 152 152 Z +00', '10:00AM'],
  [1748772000500000000n, '2025-06-01 10:00:00.5 +0000 UTC', '2025-06-01T10:00:00.5Z', '2025-06-01 10:00:00 +0000 UTC', 'Sun Jun  1 10:00:00.500 AM 25 152 152 Z +00', '10:00AM'],
  [1748772000000000000n, '2025-06-01 10:00:00 +0000 UTC', '2025-06-01T10:00:00Z', '2025-06-01 10:00:00 +0000 UTC', 'Sun Jun  1 10:00:00.000 AM 25 152 152 Z +00', '10:00AM'],
  [1748772000000001000n, '2025-06-01 10:00:00.000001 +0000 UTC', '2025-06-01T10:00:00.000001Z', '2025-06-01 10:00:00 +0000 UTC', 'Sun Jun  1 10:00:00.000 AM 25 152 152 Z +00', '10:00AM'],
  [-1n, '1969-12-31 23:59:59.999999999 +0000 UTC', '1969-12-31T23:59:59.999999999Z', '1969-12-31 23:59:59 +0000 UTC', 'Wed Dec 31 11:59:59.999 PM 69 365 365 Z +00', '11:59PM'],
  [ZERO_TIME, '0001-01-01 00:00:00 +0000 UTC', '0001-01-01T00:00:00Z', '0001-01-01 00:00:00 +0000 UTC', 'Mon Jan  1 12:00:00.000 AM 01 001   1 Z +00', '12:00AM'],
  [1709247909040000000n, '2024-02-29 23:05:09.04 +0000 UTC', '2024-02-29T23:05:09.04Z', '2024-02-29 23:05:09 +0000 UTC', 'Thu Feb 29 11:05:09.040 PM 24 060  60 Z +00', '11:05PM'],
];

for (const [nanos, str, rfc, docker, layout, kitchen] of TIMES) {
  test(`Go time formats for ${nanos}`, () => {
    assert.equal(formatGoTimeString(nanos), str);
    assert.equal(formatRfc3339Nano(nanos), rfc);
    assert.equal(formatDockerDate(nanos), docker);
    assert.equal(formatGoLayout(nanos, 'Mon Jan _2 03:04:05.000 PM 06 002 __2 Z07:00 -07'), layout);
    assert.equal(formatGoLayout(nanos, '3:04PM'), kitchen);
  });
}

test('layout details: January/Monday, _2006 literal, trimmed fractions', () => {
  const t = 1748772000120000000n;
  assert.equal(formatGoLayout(t, 'Monday, 02-January-2006'), 'Sunday, 01-June-2025');
  assert.equal(formatGoLayout(t, '_2006'), '_2025');
  assert.equal(formatGoLayout(t, '05.999|05.000000|05,99'), '00.12|00.120000|00,12');
  assert.equal(formatGoLayout(t, 'Janet Mon1'), 'Janet Sun6');
});

test('humanDuration matches docker/go-units TestHumanDuration', () => {
  const s = 1_000_000_000n;
  const min = 60n * s;
  const hour = 60n * min;
  const day = 24n * hour;
  const week = 7n * day;
  const month = 30n * day;
  const year = 365n * day;
  const table: Array<[bigint, string]> = [
    [450_000_000n, 'Less than a second'],
    [1n * s, '1 second'],
    [45n * s, '45 seconds'],
    [59n * s, '59 seconds'],
    [60n * s, 'About a minute'],
    [3n * min, '3 minutes'],
    [35n * min + 40n * s, '35 minutes'],
    [59n * min, '59 minutes'],
    [1n * hour, 'About an hour'],
    [1n * hour + 29n * min, 'About an hour'],
    [1n * hour + 31n * min, '2 hours'],
    [3n * hour + 29n * min, '3 hours'],
    [3n * hour + 31n * min, '4 hours'],
    [24n * hour, '24 hours'],
    [1n * day + 12n * hour, '36 hours'],
    [2n * day, '2 days'],
    [7n * day, '7 days'],
    [13n * day + 5n * hour, '13 days'],
    [2n * week, '2 weeks'],
    [2n * week + 4n * day, '2 weeks'],
    [3n * week, '3 weeks'],
    [4n * week + 3n * day, '4 weeks'],
    [1n * month, '4 weeks'],
    [1n * month + 2n * week, '6 weeks'],
    [2n * month, '2 months'],
    [3n * month + 1n * week, '3 months'],
    [5n * month + 2n * week, '5 months'],
    [13n * month, '13 months'],
    [24n * month, '24 months'],
    [24n * month + 2n * week, '2 years'],
    [3n * year + 2n * month, '3 years'],
    [-5n * s, 'Less than a second'],
  ];
  for (const [d, want] of table) assert.equal(humanDuration(d), want, `${d}`);
});

test('parseGoDuration follows time.ParseDuration', () => {
  const table: Array<[string, bigint | undefined]> = [
    ['24h', 86400000000000n],
    ['10m', 600000000000n],
    ['1h30m', 5400000000000n],
    ['1.5h', 5400000000000n],
    ['300ms', 300000000n],
    ['-2h', -7200000000000n],
    ['1h1m1s', 3661000000000n],
    ['2us', 2000n],
    ['2µs', 2000n],
    ['0', 0n],
    ['', undefined],
    ['10', undefined],
    ['1d', undefined],
    ['h', undefined],
  ];
  for (const [s, want] of table) assert.equal(parseGoDuration(s), want, s);
});

test('parseUntil: durations are relative to now', () => {
  const now = 1748772000n * NS;
  assert.equal(parseUntil('24h', now), now - 86400n * NS);
  assert.equal(parseUntil('1h30m', now), now - 5400n * NS);
  assert.equal(parseUntil('-1h', now), now + 3600n * NS);
});

test('parseUntil: timestamps and Unix seconds', () => {
  const now = 0n;
  assert.equal(parseUntil('2025-06-01', now), 1748736000000000000n);
  assert.equal(parseUntil('2025-06-01T10:00:00Z', now), 1748772000000000000n);
  assert.equal(parseUntil('2025-06-01T10:00:00.5Z', now), 1748772000500000000n);
  assert.equal(parseUntil('2025-06-01T10:00:00+02:00', now), 1748764800000000000n);
  assert.equal(parseUntil('2025-06-01T10:00:00', now), 1748772000000000000n);
  assert.equal(parseUntil('2025-06-01T10', now), 1748772000000000000n);
  assert.equal(parseUntil('2025-06-01T10:30', now), 1748773800000000000n);
  assert.equal(parseUntil('1748772000', now), 1748772000000000000n);
  assert.equal(parseUntil('1748772000.5', now), 1748772000500000000n);
  assert.equal(parseUntil('0', now), 0n);
});

test('parseUntil: invalid values throw', () => {
  assert.throws(() => parseUntil('yesterday', 0n), { message: 'failed to parse value as time or duration: "yesterday"' });
  assert.throws(() => parseUntil('2025-13-01', 0n), { message: 'parsing time "2025-13-01": month out of range' });
  assert.throws(() => parseUntil('2025-02-30', 0n), { message: 'parsing time "2025-02-30": day out of range' });
  assert.throws(() => parseUntil('2025-06-01T25:00:00Z', 0n), /hour out of range/);
  assert.throws(() => parseUntil('2025-06-xx', 0n), /parsing time "2025-06-xx"/);
});
