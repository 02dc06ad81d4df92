// Go time formatting and parsing as Docker's CLI and daemon use them. All
// times are UTC (crosstalk never reports local zones), which is also what
// Docker prints for times decoded from the API ("+0000 UTC").

const NS_PER_SEC = 1_000_000_000n;

export interface Civil {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  weekday: number; // 0 = Sunday
  yday: number; // 1-366
}

// Howard Hinnant's days<->civil algorithms (proleptic Gregorian, any year).
function civilFromDays(z: number): [number, number, number] {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return [y, m, d];
}

export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function toCivil(unixNanos: bigint): Civil {
  let secs = unixNanos / NS_PER_SEC;
  let nanos = unixNanos % NS_PER_SEC;
  if (nanos < 0n) {
    nanos += NS_PER_SEC;
    secs -= 1n;
  }
  const s = Number(secs);
  const days = Math.floor(s / 86400);
  const rem = s - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(rem / 3600),
    minute: Math.floor((rem % 3600) / 60),
    second: rem % 60,
    nanos: Number(nanos),
    weekday: (((days + 4) % 7) + 7) % 7,
    yday: days - daysFromCivil(year, 1, 1) + 1,
  };
}

const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? '-' + s : s;
}

// ---- Go layout formatting ------------------------------------------------

/** The layout elements of Go's time package, longest match first where prefixes overlap. */
const STD_CHUNKS = [
  'January', 'Jan', 'Monday', 'Mon', 'MST',
  '2006', '002', '01', '02', '03', '04', '05', '06', '_2', '__2', '15',
  '-07:00:00', '-070000', '-07:00', '-0700', '-07',
  'Z07:00:00', 'Z070000', 'Z07:00', 'Z0700', 'Z07',
  'PM', 'pm',
];

interface Chunk {
  literal: string;
  std: string; // '' at the end
}

/** Split a layout into literal text and std elements (simplified time.nextStdChunk). */
function chunks(layout: string): Chunk[] {
  const out: Chunk[] = [];
  let lit = '';
  let i = 0;
  outer: while (i < layout.length) {
    const rest = layout.slice(i);
    // Fractional seconds: .000 / ,000 (fixed) or .999 / ,999 (trimmed), only after a digit run ends.
    const frac = /^[.,](0+|9+)(?![0-9])/.exec(rest);
    if (frac) {
      out.push({ literal: lit, std: frac[0] });
      lit = '';
      i += frac[0].length;
      continue;
    }
    // "_2006" is a literal underscore followed by the year, not "_2" + "006".
    if (rest.startsWith('_2006')) {
      lit += '_';
      i++;
      continue;
    }
    for (const std of STD_CHUNKS) {
      if (!rest.startsWith(std)) continue;
      // Go only treats Jan/Mon as std when not followed by a lower-case letter.
      if ((std === 'Jan' || std === 'Mon') && /^[a-z]/.test(rest.slice(3))) continue;
      out.push({ literal: lit, std });
      lit = '';
      i += std.length;
      continue outer;
    }
    // Single-digit elements 1 (month), 2 (day), 3 (hour), 4 (minute), 5 (second).
    if ('12345'.includes(rest[0])) {
      out.push({ literal: lit, std: rest[0] });
      lit = '';
      i++;
      continue;
    }
    lit += rest[0];
    i++;
  }
  out.push({ literal: lit, std: '' });
  return out;
}

/** time.Time.Format(layout) for a UTC time. */
export function formatGoLayout(unixNanos: bigint, layout: string): string {
  const c = toCivil(unixNanos);
  let out = '';
  for (const { literal, std } of chunks(layout)) {
    out += literal;
    out += formatStd(c, std);
  }
  return out;
}

function formatStd(c: Civil, std: string): string {
  const hour12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  switch (std) {
    case '':
      return '';
    case 'January':
      return LONG_MONTHS[c.month - 1];
    case 'Jan':
      return LONG_MONTHS[c.month - 1].slice(0, 3);
    case 'Monday':
      return LONG_DAYS[c.weekday];
    case 'Mon':
      return LONG_DAYS[c.weekday].slice(0, 3);
    case 'MST':
      return 'UTC';
    case '2006':
      return pad(c.year, 4);
    case '06':
      return pad(((c.year % 100) + 100) % 100, 2);
    case '01':
      return pad(c.month, 2);
    case '1':
      return String(c.month);
    case '02':
      return pad(c.day, 2);
    case '_2':
      return String(c.day).padStart(2, ' ');
    case '2':
      return String(c.day);
    case '002':
      return pad(c.yday, 3);
    case '__2':
      return String(c.yday).padStart(3, ' ');
    case '15':
      return pad(c.hour, 2);
    case '3':
      return String(hour12);
    case '03':
      return pad(hour12, 2);
    case '4':
      return String(c.minute);
    case '04':
      return pad(c.minute, 2);
    case '5':
      return String(c.second);
    case '05':
      return pad(c.second, 2);
    case 'PM':
      return c.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return c.hour >= 12 ? 'pm' : 'am';
    case '-07:00:00':
      return '+00:00:00';
    case '-070000':
      return '+000000';
    case '-07:00':
      return '+00:00';
    case '-0700':
      return '+0000';
    case '-07':
      return '+00';
    case 'Z07:00:00':
    case 'Z070000':
    case 'Z07:00':
    case 'Z0700':
    case 'Z07':
      return 'Z'; // UTC prints as Z in the ISO 8601 forms
  }
  // Fractional seconds.
  const digits = std.length - 1;
  const frac = pad(c.nanos, 9).slice(0, Math.min(digits, 9));
  if (std[1] === '0') return std[0] + frac;
  const trimmed = frac.replace(/0+$/, '');
  return trimmed === '' ? '' : std[0] + trimmed;
}

/** time.RFC3339Nano in UTC: `2025-06-01T10:00:00.5Z`, `2025-06-01T10:00:00Z`. */
export function formatRfc3339Nano(unixNanos: bigint): string {
  return formatGoLayout(unixNanos, '2006-01-02T15:04:05.999999999Z07:00');
}

/** time.Time.String() in UTC: `2025-06-01 10:00:00.123456789 +0000 UTC`, fraction trimmed. */
export function formatGoTimeString(unixNanos: bigint): string {
  return formatGoLayout(unixNanos, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** Format("2006-01-02 15:04:05 -0700 MST"), as `docker ps` prints CreatedAt. */
export function formatDockerDate(unixNanos: bigint): string {
  return formatGoLayout(unixNanos, '2006-01-02 15:04:05 -0700 MST');
}

// ---- docker/go-units HumanDuration ----------------------------------------

/**
 * go-units HumanDuration ("Up 5 minutes", "Created 2 hours ago"). Integer
 * truncation mirrors Go's int(d.Seconds()) etc.; hours round to nearest.
 */
export function humanDuration(nanos: bigint): string {
  const d = Number(nanos);
  const seconds = Math.trunc(d / 1e9);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(d / 6e10);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(d / 3.6e12 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(d / 3.6e12) / 24 / 365)} years`;
}

// ---- parsing ----------------------------------------------------------------

const UNIT_NANOS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5
  'μs': 1000n, // U+03BC
  ms: 1_000_000n,
  s: NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  h: 3600n * NS_PER_SEC,
};

/** time.ParseDuration; returns undefined when the text is not a Go duration. */
export function parseGoDuration(s: string): bigint | undefined {
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  const re = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]+)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NANOS[m[3]];
    if (unit === undefined) return undefined;
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    s = s.slice(m[0].length);
  }
  return neg ? -total : total;
}

interface ParsedTime {
  nanos: bigint;
}

/**
 * Parse the timestamp shapes docker's GetTimestamp accepts: a date, a date and
 * time (hours, minutes or seconds precision), optional fraction, optional zone
 * (Z or ±hh:mm). Times without a zone are taken as UTC (the reference zone).
 */
function parseTimestampText(value: string): ParsedTime | string {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!m) return `parsing time ${JSON.stringify(value)}: cannot parse as RFC 3339 or a date`;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(se ?? 0);
  const name = (what: string) => `parsing time ${JSON.stringify(value)}: ${what} out of range`;
  if (month < 1 || month > 12) return name('month');
  const mdays = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day < 1 || day > mdays) return name('day');
  if (hour > 23) return name('hour');
  if (minute > 59) return name('minute');
  if (second > 59) return name('second');
  let offsetSecs = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    offsetSecs = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSecs;
  const fracNanos = frac ? BigInt(frac.slice(0, 9).padEnd(9, '0')) : 0n;
  return { nanos: BigInt(secs) * NS_PER_SEC + fracNanos };
}

/**
 * The value of `--filter until=` (docker api/types/time GetTimestamp, then
 * ParseTimestamps), as nanoseconds since the epoch:
 *   Go durations (`24h`, `10m`, `1h30m`) -> now minus the duration;
 *   RFC 3339 with or without fraction/zone, `2006-01-02`, `2006-01-02T15[:04[:05]]`;
 *   Unix seconds with an optional fraction (`1717236000`, `1717236000.5`).
 * Invalid input throws an Error.
 */
export function parseUntil(value: string, nowNanos: bigint): bigint {
  if (value !== '0') {
    const d = parseGoDuration(value);
    if (d !== undefined) return nowNanos - d;
  }
  const parsed = parseTimestampText(value);
  if (typeof parsed !== 'string') return parsed.nanos;
  // A value with a dash was meant as a timestamp; report the time parse error.
  if (value.includes('-')) throw new Error(parsed);
  const unix = /^(\d+)(?:\.(\d+))?$/.exec(value);
  if (!unix) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  const frac = unix[2] ? BigInt(unix[2].slice(0, 9).padEnd(9, '0')) : 0n;
  return BigInt(unix[1]) * NS_PER_SEC + frac;
}
