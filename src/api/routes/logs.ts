/**
 * `GET /containers/{id}/logs`: the container's output so far (`tail`, `since`, `until`,
 * `timestamps`), and with `follow=1` a stream that goes on with new output until the container
 * stops or the client goes away. Multiplexed frames without a TTY (the media type from API 1.42),
 * raw bytes with one.
 *
 * The simulator keeps one merged log string without per-line times: its lines are reported on
 * stdout and stamped with the container's StartedAt (docs/decisions.md, "Logs"); followed output
 * arrives through the core's attach listeners with the stream it was written to. The real plane
 * reads the shim's json-file log (one entry per line, each with its time); while following, the
 * main process's live stream only wakes the reader, which then reads the new log entries, so
 * followed lines carry their logged times too and nothing is seen twice.
 */
import { invalidParameter } from '../../core/errors.js';
import { formatGoLayout, parseUntil } from '../../format/go-time.js';
import type { PlainResponse, StreamingResponse } from '../contract.js';
import type { ApiCore, AttachListener } from '../core.js';
import type { RealLogLine, RealStream } from '../real-runtime.js';
import type { RouteContext } from '../router.js';
import { Channel, muxFrame, setRepeating, setTimer, utf8Encode } from '../stream.js';
import { MEDIA_MUX, MEDIA_RAW } from '../types.js';
import { versionAtLeast } from '../version.js';
import { runtimeOf } from './real-lifecycle.js';

/** jsonmessage.RFC3339NanoFixed: the daemon's `timestamps=1` prefix (always nine fraction digits). */
const RFC3339_NANO_FIXED = '2006-01-02T15:04:05.000000000Z07:00';

interface LogLine {
  stream: 1 | 2;
  text: string;
  /** Unix nanoseconds. */
  time: bigint;
}

interface LogOptions {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  since: bigint | undefined;
  until: bigint | undefined;
  /** Lines to keep from the end; undefined: all. */
  tail: number | undefined;
}

/** Splits text into lines, each keeping its newline (a last one without). */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/**
 * `since` / `until` as the daemon reads them (timetypes.ParseTimestamps: unix seconds with an
 * optional fraction of up to nine digits); RFC 3339 / date texts are taken too (the docker CLI
 * converts those and durations to unix seconds before sending). `until=0` means no limit.
 */
export function parseLogTime(key: string, value: string, now: bigint): bigint | undefined {
  if (value === '' || (key === 'until' && value === '0')) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    try {
      return parseUntil(value, now);
    } catch (err) {
      throw invalidParameter((err as Error).message);
    }
  }
  const dot = value.indexOf('.');
  const secs = dot < 0 ? value : value.slice(0, dot);
  const frac = dot < 0 ? undefined : value.slice(dot + 1);
  if (!/^[+-]?\d+$/.test(secs)) throw invalidParameter(`strconv.ParseInt: parsing ${JSON.stringify(secs)}: invalid syntax`);
  if (frac !== undefined && !/^[+-]?\d+$/.test(frac)) throw invalidParameter(`strconv.ParseInt: parsing ${JSON.stringify(frac)}: invalid syntax`);
  const nanos = frac === undefined ? 0n : BigInt(frac.replace(/^[+-]/, '').slice(0, 9).padEnd(9, '0'));
  return BigInt(secs) * 1_000_000_000n + nanos;
}

function parseOptions(ctx: RouteContext): LogOptions {
  const stdout = ctx.query.bool('stdout');
  const stderr = ctx.query.bool('stderr');
  if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
  const now = ctx.core.now();
  const since = parseLogTime('since', ctx.query.get('since'), now);
  const until = parseLogTime('until', ctx.query.get('until'), now);
  let tail: number | undefined;
  const t = ctx.query.get('tail');
  // Like the daemon: `all`, a negative or a non-number all mean every line.
  if (t !== '' && t !== 'all') {
    const n = Number.parseInt(t, 10);
    if (Number.isFinite(n) && n >= 0) tail = n;
  }
  return { stdout, stderr, timestamps: ctx.query.bool('timestamps'), since, until, tail };
}

function realTime(l: RealLogLine): bigint {
  try {
    return parseUntil(l.time, 0n);
  } catch {
    return 0n;
  }
}

function realLines(entries: RealLogLine[], tty: boolean): LogLine[] {
  return entries.flatMap((l) => {
    const time = realTime(l);
    const stream: 1 | 2 = tty ? 1 : l.stream;
    return splitLines(l.text).map((text) => ({ stream, text, time }));
  });
}

/**
 * Applies the options to lines in log order: stream choice and `tail` (existing lines only),
 * then `since` and `until` by time, as the daemon's log reader does. `ended` is true once a line
 * after `until` was met: nothing more is sent, even when following.
 */
function select(lines: LogLine[], o: LogOptions, tail: boolean): { lines: LogLine[]; ended: boolean } {
  let picked = lines.filter((l) => (l.stream === 1 ? o.stdout : o.stderr));
  if (tail && o.tail !== undefined) picked = o.tail === 0 ? [] : picked.slice(-o.tail);
  const out: LogLine[] = [];
  for (const l of picked) {
    if (o.since !== undefined && l.time < o.since) continue;
    if (o.until !== undefined && l.time > o.until) return { lines: out, ended: true };
    out.push(l);
  }
  return { lines: out, ended: false };
}

function lineText(l: LogLine, o: LogOptions): string {
  return o.timestamps ? `${formatGoLayout(l.time, RFC3339_NANO_FIXED)} ${l.text}` : l.text;
}

/**
 * One line as a body piece of a streaming response. Streamed pieces are strings the transport
 * writes as UTF-8, so a frame must be the UTF-8 of a string: every byte of its 8-byte header
 * below 0x80. Payload lengths whose four bytes are all below 0x80 are picked (a line may take
 * several frames of one stream, which demultiplexers join), cut on character boundaries.
 */
export function textFrames(stream: 1 | 2, text: string): string {
  const MAX = 0x7f7f;
  const cps = [...text];
  const size = (cp: string) => {
    const c = cp.codePointAt(0)!;
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c > 0xffff ? 4 : 3;
  };
  let out = '';
  let start = 0;
  while (start < cps.length) {
    let n = 0;
    let good = start;
    let goodN = 0;
    for (let j = start; j < cps.length; j++) {
      n += size(cps[j]);
      if (n > MAX) break;
      if ((n & 0x80808080) === 0) {
        good = j + 1;
        goodN = n;
      }
    }
    out += String.fromCharCode(stream, 0, 0, 0, (goodN >>> 24) & 0xff, (goodN >>> 16) & 0xff, (goodN >>> 8) & 0xff, goodN & 0xff) + cps.slice(start, good).join('');
    start = good;
  }
  return out;
}

interface Target {
  id: string;
  tty: boolean;
  running: boolean;
  /** Simulator: the merged log and the start time (unix nanoseconds). */
  text: string;
  startedAt: bigint;
}

export function logs(ctx: RouteContext): PlainResponse | StreamingResponse {
  const o = parseOptions(ctx);
  const follow = ctx.query.bool('follow');
  // Catch up with other processes' changes first, so a container seen running here gets its exit.
  if (follow) ctx.core.ensurePolling();
  const target = ctx.core.read((engine): Target => {
    const c = engine.findContainer(ctx.params.id);
    return { id: c.id, tty: c.tty, running: c.status === 'running', text: c.logs, startedAt: BigInt(c.startedAt || '0') };
  });
  const real = ctx.core.real ? runtimeOf(ctx) : undefined;
  const entries = real ? real.logs(target.id) : [];
  const all: LogLine[] = real ? realLines(entries, target.tty) : splitLines(target.text).map((text) => ({ stream: 1, text, time: target.startedAt }));
  const { lines, ended } = select(all, o, true);
  const mux = !target.tty;
  const contentType = mux && versionAtLeast(ctx.version, '1.42') ? MEDIA_MUX : MEDIA_RAW;

  // No line logged from now on can be before an `until` already past.
  const now = ctx.core.now();
  const pastUntil = o.until !== undefined && o.until <= now;
  if (!follow || !target.running || ended || pastUntil) {
    const chunks = lines.map((l) => (mux ? muxFrame(l.stream, utf8Encode(lineText(l, o))) : utf8Encode(lineText(l, o))));
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let off = 0;
    for (const c of chunks) {
      bytes.set(c, off);
      off += c.length;
    }
    return { kind: 'plain', status: 200, headers: { 'Content-Type': contentType }, body: lines.map((l) => lineText(l, o)).join(''), bytes };
  }

  const ch = new Channel<string>();
  /** Sends lines; false once `until` was passed (the stream is then closed). */
  const send = (more: LogLine[], initial = false): boolean => {
    const r = initial ? { lines: more, ended: false } : select(more, o, false);
    for (const l of r.lines) ch.push(mux ? textFrames(l.stream, lineText(l, o)) : lineText(l, o));
    if (r.ended) ch.close();
    return !r.ended;
  };
  send(lines, true);
  const follower = real ? new RealFollower(ctx.core, target, entries.length, send, () => ch.close()) : new SimFollower(target, send, () => ch.close());
  const unsubscribe = ctx.core.attach(target.id, follower);
  ch.whenClosed(() => {
    unsubscribe();
    follower.stop();
  });
  follower.begin();
  // The daemon's follower stops at `until`: lines after it are not sent.
  if (o.until !== undefined) {
    const ms = Number((o.until - now) / 1_000_000n) + 1;
    if (ms < 2 ** 31) ch.whenClosed(setTimer(() => ch.close(), ms));
  }
  return { kind: 'stream', status: 200, headers: { 'Content-Type': contentType }, chunks: ch, cancel: () => ch.close() };
}

interface Follower extends AttachListener {
  begin(): void;
  stop(): void;
}

/** Simulated output as it is produced: cut into lines (a partial one waits for its newline). */
class SimFollower implements Follower {
  private readonly partial: Record<1 | 2, string> = { 1: '', 2: '' };

  constructor(
    private readonly target: Target,
    private readonly send: (lines: LogLine[]) => boolean,
    private readonly end: () => void,
  ) {}

  begin(): void {}

  output(stream: 1 | 2, text: string): void {
    const s: 1 | 2 = this.target.tty ? 1 : stream;
    const parts = splitLines(this.partial[s] + text);
    this.partial[s] = parts.length && !parts[parts.length - 1].endsWith('\n') ? parts.pop()! : '';
    this.send(parts.map((t) => ({ stream: s, text: t, time: this.target.startedAt })));
  }

  started(): void {}

  ended(): void {
    const rest = ([1, 2] as const).filter((s) => this.partial[s]).map((s) => ({ stream: s, text: this.partial[s], time: this.target.startedAt }));
    this.partial[1] = this.partial[2] = '';
    this.send(rest);
    this.end();
  }

  stop(): void {}
}

/**
 * Follows a real container's json-file log: the shim writes each line to the log before it
 * broadcasts it, so output on the live stream means new entries to read. A slow poll covers
 * a stream that could not be opened; after the exit, the last entries are read once more.
 */
class RealFollower implements Follower {
  private stream: RealStream | undefined;
  private stopped = false;
  private scheduled: (() => void) | undefined;
  private stopPoll: (() => void) | undefined;
  private stopEnd: (() => void) | undefined;

  constructor(
    private readonly core: ApiCore,
    private readonly target: Target,
    private seen: number,
    private readonly send: (lines: LogLine[]) => boolean,
    private readonly end: () => void,
  ) {}

  begin(): void {
    if (this.stopped) return;
    this.stopPoll = setRepeating(() => this.poll(), 500);
    if (this.core.real!.isLive(this.target.id)) this.connect();
  }

  private connect(): void {
    if (this.stream || this.stopped) return;
    try {
      this.stream = this.core.real!.attach(this.target.id);
    } catch {
      return; // exited meanwhile: the exit ends the stream
    }
    this.stream.onOutput(() => this.schedule());
    // Lines logged between the first read and the connection.
    this.pull();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = setTimer(() => {
      this.scheduled = undefined;
      this.pull();
    }, 10);
  }

  private pull(): void {
    if (this.stopped) return;
    let entries: RealLogLine[];
    try {
      entries = this.core.real!.logs(this.target.id);
    } catch (err) {
      this.core.log('warn', 'logs: reading the log failed', { container: this.target.id, error: (err as Error).message });
      return;
    }
    if (entries.length < this.seen) this.seen = 0; // the log was replaced
    const fresh = entries.slice(this.seen);
    this.seen = entries.length;
    if (fresh.length) this.send(realLines(fresh, this.target.tty));
  }

  private poll(): void {
    this.pull();
    if (this.stopped || this.stopEnd) return;
    const running = this.core.read((engine) => engine.containers.get(this.target.id)?.status === 'running');
    if (!running) this.ended();
  }

  output(): void {
    /* real output is read from the log */
  }

  started(): void {
    this.connect();
  }

  ended(): void {
    if (this.stopped || this.stopEnd) return;
    // The shim drains the process's pipes and writes the last partial line as it exits.
    this.stopEnd = setTimer(() => {
      this.pull();
      this.end();
    }, 100);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.scheduled?.();
    this.stopPoll?.();
    this.stopEnd?.();
    this.stream?.detach();
  }
}
