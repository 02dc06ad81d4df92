/**
 * A push-driven async iterable: routes push body pieces (events, a wait result) and close it;
 * the transport iterates. Browser-safe (no Node streams).
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly waiters: Array<(r: IteratorResult<T>) => void> = [];
  private closed = false;
  private onClose: Array<() => void> = [];

  push(item: T): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w({ value: item, done: false });
    else this.items.push(item);
  }

  /** Ends the stream after the items already pushed. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined as never, done: true });
    for (const f of this.onClose.splice(0)) f();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` once when the channel closes (at once if it already has). */
  whenClosed(fn: () => void): void {
    if (this.closed) fn();
    else this.onClose.push(fn);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.closed) return Promise.resolve({ value: undefined as never, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined as never, done: true });
      },
    };
  }
}

/** Timers without DOM or Node typings (both platforms have them on globalThis). */
const timers = globalThis as unknown as {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
};

/** `background`: on Node, the timer alone does not keep the process alive. */
export function setTimer(fn: () => void, ms: number, background = false): () => void {
  const h = timers.setTimeout(fn, ms);
  if (background) (h as { unref?: () => void })?.unref?.();
  return () => timers.clearTimeout(h);
}

export function setRepeating(fn: () => void, ms: number): () => void {
  const h = timers.setInterval(fn, ms) as { unref?: () => void };
  // Node: a poll timer must not keep the process alive on its own.
  h?.unref?.();
  return () => timers.clearInterval(h);
}

/** UTF-8 bytes of a string (the format module's Go-exact encoder; no TextEncoder in the ES2022 lib). */
export { utf8Bytes as utf8Encode } from '../format/go-values.js';

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** One multiplexed-stream frame: stream byte, three zero bytes, big-endian length, payload. */
export function muxFrame(stream: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  const n = payload.length;
  out[4] = (n >>> 24) & 0xff;
  out[5] = (n >>> 16) & 0xff;
  out[6] = (n >>> 8) & 0xff;
  out[7] = n & 0xff;
  out.set(payload, 8);
  return out;
}
