/** The contract between the daemon and the Linux container runtime (one shim per container). */

/**
 * An address a container announces when its interface comes up: unsolicited ARPs (IPv4) or
 * neighbour advertisements (IPv6) from `ifname`, `count` of them `intervalMs` apart, so that
 * neighbours holding the MAC of its previous run take the new one at once.
 */
export interface AddressAdvertisement {
  ifname: string;
  address: string;
  count: number;
  intervalMs: number;
}

/** The network a starting container sets up from inside its shim (see ShimHandle.start). */
export interface StartNetwork {
  host: string[];
  container: string[];
  advertise?: AddressAdvertisement[];
}

export interface ContainerSpec {
  id: string; // 64 hex
  dir: string; // per-container runtime dir (created by create())
  rootfs: string; // image rootfs dir, used read-only as overlay lowerdir
  argv: string[]; // resolved entrypoint + cmd
  env: string[]; // KEY=VALUE
  workdir: string; // default '/'
  /** Who PID 1 runs as (resolved from `--user` in the container's files); root when absent. */
  user?: { uid: number; gid: number; groups: number[] };
  hostname: string;
  tty: boolean;
  openStdin: boolean;
  files: { hosts: string; resolvConf: string; hostname: string };
  /** `--init`: this static init (tini) is bind-mounted at /sbin/docker-init; argv already starts with it. */
  init?: string;
  /** When set: serve 127.0.0.11:53 (udp+tcp) in the container netns, relayed to this unix socket. */
  dnsSocket?: string;
  /**
   * A network namespace to share instead of a private one: `host` (`--network host`: the one the
   * shim starts in, the sandbox's or the machine's) or another container's netns path
   * (`--network container:X`). No DNS listener is set up then (the owner has it).
   */
  sharedNetns?: string;
}

export interface AttachStream {
  onOutput(cb: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer | string): void;
  closeStdin(): void;
  detach(): void;
  /** Resolves once the shim has registered this client (attach before start: nothing is missed). */
  readonly ready?: Promise<void>;
}

export interface ShimHandle {
  readonly id: string;
  readonly dir: string;
  readonly shimPid: number;
  /** `/proc/<shimpid>/fd/<N>`: works with `ip link set X netns PATH` and `nsenter --net=PATH`. */
  readonly netnsPath: string;
  /** Host PID of the container's PID 1 once started. */
  readonly pid: number | undefined;
  /**
   * Starts the process. `net`: `ip -batch` lines the shim runs first — `host` in its own (the
   * host's) namespace, then `container` inside the container's. Resolves with the host PID.
   */
  start(net?: StartNetwork): Promise<number>;
  /** How long the shim's network setup took at the last start (ms), if it had any. */
  readonly netMs?: number;
  signal(sig: NodeJS.Signals | number): void;
  /** SIGTERM (or the given signal), SIGKILL after the timeout; resolves with the exit code. */
  stop(timeoutSeconds: number, signal?: NodeJS.Signals): Promise<number>;
  readonly exited: Promise<number>;
  attach(): AttachStream;
  resize(rows: number, cols: number): void;
  /** Announces these addresses of the running container (after a network connect). */
  advertise(addresses: AddressAdvertisement[]): void;
  /** Drops the connection to the shim (daemon shutdown); the container keeps running. */
  close(): void;
}

export interface ExecOptions {
  argv: string[];
  env: string[];
  workdir?: string;
  /** uid and gid to run as (nsenter -S/-G: the supplementary groups are dropped). */
  user?: { uid: number; gid: number };
  tty: boolean;
  openStdin: boolean;
}

export interface ExecProcess {
  readonly pid: number;
  onOutput(cb: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer | string): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  readonly exited: Promise<number>;
  kill(sig?: NodeJS.Signals): void;
}

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  time: string;
  log: string;
}

/** Frame of the attach / exec-tty protocol: 1 byte stream + u32be length + bytes. */
export function encodeFrame(stream: number, data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(stream, 0);
  head.writeUInt32BE(data.length, 1);
  return Buffer.concat([head, data]);
}

/** Incremental decoder for those frames. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (stream: number, data: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const n = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + n) break;
      const stream = this.buf[0];
      const data = this.buf.subarray(5, 5 + n);
      this.buf = this.buf.subarray(5 + n);
      this.onFrame(stream, data);
    }
  }
}
