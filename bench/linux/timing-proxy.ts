/**
 * A byte-for-byte unix-socket proxy between the docker CLI and a daemon that measures how long the
 * daemon kept the client waiting: per HTTP exchange, from the request's first byte to the
 * response's first byte. The docker CLI sends at most one request at a time per connection (no
 * pipelining), so on each connection client bytes open an exchange and the next daemon bytes
 * close it; later bytes of the same response (a long body, `wait`'s late answer, a hijacked
 * stream) are not waiting time. Overlapping exchanges on parallel connections (run -d's `wait`
 * next to its `start`) count once: busy() is the length of the union of the intervals.
 *
 * The point: the same docker CLI drives both daemons, and its own start-up (~8 ms, more than some
 * whole commands take on the daemon side) is in every end-to-end number; this isolates the part
 * that is the daemon's.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export interface TimingProxy {
  socket: string;
  /** Forget the intervals recorded so far (call before a command). */
  reset(): void;
  /** Milliseconds the daemon had at least one exchange open since reset(). */
  busy(): number;
  close(): Promise<void>;
}

export async function startTimingProxy(listenPath: string, upstreamPath: string): Promise<TimingProxy> {
  let intervals: Array<[number, number]> = [];
  const conns = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPath);
    conns.add(client).add(upstream);
    let openedAt: number | undefined;
    client.on('data', (b) => {
      openedAt ??= performance.now();
      upstream.write(b);
    });
    upstream.on('data', (b) => {
      if (openedAt !== undefined) {
        intervals.push([openedAt, performance.now()]);
        openedAt = undefined;
      }
      client.write(b);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      conns.delete(client);
      conns.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(listenPath, () => resolve()));
  return {
    socket: listenPath,
    reset: () => (intervals = []),
    busy() {
      const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
      let total = 0;
      let cur: [number, number] | undefined;
      for (const [s, e] of sorted) {
        if (cur && s <= cur[1]) cur[1] = Math.max(cur[1], e);
        else {
          if (cur) total += cur[1] - cur[0];
          cur = [s, e];
        }
      }
      if (cur) total += cur[1] - cur[0];
      return total;
    },
    async close() {
      for (const c of conns) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(listenPath, { force: true });
    },
  };
}
